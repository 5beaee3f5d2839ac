//! Where alerts go: Apprise-style URLs (`json://`, `slack://`, `tgram://`, `mailto://`,
//! `alertmanager://`, …), each parsed into a channel that sends an [`Alert`] with its own
//! timeout and never through the gateway it watches.
//!
//! CONTRACT (filled in by the channel module's implementation): `Channel::parse(url)` names
//! the bad part of a bad URL; `Channel::name()` is the URL with every secret masked (the only
//! form ever printed, logged or stored); `Channel::send(&alert)` is one delivery attempt.

use crate::alert::Alert;

/// A configured channel.
#[derive(Debug, Clone)]
pub struct Channel {
    masked: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ChannelError {
    #[error("{url}: {why}")]
    Invalid { url: String, why: String },
}

#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// Worth retrying: a timeout, a refused connection, a 5xx, a 429.
    #[error("{0}")]
    Transient(String),
    /// Will not work by retrying (a 4xx other than 408/429, a bad address).
    #[error("{0}")]
    Permanent(String),
}

impl Channel {
    pub fn parse(url: &str) -> Result<Channel, ChannelError> {
        Err(ChannelError::Invalid {
            url: url.split("://").next().unwrap_or("?").to_string() + "://…",
            why: "not implemented yet".into(),
        })
    }

    /// The URL with secrets masked.
    pub fn name(&self) -> &str {
        &self.masked
    }

    pub async fn send(&self, _alert: &Alert) -> Result<(), SendError> {
        Err(SendError::Permanent("not implemented yet".into()))
    }
}
