//! Service definitions exactly as a real OpenClaw release writes them: its own dist code is
//! driven (see `js/service_fixtures.mjs`) to render the systemd unit, the launchd plist and the
//! Windows `gateway.cmd` for a scratch home, and they are put where OpenClaw installs them.

use crate::error::{HarnessError, Result};
use crate::install::{OpenClawInstall, ensure_node};
use std::path::{Path, PathBuf};
use std::process::Command;

const SCRIPT: &str = include_str!("js/service_fixtures.mjs");

/// Where the rendered definitions were installed (`None`: that release has no such builder).
#[derive(Debug, Clone)]
pub struct ServiceFiles {
    pub unit: PathBuf,
    pub plist: Option<PathBuf>,
    pub task_script: Option<PathBuf>,
}

/// Renders the definitions `install` would write for a gateway on `port` with service input
/// environment `env` (HOME, PATH, OPENCLAW_* …), and installs them under `home` (unit and
/// plist) and `state_dir` (`gateway.cmd`).
pub fn write_service_files(
    install: &OpenClawInstall,
    home: &Path,
    state_dir: &Path,
    port: u16,
    env: &[(&str, &str)],
) -> Result<ServiceFiles> {
    let node = ensure_node()?;
    let work = tempfile::tempdir().map_err(|e| HarnessError::io(std::env::temp_dir(), e))?;
    let script = work.path().join("service_fixtures.mjs");
    std::fs::write(&script, SCRIPT).map_err(|e| HarnessError::io(&script, e))?;
    let package = install.prefix.join("node_modules").join("openclaw");
    let out = Command::new(&node)
        .arg(&script)
        .arg(&package)
        .arg(work.path())
        .arg(port.to_string())
        .env_clear()
        .env("HOME", home)
        .env("PATH", "/usr/local/bin:/usr/bin:/bin")
        .envs(env.iter().copied())
        .output()
        .map_err(|e| HarnessError::io(&node, e))?;
    if !out.status.success() {
        return Err(HarnessError::Setup(format!(
            "rendering service files with OpenClaw {} failed: {}",
            install.version,
            String::from_utf8_lossy(&out.stderr)
        )));
    }
    let place = |name: &str, dest: PathBuf| -> Result<Option<PathBuf>> {
        let from = work.path().join(name);
        if !from.is_file() {
            return Ok(None);
        }
        let dir = dest.parent().unwrap_or(Path::new("/"));
        std::fs::create_dir_all(dir).map_err(|e| HarnessError::io(dir, e))?;
        std::fs::copy(&from, &dest).map_err(|e| HarnessError::io(&dest, e))?;
        Ok(Some(dest))
    };
    let unit = place(
        "unit",
        home.join(".config/systemd/user/openclaw-gateway.service"),
    )?
    .ok_or_else(|| HarnessError::Setup("no systemd unit was rendered".into()))?;
    Ok(ServiceFiles {
        unit,
        plist: place(
            "plist",
            home.join("Library/LaunchAgents/ai.openclaw.gateway.plist"),
        )?,
        task_script: place("cmd", state_dir.join("gateway.cmd"))?,
    })
}
