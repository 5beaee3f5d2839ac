//! Device identity and pairing state, from either layout, as one model:
//!
//! - 2026.8+ (and the 2026.7.2 betas): `<state>/state/openclaw.sqlite`, opened read-only with a
//!   busy timeout so it can be read while the gateway runs;
//! - up to 2026.7.x: `identity/device.json`, `identity/device-auth.json`,
//!   `devices/paired.json`, `devices/pending.json`.
//!
//! Where a legacy JSON file exists it is what that OpenClaw uses (2026.9 refuses to start until
//! it is migrated), so it wins over the SQLite table of the same data. Token values stay inside
//! [`Secret`]s; nothing here prints them. The local identity is read and written by
//! [`super::identity`], which this model shares.

use super::auth::{Secret, SecretKind, SecretOrigin};
use rusqlite::{Connection, OpenFlags, OptionalExtension};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error(
        "{path}: {message}. Is it an OpenClaw state database? (`openclaw doctor` can check it)"
    )]
    Sqlite { path: PathBuf, message: String },
    #[error("{path}: {message}")]
    Json { path: PathBuf, message: String },
}

/// Where each part of the state came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Sqlite(PathBuf),
    Json(PathBuf),
    Missing,
}

/// This machine's own device identity (the private key is not kept in this model).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalIdentity {
    pub device_id: String,
    pub created_at_ms: Option<i64>,
    pub source: Source,
}

/// A device token this client cached for itself.
#[derive(Debug, Clone)]
pub struct CachedToken {
    pub device_id: String,
    pub role: String,
    pub scopes: Vec<String>,
    pub updated_at_ms: Option<i64>,
    pub token: Secret,
}

/// A token the gateway issued to a paired device.
#[derive(Debug, Clone)]
pub struct IssuedToken {
    pub role: String,
    pub scopes: Vec<String>,
    pub created_at_ms: Option<i64>,
    pub rotated_at_ms: Option<i64>,
    pub revoked_at_ms: Option<i64>,
    pub last_used_at_ms: Option<i64>,
    pub token: Option<Secret>,
}

impl IssuedToken {
    /// When the current value was issued (its last rotation, or its creation).
    pub fn issued_at_ms(&self) -> Option<i64> {
        self.rotated_at_ms.or(self.created_at_ms)
    }
}

#[derive(Debug, Clone)]
pub struct PairedDevice {
    pub device_id: String,
    pub display_name: Option<String>,
    pub platform: Option<String>,
    pub client_id: Option<String>,
    pub client_mode: Option<String>,
    pub roles: Vec<String>,
    pub scopes: Vec<String>,
    pub approved_via: Option<String>,
    pub created_at_ms: Option<i64>,
    pub approved_at_ms: Option<i64>,
    pub last_seen_at_ms: Option<i64>,
    pub tokens: Vec<IssuedToken>,
}

#[derive(Debug, Clone)]
pub struct PendingRequest {
    pub request_id: String,
    pub device_id: String,
    pub client_id: Option<String>,
    pub client_mode: Option<String>,
    pub roles: Vec<String>,
    pub scopes: Vec<String>,
    pub is_repair: bool,
    pub silent: bool,
    pub ts_ms: Option<i64>,
}

/// Everything clawkit knows about devices on this state dir.
#[derive(Debug, Clone)]
pub struct DeviceState {
    pub identity: Option<LocalIdentity>,
    pub cached_tokens: Vec<CachedToken>,
    pub cached_source: Source,
    pub paired: Vec<PairedDevice>,
    pub pending: Vec<PendingRequest>,
    pub pairing_source: Source,
}

