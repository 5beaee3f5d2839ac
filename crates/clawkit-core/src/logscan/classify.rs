//! What a log line means: the markers that make a line worth reading, and the event (kind
//! and group fields) each marked line is. The batch scan and the tail both classify through
//! here, so a line counts the same in `clawkit logs`, the doctor and the monitor.

use super::format::{self, Fields};
use super::tokens::{client_and_mode, field, peer_and_port};
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use serde_json::Value;
use std::sync::LazyLock;

use crate::time::parse_time_ms;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EventKind {
    AuthFailure,
    Close,
    ProtocolMismatch,
    Pairing,
    Start,
    Stop,
    StartFailure,
    /// The gateway's decision about a config change (`[reload]`): `evaluating` (it saw the
    /// change), then `restart`, `hot` or `skipped`; `superseded` withdraws it.
    Reload,
}

impl EventKind {
    pub fn title(self) -> &'static str {
        match self {
            EventKind::AuthFailure => "Auth failures",
            EventKind::Close => "Handshake closes (other than auth failures)",
            EventKind::ProtocolMismatch => "Protocol mismatches",
            EventKind::Pairing => "Pairing events",
            EventKind::Start => "Gateway starts (ready)",
            EventKind::Stop => "Gateway stops",
            EventKind::StartFailure => "Gateway start failures",
            EventKind::Reload => "Config reload decisions",
        }
    }
}

/// What one group of events shares.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct GroupKey {
    pub kind: EventKind,
    /// `token_mismatch`, a close cause, a pairing action, a failure reason.
    pub reason: String,
    /// `<client id>/<mode>`, e.g. `cli/cli`, `openclaw-control-ui/webchat`.
    pub client: String,
    /// Whether the client presented a device identity.
    pub device: Option<bool>,
    /// The client's address (without its ephemeral port).
    pub peer: String,
    /// The gateway port the connection reached (tells gateways apart in a shared log).
    pub gateway_port: Option<u16>,
}

impl GroupKey {
    /// An event of the gateway itself, not of a connection.
    fn gateway(kind: EventKind, reason: &str) -> GroupKey {
        GroupKey {
            kind,
            reason: reason.to_string(),
            client: "-".into(),
            device: None,
            peer: "-".into(),
            gateway_port: None,
        }
    }
}

/// One classified line: its event's group fields and when it happened.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LogEvent {
    #[serde(flatten)]
    pub key: GroupKey,
    /// The line's time as written, e.g. `2026-11-22T01:47:22.075+00:00`.
    pub time: Option<String>,
    /// `time` in milliseconds since the epoch, when it reads as a time.
    pub time_ms: Option<i64>,
}

/// What a line that contains a marker turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Classified {
    Event(LogEvent),
    /// A second line about an event already counted (the close after an auth failure).
    Counted,
    /// A marker, but not a line this classifier can read (not UTF-8, broken JSON, an
    /// unknown message).
    Unparsed,
}

pub(super) const MARKERS: &[&str] = &[
    "unauthorized conn=",
    "closed before connect conn=",
    "protocol mismatch conn=",
    "device pairing ",
    "gateway ready",
    "[gateway] ready",
    "shutting down",
    "Gateway failed to start",
    "config change requires gateway restart",
    "config hot reload applied",
    "config reload skipped",
    "config change detected",
    "config reload superseded",
    "config restart superseded",
];

pub(super) static PREFILTER: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasickBuilder::new()
        .match_kind(MatchKind::LeftmostFirst)
        .build(MARKERS)
        .expect("log markers build")
});

/// Classifies one line (without its newline); `None` when it holds none of the markers, which
/// is most lines.
pub fn classify_line(line: &[u8]) -> Option<Classified> {
    PREFILTER.is_match(line).then(|| classify_marked(line))
}

