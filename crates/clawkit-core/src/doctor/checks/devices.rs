//! This client's device: its cached tokens against the gateway's records, whether it is
//! paired, and the pairing and repair requests that wait. A device problem is an error when
//! the CLI has no shared secret to fall back on, a warning otherwise.

use super::{Facts, elsewhere, no_cli_secret_handshake, short};
use crate::doctor::{Check, Group};
use crate::finding::{Finding, Severity, codes};
use crate::gateway::Verdict;
use crate::openclaw::state::{CachedToken, DeviceState, PendingRequest, Source};

const TITLE: &str = "This client's device identity, cached tokens and pairing requests";

pub(super) fn check(f: &Facts) -> Check {
    let remote_view;
    let state = match &f.state {
        // A gateway elsewhere keeps its pairings on its host: here only the cached tokens are
        // this client's, and its verdicts speak for the rest.
        Ok(s) if elsewhere(f).is_some() => {
            remote_view = DeviceState {
                paired: Vec::new(),
                pending: Vec::new(),
                ..s.clone()
            };
            &remote_view
        }
        Ok(s) => s,
        Err(e) => {
            let unreadable =
                Finding::new(codes::DEVICE_STATE_UNREADABLE, Severity::Warning, e.clone());
            return Check::new("devices", Group::Devices, TITLE, vec![unreadable]);
        }
    };
    let own = f.identity.as_ref().map(|i| i.device_id());
    let severity = if no_cli_secret_handshake(f) {
        Severity::Error
    } else {
        Severity::Warning
    };
    // The state's records of a gateway elsewhere are not its: only its verdict tells.
    let mut v = match elsewhere(f) {
        Some(_) => Vec::new(),
        None => stale_tokens(state, own, severity),
    };
    if v.is_empty()
        && let Some(Verdict::DeviceTokenMismatch { .. }) = &f.device_verdict
    {
        // A refusal the state does not explain (the gateway's state lives elsewhere).
        v.push(
            Finding::new(
                codes::DEVICE_TOKEN_STALE,
                severity,
                "the gateway refuses this client's cached device token (rotated or revoked on the gateway)",
            )
            .next("clawkit gateway token rotate"),
        );
    }
    if no_cli_secret_handshake(f) {
        v.extend(missing_token(state, own));
        v.extend(not_paired(state, own));
    }
    v.extend(state.pending.iter().map(|p| pending(state, p, own)));
    if v.is_empty() {
        v.push(Finding::new(
            codes::DEVICES_OK,
            Severity::Ok,
            match own {
                Some(id) => format!("device {}: no stale token, no pending request", short(id)),
                None => "no device identity on this client yet (the CLI creates one on first use)"
                    .into(),
            },
        ));
    }
    Check::new("devices", Group::Devices, TITLE, v)
}

/// This device's cached tokens the gateway's records no longer match.
fn stale_tokens(state: &DeviceState, own: Option<&str>, severity: Severity) -> Vec<Finding> {
    state
        .stale_cached_tokens()
        .into_iter()
        .filter(|(cached, _)| own == Some(cached.device_id.as_str()))
        .map(|(cached, why)| {
            let code = if revoked(state, cached) {
                codes::DEVICE_TOKEN_REVOKED
            } else {
                codes::DEVICE_TOKEN_STALE
            };
            Finding::new(
                code,
                severity,
                format!(
                    "this client's cached {} token {} is {why}: the gateway answers `device token mismatch`",
                    cached.role,
                    cached.token.fingerprint()
                ),
            )
            .evidence(format!("cached in {}", describe_source(&state.cached_source)))
            .next("clawkit gateway token rotate")
        })
        .collect()
}

/// Whether the gateway revoked the token it issued for `cached`'s device and role.
fn revoked(state: &DeviceState, cached: &CachedToken) -> bool {
    state
        .paired_device(&cached.device_id)
        .and_then(|d| d.tokens.iter().find(|t| t.role == cached.role))
        .is_some_and(|t| t.revoked_at_ms.is_some())
}

/// No shared secret and no cached operator token: the CLI cannot authenticate.
fn missing_token(state: &DeviceState, own: Option<&str>) -> Option<Finding> {
    let has_cached = own.is_some_and(|id| {
        state
            .cached_tokens
            .iter()
            .any(|c| c.device_id == id && c.role == "operator")
    });
    (!has_cached).then(|| {
        Finding::new(
            codes::DEVICE_TOKEN_MISSING,
            Severity::Error,
            "the CLI has no shared secret and no cached device token: it cannot authenticate (OpenClaw 2026.7 drops a cached token the gateway refused)",
        )
        .evidence(match own {
            Some(id) => format!(
                "device {} has no operator token in {}",
                short(id),
                describe_source(&state.cached_source)
            ),
            None => "no device identity on this client".into(),
        })
        .next("clawkit gateway token rotate --token <the gateway's token>")
    })
}

/// This device is unknown to a gateway that has paired others, and there is no secret to pair.
fn not_paired(state: &DeviceState, own: Option<&str>) -> Option<Finding> {
    let id = own?;
    (state.paired_device(id).is_none() && !state.paired.is_empty()).then(|| {
        Finding::new(
            codes::DEVICE_NOT_PAIRED,
            Severity::Error,
            format!("this client's device {} is not paired with the gateway, and the CLI has no shared secret to pair with", short(id)),
        )
        .next("export OPENCLAW_GATEWAY_TOKEN=…; clawkit gateway token rotate")
    })
}

/// A pairing or repair request waiting for approval.
fn pending(state: &DeviceState, p: &PendingRequest, own: Option<&str>) -> Finding {
    let who = if own == Some(p.device_id.as_str()) {
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
    Finding::new(
        code,
        severity,
        format!(
            "{who} has {what} waiting for approval: until then it is refused (roles {}, scopes {})",
            p.roles.join(","),
            p.scopes.join(",")
        ),
    )
    .evidence(format!(
        "request {} in {}",
        p.request_id,
        describe_source(&state.pairing_source)
    ))
    .next(format!("openclaw devices approve {}", p.request_id))
}

fn describe_source(s: &Source) -> String {
    match s {
        Source::Sqlite(p) | Source::Json(p) => p.display().to_string(),
        Source::Missing => "no state file".into(),
    }
}
