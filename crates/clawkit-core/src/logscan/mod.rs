//! OpenClaw gateway logs (JSON lines, or the console format): what they say about auth
//! failures, handshake closes, pairing events, starts, stops and start failures.
//!
//! `classify` decides what one line means; `scan` reads whole files fast and `aggregate`
//! groups what it finds for a human (`clawkit logs`, the doctor).

mod aggregate;
mod classify;
mod format;
mod scan;

pub use aggregate::{Aggregator, Group};
pub use classify::{EventKind, GroupKey};
pub use scan::{Report, scan_bytes, scan_files, with_rotations};

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum LogError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}
