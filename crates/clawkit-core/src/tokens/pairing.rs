//! The gateway's answer to `device.pair.list`, typed: the paired devices (with which roles
//! still hold a live token) and the pending requests, as `rotate --all` and `reset` act on
//! them. Read leniently: a field this OpenClaw leaves out is empty, not an error.

use super::local::rpc_refused;
use crate::error::Error;
use crate::gateway::Connection;
use crate::openclaw::state::short_device_id as short_id;
use serde::Deserialize;
use serde_json::{Value, json};
use std::fmt;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(super) struct PairList {
    pub paired: Vec<ListedDevice>,
    pub pending: Vec<ListedRequest>,
}

/// A paired device as the gateway lists it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ListedDevice {
    pub device_id: String,
    pub client_id: Option<String>,
    pub client_mode: Option<String>,
    pub display_name: Option<String>,
    /// Roles holding a token that is not revoked.
    #[serde(rename = "tokens", deserialize_with = "live_roles")]
    pub live_roles: Vec<String>,
}

impl ListedDevice {
    pub fn has_live_token(&self, role: &str) -> bool {
        self.live_roles.iter().any(|r| r == role)
    }
}

/// `abc123…  (cli/cli, My laptop)`: the device as a person recognises it.
impl fmt::Display for ListedDevice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let or_unknown = |s: &Option<String>| s.clone().unwrap_or_else(|| "?".into());
        write!(
            f,
            "{} ({}/{}{})",
            short_id(if self.device_id.is_empty() {
                "?"
            } else {
                &self.device_id
            }),
            or_unknown(&self.client_id),
            or_unknown(&self.client_mode),
            self.display_name
                .as_deref()
                .map(|n| format!(", {n}"))
                .unwrap_or_default()
        )
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(super) struct ListedRequest {
    pub request_id: String,
}

/// `tokens: [{role, revokedAtMs?}, …]` → the roles whose token is live. Any other shape
/// (absent, an object) holds no live token clawkit can name.
fn live_roles<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    let tokens = Value::deserialize(d)?;
    Ok(tokens
        .as_array()
        .into_iter()
        .flatten()
        .filter(|t| t["revokedAtMs"].is_null())
        .filter_map(|t| t["role"].as_str().map(str::to_string))
        .collect())
}

/// Asks the gateway for its paired devices and pending requests. Entries without an id are
/// left out: there is nothing to act on.
pub(super) async fn pair_list(conn: &mut Connection) -> Result<PairList, Error> {
    let reply = conn
        .request("device.pair.list", json!({}))
        .await
        .map_err(rpc_refused)?;
    let mut list: PairList = serde_json::from_value(reply)
        .map_err(|e| Error::Protocol(format!("device.pair.list: an unexpected reply ({e})")))?;
    list.paired.retain(|d| !d.device_id.is_empty());
    list.pending.retain(|p| !p.request_id.is_empty());
    Ok(list)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_listing_reads_live_roles_and_labels_devices() {
        let list: PairList = serde_json::from_value(json!({
            "paired": [
                {"deviceId": "0123456789abcdef0123456789abcdef", "clientId": "cli", "clientMode": "cli",
                 "tokens": [{"role": "operator"}, {"role": "node", "revokedAtMs": 5}]},
                {"deviceId": "d2", "displayName": "Laptop", "tokens": {"operator": {}}},
            ],
            "pending": [{"requestId": "r1", "deviceId": "d3"}],
        }))
        .unwrap();
        let [cli, laptop] = &list.paired[..] else {
            panic!("{list:?}")
        };
        assert!(cli.has_live_token("operator") && !cli.has_live_token("node"));
        assert!(!laptop.has_live_token("operator"));
        assert_eq!(cli.to_string(), "0123456789ab… (cli/cli)");
        assert_eq!(laptop.to_string(), "d2 (?/?, Laptop)");
        assert_eq!(list.pending[0].request_id, "r1");
    }

    #[test]
    fn missing_fields_are_empty_not_errors() {
        let list: PairList = serde_json::from_value(json!({})).unwrap();
        assert!(list.paired.is_empty() && list.pending.is_empty());
    }
}
