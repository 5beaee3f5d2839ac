//! The gateway's JSON frames as the fake writes and reads them. Every builder here follows a
//! frame of OpenClaw 2026.9.6 (or 2026.7.1 where [`WireStyle`] says so), read from its
//! `dist/` and from `openclaw-internals.md` §3; the functions name the dist symbol they copy.

use super::auth::Admitted;
use super::options::WireStyle;
use serde_json::{Map, Value, json};

/// Milliseconds since the Unix epoch (the gateway's `ts` fields).
pub(super) fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// `errorShape(code, message)`: the `error` object of a failed response.
pub(super) fn error_shape(code: &str, message: &str) -> Value {
    json!({"code": code, "message": message})
}

pub(super) fn response_ok(id: &str, payload: Value) -> String {
    json!({"type": "res", "id": id, "ok": true, "payload": payload}).to_string()
}

pub(super) fn response_err(id: &str, error: Value) -> String {
    json!({"type": "res", "id": id, "ok": false, "error": error}).to_string()
}

/// A broadcast event (`frameWithSequence`): `seq` counts the events sent to this client.
pub(super) fn event(name: &str, payload: &Value, seq: u64) -> String {
    json!({"type": "event", "event": name, "payload": payload, "seq": seq}).to_string()
}

/// The first frame on every socket (`ws-connection` → `connect.challenge`); unlike
/// broadcasts it has no `seq`.
pub(super) fn challenge(style: WireStyle, nonce: &str) -> String {
    let mut payload = json!({"nonce": nonce, "ts": now_ms()});
    if style == WireStyle::V2026_9 {
        payload["capabilities"] = json!(["model-catalog-snapshot"]);
    }
    json!({"type": "event", "event": "connect.challenge", "payload": payload}).to_string()
}

/// `shutdown` payload (`resolveGatewayShutdownNotice`): 2026.9 omits `restartExpectedMs` on a
/// stop, 2026.7 sends `null`.
pub(super) fn shutdown_payload(style: WireStyle, restart_expected_ms: Option<u64>) -> Value {
    match (restart_expected_ms, style) {
        (Some(ms), _) => json!({"reason": "gateway restarting", "restartExpectedMs": ms}),
        (None, WireStyle::V2026_9) => json!({"reason": "gateway stopping"}),
        (None, WireStyle::V2026_7) => {
            json!({"reason": "gateway stopping", "restartExpectedMs": null})
        }
    }
}

/// The close every session gets on a planned stop or restart (`closeGatewayResources`).
pub(super) const SHUTDOWN_CLOSE: (u16, &str) = (1012, "service restart");
/// The close for a session whose shared secret was rotated (`disconnectStaleSharedGatewayAuthClients`).
pub(super) const AUTH_CHANGED_CLOSE: (u16, &str) = (4001, "gateway auth changed");

/// The methods this fake implements, advertised in `hello-ok.features.methods`.
pub(super) const METHODS: &[&str] = &["health", "system.info", "gateway.restart.request"];
const EVENTS: &[&str] = &[
    "connect.challenge",
    "tick",
    "shutdown",
    "health",
    "presence",
];

/// What one `hello-ok` reports besides the admitted client's own data.
pub(super) struct HelloFacts<'a> {
    pub style: WireStyle,
    pub version: &'a str,
    pub boot_id: &'a str,
    pub conn_id: &'a str,
    pub instance_id: &'a str,
    pub uptime_ms: u64,
    pub tick_interval_ms: u64,
    pub auth_mode: &'a str,
    pub config_path: Option<&'a str>,
    pub state_dir: Option<&'a str>,
}

