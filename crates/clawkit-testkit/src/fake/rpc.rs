//! The requests the fake answers after `hello-ok`: `health`, `system.info` and
//! `gateway.restart.request`, behind the same scope check as the real gateway; any other
//! method gets the real `unknown method` error.
//!
//! Shapes follow 2026.9.6: `health` and `system.info` carry the fields clawkit reads
//! (`openclaw-internals.md` §4; dist `system` → `collectSystemInfo`), the restart ack is
//! `scheduleSafeGatewayRestart`'s, errors are `errorShape` / `missingScopeErrorShape`.

use super::auth::Admitted;
use super::lifecycle;
use super::protocol::{self, error_shape};
use super::state::{Shared, lock};
use serde_json::{Value, json};
use std::sync::Arc;

/// Answers one request: the response payload, or the `error` object.
pub(super) fn call(
    shared: &Arc<Shared>,
    admitted: &Admitted,
    method: &str,
    params: &Value,
) -> Result<Value, Value> {
    let required = required_scope(method);
    if !scope_satisfied(required, &admitted.scopes) {
        return Err(json!({
            "code": "FORBIDDEN",
            "message": format!("missing scope: {required}"),
            "details": {"code": "MISSING_SCOPE", "missingScope": required, "requiredScopes": [required]},
        }));
    }
    match method {
        "health" => Ok(health()),
        "system.info" => Ok(system_info(shared)),
        "gateway.restart.request" => restart(shared, params),
        _ => Err(error_shape(
            "INVALID_REQUEST",
            &format!("unknown method: {method}"),
        )),
    }
}

/// `CORE_GATEWAY_METHOD_SPECS`; unclassified methods need admin.
fn required_scope(method: &str) -> &'static str {
    match method {
        "health" | "system.info" => "operator.read",
        _ => "operator.admin",
    }
}

/// `operatorScopeSatisfied`, for the two scopes used here.
fn scope_satisfied(required: &str, granted: &[String]) -> bool {
    let has = |s: &str| granted.iter().any(|g| g == s);
    has(required) || has("operator.admin") || (required == "operator.read" && has("operator.write"))
}

fn health() -> Value {
    json!({
        "ok": true,
        "ts": protocol::now_ms(),
        "durationMs": 0,
        "plugins": {"loaded": [], "errors": [], "unavailable": []},
        "configReload": {"hotReloadStatus": "idle"},
        "channels": {},
        "channelOrder": [],
        "defaultAgentId": "main",
        "agents": [],
        "modelRuntime": {"degraded": false, "pendingAgents": []},
        "eventLoop": {"degraded": false, "delayP99Ms": 0, "utilization": 0},
    })
}

/// `system.info`: `uptimeMs` is the process's (it survives an in-process restart), unlike
/// `hello-ok.snapshot.uptimeMs`, which is the boot's.
fn system_info(shared: &Shared) -> Value {
    let live = lock(&shared.live);
    json!({
        "hostname": "fake-gateway",
        "platform": std::env::consts::OS,
        "arch": std::env::consts::ARCH,
        "port": shared.port,
        "nodeVersion": "v26.10.0",
        "pid": shared.opts.pid,
        "processInstanceId": live.process.id,
        "uptimeMs": live.process.uptime_ms(),
        "cpuCount": std::thread::available_parallelism().map_or(1, |n| n.get()),
    })
}

/// Acks at once; the restart itself (delay, `shutdown` event, closes, downtime) runs on.
fn restart(shared: &Arc<Shared>, params: &Value) -> Result<Value, Value> {
    if !(params.is_object() || params.is_null()) {
        return Err(error_shape(
            "INVALID_REQUEST",
            "invalid gateway.restart.request params",
        ));
    }
    let reason = params["reason"]
        .as_str()
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .unwrap_or("gateway.restart.safe");
    let coalesced = !lifecycle::request_restart(shared);
    Ok(json!({
        "ok": true,
        "status": if coalesced { "coalesced" } else { "scheduled" },
        "preflight": {
            "safe": true,
            "counts": {"queueSize": 0, "pendingReplies": 0, "embeddedRuns": 0, "cronRuns": 0,
                       "backgroundExecSessions": 0, "rootRequests": 0, "activeTasks": 0, "totalActive": 0},
            "blockers": [],
            "summary": "safe to restart now",
        },
        "restart": {
            "ok": true, "pid": shared.opts.pid, "signal": "SIGUSR2", "reason": reason, "mode": "emit",
            "cooldownMsApplied": 0, "delayMs": 0, "coalesced": coalesced, "emitHooksQueued": false,
        },
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_methods_need_read_and_the_rest_admin() {
        let scopes = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(scope_satisfied(
            required_scope("health"),
            &scopes(&["operator.write"])
        ));
        assert!(!scope_satisfied(required_scope("health"), &[]));
        assert!(!scope_satisfied(
            required_scope("gateway.restart.request"),
            &scopes(&["operator.read"])
        ));
        assert!(scope_satisfied(
            required_scope("anything.else"),
            &scopes(&["operator.admin"])
        ));
    }
}
