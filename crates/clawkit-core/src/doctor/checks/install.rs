//! Which OpenClaw the CLI is, and whether the running gateway is the same version (a gateway
//! not restarted after an update keeps the old rules). When this user has no install at all
//! (`doctor::setup`), it says so, with what it looked for where, and the other checks are not
//! run.

use super::Facts;
use crate::doctor::setup::Setup;
use crate::doctor::{Check, Group};
use crate::finding::{Finding, Severity, codes};
use crate::openclaw::install::{CliInstall, cli_search_dirs};

const TITLE: &str = "OpenClaw install and versions";

pub(super) fn check(f: &Facts) -> Check {
    let mut v = vec![cli(f)];
    if let (Some(cli), Some(gw)) = (f.cli_version(), f.gateway_version())
        && cli != gw
    {
        v.push(drift(f, cli, gw));
    }
    Check::new("install", Group::Install, TITLE, v)
}

/// The gateway runs another OpenClaw than the CLI: here, not restarted after an update; on
/// another host, an update of one side only.
fn drift(f: &Facts, cli: &str, gw: &str) -> Finding {
    let finding = |summary: String, next: &str| {
        Finding::new(codes::GATEWAY_VERSION_DRIFT, Severity::Warning, summary)
            .evidence(format!("the gateway's hello: serverVersion {gw}"))
            .next(next)
    };
    if super::elsewhere(f).is_some() {
        return finding(
            format!(
                "the gateway on the other host is OpenClaw {gw} but this CLI is {cli}: update the older side so both speak the same protocol"
            ),
            "npm install -g openclaw@latest   # here or on the gateway host, whichever is older",
        );
    }
    finding(
        format!(
            "the running gateway is OpenClaw {gw} but the CLI is {cli}: the gateway was not restarted after an update (or runs another install)"
        ),
        "restart it from the updated install: clawkit gateway restart when a service runs it, else stop it and start `openclaw gateway run` again",
    )
}

/// The one check when this user has no install to examine: not installed, or not set up.
pub(super) fn absent(f: &Facts) -> Option<Check> {
    let finding = match (Setup::of(f), &f.paths.cli) {
        (Setup::NotInstalled, _) => not_installed(f),
        (Setup::NotSetUp, Some(cli)) => not_set_up(f, cli),
        _ => return None,
    };
    Some(Check::new("install", Group::Install, TITLE, vec![finding]))
}

fn cli(f: &Facts) -> Finding {
    match &f.paths.cli {
        Some(cli) => Finding::new(
            codes::CLI_FOUND,
            Severity::Ok,
            format!("openclaw {} at {}", cli.version, cli.command.display()),
        ),
        None => Finding::new(
            codes::CLI_MISSING,
            Severity::Warning,
            "no `openclaw` on PATH, though this user's OpenClaw state or config exists: the gateway's version rules are assumed to be 2026.9's",
        )
        .evidence(searched(f))
        .next("npm install -g openclaw   # or add its bin directory to PATH"),
    }
}

fn not_installed(f: &Facts) -> Finding {
    Finding::new(
        codes::OPENCLAW_NOT_INSTALLED,
        Severity::Error,
        "OpenClaw is not installed or set up for this user: no `openclaw` on PATH, no state dir and no config",
    )
    .evidence(searched(f))
    .evidence(state_dir(f))
    .evidence(config(f))
    .evidence(elsewhere())
    .next(format!("npm install -g openclaw && {} onboard", openclaw(f)))
}

fn not_set_up(f: &Facts, cli: &CliInstall) -> Finding {
    Finding::new(
        codes::OPENCLAW_NOT_SET_UP,
        Severity::Error,
        format!(
            "OpenClaw {} is installed ({}) but not set up for this user: no state dir and no config",
            cli.version,
            cli.command.display()
        ),
    )
    .evidence(state_dir(f))
    .evidence(config(f))
    .evidence(elsewhere())
    .next(format!("{} onboard", openclaw(f)))
}

/// `openclaw`, with this install's profile when one is chosen (onboarding sets up that one).
fn openclaw(f: &Facts) -> String {
    match &f.paths.profile {
        Some(p) => format!("openclaw --profile {p}"),
        None => "openclaw".to_string(),
    }
}

/// Where `openclaw` was looked for.
fn searched(f: &Facts) -> String {
    let dirs = cli_search_dirs(&f.shell);
    if dirs.is_empty() {
        return "no `openclaw` looked for: PATH is not set".to_string();
    }
    let list: Vec<String> = dirs.iter().map(|d| d.display().to_string()).collect();
    format!("no `openclaw` in any PATH directory: {}", list.join(", "))
}

fn state_dir(f: &Facts) -> String {
    let (dir, home) = (&f.paths.state_dir, &f.paths.home);
    format!(
        "state dir {} does not exist (chosen by: {}; home {} from {})",
        dir.value.display(),
        dir.source,
        home.value.display(),
        home.source
    )
}

fn config(f: &Facts) -> String {
    let path = &f.paths.config_path;
    format!(
        "config {} does not exist (chosen by: {})",
        path.value.display(),
        path.source
    )
}

/// How to point clawkit at an install it did not find.
fn elsewhere() -> &'static str {
    "another install? clawkit --profile <name> doctor, or clawkit --state-dir <dir> [--config <file>] doctor; a gateway on another machine: set OPENCLAW_GATEWAY_URL and OPENCLAW_GATEWAY_TOKEN"
}
