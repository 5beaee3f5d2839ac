//! This client's device: its cached tokens against the gateway's records, whether it is
//! paired, and the pairing and repair requests that wait.

use super::{Facts, cli_uses_device_token, short};
use crate::doctor::{Check, Group};
use crate::finding::{Finding, Severity, codes};
use crate::gateway::Verdict;

pub(super) fn check(f: &Facts) -> Check {
    let mut v = Vec::new();
    let title = "This client's device identity, cached tokens and pairing requests";
    let state = match &f.state {
        Ok(s) => s,
        Err(e) => {
            v.push(Finding::new(
                codes::DEVICE_STATE_UNREADABLE,
                Severity::Warning,
                e.clone(),
            ));
            return Check::new("devices", Group::Devices, title, v);
        }
    };
    let own = f.identity.as_ref().map(|i| i.device_id().to_string());
    let device_refused = f.device_verdict.as_ref().is_some_and(|d| !d.is_ok());
    let severity = if cli_uses_device_token(f) {
        Severity::Error
    } else {
        Severity::Warning
    };
    for (cached, why) in state.stale_cached_tokens() {
        if own.as_deref() != Some(cached.device_id.as_str()) {
            continue;
        }
        let revoked = why.contains("revoked");
        v.push(
            Finding::new(
                if revoked { codes::DEVICE_TOKEN_REVOKED } else { codes::DEVICE_TOKEN_STALE },
                severity,
                format!(
                    "this client's cached {} token {} is {why}: the gateway answers `device token mismatch`",
                    cached.role,
                    cached.token.fingerprint()
                ),
            )
            .evidence(format!("cached in {}", describe_source(&state.cached_source)))
            .next("clawkit gateway token rotate"),
        );
    }
    // A refusal the state does not explain (the gateway's state lives elsewhere).
    if device_refused
        && !v.iter().any(|f| f.code.starts_with("device-token"))
        && matches!(f.device_verdict, Some(Verdict::DeviceTokenMismatch { .. }))
    {
        v.push(
            Finding::new(
                codes::DEVICE_TOKEN_STALE,
                severity,
                "the gateway refuses this client's cached device token (rotated or revoked on the gateway)",
            )
            .next("clawkit gateway token rotate"),
        );
    }
    let has_cached = own.as_deref().is_some_and(|id| {
        state
            .cached_tokens
            .iter()
            .any(|c| c.device_id == id && c.role == "operator")
    });
    if cli_uses_device_token(f) && !has_cached && f.config.is_ok() {
        v.push(
            Finding::new(
                codes::DEVICE_TOKEN_MISSING,
                Severity::Error,
                "the CLI has no shared secret and no cached device token: it cannot authenticate (OpenClaw 2026.7 drops a cached token the gateway refused)",
            )
            .evidence(match &own {
                Some(id) => format!("device {} has no operator token in {}", short(id), describe_source(&state.cached_source)),
                None => "no device identity on this client".into(),
            })
            .next("clawkit gateway token rotate --token <the gateway's token>"),
        );
    }
    if let Some(id) = &own
        && state.paired_device(id).is_none()
        && cli_uses_device_token(f)
        && !state.paired.is_empty()
    {
        v.push(
            Finding::new(
                codes::DEVICE_NOT_PAIRED,
                Severity::Error,
                format!("this client's device {} is not paired with the gateway, and the CLI has no shared secret to pair with", short(id)),
            )
            .next("export OPENCLAW_GATEWAY_TOKEN=…; clawkit gateway token rotate"),
        );
    }
    for p in &state.pending {
        let mine = own.as_deref() == Some(p.device_id.as_str());
        let who = if mine {
            "this client's device".to_string()
        } else {
            format!(
                "device {} ({}/{})",
                short(&p.device_id),
                p.client_id.as_deref().unwrap_or("?"),
                p.client_mode.as_deref().unwrap_or("?")
            )
        };
        let (code, severity, what) = if p.is_repair {
            (
                codes::DEVICE_REPAIR_PENDING,
                Severity::Warning,
                "a repair request (its key or requested access changed)",
            )
        } else {
            (
                codes::DEVICE_PAIRING_PENDING,
                Severity::Info,
                "a pairing request",
            )
        };
        v.push(
            Finding::new(
                code,
                severity,
                format!(
                    "{who} has {what} waiting for approval: until then it is refused (roles {}, scopes {})",
                    p.roles.join(","),
                    p.scopes.join(",")
                ),
            )
            .evidence(format!("request {} in {}", p.request_id, describe_source(&state.pairing_source)))
            .next(format!("openclaw devices approve {}", p.request_id)),
        );
    }
    if v.is_empty() {
        v.push(Finding::new(
            codes::DEVICES_OK,
            Severity::Ok,
            match &own {
                Some(id) => format!("device {}: no stale token, no pending request", short(id)),
                None => "no device identity on this client yet (the CLI creates one on first use)"
                    .into(),
            },
        ));
    }
    Check::new("devices", Group::Devices, title, v)
}

fn describe_source(s: &crate::openclaw::state::Source) -> String {
    use crate::openclaw::state::Source;
    match s {
        Source::Sqlite(p) | Source::Json(p) => p.display().to_string(),
        Source::Missing => "no state file".into(),
    }
}
