//! The outbox: every alert is written (one row per alert and channel, in one transaction)
//! before any attempt to send it, then delivered at least once with its idempotency key,
//! retried with backoff for up to a day, and marked delivered or undeliverable. It survives
//! `kill -9` of the monitor: the next run delivers what is due.
//!
//! CONTRACT (filled in by the outbox's implementation).

// PLACEHOLDER until the outbox lands (replaced by its implementation at merge).
use crate::alert::Alert;
use crate::channel::Channel;
use std::path::Path;

pub struct Outbox;

impl Outbox {
    pub fn open(_path: &Path) -> Result<Outbox, String> {
        Ok(Outbox)
    }
    pub fn enqueue(&self, _alert: &Alert, _channels: &[Channel]) -> Result<(), String> {
        Ok(())
    }
    pub async fn deliver_due(&self, _channels: &[Channel], _now_ms: i64) -> Result<(), String> {
        Ok(())
    }
}
