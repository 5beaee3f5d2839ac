//! What an operation can fail with. Modules return their own typed errors; this gathers them
//! (keeping the source) so a front end can classify a failure: the CLI maps it to an exit code
//! and a hint in one place, the monitor decides between alerting and retrying.

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
    /// The service manager would not start, stop or restart the gateway.
    #[error(transparent)]
    Service(#[from] crate::service::manager::ManagerError),
    #[error(transparent)]
    Journal(#[from] crate::journal::JournalError),
    #[error(transparent)]
    FixLocked(#[from] crate::journal::lock::FixLockError),
    #[error(transparent)]
    Write(#[from] crate::fsx::WriteError),
    #[error(transparent)]
    NoSecret(#[from] crate::openclaw::auth::NoSharedSecret),
    /// The gateway refused the secret the user gave; nothing was written with it.
    #[error(transparent)]
    GivenRefused(#[from] crate::openclaw::auth::GivenSecretRefused),
    /// OpenClaw's device and pairing state could not be read, backed up or written.
    #[error(transparent)]
    State(#[from] crate::openclaw::state::StateError),
    /// This client's device identity is unreadable.
    #[error(transparent)]
    Identity(#[from] crate::openclaw::identity::IdentityError),
    /// The gateway answered, but not the way this OpenClaw is known to (a reply without a
    /// field clawkit needs): neither a refusal nor clawkit's own failure.
    #[error("{0}")]
    Protocol(String),
    /// The caller cancelled the operation part-way; the message says what was already done.
    #[error("{0}")]
    Cancelled(String),
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
}

pub type Result<T> = std::result::Result<T, Error>;
