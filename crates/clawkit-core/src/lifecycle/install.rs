//! Installing the gateway service with OpenClaw's own `openclaw gateway install`, then
//! auditing what it wrote.

use crate::error::Error;
use crate::finding::{Finding, Severity};
use crate::target::Target;
use serde::Serialize;
use std::time::Duration;

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Installed {
    /// The command line that ran.
    pub ran: String,
    pub exit_code: Option<i32>,
    /// OpenClaw's refusal, redacted, when it failed.
    pub openclaw_said: Option<String>,
    pub services: Vec<String>,
    pub findings: Vec<Finding>,
}

impl Installed {
    pub fn clean(&self) -> bool {
        self.exit_code == Some(0)
            && !self.services.is_empty()
            && self.findings.iter().all(|f| f.severity < Severity::Warning)
    }
}

pub async fn install(target: &Target, force: bool) -> Result<Installed, Error> {
    super::local_only(target, "install")?;
    let cli = target.paths.cli.as_ref().ok_or_else(|| {
        Error::Usage("`openclaw` is not on PATH; install it (npm install -g openclaw) or put it on PATH, then run this again".into())
    })?;
    let command = cli.command.display().to_string();
    let port = target
        .paths
        .port(&target.load_config()?, &target.env)
        .value
        .to_string();
    let mut argv = vec!["gateway".to_string(), "install".to_string()];
    if force {
        argv.push("--force".into());
    }
    argv.extend(["--port".to_string(), port]);
    let env: Vec<(String, String)> = [
        "OPENCLAW_STATE_DIR",
        "OPENCLAW_CONFIG_PATH",
        "OPENCLAW_PROFILE",
        "OPENCLAW_HOME",
        "HOME",
    ]
    .iter()
    .filter_map(|k| target.env.get(k).map(|v| (k.to_string(), v.to_string())))
    .collect();
    let (runner, program, args) = (target.runner.clone(), command.clone(), argv.clone());
    let result = crate::blocking::blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        runner.run(&program, &args, &env, Duration::from_secs(180))
    })
    .await
    .map_err(|e| Error::io(&command, e))?;
    let (views, findings) = super::status::audit_services(target, &target.load_config()?);
    let services = views
        .iter()
        .map(|v| v.definition.path.display().to_string())
        .collect();
    Ok(Installed {
        ran: format!("{command} {}", argv.join(" ")),
        exit_code: result.code,
        openclaw_said: (!result.success()).then(|| crate::secret::redact_text(&result.reason())),
        services,
        findings,
    })
}
