//! The outbox: every alert is written (one row per alert and channel, in one transaction)
//! before any attempt to send it, then delivered at least once with its idempotency key,
//! retried with backoff for up to a day, and marked delivered or undeliverable. It survives
//! `kill -9` of the monitor: the next run delivers what is due.
//!
//! CONTRACT.
//! * [`Outbox::enqueue`] writes one row per (alert id, channel name) in one transaction and
//!   ignores rows that already exist, so re-deciding the same alert (same id) after a crash
//!   never doubles it. Channel names are the masked [`Channel::name`]s: no secret is stored.
//! * [`Outbox::deliver_due`] sends every due row at once (each with its channel's timeout).
//!   Before sending, it commits the attempt and its retry time (the lease), so a process killed
//!   mid-send re-sends **at most that in-flight attempt**, after its backoff: delivery is
//!   at-least-once. Exactly-once at the receiver rests on the alert id, which travels with every
//!   attempt (the JSON body's `id`, an `Idempotency-Key` header on every HTTP channel, the
//!   Matrix transaction id, the mail's Message-ID; Alertmanager dedupes on labels).
//! * A transient failure is retried after `first`, doubling up to `cap` (1 s … 10 min by
//!   default); when the next try would fall past `give_up_after` (24 h) from the row's creation,
//!   or on a permanent failure, or when the channel is no longer configured, the row becomes
//!   undeliverable (`gave_up_at`, `last_error`).
//! * Each undeliverable row is reported once, as a new `undeliverable` alert enqueued for every
//!   other configured channel in the same transaction that marks it reported. Reports are not
//!   reported again (no loops); with no other channel the row stays visible in [`Outbox::rows`].
//! * Per channel, the rows of one incident go out in order: a row waits while an earlier row of
//!   the same incident for the same channel is pending (an `up` never overtakes its `down`, so
//!   Alertmanager never re-fires a resolved alert).

use crate::alert::{Alert, AlertEvent, rfc3339};
use crate::channel::{Channel, SendError};
use rusqlite::{Connection, OptionalExtension, params};
use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

/// Backoff and give-up policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Delay after the first failure; doubled after each further one.
    pub first: Duration,
    /// The longest delay between two tries.
    pub cap: Duration,
    /// How long after it was written a row is still tried.
    pub give_up_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            first: Duration::from_secs(1),
            cap: Duration::from_secs(600),
            give_up_after: Duration::from_secs(24 * 3600),
        }
    }
}

impl RetryPolicy {
    /// The delay after the `attempts`-th failed attempt (1-based).
    pub fn delay(&self, attempts: u32) -> Duration {
        let factor = 2u32.saturating_pow(attempts.saturating_sub(1).min(30));
        self.first.saturating_mul(factor).min(self.cap)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum OutboxError {
    #[error("outbox {path}: {source}")]
    Db {
        path: String,
        source: rusqlite::Error,
    },
    #[error("no channel is configured: the alert would go nowhere")]
    NoChannels,
    #[error(
        "two channels have the same masked name `{0}`; the outbox keys deliveries by it \
         (give them different hosts, paths or targets)"
    )]
    DuplicateChannel(String),
    #[error("cannot encode the alert: {0}")]
    Encode(String),
}

/// One row, as `status` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub alert_id: String,
    pub channel: String,
    pub event: String,
    pub incident: Option<String>,
    pub attempts: u32,
    pub created_at: i64,
    pub next_at: i64,
    pub last_error: Option<String>,
    pub delivered_at: Option<i64>,
    pub gave_up_at: Option<i64>,
    pub reported: bool,
}

impl Row {
    pub fn is_pending(&self) -> bool {
        self.delivered_at.is_none() && self.gave_up_at.is_none()
    }
}

/// What one [`Outbox::deliver_due`] did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// (alert id, channel) delivered now.
    pub delivered: Vec<(String, String)>,
    /// (alert id, channel, error) to be retried.
    pub retrying: Vec<(String, String, String)>,
    /// (alert id, channel, error) given up now.
    pub undeliverable: Vec<(String, String, String)>,
    /// Ids of the `undeliverable` reports enqueued now.
    pub reports: Vec<String>,
}

