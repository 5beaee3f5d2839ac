//! The two shapes of an OpenClaw log line: tslog JSON (the log file) and
//! `<ISO time> [<subsystem>] <message>` (the console), read into the few fields the
//! classifier needs without parsing more than it must.

use serde_json::Value;

use crate::time::parse_time_ms;

/// What the classifier reads from a line, whatever its shape.
pub(super) struct Fields {
    /// The line's time as written.
    pub time: Option<String>,
    pub message: String,
    /// The structured `"1"` object of a JSON line (only filled for handshake closes, the one
    /// event that needs it).
    pub structured: Option<Value>,
}

/// Reads one trimmed line in either shape; `None` for a JSON line that cannot be read.
pub(super) fn read(text: &str) -> Option<Fields> {
    if text.starts_with('{') {
        json_fields(text)
    } else {
        Some(console_fields(text))
    }
}

/// The raw `time` string of a tslog JSON line, found from the end of `head` (tslog writes it
/// near the end, as a plain string).
pub(super) fn json_time(head: &str) -> Option<&str> {
    let t = head.rfind(r#""time":""#)?;
    head[t + 8..].split('"').next()
}

/// `time`, `message` and the structured `"1"` object of a tslog JSON line. The fast path reads
/// the two strings straight from the line (tslog writes `"time"` and `"message"` last, as
/// plain JSON strings) and parses only those; anything unusual falls back to a full parse.
fn json_fields(text: &str) -> Option<Fields> {
    let fast = || -> Option<(Option<String>, String)> {
        let m = text.rfind(r#","message":""#)?;
        let literal = text[m + 11..].strip_suffix('}')?;
        let message: String = serde_json::from_str(literal).ok()?;
        let time = json_time(&text[..m])?;
        Some((Some(time.to_string()), message))
    };
    if let Some((time, message)) = fast() {
        // The structured object is only needed for handshake closes; read its few flat
        // fields directly.
        let structured = if message.starts_with("closed before connect") {
            structured_close_fields(text)
        } else {
            None
        };
        return Some(Fields {
            time,
            message,
            structured,
        });
    }
    let json: Value = serde_json::from_str(text).ok()?;
    let message = json.get("message")?.as_str()?.to_string();
    let time = json.get("time").and_then(Value::as_str).map(str::to_string);
    let structured = json.get("1").filter(|v| v.is_object()).cloned();
    Some(Fields {
        time,
        message,
        structured,
    })
}

/// Console: `<ISO time> [<subsystem>] <message>`, possibly with ANSI colours; the console's
/// `[gateway] ready` is the file's `gateway ready`.
fn console_fields(text: &str) -> Fields {
    let clean = strip_ansi(text);
    let (time, rest) = match clean.split_once(' ') {
        Some((t, rest)) if parse_time_ms(t).is_some() => (Some(t.to_string()), rest),
        _ => (None, clean.as_str()),
    };
    let message = match rest.strip_prefix('[') {
        Some(r) => r.split_once("] ").map_or(rest, |(_, m)| m),
        None => rest,
    };
    let message = if message == "ready" {
        "gateway ready"
    } else {
        message
    };
    Fields {
        time,
        message: message.to_string(),
        structured: None,
    }
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
