//! Restarts, stops, crashes, `Down`/`Up`, token rotation and drop, as a held connection and
//! a fresh `connect` see them.

use super::raw;
use super::{connect_ok, eventually, options, until_mode, verdict};
use clawkit_core::gateway::{Credential, Verdict};
use clawkit_testkit::fake::{FakeGateway, FakeOptions, Mode};
use clawkit_testkit::{PortState, http_get, port_state};
use serde_json::json;
use std::time::Duration;

fn readyz(fake: &FakeGateway) -> u16 {
    http_get(fake.port(), "/readyz", Duration::from_secs(2))
        .expect("the fake answers HTTP")
        .0
}

async fn process_instance(fake: &FakeGateway) -> String {
    let mut conn = connect_ok(fake).await;
    let info = conn
        .request("system.info", json!({}))
        .await
        .expect("system.info");
    conn.close().await;
    info["processInstanceId"]
        .as_str()
        .expect("an id")
        .to_string()
}

#[tokio::test]
async fn restart_request_acks_announces_closes_and_comes_back_with_a_new_boot() {
    let fake = FakeGateway::start(FakeOptions {
        restart_delay: Duration::from_millis(30),
        restart_downtime: Duration::from_millis(400),
        ..FakeOptions::default()
    });
    let old_boot = fake.boot_id().expect("2026.9 has a bootId");
    let old_process = process_instance(&fake).await;
    let (mut ws, _) = raw::hello(&fake).await;

    raw::request(&mut ws, "r1", "gateway.restart.request").await;
    let ack = raw::next_json(&mut ws).await;
    assert_eq!(
        (ack["id"].as_str(), ack["ok"].as_bool()),
        (Some("r1"), Some(true))
    );
    assert_eq!(ack["payload"]["status"], "scheduled");
    let shutdown = raw::next_json(&mut ws).await;
    assert_eq!(shutdown["event"], "shutdown");
    assert_eq!(
        shutdown["payload"],
        json!({"reason": "gateway restarting", "restartExpectedMs": 1500})
    );
    assert_eq!(shutdown["seq"], 1);
    assert_eq!(
        raw::close_frame(&mut ws).await,
        Some((1012, "service restart".into()))
    );

    // Right after the close the restart may still be draining (retry after 1 s) or already
    // starting its new boot (500 ms); both are "starting" to a client.
    match verdict(&options(&fake)).await {
        Verdict::Starting {
            retry_after_ms: Some(500 | 1000),
        } => {}
        other => panic!("expected the restart to turn connects away, got {other:?}"),
    }
    assert_eq!(readyz(&fake), 503);
    // The mode stays `Up` while the old boot drains; then the new boot starts.
    until_mode(&fake, Mode::Starting).await;
    until_mode(&fake, Mode::Up).await;
    assert_eq!(readyz(&fake), 200);
    let conn = connect_ok(&fake).await;
    let new_boot = conn.hello.boot_id.clone().expect("a bootId");
    assert_ne!(new_boot, old_boot);
    assert_eq!(Some(new_boot), fake.boot_id());
    conn.close().await;
    assert_eq!(
        process_instance(&fake).await,
        old_process,
        "an in-process restart"
    );
    assert_eq!(
        fake.requests(),
        [
            "connect",
            "system.info",
            "connect",
            "gateway.restart.request",
            "connect",
            "connect",
            "connect",
            "system.info"
        ]
    );
}

#[tokio::test]
async fn a_second_restart_request_is_coalesced() {
    let fake = FakeGateway::start(FakeOptions {
        restart_delay: Duration::from_millis(300),
        ..FakeOptions::default()
    });
    let (mut ws, _) = raw::hello(&fake).await;
    raw::request(&mut ws, "r1", "gateway.restart.request").await;
    raw::request(&mut ws, "r2", "gateway.restart.request").await;
    assert_eq!(
        raw::next_json(&mut ws).await["payload"]["status"],
        "scheduled"
    );
    assert_eq!(
        raw::next_json(&mut ws).await["payload"]["status"],
        "coalesced"
    );
}

