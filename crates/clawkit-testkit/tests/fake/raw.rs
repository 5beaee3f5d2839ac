//! A bare tungstenite client that speaks the handshake by hand, to see every frame.

use clawkit_core::gateway::Credential;
use clawkit_testkit::fake::FakeGateway;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::{Error, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Opens a socket and returns it with the challenge's payload.
pub async fn open(fake: &FakeGateway) -> (Ws, Value) {
    let (mut ws, _) = tokio_tungstenite::connect_async(fake.url())
        .await
        .expect("the fake accepts the WebSocket upgrade");
    let challenge = next_json(&mut ws).await;
    assert_eq!(challenge["event"], "connect.challenge", "{challenge}");
    (ws, challenge["payload"].clone())
}

/// A `connect` request frame as the CLI sends it, with `auth`.
pub fn connect_frame(auth: Value) -> String {
    json!({"type": "req", "id": "c1", "method": "connect", "params": {
        "minProtocol": 4, "maxProtocol": 4,
        "client": {"id": "cli", "version": "raw-test", "platform": "linux", "mode": "cli"},
        "role": "operator", "scopes": ["operator.admin"], "caps": [], "auth": auth}})
    .to_string()
}

/// Connects with the fake's shared token; returns the socket and the `hello-ok` payload.
pub async fn hello(fake: &FakeGateway) -> (Ws, Value) {
    let (mut ws, _) = open(fake).await;
    let Credential::Token(token) = fake.credential() else {
        panic!("these tests run the fake in token mode")
    };
    send(&mut ws, connect_frame(json!({"token": token}))).await;
    let res = next_json(&mut ws).await;
    assert_eq!(res["ok"], true, "{res}");
    assert_eq!(res["payload"]["type"], "hello-ok");
    (ws, res["payload"].clone())
}

pub async fn send(ws: &mut Ws, text: String) {
    ws.send(Message::text(text))
        .await
        .expect("send to the fake");
}

pub async fn request(ws: &mut Ws, id: &str, method: &str) {
    send(
        ws,
        json!({"type": "req", "id": id, "method": method, "params": {}}).to_string(),
    )
    .await;
}

/// The next message of any kind, `None` once the stream ended; fails after 5 s.
pub async fn next(ws: &mut Ws) -> Option<Result<Message, Error>> {
    tokio::time::timeout(Duration::from_secs(5), ws.next())
        .await
        .expect("the fake sent something within 5 s")
}

/// The next text frame, parsed; pings and pongs are skipped.
pub async fn next_json(ws: &mut Ws) -> Value {
    loop {
        match next(ws).await {
            Some(Ok(Message::Text(text))) => {
                return serde_json::from_str(&text).expect("the fake sends JSON");
            }
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
            other => panic!("expected a text frame, got {other:?}"),
        }
    }
}

/// The close frame's code and reason (`None` for a close without a status code).
pub async fn close_frame(ws: &mut Ws) -> Option<(u16, String)> {
    loop {
        match next(ws).await {
            Some(Ok(Message::Close(frame))) => {
                return frame.map(|f| (u16::from(f.code), f.reason.to_string()));
            }
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
            other => panic!("expected a close frame, got {other:?}"),
        }
    }
}

/// True when the socket ended without a close frame (what a crash looks like).
pub async fn ended_without_close(ws: &mut Ws) -> bool {
    match next(ws).await {
        None => true,
        Some(Err(Error::Protocol(_) | Error::Io(_) | Error::ConnectionClosed)) => true,
        Some(other) => panic!("expected EOF, got {other:?}"),
    }
}
