//! The outbox: every alert is written (one row per alert and channel, in one transaction)
//! before any attempt to send it, then delivered at least once with its idempotency key,
//! retried with backoff for up to a day, and marked delivered or undeliverable. It survives
//! `kill -9` of the monitor: the next run delivers what is due.
//!
//! CONTRACT (filled in by the outbox's implementation).
