//! OpenClaw's config file: read as OpenClaw reads it (with provenance), and changed one key at
//! a time without disturbing anything else.

mod edit;
mod error;
mod load;
mod node;
pub mod schema;

pub use edit::{NewValue, Splice, apply};
pub use error::ConfigError;
pub use load::{LoadedConfig, load, parse_text};
pub use node::{Json, Node, Origin};

use crate::fsx::{self, Snapshot};
use std::path::{Path, PathBuf};

/// One planned change to one file.
#[derive(Debug, Clone)]
pub struct EditPlan {
    pub key: String,
    pub file: PathBuf,
    /// The key's path inside `file` (differs from `key` for included files).
    pub path_in_file: Vec<String>,
    pub snapshot: Snapshot,
    pub splices: Vec<Splice>,
    pub new_text: String,
}

impl EditPlan {
    fn new(
        key: &str,
        file: PathBuf,
        path_in_file: Vec<String>,
        snapshot: Snapshot,
        splices: Vec<Splice>,
    ) -> EditPlan {
        let new_text = apply(&snapshot.text, &splices);
        EditPlan {
            key: key.to_string(),
            file,
            path_in_file,
            snapshot,
            splices,
            new_text,
        }
    }

    pub fn changes_anything(&self) -> bool {
        self.new_text != self.snapshot.text
    }

    /// Backs the file up under `backup_root`, then writes it atomically. Returns the backup.
    pub fn apply(&self, backup_root: &Path) -> Result<PathBuf, ConfigError> {
        let backup = fsx::backup(&self.snapshot, backup_root)?;
        fsx::replace(&self.snapshot, &self.new_text)?;
        Ok(backup)
    }
}

fn split_key(key: &str) -> Result<Vec<&str>, ConfigError> {
    let parts: Vec<&str> = key.split('.').collect();
    if parts.iter().any(|p| p.is_empty()) {
        return Err(ConfigError::Refused(format!(
            "`{key}` is not a dot path such as gateway.auth.token"
        )));
    }
    Ok(parts)
}

/// The file that defines `key` (or its deepest existing parent) and the key's path inside it.
fn target(config: &LoadedConfig, parts: &[&str]) -> (PathBuf, Vec<String>) {
    let mut file = config.path.clone();
    for depth in (1..=parts.len()).rev() {
        if let Some(node) = config.root.at(&parts[..depth]) {
            file = node.origin.file.as_ref().clone();
            break;
        }
    }
    let mount = config
        .mounts
        .iter()
        .find(|(f, _)| *f == file)
        .map(|(_, m)| m.clone())
        .unwrap_or_default();
    let full: Vec<String> = parts.iter().map(|s| s.to_string()).collect();
    if full.starts_with(&mount) && mount.len() < full.len() {
        (file, full[mount.len()..].to_vec())
    } else {
        (config.path.clone(), full)
    }
}

/// Plans `key = value`. Refuses values OpenClaw's schema would reject.
pub fn plan_set(
    config: &LoadedConfig,
    key: &str,
    value: &NewValue,
) -> Result<EditPlan, ConfigError> {
    let parts = split_key(key)?;
    if let Some(reason) = schema::reject_reason(key, &value.to_json()) {
        return Err(ConfigError::Refused(reason));
    }
    let (file, path_in_file) = target(config, &parts);
    let snapshot = read_or_empty(&file)?;
    let refs: Vec<&str> = path_in_file.iter().map(String::as_str).collect();
    let splices = edit::set(&snapshot.text, &file, &refs, value)?;
    Ok(EditPlan::new(key, file, path_in_file, snapshot, splices))
}

/// Plans removing `key`; `None` when no file defines it.
pub fn plan_unset(config: &LoadedConfig, key: &str) -> Result<Option<EditPlan>, ConfigError> {
    let parts = split_key(key)?;
    let Some(node) = config.root.at(&parts) else {
        return Ok(None);
    };
    let file = node.origin.file.as_ref().clone();
    let (file, path_in_file) = {
        let (f, p) = target(config, &parts);
        if f == file {
            (f, p)
        } else {
            (file, parts.iter().map(|s| s.to_string()).collect())
        }
    };
    let snapshot = Snapshot::read(&file)?;
    let refs: Vec<&str> = path_in_file.iter().map(String::as_str).collect();
    let splices = edit::unset(&snapshot.text, &file, &refs)?;
    if splices.is_empty() {
        return Ok(None);
    }
    Ok(Some(EditPlan::new(
        key,
        file,
        path_in_file,
        snapshot,
        splices,
    )))
}

fn read_or_empty(file: &Path) -> Result<Snapshot, ConfigError> {
    if !file.exists() {
        if let Some(dir) = file.parent() {
            std::fs::create_dir_all(dir).map_err(|e| ConfigError::io(dir, e))?;
        }
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(file)
            .map_err(|e| ConfigError::io(file, e))?;
        let _ = crate::fsx::set_mode(file, 0o600);
    }
    Ok(Snapshot::read(file)?)
}

#[cfg(test)]
mod tests;
