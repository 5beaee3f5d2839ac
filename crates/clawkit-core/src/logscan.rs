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
        let map = unsafe { memmap2::Mmap::map(&file) }.map_err(|source| LogError::Io {
            path: path.clone(),
            source,
        })?;
        scan_bytes(&map, since_ms, &mut agg);
    }
    report.matched_lines = agg.matched;
    report.unparsed_lines = agg.unparsed;
    report.groups = agg.finish();
    Ok(report)
}

/// Accumulates events into groups.
#[derive(Debug, Default)]
pub struct Aggregator {
    groups: BTreeMap<GroupKey, (u64, Option<i64>, Option<i64>)>,
    matched: u64,
    unparsed: u64,
}

impl Aggregator {
    fn add(&mut self, key: GroupKey, time: Option<i64>) {
        let entry = self.groups.entry(key).or_insert((0, time, time));
        entry.0 += 1;
        if let Some(t) = time {
            entry.1 = Some(entry.1.map_or(t, |f| f.min(t)));
            entry.2 = Some(entry.2.map_or(t, |l| l.max(t)));
        }
    }

    pub fn finish(self) -> Vec<Group> {
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

/// Scans one buffer of log text.
pub fn scan_bytes(data: &[u8], since_ms: Option<i64>, agg: &mut Aggregator) {
    let mut at = 0;
    while let Some(m) = PREFILTER.find(&data[at..]) {
        let hit = at + m.start();
        let start = memchr_rev(&data[..hit]).map_or(0, |i| i + 1);
        let end = data[hit..]
            .iter()
            .position(|b| *b == b'\n')
            .map_or(data.len(), |i| hit + i);
        agg.matched += 1;
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

fn memchr_rev(data: &[u8]) -> Option<usize> {
    data.iter().rposition(|b| *b == b'\n')
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
        let Ok(json) = serde_json::from_str::<Value>(text) else {
            return Line::Unparsed;
        };
        let Some(message) = json.get("message").and_then(Value::as_str) else {
            return Line::Unparsed;
        };
        let time = json
            .get("time")
            .and_then(Value::as_str)
            .and_then(parse_time_ms);
        let structured = json.get("1").filter(|v| v.is_object()).cloned();
        (time, message.to_string(), structured)
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
    let pat = format!(" {key}=");
    let pos = message.find(&pat)? + pat.len();
    let rest = &message[pos..];
    Some(rest.split(' ').next().unwrap_or(rest))
}

/// (client address, gateway port) from `peer=<ip:port>-><ip:port>`.
fn peer_and_port(message: &str) -> (String, Option<u16>) {
    let Some(peer) = field(message, "peer") else {
        return (field(message, "remote").unwrap_or("?").to_string(), None);
    };
    let (from, to) = peer.split_once("->").unwrap_or((peer, ""));
    let strip_port = |s: &str| -> String {
        match s.rsplit_once(':') {
            Some((host, _)) => host.trim_matches(['[', ']']).to_string(),
            None => s.to_string(),
        }
    };
    let port = to.rsplit_once(':').and_then(|(_, p)| p.parse().ok());
    let remote = field(message, "remote").map(str::to_string);
    (remote.unwrap_or_else(|| strip_port(from)), port)
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

/// `2026-11-22T01:47:22.075+00:00` / `...Z` → milliseconds since the epoch.
pub fn parse_time_ms(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| s.get(r)?.parse::<i64>().ok();
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let mut i = 19;
    let mut ms = 0;
    if b.get(i) == Some(&b'.') {
        let digits: String = s[i + 1..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        i += 1 + digits.len();
        ms = format!("{digits:0<3}")[..3].parse().ok()?;
    }
    let offset_min = match b.get(i) {
        Some(b'Z') | None => 0,
        Some(sign @ (b'+' | b'-')) => {
            let oh = num(i + 1..i + 3)?;
            let om = num(i + 4..i + 6)?;
            let v = oh * 60 + om;
            if *sign == b'-' { -v } else { v }
        }
        _ => return None,
    };
    // Days from civil (Howard Hinnant's algorithm).
    let y = if mo <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if mo > 2 { mo - 3 } else { mo + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(((days * 86_400 + h * 3600 + mi * 60 + sec) - offset_min * 60) * 1000 + ms)
}

/// `90s`, `30m`, `2h`, `7d`, `1w` → milliseconds.
pub fn parse_duration_ms(s: &str) -> Option<i64> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit())?;
    let (n, unit) = s.split_at(split);
    let n: i64 = n.parse().ok()?;
    let unit_ms = match unit {
        "s" | "sec" => 1_000,
        "m" | "min" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        "w" => 7 * 86_400_000,
        _ => return None,
    };
    n.checked_mul(unit_ms)
}

/// `YYYY-MM-DD HH:MM:SS` UTC, for tables.
pub fn format_time_ms(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_round_trip() {
        let ms = parse_time_ms("2026-11-22T02:31:34.412+00:00").unwrap();
        assert_eq!(format_time_ms(ms), "2026-11-22 02:31:34");
        assert_eq!(parse_time_ms("2026-11-22T03:31:34.412+01:00"), Some(ms));
        assert_eq!(parse_time_ms("2026-11-22T02:31:34.412Z"), Some(ms));
        assert_eq!(parse_time_ms("not a time"), None);
        assert_eq!(parse_duration_ms("30m"), Some(1_800_000));
        assert_eq!(parse_duration_ms("7x"), None);
    }

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
