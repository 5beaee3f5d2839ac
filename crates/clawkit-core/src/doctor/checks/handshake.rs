//! The live handshakes: as the CLI (with what it would send) and as this device with its
//! cached token.

use super::{Facts, no_cli_secret_handshake};
use crate::doctor::{Check, Group};
use crate::finding::{Finding, Severity, codes};
use crate::gateway::Verdict;
use crate::openclaw::auth::ClientMode;

fn verdict_line(v: &Verdict) -> String {
    format!(
        "{}{}",
        v.name(),
        v.message().map(|m| format!(": {m}")).unwrap_or_default()
    )
}

pub(super) fn check(f: &Facts) -> Check {
    let mut v = vec![cli(f)];
    if let Some(d) = &f.device_verdict {
        let severity = match (d.is_ok(), no_cli_secret_handshake(f)) {
            (true, _) => Severity::Ok,
            (false, true) => Severity::Error,
            (false, false) => Severity::Warning,
        };
        let answer = if d.is_ok() {
            "accepted".to_string()
        } else {
            verdict_line(d)
        };
        v.push(Finding::new(
            codes::HANDSHAKE_DEVICE,
            severity,
            format!("as this device with its cached token: {answer}"),
        ));
    }
    Check::new(
        "handshake",
        Group::Handshake,
        "Live handshakes with the gateway",
        v,
    )
}

/// The CLI's handshake, or why it made none.
fn cli(f: &Facts) -> Finding {
    match &f.cli {
        Some(c) if c.verdict.is_ok() => Finding::new(
            codes::HANDSHAKE_CLI,
            Severity::Ok,
            format!(
                "as the CLI ({}): accepted by OpenClaw {} in {} ms",
                c.url,
                c.server_version.as_deref().unwrap_or("?"),
                c.elapsed_ms
            ),
        ),
        Some(c) => Finding::new(
            codes::HANDSHAKE_CLI,
            Severity::Error,
            format!("as the CLI ({}): {}", c.url, verdict_line(&c.verdict)),
        )
        .evidence(format!(
            "sent {}",
            c.sent
                .as_ref()
                .map_or("no shared secret".into(), |s| s.to_string())
        )),
        None if f.client_mode == ClientMode::Remote
            && f.config
                .as_ref()
                .is_ok_and(|c| c.get("gateway.remote.url").is_none()) =>
        {
            Finding::new(
                codes::CLI_REMOTE_URL_MISSING,
                Severity::Error,
                "gateway.mode is remote but gateway.remote.url is not set: the CLI has nowhere to connect",
            )
            .next("clawkit config set gateway.remote.url ws://HOST:18789")
        }
        None => Finding::new(
            codes::HANDSHAKE_CLI,
            Severity::Info,
            "the CLI has no shared secret: it authenticates with this device's cached token (below)",
        ),
    }
}
