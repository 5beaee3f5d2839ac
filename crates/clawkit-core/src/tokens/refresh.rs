//! The one device-token refresh: get this client's current token from the gateway with the
//! shared secret, cache it where OpenClaw reads it (backup first), and prove it with a real
//! handshake as this device alone. `gateway token rotate` and the doctor's refresh step both
//! call [`refresh`]; the in-band rotation shares its cache-and-verify half.

use super::local::{HANDSHAKE, Local, refused};
use super::scopes::choose_scopes;
use crate::error::Error;
use crate::gateway::device::{check_token, issue_token};
use crate::gateway::{Credential, DeviceIdentity, Verdict};
use crate::openclaw::state::{CacheWrite, DeviceState, store_cached_token};
use crate::secret::fingerprint;
use crate::target::Target;
use serde::{Serialize, Serializer};
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct RefreshRequest {
    pub role: String,
    /// The gateway's shared secret; `Credential::None`: this client's configured one (else
    /// the one this host's config gives the gateway).
    pub secret: Credential,
    /// Bound for each handshake step.
    pub timeout: Duration,
}

/// How the fresh token was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum How {
    /// Reconnected as this device with the shared secret; the gateway answered with the
    /// device's current token (issuing one when needed).
    #[serde(rename = "cached token")]
    SharedSecret,
    /// Rotated with the device's own still-valid token; the gateway handed the new one back.
    #[serde(rename = "rotated in-band with its own token")]
    InBand,
}

impl How {
    pub fn words(self) -> &'static str {
        match self {
            How::SharedSecret => "cached token",
            How::InBand => "rotated in-band with its own token",
        }
    }
}

/// A fresh token for this client, cached and checked. Tokens appear only as fingerprints.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Refreshed {
    pub device_id: String,
    pub role: String,
    pub how: How,
    /// The fingerprint of the token cached before, if any.
    pub old: Option<String>,
    /// The fingerprint of the token cached now.
    pub new: String,
    #[serde(rename = "backup", serialize_with = "backup_path")]
    pub cached: CacheWrite,
    /// The gateway's verdict on the new token, presented by this device alone.
    pub verified: Verdict,
    #[serde(skip)]
    pub scopes: Vec<String>,
}

impl Refreshed {
    pub fn accepted(&self) -> bool {
        self.verified.is_ok()
    }
}

fn backup_path<S: Serializer>(cached: &CacheWrite, s: S) -> Result<S::Ok, S::Error> {
    cached.backup().serialize(s)
}

/// Called with what the cache write changed, right after it and before the verifying
/// handshake: the doctor journals it there, so `clawkit undo` can put the cache back even if
/// the run dies while verifying.
pub type OnCached<'a> = &'a mut (dyn FnMut(&CacheWrite) -> Result<(), Error> + Send);

/// Gets this client's current token with the shared secret, caches it and verifies it.
pub async fn refresh(
    target: &Target,
    req: &RefreshRequest,
    on_cached: OnCached<'_>,
) -> Result<Refreshed, Error> {
    let local = Local::of(target)?;
    let resolved = RefreshRequest {
        secret: local.secret(target, &req.secret, "reissuing a device token")?,
        ..req.clone()
    };
    let identity = local.identity().await?;
    refresh_as(&local, &identity, &resolved, on_cached).await
}

/// [`refresh`] for an identity at hand and a request whose secret is resolved already.
pub(super) async fn refresh_as(
    local: &Local,
    identity: &DeviceIdentity,
    req: &RefreshRequest,
    on_cached: OnCached<'_>,
) -> Result<Refreshed, Error> {
    let state = local.device_state().await.ok();
    let scopes = choose_scopes(state.as_ref(), identity.device_id(), &req.role);
    let token = issue_token(
        &local.options(HANDSHAKE),
        identity,
        req.secret.clone(),
        &req.role,
        &scopes,
    )
    .await
    .map_err(|v| refused(&local.url, &v))?;
    let fresh = Fresh {
        old: cached_fingerprint(state.as_ref(), identity.device_id(), &req.role),
        role: req.role.clone(),
        scopes,
        token,
        how: How::SharedSecret,
    };
    cache_and_verify(local, identity, fresh, req.timeout, on_cached).await
}

