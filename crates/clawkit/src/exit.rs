//! The exit-code contract, and the one place where a failure becomes a message, a hint with
//! the next command, and an exit code, so every command agrees on them.

use clawkit_core::Error;
use clawkit_core::openclaw::config::ConfigError;
use std::io::Write;
use std::process::ExitCode;

/// What a clawkit run ended with. The numbers are documented in the README and are stable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// 0: healthy, or the command did what was asked.
    Success,
    /// 1: the gateway refused, is unreachable, or problems were found.
    Problems,
    /// 2: clawkit itself failed (bad usage, unreadable file, internal error).
    Error,
    /// 3: problems were found and fixed.
    Fixed,
}

impl ExitStatus {
    pub fn code(self) -> u8 {
        match self {
            ExitStatus::Success => 0,
            ExitStatus::Problems => 1,
            ExitStatus::Error => 2,
            ExitStatus::Fixed => 3,
        }
    }
}

impl From<ExitStatus> for ExitCode {
    fn from(status: ExitStatus) -> Self {
        ExitCode::from(status.code())
    }
}

/// Prints `error:` (with every cause) and `hint:`, and returns the exit code for `err`.
pub fn report(err: &Error) -> ExitCode {
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(stderr, "error: {err}");
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        let text = cause.to_string();
        if !err.to_string().contains(&text) {
            let _ = writeln!(stderr, "  caused by: {text}");
        }
        source = cause.source();
    }
    if let Some(hint) = hint(err) {
        let _ = writeln!(stderr, "hint: {hint}");
    }
    status_of(err).into()
}

/// A refusal by the gateway is exit 1; everything else is clawkit being unable to do its
/// job: exit 2.
pub fn status_of(err: &Error) -> ExitStatus {
    match err {
        Error::Refused(_) | Error::Service(_) | Error::GivenRefused(_) => ExitStatus::Problems,
        _ => ExitStatus::Error,
    }
}

pub fn hint(err: &Error) -> Option<String> {
    match err {
        Error::Refused(message) => clawkit_core::catalog::scan(message).first().map(|h| {
            format!(
                "{} — `clawkit explain '{}'`",
                h.entry.title, h.entry.patterns[0]
            )
        }),
        Error::GivenRefused(r) => Some(format!(
            "give the {} this gateway checks now (on the gateway's host, `clawkit gateway token status` shows it and where it comes from), then: `{}`",
            r.word, r.next
        )),
        Error::Config(ConfigError::Parse { file, .. }) => Some(format!(
            "fix the syntax at that line (JSON5: comments, unquoted keys and trailing commas are fine), then run `openclaw config validate`; clawkit did not change {}",
            file.display()
        )),
        Error::Config(ConfigError::ChangedSinceRead { .. }) => {
            Some("another program (the gateway, an editor) wrote the file just now".into())
        }
        _ => None,
    }
}
