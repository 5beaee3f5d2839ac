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

    /// The variables that pick the install, to pass to an `openclaw` command clawkit runs, so
    /// it works on the same state and config as clawkit does.
    pub fn cli_env(&self) -> Vec<(String, String)> {
        [
            "OPENCLAW_STATE_DIR",
            "OPENCLAW_CONFIG_PATH",
            "OPENCLAW_PROFILE",
            "OPENCLAW_HOME",
            "HOME",
        ]
        .iter()
        .filter_map(|k| self.env.get(k).map(|v| (k.to_string(), v.to_string())))
        .collect()
    }

    /// Runs this install's `openclaw` CLI with `args` (and [`Target::cli_env`]) off the async
    /// thread; returns the command path it ran and what it printed.
    pub async fn run_cli(
        &self,
        args: Vec<String>,
        timeout: std::time::Duration,
    ) -> Result<(String, crate::host::runner::CommandOutput), crate::Error> {
        let cli = self.paths.cli.as_ref().ok_or_else(|| {
            crate::Error::Usage("`openclaw` is not on PATH; install it (npm install -g openclaw) or put it on PATH, then run this again".into())
        })?;
        let program = cli.command.display().to_string();
        let (runner, env, exe) = (self.runner.clone(), self.cli_env(), program.clone());
        let output = crate::blocking::blocking(move || {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let env: Vec<(&str, &str)> =
                env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            runner.run(&exe, &args, &env, timeout)
        })
        .await
        .map_err(|e| crate::Error::io(&program, e))?;
        Ok((program, output))
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
