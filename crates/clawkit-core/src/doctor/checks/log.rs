//! Auth failures in the gateway's log of the last 24 hours, grouped by client; those that stopped
//! (the client works now, or nothing failed in the last hour) are only information.

use super::Facts;
use crate::doctor::{Check, Group};
use crate::finding::{Finding, Severity, codes};
use crate::gateway::Verdict;

/// Who a log client id is, in words.
fn client_label(client: &str) -> String {
    let id = client.split('/').next().unwrap_or(client);
    let what = match id {
        "cli" => "the openclaw CLI",
        "openclaw-control-ui" | "webchat-ui" | "webchat" => "the Control UI (a browser)",
        "openclaw-probe" => "a gateway probe",
        "node-host" | "openclaw-node" | "node" => "a device node",
        "openclaw-macos" | "openclaw-ios" | "openclaw-android" => "a companion app",
        _ => "a client",
    };
    format!("{what} ({client})")
}

pub(super) fn check(f: &Facts) -> Check {
    let mut v = Vec::new();
    let title = "Auth failures in the gateway log, by client";
    let Some(result) = &f.log else {
        v.push(Finding::new(
            codes::LOG_MISSING,
            Severity::Info,
            format!(
                "no gateway log at {} (nothing to read)",
                f.log_file
                    .as_ref()
                    .map_or("?".into(), |p| p.display().to_string())
            ),
        ));
        return Check::new("log", Group::Log, title, v);
    };
    let report = match result {
        Ok(r) => r,
        Err(e) => {
            v.push(Finding::new(
                codes::LOG_UNREADABLE,
                Severity::Warning,
                e.clone(),
            ));
            return Check::new("log", Group::Log, title, v);
        }
    };
    let cli_ok = f.cli.as_ref().is_some_and(|c| c.verdict.is_ok())
        || f.device_verdict.as_ref().is_some_and(Verdict::is_ok);
    let recent = f.now_ms - 3600 * 1000;
    let mut groups: Vec<_> = report
        .groups
        .iter()
        .filter(|g| g.key.kind == crate::logscan::EventKind::AuthFailure)
        .collect();
    groups.sort_by_key(|g| std::cmp::Reverse(g.count));
    for g in groups {
        let is_cli = g.key.client.starts_with("cli/");
        let settled = (is_cli && cli_ok) || g.last_ms.is_some_and(|t| t < recent);
        v.push(
            Finding::new(
                codes::LOG_AUTH_FAILURES,
                if settled {
                    Severity::Info
                } else {
                    Severity::Warning
                },
                format!(
                    "{}× `{}` from {}{}{}",
                    g.count,
                    g.key.reason,
                    client_label(&g.key.client),
                    if g.key.peer.is_empty() {
                        String::new()
                    } else {
                        format!(" at {}", g.key.peer)
                    },
                    if settled { " (no longer failing)" } else { "" }
                ),
            )
            .evidence(format!(
                "first {}, last {} UTC",
                g.first_ms
                    .map_or("?".into(), crate::logscan::format_time_ms),
                g.last_ms.map_or("?".into(), crate::logscan::format_time_ms)
            )),
        );
    }
    if v.is_empty() {
        v.push(Finding::new(
            codes::LOG_CLEAN,
            Severity::Ok,
            format!(
                "no auth failure in {} file(s) ({} bytes read)",
                report.files.len(),
                report.bytes
            ),
        ));
    }
    Check::new("log", Group::Log, title, v)
}
