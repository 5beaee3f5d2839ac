//! `clawkit doctor [--dry-run | --fix [--yes]] [--json] [--report FILE]` and `clawkit undo`:
//! renders the diagnosis grouped as the flowchart, walks the fix plan step by step with a
//! journal, verifies, and writes the redacted support bundle.

use super::{confirm, print_json, say};
use crate::cli::{DoctorArgs, GatewayCommand, ServiceArgs, UndoArgs};
use crate::doctor::fix::{self, Context};
use crate::doctor::journal::{self, Journal};
use crate::doctor::{self, Action, Diagnosis, Inputs, Phase, SCHEMA_VERSION, Step};
use crate::error::{Error, Result};
use crate::exit::ExitStatus;
use crate::finding::{Finding, Severity};
use crate::gateway::Verdict;
use crate::host::Host;
use crate::host::runner::SystemRunner;
use crate::openclaw::auth::{AuthMode, Secret};
use crate::service::Manager;
use crate::settings::Settings;
use serde_json::{Value, json};
use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

pub fn run(settings: &Settings, args: &DoctorArgs, out: &mut dyn Write) -> Result<ExitStatus> {
    let host = crate::host::system();
    let rt = super::runtime()?;
    let manager = Manager::detect(&SystemRunner);
    let supervisor = manager.and_then(|m| m.main_pid(&SystemRunner, &settings.paths));
    let inputs = Inputs {
        paths: &settings.paths,
        env: &settings.env,
        host: host.as_ref(),
        manager,
        supervisor,
        docker_dir: args.docker_dir.clone(),
        timeout: Duration::from_millis(args.timeout_ms),
    };
    let diagnosis = rt.block_on(doctor::examine(&inputs));
    let secrets: Vec<Secret> = diagnosis.facts.secrets().into_iter().cloned().collect();
    let ctx = context(settings, host.as_ref(), &diagnosis, args);

    // Everything printed is redacted against every secret clawkit saw, line by line (so the
    // questions of --fix reach the terminal before the answer is read).
    let mut buf = Redacting {
        inner: out,
        secrets: secrets.clone(),
        pending: Vec::new(),
    };
    let outcome = if args.fix {
        fix_run(settings, args, &rt, &inputs, &ctx, diagnosis, &mut buf)
    } else {
        let previews = if args.dry_run {
            previews(&diagnosis.steps, &ctx)
        } else {
            Vec::new()
        };
        let doc = document(&diagnosis, &previews);
        if args.json {
            print_json(&mut buf, &doc);
        } else {
            let view = if args.dry_run {
                View::DryRun
            } else {
                View::Report
            };
            render(&diagnosis, &previews, view, &mut buf);
        }
        if let Some(path) = &args.report {
            write_report(path, &diagnosis, &doc, &secrets)?;
            if !args.json {
                say!(
                    &mut buf,
                    "report: {} (redacted; safe to attach to a public issue)",
                    path.display()
                );
            }
        }
        Ok(if diagnosis.healthy() {
            ExitStatus::Success
        } else {
            ExitStatus::Problems
        })
    };
    let _ = buf.flush();
    outcome
}

/// A writer that passes whole lines through [`fix::redact`].
struct Redacting<'a> {
    inner: &'a mut dyn Write,
    secrets: Vec<Secret>,
    pending: Vec<u8>,
}

impl Redacting<'_> {
    fn emit(&mut self, upto: usize) -> std::io::Result<()> {
        let chunk: Vec<u8> = self.pending.drain(..upto).collect();
        let refs: Vec<&Secret> = self.secrets.iter().collect();
        self.inner
            .write_all(fix::redact(&String::from_utf8_lossy(&chunk), &refs).as_bytes())
    }
}

impl Write for Redacting<'_> {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.pending.extend_from_slice(data);
        if let Some(last) = self.pending.iter().rposition(|b| *b == b'\n') {
            self.emit(last + 1)?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.emit(self.pending.len())?;
        self.inner.flush()
    }
}

fn context<'a>(
    settings: &'a Settings,
    host: &'a dyn Host,
    d: &Diagnosis,
    args: &DoctorArgs,
) -> Context<'a> {
    // Without a readable config nothing is planned that connects.
    let url = d
        .facts
        .config
        .as_ref()
        .map(|c| settings.paths.local_url(c, &settings.env))
        .unwrap_or_default();
    Context {
        paths: &settings.paths,
        env: &settings.env,
        host,
        url,
        auth_mode: d
            .facts
            .gateway_side
            .as_ref()
            .map_or(AuthMode::Token, |g| g.creds.mode.clone()),
        timeout: Duration::from_millis(args.timeout_ms),
    }
}

