//! The fake gateway against the clients it exists for: `clawkit_core::gateway::connect` (the
//! verdicts must be the ones the real gateway produces) and a raw WebSocket client (for the
//! frames core's `Connection` does not expose: events, close codes, pongs, EOF).
// Unix only: the harness, which is Unix-only. Windows builds are smoke-tested under Wine instead.
#![cfg(unix)]

mod handshake;
mod life;
mod raw;
mod requests;

use clawkit_core::gateway::{ConnectOptions, Connection, Verdict, connect};
use clawkit_testkit::fake::{FakeGateway, Mode};
use std::time::Duration;

/// Core's options for `fake` with its current shared secret.
fn options(fake: &FakeGateway) -> ConnectOptions {
    let mut opts = ConnectOptions::new(fake.url());
    opts.credential = fake.credential();
    opts
}

async fn connect_ok(fake: &FakeGateway) -> Connection {
    match connect(&options(fake)).await {
        Ok(conn) => conn,
        Err(verdict) => panic!("expected hello-ok from the fake, got {verdict:?}"),
    }
}

async fn verdict(opts: &ConnectOptions) -> Verdict {
    match connect(opts).await {
        Ok(conn) => {
            conn.close().await;
            Verdict::Ok
        }
        Err(verdict) => verdict,
    }
}

/// Waits (without blocking the test's runtime) until the fake reaches `mode`.
async fn until_mode(fake: &FakeGateway, mode: Mode) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while fake.mode() != mode {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the fake never became {mode:?}"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Waits until `check` holds, for counts that settle after a socket closes.
async fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while !check() {
        assert!(tokio::time::Instant::now() < deadline, "never: {what}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}
