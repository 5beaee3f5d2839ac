//! The two shapes of an OpenClaw log line: tslog JSON (the log file) and
//! `<ISO time> [<subsystem>] <message>` (the console), read into the few fields the
//! classifier needs without parsing more than it must.

use serde_json::Value;

use crate::time::parse_time_ms;

/// `time`, `message` and the structured `"1"` object of a tslog JSON line. The fast path reads
/// the two strings straight from the line (tslog writes `"time"` and `"message"` last, as
/// plain JSON strings) and parses only those; anything unusual falls back to a full parse.
pub(super) fn json_fields(text: &str) -> Option<(Option<i64>, String, Option<Value>)> {
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

pub(super) fn strip_ansi(text: &str) -> String {
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