impl DeviceState {
    /// Reads the state under `state_dir` from whichever layout holds it.
    pub fn read(state_dir: &Path) -> Result<DeviceState, StateError> {
        let db_path = db_path(state_dir);
        let db = if db_path.is_file() {
            Some(open_read_only(&db_path)?)
        } else {
            None
        };
        let json = |rel: &str| state_dir.join(rel);

        // A legacy identity file means an OpenClaw <= 2026.7 layout: every part lives in JSON
        // files there (its SQLite file may carry the newer tables, unused and with an older
        // schema).
        let identity_file = json("identity/device.json");
        let legacy = identity_file.is_file();
        let db = if legacy { None } else { db };
        let identity = super::identity::read(state_dir, db.as_ref())?.map(|i| i.summary());

        let auth_file = json("identity/device-auth.json");
        let (cached_tokens, cached_source) = if auth_file.is_file() {
            let v = read_json(&auth_file)?;
            (json_cached(&v), Source::Json(auth_file))
        } else if let Some(db) = &db {
            (
                sqlite_cached(db, &db_path)?,
                Source::Sqlite(db_path.clone()),
            )
        } else if legacy {
            (Vec::new(), Source::Json(auth_file))
        } else {
            (Vec::new(), Source::Missing)
        };

        let paired_file = json("devices/paired.json");
        let pending_file = json("devices/pending.json");
        let (paired, pending, pairing_source) =
            if legacy || paired_file.is_file() || pending_file.is_file() {
                let paired = if paired_file.is_file() {
                    json_paired(&read_json(&paired_file)?)
                } else {
                    Vec::new()
                };
                let pending = if pending_file.is_file() {
                    json_pending(&read_json(&pending_file)?)
                } else {
                    Vec::new()
                };
                (paired, pending, Source::Json(paired_file))
            } else if let Some(db) = &db {
                (
                    sqlite_paired(db, &db_path)?,
                    sqlite_pending(db, &db_path)?,
                    Source::Sqlite(db_path.clone()),
                )
            } else {
                (Vec::new(), Vec::new(), Source::Missing)
            };

        Ok(DeviceState {
            identity,
            cached_tokens,
            cached_source,
            paired,
            pending,
            pairing_source,
        })
    }

    pub fn paired_device(&self, device_id: &str) -> Option<&PairedDevice> {
        self.paired.iter().find(|d| d.device_id == device_id)
    }

    /// Cached tokens that the gateway record no longer matches: rotated after caching, revoked,
    /// or for a device/role the gateway does not know. (Same rule as OpenClaw's doctor: stale
    /// if cached before the token's last issue.)
    pub fn stale_cached_tokens(&self) -> Vec<(&CachedToken, &'static str)> {
        self.cached_tokens
            .iter()
            .filter_map(|cached| {
                let Some(device) = self.paired_device(&cached.device_id) else {
                    return Some((cached, "device not paired on the gateway"));
                };
                let Some(issued) = device.tokens.iter().find(|t| t.role == cached.role) else {
                    return Some((cached, "no token for this role on the gateway"));
                };
                if issued.revoked_at_ms.is_some() {
                    return Some((cached, "revoked on the gateway"));
                }
                if let Some(t) = &issued.token
                    && !t.same_value(&cached.token)
                {
                    return Some((cached, "rotated on the gateway since it was cached"));
                }
                match (cached.updated_at_ms, issued.issued_at_ms()) {
                    (Some(c), Some(i)) if c < i => {
                        Some((cached, "cached before the gateway's last rotation"))
                    }
                    _ => None,
                }
            })
            .collect()
    }
}

/// The state database of `state_dir` (2026.8+).
pub(super) fn db_path(state_dir: &Path) -> PathBuf {
    state_dir.join("state").join("openclaw.sqlite")
}

pub(super) fn open_read_only(path: &Path) -> Result<Connection, StateError> {
    let err = |e: rusqlite::Error| StateError::Sqlite {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(err)?;
    conn.busy_timeout(Duration::from_millis(500)).map_err(err)?;
    // Touch the schema now, so a file that is not a database fails here with its name.
    conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
        r.get::<_, i64>(0)
    })
    .map_err(err)?;
    Ok(conn)
}

/// `SELECT <cols> FROM <table> ...` where a column this OpenClaw's schema lacks reads as NULL,
/// so older and newer schemas both work.
fn select(
    db: &Connection,
    path: &Path,
    table: &str,
    cols: &[&str],
    tail: &str,
) -> Result<String, StateError> {
    let mut stmt = db
        .prepare(&format!("SELECT name FROM pragma_table_info('{table}')"))
        .map_err(sqlite_err(path))?;
    let present: Vec<String> = stmt
        .query_map([], |r| r.get(0))
        .map_err(sqlite_err(path))?
        .collect::<Result<_, _>>()
        .map_err(sqlite_err(path))?;
    let list: Vec<String> = cols
        .iter()
        .map(|c| {
            if present.iter().any(|p| p == c) {
                (*c).to_string()
            } else {
                format!("NULL AS {c}")
            }
        })
        .collect();
    Ok(format!("SELECT {} FROM {table} {tail}", list.join(", ")))
}

