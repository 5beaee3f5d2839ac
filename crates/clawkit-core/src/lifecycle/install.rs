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
    let (command, result) = target
        .run_cli(argv.clone(), Duration::from_secs(180))
        .await?;
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
