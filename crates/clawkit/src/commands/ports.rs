//! `clawkit ports [--kill]`: the owners of the gateway's ports with verdicts, and stopping the
//! zombies among them safely.

use super::{print_json, runtime, say, say_finding};
use crate::cli::PortsArgs;
use crate::exit::ExitStatus;
use crate::settings::Settings;
use crate::term::{TerminalApprover, interactive};
use clawkit_core::error::{Error, Result};
use clawkit_core::event::{Cancel, NullObserver};
use clawkit_core::finding::{Kill, Severity};
use clawkit_core::host::ports::{Class, PortsReport};
use clawkit_core::lifecycle::{self, Waits, ZombieOutcome};
use serde_json::json;
use std::io::Write;
use std::time::Duration;

pub fn run(settings: &Settings, args: &PortsArgs, out: &mut dyn Write) -> Result<ExitStatus> {
    let target = settings.target();
    let rt = runtime()?;
    let timeout = Duration::from_millis(args.timeout_ms);
    let report = rt.block_on(clawkit_core::probe::inspect_ports(&target, timeout))?;
    if !args.kill {
        if args.json {
            print_json(out, &json!({"schemaVersion": 1, "report": report}));
        } else {
            render(&report, out);
        }
        return Ok(status_of(&report));
    }
    let interactive = interactive();
    if !args.yes && !interactive {
        refuse_foreign_without_a_terminal(&report, args.kill_foreign)?;
    }
    let mut approver = TerminalApprover {
        assume_yes: args.yes,
        interactive,
    };
    let waits = Waits {
        ready: Duration::from_secs(10),
        handshake: timeout,
    };
    let done = rt.block_on(lifecycle::stop_zombies(
        &target,
        report,
        args.kill_foreign,
        waits,
        &mut NullObserver,
        &mut approver,
        &Cancel::new(),
    ))?;
    render_kill(&done, args.json, out);
    // A stop clawkit refused or could not make leaves the problem in place: exit 1.
    Ok(if done.all_stopped() {
        status_of(&done.after)
    } else {
        ExitStatus::Problems
    })
}

/// Stopping a non-OpenClaw program needs a yes, and nobody is there to give it.
fn refuse_foreign_without_a_terminal(report: &PortsReport, allow_foreign: bool) -> Result<()> {
    match report
        .killable(allow_foreign)
        .into_iter()
        .find(|(f, _)| f.kill == Some(Kill::Foreign))
    {
        Some((_, p)) => Err(Error::Usage(format!(
            "pid {} (`{}`) is not an OpenClaw gateway; to stop it anyway run again with --kill-foreign --yes",
            p.pid,
            p.command()
        ))),
        None => Ok(()),
    }
}

fn render_kill(done: &ZombieOutcome, as_json: bool, out: &mut dyn Write) {
    if as_json {
        print_json(
            out,
            &json!({"schemaVersion": 1, "stopped": done.attempts, "report": done.after}),
        );
        return;
    }
    if done.attempts.is_empty() {
        render(&done.after, out);
        say!(
            out,
            "\nnothing to stop{}",
            if done.foreign_left > 0 {
                " (a non-OpenClaw program holds the port: clawkit stops it only with --kill-foreign)"
            } else {
                ""
            }
        );
        return;
    }
    for a in &done.attempts {
        say!(
            out,
            "pid {} ({}, {}): {}",
            a.pid,
            a.name,
            a.finding,
            a.outcome
        );
    }
    say!(out, "");
    render(&done.after, out);
}

fn status_of(report: &PortsReport) -> ExitStatus {
    if report.worst() >= Severity::Warning {
        ExitStatus::Problems
    } else {
        ExitStatus::Success
    }
}

pub(crate) fn render(report: &PortsReport, out: &mut dyn Write) {
    say!(
        out,
        "Gateway port {} ({}) for {}",
        report.port,
        report.port_rule,
        report.state_dir.display()
    );
    for row in &report.ports {
        if row.owners.is_empty() {
            say!(out, "  {:>5}  {:<15}  free", row.port, row.role);
        }
        for o in &row.owners {
            let who = match &o.process {
                Some(p) => format!(
                    "pid {} {} ({})",
                    p.pid,
                    p.name,
                    p.user
                        .clone()
                        .or(p.uid.map(|u| format!("uid {u}")))
                        .unwrap_or("?".into())
                ),
                None => format!(
                    "hidden owner (uid {})",
                    o.uid.map_or("?".into(), |u| u.to_string())
                ),
            };
            let class = match o.class {
                Class::ThisGateway => "this gateway",
                Class::OtherGateway => "OTHER gateway",
                Class::GatewayChild => "gateway's child",
                Class::Foreign => "not OpenClaw",
                Class::Hidden => "unknown",
            };
            say!(
                out,
                "  {:>5}  {:<15}  {:<15}  {who}",
                row.port,
                row.role,
                class
            );
        }
    }
    if let Some(h) = &report.handshake {
        say!(
            out,
            "  handshake {}: {} in {} ms{}{}",
            h.url,
            h.verdict.name(),
            h.elapsed_ms,
            h.server_version
                .as_deref()
                .map(|v| format!(", OpenClaw {v}"))
                .unwrap_or_default(),
            h.boot_id
                .as_deref()
                .map(|b| format!(", boot {b}"))
                .unwrap_or_default()
        );
    }
    say!(out, "");
    for f in &report.findings {
        say_finding(out, f, true);
    }
}
