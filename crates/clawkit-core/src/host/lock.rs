//! The gateway's single-instance lock files: who claims this state dir and config, and
//! whether that claim is still true (the pid alive and the same process: start time equal).

use super::Host;
use crate::env::Env;
use crate::openclaw::install::InstallPaths;
use serde::Serialize;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GatewayLock {
    pub path: PathBuf,
    pub pid: u32,
    pub port: Option<u16>,
    pub owner_id: Option<String>,
    pub config_path: Option<PathBuf>,
    pub state_dir: Option<PathBuf>,
    pub start_time: Option<u64>,
    pub created_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "camelCase")]
pub enum Liveness {
    /// The pid runs and (where recorded) started when the lock says.
    Alive,
    /// No process with that pid.
    Dead,
    /// The pid now belongs to another process: different start time, or not a gateway.
    Reused { reason: String },
}

/// The lock files for this install, newest layout first: `<state>/tmp/openclaw-<uid>/`
/// (2026.9: `gateway.state.lock` and the per-config lock), then the process temp dir (before
/// 2026.9: only the per-config lock). Unreadable or malformed files are returned as errors
/// naming the file.
pub fn find(paths: &InstallPaths, env: &Env, uid: u32) -> Vec<Result<GatewayLock, String>> {
    let config_lock = paths.config_lock_file(uid);
    let name = config_lock
        .file_name()
        .map(PathBuf::from)
        .unwrap_or_default();
    let temp = env
        .path("TMPDIR")
        .unwrap_or_else(|| PathBuf::from("/tmp"))
        .join(format!("openclaw-{uid}"));
    [
        paths.lock_dir(uid).join("gateway.state.lock"),
        config_lock,
        temp.join(name),
    ]
    .into_iter()
    .filter(|p| p.is_file())
    .map(|p| read(&p))
    .collect()
}

/// Parses one lock file (JSON followed by padding).
pub fn read(path: &Path) -> Result<GatewayLock, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    parse(path, &text)
}

pub fn parse(path: &Path, text: &str) -> Result<GatewayLock, String> {
    let v: serde_json::Value =
        serde_json::from_str(text.trim_matches(|c: char| c.is_whitespace() || c == '\0'))
            .map_err(|e| format!("{}: not a gateway lock ({e})", path.display()))?;
    let pid = v["pid"]
        .as_u64()
        .and_then(|p| u32::try_from(p).ok())
        .ok_or_else(|| format!("{}: gateway lock without a pid", path.display()))?;
    let string = |k: &str| v[k].as_str().map(str::to_string);
    Ok(GatewayLock {
        path: path.to_path_buf(),
        pid,
        port: v["port"].as_u64().and_then(|p| u16::try_from(p).ok()),
        owner_id: string("ownerId"),
        config_path: string("configPath").map(PathBuf::from),
        state_dir: string("stateDir").map(PathBuf::from),
        start_time: v["startTime"].as_u64(),
        created_at: string("createdAt"),
    })
}

impl GatewayLock {
    /// OpenClaw's own test: alive when the pid runs and its start time matches; without a
    /// recorded start time, the process must look like a gateway.
    pub fn liveness(&self, host: &dyn Host) -> Liveness {
        let Some(process) = host.process(self.pid) else {
            return Liveness::Dead;
        };
        // The recorded start time is Linux clock ticks; other systems' start times are not
        // comparable with it.
        let recorded = self.start_time.filter(|_| cfg!(target_os = "linux"));
        match (recorded, process.start_ticks) {
            (Some(recorded), Some(now)) if recorded != now => Liveness::Reused {
                reason: format!(
                    "pid {} started at tick {now}, the lock recorded {recorded}: it is now `{}`",
                    self.pid,
                    process.command()
                ),
            },
            (Some(_), Some(_)) => Liveness::Alive,
            _ if process.is_gateway() => Liveness::Alive,
            _ => Liveness::Reused {
                reason: format!(
                    "pid {} is now `{}`, not a gateway",
                    self.pid,
                    process.command()
                ),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padded_lock_parses_and_garbage_names_the_file() {
        let text = format!(
            "{}{}",
            r#"{"pid":8638,"ownerId":"u-1","configPath":"/h/.openclaw/openclaw.json","stateDir":"/h/.openclaw","port":28789,"startTime":52919}"#,
            " ".repeat(200)
        );
        let lock = parse(Path::new("/l/gateway.state.lock"), &text).unwrap();
        assert_eq!(
            (lock.pid, lock.port, lock.start_time),
            (8638, Some(28789), Some(52919))
        );
        let err = parse(Path::new("/l/gateway.x.lock"), "{{{").unwrap_err();
        assert!(err.starts_with("/l/gateway.x.lock: not a gateway lock"));
        assert!(
            parse(Path::new("/l/a"), "{}")
                .unwrap_err()
                .contains("without a pid")
        );
    }
}
