//! Performing one planned step: back up, record in the journal, then change — through the same
//! pieces the single commands use (config edits, the verified kill, `tokens::refresh`).
//! Every file change is previewable as a diff in which secrets appear as fingerprints.

use super::plan::{Action, Step};
use super::sources::remove_assignment;
use crate::diff::unified;
use crate::fsx::{Snapshot, backup_root};
use crate::gateway::{ConnectOptions, connect};
use crate::host::kill::stop;
use crate::journal::write::replace_file;
use crate::journal::{Change, Journal};
use crate::openclaw::auth::{AuthMode, Secret, as_credential};
use crate::openclaw::config::{NewValue, plan_set, plan_unset};
use crate::openclaw::state::CacheWrite;
use crate::target::Target;
use crate::tokens::{self, RefreshRequest};
use serde_json::json;
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Context {
    pub target: Target,
    /// Where the CLI's gateway is and how to connect (URL, TLS pin).
    pub endpoint: ConnectOptions,
    /// The gateway's auth mode (decides whether a shared secret goes as token or password).
    pub auth_mode: AuthMode,
    pub timeout: Duration,
}

/// A planned file change: the file as read, and what it would become.
struct FileChange {
    snapshot: Snapshot,
    new_text: String,
    /// Values to show as fingerprints in a diff.
    secrets: Vec<Secret>,
}

fn file_change(step: &Step, ctx: &Context) -> Result<Option<FileChange>, String> {
    let load = || ctx.target.load_config().map_err(|e| e.to_string());
    Ok(Some(match &step.action {
        Action::ConfigSet { key, secret } => {
            let plan = plan_set(
                &load()?,
                key,
                &NewValue::String(secret.expose().to_string()),
            )
            .map_err(|e| e.to_string())?;
            FileChange {
                snapshot: plan.snapshot,
                new_text: plan.new_text,
                secrets: vec![secret.clone()],
            }
        }
        Action::ConfigUnset { key } => {
            match plan_unset(&load()?, key).map_err(|e| e.to_string())? {
                Some(plan) => FileChange {
                    snapshot: plan.snapshot,
                    new_text: plan.new_text,
                    secrets: Vec::new(),
                },
                None => return Ok(None),
            }
        }
        Action::FileSecret { file, old, new } => {
            let snapshot = Snapshot::read(file).map_err(|e| e.to_string())?;
            let new_text = match new {
                Some(n) => snapshot.text.replace(old.expose(), n.expose()),
                None => remove_assignment(&snapshot.text, old).ok_or_else(|| {
                    format!(
                        "{}: the line that sets {} carries other settings too; edit it by hand",
                        file.display(),
                        old.kind.env_var()
                    )
                })?,
            };
            let mut secrets = vec![old.clone()];
            secrets.extend(new.clone());
            FileChange {
                snapshot,
                new_text,
                secrets,
            }
        }
        Action::FileReplace { file, from, to } => {
            let snapshot = Snapshot::read(file).map_err(|e| e.to_string())?;
            let new_text = snapshot.text.replace(from.as_str(), to);
            FileChange {
                snapshot,
                new_text,
                secrets: Vec::new(),
            }
        }
        _ => return Ok(None),
    }))
}

/// A redactor for every secret value in `secrets`.
pub fn redactor<'a>(secrets: impl IntoIterator<Item = &'a Secret>) -> crate::secret::Redactor {
    crate::secret::Redactor::new(secrets.into_iter().map(Secret::expose))
}

/// The unified diff a step would apply (secrets as fingerprints), if it edits a file.
pub fn preview(step: &Step, ctx: &Context) -> Result<Option<String>, String> {
    let Some(change) = file_change(step, ctx)? else {
        return Ok(match &step.action {
            Action::Chmod { path, mode } => std::fs::metadata(path)
                .ok()
                .and_then(|m| crate::fsx::mode_of(&m))
                .map(|old| format!("{}: mode {:o} -> {mode:o}\n", path.display(), old & 0o777)),
            _ => None,
        });
    };
    let diff = unified(
        &change.snapshot.path.display().to_string(),
        &change.snapshot.text,
        &change.new_text,
    );
    Ok(Some(redactor(&change.secrets).redact(&diff)))
}

