//! OpenClaw gateway logs (JSON lines, or the console format): what they say about auth
//! failures, handshake closes, pairing events, starts, stops and start failures.
//!
//! [`classify_line`] decides what one line means (`format` reads the line's two shapes,
//! `tokens` the message's `key=value` tokens); `scan` reads whole files fast and `aggregate`
//! groups what it finds for a human (`clawkit logs`, the doctor), and `attribute` keeps one
//! gateway's share of a log several gateways write; [`LogTail`] follows the live
//! log for a daemon (the monitor) and reports each event as it is written (`lines` cuts what
//! it reads into bounded lines).

mod aggregate;
mod attribute;
mod classify;
#[cfg(test)]
mod fixtures;
mod format;
mod lines;
mod scan;
mod tail;
mod tokens;

pub use aggregate::{Aggregator, Group};
pub use attribute::{GatewayShare, share_of};
pub use classify::{Classified, EventKind, GroupKey, LogEvent, classify_line};
pub use scan::{Report, scan_bytes, scan_files, with_rotations};
pub use tail::{LogTail, Position, Source, Start, TailEvent};

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum LogError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// For callers that speak `io::Result` (the path goes into the message).
impl From<LogError> for std::io::Error {
    fn from(e: LogError) -> std::io::Error {
        let LogError::Io { path, source } = e;
        std::io::Error::new(source.kind(), format!("{}: {source}", path.display()))
    }
}
