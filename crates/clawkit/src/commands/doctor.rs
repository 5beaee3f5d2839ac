//! `clawkit doctor [--dry-run | --fix [--yes]] [--json] [--report FILE]` and `clawkit undo`:
//! renders the diagnosis grouped as the flowchart, walks the fix plan step by step with a
//! journal, verifies, and writes the redacted support bundle.

use super::{print_json, read_given, runtime, say};
use crate::cli::{DoctorArgs, UndoArgs};
use crate::exit::ExitStatus;
use crate::settings::Settings;
use crate::term::{StepPrinter, TerminalApprover, interactive};
use clawkit_core::doctor::report::{self, document, previews, write_report};
use clawkit_core::doctor::run::{FixOptions, FixReport, context, fix};
use clawkit_core::doctor::supply::{examine_given, refused};
use clawkit_core::doctor::{Action, Diagnosis, Inputs, Phase, Step};
use clawkit_core::error::{Error, Result};
use clawkit_core::event::{Cancel, NullObserver, Observer};
use clawkit_core::finding::{Finding, Severity};
use clawkit_core::journal;
use clawkit_core::secret::Redactor;
use serde_json::{Value, json};
use std::io::Write;
use std::time::Duration;

pub fn run(
    settings: &Settings,
    args: &DoctorArgs,
    colour: bool,
    out: &mut dyn Write,
) -> Result<ExitStatus> {
    let inputs = Inputs {
        target: settings.target(),
        docker_dir: args.docker_dir.clone(),
        timeout: Duration::from_millis(args.timeout_ms),
    };
    let given = read_given(
        args.secret.token.as_deref(),
        args.secret.password.as_deref(),
    )?;
    let rt = runtime()?;
    let diagnosis = rt.block_on(examine_given(&inputs, &given))?;
    // Everything printed is redacted against every secret clawkit saw, line by line (so the
    // questions of --fix reach the terminal before the answer is read).
    let mut buf = Redacting {
        inner: out,
        redactor: report::redactor(&diagnosis),
        pending: Vec::new(),
    };
    let outcome = if args.fix {
        fix_run(args, colour, &rt, &inputs, diagnosis, &mut buf)
    } else {
        report_run(args, colour, &inputs, &diagnosis, &mut buf)
    };
    let _ = buf.flush();
    outcome
}

fn report_run(
    args: &DoctorArgs,
    colour: bool,
    inputs: &Inputs,
    diagnosis: &Diagnosis,
    out: &mut dyn Write,
) -> Result<ExitStatus> {
    let previews = if args.dry_run {
        previews(&diagnosis.steps, &context(inputs, diagnosis))
    } else {
        Vec::new()
    };
    let doc = document(diagnosis, &previews);
    if args.json {
        print_json(out, &doc);
    } else {
        let view = if args.dry_run {
            View::DryRun
        } else {
            View::Report
        };
        render(diagnosis, &previews, view, colour, out);
    }
    if let Some(path) = &args.report {
        write_report(path, diagnosis, &doc)?;
        if !args.json {
            say!(
                out,
                "report: {} (redacted; safe to attach to a public issue)",
                path.display()
            );
        }
    }
    Ok(healthy_or_problems(diagnosis))
}

fn healthy_or_problems(d: &Diagnosis) -> ExitStatus {
    if d.healthy() {
        ExitStatus::Success
    } else {
        ExitStatus::Problems
    }
}

/// A writer that passes whole lines through the run's redactor.
struct Redacting<'a> {
    inner: &'a mut dyn Write,
    redactor: Redactor,
    pending: Vec<u8>,
}

