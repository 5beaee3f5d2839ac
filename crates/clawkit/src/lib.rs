//! The `clawkit` command line over the engine in `clawkit-core`. Each run goes parse (`cli`)
//! → resolve settings (`settings`) → one operation per command (`commands`, which render its
//! outcome) → exit code (`exit`, the one place a failure becomes a message and a code).
//! [`run`] takes the arguments, so tests call it without spawning a process.

mod cli;
mod commands;
mod exit;
mod settings;
mod term;

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
    let env = clawkit_core::env::Env::from_process();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let result = commands::dispatch(&cli, &env, &mut out);
    let _ = out.flush();
    match result {
        Ok(status) => status.into(),
        Err(err) => exit::report(&err),
    }
}
