//! `clawkit dashboard`: the gateway's Control UI with a fresh single-use pairing link, opened
//! normally, in a private window, or in a new temporary profile, so a browser holding a stale
//! device token makes a clean handshake. The link (a bearer secret for ten minutes) goes to the
//! browser as one argv element; it is printed only when `--print` asks for it.

use super::{runtime, say};
use crate::cli::DashboardArgs;
use crate::exit::ExitStatus;
use crate::settings::Settings;
use clawkit_core::dashboard::Handoff;
use clawkit_core::env::Env;
use clawkit_core::error::{Error, Result};
use clawkit_core::time::format_time_ms;
use clawkit_web::browser::{self, Window};
use clawkit_web::dashboard;
use std::io::Write;

pub fn run(
    settings: &Settings,
    env: &Env,
    args: &DashboardArgs,
    out: &mut dyn Write,
) -> Result<ExitStatus> {
    let window = match (args.private, args.fresh_profile) {
        (true, _) => Window::Private,
        (_, true) => Window::FreshProfile,
        _ => Window::Normal,
    };
    let target = settings.target();
    let rt = runtime()?;
    if args.print {
        let handoff = rt.block_on(clawkit_core::dashboard::handoff(&target))?;
        let profile = browser::fresh_profile_dir();
        let url = handoff.browser_url();
        return Ok(
            match dashboard::argv(
                args.browser.clone(),
                env.get("BROWSER"),
                window,
                url,
                &profile,
            ) {
                Ok(argv) => {
                    print_plan(&handoff, &argv, out);
                    ExitStatus::Success
                }
                Err(why) => not_opened(&why, Some(&handoff.http_url), out),
            },
        );
    }
    if !browser::has_display(|k| env.get(k).map(str::to_string)) {
        return no_display(settings, env, out);
    }
    match rt.block_on(dashboard::open(&target, window, args.browser.clone())) {
        Ok(o) => {
            say!(
                out,
                "opened {} {}; the pairing link in it works once, until {}",
                o.handoff.http_url,
                match &o.profile {
                    None if window == Window::Normal => "in your browser".to_string(),
                    None => format!("in a private window of {}", o.browser),
                    Some(p) => format!("in {} with a new profile ({})", o.browser, p.display()),
                },
                expiry(&o.handoff)
            );
            if window != Window::Normal {
                say!(
                    out,
                    "  each private handshake pairs a new browser device: `clawkit gateway token status` lists the older ones to remove"
                );
            }
            Ok(ExitStatus::Success)
        }
        // No link at all: clawkit could not do its part (the gateway is down, say).
        Err(e) if e.page.is_none() => Err(Error::Usage(e.why)),
        Err(e) => Ok(not_opened(&e.why, e.page.as_deref(), out)),
    }
}

/// Nothing opened: why, and the page to open by hand.
fn not_opened(why: &str, page: Option<&str>, out: &mut dyn Write) -> ExitStatus {
    say!(out, "{why}");
    if let Some(page) = page {
        say!(
            out,
            "the page: {page} (for a one-time pairing link to paste there: `clawkit dashboard --print`)"
        );
    }
    ExitStatus::Problems
}

/// `--print`: the clean page, the one-time link and the exact command, nothing run.
fn print_plan(handoff: &Handoff, argv: &[String], out: &mut dyn Write) {
    say!(out, "page:    {}", handoff.http_url);
    say!(
        out,
        "link:    {}  (works once, until {}; it pairs the first browser that opens it)",
        handoff.browser_url(),
        expiry(handoff)
    );
    let quoted: Vec<String> = argv.iter().map(|a| shell_quote(a)).collect();
    say!(out, "command: {}", quoted.join(" "));
}

fn expiry(h: &Handoff) -> String {
    h.expires_at_ms
        .map(format_time_ms)
        .unwrap_or_else(|| "ten minutes from now".into())
}

/// Over SSH or on a server without a display: the tunnel to open, and the page.
fn no_display(settings: &Settings, env: &Env, out: &mut dyn Write) -> Result<ExitStatus> {
    let port = settings.paths.port(&settings.load_config()?, env).value;
    say!(
        out,
        "no display here{}: open the dashboard from your own computer.",
        if super::web::over_ssh(env) {
            " (an SSH session)"
        } else {
            ""
        }
    );
    say!(
        out,
        "  1. there: ssh -N -L {port}:127.0.0.1:{port} <this host>   (the same port: the link names 127.0.0.1:{port})"
    );
    say!(
        out,
        "  2. here:  clawkit dashboard --print   (a one-time pairing link, valid ten minutes)"
    );
    say!(
        out,
        "  3. there: open that link, or http://127.0.0.1:{port}/ and paste the gateway token"
    );
    Ok(ExitStatus::Problems)
}

/// One argument as a POSIX shell word.
fn shell_quote(a: &str) -> String {
    if !a.is_empty()
        && a.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,@%+".contains(c))
    {
        a.to_string()
    } else {
        format!("'{}'", a.replace('\'', r"'\''"))
    }
}
