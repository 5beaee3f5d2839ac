//! Device state built by hand for the unit tests of the pure parts (scope choice, the status
//! model): the rows OpenClaw's state would hold, without a database.

use crate::openclaw::auth::{Secret, SecretKind, SecretOrigin};
use crate::openclaw::state::{CachedToken, DeviceState, IssuedToken, PairedDevice, Source};

pub fn secret(value: &str) -> Secret {
    Secret::new(
        SecretKind::DeviceToken,
        SecretOrigin::State {
            location: "test".into(),
        },
        value,
    )
}

pub fn cached(device: &str, role: &str, scopes: &[&str]) -> CachedToken {
    CachedToken {
        device_id: device.into(),
        role: role.into(),
        scopes: scopes.iter().map(|s| s.to_string()).collect(),
        updated_at_ms: Some(2_000),
        token: secret(&format!("cached-{device}-{role}")),
    }
}

pub fn issued(role: &str, scopes: &[&str]) -> IssuedToken {
    IssuedToken {
        role: role.into(),
        scopes: scopes.iter().map(|s| s.to_string()).collect(),
        created_at_ms: Some(1_000),
        rotated_at_ms: None,
        revoked_at_ms: None,
        last_used_at_ms: None,
        token: None,
    }
}

pub fn paired(device: &str, tokens: Vec<IssuedToken>) -> PairedDevice {
    PairedDevice {
        device_id: device.into(),
        display_name: None,
        platform: None,
        client_id: Some("cli".into()),
        client_mode: Some("cli".into()),
        roles: vec!["operator".into()],
        scopes: Vec::new(),
        approved_via: Some("silent".into()),
        created_at_ms: Some(1_000),
        approved_at_ms: Some(1_000),
        last_seen_at_ms: None,
        tokens,
    }
}

pub fn state(cached: Vec<CachedToken>, paired: Vec<PairedDevice>) -> DeviceState {
    DeviceState {
        identity: None,
        cached_tokens: cached,
        cached_source: Source::Missing,
        paired,
        pending: Vec::new(),
        pairing_source: Source::Missing,
    }
}
