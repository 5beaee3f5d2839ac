//! Fast scan of OpenClaw gateway logs (JSON lines, or the console format) for auth failures,
//! handshake closes, pairing events, starts, stops and start failures, grouped for a human.
//!
//! Files are memory-mapped and searched with a literal multi-pattern prefilter
//! (aho-corasick); only lines that contain a marker are parsed, and the scan jumps to the next
//! line after each hit, so a line is counted once.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use crate::time::parse_time_ms;

#[derive(Debug, thiserror::Error)]
pub enum LogError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

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

#[derive(Debug, Clone, serde::Serialize)]
pub struct Group {
    #[serde(flatten)]
    pub key: GroupKey,
    pub count: u64,
    /// Milliseconds since the epoch; `None` when the lines carry no time.
    pub first_ms: Option<i64>,
    pub last_ms: Option<i64>,
}

#[derive(Debug, Default, serde::Serialize)]
pub struct Report {
    pub files: Vec<PathBuf>,
    pub bytes: u64,
    pub matched_lines: u64,
    pub unparsed_lines: u64,
    pub groups: Vec<Group>,
}

const MARKERS: &[&str] = &[
    "unauthorized conn=",
    "closed before connect conn=",
    "protocol mismatch conn=",
    "device pairing ",
    "gateway ready",
    "[gateway] ready",
    "shutting down",
    "Gateway failed to start",
];

static PREFILTER: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasickBuilder::new()
        .match_kind(MatchKind::LeftmostFirst)
        .build(MARKERS)
        .expect("log markers build")
});

/// The log file and its rotated siblings that exist, oldest first (`.5` … `.1`, then the file).
pub fn with_rotations(file: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = (1..=5)
        .rev()
        .map(|n| PathBuf::from(format!("{}.{n}", file.display())))
        .filter(|p| p.is_file())
        .collect();
    files.push(file.to_path_buf());
    files
}

/// Scans `files` (missing files are an error) for events newer than `since_ms`.
pub fn scan_files(files: &[PathBuf], since_ms: Option<i64>) -> Result<Report, LogError> {
    let mut agg = Aggregator::default();
    let mut report = Report::default();
    for path in files {
        let file = std::fs::File::open(path).map_err(|source| LogError::Io {
            path: path.clone(),
            source,
        })?;
        let len = file
            .metadata()
            .map_err(|source| LogError::Io {
                path: path.clone(),
                source,
            })?
            .len();
        report.files.push(path.clone());
        report.bytes += len;
        if len == 0 {
            continue;
        }
        // SAFETY: the map is read-only and dropped before returning; a log being appended to
        // only grows past the mapped length, which we never read.
        let map =
            unsafe { memmap2::MmapOptions::new().populate().map(&file) }.map_err(|source| {
                LogError::Io {
                    path: path.clone(),
                    source,
                }
            })?;
        scan_parallel(&map, since_ms, &mut agg);
    }
    report.matched_lines = agg.matched;
    report.unparsed_lines = agg.unparsed;
    report.groups = agg.finish();
    Ok(report)
}

/// Accumulates events into groups.
#[derive(Debug, Default)]
pub struct Aggregator {
    groups: BTreeMap<GroupKey, Stats>,
    /// Auth-failure groups found by the fast path, looked up by borrowed fields (there are
    /// few distinct ones, so a linear search beats building a key per line).
    auth: Vec<(AuthKey, Stats)>,
    matched: u64,
    unparsed: u64,
}

type Stats = (u64, Option<i64>, Option<i64>);

#[derive(Debug)]
struct AuthKey {
    reason: String,
    client_id: String,
    mode: String,
    device: Option<bool>,
    peer: String,
    port: Option<u16>,
}

fn bump(stats: &mut Stats, time: Option<i64>) {
    stats.0 += 1;
    if let Some(t) = time {
        stats.1 = Some(stats.1.map_or(t, |f| f.min(t)));
        stats.2 = Some(stats.2.map_or(t, |l| l.max(t)));
    }
}

impl Aggregator {
    #[allow(clippy::too_many_arguments)]
    fn add_auth(
        &mut self,
        reason: &str,
        client_id: &str,
        mode: &str,
        device: Option<bool>,
        peer: &str,
        port: Option<u16>,
        time: Option<i64>,
    ) {
        let found = self.auth.iter_mut().find(|(k, _)| {
            k.reason == reason
                && k.client_id == client_id
                && k.mode == mode
                && k.device == device
                && k.peer == peer
                && k.port == port
        });
        match found {
            Some((_, stats)) => bump(stats, time),
            None => self.auth.push((
                AuthKey {
                    reason: reason.into(),
                    client_id: client_id.into(),
                    mode: mode.into(),
                    device,
                    peer: peer.into(),
                    port,
                },
                (1, time, time),
            )),
        }
    }

