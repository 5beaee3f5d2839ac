//! After `hello-ok`: requests, the request log, open connections, ticks and pings.

use super::raw;
use super::{connect_ok, eventually};
use clawkit_core::gateway::RpcError;
use clawkit_testkit::fake::{FakeGateway, FakeOptions, Mode};
use futures_util::SinkExt;
use serde_json::json;
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

#[tokio::test]
async fn health_system_info_and_unknown_methods_answer_like_the_real_ones() {
    let fake = FakeGateway::start(FakeOptions {
        pid: 4242,
        ..FakeOptions::default()
    });
    let mut conn = connect_ok(&fake).await;
    eventually("one session", || fake.connections() == 1).await;
    let health = conn.request("health", json!({})).await.expect("health");
    assert_eq!(health["ok"], true);
    let info = conn
        .request("system.info", json!({}))
        .await
        .expect("system.info");
    assert_eq!(info["pid"], 4242);
    assert_eq!(info["port"], fake.port());
    assert_eq!(
        info["processInstanceId"].as_str(),
        Some(fake.process_instance_id().as_str())
    );
    assert!(info["uptimeMs"].is_u64());
    match conn.request("no.such.method", json!({})).await {
        Err(RpcError::Gateway { code, message, .. }) => assert_eq!(
            (code.as_str(), message.as_str()),
            ("INVALID_REQUEST", "unknown method: no.such.method")
        ),
        other => panic!("expected the unknown-method error, got {other:?}"),
    }
    conn.close().await;
    eventually("no sessions", || fake.connections() == 0).await;
    assert_eq!(
        fake.requests(),
        ["connect", "health", "system.info", "no.such.method"]
    );
}

#[tokio::test]
async fn a_non_request_frame_after_hello_gets_an_error_and_the_session_goes_on() {
    let fake = FakeGateway::start(FakeOptions::default());
    let (mut ws, _) = raw::hello(&fake).await;
    raw::send(&mut ws, json!({"type": "event", "id": "e1"}).to_string()).await;
    let res = raw::next_json(&mut ws).await;
    assert_eq!(
        (res["id"].as_str(), res["ok"].as_bool()),
        (Some("e1"), Some(false))
    );
    raw::send(&mut ws, "garbage".into()).await;
    raw::request(&mut ws, "h1", "health").await;
    let res = raw::next_json(&mut ws).await;
    assert_eq!(
        (res["id"].as_str(), res["ok"].as_bool()),
        (Some("h1"), Some(true))
    );
}

#[tokio::test]
async fn ticks_come_at_the_policy_interval_with_a_rising_seq() {
    let fake = FakeGateway::start(FakeOptions {
        tick_interval: Duration::from_millis(50),
        ..FakeOptions::default()
    });
    let (mut ws, hello) = raw::hello(&fake).await;
    assert_eq!(hello["policy"]["tickIntervalMs"], 50);
    let started = std::time::Instant::now();
    for seq in 1..=3 {
        let tick = raw::next_json(&mut ws).await;
        assert_eq!(
            (tick["event"].as_str(), tick["seq"].as_u64()),
            (Some("tick"), Some(seq))
        );
        assert!(tick["payload"]["ts"].is_u64());
    }
    let elapsed = started.elapsed();
    assert!(
        elapsed >= Duration::from_millis(120) && elapsed < Duration::from_secs(2),
        "{elapsed:?}"
    );
}

#[tokio::test]
async fn pings_are_answered_except_while_hung() {
    let fake = FakeGateway::start(FakeOptions::default());
    let (mut ws, _) = raw::hello(&fake).await;
    ws.send(Message::Ping(b"one".to_vec().into()))
        .await
        .unwrap();
    assert_eq!(
        pong(&mut ws, Duration::from_secs(2)).await.as_deref(),
        Some(&b"one"[..])
    );

    fake.set_mode(Mode::Hung);
    ws.send(Message::Ping(b"two".to_vec().into()))
        .await
        .unwrap();
    assert_eq!(pong(&mut ws, Duration::from_millis(300)).await, None);
    fake.set_mode(Mode::Up);
    assert_eq!(
        pong(&mut ws, Duration::from_secs(2)).await.as_deref(),
        Some(&b"two"[..])
    );
}

async fn pong(ws: &mut raw::Ws, within: Duration) -> Option<Vec<u8>> {
    use futures_util::StreamExt;
    match tokio::time::timeout(within, ws.next()).await {
        Err(_) => None,
        Ok(Some(Ok(Message::Pong(data)))) => Some(data.to_vec()),
        Ok(other) => panic!("expected a pong, got {other:?}"),
    }
}
