//! What an operation works on: one OpenClaw install and the machine around it. Every operation
//! takes a [`Target`] instead of reaching for the process environment, `/proc` or `systemctl`
//! itself, so the CLI, the monitor (one target per gateway) and the web doctor drive the same
//! code, and tests inject a fake host, a recording command runner and a chosen service manager.

use crate::env::Env;
use crate::host::Host;
use crate::host::runner::{CommandRunner, SystemRunner};
use crate::openclaw::config::{self, ConfigError, LoadedConfig};
use crate::openclaw::install::InstallPaths;
use crate::service::Manager;
use std::sync::Arc;

/// One install, owned and cheap to clone, so it can move into a spawned task.
#[derive(Clone)]
pub struct Target {
    /// The environment OpenClaw would see (global flags already applied).
    pub env: Env,
    pub paths: InstallPaths,
    pub host: Arc<dyn Host>,
    pub runner: Arc<dyn CommandRunner>,
    /// The service manager running on this machine, if any (not whether it runs the gateway).
    pub manager: Option<Manager>,
}

impl Target {
    /// This machine, for real: the OS's host backend, real commands, the detected manager.
    pub fn local(paths: InstallPaths, env: Env) -> Target {
        let runner: Arc<dyn CommandRunner> = Arc::new(SystemRunner);
        let manager = Manager::detect(runner.as_ref());
        Target {
            env,
            paths,
            host: Arc::from(crate::host::system()),
            runner,
            manager,
        }
    }

    /// The config as OpenClaw would read it (a missing file is an empty config).
    pub fn load_config(&self) -> Result<LoadedConfig, ConfigError> {
        config::load(&self.paths.config_path.value, &self.env)
    }

    /// The supervisor's (unit, main pid) as of now. Asked afresh on every call: a restart
    /// through the manager changes the main pid, and a verdict against the old one is wrong.
    pub fn supervisor(&self) -> Option<(String, u32)> {
        self.manager?.main_pid(self.runner.as_ref(), &self.paths)
    }
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Target")
            .field("state_dir", &self.paths.state_dir.value)
            .field("config", &self.paths.config_path.value)
            .field("manager", &self.manager)
            .finish_non_exhaustive()
    }
}
