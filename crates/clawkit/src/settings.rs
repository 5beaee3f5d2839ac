//! Global flags plus the environment, resolved once into what every command works from.

use crate::cli::InstallArgs;
use clawkit_core::env::Env;
use clawkit_core::error::Result;
use clawkit_core::openclaw::config::{self, LoadedConfig};
use clawkit_core::openclaw::install::{InstallFlags, InstallPaths, apply_flags};

#[derive(Debug, Clone)]
pub struct Settings {
    /// The environment with clawkit's global flags applied the way OpenClaw applies its own.
    pub env: Env,
    pub paths: InstallPaths,
}

impl Settings {
    pub fn resolve(args: &InstallArgs, env: &Env) -> Result<Settings> {
        let flags = InstallFlags {
            profile: args.profile.clone(),
            dev: args.dev,
            state_dir: args.state_dir.clone(),
            config: args.config.clone(),
        };
        let env = apply_flags(&flags, env)?;
        let paths = InstallPaths::resolve(&env);
        Ok(Settings { env, paths })
    }

    /// This install on this machine, as the engine's operations take it.
    pub fn target(&self) -> clawkit_core::target::Target {
        clawkit_core::target::Target::local(self.paths.clone(), self.env.clone())
    }

    /// The config as OpenClaw would read it (a missing file is an empty config).
    pub fn load_config(&self) -> Result<LoadedConfig> {
        Ok(config::load(&self.paths.config_path.value, &self.env)?)
    }
}