fn previews(steps: &[Step], ctx: &Context<'_>) -> Vec<Option<String>> {
    steps
        .iter()
        .map(|s| match fix::preview(s, ctx) {
            Ok(d) => d,
            Err(e) => Some(format!("(cannot preview: {e})\n")),
        })
        .collect()
}

fn colour() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

fn mark(s: Severity, colour: bool) -> String {
    let (text, code) = match s {
        Severity::Ok => ("ok   ", "32"),
        Severity::Info => ("info ", "36"),
        Severity::Warning => ("warn ", "33"),
        Severity::Error => ("ERROR", "1;31"),
    };
    if colour {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_string()
    }
}

fn say_finding(out: &mut dyn Write, f: &Finding, colour: bool) {
    say!(
        out,
        "  {} [{}] {}",
        mark(f.severity, colour),
        f.code,
        f.summary
    );
    if f.severity >= Severity::Warning {
        for e in &f.evidence {
            say!(out, "          {e}");
        }
    }
}

fn step_line(n: usize, s: &Step) -> String {
    let how = match &s.action {
        Action::Manual { command } => format!("\n          $ {command}"),
        _ => String::new(),
    };
    format!(
        "  {n}. [{}] {}{}{how}",
        phase_word(s.phase),
        s.title,
        if matches!(s.action, Action::Approve { .. }) {
            " (needs --approve-repairs or a yes on the terminal)"
        } else {
            ""
        }
    )
}

fn phase_word(p: Phase) -> &'static str {
    match p {
        Phase::StopProcesses => "stop",
        Phase::Config => "config",
        Phase::AlignSecret => "align secret",
        Phase::Service => "service",
        Phase::Restart => "restart",
        Phase::RefreshDevice => "device token",
        Phase::Approve => "approve",
        Phase::Verify => "verify",
        Phase::Manual => "manual",
    }
}

/// What the report is printed for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum View {
    Report,
    DryRun,
    /// Before `--fix` applies the plan (no "run --fix" hint).
    Fixing,
}

fn render(d: &Diagnosis, previews: &[Option<String>], view: View, out: &mut dyn Write) {
    let colour = colour();
    say!(
        out,
        "clawkit doctor: {} (config {})",
        d.facts.paths.state_dir.value.display(),
        d.facts.paths.config_path.value.display()
    );
    let mut group = None;
    for c in &d.checks {
        if group != Some(c.group) {
            say!(out, "\n{}", c.group.title());
            group = Some(c.group);
        }
        for f in &c.findings {
            say_finding(out, f, colour);
        }
    }
    render_conclusions(d, previews, view, out);
}

fn render_conclusions(d: &Diagnosis, previews: &[Option<String>], view: View, out: &mut dyn Write) {
    let dry_run = view == View::DryRun;
    if !d.causes.is_empty() {
        say!(out, "\nRoot causes, most fundamental first");
        for c in &d.causes {
            say!(out, "  {}. [{}] {}", c.rank, c.code, c.summary);
            for e in &c.evidence {
                say!(out, "       {e}");
            }
            if !c.explains.is_empty() {
                say!(out, "       explains: {}", c.explains.join("; "));
            }
        }
    }
    if !d.steps.is_empty() {
        say!(
            out,
            "\nFix plan{}",
            if dry_run {
                " (dry run: nothing is changed)"
            } else {
                ""
            }
        );
        for (i, s) in d.steps.iter().enumerate() {
            say!(out, "{}", step_line(i + 1, s));
            if let Some(Some(diff)) = previews.get(i) {
                for line in diff.lines() {
                    say!(out, "       {line}");
                }
            }
        }
    }
    let (errors, warnings) = count(d);
    if d.healthy() {
        say!(out, "\nhealthy: no problem found");
    } else {
        say!(out, "\n{errors} error(s), {warnings} warning(s)");
        if d.steps.iter().any(Step::is_change) && view == View::Report {
            say!(
                out,
                "next: clawkit doctor --fix   # asks before each step; --dry-run shows the diffs first"
            );
        }
    }
}

fn count(d: &Diagnosis) -> (usize, usize) {
    let all = d.checks.iter().flat_map(|c| c.findings.iter());
    let errors = all
        .clone()
        .filter(|f| f.severity == Severity::Error)
        .count();
    let warnings = all.filter(|f| f.severity == Severity::Warning).count();
    (errors, warnings)
}