impl Delivery {
    pub fn is_empty(&self) -> bool {
        self.delivered.is_empty()
            && self.retrying.is_empty()
            && self.undeliverable.is_empty()
            && self.reports.is_empty()
    }
}

/// A due row: seq, alert id, channel, payload, attempts, created_at.
type DueRow = (i64, String, String, String, u32, i64);

/// How many rows one step sends at most (the rest are due on the next step).
const BATCH: usize = 64;

pub struct Outbox {
    conn: Connection,
    path: String,
    policy: RetryPolicy,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS outbox (
    seq          INTEGER PRIMARY KEY,
    alert_id     TEXT    NOT NULL,
    channel      TEXT    NOT NULL,
    event        TEXT    NOT NULL,
    incident     TEXT,
    payload      TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    next_at      INTEGER NOT NULL,
    last_error   TEXT,
    delivered_at INTEGER,
    gave_up_at   INTEGER,
    reported     INTEGER NOT NULL DEFAULT 0,
    UNIQUE (alert_id, channel)
) STRICT;
CREATE INDEX IF NOT EXISTS outbox_pending ON outbox (next_at)
    WHERE delivered_at IS NULL AND gave_up_at IS NULL;
";

/// Milliseconds since the Unix epoch, now.
pub fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

impl Outbox {
    /// Opens (or creates) the outbox at `path`: WAL, `synchronous=FULL` (a committed row
    /// survives a crash of the machine, not only of the process), a 5 s busy timeout.
    pub fn open(path: &Path) -> Result<Outbox, OutboxError> {
        let shown = path.display().to_string();
        let db = |source| OutboxError::Db {
            path: shown.clone(),
            source,
        };
        let conn = Connection::open(path).map_err(db)?;
        conn.busy_timeout(Duration::from_secs(5)).map_err(db)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(db)?;
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(db)?;
        conn.execute_batch(&format!("BEGIN IMMEDIATE; {SCHEMA} COMMIT;"))
            .map_err(db)?;
        Ok(Outbox {
            conn,
            path: shown,
            policy: RetryPolicy::default(),
        })
    }

    pub fn with_policy(mut self, policy: RetryPolicy) -> Outbox {
        self.policy = policy;
        self
    }

    pub fn policy(&self) -> RetryPolicy {
        self.policy
    }

    fn db(&self, source: rusqlite::Error) -> OutboxError {
        OutboxError::Db {
            path: self.path.clone(),
            source,
        }
    }

    /// Writes `alert` for every channel, in one transaction, before anything is sent. Returns
    /// how many rows are new (0 when this alert id was already enqueued for all of them).
    pub fn enqueue(&mut self, alert: &Alert, channels: &[Channel]) -> Result<usize, OutboxError> {
        self.enqueue_at(alert, channels, now_ms())
    }

    pub fn enqueue_at(
        &mut self,
        alert: &Alert,
        channels: &[Channel],
        now: i64,
    ) -> Result<usize, OutboxError> {
        if channels.is_empty() {
            return Err(OutboxError::NoChannels);
        }
        let names = distinct_names(channels)?;
        let payload =
            serde_json::to_string(alert).map_err(|e| OutboxError::Encode(e.to_string()))?;
        let tx = self.conn.transaction().map_err(|e| OutboxError::Db {
            path: self.path.clone(),
            source: e,
        })?;
        let added =
            insert_rows(&tx, alert, &payload, &names, now).map_err(|e| OutboxError::Db {
                path: self.path.clone(),
                source: e,
            })?;
        tx.commit().map_err(|e| self.db(e))?;
        Ok(added)
    }