    fn add(&mut self, key: GroupKey, time: Option<i64>) {
        bump(self.groups.entry(key).or_insert((0, None, None)), time);
    }

    /// Moves the fast-path groups into the keyed map.
    fn fold_auth(&mut self) {
        for (k, stats) in std::mem::take(&mut self.auth) {
            let key = GroupKey {
                kind: EventKind::AuthFailure,
                reason: k.reason,
                client: format!("{}/{}", k.client_id, k.mode),
                device: k.device,
                peer: k.peer,
                gateway_port: k.port,
            };
            self.merge_one(key, stats);
        }
    }

    fn merge_one(&mut self, key: GroupKey, (count, first, last): Stats) {
        let entry = self.groups.entry(key).or_insert((0, None, None));
        entry.0 += count;
        entry.1 = match (entry.1, first) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        entry.2 = match (entry.2, last) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
    }

    fn merge(&mut self, mut other: Aggregator) {
        other.fold_auth();
        self.matched += other.matched;
        self.unparsed += other.unparsed;
        for (key, stats) in other.groups {
            self.merge_one(key, stats);
        }
    }

    pub fn finish(mut self) -> Vec<Group> {
        self.fold_auth();
        let mut groups: Vec<Group> = self
            .groups
            .into_iter()
            .map(|(key, (count, first_ms, last_ms))| Group {
                key,
                count,
                first_ms,
                last_ms,
            })
            .collect();
        groups.sort_by(|a, b| a.key.kind.cmp(&b.key.kind).then(b.count.cmp(&a.count)));
        groups
    }
}

