//! The watcher against the **fake** gateway: every way a connection ends, classified, and
//! outages reported once. Fast; the same behaviours are checked on real gateways in `real`.

use crate::util::{Watching, boot_of, is_connected, target, token};
use clawkit_core::gateway::Verdict;
use clawkit_monitor::watch::{LocalSide, Observation, WatchTarget};
use clawkit_testkit::fake::{FakeGateway, FakeOptions, Mode};
use std::time::Duration;

fn watching(gw: &FakeGateway) -> Watching {
    Watching::start(target_of(gw))
}

fn target_of(gw: &FakeGateway) -> WatchTarget {
    target(&gw.url(), gw.credential(), None)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connected_names_the_boot_and_the_process() {
    let gw = FakeGateway::start(FakeOptions::default());
    let mut w = watching(&gw);
    match w.next().await {
        Observation::Connected {
            boot_id,
            pid,
            server_version,
            ..
        } => {
            assert_eq!(boot_id, gw.boot_id());
            assert_eq!(pid, Some(std::process::id()), "system.info.pid");
            assert_eq!(server_version.as_deref(), Some("2026.9.6"));
        }
        other => panic!("{other:?}"),
    }
    w.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_is_a_close_without_code_then_unreachable_until_a_new_boot() {
    let gw = FakeGateway::start(FakeOptions::default());
    let mut w = watching(&gw);
    let first = boot_of(&w.next().await);
    gw.crash();
    assert!(
        matches!(w.next().await, Observation::Closed { code: None, .. }),
        "{:?}",
        w.seen
    );
    assert!(
        matches!(w.next().await, Observation::Unreachable { .. }),
        "{:?}",
        w.seen
    );
    gw.set_mode(Mode::Up);
    let back = w.until("Connected", is_connected).await;
    assert_ne!(boot_of(&back), first);
    let repeats = w
        .seen
        .iter()
        .filter(|o| matches!(o, Observation::Unreachable { .. }));
    assert_eq!(
        repeats.count(),
        1,
        "one Unreachable per outage: {:?}",
        w.seen
    );
    w.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_planned_restart_is_announced_then_a_new_boot_connects() {
    let gw = FakeGateway::start(FakeOptions::default());
    let mut w = watching(&gw);
    let first = boot_of(&w.next().await);
    gw.restart(Duration::from_millis(300));
    assert_eq!(
        w.next().await,
        Observation::Shutdown {
            reason: "gateway restarting".into(),
            restart_expected_ms: Some(1500)
        }
    );
    assert!(matches!(
        w.next().await,
        Observation::Closed {
            code: Some(1012),
            ..
        }
    ));
    let back = w.until("Connected", is_connected).await;
    assert_ne!(boot_of(&back), first, "a new boot id");
    let starting = w
        .seen
        .iter()
        .filter(|o| matches!(o, Observation::Starting { .. }));
    assert!(starting.count() <= 1, "Starting at most once: {:?}", w.seen);
    w.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stop_is_announced_without_a_restart_and_reported_unreachable_once() {
    for options in [FakeOptions::default(), FakeOptions::v2026_7()] {
        let gw = FakeGateway::start(options);
        let mut w = watching(&gw);
        w.next().await;
        gw.stop();
        assert_eq!(
            w.next().await,
            Observation::Shutdown {
                reason: "gateway stopping".into(),
                restart_expected_ms: None
            }
        );
        assert!(matches!(
            w.next().await,
            Observation::Closed {
                code: Some(1012),
                ..
            }
        ));
        assert!(matches!(w.next().await, Observation::Unreachable { .. }));
        // Several retries happen meanwhile (100, 200, 400, 800 ms); none is reported again.
        let more = w.drain_for(Duration::from_millis(1600)).await;
        assert_eq!(more, [], "{:?}", w.seen);
        w.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_blocked_event_loop_is_hung_within_the_ping_deadline() {
    let gw = FakeGateway::start(FakeOptions::default());
    let mut t = target_of(&gw);
    t.ping_every = Duration::from_millis(50);
    t.ping_deadline = Duration::from_millis(300);
    t.endpoint.timeout = Duration::from_millis(500);
    let mut w = Watching::start(t);
    w.next().await;
    gw.set_mode(Mode::Hung);
    match w.next().await {
        Observation::Hung { silent_ms } => assert!(silent_ms >= 300, "{silent_ms}"),
        other => panic!("{other:?}"),
    }
    // Reconnecting to a hung gateway: its handshake never answers.
    assert!(
        matches!(w.next().await, Observation::Unreachable { .. }),
        "{:?}",
        w.seen
    );
    gw.set_mode(Mode::Up);
    w.until("Connected", is_connected).await;
    w.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rotated_token_closes_4001_then_refuses_the_old_token() {
    let gw = FakeGateway::start(FakeOptions::default());
    let mut w = watching(&gw);
    w.next().await;
    gw.rotate_token("a-new-shared-token");
    assert_eq!(
        w.next().await,
        Observation::Closed {
            code: Some(4001),
            reason: "gateway auth changed".into()
        }
    );
    match w.next().await {
        Observation::Refused { verdict } => {
            assert!(
                matches!(verdict, Verdict::GatewayTokenMismatch { .. }),
                "{verdict:?}"
            )
        }
        other => panic!("{other:?}"),
    }
    w.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_starting_gateway_is_reported_once_then_connected() {
    let gw = FakeGateway::start(FakeOptions {
        mode: Mode::Starting,
        ..FakeOptions::default()
    });
    let mut w = watching(&gw);
    assert!(
        matches!(w.next().await, Observation::Starting { .. }),
        "{:?}",
        w.seen
    );
    assert_eq!(w.drain_for(Duration::from_millis(1200)).await, []);
    gw.set_mode(Mode::Up);
    assert!(is_connected(&w.next().await), "{:?}", w.seen);
    w.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_2026_7_gateway_has_no_boot_id_but_a_pid_and_uptime() {
    let gw = FakeGateway::start(FakeOptions {
        uptime: Duration::from_secs(60),
        ..FakeOptions::v2026_7()
    });
    let mut w = watching(&gw);
    match w.next().await {
        Observation::Connected {
            boot_id,
            pid,
            uptime_ms,
            ..
        } => {
            assert_eq!(boot_id, None);
            assert_eq!(pid, Some(std::process::id()));
            assert!(uptime_ms.is_some_and(|u| u >= 60_000), "{uptime_ms:?}");
        }
        other => panic!("{other:?}"),
    }
    w.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_watcher_ends_when_no_one_receives() {
    let gw = FakeGateway::start(FakeOptions::default());
    let (tx, rx) = tokio::sync::mpsc::channel(1);
    drop(rx);
    let cancel = tokio_util::sync::CancellationToken::new();
    let local = Some(LocalSide {
        port: gw.port(),
        log_file: Some(std::env::temp_dir().join("clawkit-monitor-no-such.log")),
    });
    let t = target(&gw.url(), token("wrong"), local);
    // Refused, cannot report it, ends (the log tail with it).
    tokio::time::timeout(
        Duration::from_secs(60),
        clawkit_monitor::watch::watch(t, tx, cancel),
    )
    .await
    .expect("watch() returns once its receiver is gone");
}

/// A tslog JSON line of a refused client, in the shape a 2026.9 gateway writes it.
fn auth_failure_line(reason: &str, peer: &str, port: u16) -> String {
    let msg = format!(
        "unauthorized conn=4d2f-95f5 peer={peer}:40412->127.0.0.1:{port} remote={peer} client=cli cli v2026.9.6 role=operator scopes=0 auth=token device=no platform=linux instance=n/a host=127.0.0.1:{port} origin=n/a ua=n/a reason={reason} guidance=see docs"
    );
    let time = "2026-11-22T01:47:22.075+00:00";
    format!(
        r#"{{"0":"{{\"subsystem\":\"gateway/ws\"}}","1":"{msg}","_meta":{{"logLevelName":"WARN"}},"time":"{time}","hostname":"vm","message":"{msg}"}}"#
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_auth_failures_from_the_log_are_counted_per_client_reason_and_peer() {
    use std::io::Write;
    let gw = FakeGateway::start(FakeOptions::default());
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("gateway.log");
    let before = auth_failure_line("token_mismatch", "127.0.0.1", gw.port());
    std::fs::write(&log, format!("{before}\n")).unwrap();
    let local = LocalSide {
        port: gw.port(),
        log_file: Some(log.clone()),
    };
    let mut w = Watching::start(target(&gw.url(), gw.credential(), Some(local)));
    w.until("Connected", is_connected).await;
    // One write, so the lines cannot straddle two windows.
    let mut lines = format!(
        "{}\n",
        auth_failure_line("token_mismatch", "127.0.0.1", gw.port())
    )
    .repeat(3);
    lines.push_str(&format!(
        "{}\n",
        auth_failure_line("token_mismatch", "127.0.0.1", 1)
    ));
    let mut file = std::fs::OpenOptions::new().append(true).open(&log).unwrap();
    file.write_all(lines.as_bytes()).unwrap();
    match w
        .until("ClientAuthFailures", |o| {
            matches!(o, Observation::ClientAuthFailures { .. })
        })
        .await
    {
        Observation::ClientAuthFailures {
            client,
            reason,
            peer,
            count,
            ..
        } => {
            assert_eq!(
                (client.as_str(), reason.as_str()),
                ("cli/cli", "token_mismatch")
            );
            assert_eq!(peer.as_deref(), Some("127.0.0.1"));
            assert_eq!(
                count, 3,
                "the line from before the watch and another gateway's are not counted"
            );
        }
        _ => unreachable!(),
    }
    w.stop().await;
}
