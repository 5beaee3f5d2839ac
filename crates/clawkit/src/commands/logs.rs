//! `clawkit logs`: what the gateway log says about auth failures, closes, pairing, starts and
//! stops, grouped by reason, client, device, peer and gateway port.

use super::{print_json, say};
use crate::cli::LogsArgs;
use crate::exit::ExitStatus;
use crate::settings::Settings;
use clawkit_core::catalog;
use clawkit_core::error::{Error, Result};
use clawkit_core::logscan::{self, EventKind, LogError, with_rotations};
use clawkit_core::time::{format_time_ms, local_date, parse_duration_ms};
use std::io::Write;
use std::time::Instant;

pub fn run(settings: &Settings, args: &LogsArgs, out: &mut dyn Write) -> Result<ExitStatus> {
    let file = match &args.file {
        Some(f) => f.clone(),
        None => {
            let config = settings.load_config()?;
            settings.paths.log_file(&config, &local_date()).value
        }
    };
    if !file.exists() {
        return Err(Error::Usage(format!(
            "{}: no such log file. The gateway writes one per day; pass another with --file, or check `logging.file` with `clawkit config path`",
            file.display()
        )));
    }
    let since_ms = match &args.since {
        Some(s) => {
            let d = parse_duration_ms(s).ok_or_else(|| {
                Error::Usage(format!(
                    "--since {s}: use a number and a unit, e.g. 90s, 30m, 2h, 7d"
                ))
            })?;
            Some(clawkit_core::time::now_ms() - d)
        }
        None => None,
    };
    let started = Instant::now();
    let report = logscan::scan_files(&with_rotations(&file), since_ms).map_err(|e| match e {
        LogError::Io { path, source } => Error::io(path, source),
    })?;
    let elapsed = started.elapsed();
    let problems = report.groups.iter().any(|g| {
        matches!(
            g.key.kind,
            EventKind::AuthFailure
                | EventKind::Close
                | EventKind::ProtocolMismatch
                | EventKind::StartFailure
        )
    });
    if args.json {
        let doc = serde_json::json!({"schemaVersion": 1, "report": report, "elapsedMs": elapsed.as_millis() as u64});
        print_json(out, &doc);
    } else {
        render(&report, elapsed, out);
    }
    Ok(if problems {
        ExitStatus::Problems
    } else {
        ExitStatus::Success
    })
}

fn render(report: &logscan::Report, elapsed: std::time::Duration, out: &mut dyn Write) {
    let names: Vec<String> = report
        .files
        .iter()
        .map(|f| f.display().to_string())
        .collect();
    say!(
        out,
        "scanned {} ({:.1} MB) in {} ms",
        names.join(", "),
        report.bytes as f64 / 1e6,
        elapsed.as_millis()
    );
    if report.groups.is_empty() {
        say!(
            out,
            "no auth failures, closes, pairing events, starts or stops found"
        );
        return;
    }
    let when = |ms: Option<i64>| ms.map_or_else(|| "-".to_string(), format_time_ms);
    let mut current = None;
    for g in &report.groups {
        if current != Some(g.key.kind) {
            current = Some(g.key.kind);
            let total: u64 = report
                .groups
                .iter()
                .filter(|x| x.key.kind == g.key.kind)
                .map(|x| x.count)
                .sum();
            say!(out, "\n{} ({total}):", g.key.kind.title());
            say!(
                out,
                "  {:>6}  {:<19}  {:<19}  {:<32}  {:<28}  {:<6}  {:<15}  {}",
                "count",
                "first (UTC)",
                "last (UTC)",
                "reason",
                "client",
                "device",
                "peer",
                "port"
            );
        }
        let device = match g.key.device {
            Some(true) => "yes",
            Some(false) => "no",
            None => "-",
        };
        say!(
            out,
            "  {:>6}  {:<19}  {:<19}  {:<32}  {:<28}  {:<6}  {:<15}  {}",
            g.count,
            when(g.first_ms),
            when(g.last_ms),
            g.key.reason,
            g.key.client,
            device,
            g.key.peer,
            g.key
                .gateway_port
                .map_or_else(|| "-".into(), |p| p.to_string())
        );
    }
    let reasons: Vec<&str> = report
        .groups
        .iter()
        .filter(|g| g.key.kind == EventKind::AuthFailure)
        .map(|g| g.key.reason.as_str())
        .collect();
    let mut explained = Vec::new();
    for reason in reasons {
        if let Some(hit) = catalog::scan(&format!("reason={reason} ")).first()
            && !explained.contains(&hit.entry.id)
        {
            explained.push(hit.entry.id);
            say!(out, "\n{reason}: {}", hit.entry.title);
            say!(out, "  more: clawkit explain '{}'", hit.entry.patterns[0]);
        }
    }
    if report.unparsed_lines > 0 {
        say!(
            out,
            "\n({} matching lines could not be parsed and were skipped)",
            report.unparsed_lines
        );
    }
}
