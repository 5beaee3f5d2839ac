//! Auth failures in the gateway's log of the last 24 hours that reached this gateway's port (the
//! default log is shared by every gateway on the host), one per reason and client; those that stopped
//! (the client works now, or nothing failed in the last hour) are only information. Each
//! finding says, as a subject, which kind of client failed and on what.

use super::{Facts, Found, elsewhere, in_container};
use crate::doctor::subject::{ClientKind, Refusal, Subject};
use crate::doctor::{Check, Group};
use crate::finding::{Finding, Severity, codes};
use crate::gateway::Verdict;
use crate::logscan::{EventKind, GatewayShare, Group as LogGroup, Report, share_of};

const TITLE: &str = "Auth failures in the gateway log, by client";

pub(super) fn check(f: &Facts) -> Check {
    let mut found = Found::default();
    if elsewhere(f).is_some() {
        found.push(
            Finding::new(
                codes::LOG_ELSEWHERE,
                Severity::Info,
                "the gateway writes its log on its host: this machine's log is another gateway's",
            )
            .next("on the gateway host: clawkit logs --since 1h"),
        );
        return found.into_check("log", Group::Log, TITLE);
    }
    if in_container(f) {
        found.push(
            Finding::new(
                codes::LOG_ELSEWHERE,
                Severity::Info,
                "the gateway runs in a container and logs inside it: this machine's log is another gateway's",
            )
            .next("docker compose logs --since 1h openclaw-gateway (or docker logs <container>)"),
        );
        return found.into_check("log", Group::Log, TITLE);
    }
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

/// One finding per reason and client of this gateway's auth failures, most frequent first;
/// `log-other-gateways` when other gateways' failures share the file; `log-clean` when none
/// is this gateway's.
fn failures(f: &Facts, report: &Report, found: &mut Found) {
    let cli_works = f.cli.as_ref().is_some_and(|c| c.verdict.is_ok())
        || f.device_verdict.as_ref().is_some_and(Verdict::is_ok);
    let recent = f.now_ms - 3600 * 1000;
    let port = f.ports.as_ref().map(|p| p.port);
    let share = share_of(&report.groups, EventKind::AuthFailure, port);
    for g in &share.groups {
        let client = ClientKind::of_log_client(&g.key.client);
        let settled =
            (client == ClientKind::Cli && cli_works) || g.last_ms.is_some_and(|t| t < recent);
        let subject = Subject::LogClient {
            client,
            refusal: Refusal::of_log_reason(&g.key.reason),
        };
        let on_port = port.filter(|_| share.shared());
        found.push_about(failure(g, client, settled, on_port), subject);
    }
    if share.others > 0 {
        found.push(others(&share));
    }
    if share.groups.is_empty() {
        found.push(Finding::new(
            codes::LOG_CLEAN,
            Severity::Ok,
            format!(
                "no auth failure of this gateway in {} file(s) ({} bytes read)",
                report.files.len(),
                report.bytes
            ),
        ));
    }
}

/// The other gateways' failures, counted but not this gateway's problem.
fn others(share: &GatewayShare) -> Finding {
    let ports: Vec<String> = share.ports.iter().map(u16::to_string).collect();
    Finding::new(
        codes::LOG_OTHER_GATEWAYS,
        Severity::Info,
        format!(
            "{} auth failure(s) in this log reached other gateways (the file is shared by gateways on ports {}); they are not counted here",
            share.others,
            ports.join(", ")
        ),
    )
}

fn failure(g: &LogGroup, client: ClientKind, settled: bool, port: Option<u16>) -> Finding {
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
    let on_port = port.map_or(String::new(), |p| format!(" on port {p}"));
    Finding::new(
        codes::LOG_AUTH_FAILURES,
        severity,
        format!(
            "{}× `{}` from {} ({}){peer}{on_port}{}",
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
