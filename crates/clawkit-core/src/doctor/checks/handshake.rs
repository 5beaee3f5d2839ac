//! The live handshakes: as the CLI (with what it would send) and as this device with its
//! cached token.

use super::{Facts, elsewhere, no_cli_secret_handshake};
use crate::doctor::{Check, Group};
use crate::finding::{Finding, Severity, codes};
use crate::gateway::Verdict;
use crate::openclaw::auth::ClientMode;
use crate::openclaw::topology::Topology;

fn verdict_line(v: &Verdict) -> String {
    format!(
        "{}{}",
        v.name(),
        v.message().map(|m| format!(": {m}")).unwrap_or_default()
    )
}

pub(super) fn check(f: &Facts) -> Check {
    let mut v = vec![cli(f)];
    v.extend(unreachable(f));
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

/// A gateway on another host that no handshake reached: why, by the verdict, and what to
/// try (this machine's port says nothing about it).
fn unreachable(f: &Facts) -> Option<Finding> {
    let t = elsewhere(f)?;
    let verdict = f
        .cli
        .as_ref()
        .map(|c| &c.verdict)
        .or(f.device_verdict.as_ref())?;
    let url = t.url.as_deref().unwrap_or("?");
    let (why, next) = match verdict {
        Verdict::ConnectionRefused { .. } if t.through_ssh() || local_end(t) => (
            "nothing listens at the tunnel's local end: the SSH tunnel is not up",
            format!(
                "ssh -N -L {}:127.0.0.1:18789 {}   # then: clawkit doctor",
                t.endpoint().map_or(18789, |e| e.port_or_default()),
                t.ssh_target.as_deref().unwrap_or("USER@GATEWAY-HOST")
            ),
        ),
        Verdict::ConnectionRefused { .. } | Verdict::Timeout { .. } => (
            "the gateway host is down, unreachable from here, or its gateway is not running",
            format!("clawkit probe --url {url}   # and on the gateway host: clawkit gateway status"),
        ),
        Verdict::TlsPinMismatch { .. } => (
            "the gateway's certificate is not the one gateway.remote.tlsFingerprint pins (a new certificate, or another server)",
            "on the gateway host: openssl x509 -in <its cert> -noout -fingerprint -sha256   # then: clawkit config set gateway.remote.tlsFingerprint <it>".to_string(),
        ),
        Verdict::Tls { .. } => (
            "the TLS handshake failed",
            format!("clawkit probe --url {url} --tls-fingerprint <the gateway's sha256>"),
        ),
        Verdict::NotAGateway { .. } => (
            "something answers there, but not an OpenClaw gateway (a proxy, another service)",
            format!("clawkit probe --url {url}"),
        ),
        _ => return None,
    };
    Some(
        Finding::new(
            codes::GATEWAY_UNREACHABLE,
            Severity::Error,
            format!("no gateway answers at {url}: {why}"),
        )
        .evidence(format!("live: {}", verdict_line(verdict)))
        .next(next),
    )
}

/// A loopback URL in remote mode: the local end of a tunnel.
fn local_end(t: &Topology) -> bool {
    t.mode == ClientMode::Remote && t.endpoint().is_some_and(|e| e.is_loopback())
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
