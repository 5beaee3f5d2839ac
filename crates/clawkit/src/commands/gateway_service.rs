//! `clawkit gateway status|start|stop|restart|install`: each runs one lifecycle operation of
//! the engine and renders its outcome, as text or `--json`.

use super::{print_json, runtime, say, say_finding};
use crate::cli::ServiceArgs;
use crate::exit::ExitStatus;
use crate::settings::Settings;
use clawkit_core::error::Result;
use clawkit_core::event::{Cancel, NullObserver};
use clawkit_core::finding::{Finding, Severity};
use clawkit_core::gateway::Credential;
use clawkit_core::host::ports::PortsReport;
use clawkit_core::lifecycle::{
    self, GatewayStatus, Installed, Restarted, Started, StopOutcome, SupervisedChange, Waits,
};
use clawkit_core::target::Target;
use serde_json::json;
use std::io::Write;
use std::time::Duration;

fn waits(a: &ServiceArgs) -> Waits {
    Waits::new(Duration::from_secs(a.wait_secs))
}

pub fn status(settings: &Settings, a: &ServiceArgs, out: &mut dyn Write) -> Result<ExitStatus> {
    let target = settings.target();
    let status = runtime()?.block_on(lifecycle::status(&target))?;
    render_status(&target, &status, a.json, out);
    Ok(if status.healthy() {
        ExitStatus::Success
    } else {
        ExitStatus::Problems
    })
}

pub fn start(settings: &Settings, a: &ServiceArgs, out: &mut dyn Write) -> Result<ExitStatus> {
    let started = runtime()?.block_on(lifecycle::start(
        &settings.target(),
        waits(a),
        &mut NullObserver,
        &Cancel::new(),
    ))?;
    Ok(render_started(&started, a.json, out))
}

pub fn stop(settings: &Settings, a: &ServiceArgs, out: &mut dyn Write) -> Result<ExitStatus> {
    let stopped = runtime()?.block_on(lifecycle::stop(
        &settings.target(),
        waits(a),
        &mut NullObserver,
    ))?;
    render_stopped(&stopped, a.json, out);
    Ok(ExitStatus::Success)
}

pub fn restart(settings: &Settings, a: &ServiceArgs, out: &mut dyn Write) -> Result<ExitStatus> {
    let restarted = runtime()?.block_on(lifecycle::restart(
        &settings.target(),
        &Credential::None,
        waits(a),
        &mut NullObserver,
        &Cancel::new(),
    ))?;
    Ok(render_restarted(&restarted, a.json, out))
}

pub fn install(
    settings: &Settings,
    force: bool,
    a: &ServiceArgs,
    out: &mut dyn Write,
) -> Result<ExitStatus> {
    let installed = runtime()?.block_on(lifecycle::install(&settings.target(), force))?;
    render_installed(&installed, a.json, out);
    Ok(if installed.clean() {
        ExitStatus::Success
    } else {
        ExitStatus::Problems
    })
}

fn problems_status(problems: &[Finding]) -> ExitStatus {
    if problems.is_empty() {
        ExitStatus::Success
    } else {
        ExitStatus::Problems
    }
}

fn render_supervised(verb: &str, c: &SupervisedChange, as_json: bool, out: &mut dyn Write) {
    if as_json {
        print_json(
            out,
            &json!({"schemaVersion": 1, verb: true, "manager": c.manager, "service": c.service, "gateway": c.gateway, "waitedMs": c.waited_ms, "problems": c.problems}),
        );
    } else {
        say!(out, "{}", c.summary(verb));
        for p in &c.problems {
            say_finding(out, p, false);
        }
    }
}

fn render_restarted(r: &Restarted, as_json: bool, out: &mut dyn Write) -> ExitStatus {
    match r {
        Restarted::Supervised(c) => render_supervised("restarted", c, as_json, out),
        Restarted::Requested(s) if as_json => {
            let mut doc = serde_json::to_value(s).unwrap_or_default();
            doc["how"] = json!("gateway.restart.request");
            print_json(
                out,
                &json!({"schemaVersion": 1, "restart": doc, "report": s.report}),
            );
        }
        Restarted::Requested(s) => {
            say!(out, "{}", s.summary());
            for z in &s.problems {
                say_finding(out, z, false);
            }
        }
    }
    problems_status(r.problems())
}

fn render_started(s: &Started, as_json: bool, out: &mut dyn Write) -> ExitStatus {
    match s {
        Started::AlreadyRunning { pid, port, boot_id } => {
            say!(
                out,
                "the gateway already runs (pid {pid}, port {port}, boot {})",
                boot_id.as_deref().unwrap_or("?")
            );
            ExitStatus::Success
        }
        Started::Supervised(c) => {
            render_supervised("started", c, as_json, out);
            problems_status(&c.problems)
        }
    }
}

