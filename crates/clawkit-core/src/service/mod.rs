//! The gateway's service definitions (systemd user unit, launchd agent, Windows task script),
//! read into one shape so one audit serves all three, and the service managers that run them,
//! driven through the command runner.

pub mod audit;
mod launchd;
pub mod manager;
pub mod systemd;
pub mod taskscript;

pub use manager::{Action, Manager};

use crate::openclaw::install::InstallPaths;
use serde::Serialize;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ServiceKind {
    Systemd,
    Launchd,
    ScheduledTask,
}

/// One environment variable a service sets, and the file:line that sets it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EnvEntry {
    pub key: String,
    #[serde(skip)]
    pub value: String,
    pub origin: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceDef {
    pub kind: ServiceKind,
    pub path: PathBuf,
    /// Unit name, launchd label or task name.
    pub name: String,
    /// The command it runs (ExecStart / ProgramArguments / the script's command line).
    pub program: Vec<String>,
    pub program_origin: Option<String>,
    #[serde(skip)]
    pub env: Vec<EnvEntry>,
    /// Other settings as (key, value, origin): `Service.Restart`, `KeepAlive`, …
    #[serde(skip)]
    pub settings: Vec<(String, String, String)>,
    /// Drop-ins and environment files that contributed.
    pub extra_files: Vec<PathBuf>,
    /// What could not be read.
    pub problems: Vec<String>,
}

impl ServiceDef {
    fn new(kind: ServiceKind, path: &Path, name: &str) -> ServiceDef {
        ServiceDef {
            kind,
            path: path.to_path_buf(),
            name: name.to_string(),
            program: Vec::new(),
            program_origin: None,
            env: Vec::new(),
            settings: Vec::new(),
            extra_files: Vec::new(),
            problems: Vec::new(),
        }
    }

    /// Later assignments win, as in every service manager.
    fn set_env(&mut self, key: &str, value: &str, origin: &str) {
        self.env.retain(|e| e.key != key);
        self.env.push(EnvEntry {
            key: key.to_string(),
            value: value.to_string(),
            origin: origin.to_string(),
        });
    }

    pub fn env(&self, key: &str) -> Option<&EnvEntry> {
        self.env.iter().find(|e| e.key == key)
    }

    /// The last value of a setting (`Service.RestartSec`, `KeepAlive`).
    pub fn setting(&self, key: &str) -> Option<(&str, &str)> {
        self.settings
            .iter()
            .rev()
            .find(|(k, _, _)| k == key)
            .map(|(_, v, o)| (v.as_str(), o.as_str()))
    }

    /// The `--port` the command pins, if any.
    pub fn port_flag(&self) -> Option<u16> {
        let i = self.program.iter().position(|a| a == "--port")?;
        self.program.get(i + 1)?.parse().ok()
    }

    /// The OpenClaw entry script the command runs (`…/dist/index.js`, `openclaw.mjs`, …).
    pub fn entry(&self) -> Option<&str> {
        self.program.iter().map(String::as_str).find(|a| {
            let a = a.replace('\\', "/");
            a.ends_with("/dist/index.js")
                || a.ends_with("/dist/entry.js")
                || a.ends_with("openclaw.mjs")
                || a.ends_with("/bin/openclaw")
        })
    }
}

/// The service names OpenClaw uses for a profile.
pub struct Names {
    pub systemd: String,
    pub launchd: String,
    pub task: String,
}

impl Names {
    pub fn for_profile(profile: Option<&str>) -> Names {
        match profile {
            Some(p) => Names {
                systemd: format!("openclaw-gateway-{p}.service"),
                launchd: format!("ai.openclaw.{p}"),
                task: format!("OpenClaw Gateway ({p})"),
            },
            None => Names {
                systemd: "openclaw-gateway.service".into(),
                launchd: "ai.openclaw.gateway".into(),
                task: "OpenClaw Gateway".into(),
            },
        }
    }
}

/// Where each definition would be: (kind, path, name). The legacy `clawdbot-gateway` unit is
/// included: after a rename it keeps running an old gateway on the same port.
pub fn locations(paths: &InstallPaths) -> Vec<(ServiceKind, PathBuf, String)> {
    let names = Names::for_profile(paths.profile.as_deref());
    let home = &paths.home.value;
    let units = home.join(".config").join("systemd").join("user");
    let mut out = vec![(
        ServiceKind::Systemd,
        units.join(&names.systemd),
        names.systemd.clone(),
    )];
    if paths.profile.is_none() {
        out.push((
            ServiceKind::Systemd,
            units.join("clawdbot-gateway.service"),
            "clawdbot-gateway.service".into(),
        ));
    }
    out.push((
        ServiceKind::Launchd,
        home.join("Library")
            .join("LaunchAgents")
            .join(format!("{}.plist", names.launchd)),
        names.launchd,
    ));
    out.push((
        ServiceKind::ScheduledTask,
        paths.state_dir.value.join("gateway.cmd"),
        names.task,
    ));
    out
}

/// Every service definition present for this install, parsed (or the error naming the file).
pub fn find(paths: &InstallPaths) -> Vec<Result<ServiceDef, String>> {
    locations(paths)
        .into_iter()
        .filter(|(_, p, _)| p.is_file())
        .map(|(kind, path, name)| match kind {
            ServiceKind::Systemd => systemd::load(&path, &name),
            ServiceKind::Launchd => launchd::load(&path, &name),
            ServiceKind::ScheduledTask => taskscript::load(&path, &name),
        })
        .collect()
}
