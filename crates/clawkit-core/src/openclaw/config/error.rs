//! Why a config could not be read or changed, always naming the file (and line where known).

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{file}:{line}:{column}: {message}")]
    Parse {
        file: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{file}: {source}")]
    Io {
        file: PathBuf,
        source: std::io::Error,
    },
    #[error("{file}:{line}: $include {message}")]
    Include {
        file: PathBuf,
        line: usize,
        message: String,
    },
    #[error(
        "{file}: changed on disk since clawkit read it; nothing was written. Run the command again"
    )]
    ChangedSinceRead { file: PathBuf },
    #[error("{file}:{line}: `{key}` is not an object, so `{path}` cannot be set under it")]
    NotAnObject {
        file: PathBuf,
        line: usize,
        key: String,
        path: String,
    },
    #[error("refused: {0}")]
    Refused(String),
}

impl ConfigError {
    pub(crate) fn io(file: impl Into<PathBuf>, source: std::io::Error) -> Self {
        ConfigError::Io {
            file: file.into(),
            source,
        }
    }
}

impl From<crate::fsx::WriteError> for ConfigError {
    fn from(e: crate::fsx::WriteError) -> Self {
        match e {
            crate::fsx::WriteError::Changed { path } => {
                ConfigError::ChangedSinceRead { file: path }
            }
            crate::fsx::WriteError::Io { path, source } => ConfigError::Io { file: path, source },
        }
    }
}
