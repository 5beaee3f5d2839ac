//! `reset`: every paired device and pending request removed, so each must pair again (after a
//! leak, or when device tokens are beyond repair). Asks first, backs up the pairing state,
//! clears this client's cached tokens, and checks that the gateway lists nothing afterwards.
//!
//! No connection stays open while the approver decides: a person may take minutes, and a
//! connection nobody reads cannot answer the gateway's pings. So the gateway is listed once
//! for the question and again, on a new connection, for the removal. A reset removes whatever
//! is paired at that moment, which is what it promises.

use super::local::{Local, rpc_refused};
use super::pairing::{ListedDevice, PairList, pair_list};
use crate::error::Error;
use crate::event::{Approver, Ask, Cancel, Decision, Event, Observer, Question};
use crate::gateway::{Connection, Credential};
use crate::openclaw::state::{backup_device_state, clear_cached_tokens};
use crate::target::Target;
use serde::{Serialize, Serializer};
use serde_json::json;
use std::path::PathBuf;

#[derive(Debug, Clone)]
pub enum ResetOutcome {
    /// The approver said no: nothing changed. The counts are what the reset would remove.
    Declined {
        paired: usize,
        pending: usize,
    },
    Reset(Box<ResetDone>),
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResetDone {
    /// The devices removed, as a person recognises them.
    #[serde(serialize_with = "labels")]
    pub removed: Vec<ListedDevice>,
    pub rejected_pending: usize,
    pub cleared_cached_tokens: usize,
    /// The copy of the pairing state taken before anything was removed.
    pub backup: PathBuf,
    /// Paired devices and pending requests the gateway still lists afterwards.
    pub remaining: usize,
}

fn labels<S: Serializer>(devices: &[ListedDevice], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(devices.iter().map(ToString::to_string))
}

/// The question a reset asks, in one line.
fn question(listed: &PairList) -> Question {
    let devices: Vec<String> = listed.paired.iter().map(ToString::to_string).collect();
    let names = if devices.is_empty() {
        String::new()
    } else {
        format!(" ({})", devices.join(", "))
    };
    Question {
        ask: Ask::ResetPairing,
        text: format!(
            "This removes {} paired device(s){names} and {} pending request(s); each must pair again. Continue?",
            listed.paired.len(),
            listed.pending.len()
        ),
    }
}

/// Asks, then removes every pairing on the local gateway. `secret`: the gateway's shared
/// secret (`Credential::None`: this client's configured one).
pub async fn reset(
    target: &Target,
    secret: &Credential,
    obs: &mut dyn Observer,
    approver: &mut dyn Approver,
    cancel: &Cancel,
) -> Result<ResetOutcome, Error> {
    let local = Local::of(target)?;
    let secret = local.secret(target, secret, "resetting device pairing")?;
    let shown = listed(&local, &secret).await?;
    if approver.decide(&question(&shown)).await != Decision::Yes {
        return Ok(ResetOutcome::Declined {
            paired: shown.paired.len(),
            pending: shown.pending.len(),
        });
    }
    let mut conn = local.admin(&secret).await?;
    let listed = pair_list(&mut conn).await?;
    // What this host holds of the pairing state (the gateway's own when it shares this state
    // dir), before anything is removed.
    let backup = backup(&local).await?;
    let removed = remove(&mut conn, listed, obs, cancel).await?;
    let cleared_cached_tokens = clear(&local).await?;
    let after = pair_list(&mut conn).await?;
    conn.close().await;
    Ok(ResetOutcome::Reset(Box::new(ResetDone {
        rejected_pending: removed.rejected,
        removed: removed.devices,
        cleared_cached_tokens,
        backup,
        remaining: after.paired.len() + after.pending.len(),
    })))
}

async fn listed(local: &Local, secret: &Credential) -> Result<PairList, Error> {
    let mut conn = local.admin(secret).await?;
    let listed = pair_list(&mut conn).await;
    conn.close().await;
    listed
}

struct Removed {
    devices: Vec<ListedDevice>,
    rejected: usize,
}

/// Removes each paired device and rejects each pending request; stops between two when
/// cancelled (the backup is taken, the message says how far it got).
async fn remove(
    conn: &mut Connection,
    listed: PairList,
    obs: &mut dyn Observer,
    cancel: &Cancel,
) -> Result<Removed, Error> {
    let mut done = Removed {
        devices: Vec::new(),
        rejected: 0,
    };
    let stop = |done: &Removed| {
        Error::Cancelled(format!(
            "reset cancelled after removing {} paired device(s) and rejecting {} pending request(s)",
            done.devices.len(),
            done.rejected
        ))
    };
    for d in listed.paired {
        if cancel.is_cancelled() {
            return Err(stop(&done));
        }
        conn.request("device.pair.remove", json!({"deviceId": d.device_id}))
            .await
            .map_err(rpc_refused)?;
        obs.on(Event::Progress {
            message: format!("removed the pairing of {d}"),
        });
        done.devices.push(d);
    }
    for p in listed.pending {
        if cancel.is_cancelled() {
            return Err(stop(&done));
        }
        conn.request("device.pair.reject", json!({"requestId": p.request_id}))
            .await
            .map_err(rpc_refused)?;
        obs.on(Event::Progress {
            message: format!("rejected pending request {}", p.request_id),
        });
        done.rejected += 1;
    }
    Ok(done)
}

async fn backup(local: &Local) -> Result<PathBuf, Error> {
    let dir = local.state_dir.clone();
    let root = crate::fsx::backup_root(&dir);
    Ok(crate::blocking::blocking(move || backup_device_state(&dir, &root)).await?)
}

async fn clear(local: &Local) -> Result<usize, Error> {
    let dir = local.state_dir.clone();
    Ok(crate::blocking::blocking(move || clear_cached_tokens(&dir)).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_question_names_what_goes_in_one_line() {
        let listed: PairList = serde_json::from_value(json!({
            "paired": [{"deviceId": "d1", "clientId": "cli", "clientMode": "cli"}],
            "pending": [{"requestId": "r1"}, {"requestId": "r2"}],
        }))
        .unwrap();
        let q = question(&listed);
        assert_eq!(q.ask, Ask::ResetPairing);
        assert_eq!(
            q.text,
            "This removes 1 paired device(s) (d1 (cli/cli)) and 2 pending request(s); each must pair again. Continue?"
        );
        assert!(!q.text.contains('\n'));
    }
}
