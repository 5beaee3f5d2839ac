//! What a log line means: the markers that make a line worth reading, and the event (kind
//! and group fields) each marked line is.

use super::format::{json_fields, strip_ansi};
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

pub(super) const MARKERS: &[&str] = &[
    "unauthorized conn=",
    "closed before connect conn=",
    "protocol mismatch conn=",
    "device pairing ",
    "gateway ready",
    "[gateway] ready",
    "shutting down",
    "Gateway failed to start",
];

pub(super) static PREFILTER: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasickBuilder::new()
        .match_kind(MatchKind::LeftmostFirst)
        .build(MARKERS)
        .expect("log markers build")
});

/// What one line that contained a marker turned out to be.
pub(super) enum Line {
    Event(Option<i64>, GroupKey),
    /// A second line about an event already counted (the close after an auth failure).
    Counted,
    Unparsed,
}

pub(super) fn parse_line(line: &[u8]) -> Line {
    let Ok(text) = std::str::from_utf8(line) else {
        return Line::Unparsed;
    };
    let text = text.trim();
    let (time, message, structured) = if text.starts_with('{') {
        match json_fields(text) {
            Some(fields) => fields,
            None => return Line::Unparsed,
        }
    } else {
        // Console: `<ISO time> [<subsystem>] <message>` (possibly with ANSI colours).
        let clean = strip_ansi(text);
        let (time, rest) = match clean.split_once(' ') {
            Some((t, rest)) if parse_time_ms(t).is_some() => (parse_time_ms(t), rest.to_string()),
            _ => (None, clean.clone()),
        };
        let message = match rest.strip_prefix('[') {
            Some(r) => r
                .split_once("] ")
                .map_or(rest.as_str(), |(_, m)| m)
                .to_string(),
            None => rest,
        };
        let message = if message == "ready" {
            "gateway ready".to_string()
        } else {
            message
        };
        (time, message, None)
    };
    if message.starts_with("closed before connect conn=") {
        let cause = structured
            .as_ref()
            .and_then(|s| s["cause"].as_str().map(str::to_string))
            .or_else(|| field(&message, "cause").map(str::to_string));
        if cause.as_deref() == Some("unauthorized") {
            return Line::Counted; // the matching `unauthorized conn=` line already counted it
        }
    }
    match classify(&message, structured.as_ref()) {
        Some(key) => Line::Event(time, key),
        None => Line::Unparsed,
    }
}

/// The token after ` key=` (up to the next space), or `None`.
pub(super) fn field<'a>(message: &'a str, key: &str) -> Option<&'a str> {
    let bytes = message.as_bytes();
    let mut from = 0;
    while let Some(i) = memchr::memmem::find(&bytes[from..], key.as_bytes()) {
        let at = from + i;
        let after = at + key.len();
        if at > 0 && bytes[at - 1] == b' ' && bytes.get(after) == Some(&b'=') {
            let rest = &message[after + 1..];
            return Some(rest.split(' ').next().unwrap_or(rest));
        }
        from = at + 1;
    }
    None
}

/// (client address, gateway port) from `remote=<ip>` and `peer=<ip:port>-><ip:port>`.
fn peer_and_port(message: &str) -> (String, Option<u16>) {
    let (peer, port) = peer_and_port_str(message);
    (peer.to_string(), port)
}

pub(super) fn peer_and_port_str(message: &str) -> (&str, Option<u16>) {
    let peer = field(message, "peer");
    let port = peer
        .and_then(|p| p.split_once("->"))
        .and_then(|(_, to)| to.rsplit_once(':'))
        .and_then(|(_, p)| p.parse().ok());
    let remote = field(message, "remote").or_else(|| {
        let from = peer?.split("->").next()?;
        Some(
            from.rsplit_once(':')
                .map_or(from, |(host, _)| host)
                .trim_matches(['[', ']']),
        )
    });
    (remote.unwrap_or("?"), port)
}

/// `client=<id> <mode> v<version>` → `<id>/<mode>`.
fn client_and_mode(message: &str) -> String {
    message
        .find(" client=")
        .map(|i| {
            let mut parts = message[i + 8..].split(' ');
            format!(
                "{}/{}",
                parts.next().unwrap_or("?"),
                parts.next().unwrap_or("?")
            )
        })
        .unwrap_or_else(|| "?".into())
}

fn classify(message: &str, structured: Option<&Value>) -> Option<GroupKey> {
    let key = |kind, reason: &str, client: String, device, peer: String, port| GroupKey {
        kind,
        reason: reason.to_string(),
        client,
        device,
        peer,
        gateway_port: port,
    };
    if message.starts_with("unauthorized conn=") {
        // `client=<id> <mode> v<version>`
        let client = client_and_mode(message);
        let device = field(message, "device").map(|d| d == "yes");
        let reason = field(message, "reason").unwrap_or("unknown");
        let (peer, port) = peer_and_port(message);
        return Some(key(
            EventKind::AuthFailure,
            reason,
            client,
            device,
            peer,
            port,
        ));
    }
    if message.starts_with("closed before connect conn=") {
        let s = structured.cloned().unwrap_or(Value::Null);
        let cause = s["cause"]
            .as_str()
            .or_else(|| field(message, "cause"))
            .unwrap_or("unknown");
        let code = field(message, "code").unwrap_or("?");
        let client = match (s["client"].as_str(), s["mode"].as_str()) {
            (Some(c), Some(m)) => format!("{c}/{m}"),
            _ => format!(
                "{}/{}",
                field(message, "client").unwrap_or("?"),
                field(message, "mode").unwrap_or("?")
            ),
        };
        let device = s["hasDeviceIdentity"].as_bool();
        let (peer, port) = peer_and_port(message);
        return Some(key(
            EventKind::Close,
            &format!("{cause} (code {code})"),
            client,
            device,
            peer,
            port,
        ));
    }
    if message.starts_with("protocol mismatch conn=") {
        let client = client_and_mode(message);
        let (peer, port) = peer_and_port(message);
        let range = format!(
            "client v{}-v{}",
            field(message, "min").unwrap_or("?"),
            field(message, "max").unwrap_or("?")
        );
        return Some(key(
            EventKind::ProtocolMismatch,
            &range,
            client,
            None,
            peer,
            port,
        ));
    }
    if let Some(rest) = message.strip_prefix("device pairing ") {
        let action = rest.split(" device=").next().unwrap_or(rest).trim();
        let role = field(message, "role").unwrap_or("");
        return Some(key(
            EventKind::Pairing,
            &format!("{action} role={role}"),
            "-".into(),
            Some(true),
            "-".into(),
            None,
        ));
    }
    if message == "gateway ready" {
        return Some(key(
            EventKind::Start,
            "ready",
            "-".into(),
            None,
            "-".into(),
            None,
        ));
    }
    if let Some(signal) = message
        .strip_prefix("received ")
        .and_then(|r| r.strip_suffix("; shutting down"))
    {
        return Some(key(
            EventKind::Stop,
            signal,
            "-".into(),
            None,
            "-".into(),
            None,
        ));
    }
    if let Some(reason) = message.strip_prefix("Gateway failed to start: ") {
        let short: String = reason
            .split(" | ")
            .next()
            .unwrap_or(reason)
            .chars()
            .take(120)
            .collect();
        return Some(key(
            EventKind::StartFailure,
            &short,
            "-".into(),
            None,
            "-".into(),
            None,
        ));
    }
    None
}
