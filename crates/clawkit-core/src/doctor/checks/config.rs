//! Whether OpenClaw can read its config and accepts what it says: retired keys, redaction
//! placeholders, auth modes, unresolved `${VAR}`s.

use crate::doctor::{Check, Group};
use crate::finding::{Finding, Severity, codes};
use crate::openclaw::config::{ConfigError, LoadedConfig, Node, schema};

pub(super) fn invalid(e: &ConfigError) -> Check {
    Check::new(
        "config",
        Group::Config,
        "Config file",
        vec![
            Finding::new(
                codes::CONFIG_INVALID,
                Severity::Error,
                "OpenClaw cannot read its config: the gateway refuses to start and the CLI fails",
            )
            .evidence(crate::secret::redact_text(&e.to_string()))
            .next("fix the file at that line (JSON5), then: clawkit doctor"),
        ],
    )
}

/// The retired keys the config sets, each once, with where.
pub(in crate::doctor) fn retired_keys(
    config: &LoadedConfig,
) -> Vec<(&'static schema::RetiredKey, &Node)> {
    let mut out: Vec<(&'static schema::RetiredKey, &Node)> = Vec::new();
    for (path, node) in config.root.leaves() {
        if let Some(key) = schema::retired(&path)
            && !out.iter().any(|(k, _)| k.path == key.path)
        {
            out.push((key, node));
        }
    }
    out
}

pub(super) fn check(config: &LoadedConfig) -> Check {
    let mut v = vec![read(config)];
    v.extend(
        retired_keys(config)
            .into_iter()
            .map(|(key, node)| retired(key, node)),
    );
    v.extend(redacted_secrets(config));
    v.extend(auth_mode(config));
    for (var, origin) in &config.unresolved {
        v.push(
            Finding::new(
                codes::CONFIG_UNRESOLVED_REF,
                Severity::Error,
                format!("${{{var}}} is used in the config but not set in this environment: OpenClaw refuses the config"),
            )
            .evidence(origin.to_string())
            .next(format!("export {var}=…   # in the environment of the CLI and of the gateway's service")),
        );
    }
    Check::new("config", Group::Config, "Config file", v)
}

fn read(config: &LoadedConfig) -> Finding {
    let n = config.files.len();
    Finding::new(
        codes::CONFIG_READ,
        Severity::Ok,
        if config.exists {
            format!(
                "{} parsed ({n} file{})",
                config.path.display(),
                if n == 1 { "" } else { "s" }
            )
        } else {
            format!("{} does not exist (defaults apply)", config.path.display())
        },
    )
}

/// A retired key: an error when OpenClaw rejects the config for it, else a warning.
fn retired(key: &schema::RetiredKey, node: &Node) -> Finding {
    Finding::new(
        codes::CONFIG_RETIRED_KEY,
        if key.invalid {
            Severity::Error
        } else {
            Severity::Warning
        },
        format!("`{}` is {}", key.path, key.why),
    )
    .evidence(node.origin.to_string())
    .next(format!("clawkit config unset {}", key.path))
}

/// Secret keys that hold a redaction placeholder (a config copied from a redacted dump).
fn redacted_secrets(config: &LoadedConfig) -> Vec<Finding> {
    let keys = [
        "gateway.auth.token",
        "gateway.auth.password",
        "gateway.remote.token",
        "gateway.remote.password",
    ];
    keys.into_iter()
        .filter_map(|key| {
            let node = config
                .get(key)
                .filter(|n| n.as_str().is_some_and(schema::is_redaction_sentinel))?;
            Some(
                Finding::new(
                    codes::CONFIG_REDACTED_SECRET,
                    Severity::Error,
                    format!("`{key}` holds a redaction placeholder, not a secret (a config copied from a redacted dump): OpenClaw treats it as unset"),
                )
                .evidence(node.origin.to_string())
                .next(format!("clawkit config set {key} <the real value>")),
            )
        })
        .collect()
}

/// An auth mode OpenClaw does not know, or none where the secrets leave it ambiguous.
fn auth_mode(config: &LoadedConfig) -> Option<Finding> {
    let Some(node) = config.get("gateway.auth.mode") else {
        let ambiguous = config.get("gateway.auth.token").is_some()
            && config.get("gateway.auth.password").is_some();
        return ambiguous.then(|| {
            Finding::new(
                codes::CONFIG_AUTH_AMBIGUOUS,
                Severity::Error,
                "both gateway.auth.token and gateway.auth.password are set and gateway.auth.mode is not: the gateway refuses to start",
            )
            .next("clawkit config set gateway.auth.mode token   # or password")
        });
    };
    let mode = node
        .as_str()
        .filter(|m| !["none", "token", "password", "trusted-proxy"].contains(m))?;
    Some(
        Finding::new(
            codes::CONFIG_AUTH_MODE_UNKNOWN,
            Severity::Error,
            format!("gateway.auth.mode `{mode}` is not a mode OpenClaw knows (none, token, password, trusted-proxy): the config is invalid"),
        )
        .evidence(node.origin.to_string())
        .next("clawkit config set gateway.auth.mode token"),
    )
}