    /// Every row, oldest first.
    pub fn rows(&self) -> Result<Vec<Row>, OutboxError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT alert_id, channel, event, incident, attempts, created_at, next_at,
                        last_error, delivered_at, gave_up_at, reported
                 FROM outbox ORDER BY seq",
            )
            .map_err(|e| self.db(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok(Row {
                    alert_id: r.get(0)?,
                    channel: r.get(1)?,
                    event: r.get(2)?,
                    incident: r.get(3)?,
                    attempts: r.get(4)?,
                    created_at: r.get(5)?,
                    next_at: r.get(6)?,
                    last_error: r.get(7)?,
                    delivered_at: r.get(8)?,
                    gave_up_at: r.get(9)?,
                    reported: r.get::<_, i64>(10)? != 0,
                })
            })
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .map_err(|e| self.db(e))?;
        Ok(rows)
    }

    /// How many rows still wait for delivery.
    pub fn pending(&self) -> Result<usize, OutboxError> {
        self.conn
            .query_row(
                "SELECT count(*) FROM outbox WHERE delivered_at IS NULL AND gave_up_at IS NULL",
                [],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| n as usize)
            .map_err(|e| self.db(e))
    }

    /// When the next pending row is due (ms), if any.
    pub fn next_due(&self) -> Result<Option<i64>, OutboxError> {
        self.conn
            .query_row(
                "SELECT min(next_at) FROM outbox WHERE delivered_at IS NULL AND gave_up_at IS NULL",
                [],
                |r| r.get::<_, Option<i64>>(0),
            )
            .optional()
            .map(Option::flatten)
            .map_err(|e| self.db(e))
    }

    /// One delivery step at time `now` (ms): sends what is due in parallel, records the
    /// outcome, and reports what became undeliverable through the other channels.
    pub async fn deliver_due(
        &mut self,
        channels: &[Channel],
        now: i64,
    ) -> Result<Delivery, OutboxError> {
        let mut out = Delivery::default();
        let by_name: HashMap<&str, &Channel> = channels.iter().map(|c| (c.name(), c)).collect();
        let give_up_ms = self.policy.give_up_after.as_millis() as i64;

        // 1. Claim the due rows: count the attempt and set its retry time (the lease) before
        //    anything leaves this process.
        let due = self.due_rows(now)?;
        let mut claimed: Vec<(i64, Alert, &Channel, u32, i64)> = Vec::new();
        {
            let tx = self.conn.transaction().map_err(|e| OutboxError::Db {
                path: self.path.clone(),
                source: e,
            })?;
            for (seq, alert_id, channel, payload, attempts, created_at) in due {
                let Some(c) = by_name.get(channel.as_str()) else {
                    give_up(&tx, seq, now, "the channel is no longer configured")
                        .map_err(|e| db_err(&self.path, e))?;
                    out.undeliverable.push((
                        alert_id,
                        channel,
                        "the channel is no longer configured".into(),
                    ));
                    continue;
                };
                let alert: Alert = match serde_json::from_str(&payload) {
                    Ok(a) => a,
                    Err(e) => {
                        let why = format!("the stored alert cannot be read: {e}");
                        give_up(&tx, seq, now, &why).map_err(|e| db_err(&self.path, e))?;
                        out.undeliverable.push((alert_id, channel, why));
                        continue;
                    }
                };
                let attempt = attempts + 1;
                let retry_at = now + self.policy.delay(attempt).as_millis() as i64;
                tx.execute(
                    "UPDATE outbox SET attempts = ?2, next_at = ?3 WHERE seq = ?1",
                    params![seq, attempt, retry_at],
                )
                .map_err(|e| db_err(&self.path, e))?;
                claimed.push((seq, alert, *c, attempt, created_at));
            }
            tx.commit().map_err(|e| db_err(&self.path, e))?;
        }

        // 2. Send them all at once.
        let results = futures_util::future::join_all(
            claimed
                .iter()
                .map(|(_, alert, channel, _, _)| channel.send(alert)),
        )
        .await;

        // 3. Record the outcomes.
        {
            let tx = self.conn.transaction().map_err(|e| db_err(&self.path, e))?;
            for ((seq, alert, channel, attempt, created_at), result) in claimed.iter().zip(results)
            {
                let key = (alert.id.clone(), channel.name().to_string());
                match result {
                    Ok(()) => {
                        tx.execute(
                            "UPDATE outbox SET delivered_at = ?2, last_error = NULL WHERE seq = ?1",
                            params![seq, now],
                        )
                        .map_err(|e| db_err(&self.path, e))?;
                        out.delivered.push(key);
                    }
                    Err(SendError::Transient(e)) => {
                        let next = now + self.policy.delay(*attempt).as_millis() as i64;
                        if next - created_at >= give_up_ms {
                            let why = format!(
                                "gave up after {attempt} attempts over {}: {e}",
                                span(now - created_at)
                            );
                            give_up(&tx, *seq, now, &why).map_err(|e| db_err(&self.path, e))?;
                            out.undeliverable.push((key.0, key.1, why));
                        } else {
                            tx.execute(
                                "UPDATE outbox SET last_error = ?2 WHERE seq = ?1",
                                params![seq, e],
                            )
                            .map_err(|e| db_err(&self.path, e))?;
                            out.retrying.push((key.0, key.1, e));
                        }
                    }
                    Err(SendError::Permanent(e)) => {
                        give_up(&tx, *seq, now, &e).map_err(|e| db_err(&self.path, e))?;
                        out.undeliverable.push((key.0, key.1, e));
                    }
                }
            }
            tx.commit().map_err(|e| db_err(&self.path, e))?;
        }

        // 4. Report what is undeliverable (now or left over from a run killed before this).
        out.reports = self.report_undeliverable(channels, now)?;
        Ok(out)
    }

    /// Rows due at `now` whose incident has no earlier pending row on the same channel.
    fn due_rows(&self, now: i64) -> Result<Vec<DueRow>, OutboxError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT o.seq, o.alert_id, o.channel, o.payload, o.attempts, o.created_at
                 FROM outbox o
                 WHERE o.delivered_at IS NULL AND o.gave_up_at IS NULL AND o.next_at <= ?1
                   AND NOT EXISTS (
                     SELECT 1 FROM outbox p
                     WHERE p.channel = o.channel AND p.incident = o.incident
                       AND p.delivered_at IS NULL AND p.gave_up_at IS NULL AND p.seq < o.seq)
                 ORDER BY o.seq LIMIT ?2",
            )
            .map_err(|e| self.db(e))?;
        stmt.query_map(params![now, BATCH as i64], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        })
        .and_then(|rows| rows.collect())
        .map_err(|e| self.db(e))
    }

    /// Enqueues one `undeliverable` alert per unreported given-up row, through every other
    /// configured channel, marking the row reported in the same transaction.
    fn report_undeliverable(
        &mut self,
        channels: &[Channel],
        now: i64,
    ) -> Result<Vec<String>, OutboxError> {
        let rows: Vec<(i64, String, String, String, Option<String>, u32)> = {
            let mut stmt = self
                .conn
                .prepare(
                    "SELECT seq, channel, event, payload, last_error, attempts FROM outbox
                     WHERE gave_up_at IS NOT NULL AND reported = 0 ORDER BY seq",
                )
                .map_err(|e| self.db(e))?;
            stmt.query_map([], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                ))
            })
            .and_then(|rows| rows.collect::<Result<_, _>>())
            .map_err(|e| self.db(e))?
        };
        let mut reports = Vec::new();
        let tx = self.conn.transaction().map_err(|e| db_err(&self.path, e))?;
        for (seq, channel, event, payload, error, attempts) in rows {
            let others: Vec<String> = channels
                .iter()
                .map(|c| c.name().to_string())
                .filter(|n| *n != channel)
                .collect();
            let original: Option<Alert> = serde_json::from_str(&payload).ok();
            if event != AlertEvent::Undeliverable.word()
                && !others.is_empty()
                && let Some(original) = original
            {
                let report = undeliverable_report(
                    &original,
                    &channel,
                    error.as_deref().unwrap_or("unknown error"),
                    attempts,
                    now,
                );
                let json = serde_json::to_string(&report)
                    .map_err(|e| OutboxError::Encode(e.to_string()))?;
                insert_rows(&tx, &report, &json, &others, now)
                    .map_err(|e| db_err(&self.path, e))?;
                reports.push(report.id);
            }
            tx.execute(
                "UPDATE outbox SET reported = 1 WHERE seq = ?1",
                params![seq],
            )
            .map_err(|e| db_err(&self.path, e))?;
        }
        tx.commit().map_err(|e| db_err(&self.path, e))?;
        Ok(reports)
    }

    /// Delivers until `shutdown` is cancelled: a step whenever something is due, otherwise a
    /// sleep until the next due row (at most `idle`, so rows enqueued by another connection are
    /// seen), or until [`Outbox::enqueue`] elsewhere wakes `wake`.
    pub async fn run(
        &mut self,
        channels: &[Channel],
        idle: Duration,
        wake: &tokio::sync::Notify,
        shutdown: &tokio_util::sync::CancellationToken,
        mut on_step: impl FnMut(&Delivery),
    ) -> Result<(), OutboxError> {
        while !shutdown.is_cancelled() {
            let now = now_ms();
            let step = self.deliver_due(channels, now).await?;
            if !step.is_empty() {
                on_step(&step);
            }
            if !step.delivered.is_empty() || !step.reports.is_empty() {
                // Something moved: a later row of the same incident may be due now.
                continue;
            }
            let wait = match self.next_due()? {
                Some(at) if at <= now_ms() => continue,
                Some(at) => Duration::from_millis((at - now_ms()).max(1) as u64).min(idle),
                None => idle,
            };
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = wake.notified() => {}
                _ = shutdown.cancelled() => {}
            }
        }
        Ok(())
    }
}

