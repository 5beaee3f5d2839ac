//! `clawkit ports [--kill]`: the owners of the gateway's ports with verdicts, and stopping the
//! zombies among them safely.

use super::{confirm, print_json, say, say_finding};
use crate::cli::PortsArgs;
use crate::error::{Error, Result};
use crate::exit::ExitStatus;
use crate::finding::{Finding, Kill, Severity};
use crate::host::kill::stop;
use crate::host::ports::{Class, Inputs, PortsReport};
use crate::host::{Host, ProcessInfo, runner::SystemRunner};
use crate::service;
use crate::settings::Settings;
use serde_json::json;
use std::io::Write;
use std::time::Duration;

pub fn run(settings: &Settings, args: &PortsArgs, out: &mut dyn Write) -> Result<ExitStatus> {
    let host = crate::host::system();
    let report = inspect(settings, host.as_ref(), args.timeout_ms)?;
    if !args.kill {
        if args.json {
            print_json(out, &json!({"schemaVersion": 1, "report": report}));
        } else {
            render(&report, out);
        }
        return Ok(status_of(&report));
    }
    kill(settings, host.as_ref(), report, args, out)
}

/// Inspects this install's ports, with the supervisor's main pid when a service runs it.
pub(crate) fn inspect(
    settings: &Settings,
    host: &dyn Host,
    timeout_ms: u64,
) -> Result<PortsReport> {
    let config = settings.load_config()?;
    let supervisor = service::Manager::detect(&SystemRunner)
        .and_then(|m| m.main_pid(&SystemRunner, &settings.paths));
    let inputs = Inputs {
        paths: &settings.paths,
        config: &config,
        env: &settings.env,
        host,
        supervisor,
        handshake_timeout: Duration::from_millis(timeout_ms),
    };
    Ok(super::runtime()?.block_on(crate::probe::inspect_ports(&inputs)))
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

fn kill(
    settings: &Settings,
    host: &dyn Host,
    report: PortsReport,
    args: &PortsArgs,
    out: &mut dyn Write,
) -> Result<ExitStatus> {
    let targets: Vec<(Finding, ProcessInfo)> = report
        .killable(args.kill_foreign)
        .into_iter()
        .map(|(f, p)| (f.clone(), p.clone()))
        .collect();
    let skipped_foreign = report
        .findings
        .iter()
        .filter(|f| f.kill == Some(Kill::Foreign) && !args.kill_foreign)
        .count();
    let mut results = Vec::new();
    if targets.is_empty() && !args.json {
        render(&report, out);
        say!(
            out,
            "\nnothing to stop{}",
            if skipped_foreign > 0 {
                " (a non-OpenClaw program holds the port: clawkit stops it only with --kill-foreign)"
            } else {
                ""
            }
        );
    }
    for (finding, process) in &targets {
        let foreign = finding.kill == Some(Kill::Foreign);
        if foreign && !args.yes {
            let question = format!(
                "Stop pid {} `{}`, which is NOT OpenClaw, holding port {}?",
                process.pid,
                process.command(),
                finding.port.unwrap_or(0)
            );
            match confirm(out, &question) {
                None => {
                    return Err(Error::Usage(format!(
                        "pid {} (`{}`) is not an OpenClaw gateway; to stop it anyway run again with --kill-foreign --yes",
                        process.pid,
                        process.command()
                    )));
                }
                Some(false) => {
                    results.push(json!({"pid": process.pid, "outcome": "skipped"}));
                    continue;
                }
                Some(true) => {}
            }
        }
        let outcome = stop(host, process, !foreign, Duration::from_secs(10));
        let (word, ok) = match &outcome {
            Ok(stopped) => (stopped.to_string(), true),
            Err(e) => (format!("not stopped: {e}"), false),
        };
        if !args.json {
            say!(
                out,
                "pid {} ({}, {}): {word}",
                process.pid,
                process.name,
                finding.code
            );
        }
        results
            .push(json!({"pid": process.pid, "finding": finding.code, "ok": ok, "outcome": word}));
    }
    // What the port looks like now.
    let after = if targets.is_empty() {
        report
    } else {
        let pids: Vec<u32> = targets.iter().map(|(_, p)| p.pid).collect();
        wait_port_change(settings, host, &pids, args.timeout_ms)?
    };
    let all_ok = results.iter().all(|r| r["ok"] != false);
    if args.json {
        print_json(
            out,
            &json!({"schemaVersion": 1, "stopped": results, "report": after}),
        );
    } else if !targets.is_empty() {
        say!(out, "");
        render(&after, out);
    }
    Ok(if !all_ok {
        ExitStatus::Error
    } else {
        status_of(&after)
    })
}

/// Re-inspects until no stopped pid holds a port any more (a dying process releases its
/// sockets a moment after it is reaped), at most 5 s.
fn wait_port_change(
    settings: &Settings,
    host: &dyn Host,
    stopped: &[u32],
    timeout_ms: u64,
) -> Result<PortsReport> {
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    loop {
        let now = inspect(settings, host, timeout_ms)?;
        let still = now
            .ports
            .iter()
            .flat_map(|r| &r.owners)
            .any(|o| o.pid.is_some_and(|p| stopped.contains(&p)));
        if !still || std::time::Instant::now() >= deadline {
            return Ok(now);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}
