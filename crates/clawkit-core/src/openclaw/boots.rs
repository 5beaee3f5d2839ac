//! The gateway's own record of its boots: `gateway_boot_lifecycle` in the state database
//! (2026.9; 2026.7.1 ships the table too), one row per boot with when it started, how it
//! ended (`clean_stop`, `planned_restart`, `forced_stop`, `startup_failed`, none: it never got
//! to say — killed or crashed) and why, and an optional start reason (`gateway.crash_loop_*`,
//! a maintenance code). The monitor puts these on restart and restart-loop alerts; nothing
//! else can see why a gateway that restarted faster than any poll went down.

use super::state::{StateError, db_path, open_read_only};
use rusqlite::params;
use serde::Serialize;
use std::path::Path;

/// One boot, as the gateway recorded it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BootRecord {
    pub boot_id: String,
    pub pid: Option<i64>,
    pub started_at_ms: i64,
    pub completed_at_ms: Option<i64>,
    pub outcome: Option<String>,
    pub startup_reason: Option<String>,
    pub reason: Option<String>,
}

impl BootRecord {
    /// How this boot ended, in words: `planned_restart (restart requested)`, or, for a boot
    /// that is over but recorded no end, that it was killed or crashed.
    pub fn ending(&self) -> String {
        match (&self.outcome, &self.reason) {
            (Some(o), Some(r)) if !r.is_empty() => format!("{o} ({r})"),
            (Some(o), _) => o.clone(),
            (None, _) => "no recorded end: it was killed or crashed".into(),
        }
    }
}

/// The newest `limit` boots of the gateway of `state_dir`, newest first; empty when it has no
/// state database or no such table (older layouts).
pub fn recent(state_dir: &Path, limit: usize) -> Result<Vec<BootRecord>, StateError> {
    let path = db_path(state_dir);
    if !path.is_file() {
        return Ok(Vec::new());
    }
    let db = open_read_only(&path)?;
    let err = |e: rusqlite::Error| StateError::Sqlite {
        path: path.clone(),
        message: e.to_string(),
    };
    let has_table: bool = db
        .query_row(
            "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'gateway_boot_lifecycle'",
            [],
            |r| r.get(0),
        )
        .map_err(err)?;
    if !has_table {
        return Ok(Vec::new());
    }
    let mut q = db
        .prepare(
            "SELECT boot_id, pid, started_at_ms, completed_at_ms, outcome, startup_reason, reason
             FROM gateway_boot_lifecycle ORDER BY started_at_ms DESC LIMIT ?1",
        )
        .map_err(err)?;
    let rows = q
        .query_map(params![limit as i64], |r| {
            Ok(BootRecord {
                boot_id: r.get(0)?,
                pid: r.get(1)?,
                started_at_ms: r.get(2)?,
                completed_at_ms: r.get(3)?,
                outcome: r.get(4)?,
                startup_reason: r.get(5)?,
                reason: r.get(6)?,
            })
        })
        .map_err(err)?;
    rows.collect::<Result<_, _>>().map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state_with(rows: &[(&str, i64, Option<&str>, Option<&str>)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("state")).unwrap();
        let db = rusqlite::Connection::open(db_path(dir.path())).unwrap();
        db.execute_batch(
            "CREATE TABLE gateway_boot_lifecycle (boot_id TEXT PRIMARY KEY, pid INTEGER,
             started_at_ms INTEGER NOT NULL, completed_at_ms INTEGER, outcome TEXT,
             startup_reason TEXT, reason TEXT) STRICT",
        )
        .unwrap();
        for (id, at, outcome, reason) in rows {
            db.execute(
                "INSERT INTO gateway_boot_lifecycle VALUES (?1, 7, ?2, NULL, ?3, NULL, ?4)",
                params![id, at, outcome, reason],
            )
            .unwrap();
        }
        dir
    }

    #[test]
    fn boots_come_newest_first_with_how_each_ended() {
        let dir = state_with(&[
            (
                "b1",
                1,
                Some("planned_restart"),
                Some("restart (gateway.restart.request)"),
            ),
            ("b2", 2, None, None),
            ("b3", 3, None, None),
        ]);
        let boots = recent(dir.path(), 2).unwrap();
        assert_eq!(
            boots.iter().map(|b| b.boot_id.as_str()).collect::<Vec<_>>(),
            ["b3", "b2"]
        );
        assert_eq!(
            boots[1].ending(),
            "no recorded end: it was killed or crashed"
        );
        let all = recent(dir.path(), 9).unwrap();
        assert_eq!(
            all[2].ending(),
            "planned_restart (restart (gateway.restart.request))"
        );
    }

    #[test]
    fn no_database_or_no_table_is_no_boots_and_garbage_names_the_file() {
        let none = tempfile::tempdir().unwrap();
        assert_eq!(recent(none.path(), 3).unwrap(), []);
        std::fs::create_dir_all(none.path().join("state")).unwrap();
        let path = db_path(none.path());
        rusqlite::Connection::open(&path)
            .unwrap()
            .execute_batch("CREATE TABLE other (x)")
            .unwrap();
        assert_eq!(recent(none.path(), 3).unwrap(), []);
        std::fs::write(&path, b"not a database at all, just garbage bytes").unwrap();
        let e = recent(none.path(), 3).unwrap_err().to_string();
        assert!(e.contains("openclaw.sqlite"), "{e}");
    }
}