/// Classifies a line already known to hold a marker.
pub(super) fn classify_marked(line: &[u8]) -> Classified {
    let Ok(text) = std::str::from_utf8(line) else {
        return Classified::Unparsed;
    };
    let Some(Fields {
        time,
        message,
        structured,
    }) = format::read(text.trim())
    else {
        return Classified::Unparsed;
    };
    if message.starts_with("closed before connect conn=")
        && close_cause(&message, structured.as_ref()) == Some("unauthorized")
    {
        return Classified::Counted; // the matching `unauthorized conn=` line already counted it
    }
    match classify(&message, structured.as_ref()) {
        Some(key) => Classified::Event(LogEvent {
            key,
            time_ms: time.as_deref().and_then(parse_time_ms),
            time,
        }),
        None => Classified::Unparsed,
    }
}

fn classify(message: &str, structured: Option<&Value>) -> Option<GroupKey> {
    if message.starts_with("unauthorized conn=") {
        return Some(AuthFailure::parse(message).key());
    }
    if message.starts_with("closed before connect conn=") {
        return Some(close(message, structured));
    }
    if message.starts_with("protocol mismatch conn=") {
        return Some(protocol_mismatch(message));
    }
    if let Some(rest) = message.strip_prefix("device pairing ") {
        return Some(pairing(message, rest));
    }
    gateway_lifecycle(message)
}

/// The group fields of an `unauthorized conn=` message. The batch scan's fast path keeps them
/// borrowed from the line (`S = &str`) and the aggregator owns the few distinct ones
/// (`S = String`); [`AuthFailure::key`] makes the one group key both report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct AuthFailure<S> {
    pub reason: S,
    pub client_id: S,
    pub mode: S,
    pub device: Option<bool>,
    pub peer: S,
    pub port: Option<u16>,
}

impl<'a> AuthFailure<&'a str> {
    /// `unauthorized conn=… peer=… remote=… client=<id> <mode> v… device=yes|no … reason=…`
    pub(super) fn parse(message: &'a str) -> AuthFailure<&'a str> {
        let (client_id, mode) = client_and_mode(message).unwrap_or(("?", "?"));
        let (peer, port) = peer_and_port(message);
        AuthFailure {
            reason: field(message, "reason").unwrap_or("unknown"),
            client_id,
            mode,
            device: field(message, "device").map(|d| d == "yes"),
            peer,
            port,
        }
    }

    pub(super) fn owned(&self) -> AuthFailure<String> {
        AuthFailure {
            reason: self.reason.to_string(),
            client_id: self.client_id.to_string(),
            mode: self.mode.to_string(),
            device: self.device,
            peer: self.peer.to_string(),
            port: self.port,
        }
    }
}

impl<S: AsRef<str>> AuthFailure<S> {
    pub(super) fn same<T: AsRef<str>>(&self, other: &AuthFailure<T>) -> bool {
        self.reason.as_ref() == other.reason.as_ref()
            && self.client_id.as_ref() == other.client_id.as_ref()
            && self.mode.as_ref() == other.mode.as_ref()
            && self.device == other.device
            && self.peer.as_ref() == other.peer.as_ref()
            && self.port == other.port
    }

