//! One module per command: each takes resolved settings, calls the library, and renders.

mod config;
mod explain;
mod gateway_token;
mod logs;
mod probe;

use crate::cli::{Cli, Command};
use crate::env::Env;
use crate::error::Result;
use crate::exit::ExitStatus;
use crate::settings::Settings;
use std::io::Write;

pub fn dispatch(cli: &Cli, env: &Env, out: &mut dyn Write) -> Result<ExitStatus> {
    let settings = Settings::resolve(&cli.install, env)?;
    match &cli.command {
        Command::Config(cmd) => config::run(&settings, cmd, out),
        Command::Explain(args) => explain::run(&settings, args, out),
        Command::Logs(args) => logs::run(&settings, args, out),
        Command::Probe(args) => probe::run(&settings, args, out),
        Command::Gateway(crate::cli::GatewayCommand::Token(cmd)) => {
            gateway_token::run(&settings, cmd, out)
        }
    }
}

/// Writes to the output, ignoring a closed pipe (`clawkit ... | head` is fine).
macro_rules! say {
    ($out:expr, $($arg:tt)*) => {{
        let _ = writeln!($out, $($arg)*);
    }};
}
pub(crate) use say;

/// Writes a `--json` document, pretty-printed (a closed pipe is ignored, as with `say!`).
pub(crate) fn print_json(out: &mut dyn Write, doc: &serde_json::Value) {
    say!(
        out,
        "{}",
        serde_json::to_string_pretty(doc).unwrap_or_default()
    );
}
