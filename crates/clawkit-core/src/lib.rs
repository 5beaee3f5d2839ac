//! clawkit's library. The binary is a thin shell over [`run`], so every command can be
//! exercised from tests without spawning a process.
//!
//! The flow of every command is parse (`cli`) → resolve settings (`settings`) → work
//! (`openclaw`, `diagnose`) → render (`commands`), as separate steps; `error` and `exit` are the
//! one place where outcomes become messages and exit codes.

pub mod catalog;
mod cli;
mod commands;
pub mod diff;
pub mod doctor;
pub mod env;
mod error;
mod exit;
pub mod finding;
pub mod fsx;
pub mod gateway;
pub mod host;
pub mod logscan;
pub mod openclaw;
pub mod probe;
pub mod secret;
pub mod service;
mod settings;
pub mod verdict;

pub use error::Error;
pub use exit::ExitStatus;

use std::ffi::OsString;
use std::io::Write;
use std::process::ExitCode;

/// Parse `args` (including the program name) and run the requested command.
pub fn run<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match cli::parse(args) {
        Ok(cli) => cli,
        Err(err) => {
            // clap renders help/version to stdout and usage errors to stderr itself.
            let status = if err.use_stderr() {
                ExitStatus::Error
            } else {
                ExitStatus::Success
            };
            let _ = err.print();
            return status.into();
        }
    };
    let env = env::Env::from_process();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let result = commands::dispatch(&cli, &env, &mut out);
    let _ = out.flush();
    match result {
        Ok(status) => status.into(),
        Err(err) => {
            let mut stderr = std::io::stderr().lock();
            let _ = writeln!(stderr, "error: {err}");
            if let Some(hint) = err.hint() {
                let _ = writeln!(stderr, "hint: {hint}");
            }
            err.exit_status().into()
        }
    }
}
