//! The record of a fix run (and, in `lock`, the rule that one runs at a time per state dir), written before and after every change, so `clawkit undo` can put
//! back what a run changed — even a run killed half-way — and say what it cannot revert.
//! Kept in `<state dir>/clawkit/journal/<id>.json` (mode 0600); holds paths and backups, never a
//! secret.

use crate::fsx;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

pub mod lock;
pub mod write;

#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error("{path}: {message}")]
    Io { path: PathBuf, message: String },
    #[error("no fix run recorded under {0} (nothing to undo)")]
    Empty(PathBuf),
    #[error("no fix run `{id}` under {dir}; `clawkit undo --list` shows the runs")]
    Unknown { id: String, dir: PathBuf },
    #[error("fix run {0} was already undone")]
    AlreadyUndone(String),
}

/// One thing a step changed, and how to put it back.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Change {
    /// A file rewritten; `backup` holds its previous bytes.
    File {
        path: PathBuf,
        backup: PathBuf,
        mode: u32,
    },
    /// A file that did not exist before.
    Created { path: PathBuf },
    /// Permission bits changed.
    Mode { path: PathBuf, old_mode: u32 },
    /// One row of the client's device-token cache (SQLite); `backup` is a copy of the database.
    StateRow {
        db: PathBuf,
        backup: PathBuf,
        device_id: String,
        role: String,
    },
    /// Something no undo can take back (a stopped process, a restart, an approval).
    Irreversible { what: String },
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StepRecord {
    pub n: usize,
    pub title: String,
    pub kind: String,
    /// started, done, failed, skipped.
    pub status: String,
    pub message: Option<String>,
    pub changes: Vec<Change>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Journal {
    pub schema_version: u32,
    pub id: String,
    pub started_at_ms: i64,
    /// running, done, failed, undone.
    pub status: String,
    pub steps: Vec<StepRecord>,
    #[serde(skip)]
    path: PathBuf,
}

/// How many runs this process has begun (for unique ids).
static RUNS_IN_THIS_PROCESS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

pub fn journal_dir(state_dir: &Path) -> PathBuf {
    state_dir.join("clawkit").join("journal")
}

impl Journal {
    /// Starts a run and writes its (empty) record.
    pub fn begin(state_dir: &Path) -> Result<Journal, JournalError> {
        let now = crate::time::now_ms();
        let stamp: String = crate::time::format_time_ms(now)
            .chars()
            .filter(char::is_ascii_digit)
            .collect();
        let mut id = format!(
            "{}-{}-{}",
            &stamp[..8.min(stamp.len())],
            &stamp[8.min(stamp.len())..],
            std::process::id()
        );
        // A long-running process (the monitor, the web doctor) may start two runs in one
        // second: the second gets `-2`, and so on. Sorting by start time, then id, keeps
        // their order.
        let nth = RUNS_IN_THIS_PROCESS.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        if nth > 1 {
            id.push_str(&format!("-{nth}"));
        }
        let mut j = Journal {
            schema_version: 1,
            id: id.clone(),
            started_at_ms: now,
            status: "running".into(),
            steps: Vec::new(),
            path: journal_dir(state_dir).join(format!("{id}.json")),
        };
        j.save()?;
        Ok(j)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn save(&mut self) -> Result<(), JournalError> {
        let text = serde_json::to_string_pretty(self).unwrap_or_default();
        fsx::write_atomic(&self.path, text.as_bytes(), 0o600).map_err(|e| JournalError::Io {
            path: self.path.clone(),
            message: e.to_string(),
        })?;
        crate::failpoint::hit("journal-saved");
        Ok(())
    }

    /// Records that step `n` starts (before anything changes).
    pub fn start_step(&mut self, n: usize, title: &str, kind: &str) -> Result<(), JournalError> {
        self.steps.push(StepRecord {
            n,
            title: title.to_string(),
            kind: kind.to_string(),
            status: "started".into(),
            message: None,
            changes: Vec::new(),
        });
        self.save()
    }

    /// Records a change of the current step. Call it after the backup exists and before the
    /// original is replaced.
    pub fn record(&mut self, change: Change) -> Result<(), JournalError> {
        if let Some(s) = self.steps.last_mut() {
            s.changes.push(change);
        }
        self.save()
    }

    pub fn finish_step(
        &mut self,
        status: &str,
        message: Option<String>,
    ) -> Result<(), JournalError> {
        if let Some(s) = self.steps.last_mut() {
            s.status = status.to_string();
            s.message = message;
        }
        self.save()
    }

    pub fn finish(&mut self, status: &str) -> Result<(), JournalError> {
        self.status = status.to_string();
        self.save()
    }

    pub fn changed_anything(&self) -> bool {
        self.steps.iter().any(|s| !s.changes.is_empty())
    }
}

fn read(path: &Path) -> Result<Journal, JournalError> {
    let io = |message: String| JournalError::Io {
        path: path.to_path_buf(),
        message,
    };
    let text = std::fs::read_to_string(path).map_err(|e| io(e.to_string()))?;
    let mut j: Journal =
        serde_json::from_str(&text).map_err(|e| io(format!("not a clawkit journal ({e})")))?;
    j.path = path.to_path_buf();
    Ok(j)
}

/// Every recorded run, oldest first (unreadable records are listed by `Err`).
pub fn list(state_dir: &Path) -> Vec<Result<Journal, JournalError>> {
    let dir = journal_dir(state_dir);
    let paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    let mut runs: Vec<Result<Journal, JournalError>> = paths.iter().map(|p| read(p)).collect();
    runs.sort_by(|a, b| match (a, b) {
        (Ok(a), Ok(b)) => (a.started_at_ms, &a.id).cmp(&(b.started_at_ms, &b.id)),
        (Err(_), Ok(_)) => std::cmp::Ordering::Less,
        (Ok(_), Err(_)) => std::cmp::Ordering::Greater,
        (Err(_), Err(_)) => std::cmp::Ordering::Equal,
    });
    runs
}

/// What an undo did.
#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UndoReport {
    pub id: String,
    pub restored: Vec<String>,
    pub not_reverted: Vec<String>,
    pub failed: Vec<String>,
}

/// Puts back what run `id` (default: the last run that changed something) changed, newest
/// change first. The current version of each file is backed up before it is restored.
pub fn undo(state_dir: &Path, id: Option<&str>) -> Result<UndoReport, JournalError> {
    let dir = journal_dir(state_dir);
    let runs: Vec<Journal> = list(state_dir).into_iter().filter_map(Result::ok).collect();
    let mut journal = match id {
        Some(id) => runs
            .into_iter()
            .find(|j| j.id == id)
            .ok_or_else(|| JournalError::Unknown {
                id: id.to_string(),
                dir: dir.clone(),
            })?,
        None => runs
            .into_iter()
            .rev()
            .find(|j| j.changed_anything() && j.status != "undone")
            .ok_or(JournalError::Empty(dir))?,
    };
    if journal.status == "undone" {
        return Err(JournalError::AlreadyUndone(journal.id));
    }
    let backups = fsx::backup_root(state_dir);
    let mut report = UndoReport {
        id: journal.id.clone(),
        ..UndoReport::default()
    };
    for step in journal.steps.iter().rev() {
        if step.status == "started" {
            report.not_reverted.push(format!(
                "step {} ({}) was interrupted; what it recorded is restored below",
                step.n, step.title
            ));
        }
        for change in step.changes.iter().rev() {
            match revert(change, &backups) {
                Ok(Some(done)) => report.restored.push(done),
                Ok(None) => {}
                Err(e) => report.failed.push(e),
            }
            if let Change::Irreversible { what } = change {
                report.not_reverted.push(what.clone());
            }
        }
    }
    journal.status = "undone".into();
    journal.save()?;
    Ok(report)
}

fn revert(change: &Change, backups: &Path) -> Result<Option<String>, String> {
    match change {
        Change::File { path, backup, mode } => {
            let old = std::fs::read(backup).map_err(|e| format!("{}: {e}", backup.display()))?;
            if path.is_file()
                && let Ok(snap) = fsx::Snapshot::read(path)
            {
                fsx::backup(&snap, backups).map_err(|e| e.to_string())?;
            }
            fsx::write_atomic(path, &old, *mode).map_err(|e| e.to_string())?;
            Ok(Some(format!(
                "{} restored from {}",
                path.display(),
                backup.display()
            )))
        }
        Change::Created { path } => {
            if path.is_file() {
                let snap = fsx::Snapshot::read(path).map_err(|e| e.to_string())?;
                fsx::backup(&snap, backups).map_err(|e| e.to_string())?;
                std::fs::remove_file(path).map_err(|e| format!("{}: {e}", path.display()))?;
            }
            Ok(Some(format!(
                "{} removed (clawkit created it)",
                path.display()
            )))
        }
        Change::Mode { path, old_mode } => {
            crate::fsx::set_mode(path, *old_mode)
                .map_err(|e| format!("{}: {e}", path.display()))?;
            Ok(Some(format!("{} mode {old_mode:o} again", path.display())))
        }
        Change::StateRow {
            db,
            backup,
            device_id,
            role,
        } => {
            crate::openclaw::state::restore_cached_token_row(db, backup, device_id, role)
                .map_err(|e| e.to_string())?;
            Ok(Some(format!(
                "the cached {role} token of device {} restored in {}",
                crate::openclaw::state::short_device_id(device_id),
                db.display()
            )))
        }
        Change::Irreversible { .. } => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_runs_in_one_second_get_their_own_records_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let mut a = Journal::begin(dir.path()).unwrap();
        let mut b = Journal::begin(dir.path()).unwrap();
        assert_ne!(a.id, b.id);
        assert_ne!(a.path(), b.path());
        a.finish("done").unwrap();
        b.finish("failed").unwrap();
        let ids: Vec<String> = list(dir.path())
            .into_iter()
            .map(|r| r.unwrap().id)
            .collect();
        assert_eq!(ids, vec![a.id.clone(), b.id.clone()]);
        assert_eq!(read(b.path()).unwrap().status, "failed");
        assert_eq!(read(a.path()).unwrap().status, "done");
    }
}
