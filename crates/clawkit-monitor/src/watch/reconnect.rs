//! Getting a connection again: attempts with a short backoff, each failure turned into what it
//! says about the gateway (nothing listens, still starting, our credentials refused), each kind
//! reported once per outage. Then what the new connection says about the boot it reached.

use super::Observation;
use super::exit::{self, ProcessWatch};
use super::watcher::{Stop, Watcher};
use clawkit_core::gateway::{Connection, Verdict, connect};
use serde_json::{Value, json};
use std::mem::discriminant;
use std::time::Duration;
use tokio::time::sleep;

/// The first retry after a failed attempt, doubled after each further failure.
pub(super) const BACKOFF_START: Duration = Duration::from_millis(100);
/// Retries of a gateway that is down or starting come at least this often.
const BACKOFF_MAX: Duration = Duration::from_secs(2);
/// A refusal of our own credentials does not heal by itself; retrying it often only fills the
/// gateway's log with our failures.
const REFUSED_MAX: Duration = Duration::from_secs(30);

impl Watcher<'_> {
    /// Attempts until one connects, the first after `first_delay`.
    pub(super) async fn reconnect(&mut self, first_delay: Duration) -> Result<Connection, Stop> {
        let target = self.target;
        let mut delay = first_delay;
        let mut backoff = BACKOFF_START;
        let mut reported: Option<Observation> = None;
        loop {
            if !delay.is_zero() {
                self.during(sleep(delay)).await?;
            }
            let verdict = match self.during(connect(&target.endpoint)).await? {
                Ok(conn) => return Ok(conn),
                Err(verdict) => verdict,
            };
            let seen = outage(verdict);
            if !reported.as_ref().is_some_and(|r| same_outage(r, &seen)) {
                self.report.send(seen.clone()).await?;
            }
            (delay, backoff) = next_delay(&seen, backoff);
            reported = Some(seen);
        }
    }

    /// Reports `Connected` for a fresh connection, and watches its process if it runs here.
    pub(super) async fn connected(&mut self, conn: &mut Connection) -> Result<(), Stop> {
        let info = self
            .during(conn.request("system.info", json!({})))
            .await?
            .unwrap_or(Value::Null);
        let said_pid = info["pid"].as_u64().and_then(|p| u32::try_from(p).ok());
        let local_pid = match &self.target.local {
            Some(local) => self.during(exit::local_pid(local.port, said_pid)).await?,
            None => None,
        };
        match local_pid {
            Some(pid) if self.process.pid() == Some(pid) => {}
            Some(pid) => self.process = ProcessWatch::open(pid),
            None => self.process = ProcessWatch::none(),
        }
        let hello = &conn.hello;
        let connected = Observation::Connected {
            boot_id: hello.boot_id.clone(),
            pid: said_pid.or(local_pid),
            uptime_ms: hello.uptime_ms.or(info["uptimeMs"].as_u64()),
            server_version: hello.server_version.clone(),
            latency_ms: hello.latency_ms,
        };
        self.report.send(connected).await
    }
}

/// A 2026.9 gateway whose work admission is closed (draining for a restart or a stop) refuses
/// the WebSocket upgrade itself with `HTTP 503 Gateway websocket admission closed` (seen on
/// the real one): up, not admitting, which is what `Starting` says.
const ADMISSION_CLOSED: &str = "websocket admission closed";

/// What a failed attempt says about the gateway.
fn outage(verdict: Verdict) -> Observation {
    match verdict {
        Verdict::NotAGateway { detail } if detail.contains(ADMISSION_CLOSED) => {
            Observation::Starting {
                retry_after_ms: None,
            }
        }
        Verdict::ConnectionRefused { detail } | Verdict::NotAGateway { detail } => {
            Observation::Unreachable { detail }
        }
        Verdict::Timeout { phase, after_ms } => Observation::Unreachable {
            detail: format!("no answer within {after_ms} ms ({phase})"),
        },
        Verdict::Starting { retry_after_ms } => Observation::Starting { retry_after_ms },
        verdict => Observation::Refused { verdict },
    }
}

/// Whether `b` only repeats `a` (same kind; for a refusal, the same verdict).
fn same_outage(a: &Observation, b: &Observation) -> bool {
    match (a, b) {
        (Observation::Refused { verdict: x }, Observation::Refused { verdict: y }) => {
            x.name() == y.name()
        }
        _ => discriminant(a) == discriminant(b),
    }
}

/// The wait before the next attempt, and the backoff after it.
fn next_delay(seen: &Observation, backoff: Duration) -> (Duration, Duration) {
    let max = match seen {
        Observation::Refused { .. } => REFUSED_MAX,
        _ => BACKOFF_MAX,
    };
    let delay = match seen {
        Observation::Starting {
            retry_after_ms: Some(ms),
        } => Duration::from_millis(*ms).clamp(BACKOFF_START, max),
        _ => backoff.min(max),
    };
    (delay, (backoff * 2).min(max))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(message: &str) -> Observation {
        outage(Verdict::GatewayTokenMismatch {
            message: message.into(),
        })
    }

    #[test]
    fn an_outage_is_reported_once_per_kind() {
        let down = |d: &str| outage(Verdict::ConnectionRefused { detail: d.into() });
        assert!(same_outage(&down("a"), &down("b")));
        let starting = outage(Verdict::Starting {
            retry_after_ms: Some(500),
        });
        let starting_by_close = outage(Verdict::Starting {
            retry_after_ms: None,
        });
        assert!(same_outage(&starting, &starting_by_close));
        assert!(!same_outage(&down("a"), &starting));
        let draining = outage(Verdict::NotAGateway {
            detail: "HTTP 503 Service Unavailable instead of a WebSocket upgrade: Gateway websocket admission closed".into(),
        });
        assert!(same_outage(&starting, &draining), "{draining:?}");
        assert!(same_outage(&refused("x"), &refused("y")));
        let device = outage(Verdict::DeviceTokenMismatch {
            message: "x".into(),
        });
        assert!(!same_outage(&refused("x"), &device));
    }

    #[test]
    fn backoff_doubles_to_its_cap_and_refusals_wait_longer() {
        let down = outage(Verdict::ConnectionRefused { detail: "x".into() });
        let mut backoff = BACKOFF_START;
        let mut delays = Vec::new();
        for _ in 0..7 {
            let (delay, next) = next_delay(&down, backoff);
            delays.push(delay.as_millis());
            backoff = next;
        }
        assert_eq!(delays, [100, 200, 400, 800, 1600, 2000, 2000]);
        assert_eq!(next_delay(&refused("x"), REFUSED_MAX).0, REFUSED_MAX);
        let starting = Observation::Starting {
            retry_after_ms: Some(500),
        };
        assert_eq!(next_delay(&starting, BACKOFF_START).0.as_millis(), 500);
    }
}
