//! The parts of OpenClaw's config schema that decide whether a gateway starts and accepts its
//! clients: retired keys, enumerations, port range, and secrets that are not secrets. Used to
//! refuse a `config set` OpenClaw would reject, and by the doctor to explain a config.

/// Keys OpenClaw 2026.9 retired. `invalid` ones make the whole config invalid while present;
/// the others are accepted and ignored. `openclaw doctor --fix` removes all of them.
pub const RETIRED_KEYS: &[RetiredKey] = &[
    RetiredKey {
        path: "gateway.controlUi.allowInsecureAuth",
        invalid: true,
        why: "retired break-glass setting; no longer in the schema, so the config is invalid while it is present",
    },
    RetiredKey {
        path: "gateway.controlUi.dangerouslyDisableDeviceAuth",
        invalid: false,
        why: "retired break-glass setting; ignored — Control UI browsers pair through the normal device flow",
    },
    RetiredKey {
        path: "gateway.controlUi.toolTitles",
        invalid: false,
        why: "retired; ignored",
    },
    RetiredKey {
        path: "gateway.webchat",
        invalid: false,
        why: "retired; ignored",
    },
    RetiredKey {
        path: "gateway.tailscale.resetOnExit",
        invalid: false,
        why: "retired; ignored",
    },
    RetiredKey {
        path: "gateway.tailscale.serviceName",
        invalid: false,
        why: "retired; ignored",
    },
];

#[derive(Debug, Clone, Copy)]
pub struct RetiredKey {
    pub path: &'static str,
    pub invalid: bool,
    pub why: &'static str,
}

/// Values OpenClaw treats as "this secret was redacted", never as a credential.
pub const REDACTION_SENTINELS: &[&str] = &[
    "__OPENCLAW_REDACTED__",
    "REDACTED",
    "xoxb-REDACTED",
    "xapp-REDACTED",
    "***",
    "[redacted]",
    "[REDACTED]",
    "<redacted>",
    "[REDACTED_PRIVATE_KEY]",
    "[REDACTED CREDENTIAL]",
];

/// Placeholders from OpenClaw's examples that the gateway refuses as credentials.
pub const KNOWN_WEAK_SECRETS: &[&str] = &[
    "change-me-to-a-long-random-token",
    "change-me-now",
    "change-me-to-a-strong-password",
];

pub fn is_redaction_sentinel(value: &str) -> bool {
    REDACTION_SENTINELS.contains(&value.trim())
}

pub fn retired(path: &str) -> Option<&'static RetiredKey> {
    RETIRED_KEYS
        .iter()
        .find(|k| path == k.path || path.starts_with(&format!("{}.", k.path)))
}

const ENUMS: &[(&str, &[&str])] = &[
    ("gateway.mode", &["local", "remote"]),
    (
        "gateway.bind",
        &["loopback", "lan", "tailnet", "auto", "custom"],
    ),
    (
        "gateway.auth.mode",
        &["none", "token", "password", "trusted-proxy"],
    ),
    ("gateway.remote.transport", &["ssh", "direct"]),
];

/// Why OpenClaw would reject `value` at `path`, if it would.
pub fn reject_reason(path: &str, value: &serde_json::Value) -> Option<String> {
    if let Some(key) = retired(path) {
        return Some(format!(
            "`{}` is {}. Remove it instead: `clawkit config unset {}`",
            key.path, key.why, key.path
        ));
    }
    if let Some((_, allowed)) = ENUMS.iter().find(|(p, _)| *p == path) {
        let ok = value.as_str().is_some_and(|v| allowed.contains(&v));
        if !ok {
            return Some(format!(
                "`{path}` must be one of {}; got {value}",
                allowed.join(", ")
            ));
        }
    }
    if path == "gateway.port" {
        let ok = value.as_i64().is_some_and(|p| (1..=65535).contains(&p));
        if !ok {
            return Some(format!(
                "`gateway.port` must be a whole number from 1 to 65535; got {value}"
            ));
        }
    }
    if matches!(
        path,
        "gateway.auth.token"
            | "gateway.auth.password"
            | "gateway.remote.token"
            | "gateway.remote.password"
    ) && let Some(s) = value.as_str()
    {
        if is_redaction_sentinel(s) {
            return Some(format!(
                "`{s}` is OpenClaw's redaction marker, not a secret: the gateway refuses it. Use the real value (or `openclaw doctor --generate-gateway-token`)"
            ));
        }
        if KNOWN_WEAK_SECRETS.contains(&s.trim()) || s.trim().is_empty() {
            return Some(format!(
                "`{path}` would be blank or a published example placeholder, which the gateway refuses. Generate one with `openssl rand -hex 32`"
            ));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rejects_what_openclaw_rejects() {
        assert!(reject_reason("gateway.controlUi.allowInsecureAuth", &json!(true)).is_some());
        assert!(reject_reason("gateway.port", &json!(70000)).is_some());
        assert!(reject_reason("gateway.port", &json!(0)).is_some());
        assert!(reject_reason("gateway.port", &json!("18789")).is_some());
        assert!(reject_reason("gateway.auth.mode", &json!("tokens")).is_some());
        assert!(reject_reason("gateway.auth.token", &json!("__OPENCLAW_REDACTED__")).is_some());
        assert!(reject_reason("gateway.auth.token", &json!("change-me-now")).is_some());
    }

    #[test]
    fn accepts_valid_values() {
        assert_eq!(reject_reason("gateway.port", &json!(18790)), None);
        assert_eq!(reject_reason("gateway.auth.mode", &json!("password")), None);
        assert_eq!(reject_reason("gateway.bind", &json!("lan")), None);
        assert_eq!(
            reject_reason("gateway.auth.token", &json!("a-real-secret-0123456789")),
            None
        );
        assert_eq!(reject_reason("agents.defaults.model", &json!("x")), None);
    }
}