/// Splits `data` at line boundaries into one chunk per core and scans them concurrently.
fn scan_parallel(data: &[u8], since_ms: Option<i64>, agg: &mut Aggregator) {
    const MIN_CHUNK: usize = 16 << 20;
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(data.len() / MIN_CHUNK)
        .max(1);
    if threads == 1 {
        return scan_bytes(data, since_ms, agg);
    }
    let mut bounds = vec![0];
    for i in 1..threads {
        let guess = data.len() * i / threads;
        let cut = data[guess..]
            .iter()
            .position(|b| *b == b'\n')
            .map_or(data.len(), |p| guess + p + 1);
        bounds.push(cut.max(*bounds.last().expect("non-empty")));
    }
    bounds.push(data.len());
    let parts: Vec<Aggregator> = std::thread::scope(|scope| {
        let handles: Vec<_> = bounds
            .windows(2)
            .map(|w| {
                let chunk = &data[w[0]..w[1]];
                scope.spawn(move || {
                    let mut local = Aggregator::default();
                    scan_bytes(chunk, since_ms, &mut local);
                    local
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("log scan thread"))
            .collect()
    });
    for part in parts {
        agg.merge(part);
    }
}

/// Scans one buffer of log text.
pub fn scan_bytes(data: &[u8], since_ms: Option<i64>, agg: &mut Aggregator) {
    let mut at = 0;
    while let Some(m) = PREFILTER.find(&data[at..]) {
        let hit = at + m.start();
        let start = memchr::memrchr(b'\n', &data[..hit]).map_or(0, |i| i + 1);
        let end = memchr::memchr(b'\n', &data[hit..]).map_or(data.len(), |i| hit + i);
        agg.matched += 1;
        // Fast path for the common event, an auth failure in a JSON line: read its tokens
        // straight from the raw text (they never need unescaping) without allocating.
        if m.pattern().as_usize() == 0
            && data[start] == b'{'
            && let Some(()) = fast_auth_failure(&data[start..end], hit - start, since_ms, agg)
        {
            at = end;
            if at >= data.len() {
                break;
            }
            continue;
        }
        match parse_line(&data[start..end]) {
            Line::Event(time, key) => {
                if since_ms.is_none_or(|since| time.is_none_or(|t| t >= since)) {
                    agg.add(key, time);
                }
            }
            Line::Counted => {}
            Line::Unparsed => agg.unparsed += 1,
        }
        at = end;
        if at >= data.len() {
            break;
        }
    }
}

/// Counts an `unauthorized conn=` JSON line whose marker is at `hit`; `None` when the line
/// needs the general parser.
fn fast_auth_failure(
    line: &[u8],
    hit: usize,
    since_ms: Option<i64>,
    agg: &mut Aggregator,
) -> Option<()> {
    let line = std::str::from_utf8(line).ok()?;
    let rest = &line[hit..];
    let message = &rest[..rest.find('"')?];
    if message.contains('\\') {
        return None;
    }
    let t = line.rfind(r#""time":""#)?;
    let time = line[t + 8..].split('"').next().and_then(parse_time_ms);
    if since_ms.is_some_and(|since| time.is_some_and(|t| t < since)) {
        return Some(());
    }
    let (client_id, mode) = message
        .find(" client=")
        .map(|i| {
            let mut parts = message[i + 8..].split(' ');
            (parts.next().unwrap_or("?"), parts.next().unwrap_or("?"))
        })
        .unwrap_or(("?", "?"));
    let device = field(message, "device").map(|d| d == "yes");
    let reason = field(message, "reason").unwrap_or("unknown");
    let (peer, port) = peer_and_port_str(message);
    agg.add_auth(reason, client_id, mode, device, peer, port, time);
    Some(())
}

/// What one line that contained a marker turned out to be.
enum Line {
    Event(Option<i64>, GroupKey),
    /// A second line about an event already counted (the close after an auth failure).
    Counted,
    Unparsed,
}

fn parse_line(line: &[u8]) -> Line {
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

/// `time`, `message` and the structured `"1"` object of a tslog JSON line. The fast path reads
/// the two strings straight from the line (tslog writes `"time"` and `"message"` last, as
/// plain JSON strings) and parses only those; anything unusual falls back to a full parse.
fn json_fields(text: &str) -> Option<(Option<i64>, String, Option<Value>)> {
    let fast = || -> Option<(Option<i64>, String)> {
        let m = text.rfind(r#","message":""#)?;
        let literal = text[m + 11..].strip_suffix('}')?;
        let message: String = serde_json::from_str(literal).ok()?;
        let t = text[..m].rfind(r#""time":""#)?;
        let time = text[t + 8..].split('"').next().and_then(parse_time_ms);
        Some((time, message))
    };
    if let Some((time, message)) = fast() {
        // The structured object is only needed for handshake closes; read its few flat
        // fields directly.
        let structured = if message.starts_with("closed before connect") {
            structured_close_fields(text)
        } else {
            None
        };
        return Some((time, message, structured));
    }
    let json: Value = serde_json::from_str(text).ok()?;
    let message = json.get("message")?.as_str()?.to_string();
    let time = json
        .get("time")
        .and_then(Value::as_str)
        .and_then(parse_time_ms);
    let structured = json.get("1").filter(|v| v.is_object()).cloned();
    Some((time, message, structured))
}

/// `cause`, `client`, `mode` and `hasDeviceIdentity` of a close line's `"1"` object, read
/// without parsing the whole line (they are flat string/bool fields).
fn structured_close_fields(head: &str) -> Option<Value> {
    let obj_start = head.find(r#""1":{"#)? + 4;
    let obj = &head[obj_start..];
    let string_field = |key: &str| -> Option<Value> {
        let at = obj.find(key)? + key.len();
        let value: String = obj[at..].split('"').next()?.to_string();
        Some(Value::String(value))
    };
    let mut map = serde_json::Map::new();
    for (name, key) in [
        ("cause", r#""cause":""#),
        ("client", r#""client":""#),
        ("mode", r#""mode":""#),
    ] {
        if let Some(v) = string_field(key) {
            map.insert(name.to_string(), v);
        }
    }
    if let Some(at) = obj.find(r#""hasDeviceIdentity":"#) {
        map.insert(
            "hasDeviceIdentity".into(),
            Value::Bool(obj[at + 20..].starts_with("true")),
        );
    }
    Some(Value::Object(map))
}

fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The token after ` key=` (up to the next space), or `None`.
fn field<'a>(message: &'a str, key: &str) -> Option<&'a str> {
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

fn peer_and_port_str(message: &str) -> (&str, Option<u16>) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_never_panics() {
        let mut agg = Aggregator::default();
        let junk: Vec<u8> = (0..20_000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        scan_bytes(&junk, None, &mut agg);
        let mut text =
            b"unauthorized conn=\n{\"message\":\"unauthorized conn=x peer=->\"}\n".to_vec();
        text.extend_from_slice(b"closed before connect conn=\xff\xfe\ngateway ready");
        scan_bytes(&text, None, &mut agg);
        let groups = agg.finish();
        assert!(groups.iter().any(|g| g.key.kind == EventKind::Start));
    }

    #[test]
    fn console_lines_parse() {
        let mut agg = Aggregator::default();
        scan_bytes(
            b"2026-11-22T02:31:30.159+00:00 [gateway] ready\n\x1b[33m2026-11-22T02:32:30.159+00:00\x1b[0m [gateway] received SIGTERM; shutting down\n",
            None,
            &mut agg,
        );
        let groups = agg.finish();
        assert_eq!(groups.len(), 2, "{groups:?}");
        assert_eq!(groups[1].key.reason, "SIGTERM");
    }
}
