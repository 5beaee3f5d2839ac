//! One fix at a time per state dir. The CLI, a browser tab of the web doctor and the monitor's
//! healing could otherwise interleave steps on the same files; the file snapshots in `fsx`
//! protect single writes, not the order of a plan. The lock is an OS file lock (released when
//! the process dies, so a crashed run never wedges the next one) on
//! `<state dir>/clawkit/fix.lock`, whose text says who holds it.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum FixLockError {
    #[error(
        "another clawkit fix is running for this state dir ({holder}); wait for it to finish, or look at it with `clawkit undo --list`"
    )]
    Held { holder: String, path: PathBuf },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Held while a fix runs; dropping it releases the lock.
#[derive(Debug)]
pub struct FixLock {
    _file: File,
}

pub fn lock_path(state_dir: &Path) -> PathBuf {
    state_dir.join("clawkit").join("fix.lock")
}

impl FixLock {
    /// Takes the lock, or says who holds it. `who` describes this run ("clawkit doctor --fix,
    /// pid 123").
    pub fn acquire(state_dir: &Path, who: &str) -> Result<FixLock, FixLockError> {
        let path = lock_path(state_dir);
        let io = |source| FixLockError::Io {
            path: path.clone(),
            source,
        };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let mut holder = String::new();
                let _ = file.read_to_string(&mut holder);
                let holder = holder.trim();
                return Err(FixLockError::Held {
                    holder: if holder.is_empty() {
                        "holder unknown".into()
                    } else {
                        holder.to_string()
                    },
                    path,
                });
            }
            Err(TryLockError::Error(e)) => return Err(io(e)),
        }
        file.set_len(0).map_err(io)?;
        file.rewind().map_err(io)?;
        let since = crate::time::format_time_ms(crate::time::now_ms());
        write!(file, "{who}, since {since} UTC").map_err(io)?;
        Ok(FixLock { _file: file })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_fix_is_refused_with_the_holder_until_the_first_ends() {
        let dir = tempfile::tempdir().unwrap();
        let first = FixLock::acquire(dir.path(), "run A, pid 1").unwrap();
        let err = FixLock::acquire(dir.path(), "run B, pid 2").unwrap_err();
        let text = err.to_string();
        assert!(text.contains("run A, pid 1"), "{text}");
        assert!(matches!(err, FixLockError::Held { .. }));
        drop(first);
        let again = FixLock::acquire(dir.path(), "run B, pid 2");
        assert!(again.is_ok(), "{again:?}");
    }
}