    pub(super) fn key(&self) -> GroupKey {
        GroupKey {
            kind: EventKind::AuthFailure,
            reason: self.reason.as_ref().to_string(),
            client: format!("{}/{}", self.client_id.as_ref(), self.mode.as_ref()),
            device: self.device,
            peer: self.peer.as_ref().to_string(),
            gateway_port: self.port,
        }
    }
}

/// A close's cause: from the structured object of a JSON line, else from ` cause=`.
fn close_cause<'a>(message: &'a str, structured: Option<&'a Value>) -> Option<&'a str> {
    structured
        .and_then(|s| s["cause"].as_str())
        .or_else(|| field(message, "cause"))
}

/// `closed before connect conn=… code=… cause=…` (cause, client and device also in `"1"`).
fn close(message: &str, structured: Option<&Value>) -> GroupKey {
    let s = structured.unwrap_or(&Value::Null);
    let cause = close_cause(message, structured).unwrap_or("unknown");
    let code = field(message, "code").unwrap_or("?");
    let client = match (s["client"].as_str(), s["mode"].as_str()) {
        (Some(c), Some(m)) => format!("{c}/{m}"),
        _ => format!(
            "{}/{}",
            field(message, "client").unwrap_or("?"),
            field(message, "mode").unwrap_or("?")
        ),
    };
    let (peer, port) = peer_and_port(message);
    GroupKey {
        kind: EventKind::Close,
        reason: format!("{cause} (code {code})"),
        client,
        device: s["hasDeviceIdentity"].as_bool(),
        peer: peer.to_string(),
        gateway_port: port,
    }
}

/// `protocol mismatch conn=… client=<id> <mode> v… min=<n> max=<n> …`
fn protocol_mismatch(message: &str) -> GroupKey {
    let (peer, port) = peer_and_port(message);
    GroupKey {
        kind: EventKind::ProtocolMismatch,
        reason: format!(
            "client v{}-v{}",
            field(message, "min").unwrap_or("?"),
            field(message, "max").unwrap_or("?")
        ),
        client: client_and_mode(message).map_or("?".into(), |(c, m)| format!("{c}/{m}")),
        device: None,
        peer: peer.to_string(),
        gateway_port: port,
    }
}

/// `device pairing <action> device=<id> role=<role>`
fn pairing(message: &str, rest: &str) -> GroupKey {
    let action = rest.split(" device=").next().unwrap_or(rest).trim();
    let role = field(message, "role").unwrap_or("");
    GroupKey {
        device: Some(true),
        ..GroupKey::gateway(EventKind::Pairing, &format!("{action} role={role}"))
    }
}

/// `gateway ready`, `received <signal>; shutting down`, `Gateway failed to start: <reason>`,
/// and the reload decisions.
fn gateway_lifecycle(message: &str) -> Option<GroupKey> {
    if let Some(decision) = reload_decision(message) {
        return Some(GroupKey::gateway(EventKind::Reload, decision));
    }
    if message == "gateway ready" {
        return Some(GroupKey::gateway(EventKind::Start, "ready"));
    }
    if let Some(signal) = message
        .strip_prefix("received ")
        .and_then(|r| r.strip_suffix("; shutting down"))
    {
        return Some(GroupKey::gateway(EventKind::Stop, signal));
    }
    let reason = message.strip_prefix("Gateway failed to start: ")?;
    let short: String = reason
        .split(" | ")
        .next()
        .unwrap_or(reason)
        .chars()
        .take(120)
        .collect();
    Some(GroupKey::gateway(EventKind::StartFailure, &short))
}

/// `config change requires gateway restart (<paths>)[ — …]`, `config hot reload applied (…)`,
/// `config reload skipped (<why>)`, `config change detected; evaluating reload (<paths>)`,
/// `config reload superseded: …` (a newer change withdrew the decision, a restart included)
/// (subsystem `reload`).
fn reload_decision(message: &str) -> Option<&'static str> {
    [
        ("config change requires gateway restart", "restart"),
        ("config hot reload applied", "hot"),
        ("config reload skipped", "skipped"),
        ("config change detected", "evaluating"),
        ("config reload superseded", "superseded"),
        ("config restart superseded", "superseded"),
    ]
    .into_iter()
    .find(|(start, _)| message.starts_with(start))
    .map(|(_, decision)| decision)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::logscan::fixtures::{TIME, auth_line, auth_message, close_line, json_line};

    fn event(line: &str) -> LogEvent {
        match classify_line(line.as_bytes()) {
            Some(Classified::Event(e)) => e,
            other => panic!("{line}: {other:?}"),
        }
    }

    #[test]
    fn reload_decisions_are_events() {
        for (msg, decision) in [
            (
                "config change requires gateway restart (gateway.controlUi.dangerouslyDisableDeviceAuth)",
                "restart",
            ),
            (
                "config hot reload applied (gateway.controlUi.allowedOrigins)",
                "hot",
            ),
            (
                "config reload skipped (invalid config): gateway.controlUi: bad",
                "skipped",
            ),
            (
                "config reload superseded: GatewayConfigReloadSupersededError: config reload superseded by a newer runtime config source",
                "superseded",
            ),
        ] {
            let e = event(&json_line(msg, TIME));
            assert_eq!(
                (e.key.kind, e.key.reason.as_str()),
                (EventKind::Reload, decision)
            );
        }
    }

