//! The doctor's public documents: the `--json` body (schema 1, docs/doctor-json.md) that the
//! CLI prints and the web doctor serves, and the redacted support bundle.

use super::fix::{self, Context};
use super::plan::{Action, Step};
use super::{Diagnosis, SCHEMA_VERSION};
use crate::fsx::WriteError;
use crate::secret::Redactor;
use serde_json::{Value, json};
use std::path::Path;

/// The diff each step would apply, in plan order (`None` for steps that edit no file).
pub fn previews(steps: &[Step], ctx: &Context) -> Vec<Option<String>> {
    steps
        .iter()
        .map(|s| match fix::preview(s, ctx) {
            Ok(d) => d,
            Err(e) => Some(format!("(cannot preview: {e})\n")),
        })
        .collect()
}

/// Every secret the diagnosis saw, as a redactor for whatever is shown of it.
pub fn redactor(d: &Diagnosis) -> Redactor {
    let given = d.supplied.as_ref().map(|s| &s.secret);
    fix::redactor(d.facts.secrets().into_iter().chain(given))
}

fn step_json(n: usize, s: &Step, preview: Option<&Option<String>>) -> Value {
    let (file, command) = match &s.action {
        Action::ConfigSet { key, secret } => (
            None,
            Some(format!(
                "clawkit config set {key} <the gateway's secret, {}>",
                secret.fingerprint()
            )),
        ),
        Action::ConfigUnset { key } => (None, Some(format!("clawkit config unset {key}"))),
        Action::FileSecret { file, .. } | Action::FileReplace { file, .. } => {
            (Some(file.display().to_string()), None)
        }
        Action::Chmod { path, .. } => (Some(path.display().to_string()), None),
        Action::StopProcess { pid } => (None, Some(format!("stop pid {pid}"))),
        Action::Approve { request_id, .. } => (None, Some(format!("approve {request_id}"))),
        Action::Manual { command } => (None, Some(command.clone())),
        _ => (None, None),
    };
    json!({
        "n": n, "phase": s.phase, "kind": s.kind(), "title": s.title, "fixes": s.fixes,
        "file": file, "command": command, "diff": preview.cloned().flatten(),
    })
}

/// The `--json` document of a diagnosis (schema [`SCHEMA_VERSION`]).
pub fn document(d: &Diagnosis, previews: &[Option<String>]) -> Value {
    let f = &d.facts;
    json!({
        "schemaVersion": SCHEMA_VERSION,
        "clawkit": env!("CARGO_PKG_VERSION"),
        "stateDir": f.paths.state_dir.value,
        "configPath": f.paths.config_path.value,
        "topology": f.topology,
        "healthy": d.healthy(),
        "worst": d.worst(),
        "versions": {"cli": f.cli_version(), "gateway": f.gateway_version()},
        "checks": d.checks.iter().map(|c| json!({
            "id": c.id, "group": c.group, "title": c.title, "worst": c.worst(), "findings": c.findings,
        })).collect::<Vec<_>>(),
        "causes": d.causes,
        "supplied": d.supplied,
        "plan": d.steps.iter().enumerate().map(|(i, s)| step_json(i + 1, s, previews.get(i))).collect::<Vec<_>>(),
    })
}

/// The support bundle: the JSON document plus the masked config, every secret as a
/// fingerprint, written atomically with mode 0600.
pub fn write_report(path: &Path, d: &Diagnosis, doc: &Value) -> Result<(), WriteError> {
    let redactor = redactor(d);
    let config_text = std::fs::read_to_string(&d.facts.paths.config_path.value).ok();
    let mut bundle = doc.clone();
    bundle["report"] = json!({
        "generatedAt": crate::time::format_time_ms(crate::time::now_ms()),
        "os": std::env::consts::OS,
        "maskedConfig": config_text.map(|t| redactor.redact(&t)),
        "note": "secrets appear only as sha256 fingerprints",
    });
    let text = redactor.redact(&serde_json::to_string_pretty(&bundle).unwrap_or_default());
    crate::fsx::write_atomic(path, text.as_bytes(), 0o600)
}
