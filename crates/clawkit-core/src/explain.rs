//! `explain` as an operation: the catalog's verdict on a text, with its commands filled in for
//! this install (its profile, config, port, log) and the ids the text names. The CLI prints
//! this document (`clawkit explain --json`) or renders it; the web doctor renders it too.

use crate::catalog::{self, Hit, PlanStep};
use crate::openclaw::auth::{client_credentials, client_mode, gateway_credentials};
use crate::target::Target;
use crate::time::local_date;
use serde_json::json;

/// Values filled into the catalog's fix commands.
pub struct Placeholders {
    /// `openclaw` with this install's profile flag.
    pub oc: String,
    ck: String,
    config: String,
    port: String,
    state_dir: String,
    log: String,
    pub request_id: Option<String>,
    pub device_id: Option<String>,
}

impl Placeholders {
    pub fn new(target: &Target, text: &str) -> Placeholders {
        let profile = target
            .paths
            .profile
            .as_ref()
            .map(|p| format!(" --profile {p}"))
            .unwrap_or_default();
        let config = target.load_config().ok();
        let (port, log) = match &config {
            Some(c) => (
                target.paths.port(c, &target.env).value.to_string(),
                target
                    .paths
                    .log_file(c, &local_date())
                    .value
                    .display()
                    .to_string(),
            ),
            None => ("<port>".into(), "<log file>".into()),
        };
        Placeholders {
            oc: format!("openclaw{profile}"),
            ck: format!("clawkit{profile}"),
            config: target.paths.config_path.value.display().to_string(),
            port,
            state_dir: target.paths.state_dir.value.display().to_string(),
            log,
            request_id: value_after(text, "requestId", |c| c.is_ascii_hexdigit() || c == '-'),
            device_id: value_after(text, "deviceId", |c| c.is_ascii_hexdigit())
                .or_else(|| value_after(text, "device=", |c| c.is_ascii_hexdigit())),
        }
    }

    pub fn fill(&self, template: &str) -> String {
        template
            .replace("{oc}", &self.oc)
            .replace("{ck}", &self.ck)
            .replace("{config}", &self.config)
            .replace("{port}", &self.port)
            .replace("{state_dir}", &self.state_dir)
            .replace("{log}", &self.log)
            .replace(
                "{request_id}",
                self.request_id.as_deref().unwrap_or("<requestId>"),
            )
            .replace(
                "{device_id}",
                self.device_id.as_deref().unwrap_or("<deviceId>"),
            )
    }
}

/// The first value after `key` (skipping `":= ` and quotes) made of `allowed` characters.
fn value_after(text: &str, key: &str, allowed: impl Fn(char) -> bool) -> Option<String> {
    let mut rest = text;
    while let Some(pos) = rest.find(key) {
        let after = &rest[pos + key.len()..];
        let trimmed = after.trim_start_matches(['"', ':', '=', ' ', '\'']);
        let value: String = trimmed.chars().take_while(|c| allowed(*c)).collect();
        if value.len() >= 8 {
            return Some(value);
        }
        rest = after;
    }
    None
}

/// What this machine's config says about the shared secret, for token errors.
pub fn local_evidence(target: &Target) -> Vec<String> {
    let Ok(config) = target.load_config() else {
        return vec![format!(
            "this machine: the config {} could not be read (run `clawkit config path`)",
            target.paths.config_path.value.display()
        )];
    };
    let mode = client_mode(&config, &target.env);
    let client = client_credentials(&config, &target.env, &mode, &[]);
    let gateway = gateway_credentials(&config, &target.env, "this shell", &[]);
    let mut lines = Vec::new();
    match client.token() {
        Some(t) => lines.push(format!("this machine: the {} sends {t}", client.side)),
        None => lines.push(format!(
            "this machine: the {} has no shared token",
            client.side
        )),
    }
    if let Some(t) = gateway.token() {
        let verdict = match client.token() {
            Some(c) if c.same_value(t) => "the same token",
            Some(_) => "a DIFFERENT token",
            None => "a token the CLI does not send",
        };
        lines.push(format!(
            "this machine: a gateway using this config and environment would check {t} — {verdict}"
        ));
    }
    lines
}

/// The command of a step no error calls for (the error's own fixes are listed above it).
pub fn how(step: &PlanStep, vars: &Placeholders) -> Option<String> {
    step.errors
        .is_empty()
        .then(|| step.phase.how())
        .flatten()
        .map(|h| vars.fill(h))
}

pub fn document(hits: &[Hit], vars: &Placeholders) -> serde_json::Value {
    json!({
        "schemaVersion": 1,
        "recognized": !hits.is_empty(),
        "errors": hits.iter().map(|h| json!({
            "id": h.entry.id,
            "kind": h.entry.kind,
            "phase": h.entry.phase,
            "title": h.entry.title,
            "line": h.line,
            "count": h.count,
            "excerpt": h.excerpt,
            "wrongSide": h.entry.wrong_side,
            "causes": h.entry.causes.iter().map(|c| vars.fill(c)).collect::<Vec<_>>(),
            "fixes": h.entry.fixes.iter().map(|f| vars.fill(f)).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "requestId": vars.request_id,
        "deviceId": vars.device_id,
        "plan": catalog::plan(hits).iter().map(|s| json!({
            "phase": s.phase, "title": s.phase.title(), "errors": s.errors, "command": how(s, vars),
        })).collect::<Vec<_>>(),
    })
}
