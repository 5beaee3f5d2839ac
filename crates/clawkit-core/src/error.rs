//! The one place where a failure becomes a message and an exit code. Modules return their own
//! typed errors; this maps them, and adds a hint with the next command where one is known.

use crate::exit::ExitStatus;
use crate::openclaw::config::ConfigError;
use crate::openclaw::install::InstallError;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Install(#[from] InstallError),
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0}")]
    Usage(String),
    /// The gateway answered, and refused: not clawkit's failure.
    #[error("{0}")]
    Refused(String),
}

impl Error {
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    /// A refusal by the gateway is exit 1; everything else here is clawkit being unable to do
    /// its job: exit 2.
    pub fn exit_status(&self) -> ExitStatus {
        match self {
            Error::Refused(_) => ExitStatus::Problems,
            _ => ExitStatus::Error,
        }
    }

    pub fn hint(&self) -> Option<String> {
        match self {
            Error::Refused(message) => crate::catalog::scan(message).first().map(|h| {
                format!(
                    "{} — `clawkit explain '{}'`",
                    h.entry.title, h.entry.patterns[0]
                )
            }),
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
}

pub type Result<T> = std::result::Result<T, Error>;