#[tokio::test]
async fn restart_control_is_starting_at_once_then_up() {
    let fake = FakeGateway::start(FakeOptions {
        restart_expected_ms: 2500,
        ..FakeOptions::default()
    });
    let old_boot = fake.boot_id();
    let (mut ws, _) = raw::hello(&fake).await;
    fake.restart(Duration::from_millis(300));
    assert_eq!(fake.mode(), Mode::Starting);
    assert_ne!(fake.boot_id(), old_boot);
    assert_eq!(readyz(&fake), 503);
    let shutdown = raw::next_json(&mut ws).await;
    assert_eq!(shutdown["payload"]["restartExpectedMs"], 2500);
    assert_eq!(raw::close_frame(&mut ws).await.map(|c| c.0), Some(1012));
    until_mode(&fake, Mode::Up).await;
    assert_eq!(readyz(&fake), 200);
}

#[tokio::test]
async fn a_test_transition_cancels_the_restart_in_progress() {
    let fake = FakeGateway::start(FakeOptions::default());
    fake.restart(Duration::from_millis(100));
    fake.set_mode(Mode::Hung);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(fake.mode(), Mode::Hung);
}

#[tokio::test]
async fn stop_announces_without_restart_expected_then_refuses() {
    for (options, payload) in [
        (
            FakeOptions::default(),
            json!({"reason": "gateway stopping"}),
        ),
        (
            FakeOptions::v2026_7(),
            json!({"reason": "gateway stopping", "restartExpectedMs": null}),
        ),
    ] {
        let fake = FakeGateway::start(options);
        let (mut ws, _) = raw::hello(&fake).await;
        fake.stop();
        assert_eq!(fake.mode(), Mode::Down);
        let shutdown = raw::next_json(&mut ws).await;
        assert_eq!(
            (shutdown["event"].clone(), shutdown["payload"].clone()),
            (json!("shutdown"), payload)
        );
        assert_eq!(raw::close_frame(&mut ws).await.map(|c| c.0), Some(1012));
        assert_eq!(
            super::verdict(&super::options(&fake)).await.name(),
            "connection refused"
        );
    }
}

#[tokio::test]
async fn a_crash_is_eof_without_an_event_and_up_is_a_new_process() {
    let fake = FakeGateway::start(FakeOptions::default());
    let (old_boot, old_process) = (fake.boot_id(), process_instance(&fake).await);
    let (mut ws, _) = raw::hello(&fake).await;
    fake.crash();
    assert!(raw::ended_without_close(&mut ws).await);
    assert_eq!(port_state(fake.port()), PortState::Refused);
    assert_eq!(fake.connections(), 0);
    assert_eq!(verdict(&options(&fake)).await.name(), "connection refused");

    fake.set_mode(Mode::Up);
    let conn = connect_ok(&fake).await;
    assert_ne!(conn.hello.boot_id, old_boot);
    conn.close().await;
    assert_ne!(process_instance(&fake).await, old_process);
}

#[test]
fn down_and_up_rebind_the_same_port_from_a_plain_test() {
    let fake = FakeGateway::start(FakeOptions::default());
    let port = fake.port();
    for _ in 0..3 {
        fake.set_mode(Mode::Down);
        assert_eq!(port_state(port), PortState::Refused);
        fake.set_mode(Mode::Up);
        assert_eq!(readyz(&fake), 200);
        assert_eq!(fake.port(), port);
    }
    let (status, body) = http_get(port, "/health", Duration::from_secs(2)).unwrap();
    assert_eq!(
        (status, body.as_str()),
        (200, r#"{"ok":true,"status":"live"}"#)
    );
}

#[tokio::test]
async fn rotating_the_token_ends_shared_secret_sessions_with_4001() {
    let fake = FakeGateway::start(FakeOptions::default());
    let old = fake.credential();
    let (mut ws, _) = raw::hello(&fake).await;
    fake.rotate_token("rotated-token");
    assert_eq!(
        raw::close_frame(&mut ws).await,
        Some((4001, "gateway auth changed".into()))
    );
    let mut opts = options(&fake);
    opts.credential = old;
    assert_eq!(verdict(&opts).await.name(), "gateway token mismatch");
    opts.credential = Credential::Token("rotated-token".into());
    assert_eq!(verdict(&opts).await, Verdict::Ok);
}

#[tokio::test]
async fn dropping_the_fake_closes_its_port_and_its_sockets() {
    let fake = FakeGateway::start(FakeOptions::default());
    let port = fake.port();
    let (mut ws, _) = raw::hello(&fake).await;
    let conn = connect_ok(&fake).await;
    eventually("two sessions", || fake.connections() == 2).await;
    drop(fake);
    assert_eq!(port_state(port), PortState::Refused);
    assert!(raw::ended_without_close(&mut ws).await);
    drop(conn);
}
