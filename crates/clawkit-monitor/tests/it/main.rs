//! clawkit-monitor's integration tests: one binary, one file per topic.
//!
//! * `channels`: every HTTP channel against a local **fake** of its service (`fakes`), which
//!   checks the request against the service's documented API (the real services are not
//!   reachable here).
//! * `alertmanager`: a **real** Prometheus Alertmanager (Debian's package, installed on first
//!   use by clawkit-testkit) fires and resolves the alert.
//! * `smtp`: a **real** SMTP server (aiosmtpd from PyPI, installed on first use) receives the
//!   mail.
//! * `fake`: the watcher against the fake gateway (milliseconds each); `real`: the watcher
//!   against real OpenClaw gateways of both releases.
//! * `outbox`: no alert lost, none doubled — a receiver outage with the delivering process
//!   `kill -9`'ed twice, permanent failures, a day-long outage, secrets in the DB.
//!
//! Everything binds 127.0.0.1 only, never port 18789, and stops only what it started.
// Unix only: real gateways and Unix process control. Windows builds are smoke-tested under Wine instead.
#![cfg(unix)]

mod alertmanager;
mod channels;
mod fake;
mod fakes;
mod outbox;
mod real;
mod smtp;
mod util;

use clawkit_monitor::alert::{Alert, AlertEvent, rfc3339};
use std::time::{Duration, Instant};

/// An alert as the state machine would decide it.
pub fn alert(id: &str, event: AlertEvent, incident: &str) -> Alert {
    Alert {
        id: id.into(),
        event,
        gateway: "local".into(),
        url: "ws://127.0.0.1:19999".into(),
        at: rfc3339(1_767_225_600_000),
        summary: format!("gateway local {} (test)", event.word()),
        incident: Some(incident.into()),
        cause: Some("crash".into()),
        downtime_ms: (event == AlertEvent::Up).then_some(61_000),
        next: Some("clawkit doctor".into()),
        details: Default::default(),
    }
}

/// Polls `cond` until it holds; panics naming `what` after a generous cap (a hang guard, not a
/// timing assertion).
pub fn wait_until(what: &str, mut cond: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(120);
    while !cond() {
        assert!(Instant::now() < deadline, "gave up waiting for: {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Async form of [`wait_until`].
pub async fn wait_until_async<F: std::future::Future<Output = bool>>(
    what: &str,
    mut cond: impl FnMut() -> F,
) {
    let deadline = Instant::now() + Duration::from_secs(120);
    while !cond().await {
        assert!(Instant::now() < deadline, "gave up waiting for: {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
