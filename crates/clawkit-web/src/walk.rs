//! The guided walkthrough: the doctor's one diagnosis, cut into the troubleshooting order
//! people follow (who holds the port → a recent update → break-glass settings → the browser →
//! the service → several devices → the full doctor). Each step owns the checks of its groups
//! and the plan steps that fix their findings; what no earlier step owns is the full doctor's.
//! Works on the `--json` document, so the web shows exactly what the CLI reports.

use serde::Serialize;
use serde_json::Value;

/// One step of the walkthrough.
#[derive(Debug, Clone, Serialize)]
pub struct WalkStep {
    pub id: &'static str,
    pub title: &'static str,
    /// `ok`, `warn`, `fail`, or `manual` (only the user can say).
    pub status: &'static str,
    /// The checks of this step, as the document has them.
    pub checks: Vec<Value>,
    /// The plan steps (`n` in the document) that fix what this step found.
    pub plan: Vec<Value>,
    /// What to do by hand when clawkit cannot.
    pub manual: Option<&'static str>,
}

struct Spec {
    id: &'static str,
    title: &'static str,
    groups: &'static [&'static str],
    manual: Option<&'static str>,
}

const ORDER: &[Spec] = &[
    Spec {
        id: "port",
        title: "Who holds the port (a zombie gateway?)",
        groups: &["port"],
        manual: None,
    },
    Spec {
        id: "update",
        title: "A recent update: CLI, gateway and service versions",
        groups: &["install"],
        manual: None,
    },
    Spec {
        id: "break-glass",
        title: "Break-glass and retired settings",
        groups: &["config", "security"],
        manual: None,
    },
    Spec {
        id: "browser",
        title: "The browser's cached device token",
        groups: &[],
        manual: Some(
            "If the dashboard says `device token mismatch`, open it in a fresh private window: \
             the browser then pairs again with a new device token. Close every private window \
             first (they share one session), or use a fresh profile.",
        ),
    },
    Spec {
        id: "service",
        title: "The service (scheduled task, systemd unit, launchd agent) vs the CLI",
        groups: &["service"],
        manual: None,
    },
    Spec {
        id: "devices",
        title: "Several devices: pairing and device tokens",
        groups: &["devices"],
        manual: None,
    },
    Spec {
        id: "doctor",
        title: "The full doctor: shared secret, live handshakes, the gateway's log",
        groups: &["shared-secret", "handshake", "log"],
        manual: None,
    },
];

/// The ids of the walkthrough, in order.
pub fn ids() -> impl Iterator<Item = (&'static str, &'static str)> {
    ORDER.iter().map(|s| (s.id, s.title))
}

/// The strings of a JSON array (none when it is not one).
pub(crate) fn strings(v: &Value) -> Vec<&str> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect()
}

fn codes(check: &Value) -> Vec<&str> {
    check["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["code"].as_str())
        .collect()
}

fn status_of(checks: &[Value]) -> &'static str {
    checks
        .iter()
        .flat_map(|c| c["findings"].as_array().into_iter().flatten())
        .filter_map(|f| f["severity"].as_str())
        .fold("ok", |w, s| match (w, s) {
            ("fail", _) | (_, "error") => "fail",
            ("warn", _) | (_, "warning") => "warn",
            _ => "ok",
        })
}

/// The walkthrough of a doctor document.
pub fn steps(doc: &Value) -> Vec<WalkStep> {
    let checks: Vec<&Value> = doc["checks"].as_array().into_iter().flatten().collect();
    let mut steps: Vec<WalkStep> = ORDER
        .iter()
        .map(|spec| {
            let mine: Vec<Value> = checks
                .iter()
                .filter(|c| {
                    spec.groups
                        .contains(&c["group"].as_str().unwrap_or_default())
                })
                .map(|c| (*c).clone())
                .collect();
            WalkStep {
                id: spec.id,
                title: spec.title,
                status: if spec.manual.is_some() {
                    "manual"
                } else {
                    status_of(&mine)
                },
                checks: mine,
                plan: Vec::new(),
                manual: spec.manual,
            }
        })
        .collect();
    for p in doc["plan"].as_array().into_iter().flatten() {
        let fixes = strings(&p["fixes"]);
        let owner = steps
            .iter()
            .position(|s| {
                s.checks
                    .iter()
                    .any(|c| codes(c).iter().any(|k| fixes.contains(k)))
            })
            .unwrap_or(steps.len() - 1);
        steps[owner].plan.push(p.clone());
    }
    steps
}

/// The plan step numbers a walkthrough step's fix applies.
pub fn plan_numbers(step: &WalkStep) -> Vec<usize> {
    step.plan
        .iter()
        .filter(|p| p["phase"] != "manual" && p["phase"] != "verify")
        .filter_map(|p| p["n"].as_u64().map(|n| n as usize))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn checks_go_to_their_step_and_fixes_follow_their_findings() {
        let doc = json!({
            "checks": [
                {"group": "port", "findings": [{"code": "port-zombie", "severity": "error"}]},
                {"group": "install", "findings": [{"code": "versions-ok", "severity": "ok"}]},
                {"group": "shared-secret", "findings": [{"code": "remote-token-stale", "severity": "error"}]},
                {"group": "log", "findings": [{"code": "log-ok", "severity": "info"}]},
            ],
            "plan": [
                {"n": 1, "phase": "stop-processes", "fixes": ["port-zombie"]},
                {"n": 2, "phase": "align-secret", "fixes": ["remote-token-stale"]},
                {"n": 3, "phase": "verify", "fixes": []},
            ],
        });
        let steps = steps(&doc);
        let ids: Vec<_> = steps.iter().map(|s| s.id).collect();
        assert_eq!(
            ids,
            [
                "port",
                "update",
                "break-glass",
                "browser",
                "service",
                "devices",
                "doctor"
            ]
        );
        let by = |id: &str| steps.iter().find(|s| s.id == id).unwrap();
        assert_eq!(by("port").status, "fail");
        assert_eq!(plan_numbers(by("port")), [1]);
        assert_eq!(by("update").status, "ok");
        assert_eq!(by("browser").status, "manual");
        assert_eq!(by("doctor").status, "fail");
        assert_eq!(plan_numbers(by("doctor")), [2], "verify is not a change");
        assert_eq!(
            by("doctor").plan.len(),
            2,
            "the unowned verify step lands in the doctor"
        );
    }
}
