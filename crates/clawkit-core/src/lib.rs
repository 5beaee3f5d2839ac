//! clawkit's library. The binary is a thin shell over [`run`], so every command can be
//! exercised from tests without spawning a process.
//!
//! The flow of every command is parse → resolve settings → work → render, as separate steps:
//! `cli` holds the clap definitions only, `exit` is the one place where outcomes become exit
//! codes.

mod cli;
pub mod env;
mod exit;
pub mod fsx;
pub mod openclaw;
pub mod secret;

pub use cli::PLANNED_COMMANDS;
pub use exit::ExitStatus;

use std::ffi::OsString;
use std::process::ExitCode;

/// Parse `args` (including the program name) and run the requested command.
pub fn run<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    match cli::parse(args) {
        Ok(_cli) => ExitStatus::Success.into(),
        Err(err) => {
            // clap renders help/version to stdout and usage errors to stderr itself.
            let status = if err.use_stderr() {
                ExitStatus::Error
            } else {
                ExitStatus::Success
            };
            let _ = err.print();
            status.into()
        }
    }
}