/// A token just obtained, not yet cached.
pub(super) struct Fresh {
    pub role: String,
    pub scopes: Vec<String>,
    pub token: String,
    pub old: Option<String>,
    pub how: How,
}

/// Stores `fresh` as this client's cached token (backup first), reports the write, then asks
/// the gateway whether it accepts the token from this device alone.
pub(super) async fn cache_and_verify(
    local: &Local,
    identity: &DeviceIdentity,
    fresh: Fresh,
    timeout: Duration,
    on_cached: OnCached<'_>,
) -> Result<Refreshed, Error> {
    let cached = store(local, identity.device_id(), &fresh).await?;
    on_cached(&cached)?;
    let verified = check_token(
        &local.options(timeout),
        identity,
        &fresh.token,
        &fresh.role,
        &fresh.scopes,
    )
    .await;
    Ok(Refreshed {
        device_id: identity.device_id().to_string(),
        new: fingerprint(&fresh.token),
        role: fresh.role,
        how: fresh.how,
        old: fresh.old,
        cached,
        verified,
        scopes: fresh.scopes,
    })
}

async fn store(local: &Local, device_id: &str, fresh: &Fresh) -> Result<CacheWrite, Error> {
    let (dir, id) = (local.state_dir.clone(), device_id.to_string());
    let (role, token, scopes) = (
        fresh.role.clone(),
        fresh.token.clone(),
        fresh.scopes.clone(),
    );
    let write = crate::blocking::blocking(move || {
        let backups = crate::fsx::backup_root(&dir);
        store_cached_token(&dir, &id, &role, &token, &scopes, &backups)
    })
    .await?;
    Ok(write)
}

/// The fingerprint of the token this client has cached for `device_id`'s `role`.
pub(super) fn cached_fingerprint(
    state: Option<&DeviceState>,
    device_id: &str,
    role: &str,
) -> Option<String> {
    state?
        .cached_tokens
        .iter()
        .find(|c| c.device_id == device_id && c.role == role)
        .map(|c| c.token.fingerprint())
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    pub fn refreshed(cached: CacheWrite) -> Refreshed {
        Refreshed {
            device_id: "d1".into(),
            role: "operator".into(),
            how: How::SharedSecret,
            old: None,
            new: fingerprint("NEW-TOKEN"),
            cached,
            verified: Verdict::Ok,
            scopes: vec!["operator.admin".into()],
        }
    }

    /// The `--json` document of `rotate` for this client, as it always was.
    #[test]
    fn a_refresh_serializes_fingerprints_and_the_backup_path() {
        let created = CacheWrite::Created {
            path: "/s/identity/device-auth.json".into(),
        };
        let doc = serde_json::to_value(refreshed(created)).unwrap();
        assert_eq!(
            doc,
            serde_json::json!({
                "deviceId": "d1", "role": "operator", "how": "cached token", "old": null,
                "new": fingerprint("NEW-TOKEN"), "backup": "/s/identity/device-auth.json",
                "verified": {"verdict": "ok"},
            })
        );
        let row = CacheWrite::Row {
            db: "/s/state/openclaw.sqlite".into(),
            backup: "/s/b/openclaw.sqlite.1-2.bak".into(),
            device_id: "d1".into(),
            role: "operator".into(),
        };
        let doc = serde_json::to_value(refreshed(row)).unwrap();
        assert_eq!(doc["backup"], "/s/b/openclaw.sqlite.1-2.bak");
        assert_eq!(
            serde_json::to_value(How::InBand).unwrap(),
            How::InBand.words()
        );
    }
}
