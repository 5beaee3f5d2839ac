//! What the monitor keeps in its SQLite file (the outbox shares it): the state machine's
//! memos (open incidents, last boot) so a restart of the monitor neither re-alerts nor
//! forgets; every decided alert as history; each gateway's states as time spans, from which
//! uptime is computed with the monitor's own downtime excluded (unknown, never up); and the
//! probe samples of [`crate::samples`].
//!
//! One connection, used from one task; every write is its own short transaction (WAL), so a
//! `kill -9` loses at most the write in flight.

use crate::alert::Alert;
use crate::state::{Memo, Silence};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
#[error("{path}: {source}")]
pub struct StoreError {
    pub path: PathBuf,
    #[source]
    pub source: rusqlite::Error,
}

pub struct Store {
    db: Connection,
    path: PathBuf,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS memo (gateway TEXT PRIMARY KEY, json TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS history (
    id TEXT PRIMARY KEY, at_ms INTEGER NOT NULL, gateway TEXT NOT NULL, event TEXT NOT NULL,
    incident TEXT, held INTEGER NOT NULL, json TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS history_at ON history (at_ms);
CREATE TABLE IF NOT EXISTS span (
    gateway TEXT NOT NULL, start_ms INTEGER NOT NULL, end_ms INTEGER NOT NULL, up INTEGER NOT NULL,
    PRIMARY KEY (gateway, start_ms)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS heartbeat (id INTEGER PRIMARY KEY CHECK (id = 1), pid INTEGER, at_ms INTEGER);
CREATE TABLE IF NOT EXISTS silence (
    id INTEGER PRIMARY KEY, gateway TEXT, until_ms INTEGER NOT NULL, reason TEXT NOT NULL);
";

/// One past alert, as `history` lists it.
#[derive(Debug, Clone, Serialize)]
pub struct Past {
    pub held: bool,
    #[serde(flatten)]
    pub alert: Alert,
}

/// Uptime over a window: the share of the time the monitor watched that the gateway was up.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Uptime {
    pub up_ms: i64,
    pub down_ms: i64,
    /// Time in the window the monitor was not watching.
    pub unknown_ms: i64,
}

impl Uptime {
    /// Percent up of the watched time (`None`: never watched in the window).
    pub fn percent(&self) -> Option<f64> {
        let seen = self.up_ms + self.down_ms;
        (seen > 0).then(|| 100.0 * self.up_ms as f64 / seen as f64)
    }
}

impl Store {
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let err = |source| StoreError {
            path: path.to_path_buf(),
            source,
        };
        if let Some(dir) = path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        let db = Connection::open(path).map_err(err)?;
        // The busy timeout first: switching to WAL takes a lock that `monitor status` (or the
        // outbox's connection) may hold for a moment, and without it that is an error at once.
        db.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(err)?;
        db.pragma_update(None, "journal_mode", "WAL").map_err(err)?;
        // Spans, samples and memos are rewritten every tick for every gateway: with WAL,
        // NORMAL commits without an fsync each (a power cut may lose the last second of them,
        // never the file). Alerts' delivery state lives in the outbox, which stays FULL.
        db.pragma_update(None, "synchronous", "NORMAL")
            .map_err(err)?;
        // One immediate transaction: a reader sees the whole schema or none of it, and the
        // write lock is waited for (busy timeout) instead of failing on an upgrade.
        db.execute_batch(&format!(
            "BEGIN IMMEDIATE; {SCHEMA} {} COMMIT;",
            crate::samples::SCHEMA
        ))
        .map_err(err)?;
        Ok(Store {
            db,
            path: path.to_path_buf(),
        })
    }

    /// The store as `monitor status` and `history` read it: read-only, so a reader never takes
    /// a write lock the running monitor is waiting for (a reader creating the schema while the
    /// monitor switched to WAL made the monitor's start fail with "database is locked"). A file
    /// that does not exist yet, or whose schema the monitor is still creating, reads as empty.
    pub fn reader(path: &Path) -> Result<Store, StoreError> {
        let err = |source| StoreError {
            path: path.to_path_buf(),
            source,
        };
        let empty = || -> Result<Store, StoreError> {
            let db = Connection::open_in_memory().map_err(err)?;
            db.execute_batch(SCHEMA).map_err(err)?;
            db.execute_batch(crate::samples::SCHEMA).map_err(err)?;
            Ok(Store {
                db,
                path: path.to_path_buf(),
            })
        };
        if !path.exists() {
            return empty();
        }
        let flags =
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let db = Connection::open_with_flags(path, flags).map_err(err)?;
        db.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(err)?;
        let tables: i64 = db
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'memo'",
                [],
                |r| r.get(0),
            )
            .map_err(err)?;
        if tables == 0 {
            return empty();
        }
        Ok(Store {
            db,
            path: path.to_path_buf(),
        })
    }

    fn err(&self, source: rusqlite::Error) -> StoreError {
        StoreError {
            path: self.path.clone(),
            source,
        }
    }

    pub fn memos(&self) -> Result<Vec<Memo>, StoreError> {
        let mut q = self
            .db
            .prepare("SELECT json FROM memo")
            .map_err(|e| self.err(e))?;
        let rows = q
            .query_map([], |r| r.get::<_, String>(0))
            .map_err(|e| self.err(e))?;
        // A memo this version cannot read is dropped, not fatal: it only loses old incidents.
        Ok(rows
            .filter_map(Result::ok)
            .filter_map(|j| serde_json::from_str(&j).ok())
            .collect())
    }

    pub fn save_memos(&mut self, memos: &[Memo]) -> Result<(), StoreError> {
        let tx = self.db.transaction().map_err(|e| StoreError {
            path: self.path.clone(),
            source: e,
        })?;
        for m in memos {
            let json = serde_json::to_string(m).unwrap_or_default();
            tx.execute(
                "INSERT INTO memo (gateway, json) VALUES (?1, ?2)
                 ON CONFLICT(gateway) DO UPDATE SET json = excluded.json",
                params![m.gateway, json],
            )
            .map_err(|e| StoreError {
                path: self.path.clone(),
                source: e,
            })?;
        }
        tx.commit().map_err(|e| self.err(e))
    }

    /// Records a decided alert (sent or held); the same id twice is one row.
    pub fn record(&self, alert: &Alert, held: bool, at_ms: i64) -> Result<(), StoreError> {
        let json = serde_json::to_string(alert).unwrap_or_default();
        self.db
            .execute(
                "INSERT OR IGNORE INTO history (id, at_ms, gateway, event, incident, held, json)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    alert.id,
                    at_ms,
                    alert.gateway,
                    alert.event.word(),
                    alert.incident,
                    held,
                    json
                ],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// Alerts decided since `since_ms`, oldest first (for one gateway, or all).
    pub fn history(&self, since_ms: i64, gateway: Option<&str>) -> Result<Vec<Past>, StoreError> {
        let mut q = self
            .db
            .prepare(
                "SELECT held, json FROM history WHERE at_ms >= ?1 AND (?2 IS NULL OR gateway = ?2)
                 ORDER BY at_ms, id",
            )
            .map_err(|e| self.err(e))?;
        let rows = q
            .query_map(params![since_ms, gateway], |r| {
                Ok((r.get::<_, bool>(0)?, r.get::<_, String>(1)?))
            })
            .map_err(|e| self.err(e))?;
        Ok(rows
            .filter_map(Result::ok)
            .filter_map(|(held, j)| {
                Some(Past {
                    held,
                    alert: serde_json::from_str(&j).ok()?,
                })
            })
            .collect())
    }

    /// Extends the gateway's current span to `now_ms`, or starts a new one when its state
    /// changed (or the monitor was away: a gap stays unknown).
    pub fn observe_state(
        &self,
        gateway: &str,
        up: bool,
        now_ms: i64,
        max_gap_ms: i64,
    ) -> Result<(), StoreError> {
        extend_span(&self.db, gateway, up, now_ms, max_gap_ms).map_err(|e| self.err(e))
    }

    /// [`Store::observe_state`] for many gateways in one transaction (the tick's spans).
    pub fn observe_states(
        &mut self,
        states: &[(&str, bool)],
        now_ms: i64,
        max_gap_ms: i64,
    ) -> Result<(), StoreError> {
        let path = self.path.clone();
        let err = |source| StoreError {
            path: path.clone(),
            source,
        };
        let tx = self.db.transaction().map_err(err)?;
        for (gateway, up) in states {
            extend_span(&tx, gateway, *up, now_ms, max_gap_ms).map_err(err)?;
        }
        tx.commit().map_err(err)
    }

    /// Up, down and unknown time of `gateway` in `[from_ms, to_ms)`.
    pub fn uptime(&self, gateway: &str, from_ms: i64, to_ms: i64) -> Result<Uptime, StoreError> {
        let (up, down): (i64, i64) = self
            .db
            .query_row(
                "SELECT
                   COALESCE(SUM(CASE WHEN up THEN MIN(end_ms, ?3) - MAX(start_ms, ?2) END), 0),
                   COALESCE(SUM(CASE WHEN NOT up THEN MIN(end_ms, ?3) - MAX(start_ms, ?2) END), 0)
                 FROM span WHERE gateway = ?1 AND end_ms > ?2 AND start_ms < ?3",
                params![gateway, from_ms, to_ms],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .map_err(|e| self.err(e))?;
        Ok(Uptime {
            up_ms: up,
            down_ms: down,
            unknown_ms: (to_ms - from_ms - up - down).max(0),
        })
    }

    /// The running monitor's pid and last beat (for `monitor status`).
    pub fn beat(&self, pid: u32, now_ms: i64) -> Result<(), StoreError> {
        self.db
            .execute(
                "INSERT INTO heartbeat (id, pid, at_ms) VALUES (1, ?1, ?2)
                 ON CONFLICT(id) DO UPDATE SET pid = excluded.pid, at_ms = excluded.at_ms",
                params![pid, now_ms],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    pub fn last_beat(&self) -> Result<Option<(u32, i64)>, StoreError> {
        self.db
            .query_row("SELECT pid, at_ms FROM heartbeat WHERE id = 1", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Adds a silence (`clawkit monitor silence`); the running monitor reads it on its next tick.
    pub fn add_silence(&self, s: &Silence) -> Result<(), StoreError> {
        self.db
            .execute(
                "INSERT INTO silence (gateway, until_ms, reason) VALUES (?1, ?2, ?3)",
                params![s.gateway, s.until_ms, s.reason],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// The silences still in force at `now_ms`.
    pub fn silences(&self, now_ms: i64) -> Result<Vec<Silence>, StoreError> {
        let mut q = self
            .db
            .prepare("SELECT gateway, until_ms, reason FROM silence WHERE until_ms > ?1")
            .map_err(|e| self.err(e))?;
        let rows = q
            .query_map(params![now_ms], |r| {
                Ok(Silence {
                    gateway: r.get(0)?,
                    until_ms: r.get(1)?,
                    reason: r.get(2)?,
                })
            })
            .map_err(|e| self.err(e))?;
        Ok(rows.filter_map(Result::ok).collect())
    }

    /// Whether the last span of `gateway` is up, and since when (`None`: never seen).
    pub fn current(&self, gateway: &str) -> Result<Option<(bool, i64, i64)>, StoreError> {
        self.db
            .query_row(
                "SELECT up, start_ms, end_ms FROM span WHERE gateway = ?1 ORDER BY start_ms DESC LIMIT 1",
                params![gateway],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Adds a closed 10 s bucket of probe samples to every tier (and prunes each tier).
    pub fn add_samples(
        &mut self,
        start_ms: i64,
        sums: &[(String, crate::samples::Sums)],
    ) -> Result<(), StoreError> {
        crate::samples::write(&mut self.db, start_ms, sums).map_err(|e| StoreError {
            path: self.path.clone(),
            source: e,
        })
    }

    /// `gateway`'s probe samples in `tier` since `since_ms`, oldest first.
    pub fn samples(
        &self,
        gateway: &str,
        tier: crate::samples::Tier,
        since_ms: i64,
    ) -> Result<Vec<crate::samples::Bucket>, StoreError> {
        crate::samples::read(&self.db, gateway, tier, since_ms).map_err(|e| self.err(e))
    }

    /// Drops history and spans older than `before_ms` (retention).
    pub fn prune(&self, before_ms: i64) -> Result<(), StoreError> {
        self.db
            .execute_batch(&format!(
                "DELETE FROM history WHERE at_ms < {before_ms}; DELETE FROM span WHERE end_ms < {before_ms};"
            ))
            .map_err(|e| self.err(e))
    }
}

fn extend_span(
    db: &Connection,
    gateway: &str,
    up: bool,
    now_ms: i64,
    max_gap_ms: i64,
) -> rusqlite::Result<()> {
    let last: Option<(i64, i64, bool)> = db
        .query_row(
            "SELECT start_ms, end_ms, up FROM span WHERE gateway = ?1 ORDER BY start_ms DESC LIMIT 1",
            params![gateway],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let start_new = match last {
        Some((start, end, was_up)) if now_ms - end <= max_gap_ms => {
            db.execute(
                "UPDATE span SET end_ms = ?3 WHERE gateway = ?1 AND start_ms = ?2",
                params![gateway, start, now_ms],
            )?;
            was_up != up
        }
        _ => true,
    };
    if start_new {
        db.execute(
            "INSERT OR REPLACE INTO span (gateway, start_ms, end_ms, up) VALUES (?1, ?2, ?2, ?3)",
            params![gateway, now_ms, up],
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uptime_counts_the_watched_time_and_leaves_gaps_unknown() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(&dir.path().join("m.sqlite")).unwrap();
        let gap = 5_000;
        for t in (0..=10_000).step_by(1_000) {
            s.observe_state("gw", true, t, gap).unwrap();
        }
        s.observe_state("gw", false, 11_000, gap).unwrap();
        s.observe_state("gw", false, 12_000, gap).unwrap();
        // The monitor was away from 12 s to 30 s: unknown, not up.
        for t in (30_000..=40_000).step_by(1_000) {
            s.observe_state("gw", true, t, gap).unwrap();
        }
        let u = s.uptime("gw", 0, 40_000).unwrap();
        assert_eq!((u.up_ms, u.down_ms, u.unknown_ms), (21_000, 1_000, 18_000));
        assert!((u.percent().unwrap() - 95.45).abs() < 0.01);
        assert_eq!(s.uptime("other", 0, 1).unwrap().percent(), None);
    }

    #[test]
    fn a_monitor_starts_while_status_polls_a_fresh_file() {
        // Found by the delivery bench: `monitor status` polling while `monitor run` created
        // its store made the run fail with "database is locked".
        for round in 0..40 {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("m.sqlite");
            let poll_path = path.clone();
            let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
            let polling = stop.clone();
            let poller = std::thread::spawn(move || {
                while !polling.load(std::sync::atomic::Ordering::Relaxed) {
                    let s = Store::reader(&poll_path).expect("status reads");
                    s.memos().expect("memos read");
                    s.last_beat().expect("beat read");
                }
            });
            let opened = Store::open(&path).and_then(|s| s.beat(1, 1).map(|_| s));
            stop.store(true, std::sync::atomic::Ordering::Relaxed);
            poller.join().unwrap();
            assert!(opened.is_ok(), "round {round}: {:?}", opened.err());
        }
    }

    #[test]
    fn a_reader_of_a_missing_file_sees_nothing_and_creates_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.sqlite");
        let s = Store::reader(&path).unwrap();
        assert!(s.memos().unwrap().is_empty());
        assert!(s.last_beat().unwrap().is_none());
        assert!(!path.exists());
    }

    #[test]
    fn memos_history_and_beats_survive_a_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.sqlite");
        let alert: Alert = serde_json::from_value(serde_json::json!({
            "id": "x", "event": "down", "gateway": "gw", "url": "ws://h", "at": "t", "summary": "s"
        }))
        .unwrap();
        {
            let mut s = Store::open(&path).unwrap();
            s.save_memos(&[Memo {
                gateway: "gw".into(),
                boot: None,
                incidents: Vec::new(),
            }])
            .unwrap();
            s.record(&alert, false, 5).unwrap();
            s.record(&alert, false, 5).unwrap();
            s.beat(42, 9).unwrap();
        }
        let s = Store::open(&path).unwrap();
        assert_eq!(s.memos().unwrap().len(), 1);
        assert_eq!(s.history(0, Some("gw")).unwrap().len(), 1, "one row per id");
        assert_eq!(s.last_beat().unwrap(), Some((42, 9)));
    }
}
