//! The watcher's loop: connect, hold, and connect again. What it needs everywhere lives here:
//! where sightings go ([`Report`]), the process being watched, and the way out ([`Stop`]).

use super::exit::ProcessWatch;
use super::session::End;
use super::{Observation, Seen, WatchTarget};
use std::future::Future;
use std::time::{Duration, Instant};
use tokio::sync::mpsc::Sender;
use tokio_util::sync::CancellationToken;

/// The watcher is done: cancelled, or nobody receives its sightings any more.
#[derive(Debug)]
pub(super) struct Stop;

/// Where one gateway's sightings go, stamped with its name and the time they were made.
#[derive(Debug, Clone)]
pub(super) struct Report {
    gateway: String,
    tx: Sender<Seen>,
}

impl Report {
    pub(super) fn new(gateway: &str, tx: Sender<Seen>) -> Report {
        Report {
            gateway: gateway.to_string(),
            tx,
        }
    }

    pub(super) async fn send(&self, what: Observation) -> Result<(), Stop> {
        let seen = Seen {
            gateway: self.gateway.clone(),
            at_ms: clawkit_core::time::now_ms(),
            what,
        };
        self.tx.send(seen).await.map_err(|_| Stop)
    }
}

/// A session shorter than this that ended unplanned is retried after a backoff, not at once,
/// so a gateway that drops every connection is not hammered.
const SHORT_SESSION: Duration = Duration::from_secs(1);

pub(super) struct Watcher<'a> {
    pub(super) target: &'a WatchTarget,
    pub(super) report: Report,
    pub(super) cancel: CancellationToken,
    /// The local gateway's process, once known.
    pub(super) process: ProcessWatch,
}

impl<'a> Watcher<'a> {
    pub(super) fn new(target: &'a WatchTarget, report: Report, cancel: CancellationToken) -> Self {
        Watcher {
            target,
            report,
            cancel,
            process: ProcessWatch::none(),
        }
    }

    /// Until cancelled or no one listens.
    pub(super) async fn run(mut self) {
        let mut first_delay = Duration::ZERO;
        while let Ok(end) = self.once(first_delay).await {
            first_delay = end;
        }
    }

    /// One connection, from the attempts that lead to it to its end; returns how long to wait
    /// before the next first attempt.
    async fn once(&mut self, first_delay: Duration) -> Result<Duration, Stop> {
        let mut conn = self.reconnect(first_delay).await?;
        self.connected(&mut conn).await?;
        let since = Instant::now();
        let end = self.hold(&mut conn).await?;
        let lasted = since.elapsed() >= SHORT_SESSION;
        Ok(match end {
            End::Planned => Duration::ZERO,
            End::Lost if lasted => Duration::ZERO,
            End::Lost => super::reconnect::BACKOFF_START,
        })
    }

    /// Runs `work` while reporting the process's exit, if it comes first; `Stop` on cancel.
    pub(super) async fn during<T>(&mut self, work: impl Future<Output = T>) -> Result<T, Stop> {
        let mut work = std::pin::pin!(work);
        loop {
            tokio::select! {
                biased;
                () = self.cancel.cancelled() => return Err(Stop),
                pid = self.process.exited() => {
                    self.report.send(Observation::ProcessExited { pid }).await?;
                }
                out = &mut work => return Ok(out),
            }
        }
    }
}
