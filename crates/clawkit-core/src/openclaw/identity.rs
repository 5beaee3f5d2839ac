//! This machine's device identity where OpenClaw keeps it: `identity/device.json` (up to
//! 2026.7; where that file exists it is what that OpenClaw uses, so it wins) or the `primary`
//! row of `device_identities` in `state/openclaw.sqlite` (2026.8+).
//!
//! One reader serves both the key-bearing [`load`] and the device-state model
//! ([`LocalIdentity`], without the key); one writer, [`store`], puts a new identity where that
//! OpenClaw reads it, after a backup. The key itself, its PEM forms and signing belong to the
//! protocol ([`DeviceIdentity`]); this module only knows where OpenClaw stores it.

use super::state::{
    self, LocalIdentity, Source, StateError, has_table, open_read_only, read_json, sqlite_err,
};
use crate::fsx::{self, WriteError};
use crate::gateway::{DeviceIdentity, KeyError};
use rusqlite::{Connection, OptionalExtension};
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    #[error("{path}: no device identity there (OpenClaw creates it on first use)")]
    Missing { path: PathBuf },
    #[error("{path}: the device identity has no private key")]
    NoKey { path: PathBuf },
    #[error("{path}: {source}")]
    Key { path: PathBuf, source: KeyError },
    #[error(transparent)]
    State(#[from] StateError),
    #[error(transparent)]
    Write(#[from] WriteError),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// The identity record as stored, in either layout.
pub(super) struct Stored {
    device_id: String,
    created_at_ms: Option<i64>,
    private_key_pem: Option<String>,
    source: Source,
}

impl Stored {
    /// The record without its key, for the device-state model.
    pub(super) fn summary(self) -> LocalIdentity {
        LocalIdentity {
            device_id: self.device_id,
            created_at_ms: self.created_at_ms,
            source: self.source,
        }
    }

    fn path(&self) -> PathBuf {
        match &self.source {
            Source::Sqlite(p) | Source::Json(p) => p.clone(),
            Source::Missing => PathBuf::new(),
        }
    }
}

fn json_path(state_dir: &Path) -> PathBuf {
    state_dir.join("identity").join("device.json")
}

/// The one reader: the JSON file when it exists, else the `primary` row of `db` (the state
/// database, already open, when there is one).
pub(super) fn read(
    state_dir: &Path,
    db: Option<&Connection>,
) -> Result<Option<Stored>, StateError> {
    let file = json_path(state_dir);
    if file.is_file() {
        let v = read_json(&file)?;
        let text = |key: &str| v.get(key).and_then(|s| s.as_str()).map(str::to_string);
        return Ok(Some(Stored {
            device_id: text("deviceId").unwrap_or_default(),
            created_at_ms: v["createdAtMs"].as_i64(),
            private_key_pem: text("privateKeyPem"),
            source: Source::Json(file),
        }));
    }
    match db {
        Some(db) => read_row(db, &state::db_path(state_dir)),
        None => Ok(None),
    }
}

fn read_row(db: &Connection, path: &Path) -> Result<Option<Stored>, StateError> {
    if !has_table(db, "device_identities") {
        return Ok(None);
    }
    db.query_row(
        "SELECT device_id, created_at_ms, private_key_pem FROM device_identities WHERE identity_key = 'primary'",
        [],
        |r| {
            Ok(Stored {
                device_id: r.get(0)?,
                created_at_ms: r.get(1)?,
                private_key_pem: r.get(2)?,
                source: Source::Sqlite(path.to_path_buf()),
            })
        },
    )
    .optional()
    .map_err(sqlite_err(path))
}

/// The local identity of the OpenClaw state dir `state_dir`, key included.
pub fn load(state_dir: &Path) -> Result<DeviceIdentity, IdentityError> {
    let db_path = state::db_path(state_dir);
    let db = if !json_path(state_dir).is_file() && db_path.is_file() {
        Some(open_read_only(&db_path)?)
    } else {
        None
    };
    let stored = read(state_dir, db.as_ref())?.ok_or(IdentityError::Missing { path: db_path })?;
    let path = stored.path();
    let pem = stored
        .private_key_pem
        .ok_or_else(|| IdentityError::NoKey { path: path.clone() })?;
    DeviceIdentity::from_private_key_pem(&pem).map_err(|source| IdentityError::Key { path, source })
}

/// The one writer: makes `identity` the local device identity of `state_dir`, where that
/// OpenClaw reads it (2026.7: `identity/device.json`, mode kept; 2026.9: the `primary` row),
/// after backing up the device state under `backup_root`. Returns the backup folder.
pub fn store(
    state_dir: &Path,
    identity: &DeviceIdentity,
    backup_root: &Path,
) -> Result<PathBuf, IdentityError> {
    let backup = state::backup_device_state(state_dir, backup_root)?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0);
    let file = json_path(state_dir);
    if file.is_file() {
        store_json(&file, identity, now, &backup)?;
    } else {
        store_row(&state::db_path(state_dir), identity, now)?;
    }
    Ok(backup)
}

fn store_json(
    file: &Path,
    identity: &DeviceIdentity,
    now: i64,
    backup: &Path,
) -> Result<(), IdentityError> {
    std::fs::copy(file, backup.join("identity__device.json")).map_err(|source| {
        IdentityError::Io {
            path: file.to_path_buf(),
            source,
        }
    })?;
    let doc = serde_json::json!({
        "version": 1,
        "deviceId": identity.device_id(),
        "publicKeyPem": identity.public_key_pem(),
        "privateKeyPem": identity.private_key_pem(),
        "createdAtMs": now,
    });
    let snapshot = fsx::Snapshot::read(file)?;
    fsx::replace(&snapshot, &doc.to_string())?;
    Ok(())
}

fn store_row(db_path: &Path, identity: &DeviceIdentity, now: i64) -> Result<(), StateError> {
    let err = sqlite_err(db_path);
    let db = Connection::open(db_path).map_err(&err)?;
    db.busy_timeout(Duration::from_secs(5)).map_err(&err)?;
    db.execute(
        "INSERT OR REPLACE INTO device_identities (identity_key, device_id, public_key_pem, private_key_pem, created_at_ms, updated_at_ms) VALUES ('primary', ?1, ?2, ?3, ?4, ?4)",
        rusqlite::params![
            identity.device_id(),
            identity.public_key_pem(),
            identity.private_key_pem(),
            now
        ],
    )
    .map_err(&err)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::openclaw::state::DeviceState;

    fn sqlite_state_dir() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("state")).unwrap();
        let db = Connection::open(state::db_path(dir.path())).unwrap();
        db.execute_batch(
            "CREATE TABLE device_identities (identity_key TEXT PRIMARY KEY, device_id TEXT, public_key_pem TEXT, private_key_pem TEXT, created_at_ms INTEGER, updated_at_ms INTEGER)",
        )
        .unwrap();
        dir
    }

    fn json_state_dir(identity: &DeviceIdentity) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("identity")).unwrap();
        let doc = serde_json::json!({
            "version": 1,
            "deviceId": identity.device_id(),
            "privateKeyPem": identity.private_key_pem(),
            "createdAtMs": 5,
        });
        std::fs::write(json_path(dir.path()), doc.to_string()).unwrap();
        dir
    }

    /// What the writer stored, both readers read back.
    fn assert_reads_back(dir: &Path, written: &DeviceIdentity) -> Source {
        assert_eq!(load(dir).unwrap().device_id(), written.device_id());
        let summary = DeviceState::read(dir).unwrap().identity.unwrap();
        assert_eq!(summary.device_id, written.device_id());
        summary.source
    }

    #[test]
    fn sqlite_layout_round_trips() {
        let dir = sqlite_state_dir();
        assert!(matches!(
            load(dir.path()),
            Err(IdentityError::Missing { .. })
        ));
        let written = DeviceIdentity::generate();
        let backup = store(dir.path(), &written, &dir.path().join("backups")).unwrap();
        assert!(backup.join("openclaw.sqlite").is_file());
        let source = assert_reads_back(dir.path(), &written);
        assert_eq!(source, Source::Sqlite(state::db_path(dir.path())));
    }

    #[test]
    fn json_layout_wins_and_round_trips_with_a_backup() {
        let old = DeviceIdentity::generate();
        let dir = json_state_dir(&old);
        assert_eq!(load(dir.path()).unwrap().device_id(), old.device_id());
        let written = DeviceIdentity::generate();
        let backup = store(dir.path(), &written, &dir.path().join("backups")).unwrap();
        let saved = std::fs::read_to_string(backup.join("identity__device.json")).unwrap();
        assert!(saved.contains(old.device_id()));
        let source = assert_reads_back(dir.path(), &written);
        assert_eq!(source, Source::Json(json_path(dir.path())));
    }

    #[test]
    fn bad_records_name_their_file() {
        let empty = tempfile::tempdir().unwrap();
        assert!(matches!(
            load(empty.path()),
            Err(IdentityError::Missing { .. })
        ));
        let dir = json_state_dir(&DeviceIdentity::generate());
        std::fs::write(json_path(dir.path()), r#"{"deviceId":"x"}"#).unwrap();
        let err = load(dir.path()).unwrap_err();
        assert!(matches!(err, IdentityError::NoKey { .. }), "{err}");
        std::fs::write(json_path(dir.path()), r#"{"privateKeyPem":"nope"}"#).unwrap();
        let err = load(dir.path()).unwrap_err();
        assert!(matches!(err, IdentityError::Key { .. }), "{err}");
        assert!(err.to_string().contains("device.json"), "{err}");
        std::fs::write(json_path(dir.path()), "{").unwrap();
        let err = load(dir.path()).unwrap_err();
        assert!(err.to_string().contains("not valid JSON"), "{err}");
    }
}
