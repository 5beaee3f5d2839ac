//! clap definitions only: what the user can type. No work happens here.

use clap::Parser;
use std::ffi::OsString;
use std::sync::LazyLock;

/// Command families on the roadmap that are not built yet. `--help` lists them so users know
/// what is coming, and no subcommand pretends to work before it does.
pub const PLANNED_COMMANDS: &[(&str, &str)] = &[
    (
        "doctor",
        "find the root cause of a broken gateway, with evidence; --fix repairs it safely",
    ),
    (
        "explain",
        "turn an OpenClaw error message or log into its cause and the fix for this machine",
    ),
    (
        "probe",
        "one real handshake with the gateway and its verdict, in milliseconds",
    ),
    (
        "gateway",
        "token status|rotate|reset, start|stop|restart|install|status",
    ),
    (
        "config",
        "get|set|unset OpenClaw config keys, keeping comments, with backups",
    ),
    (
        "ports",
        "who holds the gateway's ports: the gateway, a zombie, or something else",
    ),
    (
        "logs",
        "auth failures, closes and restarts from the gateway log, grouped",
    ),
];

static AFTER_HELP: LazyLock<String> = LazyLock::new(|| {
    let mut text = String::from("Planned command families (not available yet):\n");
    for (name, what) in PLANNED_COMMANDS {
        text.push_str(&format!("  {name:<9} {what}\n"));
    }
    text.push_str(
        "\nSupported OpenClaw versions: 2026.9.x (SQLite state) and 2026.7.x (JSON state files).",
    );
    text
});

/// Reliability toolkit for OpenClaw gateways: finds why a gateway refuses its clients, fixes it
/// safely, and watches it.
#[derive(Debug, Parser)]
#[command(name = "clawkit", version, about, after_help = AFTER_HELP.as_str(), arg_required_else_help = true)]
pub struct Cli {}

pub fn parse<I, T>(args: I) -> Result<Cli, clap::Error>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    Cli::try_parse_from(args)
}
