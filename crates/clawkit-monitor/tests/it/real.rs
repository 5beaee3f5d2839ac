//! The watcher against **real** OpenClaw gateways (2026.9.6 and 2026.7.1): what each way of
//! going down looks like on the held socket, the process and the log. Each test starts its
//! own gateway on a free loopback port and signals only that gateway's PID.

use crate::util::{Watching, boot_of, is_connected, target, token};
use clawkit_core::gateway::{ClientRole, ConnectOptions, Verdict, connect};
use clawkit_monitor::watch::{LocalSide, Observation, WatchTarget};
use clawkit_testkit::{Gateway, GatewayOptions, V2026_9};
use serde_json::json;

macro_rules! per_version {
    ($name:ident, |$version:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            fn for_version($version: &'static str) $body
            #[test]
            fn v2026_9() {
                for_version(clawkit_testkit::V2026_9)
            }
            #[test]
            fn v2026_7() {
                for_version(clawkit_testkit::V2026_7)
            }
        }
    };
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

fn local_target(gw: &Gateway, shared_token: &str) -> WatchTarget {
    let local = LocalSide {
        port: gw.port(),
        log_file: Some(gw.log_file().to_path_buf()),
    };
    target(&gw.url(), token(shared_token), Some(local))
}

fn signal(pid: u32, sig: i32) {
    // SAFETY: kill(2) on the PID of a gateway this test started.
    assert_eq!(
        unsafe { libc::kill(pid as i32, sig) },
        0,
        "kill({pid}, {sig})"
    );
}

/// SIGCONTs a stopped gateway however the test ends, so dropping it can stop it.
struct Continue(u32);

impl Drop for Continue {
    fn drop(&mut self) {
        signal(self.0, libc::SIGCONT);
    }
}

/// What `clawkit gateway restart` does to an unsupervised gateway: ask it.
async fn request_restart(gw: &Gateway) {
    let mut opts = ConnectOptions::new(gw.url());
    opts.credential = token(gw.token());
    let mut conn = connect(&opts).await.expect("the restart request connects");
    let params = json!({"reason": "clawkit-monitor test", "skipDeferral": true});
    conn.request("gateway.restart.request", params)
        .await
        .expect("the gateway accepts the restart request");
    conn.close().await;
}

/// A client that gets the token wrong, as `openclaw gateway probe` would with a stale secret.
async fn wrong_token_client(gw: &Gateway) {
    let mut opts = ConnectOptions::new(gw.url());
    opts.credential = token("not-the-gateway-token");
    opts.client = ClientRole::Probe;
    let refused = connect(&opts).await.err();
    assert!(
        matches!(refused, Some(Verdict::GatewayTokenMismatch { .. })),
        "{refused:?}"
    );
}

/// Rotates the shared secret the way an operator does: `gateway.auth.token` in the config.
fn rotate_token(gw: &Gateway, new: &str) {
    let path = gw.config_path();
    let mut config: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    config["gateway"]["auth"]["token"] = json!(new);
    std::fs::write(path, serde_json::to_string_pretty(&config).unwrap()).unwrap();
}

fn failures_of(o: &Observation, wanted_client: &str) -> u64 {
    match o {
        Observation::ClientAuthFailures {
            client,
            reason,
            count,
            ..
        } if client == wanted_client && reason == "token_mismatch" => *count,
        _ => 0,
    }
}

per_version!(a_held_gateway_through_its_failures, |version| {
    let gw = Gateway::start(GatewayOptions::new(version)).unwrap();
    let pid = gw.pid();
    runtime().block_on(async {
        let mut w = Watching::start(local_target(&gw, gw.token()));
        let first = w.until("Connected", is_connected).await;
        match &first {
            Observation::Connected { pid: seen, .. } => assert_eq!(*seen, Some(pid)),
            _ => unreachable!(),
        }

        // Two refused clients: counted from the gateway's log, by client and reason.
        wrong_token_client(&gw).await;
        wrong_token_client(&gw).await;
        let mut counted = 0;
        while counted < 2 {
            let o = w.until("ClientAuthFailures", |o| {
                failures_of(o, "openclaw-probe/probe") > 0
            });
            counted += failures_of(&o.await, "openclaw-probe/probe");
        }
        assert_eq!(counted, 2, "{:#?}", w.seen);

        // Every ping answered so far is a probe sample with its round trip.
        assert!(!w.pongs.is_empty(), "pongs while held: {:#?}", w.seen);
        assert!(w.pongs.iter().all(|&ms| ms < 3_000), "{:?}", w.pongs);

        // SIGSTOP: the socket stays open and silent; no pong within the deadline.
        signal(pid, libc::SIGSTOP);
        let resume = Continue(pid);
        w.until("Hung", |o| matches!(o, Observation::Hung { .. }))
            .await;
        drop(resume);
        let back = w.until("Connected after SIGCONT", is_connected).await;
        assert_eq!(
            boot_of(&back),
            boot_of(&first),
            "the same boot, only paused"
        );

        // A planned restart: announced with restartExpectedMs, then a new boot.
        request_restart(&gw).await;
        let shutdown = w
            .until("Shutdown", |o| matches!(o, Observation::Shutdown { .. }))
            .await;
        assert_eq!(
            shutdown,
            Observation::Shutdown {
                reason: "gateway restarting".into(),
                restart_expected_ms: Some(1500)
            }
        );
        let closed = w
            .until("Closed", |o| matches!(o, Observation::Closed { .. }))
            .await;
        assert!(
            matches!(
                closed,
                Observation::Closed {
                    code: Some(1012),
                    ..
                }
            ),
            "{closed:?}"
        );
        let after = w.until("Connected after the restart", is_connected).await;
        if version == V2026_9 {
            assert_ne!(boot_of(&after), boot_of(&first), "a new boot id");
        } else {
            assert_eq!(boot_of(&after), None, "2026.7.1 names no boot");
        }

        // The shared token rotated under the watcher: 4001, then the old token is refused.
        rotate_token(&gw, "a-rotated-shared-token");
        let closed = w
            .until("Closed", |o| matches!(o, Observation::Closed { .. }))
            .await;
        assert_eq!(
            closed,
            Observation::Closed {
                code: Some(4001),
                reason: "gateway auth changed".into()
            }
        );
        match w
            .until("Refused", |o| matches!(o, Observation::Refused { .. }))
            .await
        {
            Observation::Refused { verdict } => assert!(
                matches!(verdict, Verdict::GatewayTokenMismatch { .. }),
                "{verdict:?}"
            ),
            _ => unreachable!(),
        }
        eprintln!("{version}: {:#?}", w.seen);
        w.stop().await;

        // A stop (SIGTERM), watched with the new token: announced without a restart.
        let mut w = Watching::start(local_target(&gw, "a-rotated-shared-token"));
        w.until("Connected with the new token", is_connected).await;
        signal(pid, libc::SIGTERM);
        let shutdown = w
            .until("Shutdown", |o| matches!(o, Observation::Shutdown { .. }))
            .await;
        assert_eq!(
            shutdown,
            Observation::Shutdown {
                reason: "gateway stopping".into(),
                restart_expected_ms: None
            }
        );
        let closed = w
            .until("Closed", |o| matches!(o, Observation::Closed { .. }))
            .await;
        assert!(
            matches!(
                closed,
                Observation::Closed {
                    code: Some(1012),
                    ..
                }
            ),
            "{closed:?}"
        );
        w.until("ProcessExited", |o| {
            *o == Observation::ProcessExited { pid }
        })
        .await;
        if !w
            .seen
            .iter()
            .any(|o| matches!(o, Observation::Unreachable { .. }))
        {
            w.until("Unreachable", |o| {
                matches!(o, Observation::Unreachable { .. })
            })
            .await;
        }
        eprintln!("{version} stop: {:#?}", w.seen);
        w.stop().await;
    });
});

#[test]
fn kill_9_is_seen_on_the_socket_and_by_the_process_watch() {
    let gw = Gateway::start(GatewayOptions::new(V2026_9)).unwrap();
    let pid = gw.pid();
    runtime().block_on(async {
        let mut w = Watching::start(local_target(&gw, gw.token()));
        w.until("Connected", is_connected).await;
        signal(pid, libc::SIGKILL);
        let mut crash = (false, false);
        while crash != (true, true) {
            match w.next().await {
                Observation::Closed { code: None, .. } => crash.0 = true,
                Observation::ProcessExited { pid: gone } if gone == pid => crash.1 = true,
                Observation::Unreachable { .. } => {}
                other => panic!("not a crash: {other:?} in {:#?}", w.seen),
            }
        }
        eprintln!("kill -9: {:#?}", w.seen);
        w.until("Unreachable", |o| {
            matches!(o, Observation::Unreachable { .. })
        })
        .await;
        w.stop().await;
    });
}

per_version!(
    a_starting_gateway_is_unreachable_or_starting_until_it_connects,
    |version| {
        let gw = Gateway::start(GatewayOptions::new(version).no_ready_wait()).unwrap();
        runtime().block_on(async {
            let mut w = Watching::start(local_target(&gw, gw.token()));
            w.until("Connected", is_connected).await;
            let before = &w.seen[..w.seen.len() - 1];
            assert!(
                before.iter().all(|o| matches!(
                    o,
                    Observation::Unreachable { .. }
                        | Observation::Starting { .. }
                        | Observation::Readiness { ready: false, .. }
                )),
                "{before:#?}"
            );
            eprintln!("{version} start: {before:#?}");
            w.stop().await;
        });
    }
);