/// `hello-ok` (`attachAuthenticatedGatewayConnect` in 2026.9.6, its 2026.7.1 predecessor),
/// trimmed to the fields clients read. `device_token` is sent when a device identity
/// authenticated.
pub(super) fn hello_ok(
    facts: &HelloFacts,
    admitted: &Admitted,
    device_token: Option<&str>,
) -> Value {
    let v9 = facts.style == WireStyle::V2026_9;
    let mut server = json!({"version": facts.version, "connId": facts.conn_id});
    if v9 {
        server["buildId"] = json!(format!("{}-fake", facts.version));
        server["bootId"] = json!(facts.boot_id);
        server["controlUiBuildSource"] = json!("bundled");
    }
    let mut auth = Map::new();
    if v9 {
        auth.insert("method".into(), json!(admitted.method));
    }
    auth.insert("role".into(), json!(admitted.role));
    auth.insert("scopes".into(), json!(admitted.scopes));
    if let Some(token) = device_token {
        auth.insert("deviceToken".into(), json!(token));
        auth.insert("issuedAtMs".into(), json!(now_ms()));
    }
    let mut policy = json!({
        "maxPayload": MAX_PAYLOAD,
        "maxBufferedBytes": 52_428_800,
        "tickIntervalMs": facts.tick_interval_ms,
    });
    if v9 {
        policy["attachments"] = json!({"maxBytes": 19_464_192, "maxImageBytes": 6_291_456});
    }
    json!({
        "type": "hello-ok",
        "protocol": 4,
        "server": server,
        "features": {"methods": METHODS, "events": EVENTS, "capabilities": []},
        "snapshot": snapshot(facts),
        "auth": auth,
        "policy": policy,
    })
}

/// `policy.maxPayload`: the largest frame a session accepts after `hello-ok`.
pub(super) const MAX_PAYLOAD: usize = 26_214_400;
/// Pre-auth frames above this are refused (`parsePreauthConnectFrame`).
pub(super) const MAX_PREAUTH_FRAME: usize = 65_536;

fn snapshot(facts: &HelloFacts) -> Value {
    let mut snapshot = json!({
        "presence": [presence_self(facts)],
        "health": {"ok": true, "ts": now_ms()},
        "stateVersion": {"presence": 1, "health": 1},
        "uptimeMs": facts.uptime_ms,
        "authMode": facts.auth_mode,
    });
    if facts.style == WireStyle::V2026_9 {
        snapshot["suspension"] = json!({"phase": "accepting"});
    }
    if let Some(path) = facts.config_path {
        snapshot["configPath"] = json!(path);
    }
    if let Some(dir) = facts.state_dir {
        snapshot["stateDir"] = json!(dir);
    }
    snapshot
}

fn presence_self(facts: &HelloFacts) -> Value {
    json!({
        "host": "fake-gateway",
        "ip": "127.0.0.1",
        "version": facts.version,
        "platform": std::env::consts::OS,
        "mode": "gateway",
        "reason": "self",
        "instanceId": facts.instance_id,
        "ts": now_ms(),
    })
}

/// One text frame from a client, classified like `validateRequestFrame` does.
#[derive(Debug, PartialEq)]
pub(super) enum Incoming {
    Request {
        id: String,
        method: String,
        params: Value,
    },
    /// Valid JSON but not a request frame; `id` is echoed when it is a string.
    NotARequest { id: Option<String> },
    /// Not JSON at all.
    Garbage,
}

pub(super) fn parse(text: &str) -> Incoming {
    let Ok(value) = serde_json::from_str::<Value>(text) else {
        return Incoming::Garbage;
    };
    let non_empty = |key: &str| {
        value[key]
            .as_str()
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    match (value["type"].as_str(), non_empty("id"), non_empty("method")) {
        (Some("req"), Some(id), Some(method)) => Incoming::Request {
            id,
            method,
            params: value.get("params").cloned().unwrap_or(Value::Null),
        },
        _ => Incoming::NotARequest {
            id: value["id"].as_str().map(str::to_string),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_sorts_requests_from_the_rest() {
        assert_eq!(
            parse(r#"{"type":"req","id":"1","method":"health"}"#),
            Incoming::Request {
                id: "1".into(),
                method: "health".into(),
                params: Value::Null
            }
        );
        assert_eq!(
            parse(r#"{"type":"event","id":"7"}"#),
            Incoming::NotARequest {
                id: Some("7".into())
            }
        );
        assert_eq!(
            parse(r#"{"type":"req","id":"","method":"x"}"#),
            Incoming::NotARequest {
                id: Some(String::new())
            }
        );
        assert_eq!(parse("{not json"), Incoming::Garbage);
        assert_eq!(parse("[1,2]"), Incoming::NotARequest { id: None });
    }

    #[test]
    fn a_stop_notice_differs_between_releases() {
        assert_eq!(
            shutdown_payload(WireStyle::V2026_9, None),
            json!({"reason": "gateway stopping"})
        );
        assert_eq!(
            shutdown_payload(WireStyle::V2026_7, None),
            json!({"reason": "gateway stopping", "restartExpectedMs": null})
        );
        assert_eq!(
            shutdown_payload(WireStyle::V2026_7, Some(1500))["restartExpectedMs"],
            1500
        );
    }
}