    #[test]
    fn an_auth_failure_names_reason_client_device_peer_and_port() {
        let e = event(&json_line(
            &auth_message(
                "device_token_mismatch",
                "openclaw-control-ui webchat",
                41984,
            ),
            TIME,
        ));
        let want = GroupKey {
            kind: EventKind::AuthFailure,
            reason: "device_token_mismatch".into(),
            client: "openclaw-control-ui/webchat".into(),
            device: Some(false),
            peer: "127.0.0.1".into(),
            gateway_port: Some(41984),
        };
        assert_eq!(e.key, want);
        assert_eq!(e.time.as_deref(), Some(TIME));
        assert_eq!(e.time_ms, Some(1_795_312_042_075));
    }

    #[test]
    fn a_close_reads_its_structured_fields_and_skips_an_auth_failures_echo() {
        let e = event(&close_line("pairing-required", TIME));
        assert_eq!(e.key.kind, EventKind::Close);
        assert_eq!(e.key.reason, "pairing-required (code 1008)");
        assert_eq!(e.key.client, "openclaw-control-ui/webchat");
        assert_eq!(e.key.device, Some(true));
        assert_eq!(
            (e.key.peer.as_str(), e.key.gateway_port),
            ("::1", Some(18790))
        );
        let echo = close_line("unauthorized", TIME);
        assert_eq!(classify_line(echo.as_bytes()), Some(Classified::Counted));
    }

    #[test]
    fn gateway_lifecycle_pairing_and_protocol_lines() {
        let ready = event("2026-11-22T02:31:30.159+00:00 [gateway] ready");
        assert_eq!(
            (ready.key.kind, ready.key.reason.as_str()),
            (EventKind::Start, "ready")
        );
        assert_eq!(ready.time.as_deref(), Some("2026-11-22T02:31:30.159+00:00"));
        let stop = event(&json_line("received SIGTERM; shutting down", TIME));
        assert_eq!(
            (stop.key.kind, stop.key.reason.as_str()),
            (EventKind::Stop, "SIGTERM")
        );
        let long = format!("Gateway failed to start: {} | more", "x".repeat(300));
        let failed = event(&long);
        assert_eq!(failed.key.kind, EventKind::StartFailure);
        assert_eq!((failed.key.reason.len(), failed.time), (120, None));
        let paired = event(&json_line(
            "device pairing auto-approved device=abc role=operator",
            TIME,
        ));
        assert_eq!(paired.key.reason, "auto-approved role=operator");
        assert_eq!(
            (paired.key.kind, paired.key.device),
            (EventKind::Pairing, Some(true))
        );
        let mismatch = event(&json_line(
            "protocol mismatch conn=1 peer=10.0.0.2:5->10.0.0.1:18789 remote=10.0.0.2 client=cli cli v2026.7.1 min=2 max=3 expected=4",
            TIME,
        ));
        assert_eq!(mismatch.key.reason, "client v2-v3");
        assert_eq!(
            (mismatch.key.client.as_str(), mismatch.key.gateway_port),
            ("cli/cli", Some(18789))
        );
    }

    #[test]
    fn unmarked_lines_are_skipped_and_unreadable_ones_are_unparsed() {
        let health = json_line("health tick ok durationMs=3", TIME);
        assert_eq!(classify_line(health.as_bytes()), None);
        assert_eq!(classify_line(b""), None);
        let mut bad_utf8 = auth_line("token_mismatch", TIME).into_bytes();
        bad_utf8.insert(10, 0xff);
        assert_eq!(classify_line(&bad_utf8), Some(Classified::Unparsed));
        let cut = auth_line("token_mismatch", TIME);
        let cut = &cut[..cut.len() / 2];
        assert_eq!(classify_line(cut.as_bytes()), Some(Classified::Unparsed));
        let unknown = json_line("still shutting down the sidecar", TIME);
        assert_eq!(
            classify_line(unknown.as_bytes()),
            Some(Classified::Unparsed)
        );
    }
}
