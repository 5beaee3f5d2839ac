//! `rotate`: a fresh token for this client (with the shared secret, or in-band with its own
//! still-valid token when no shared secret is at hand), another device's token rotated on the
//! gateway, or every paired device's (`all`) followed by this client's own.

use super::given::{Adopted, adopt};
use super::local::{HANDSHAKE, Local, rpc_refused};
use super::pairing::{ListedDevice, pair_list};
use super::refresh::{Fresh, How, RefreshRequest, Refreshed, cache_and_verify, refresh_as};
use super::scopes::choose_scopes;
use crate::error::Error;
use crate::event::{Cancel, Event, Observer};
use crate::gateway::{Credential, DeviceIdentity, connect};
use crate::openclaw::state::short_device_id as short_id;
use crate::target::Target;
use serde::{Serialize, Serializer};
use serde_json::{Value, json};

#[derive(Debug, Clone)]
pub struct RotateRequest {
    /// Another device to rotate on the gateway (`None`: this client's own).
    pub device: Option<String>,
    /// Every other paired device holding a `role` token, then this client's own.
    pub all: bool,
    pub role: String,
    /// The gateway's shared secret; `Credential::None`: this client's configured one.
    pub secret: Credential,
}

#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum Rotated {
    /// This client's own token, refreshed.
    Own(Box<Refreshed>),
    /// Another device's token, rotated on the gateway.
    Other(OtherRotated),
    /// Every other paired device rotated on the gateway, then this client's own refreshed.
    All {
        #[serde(rename = "otherDevices", serialize_with = "device_ids")]
        others: Vec<ListedDevice>,
        #[serde(flatten)]
        own: Box<Refreshed>,
    },
}

impl Rotated {
    /// Whether the gateway accepts what this client now holds (always, for another device).
    pub fn accepted(&self) -> bool {
        match self {
            Rotated::Own(own) | Rotated::All { own, .. } => own.accepted(),
            Rotated::Other(_) => true,
        }
    }
}

/// Another device's token, rotated on the gateway; that device gets the new one on its next
/// connection with the shared secret (the gateway withholds it from us).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OtherRotated {
    pub device_id: String,
    pub role: String,
    pub rotated_at_ms: Option<i64>,
    /// How the gateway says the device gets its new token.
    pub token_delivery: Value,
    /// The local gateway's port, for the Control UI address a person opens.
    #[serde(skip)]
    pub port: u16,
}

fn device_ids<S: Serializer>(devices: &[ListedDevice], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(devices.iter().map(|d| &d.device_id))
}

/// A rotation, and what became of the secret the user gave for it.
#[derive(Debug, Clone, Serialize)]
pub struct Rotation {
    #[serde(flatten)]
    pub rotated: Rotated,
    /// The secret given with `--token`/`--password`: verified, and stored when this client's
    /// config would send another.
    #[serde(rename = "givenSecret", skip_serializing_if = "Option::is_none")]
    pub adopted: Option<Adopted>,
}

/// Rotates as `req` asks. A secret given in `req.secret` is put to the gateway first: refused,
/// nothing is written; accepted, it is stored where the CLI reads it (journalled) unless the
/// CLI sends it already, then the rotation runs with it.
pub async fn rotate(
    target: &Target,
    req: &RotateRequest,
    obs: &mut dyn Observer,
    cancel: &Cancel,
) -> Result<Rotation, Error> {
    if req.all && req.device.is_some() {
        return Err(Error::Usage(
            "rotate either one device or all of them, not both".into(),
        ));
    }
    let local = Local::of(target)?;
    let own_only = req.device.is_none() && !req.all;
    let secret = match local.secret(target, &req.secret, "reissuing a device token") {
        Ok(secret) => secret,
        // No shared secret here: a client whose own device token still works rotates it
        // in-band, as that device.
        Err(no_secret) if own_only => {
            return match in_band(&local, &req.role).await? {
                Some(own) => Ok(Rotation {
                    rotated: Rotated::Own(Box::new(own)),
                    adopted: None,
                }),
                None => Err(no_secret),
            };
        }
        Err(e) => return Err(e),
    };
    let identity = own_identity(&local, req.device.as_deref()).await?;
    // Everything that can refuse without writing has been asked; the given secret now.
    let adopted = adopt_given(target, req, obs).await?;
    let Some(identity) = identity else {
        let device = req.device.as_deref().unwrap_or_default();
        let port = target.paths.port(&local.config, &target.env).value;
        let other = other(&local, &secret, device, &req.role, port).await?;
        return Ok(Rotation {
            rotated: Rotated::Other(other),
            adopted,
        });
    };
    let others = if req.all {
        let own_id = identity.device_id();
        Some(others(&local, &secret, &req.role, own_id, obs, cancel).await?)
    } else {
        None
    };
    let refresh = RefreshRequest {
        role: req.role.clone(),
        secret,
        timeout: HANDSHAKE,
    };
    let own = Box::new(refresh_as(&local, &identity, &refresh, &mut |_| Ok(())).await?);
    let rotated = match others {
        Some(others) => Rotated::All { others, own },
        None => Rotated::Own(own),
    };
    Ok(Rotation { rotated, adopted })
}