impl Redacting<'_> {
    fn emit(&mut self, upto: usize) -> std::io::Result<()> {
        let chunk: Vec<u8> = self.pending.drain(..upto).collect();
        self.inner.write_all(
            self.redactor
                .redact(&String::from_utf8_lossy(&chunk))
                .as_bytes(),
        )
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

fn mark(s: Severity, colour: bool) -> String {
    use anstyle::{AnsiColor, Style};
    let (text, style) = match s {
        Severity::Ok => (
            "ok   ",
            Style::new().fg_color(Some(AnsiColor::Green.into())),
        ),
        Severity::Info => ("info ", Style::new().fg_color(Some(AnsiColor::Cyan.into()))),
        Severity::Warning => (
            "warn ",
            Style::new().fg_color(Some(AnsiColor::Yellow.into())),
        ),
        Severity::Error => (
            "ERROR",
            Style::new().bold().fg_color(Some(AnsiColor::Red.into())),
        ),
    };
    if colour {
        format!("{style}{text}{style:#}")
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

fn render(
    d: &Diagnosis,
    previews: &[Option<String>],
    view: View,
    colour: bool,
    out: &mut dyn Write,
) {
    say!(
        out,
        "clawkit doctor: {} (config {})",
        d.facts.paths.state_dir.value.display(),
        d.facts.paths.config_path.value.display()
    );
    if let Some(t) = &d.facts.topology {
        say!(out, "the CLI's gateway: {}", t.describe());
    }
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
            // What the summary already says (an unexplained failure is its own line) is not
            // said twice.
            let explains: Vec<&str> = c
                .explains
                .iter()
                .map(String::as_str)
                .filter(|e| !c.summary.contains(e))
                .collect();
            if !explains.is_empty() {
                say!(out, "       explains: {}", explains.join("; "));
            }
        }
    }
    if let Some(s) = &d.supplied {
        say_supplied(s, out);
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

/// The gateway's verdict on the secret the user gave, by fingerprint.
fn say_supplied(s: &clawkit_core::probe::GivenChecked, out: &mut dyn Write) {
    let what = format!("the {} you gave ({})", s.kind, s.secret.fingerprint());
    if s.accepted {
        say!(
            out,
            "\nGiven secret\n  {what}: accepted by the gateway at {}; the plan uses it",
            s.url
        );
    } else {
        say!(
            out,
            "\nGiven secret\n  {what}: refused by the gateway at {}: {}{}; the plan does not use it",
            s.url,
            s.verdict.name(),
            s.verdict
                .message()
                .map(|m| format!(" ({m})"))
                .unwrap_or_default()
        );
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

fn fix_run(
    args: &DoctorArgs,
    colour: bool,
    rt: &tokio::runtime::Runtime,
    inputs: &Inputs,
    diagnosis: Diagnosis,
    out: &mut dyn Write,
) -> Result<ExitStatus> {
    // A given secret the gateway refused: nothing is written, whatever else the plan says.
    if let Some(refusal) = refused(&diagnosis) {
        return Err(refusal.into());
    }
    let changes = diagnosis.steps.iter().filter(|s| s.is_change()).count();
    if changes == 0 {
        if args.json {
            print_json(out, &document(&diagnosis, &[]));
        } else {
            render(&diagnosis, &[], View::Report, colour, out);
            if !diagnosis.healthy() {
                say!(
                    out,
                    "nothing clawkit can change here: the steps above are yours"
                );
            }
        }
        return Ok(healthy_or_problems(&diagnosis));
    }
    let interactive = interactive();
    if !args.yes && !interactive {
        return Err(Error::Usage(format!(
            "the fix plan has {changes} step(s) that change this machine and standard input is not a terminal to confirm them: run `clawkit doctor --dry-run` to see them, then `clawkit doctor --fix --yes`"
        )));
    }
    if !args.json {
        render(&diagnosis, &[], View::Fixing, colour, out);
        say!(out, "\nApplying the fix plan");
    }
    let _ = out.flush();
    let opts = FixOptions {
        approve_repairs: args.approve_repairs,
        wait: Duration::from_secs(args.wait_secs),
        who: format!("clawkit doctor --fix, pid {}", std::process::id()),
    };
    let mut approver = TerminalApprover {
        assume_yes: args.yes,
        interactive,
    };
    let mut printer = StepPrinter {
        redactor: report::redactor(&diagnosis),
    };
    let observer: &mut dyn Observer = if args.json {
        &mut NullObserver
    } else {
        &mut printer
    };
    let cancel = Cancel::new();
    let done = rt.block_on(fix(
        inputs,
        &diagnosis,
        &opts,
        observer,
        &mut approver,
        &cancel,
    ))?;
    if args.json {
        let mut doc = document(&diagnosis, &[]);
        doc["fix"] = fix_json(&done);
        print_json(out, &doc);
    } else {
        render_after(&done, colour, out);
    }
    if let Some(path) = &args.report {
        write_report(path, &done.after, &document(&done.after, &[]))?;
    }
    Ok(if done.healed() {
        ExitStatus::Fixed
    } else {
        ExitStatus::Problems
    })
}

fn fix_json(done: &FixReport) -> Value {
    json!({
        "journal": done.journal_id, "journalPath": done.journal_path, "steps": done.steps,
        "stoppedAt": done.stopped_at.as_ref().map(|(n, m)| json!({"step": n, "reason": m})),
        "after": document(&done.after, &[]),
    })
}

fn render_after(done: &FixReport, colour: bool, out: &mut dyn Write) {
    if let Some((n, msg)) = &done.stopped_at {
        say!(out, "step {n} FAILED: {msg}");
        say!(
            out,
            "stopped there: steps before it are done, nothing after it was attempted"
        );
    }
    say!(out, "\nAfter the fix");
    let after = &done.after;
    for c in &after.checks {
        for f in c
            .findings
            .iter()
            .filter(|f| f.severity >= Severity::Warning)
        {
            say_finding(out, f, colour);
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
        done.journal_path.display(),
        done.journal_id
    );
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
                        clawkit_core::time::format_time_ms(j.started_at_ms),
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
    let report = journal::undo(state_dir, args.id.as_deref())?;
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
