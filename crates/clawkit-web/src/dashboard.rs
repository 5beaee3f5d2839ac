//! Opening the gateway's Control UI with a fresh pairing link, shared by `clawkit dashboard`
//! and the walkthrough's browser step: which command opens it in which window, and the
//! whole "get a link, start the browser" flow. The link goes to the browser as one argv
//! element and is never returned for display.

use crate::browser::{self, Window};
use clawkit_core::dashboard::{Handoff, handoff};
use clawkit_core::target::Target;
use std::path::{Path, PathBuf};

/// The command for `window`: `chosen` (--browser) or the default browser ($BROWSER first),
/// or the OS opener for a normal window.
pub fn argv(
    chosen: Option<String>,
    env_browser: Option<&str>,
    window: Window,
    url: &str,
    profile: &Path,
) -> Result<Vec<String>, String> {
    match (
        chosen.or_else(|| browser::default_browser(env_browser)),
        window,
    ) {
        (None, Window::Normal) => Ok(browser::opener(url)),
        (Some(b), w) => browser::command(&b, w, url, profile),
        (None, _) => Err(
            "no browser found for a private window: set $BROWSER or name one with --browser PATH"
                .into(),
        ),
    }
}

/// What [`open`] did.
#[derive(Debug)]
pub struct Opened {
    pub handoff: Handoff,
    /// The browser program started.
    pub browser: String,
    /// The new profile, for `Window::FreshProfile`.
    pub profile: Option<PathBuf>,
}

/// Why [`open`] opened nothing: the message to show, and the clean page URL when known.
#[derive(Debug)]
pub struct NotOpened {
    pub why: String,
    pub page: Option<String>,
}

/// Gets a fresh link from the install's CLI and starts the browser with it.
pub async fn open(
    target: &Target,
    window: Window,
    chosen: Option<String>,
) -> Result<Opened, NotOpened> {
    let handoff = handoff(target).await.map_err(|e| NotOpened {
        why: e.to_string(),
        page: None,
    })?;
    let profile = browser::fresh_profile_dir();
    let cmd = argv(
        chosen,
        target.env.get("BROWSER"),
        window,
        handoff.browser_url(),
        &profile,
    );
    let page = Some(handoff.http_url.clone());
    let cmd = cmd.map_err(|why| NotOpened {
        why,
        page: page.clone(),
    })?;
    browser::spawn(&cmd).map_err(|e| NotOpened {
        why: format!("cannot start the browser: {e}; name one with --browser PATH"),
        page,
    })?;
    Ok(Opened {
        handoff,
        browser: cmd[0].clone(),
        profile: (window == Window::FreshProfile).then_some(profile),
    })
}
