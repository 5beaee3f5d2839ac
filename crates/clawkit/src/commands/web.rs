//! `clawkit web`: start the web doctor on loopback, hand the browser its single-use launch
//! link, and serve until Ctrl-C or the idle timeout. The pages and their security live in
//! clawkit-web; this only resolves settings, opens the browser and says where to look.

use super::{runtime, say};
use crate::cli::{InstallArgs, WebArgs};
use crate::exit::ExitStatus;
use crate::settings::Settings;
use clawkit_core::env::Env;
use clawkit_core::error::{Error, Result};
use clawkit_core::time::parse_duration_ms;
use clawkit_web::browser;
use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

pub fn run(
    settings: &Settings,
    install: &InstallArgs,
    env: &Env,
    args: &WebArgs,
    out: &mut dyn Write,
) -> Result<ExitStatus> {
    let idle = parse_duration_ms(&args.idle)
        .filter(|ms| *ms > 0)
        .map(|ms| Duration::from_millis(ms as u64))
        .ok_or_else(|| {
            Error::Usage(format!(
                "--idle `{}`: expected a duration like 15m or 2h",
                args.idle
            ))
        })?;
    let db = match &args.monitor_db {
        Some(db) => db.clone(),
        None => super::monitor::default_db(install, env)?,
    };
    let view: clawkit_web::MonitorView = Arc::new(move || super::monitor::status::view(&db).ok());
    let timeout = Duration::from_millis(args.timeout_ms);
    let rt = runtime()?;
    rt.block_on(async {
        let running = clawkit_web::start(settings.target(), args.port, idle, timeout, Some(view))
            .await
            .map_err(|e| {
                Error::Usage(format!(
                    "cannot listen on 127.0.0.1:{}: {e}; pick another with --port, or leave it out for a free one",
                    args.port
                ))
            })?;
        announce(&running, args.no_open, env, out);
        let _ = out.flush();
        tokio::select! {
            _ = tokio::signal::ctrl_c() => running.cancel.cancel(),
            () = running.cancel.cancelled() => say!(out, "clawkit web: idle for {}, stopped", args.idle),
        }
        let _ = running.task.await;
        Ok(ExitStatus::Success)
    })
}

/// Opens the launch link in the browser, or prints it (first line, for scripts and SSH).
fn announce(running: &clawkit_web::Running, no_open: bool, env: &Env, out: &mut dyn Write) {
    let url = &running.launch_url;
    let port = running.app.port;
    let opened = !no_open
        && browser::has_display(|k| env.get(k).map(str::to_string))
        && browser::spawn(&browser::opener(url)).is_ok();
    if !opened {
        say!(out, "{url}");
    }
    say!(
        out,
        "clawkit web: serving on http://127.0.0.1:{port}/ (loopback only){}",
        if opened {
            "; opened in your browser"
        } else {
            "; open the link above once (it works a single time, for 5 minutes)"
        }
    );
    if !opened && over_ssh(env) {
        say!(
            out,
            "  over SSH: on your computer run `ssh -N -L {port}:127.0.0.1:{port} <this host>`, then open the link there"
        );
    }
    say!(out, "  Ctrl-C stops it");
}

/// An SSH session: the browser must run on the user's own computer.
pub(crate) fn over_ssh(env: &Env) -> bool {
    ["SSH_CLIENT", "SSH_TTY", "SSH_CONNECTION"]
        .iter()
        .any(|k| env.get(k).is_some())
}
