//! Why the harness could not give a test its gateway. Every variant says what to do next,
//! because a harness failure must never look like a skipped test.

use std::path::PathBuf;

pub type Result<T> = std::result::Result<T, HarnessError>;

#[derive(Debug, thiserror::Error)]
pub enum HarnessError {
    #[error(
        "`{npm}` could not be run ({source}). The real-gateway tests install Node 26 and OpenClaw \
         from the npm registry: install npm (`apt-get install npm`) or point CLAWKIT_NPM at it"
    )]
    NpmMissing { npm: String, source: std::io::Error },
    #[error(
        "`npm install {package}` failed (exit {code:?}) into {dir}. Is the npm registry reachable? \
         npm said:\n{stderr}"
    )]
    NpmInstall {
        package: String,
        dir: PathBuf,
        code: Option<i32>,
        stderr: String,
    },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("installed {what} but {path} is missing or unusable: {detail}")]
    BrokenInstall {
        what: String,
        path: PathBuf,
        detail: String,
    },
    #[error(
        "openclaw {version} gateway (pid {pid}) exited with {status} before it was ready on port \
         {port}. Last console lines ({console}):\n{tail}"
    )]
    GatewayExited {
        version: String,
        pid: u32,
        port: u16,
        status: String,
        console: PathBuf,
        tail: String,
    },
    #[error(
        "openclaw {version} gateway (pid {pid}) was not ready on port {port} after {secs} s \
         (GET /readyz). Last console lines ({console}):\n{tail}"
    )]
    GatewayTimeout {
        version: String,
        pid: u32,
        port: u16,
        secs: u64,
        console: PathBuf,
        tail: String,
    },
    #[error("{0}")]
    Setup(String),
}

impl HarnessError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        HarnessError::Io {
            path: path.into(),
            source,
        }
    }
}
