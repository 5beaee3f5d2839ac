//! The one way a journalled run rewrites a file: a backup under the state dir's backup root,
//! the journal entry naming it (before the original is touched), an atomic write that keeps
//! the file's mode, and — for OpenClaw's config — a parse as OpenClaw reads it, the old text
//! put back at once when the new one does not parse. The doctor's fix steps and
//! `gateway token rotate`'s storing of a given secret both write through [`replace_file`].

use super::{Change, Journal};
use crate::env::Env;
use crate::fsx::{self, Snapshot};
use std::path::{Path, PathBuf};

/// Replaces `snapshot`'s file with `new_text` and returns the backup's path. With `config`
/// (the environment OpenClaw reads it with), the result must still load as a config.
pub fn replace_file(
    journal: &mut Journal,
    snapshot: &Snapshot,
    new_text: &str,
    backups: &Path,
    config: Option<&Env>,
) -> Result<PathBuf, String> {
    let path = snapshot.path.clone();
    let mode = std::fs::metadata(&path)
        .map(|m| crate::fsx::mode_of(&m).unwrap_or(0o600))
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let backup = fsx::backup(snapshot, backups).map_err(|e| e.to_string())?;
    journal
        .record(Change::File {
            path: path.clone(),
            backup: backup.clone(),
            mode,
        })
        .map_err(|e| e.to_string())?;
    crate::failpoint::hit("file-backed-up");
    fsx::replace(snapshot, new_text).map_err(|e| e.to_string())?;
    crate::failpoint::hit("file-replaced");
    if let Some(env) = config
        && let Err(e) = crate::openclaw::config::load(&path, env)
    {
        let now = Snapshot::read(&path).map_err(|e| e.to_string())?;
        fsx::replace(&now, &snapshot.text).map_err(|e| e.to_string())?;
        return Err(format!(
            "the edited config did not parse ({e}); restored it"
        ));
    }
    Ok(backup)
}