fn step_json(n: usize, s: &Step, preview: Option<&Option<String>>) -> Value {
    let (file, command) = match &s.action {
        Action::ConfigSet { key, secret } => (
            None,
            Some(format!(
                "clawkit config set {key} <the gateway's secret, {}>",
                secret.fingerprint()
            )),
        ),
        Action::ConfigUnset { key } => (None, Some(format!("clawkit config unset {key}"))),
        Action::FileSecret { file, .. } | Action::FileReplace { file, .. } => {
            (Some(file.display().to_string()), None)
        }
        Action::Chmod { path, .. } => (Some(path.display().to_string()), None),
        Action::StopProcess { pid } => (None, Some(format!("stop pid {pid}"))),
        Action::Approve { request_id, .. } => (None, Some(format!("approve {request_id}"))),
        Action::Manual { command } => (None, Some(command.clone())),
        _ => (None, None),
    };
    json!({
        "n": n, "phase": s.phase, "kind": s.kind(), "title": s.title, "fixes": s.fixes,
        "file": file, "command": command, "diff": preview.cloned().flatten(),
    })
}

fn document(d: &Diagnosis, previews: &[Option<String>]) -> Value {
    let f = &d.facts;
    json!({
        "schemaVersion": SCHEMA_VERSION,
        "clawkit": env!("CARGO_PKG_VERSION"),
        "stateDir": f.paths.state_dir.value,
        "configPath": f.paths.config_path.value,
        "healthy": d.healthy(),
        "worst": d.worst(),
        "versions": {"cli": f.cli_version(), "gateway": f.gateway_version()},
        "checks": d.checks.iter().map(|c| json!({
            "id": c.id, "group": c.group, "title": c.title, "worst": c.worst(), "findings": c.findings,
        })).collect::<Vec<_>>(),
        "causes": d.causes,
        "plan": d.steps.iter().enumerate().map(|(i, s)| step_json(i + 1, s, previews.get(i))).collect::<Vec<_>>(),
    })
}

/// The support bundle: the JSON document plus the masked config, every secret as a
/// fingerprint, written atomically with mode 0600.
fn write_report(
    path: &std::path::Path,
    d: &Diagnosis,
    doc: &Value,
    secrets: &[Secret],
) -> Result<()> {
    let refs: Vec<&Secret> = secrets.iter().collect();
    let config_text = std::fs::read_to_string(&d.facts.paths.config_path.value).ok();
    let mut bundle = doc.clone();
    bundle["report"] = json!({
        "generatedAt": crate::time::format_time_ms(crate::time::now_ms()),
        "os": std::env::consts::OS,
        "maskedConfig": config_text.map(|t| fix::redact(&t, &refs)),
        "note": "secrets appear only as sha256 fingerprints",
    });
    let text = fix::redact(
        &serde_json::to_string_pretty(&bundle).unwrap_or_default(),
        &refs,
    );
    crate::fsx::write_atomic(path, text.as_bytes(), 0o600)
        .map_err(|e| Error::Usage(format!("cannot write the report: {e}")))
}

