//! Watching one gateway: an authenticated WebSocket held open and pinged, the gateway's
//! process when it runs here, its `/readyz`, and its log's auth failures. Each watcher reports
//! what it *saw* as a [`Seen`]; it never decides what that means for an incident (`state`
//! does).
//!
//! `watch()` runs until `cancel` (or until the receiver is dropped), reconnecting with a
//! short backoff, and sends every transition it observes: one task per gateway, reacting to
//! the socket, the process and the log as they happen rather than polling.

mod auth_log;
mod exit;
mod readiness;
mod reconnect;
mod session;
mod watcher;

use clawkit_core::gateway::{ConnectOptions, Verdict};
use serde::Serialize;
use std::path::PathBuf;
use std::time::Duration;
use tokio::sync::mpsc::Sender;
use tokio_util::sync::CancellationToken;

/// Watches one gateway until `cancel`, sending what it sees to `tx`. A planned restart is
/// `Shutdown` then `Closed` (1012), a crash `Closed { code: None }` and, for a local gateway,
/// `ProcessExited`; outages are reported once each until `Connected` again.
pub async fn watch(target: WatchTarget, tx: Sender<Seen>, cancel: CancellationToken) {
    let report = watcher::Report::new(&target.name, tx);
    // Ends the log tail too when the connection side stops (cancelled, or no receiver).
    let done = cancel.child_token();
    let connections = async {
        watcher::Watcher::new(&target, report.clone(), done.clone())
            .run()
            .await;
        done.cancel();
    };
    let log = auth_log::follow(target.local.clone(), report.clone(), done.clone());
    let ready = readiness::follow(target.local.clone(), report.clone(), done.clone());
    tokio::join!(connections, log, ready);
}

/// What to watch and how.
#[derive(Debug, Clone)]
pub struct WatchTarget {
    /// The gateway's name in alerts.
    pub name: String,
    /// Where and how to connect (URL, TLS pin, the shared secret as the CLI sends it).
    pub endpoint: ConnectOptions,
    /// WS ping interval and the deadline for its pong.
    pub ping_every: Duration,
    pub ping_deadline: Duration,
    /// A gateway on this machine: its port (for `/readyz`) and its log file (for the auth
    /// failures of its clients). `None` for a remote gateway.
    pub local: Option<LocalSide>,
}

#[derive(Debug, Clone)]
pub struct LocalSide {
    pub port: u16,
    pub log_file: Option<PathBuf>,
}

/// One thing a watcher saw, at a time.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Seen {
    pub gateway: String,
    pub at_ms: i64,
    pub what: Observation,
}

/// What the socket, the process or the log said.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Observation {
    /// Authenticated (`hello-ok`): the boot it is, as far as the gateway says.
    Connected {
        boot_id: Option<String>,
        pid: Option<u32>,
        uptime_ms: Option<u64>,
        server_version: Option<String>,
        latency_ms: u64,
    },
    /// A WS ping answered: its round trip (a probe sample; not a transition).
    Pong { rtt_ms: u64 },
    /// The gateway announced a planned stop (`restart_expected_ms` `None`) or restart.
    Shutdown {
        reason: String,
        restart_expected_ms: Option<u64>,
    },
    /// The connection ended: a close frame (`code`) or EOF/RST with no event before it (`None`).
    Closed { code: Option<u16>, reason: String },
    /// The gateway's process exited (pidfd/kqueue/handle; local gateways only).
    ProcessExited { pid: u32 },
    /// Connecting again: nothing listens, or the host is unreachable.
    Unreachable { detail: String },
    /// Connecting again: the gateway is up but not admitting connections: still starting
    /// (1013 / UNAVAILABLE), or draining before a restart or stop (2026.9: the upgrade is
    /// refused with HTTP 503 `Gateway websocket admission closed`).
    Starting { retry_after_ms: Option<u64> },
    /// The monitor's own handshake was refused (exact verdict: gateway vs device token, …).
    Refused { verdict: Verdict },
    /// A local gateway's `/readyz` changed its answer: ready (200) or not (503), and the
    /// checks it names as failing.
    Readiness { ready: bool, failing: Vec<String> },
    /// No pong (nor any frame) within the deadline: event loop blocked or network cut.
    Hung { silent_ms: u64 },
    /// Clients failing to authenticate, from the log since the last report.
    ClientAuthFailures {
        client: String,
        reason: String,
        peer: Option<String>,
        count: u64,
        first_ms: Option<i64>,
        last_ms: Option<i64>,
    },
}
