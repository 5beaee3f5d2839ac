//! Auth failures in the gateway's log of the last 24 hours, grouped by client; those that stopped
//! (the client works now, or nothing failed in the last hour) are only information. Each
//! finding says, as a subject, which kind of client failed and on what.

use super::{Facts, Found};
use crate::doctor::subject::{ClientKind, Refusal, Subject};
use crate::doctor::{Check, Group};
use crate::finding::{Finding, Severity, codes};
use crate::gateway::Verdict;
use crate::logscan::{EventKind, Group as LogGroup, Report};

const TITLE: &str = "Auth failures in the gateway log, by client";

pub(super) fn check(f: &Facts) -> Check {
    let mut found = Found::default();
    match &f.log {
        None => found.push(Finding::new(
            codes::LOG_MISSING,
            Severity::Info,
            format!(
                "no gateway log at {} (nothing to read)",
                f.log_file
                    .as_ref()
                    .map_or("?".into(), |p| p.display().to_string())
            ),
        )),
        Some(Err(e)) => found.push(Finding::new(
            codes::LOG_UNREADABLE,
            Severity::Warning,
            e.clone(),
        )),
        Some(Ok(report)) => failures(f, report, &mut found),
    }
    found.into_check("log", Group::Log, TITLE)
}

/// One finding per group of auth failures, most frequent first; `log-clean` when none.
fn failures(f: &Facts, report: &Report, found: &mut Found) {
    let cli_works = f.cli.as_ref().is_some_and(|c| c.verdict.is_ok())
        || f.device_verdict.as_ref().is_some_and(Verdict::is_ok);
    let recent = f.now_ms - 3600 * 1000;
    let mut groups: Vec<_> = report
        .groups
        .iter()
        .filter(|g| g.key.kind == EventKind::AuthFailure)
        .collect();
    groups.sort_by_key(|g| std::cmp::Reverse(g.count));
    for g in groups {
        let client = ClientKind::of_log_client(&g.key.client);
        let settled =
            (client == ClientKind::Cli && cli_works) || g.last_ms.is_some_and(|t| t < recent);
        let subject = Subject::LogClient {
            client,
            refusal: Refusal::of_log_reason(&g.key.reason),
        };
        found.push_about(failure(g, client, settled), subject);
    }
    if found.is_empty() {
        found.push(Finding::new(
            codes::LOG_CLEAN,
            Severity::Ok,
            format!(
                "no auth failure in {} file(s) ({} bytes read)",
                report.files.len(),
                report.bytes
            ),
        ));
    }
}

fn failure(g: &LogGroup, client: ClientKind, settled: bool) -> Finding {
    let severity = if settled {
        Severity::Info
    } else {
        Severity::Warning
    };
    let peer = if g.key.peer.is_empty() {
        String::new()
    } else {
        format!(" at {}", g.key.peer)
    };
    Finding::new(
        codes::LOG_AUTH_FAILURES,
        severity,
        format!(
            "{}× `{}` from {} ({}){peer}{}",
            g.count,
            g.key.reason,
            client.words(),
            g.key.client,
            if settled { " (no longer failing)" } else { "" }
        ),
    )
    .evidence(format!(
        "first {}, last {} UTC",
        g.first_ms.map_or("?".into(), crate::time::format_time_ms),
        g.last_ms.map_or("?".into(), crate::time::format_time_ms)
    ))
}