fn fix_run(
    settings: &Settings,
    args: &DoctorArgs,
    rt: &tokio::runtime::Runtime,
    inputs: &Inputs<'_>,
    ctx: &Context<'_>,
    diagnosis: Diagnosis,
    out: &mut dyn Write,
) -> Result<ExitStatus> {
    let steps: Vec<&Step> = diagnosis.steps.iter().filter(|s| s.is_change()).collect();
    if steps.is_empty() {
        if args.json {
            print_json(out, &document(&diagnosis, &[]));
        } else {
            render(&diagnosis, &[], View::Report, out);
            if !diagnosis.healthy() {
                say!(
                    out,
                    "nothing clawkit can change here: the steps above are yours"
                );
            }
        }
        return Ok(if diagnosis.healthy() {
            ExitStatus::Success
        } else {
            ExitStatus::Problems
        });
    }
    let interactive = std::io::stdin().is_terminal();
    if !args.yes && !interactive {
        return Err(Error::Usage(format!(
            "the fix plan has {} step(s) that change this machine and standard input is not a terminal to confirm them: run `clawkit doctor --dry-run` to see them, then `clawkit doctor --fix --yes`",
            steps.len()
        )));
    }
    if !args.json {
        render(&diagnosis, &[], View::Fixing, out);
        say!(out, "\nApplying the fix plan");
    }
    let state_dir = settings.paths.state_dir.value.clone();
    let mut journal = Journal::begin(&state_dir).map_err(|e| Error::Usage(e.to_string()))?;
    let mut results: Vec<Value> = Vec::new();
    let mut failed: Option<(usize, String)> = None;
    let total = steps.len();
    let mut gateway_was_up = diagnosis.facts.gateway.is_some();
    for (i, step) in steps.iter().enumerate() {
        let n = i + 1;
        if !args.json {
            say!(out, "step {n}/{total}: {}", step.title);
            if let Ok(Some(diff)) = fix::preview(step, ctx) {
                for line in diff.lines() {
                    say!(out, "    {line}");
                }
            }
        }
        let is_approval = matches!(step.action, Action::Approve { .. });
        let go = if is_approval && !args.approve_repairs {
            if interactive {
                confirm(
                    out,
                    "  approve this request? It grants the device the access it asks for",
                ) == Some(true)
            } else {
                false
            }
        } else if args.yes {
            true
        } else {
            confirm(out, "  apply this step?") == Some(true)
        };
        let record = |status: &str, message: &str| json!({"n": n, "title": step.title, "kind": step.kind(), "status": status, "message": message});
        if !go {
            let why = if is_approval {
                "skipped: approving needs --approve-repairs"
            } else {
                "skipped"
            };
            journal
                .start_step(n, &step.title, step.kind())
                .map_err(|e| Error::Usage(e.to_string()))?;
            journal
                .finish_step("skipped", Some(why.into()))
                .map_err(|e| Error::Usage(e.to_string()))?;
            if !args.json {
                say!(out, "  {why}");
            }
            results.push(record("skipped", why));
            continue;
        }
        journal
            .start_step(n, &step.title, step.kind())
            .map_err(|e| Error::Usage(e.to_string()))?;
        let outcome = match &step.action {
            Action::Restart => restart(settings, args, &mut journal, out),
            Action::Reload => reload(),
            _ => rt.block_on(fix::apply(step, ctx, &mut journal)),
        };
        match outcome {
            Ok(msg) => {
                journal
                    .finish_step("done", Some(msg.clone()))
                    .map_err(|e| Error::Usage(e.to_string()))?;
                if !args.json {
                    say!(out, "  done: {msg}");
                }
                results.push(record("done", &msg));
            }
            Err(msg) => {
                journal
                    .finish_step("failed", Some(msg.clone()))
                    .map_err(|e| Error::Usage(e.to_string()))?;
                results.push(record("failed", &msg));
                failed = Some((n, msg));
                break;
            }
        }
        if matches!(step.action, Action::StopProcess { .. }) {
            gateway_was_up = false;
        }
    }
    journal
        .finish(if failed.is_some() { "failed" } else { "done" })
        .map_err(|e| Error::Usage(e.to_string()))?;

    // Verify: look again, giving a gateway that reloads or restarts time to come back.
    let after = verify(
        rt,
        inputs,
        gateway_was_up,
        Duration::from_secs(args.wait_secs),
    );
    let healed = after.healthy() && failed.is_none();
    if args.json {
        let mut doc = document(&diagnosis, &[]);
        doc["fix"] = json!({
            "journal": journal.id, "journalPath": journal.path(), "steps": results,
            "stoppedAt": failed.as_ref().map(|(n, m)| json!({"step": n, "reason": m})),
            "after": document(&after, &[]),
        });
        print_json(out, &doc);
    } else {
        if let Some((n, msg)) = &failed {
            say!(out, "step {n} FAILED: {msg}");
            say!(
                out,
                "stopped there: steps before it are done, nothing after it was attempted"
            );
        }
        say!(out, "\nAfter the fix");
        for c in &after.checks {
            for f in c
                .findings
                .iter()
                .filter(|f| f.severity >= Severity::Warning)
            {
                say_finding(out, f, colour());
            }
        }
        let manual: Vec<&Step> = after
            .steps
            .iter()
            .filter(|s| !s.is_change() && s.phase == Phase::Manual)
            .collect();
        if !manual.is_empty() {
            say!(out, "still yours to do:");
            for (i, s) in manual.iter().enumerate() {
                say!(out, "{}", step_line(i + 1, s));
            }
        }
        say!(
            out,
            "{}",
            if after.healthy() {
                "healthy: the CLI and this device are accepted"
            } else {
                "problems remain (above)"
            }
        );
        say!(
            out,
            "journal: {}   (undo: clawkit undo {})",
            journal.path().display(),
            journal.id
        );
    }
    if let Some(path) = &args.report {
        let secrets: Vec<Secret> = after.facts.secrets().into_iter().cloned().collect();
        write_report(path, &after, &document(&after, &[]), &secrets)?;
    }
    Ok(if healed {
        ExitStatus::Fixed
    } else {
        ExitStatus::Problems
    })
}