/// The secret given in `req`, put to the gateway (refused: the error, nothing written) and
/// stored when this client's config would send another, as the progress says.
async fn adopt_given(
    target: &Target,
    req: &RotateRequest,
    obs: &mut dyn Observer,
) -> Result<Option<Adopted>, Error> {
    let flag = match req.secret {
        Credential::Password(_) => "--password",
        _ => "--token",
    };
    let next = format!(
        "clawkit gateway token rotate {flag} -   # with the gateway's current {} on standard input",
        &flag[2..]
    );
    let adopted = adopt(target, &req.secret, &next).await?;
    if let Some((id, key)) = adopted
        .as_ref()
        .and_then(|a| a.journal.as_ref().zip(a.key.as_ref()))
    {
        obs.on(Event::Progress {
            message: format!("stored the secret you gave in {key} (undo: clawkit undo {id})"),
        });
    }
    Ok(adopted)
}

/// This client's identity when the request is about it (no device named, or its own id);
/// `None` when it names another device. Without an identity of its own there is nothing to
/// rotate for this client.
async fn own_identity(
    local: &Local,
    device: Option<&str>,
) -> Result<Option<DeviceIdentity>, Error> {
    let identity = local.identity_if_any().await?;
    match (device, identity) {
        (None, Some(id)) => Ok(Some(id)),
        (Some(d), Some(id)) if d == id.device_id() => Ok(Some(id)),
        (None, None) => Err(Error::Usage(format!(
            "this client has no device identity under {} yet; nothing to rotate",
            local.state_dir.display()
        ))),
        (Some(_), _) => Ok(None),
    }
}

/// Rotates every other paired device holding a live `role` token, reporting each as it goes.
async fn others(
    local: &Local,
    secret: &Credential,
    role: &str,
    own_id: &str,
    obs: &mut dyn Observer,
    cancel: &Cancel,
) -> Result<Vec<ListedDevice>, Error> {
    let mut conn = local.admin(secret).await?;
    let listed = pair_list(&mut conn).await?;
    let mut rotated = Vec::new();
    for d in listed.paired {
        if d.device_id == own_id || !d.has_live_token(role) {
            continue;
        }
        if cancel.is_cancelled() {
            return Err(Error::Cancelled(format!(
                "cancelled after rotating {} other device(s) on the gateway",
                rotated.len()
            )));
        }
        conn.request(
            "device.token.rotate",
            json!({"deviceId": d.device_id, "role": role}),
        )
        .await
        .map_err(rpc_refused)?;
        obs.on(Event::Progress {
            message: format!(
                "rotated on the gateway: {} ({})",
                short_id(&d.device_id),
                d.client_id.as_deref().unwrap_or("?")
            ),
        });
        rotated.push(d);
    }
    conn.close().await;
    Ok(rotated)
}

/// Rotates another device's token on the gateway.
async fn other(
    local: &Local,
    secret: &Credential,
    device: &str,
    role: &str,
    port: u16,
) -> Result<OtherRotated, Error> {
    let mut conn = local.admin(secret).await?;
    let result = conn
        .request(
            "device.token.rotate",
            json!({"deviceId": device, "role": role}),
        )
        .await
        .map_err(|e| Error::Refused(format!("the gateway refused the rotation: {e}")))?;
    conn.close().await;
    Ok(OtherRotated {
        device_id: device.to_string(),
        role: role.to_string(),
        rotated_at_ms: result["rotatedAtMs"].as_i64(),
        token_delivery: result["tokenDelivery"].clone(),
        port,
    })
}

