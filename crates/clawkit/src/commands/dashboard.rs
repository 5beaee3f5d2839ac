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
use std::io::Write;

pub fn run(
    settings: &Settings,
    env: &Env,
    args: &DashboardArgs,
    out: &mut dyn Write,
) -> Result<ExitStatus> {
    let displayed = browser::has_display(|k| env.get(k).map(str::to_string));
    if !args.print && !displayed {
        return no_display(settings, env, out);
    }
    let handoff = runtime()?.block_on(clawkit_core::dashboard::handoff(&settings.target()))?;
    let window = match (args.private, args.fresh_profile) {
        (true, _) => Window::Private,
        (_, true) => Window::FreshProfile,
        _ => Window::Normal,
    };
    let profile = browser::fresh_profile_dir();
    let argv = match browser_argv(args, env, window, &handoff, &profile) {
        Ok(argv) => argv,
        Err(why) => {
            say!(out, "{why}");
            say!(
                out,
                "the page: {} (for a one-time pairing link to paste there: `clawkit dashboard --print`)",
                handoff.http_url
            );
            return Ok(ExitStatus::Problems);
        }
    };
    if args.print {
        print_plan(&handoff, &argv, out);
        return Ok(ExitStatus::Success);
    }
    browser::spawn(&argv).map_err(|e| {
        Error::Usage(format!(
            "cannot start the browser: {e}; name one with --browser PATH, or run `clawkit dashboard --print` and open the link yourself"
        ))
    })?;
    say!(
        out,
        "opened {} {}; the pairing link in it works once, until {}",
        handoff.http_url,
        match window {
            Window::Normal => "in your browser".to_string(),
            Window::Private => format!("in a private window of {}", argv[0]),
            Window::FreshProfile =>
                format!("in {} with a new profile ({})", argv[0], profile.display()),
        },
        expiry(&handoff)
    );
    if window != Window::Normal {
        say!(
            out,
            "  each private handshake pairs a new browser device: `clawkit gateway token status` lists the older ones to remove"
        );
    }
    Ok(ExitStatus::Success)
}

/// The command for `window`: the named or default browser, or the OS opener for a normal one.
fn browser_argv(
    args: &DashboardArgs,
    env: &Env,
    window: Window,
    handoff: &Handoff,
    profile: &std::path::Path,
) -> std::result::Result<Vec<String>, String> {
    let url = handoff.browser_url();
    let chosen = args
        .browser
        .clone()
        .or_else(|| browser::default_browser(env.get("BROWSER")));
    match (chosen, window) {
        (None, Window::Normal) => Ok(browser::opener(url)),
        (Some(b), w) => browser::command(&b, w, url, profile),
        (None, _) => Err(
            "no browser found for a private window: set $BROWSER or name one with --browser PATH"
                .into(),
        ),
    }
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