fn reload() -> std::result::Result<String, String> {
    use crate::host::runner::CommandRunner;
    let out = SystemRunner
        .run(
            "systemctl",
            &["--user", "daemon-reload"],
            &[],
            Duration::from_secs(30),
        )
        .map_err(|e| format!("systemctl: {e}"))?;
    if out.success() {
        Ok("systemd re-read the units".into())
    } else {
        Err(format!(
            "systemctl --user daemon-reload failed: {}",
            out.stderr.trim()
        ))
    }
}

fn restart(
    settings: &Settings,
    args: &DoctorArgs,
    journal: &mut Journal,
    out: &mut dyn Write,
) -> std::result::Result<String, String> {
    journal
        .record(crate::doctor::journal::Change::Irreversible {
            what: "restarted the gateway".into(),
        })
        .map_err(|e| e.to_string())?;
    let cmd = GatewayCommand::Restart(ServiceArgs {
        wait_secs: args.wait_secs,
        json: false,
    });
    let mut sub: Vec<u8> = Vec::new();
    let status =
        super::gateway_service::run(settings, &cmd, &mut sub).map_err(|e| e.to_string())?;
    if !args.json {
        for line in String::from_utf8_lossy(&sub).lines() {
            say!(out, "    {line}");
        }
    }
    match status {
        ExitStatus::Success | ExitStatus::Fixed => Ok("gateway restarted and ready".into()),
        _ => Err("the gateway did not come back ready (see above)".into()),
    }
}

/// Examines again until the gateway is past restarting (when it was running), at most `wait`.
fn verify(
    rt: &tokio::runtime::Runtime,
    inputs: &Inputs<'_>,
    gateway_was_up: bool,
    wait: Duration,
) -> Diagnosis {
    let deadline = Instant::now() + wait;
    loop {
        let d = rt.block_on(doctor::examine(inputs));
        let transient = |v: Option<&Verdict>| {
            v.is_some_and(|v| {
                matches!(
                    v,
                    Verdict::Starting { .. } | Verdict::ConnectionRefused { .. }
                )
            })
        };
        let settling = gateway_was_up
            && (transient(d.facts.cli.as_ref().map(|c| &c.verdict))
                || transient(d.facts.device_verdict.as_ref()));
        if !settling || Instant::now() >= deadline {
            return d;
        }
        std::thread::sleep(Duration::from_millis(500));
    }
}

pub fn undo(settings: &Settings, args: &UndoArgs, out: &mut dyn Write) -> Result<ExitStatus> {
    let state_dir = &settings.paths.state_dir.value;
    if args.list {
        let runs = journal::list(state_dir);
        if args.json {
            let items: Vec<Value> = runs
                .iter()
                .map(|r| match r {
                    Ok(j) => json!({"id": j.id, "status": j.status, "startedAt": j.started_at_ms, "steps": j.steps}),
                    Err(e) => json!({"error": e.to_string()}),
                })
                .collect();
            print_json(out, &json!({"schemaVersion": 1, "runs": items}));
        } else if runs.is_empty() {
            say!(
                out,
                "no fix run recorded under {}",
                journal::journal_dir(state_dir).display()
            );
        } else {
            for r in &runs {
                match r {
                    Ok(j) => say!(
                        out,
                        "{}  {:<7} {} UTC  {} step(s): {}",
                        j.id,
                        j.status,
                        crate::time::format_time_ms(j.started_at_ms),
                        j.steps.len(),
                        j.steps
                            .iter()
                            .map(|s| format!("{} ({})", s.kind, s.status))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    Err(e) => say!(out, "unreadable: {e}"),
                }
            }
        }
        return Ok(ExitStatus::Success);
    }
    let report =
        journal::undo(state_dir, args.id.as_deref()).map_err(|e| Error::Usage(e.to_string()))?;
    if args.json {
        print_json(out, &json!({"schemaVersion": 1, "undo": report}));
    } else {
        say!(out, "undid fix run {}", report.id);
        for r in &report.restored {
            say!(out, "  restored: {r}");
        }
        for r in &report.not_reverted {
            say!(out, "  not reverted: {r}");
        }
        for r in &report.failed {
            say!(out, "  FAILED: {r}");
        }
        if !report.not_reverted.is_empty() {
            say!(
                out,
                "a restart or a stopped process cannot be taken back; run `clawkit doctor` to see where things stand"
            );
        }
    }
    Ok(if report.failed.is_empty() {
        ExitStatus::Success
    } else {
        ExitStatus::Problems
    })
}