/// Rotates this client's own token while authenticated with that token: the gateway hands the
/// new one back in-band. `None` when there is no usable cached token to do it with.
async fn in_band(local: &Local, role: &str) -> Result<Option<Refreshed>, Error> {
    let Some(identity) = local.identity_if_any().await? else {
        return Ok(None);
    };
    let state = local.device_state().await.ok();
    let Some(cached) = state.as_ref().and_then(|s| {
        s.cached_tokens
            .iter()
            .find(|c| c.device_id == identity.device_id() && c.role == role)
    }) else {
        return Ok(None);
    };
    let scopes = choose_scopes(state.as_ref(), identity.device_id(), role);
    let mut opts = local.options(HANDSHAKE);
    opts.role = role.to_string();
    opts.scopes = scopes.clone();
    opts.device = Some((identity.clone(), Some(cached.token.expose().to_string())));
    let Ok(mut conn) = connect(&opts).await else {
        return Ok(None); // the cached token is refused: only the shared secret can help
    };
    let result = conn
        .request(
            "device.token.rotate",
            json!({"deviceId": identity.device_id(), "role": role}),
        )
        .await
        .map_err(|e| Error::Refused(format!("the gateway refused the rotation: {e}")))?;
    conn.close().await;
    let Some(token) = result["token"].as_str().map(str::to_string) else {
        return Err(Error::Protocol(
            "the gateway rotated the token but did not hand it back in-band".into(),
        ));
    };
    let fresh = Fresh {
        role: role.to_string(),
        scopes,
        token,
        old: Some(cached.token.fingerprint()),
        how: How::InBand,
    };
    cache_and_verify(local, &identity, fresh, HANDSHAKE, &mut |_| Ok(()))
        .await
        .map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tokens::refresh::tests::refreshed;

    #[test]
    fn rotating_all_adds_the_other_devices_to_this_clients_document() {
        let own = refreshed(crate::openclaw::state::CacheWrite::Created {
            path: "/s/c.json".into(),
        });
        let other = ListedDevice {
            device_id: "d2".into(),
            ..ListedDevice::default()
        };
        let all = Rotated::All {
            others: vec![other],
            own: Box::new(own.clone()),
        };
        let mut expected = serde_json::to_value(&own).unwrap();
        expected["otherDevices"] = json!(["d2"]);
        assert_eq!(serde_json::to_value(&all).unwrap(), expected);
        assert!(all.accepted());
    }

    /// A given secret adds `givenSecret` (fingerprints and the journal id) to the document it
    /// always was; without one the document is unchanged.
    #[test]
    fn a_given_secret_adds_its_record_to_the_rotation_document() {
        let own = refreshed(crate::openclaw::state::CacheWrite::Created {
            path: "/s/c.json".into(),
        });
        let plain = Rotation {
            rotated: Rotated::Own(Box::new(own.clone())),
            adopted: None,
        };
        let expected = serde_json::to_value(&own).unwrap();
        assert_eq!(serde_json::to_value(&plain).unwrap(), expected);
        let with = Rotation {
            adopted: Some(Adopted {
                fingerprint: "sha256:0123456789ab".into(),
                key: Some("gateway.remote.token".into()),
                journal: Some("20260101-000000-1".into()),
                journal_path: None,
                backup: None,
                note: None,
            }),
            ..plain
        };
        let doc = serde_json::to_value(&with).unwrap();
        assert_eq!(doc["deviceId"], expected["deviceId"]);
        assert_eq!(doc["givenSecret"]["key"], "gateway.remote.token");
        assert_eq!(doc["givenSecret"]["journal"], "20260101-000000-1");
    }

    #[test]
    fn another_devices_rotation_keeps_its_document() {
        let other = Rotated::Other(OtherRotated {
            device_id: "d2".into(),
            role: "operator".into(),
            rotated_at_ms: Some(5),
            token_delivery: json!("on-next-connect"),
            port: 18789,
        });
        assert_eq!(
            serde_json::to_value(&other).unwrap(),
            json!({"deviceId": "d2", "role": "operator", "rotatedAtMs": 5, "tokenDelivery": "on-next-connect"})
        );
    }
}