pub(super) fn has_table(db: &Connection, name: &str) -> bool {
    db.query_row(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1",
        [name],
        |_| Ok(()),
    )
    .optional()
    .ok()
    .flatten()
    .is_some()
}

pub(super) fn sqlite_err(path: &Path) -> impl Fn(rusqlite::Error) -> StateError + '_ {
    move |e| StateError::Sqlite {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

fn strings(json_text: Option<String>) -> Vec<String> {
    json_text
        .and_then(|t| serde_json::from_str::<Vec<String>>(&t).ok())
        .unwrap_or_default()
}

fn device_token(value: String, origin: &str) -> Secret {
    Secret::new(
        SecretKind::DeviceToken,
        SecretOrigin::State {
            location: origin.to_string(),
        },
        value,
    )
}

/// Every row of `table` mapped by `row`; an absent table is empty, absent columns are NULL.
fn query_all<T>(
    db: &Connection,
    path: &Path,
    table: &str,
    cols: &[&str],
    tail: &str,
    row: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> Result<Vec<T>, StateError> {
    if !has_table(db, table) {
        return Ok(Vec::new());
    }
    let sql = select(db, path, table, cols, tail)?;
    let mut stmt = db.prepare(&sql).map_err(sqlite_err(path))?;
    let rows = stmt.query_map([], row).map_err(sqlite_err(path))?;
    rows.collect::<Result<_, _>>().map_err(sqlite_err(path))
}

/// `roles` if the list is there, else the single `role`.
fn roles_or_role(roles: Vec<String>, role: Option<String>) -> Vec<String> {
    if roles.is_empty() {
        role.into_iter().collect()
    } else {
        roles
    }
}

fn sqlite_cached(db: &Connection, path: &Path) -> Result<Vec<CachedToken>, StateError> {
    let cols = ["device_id", "role", "token", "scopes_json", "updated_at_ms"];
    query_all(
        db,
        path,
        "device_auth_tokens",
        &cols,
        "ORDER BY device_id, role",
        |r| {
            Ok(CachedToken {
                device_id: r.get(0)?,
                role: r.get(1)?,
                token: device_token(r.get(2)?, "device_auth_tokens"),
                scopes: strings(r.get(3)?),
                updated_at_ms: r.get(4)?,
            })
        },
    )
}

fn sqlite_paired(db: &Connection, path: &Path) -> Result<Vec<PairedDevice>, StateError> {
    let cols = [
        "device_id",
        "display_name",
        "platform",
        "client_id",
        "client_mode",
        "role",
        "roles_json",
        "scopes_json",
        "approved_via",
        "created_at_ms",
        "approved_at_ms",
        "last_seen_at_ms",
        "tokens_json",
    ];
    query_all(
        db,
        path,
        "device_pairing_paired",
        &cols,
        "ORDER BY created_at_ms",
        |r| {
            let tokens_json: Option<String> = r.get(12)?;
            Ok(PairedDevice {
                device_id: r.get(0)?,
                display_name: r.get(1)?,
                platform: r.get(2)?,
                client_id: r.get(3)?,
                client_mode: r.get(4)?,
                roles: roles_or_role(strings(r.get(6)?), r.get(5)?),
                scopes: strings(r.get(7)?),
                approved_via: r.get(8)?,
                created_at_ms: r.get(9)?,
                approved_at_ms: r.get(10)?,
                last_seen_at_ms: r.get(11)?,
                tokens: tokens_json
                    .and_then(|t| serde_json::from_str::<Value>(&t).ok())
                    .map(|v| issued_tokens(&v))
                    .unwrap_or_default(),
            })
        },
    )
}

fn sqlite_pending(db: &Connection, path: &Path) -> Result<Vec<PendingRequest>, StateError> {
    let cols = [
        "request_id",
        "device_id",
        "client_id",
        "client_mode",
        "role",
        "roles_json",
        "scopes_json",
        "is_repair",
        "silent",
        "ts",
    ];
    query_all(
        db,
        path,
        "device_pairing_pending",
        &cols,
        "ORDER BY ts",
        |r| {
            Ok(PendingRequest {
                request_id: r.get(0)?,
                device_id: r.get(1)?,
                client_id: r.get(2)?,
                client_mode: r.get(3)?,
                roles: roles_or_role(strings(r.get(5)?), r.get(4)?),
                scopes: strings(r.get(6)?),
                is_repair: r.get::<_, Option<i64>>(7)?.unwrap_or(0) != 0,
                silent: r.get::<_, Option<i64>>(8)?.unwrap_or(0) != 0,
                ts_ms: r.get(9)?,
            })
        },
    )
}

pub(super) fn read_json(path: &Path) -> Result<Value, StateError> {
    let text = std::fs::read_to_string(path).map_err(|e| StateError::Json {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    serde_json::from_str(&text).map_err(|e| StateError::Json {
        path: path.to_path_buf(),
        message: format!("not valid JSON ({e})"),
    })
}

fn str_field(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_string)
}

fn str_list(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// `{"<role>": {token, role, scopes, createdAtMs, rotatedAtMs?, revokedAtMs?, lastUsedAtMs?}}`
fn issued_tokens(v: &Value) -> Vec<IssuedToken> {
    let Some(map) = v.as_object() else {
        return Vec::new();
    };
    map.iter()
        .map(|(role, t)| IssuedToken {
            role: str_field(t, "role").unwrap_or_else(|| role.clone()),
            scopes: str_list(&t["scopes"]),
            created_at_ms: t["createdAtMs"].as_i64(),
            rotated_at_ms: t["rotatedAtMs"].as_i64(),
            revoked_at_ms: t["revokedAtMs"].as_i64(),
            last_used_at_ms: t["lastUsedAtMs"].as_i64(),
            token: str_field(t, "token").map(|v| device_token(v, "paired device tokens")),
        })
        .collect()
}

/// `identity/device-auth.json`: `{version, deviceId, tokens: {<role>: {token, role, scopes, updatedAtMs}}}`
fn json_cached(v: &Value) -> Vec<CachedToken> {
    let device_id = str_field(v, "deviceId").unwrap_or_default();
    let Some(tokens) = v["tokens"].as_object() else {
        return Vec::new();
    };
    tokens
        .iter()
        .filter_map(|(role, t)| {
            Some(CachedToken {
                device_id: device_id.clone(),
                role: str_field(t, "role").unwrap_or_else(|| role.clone()),
                scopes: str_list(&t["scopes"]),
                updated_at_ms: t["updatedAtMs"].as_i64(),
                token: device_token(str_field(t, "token")?, "identity/device-auth.json"),
            })
        })
        .collect()
}

/// `devices/paired.json`: object keyed by device id.
fn json_paired(v: &Value) -> Vec<PairedDevice> {
    let Some(map) = v.as_object() else {
        return Vec::new();
    };
    let mut devices: Vec<PairedDevice> = map
        .iter()
        .map(|(id, d)| {
            let roles = roles_or_role(str_list(&d["roles"]), str_field(d, "role"));
            PairedDevice {
                device_id: str_field(d, "deviceId").unwrap_or_else(|| id.clone()),
                display_name: str_field(d, "displayName"),
                platform: str_field(d, "platform"),
                client_id: str_field(d, "clientId"),
                client_mode: str_field(d, "clientMode"),
                roles,
                scopes: str_list(&d["scopes"]),
                approved_via: str_field(d, "approvedVia"),
                created_at_ms: d["createdAtMs"].as_i64(),
                approved_at_ms: d["approvedAtMs"].as_i64(),
                last_seen_at_ms: d["lastSeenAtMs"].as_i64(),
                tokens: issued_tokens(&d["tokens"]),
            }
        })
        .collect();
    devices.sort_by_key(|d| d.created_at_ms);
    devices
}

/// `devices/pending.json`: object keyed by request id.
fn json_pending(v: &Value) -> Vec<PendingRequest> {
    let Some(map) = v.as_object() else {
        return Vec::new();
    };
    let mut pending: Vec<PendingRequest> = map
        .iter()
        .map(|(id, p)| {
            let roles = roles_or_role(str_list(&p["roles"]), str_field(p, "role"));
            PendingRequest {
                request_id: str_field(p, "requestId").unwrap_or_else(|| id.clone()),
                device_id: str_field(p, "deviceId").unwrap_or_default(),
                client_id: str_field(p, "clientId"),
                client_mode: str_field(p, "clientMode"),
                roles,
                scopes: str_list(&p["scopes"]),
                is_repair: p["isRepair"].as_bool().unwrap_or(false),
                silent: p["silent"].as_bool().unwrap_or(false),
                ts_ms: p["ts"].as_i64(),
            }
        })
        .collect();
    pending.sort_by_key(|p| p.ts_ms);
    pending
}

/// What [`store_cached_token`] changed, and where the previous state is kept: enough to put
/// it back (the doctor's journal) or to tell the user where the backup is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CacheWrite {
    /// The legacy cache file did not exist and was created (nothing to back up).
    Created { path: PathBuf },
    /// The legacy cache file was rewritten; `backup` holds its previous bytes.
    Rewrote { path: PathBuf, backup: PathBuf },
    /// One row of the SQLite cache was written; `backup` is a copy of the whole database.
    Row {
        db: PathBuf,
        backup: PathBuf,
        device_id: String,
        role: String,
    },
}

impl CacheWrite {
    /// Where the previous state is (for a created file: the file itself, which undo removes).
    pub fn backup(&self) -> &Path {
        match self {
            CacheWrite::Created { path } => path,
            CacheWrite::Rewrote { backup, .. } | CacheWrite::Row { backup, .. } => backup,
        }
    }
}

/// Stores a device token in this client's cache (where this OpenClaw reads it), after backing
/// up what was there under `backup_root`. SQLite: a consistent `VACUUM INTO` copy, then one
/// short `BEGIN IMMEDIATE` write; JSON: backup plus an atomic, mode-keeping replace.
/// Returns what it changed and where the backup is.
pub fn store_cached_token(
    state_dir: &Path,
    device_id: &str,
    role: &str,
    token: &str,
    scopes: &[String],
    backup_root: &Path,
) -> Result<CacheWrite, StateError> {
    let now = crate::time::now_ms();
    let json_identity = state_dir.join("identity").join("device.json");
    if json_identity.is_file() {
        let path = state_dir.join("identity").join("device-auth.json");
        let json_err = |message: String| StateError::Json {
            path: path.clone(),
            message,
        };
        let (mut doc, snapshot) = if path.is_file() {
            let snap = crate::fsx::Snapshot::read(&path).map_err(|e| json_err(e.to_string()))?;
            let doc: Value = serde_json::from_str(&snap.text)
                .map_err(|e| json_err(format!("not valid JSON ({e})")))?;
            (doc, Some(snap))
        } else {
            (
                serde_json::json!({"version": 1, "deviceId": device_id, "tokens": {}}),
                None,
            )
        };
        doc["deviceId"] = Value::String(device_id.to_string());
        doc["tokens"][role] =
            serde_json::json!({"token": token, "role": role, "scopes": scopes, "updatedAtMs": now});
        let text = serde_json::to_string(&doc).map_err(|e| json_err(e.to_string()))?;
        return match snapshot {
            Some(snap) => {
                let backup =
                    crate::fsx::backup(&snap, backup_root).map_err(|e| json_err(e.to_string()))?;
                crate::fsx::replace(&snap, &text).map_err(|e| json_err(e.to_string()))?;
                Ok(CacheWrite::Rewrote { path, backup })
            }
            None => {
                let mut f = crate::fsx::create_new(0o600)
                    .open(&path)
                    .map_err(|e| json_err(e.to_string()))?;
                std::io::Write::write_all(&mut f, text.as_bytes())
                    .map_err(|e| json_err(e.to_string()))?;
                f.sync_all().map_err(|e| json_err(e.to_string()))?;
                Ok(CacheWrite::Created { path })
            }
        };
    }
    let db_path = state_dir.join("state").join("openclaw.sqlite");
    let err = sqlite_err(&db_path);
    std::fs::create_dir_all(backup_root).map_err(|e| StateError::Sqlite {
        path: backup_root.to_path_buf(),
        message: e.to_string(),
    })?;
    let backup = backup_root.join(format!(
        "openclaw.sqlite.{}-{}.bak",
        now,
        std::process::id()
    ));
    {
        let ro = open_read_only(&db_path)?;
        ro.execute("VACUUM INTO ?1", [backup.display().to_string()])
            .map_err(&err)?;
    }
    {
        let _ = crate::fsx::set_mode(&backup, 0o600);
    }
    let mut db = Connection::open(&db_path).map_err(&err)?;
    db.busy_timeout(Duration::from_secs(5)).map_err(&err)?;
    let tx = db
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .map_err(&err)?;
    tx.execute(
        "INSERT OR REPLACE INTO device_auth_tokens (device_id, role, token, scopes_json, updated_at_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
        rusqlite::params![device_id, role, token, serde_json::to_string(scopes).unwrap_or_else(|_| "[]".into()), now],
    )
    .map_err(&err)?;
    tx.commit().map_err(&err)?;
    Ok(CacheWrite::Row {
        db: db_path.clone(),
        backup,
        device_id: device_id.to_string(),
        role: role.to_string(),
    })
}

/// Copies the pairing and device-auth state under `state_dir` into a new folder under
/// `backup_root` (SQLite through `VACUUM INTO`, a consistent copy of a live database; JSON
/// files byte for byte). Returns the folder.
pub fn backup_device_state(state_dir: &Path, backup_root: &Path) -> Result<PathBuf, StateError> {
    let stamp = crate::time::now_ms();
    let dir = backup_root.join(format!("device-state-{stamp}-{}", std::process::id()));
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |e: std::io::Error| StateError::Json {
            path: path.clone(),
            message: e.to_string(),
        }
    };
    std::fs::create_dir_all(&dir).map_err(io(&dir))?;
    {
        let _ = crate::fsx::set_mode(&dir, 0o700);
    }
    let db_path = state_dir.join("state").join("openclaw.sqlite");
    if db_path.is_file() {
        let ro = open_read_only(&db_path)?;
        ro.execute(
            "VACUUM INTO ?1",
            [dir.join("openclaw.sqlite").display().to_string()],
        )
        .map_err(sqlite_err(&db_path))?;
    }
    for rel in [
        "identity/device-auth.json",
        "devices/paired.json",
        "devices/pending.json",
    ] {
        let src = state_dir.join(rel);
        if src.is_file() {
            let dst = dir.join(rel.replace('/', "__"));
            std::fs::copy(&src, &dst).map_err(io(&src))?;
        }
    }
    Ok(dir)
}

/// Removes every cached device token of this client (both layouts).
pub fn clear_cached_tokens(state_dir: &Path) -> Result<usize, StateError> {
    let json_path = state_dir.join("identity").join("device-auth.json");
    if state_dir.join("identity").join("device.json").is_file() {
        if !json_path.is_file() {
            return Ok(0);
        }
        let err = |m: String| StateError::Json {
            path: json_path.clone(),
            message: m,
        };
        let snap = crate::fsx::Snapshot::read(&json_path).map_err(|e| err(e.to_string()))?;
        let mut doc: Value =
            serde_json::from_str(&snap.text).map_err(|e| err(format!("not valid JSON ({e})")))?;
        let n = doc["tokens"].as_object().map_or(0, |m| m.len());
        doc["tokens"] = serde_json::json!({});
        crate::fsx::replace(&snap, &doc.to_string()).map_err(|e| err(e.to_string()))?;
        return Ok(n);
    }
    let db_path = state_dir.join("state").join("openclaw.sqlite");
    if !db_path.is_file() {
        return Ok(0);
    }
    let err = sqlite_err(&db_path);
    let db = Connection::open(&db_path).map_err(&err)?;
    db.busy_timeout(Duration::from_secs(5)).map_err(&err)?;
    if !has_table(&db, "device_auth_tokens") {
        return Ok(0);
    }
    db.execute("DELETE FROM device_auth_tokens", [])
        .map_err(&err)
}

/// Puts one row of the client's device-token cache back as it is in `backup` (a copy made by
/// [`store_cached_token`]); removes it when the backup has none.
pub fn restore_cached_token_row(
    db_path: &Path,
    backup: &Path,
    device_id: &str,
    role: &str,
) -> Result<(), StateError> {
    type Row = (String, Option<String>, Option<i64>);
    let old: Option<Row> = {
        let ro = open_read_only(backup)?;
        let mut stmt = ro
            .prepare("SELECT token, scopes_json, updated_at_ms FROM device_auth_tokens WHERE device_id = ?1 AND role = ?2")
            .map_err(sqlite_err(backup))?;
        let mut rows = stmt
            .query_map(rusqlite::params![device_id, role], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .map_err(sqlite_err(backup))?;
        rows.next().transpose().map_err(sqlite_err(backup))?
    };
    let err = sqlite_err(db_path);
    let mut db = Connection::open(db_path).map_err(&err)?;
    db.busy_timeout(Duration::from_secs(5)).map_err(&err)?;
    let tx = db
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .map_err(&err)?;
    tx.execute(
        "DELETE FROM device_auth_tokens WHERE device_id = ?1 AND role = ?2",
        rusqlite::params![device_id, role],
    )
    .map_err(&err)?;
    if let Some((token, scopes, at)) = old {
        tx.execute(
            "INSERT INTO device_auth_tokens (device_id, role, token, scopes_json, updated_at_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
            rusqlite::params![device_id, role, token, scopes, at],
        )
        .map_err(&err)?;
    }
    tx.commit().map_err(&err)
}

/// A device id short enough for a line of text: its first 12 characters and an ellipsis
/// (never cutting a character in half).
pub fn short_device_id(id: &str) -> String {
    if id.chars().count() > 16 {
        let head: String = id.chars().take(12).collect();
        format!("{head}…")
    } else {
        id.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Legacy layout: the first store creates the cache file, the next rewrites it.
    #[test]
    fn a_json_cache_is_created_then_rewritten_with_a_backup() {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path();
        std::fs::create_dir_all(state.join("identity")).unwrap();
        std::fs::write(state.join("identity/device.json"), r#"{"deviceId":"d1"}"#).unwrap();
        let backups = state.join("backups");
        let scopes = ["operator.admin".to_string()];
        let cache = state.join("identity/device-auth.json");
        let first = store_cached_token(state, "d1", "operator", "T1", &scopes, &backups).unwrap();
        assert_eq!(
            first,
            CacheWrite::Created {
                path: cache.clone()
            }
        );
        assert_eq!(first.backup(), cache);
        let second = store_cached_token(state, "d1", "operator", "T2", &scopes, &backups).unwrap();
        let CacheWrite::Rewrote { path, backup } = &second else {
            panic!("{second:?}")
        };
        assert_eq!(path, &cache);
        assert!(std::fs::read_to_string(backup).unwrap().contains("T1"));
        assert!(std::fs::read_to_string(&cache).unwrap().contains("T2"));
    }

    /// SQLite layout: one row written, the whole database copied first.
    #[test]
    fn a_sqlite_cache_row_is_written_after_a_copy_of_the_database() {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path();
        let db = db_file(state);
        Connection::open(&db)
            .unwrap()
            .execute(
                "CREATE TABLE device_auth_tokens (device_id TEXT, role TEXT, token TEXT, scopes_json TEXT, updated_at_ms INTEGER, PRIMARY KEY (device_id, role))",
                [],
            )
            .unwrap();
        let backups = state.join("backups");
        let write = store_cached_token(state, "d1", "operator", "T1", &[], &backups).unwrap();
        let CacheWrite::Row {
            db: written,
            backup,
            device_id,
            role,
        } = &write
        else {
            panic!("{write:?}")
        };
        assert_eq!(
            (written, device_id.as_str(), role.as_str()),
            (&db, "d1", "operator")
        );
        assert!(backup.starts_with(&backups) && backup.is_file());
        let cached = DeviceState::read(state).unwrap().cached_tokens;
        assert_eq!(cached[0].token.expose(), "T1");
    }

    fn db_file(state: &Path) -> PathBuf {
        std::fs::create_dir_all(state.join("state")).unwrap();
        state.join("state").join("openclaw.sqlite")
    }
}