fn db_err(path: &str, source: rusqlite::Error) -> OutboxError {
    OutboxError::Db {
        path: path.to_string(),
        source,
    }
}

fn distinct_names(channels: &[Channel]) -> Result<Vec<String>, OutboxError> {
    let mut names: Vec<String> = Vec::with_capacity(channels.len());
    for c in channels {
        if names.iter().any(|n| n == c.name()) {
            return Err(OutboxError::DuplicateChannel(c.name().to_string()));
        }
        names.push(c.name().to_string());
    }
    Ok(names)
}

fn insert_rows(
    tx: &rusqlite::Transaction<'_>,
    alert: &Alert,
    payload: &str,
    channels: &[String],
    now: i64,
) -> rusqlite::Result<usize> {
    let mut stmt = tx.prepare(
        "INSERT OR IGNORE INTO outbox (alert_id, channel, event, incident, payload, created_at, next_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
    )?;
    let mut added = 0;
    for name in channels {
        added += stmt.execute(params![
            alert.id,
            name,
            alert.event.word(),
            alert.incident,
            payload,
            now
        ])?;
    }
    Ok(added)
}

fn give_up(tx: &rusqlite::Transaction<'_>, seq: i64, now: i64, why: &str) -> rusqlite::Result<()> {
    tx.execute(
        "UPDATE outbox SET gave_up_at = ?2, last_error = ?3 WHERE seq = ?1",
        params![seq, now, why],
    )?;
    Ok(())
}