fn render_stopped(s: &StopOutcome, as_json: bool, out: &mut dyn Write) {
    let (what, detail, report) = match s {
        StopOutcome::NotRunning { port, free } => {
            say!(
                out,
                "no gateway of this state dir is running (port {port} {})",
                if *free {
                    "is free"
                } else {
                    "is held by another process: see `clawkit ports`"
                }
            );
            return;
        }
        StopOutcome::Supervised { manager, report } => {
            ("stopped".to_string(), json!({"manager": manager}), report)
        }
        StopOutcome::Signalled { pid, how, report } => {
            (format!("pid {pid}: {how}"), json!({"pid": pid}), report)
        }
    };
    render_outcome(&what, detail, report, as_json, out);
}

fn render_outcome(
    what: &str,
    detail: serde_json::Value,
    report: &PortsReport,
    as_json: bool,
    out: &mut dyn Write,
) {
    if as_json {
        print_json(
            out,
            &json!({"schemaVersion": 1, "outcome": what, "detail": detail, "report": report}),
        );
    } else {
        say!(
            out,
            "{what}; port {} is {}",
            report.port,
            if report.ports.first().is_some_and(|r| r.owners.is_empty()) {
                "free"
            } else {
                "still held: see `clawkit ports`"
            }
        );
    }
}

fn render_status(target: &Target, s: &GatewayStatus, as_json: bool, out: &mut dyn Write) {
    if as_json {
        print_json(
            out,
            &json!({
                "schemaVersion": 1,
                "supervisor": s.supervisor.as_ref().map(|(m, st)| json!({"manager": m, "state": st})),
                "managerDetected": s.manager_detected,
                "gateway": s.gateway,
                "pid": s.process.as_ref().map(|p| p.pid),
                "ports": s.ports,
                "services": s.services,
                "findings": s.findings,
            }),
        );
        return;
    }
    say!(
        out,
        "Gateway for {}",
        target.paths.state_dir.value.display()
    );
    say_supervisor(s, out);
    match &s.process {
        Some(p) => say!(
            out,
            "  process     pid {} ({}), started {}",
            p.pid,
            p.user.clone().unwrap_or_default(),
            p.started_at_ms
                .map(|t| format!("{} UTC", clawkit_core::time::format_time_ms(t)))
                .unwrap_or("?".into())
        ),
        None => say!(
            out,
            "  process     no gateway of this state dir holds port {}",
            s.ports.port
        ),
    }
    say!(
        out,
        "  port        {} ({}){}",
        s.ports.port,
        s.ports.port_rule,
        match s.gateway.ready {
            Some(true) => ", /readyz ready",
            Some(false) => ", /readyz NOT ready",
            None => "",
        }
    );
    say!(
        out,
        "  handshake   {}{}{}{}",
        s.gateway.verdict.name(),
        s.gateway
            .version
            .as_deref()
            .map(|v| format!(", OpenClaw {v}"))
            .unwrap_or_default(),
        s.gateway
            .boot_id
            .as_deref()
            .map(|b| format!(", boot {b}"))
            .unwrap_or_default(),
        s.gateway
            .uptime_ms
            .map(|u| format!(", up {}", super::probe::human_duration(u)))
            .unwrap_or_default()
    );
    say!(
        out,
        "  services    {}",
        if s.services.is_empty() {
            "no service definition installed (`clawkit gateway install`)".to_string()
        } else {
            s.services
                .iter()
                .map(|v| v.definition.path.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        }
    );
    let shown: Vec<&Finding> = s
        .findings
        .iter()
        .filter(|f| f.severity > Severity::Ok)
        .collect();
    if !shown.is_empty() {
        say!(out, "");
    }
    for f in shown {
        say_finding(out, f, true);
    }
}

fn say_supervisor(s: &GatewayStatus, out: &mut dyn Write) {
    match &s.supervisor {
        Some((m, st)) => say!(
            out,
            "  supervisor  {:?} {}: {}{}",
            m,
            st.name,
            st.state,
            st.main_pid
                .map(|p| format!(", main pid {p}"))
                .unwrap_or_default()
        ),
        None => say!(
            out,
            "  supervisor  none ({})",
            match s.manager_detected {
                Some(m) => format!("{m:?} runs, but no gateway service is loaded"),
                None => "no service manager runs on this machine".into(),
            }
        ),
    }
}

fn render_installed(i: &Installed, as_json: bool, out: &mut dyn Write) {
    if as_json {
        print_json(
            out,
            &json!({"schemaVersion": 1, "ran": i.ran, "exitCode": i.exit_code, "openclawSaid": i.openclaw_said, "services": i.services, "findings": i.findings}),
        );
        return;
    }
    say!(
        out,
        "ran: {} → exit {}",
        i.ran,
        i.exit_code.map_or("?".into(), |c| c.to_string())
    );
    if let Some(said) = &i.openclaw_said {
        say!(out, "  openclaw said: {said}");
    }
    if i.services.is_empty() {
        say!(out, "  no service definition was written");
    }
    for f in &i.services {
        say!(out, "  service definition: {f}");
    }
    for f in &i.findings {
        say_finding(out, f, false);
    }
    if i.clean() && i.findings.is_empty() {
        say!(out, "  audit: clean");
    }
}
