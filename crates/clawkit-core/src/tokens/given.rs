//! `rotate --token/--password`: the secret the user gave is put to the gateway before anything
//! is written (a device token cached, a config changed). Refused, the rotation stops there.
//! Accepted, and not what this client's config would send, it is stored where the CLI reads it
//! first, through the journalled write the doctor's fix uses, so `clawkit undo` puts the
//! config back.

use super::local::HANDSHAKE;
use crate::error::Error;
use crate::fsx::backup_root;
use crate::gateway::Credential;
use crate::journal::Journal;
use crate::journal::lock::FixLock;
use crate::journal::write::replace_file;
use crate::openclaw::auth::{client_credentials, pin_key};
use crate::openclaw::config::{NewValue, plan_set};
use crate::probe::{GivenChecked, check_given};
use crate::target::Target;
use serde::Serialize;
use std::path::PathBuf;

/// What became of an accepted secret the user gave. Values appear only as fingerprints.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Adopted {
    pub fingerprint: String,
    /// The config key that now holds it (`None`: nothing was written; `note` says why).
    pub key: Option<String>,
    /// The fix run that recorded the write: the id `clawkit undo` takes.
    pub journal: Option<String>,
    pub journal_path: Option<PathBuf>,
    pub backup: Option<PathBuf>,
    pub note: Option<String>,
}

/// Verifies `given` (nothing given: `Ok(None)`); refused, an error naming it by fingerprint
/// with `next` as the command to run again; accepted, stored if the CLI would send another.
pub(super) async fn adopt(
    target: &Target,
    given: &Credential,
    next: &str,
) -> Result<Option<Adopted>, Error> {
    let Some(checked) = check_given(target, given, HANDSHAKE).await? else {
        return Ok(None);
    };
    let checked = checked.accepted_or(next)?;
    let t = target.clone();
    crate::blocking::blocking(move || store(&t, &checked))
        .await
        .map(Some)
}

fn store(target: &Target, checked: &GivenChecked) -> Result<Adopted, Error> {
    let secret = &checked.secret;
    let mut adopted = Adopted {
        fingerprint: secret.fingerprint(),
        key: None,
        journal: None,
        journal_path: None,
        backup: None,
        note: None,
    };
    let config = target.load_config()?;
    let client = client_credentials(&config, &target.env, &checked.mode, &[]);
    let sends = match secret.kind {
        crate::openclaw::auth::SecretKind::Password => client.password(),
        _ => client.token(),
    };
    if sends.is_some_and(|s| s.same_value(secret)) {
        adopted.note = Some("this client's config sends it already".into());
        return Ok(adopted);
    }
    let Some(key) = pin_key(&checked.mode, secret.kind) else {
        let var = secret.kind.env_var();
        adopted.note = Some(format!(
            "OPENCLAW_GATEWAY_URL is set, so the CLI reads no config key: put it into {var} (`read -rs {var} && export {var}`)"
        ));
        return Ok(adopted);
    };
    let edit = plan_set(&config, key, &NewValue::String(secret.expose().to_string()))?;
    let state_dir = &target.paths.state_dir.value;
    let _lock = FixLock::acquire(
        state_dir,
        &format!("clawkit gateway token rotate, pid {}", std::process::id()),
    )?;
    let mut journal = Journal::begin(state_dir)?;
    let title = format!(
        "set {key} to the {} you gave ({}), accepted by the gateway",
        checked.kind, adopted.fingerprint
    );
    journal.start_step(1, &title, "config-set")?;
    let is_config = edit.snapshot.path == target.paths.config_path.value;
    let written = replace_file(
        &mut journal,
        &edit.snapshot,
        &edit.new_text,
        &backup_root(state_dir),
        is_config.then_some(&target.env),
    );
    match written {
        Ok(backup) => {
            journal.finish_step("done", Some(format!("{} changed", edit.file.display())))?;
            journal.finish("done")?;
            adopted.key = Some(key.to_string());
            adopted.journal = Some(journal.id.clone());
            adopted.journal_path = Some(journal.path().to_path_buf());
            adopted.backup = Some(backup);
            Ok(adopted)
        }
        Err(message) => {
            journal.finish_step("failed", Some(message.clone()))?;
            journal.finish("failed")?;
            Err(Error::io(&edit.file, std::io::Error::other(message)))
        }
    }
}
