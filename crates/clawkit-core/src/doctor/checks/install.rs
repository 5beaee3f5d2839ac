//! Which OpenClaw the CLI is, and whether the running gateway is the same version (a gateway
//! not restarted after an update keeps the old rules).

use super::Facts;
use crate::doctor::{Check, Group};
use crate::finding::{Finding, Severity, codes};

pub(super) fn check(f: &Facts) -> Check {
    let mut v = Vec::new();
    match &f.paths.cli {
        Some(cli) => v.push(Finding::new(
            codes::CLI_FOUND,
            Severity::Ok,
            format!("openclaw {} at {}", cli.version, cli.command.display()),
        )),
        None => v.push(
            Finding::new(
                codes::CLI_MISSING,
                Severity::Warning,
                "no `openclaw` on PATH: the gateway's version rules are assumed to be 2026.9's",
            )
            .next("npm install -g openclaw   # or add its bin directory to PATH"),
        ),
    }
    if let (Some(cli), Some(gw)) = (f.cli_version(), f.gateway_version())
        && cli != gw
    {
        v.push(
            Finding::new(
                codes::GATEWAY_VERSION_DRIFT,
                Severity::Warning,
                format!(
                    "the running gateway is OpenClaw {gw} but the CLI is {cli}: the gateway was not restarted after an update (or runs another install)"
                ),
            )
            .evidence(format!("the gateway's hello: serverVersion {gw}"))
            .next("restart it from the updated install: clawkit gateway restart when a service runs it, else stop it and start `openclaw gateway run` again"),
        );
    }
    Check::new(
        "install",
        Group::Install,
        "OpenClaw install and versions",
        v,
    )
}
