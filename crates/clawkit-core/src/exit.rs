//! The exit-code contract, in one place so every command agrees on it.

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