/// Performs `step`, recording each change in `journal` before it happens. Returns what was
/// done, in one line.
pub async fn apply(step: &Step, ctx: &Context, journal: &mut Journal) -> Result<String, String> {
    let state_dir = ctx.target.paths.state_dir.value.clone();
    let backups = backup_root(&state_dir);
    let jerr = |e: crate::journal::JournalError| e.to_string();
    if let Some(change) = file_change(step, ctx)? {
        let path = change.snapshot.path.clone();
        if change.new_text == change.snapshot.text {
            return Ok(format!("{}: already as planned", path.display()));
        }
        // A config must still parse as OpenClaw reads it; a broken write is put back at once.
        let config = (path == ctx.target.paths.config_path.value).then_some(&ctx.target.env);
        let backup = replace_file(
            journal,
            &change.snapshot,
            &change.new_text,
            &backups,
            config,
        )?;
        return Ok(format!(
            "{} changed (backup {})",
            path.display(),
            backup.display()
        ));
    }
    match &step.action {
        Action::Chmod { path, mode } => {
            let meta = std::fs::metadata(path).map_err(|e| format!("{}: {e}", path.display()))?;
            let old = crate::fsx::mode_of(&meta).ok_or_else(|| {
                format!(
                    "{}: this system has no permission bits to change",
                    path.display()
                )
            })?;
            journal
                .record(Change::Mode {
                    path: path.clone(),
                    old_mode: old,
                })
                .map_err(jerr)?;
            crate::fsx::set_mode(path, *mode).map_err(|e| format!("{}: {e}", path.display()))?;
            Ok(format!("{} mode {old:o} -> {mode:o}", path.display()))
        }
        Action::StopProcess { pid } => {
            let target = ctx
                .target
                .host
                .process(*pid)
                .ok_or_else(|| format!("pid {pid} is gone already"))?;
            journal
                .record(Change::Irreversible {
                    what: format!("stopped pid {pid} ({})", target.name),
                })
                .map_err(jerr)?;
            let host = ctx.target.host.clone();
            let stopped = crate::blocking::blocking(move || {
                stop(host.as_ref(), &target, true, Duration::from_secs(10))
            })
            .await
            .map_err(|e| e.to_string())?;
            Ok(format!("pid {pid}: {stopped}"))
        }
        Action::RefreshDeviceToken { shared } => refresh_token(ctx, shared, journal).await,
        Action::Approve { request_id, shared } => approve(ctx, shared, request_id, journal).await,
        other => Err(format!("{other:?} is not performed here")),
    }
}

/// Gets, caches and verifies a fresh device token for this client as `gateway token rotate`
/// does, journaling the cache write the moment it happens so `clawkit undo` can put it back.
async fn refresh_token(
    ctx: &Context,
    shared: &Secret,
    journal: &mut Journal,
) -> Result<String, String> {
    let req = RefreshRequest {
        role: "operator".into(),
        secret: as_credential(Some(shared), &ctx.auth_mode),
        timeout: ctx.timeout,
    };
    let mut record = |write: &CacheWrite| Ok(journal.record(journal_change(write))?);
    let refreshed = tokens::refresh(&ctx.target, &req, &mut record)
        .await
        .map_err(|e| e.to_string())?;
    if !refreshed.accepted() {
        return Err(format!(
            "cached a new token, but the gateway refuses it: {}",
            refreshed.verified.name()
        ));
    }
    Ok(format!(
        "device {}: new {} token {} cached, accepted by the gateway",
        crate::openclaw::state::short_device_id(&refreshed.device_id),
        refreshed.role,
        refreshed.new
    ))
}

/// How `clawkit undo` puts back a cache write.
fn journal_change(write: &CacheWrite) -> Change {
    match write.clone() {
        CacheWrite::Created { path } => Change::Created { path },
        CacheWrite::Rewrote { path, backup } => Change::File {
            path,
            backup,
            mode: 0o600,
        },
        CacheWrite::Row {
            db,
            backup,
            device_id,
            role,
        } => Change::StateRow {
            db,
            backup,
            device_id,
            role,
        },
    }
}

/// Approves a pending pairing request on the gateway with the shared secret.
async fn approve(
    ctx: &Context,
    shared: &Secret,
    request_id: &str,
    journal: &mut Journal,
) -> Result<String, String> {
    let mut opts = ctx.endpoint.clone();
    opts.timeout = ctx.timeout;
    opts.credential = as_credential(Some(shared), &ctx.auth_mode);
    let mut conn = connect(&opts)
        .await
        .map_err(|v| format!("the gateway refused the admin connection: {}", v.name()))?;
    journal
        .record(Change::Irreversible {
            what: format!(
                "approved pairing request {request_id} (revoke with `openclaw devices revoke`)"
            ),
        })
        .map_err(|e| e.to_string())?;
    let r = conn
        .request("device.pair.approve", json!({"requestId": request_id}))
        .await;
    conn.close().await;
    r.map(|_| format!("request {request_id} approved"))
        .map_err(|e| format!("the gateway refused the approval: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each cache write becomes the journal entry `clawkit undo` knows how to put back.
    #[test]
    fn a_cache_write_journals_as_undo_expects() {
        let created = journal_change(&CacheWrite::Created {
            path: "/s/c.json".into(),
        });
        assert!(
            matches!(created, Change::Created { path } if path == std::path::Path::new("/s/c.json"))
        );
        let rewrote = journal_change(&CacheWrite::Rewrote {
            path: "/s/c.json".into(),
            backup: "/b/c.json".into(),
        });
        assert!(matches!(rewrote, Change::File { mode: 0o600, .. }));
        let row = journal_change(&CacheWrite::Row {
            db: "/s/db".into(),
            backup: "/b/db.bak".into(),
            device_id: "d1".into(),
            role: "operator".into(),
        });
        assert!(
            matches!(row, Change::StateRow { device_id, role, .. } if device_id == "d1" && role == "operator")
        );
    }
}