/// The alert that says `original` could not be delivered to `channel`. Its id is derived from
/// the original's id and the channel, so it is the same however often it is decided.
pub fn undeliverable_report(
    original: &Alert,
    channel: &str,
    error: &str,
    attempts: u32,
    now: i64,
) -> Alert {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(channel.as_bytes());
    let tag: String = digest.iter().take(6).map(|b| format!("{b:02x}")).collect();
    let mut details = serde_json::Map::new();
    details.insert("alert_id".into(), original.id.clone().into());
    details.insert("alert_event".into(), original.event.word().into());
    details.insert("channel".into(), channel.into());
    details.insert("attempts".into(), attempts.into());
    details.insert("error".into(), error.into());
    Alert {
        id: format!("{}.undeliverable.{tag}", original.id),
        event: AlertEvent::Undeliverable,
        gateway: original.gateway.clone(),
        url: original.url.clone(),
        at: rfc3339(now),
        summary: format!(
            "The {} alert for gateway {} could not be delivered to {channel}: {error}",
            original.event.word(),
            original.gateway
        ),
        incident: original.incident.clone(),
        cause: Some("channel-undeliverable".into()),
        downtime_ms: None,
        next: Some(format!(
            "check the channel {channel} (clawkit monitor test-alert sends to every channel)"
        )),
        details,
    }
}

fn span(ms: i64) -> String {
    let s = ms.max(0) / 1000;
    if s >= 3600 {
        format!("{} h {} min", s / 3600, (s % 3600) / 60)
    } else if s >= 60 {
        format!("{} min", s / 60)
    } else {
        format!("{} s", s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_one_second_to_ten_minutes() {
        let p = RetryPolicy::default();
        let secs: Vec<u64> = (1..=12).map(|n| p.delay(n).as_secs()).collect();
        assert_eq!(secs, [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 600, 600]);
        assert_eq!(p.delay(1000).as_secs(), 600);
    }
}
