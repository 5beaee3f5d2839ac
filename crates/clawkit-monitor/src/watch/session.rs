//! Holding one authenticated connection: every frame is a sign of life, a WS ping every
//! `ping_every` must be answered (by any frame) within `ping_deadline`, and the way the
//! connection ends says what happened — a `shutdown` event first means planned, a close frame
//! gives its code, EOF with no event is a crash.

use super::Observation;
use super::watcher::{Stop, Watcher};
use clawkit_core::gateway::{Connection, Frame};
use serde_json::Value;
use std::time::{Duration, Instant};
use tokio::time::{MissedTickBehavior, interval_at, sleep_until, timeout};

/// How a held connection ended, for what the reconnect does next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum End {
    /// After a `shutdown` event announcing a restart: reconnect at once.
    Planned,
    /// Anything else.
    Lost,
}

/// What the session has seen so far.
struct Life {
    last: Instant,
    /// When the oldest unanswered ping runs out.
    deadline: Option<Instant>,
    /// When the oldest unanswered ping was sent (its pong gives the round trip).
    ping_sent: Option<Instant>,
    restart_announced: bool,
}

impl Watcher<'_> {
    /// Reads `conn` until it ends, reporting what ends it (and anything said before).
    pub(super) async fn hold(&mut self, conn: &mut Connection) -> Result<End, Stop> {
        // A zero period would panic the timer; a millisecond is as good as "continuously".
        let every = self.target.ping_every.max(Duration::from_millis(1));
        let mut ping = interval_at((Instant::now() + every).into(), every);
        ping.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let mut life = Life {
            last: Instant::now(),
            deadline: None,
            ping_sent: None,
            restart_announced: false,
        };
        loop {
            let deadline = life.deadline;
            tokio::select! {
                biased;
                () = self.cancel.cancelled() => return Err(Stop),
                pid = self.process.exited() => {
                    self.report.send(Observation::ProcessExited { pid }).await?;
                }
                frame = conn.next_frame() => {
                    if let Some(end) = self.on_frame(frame, &mut life).await? {
                        return Ok(end);
                    }
                }
                _ = ping.tick() => {
                    if !self.send_ping(conn, &mut life).await? {
                        return Ok(End::Lost);
                    }
                }
                () = sleep_until(deadline.unwrap_or_else(Instant::now).into()), if deadline.is_some() => {
                    self.hung(&life).await?;
                    return Ok(End::Lost);
                }
            }
        }
    }

    /// Reports what a frame says; `Some` when the connection is over.
    async fn on_frame(&mut self, frame: Frame, life: &mut Life) -> Result<Option<End>, Stop> {
        life.last = Instant::now();
        life.deadline = None;
        let end = if life.restart_announced {
            End::Planned
        } else {
            End::Lost
        };
        let closed = |code, reason| Observation::Closed { code, reason };
        match frame {
            Frame::Event { name, payload } if name == "shutdown" => {
                let shutdown = shutdown(&payload);
                if let Observation::Shutdown {
                    restart_expected_ms,
                    ..
                } = &shutdown
                {
                    life.restart_announced = restart_expected_ms.is_some();
                }
                self.report.send(shutdown).await?;
                Ok(None)
            }
            Frame::Pong => {
                if let Some(sent) = life.ping_sent.take() {
                    let rtt_ms = sent.elapsed().as_millis() as u64;
                    self.report.send(Observation::Pong { rtt_ms }).await?;
                }
                Ok(None)
            }
            Frame::Event { .. } => Ok(None),
            Frame::Closed { code, reason } => {
                self.report.send(closed(Some(code), reason)).await?;
                Ok(Some(end))
            }
            Frame::Eof => {
                let reason = "the connection dropped without a close frame".to_string();
                self.report.send(closed(None, reason)).await?;
                Ok(Some(end))
            }
            Frame::Error(e) => {
                self.report.send(closed(None, e)).await?;
                Ok(Some(end))
            }
        }
    }

    /// Sends a ping and starts its deadline; false (after reporting `Hung`) when even the
    /// ping cannot be written within the deadline (the peer stopped reading).
    async fn send_ping(&mut self, conn: &mut Connection, life: &mut Life) -> Result<bool, Stop> {
        let wait = self.target.ping_deadline;
        life.deadline.get_or_insert_with(|| Instant::now() + wait);
        life.ping_sent.get_or_insert_with(Instant::now);
        // A failed send ends the stream too: `next_frame` reports how.
        if timeout(wait, conn.ping()).await.is_err() {
            self.hung(life).await?;
            return Ok(false);
        }
        Ok(true)
    }

    async fn hung(&mut self, life: &Life) -> Result<(), Stop> {
        let silent_ms = life.last.elapsed().as_millis() as u64;
        self.report.send(Observation::Hung { silent_ms }).await
    }
}

/// The `shutdown` event's payload: `{reason, restartExpectedMs?}` (absent on a 2026.9 stop,
/// `null` on a 2026.7 stop, a number of ms on a restart).
fn shutdown(payload: &Value) -> Observation {
    Observation::Shutdown {
        reason: payload["reason"].as_str().unwrap_or("").to_string(),
        restart_expected_ms: payload["restartExpectedMs"].as_u64(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn restart_expected_ms_is_there_only_for_a_restart() {
        let of = |p: Value| match shutdown(&p) {
            Observation::Shutdown {
                restart_expected_ms,
                ..
            } => restart_expected_ms,
            _ => unreachable!(),
        };
        let restart = json!({"reason": "gateway restarting", "restartExpectedMs": 1500});
        assert_eq!(of(restart), Some(1500));
        assert_eq!(of(json!({"reason": "gateway stopping"})), None);
        let v2026_7_stop = json!({"reason": "gateway stopping", "restartExpectedMs": null});
        assert_eq!(of(v2026_7_stop), None);
    }
}
