//! One WebSocket connection to the fake: the challenge, the `connect` request and its
//! verdict, then requests, `tick`s and whatever the test's controls send (events, closes).
//!
//! A client can send anything: malformed frames end the socket the way the real gateway ends
//! it (or are answered with its error frame), never with a panic.

use super::auth::{self, Admitted, Gate};
use super::options::Mode;
use super::protocol::{self, HelloFacts, Incoming};
use super::state::{Command, Shared, lock};
use super::{ids, rpc, server};
use clawkit_core::gateway::Credential;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::borrow::Cow;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio::sync::{mpsc, watch};
use tokio::time::{Interval, MissedTickBehavior};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

/// How long a closing session waits for the client's close reply before dropping the socket.
const CLOSE_LINGER: Duration = Duration::from_millis(500);

/// Serves an upgraded socket until it closes.
pub(super) async fn serve(
    shared: Arc<Shared>,
    id: u64,
    ws: WebSocketStream<TcpStream>,
    origin: Option<String>,
) {
    let (tx, commands) = mpsc::unbounded_channel();
    shared.set_session(id, tx);
    let mut link = Link {
        mode: shared.mode.subscribe(),
        ws,
        commands,
    };
    let nonce = ids::uuid();
    if !link
        .send(protocol::challenge(shared.opts.style, &nonce))
        .await
    {
        return;
    }
    let Some(admitted) = handshake(&shared, &mut link, &nonce, origin.as_deref()).await else {
        return;
    };
    Session {
        shared,
        link,
        admitted,
        seq: 0,
    }
    .run()
    .await;
}

/// What woke a session up.
enum Input {
    Frame(String),
    Command(Command),
    Tick,
    Closed,
}

/// The socket, the control channel and the mode, read together.
struct Link {
    ws: WebSocketStream<TcpStream>,
    commands: mpsc::UnboundedReceiver<Command>,
    mode: watch::Receiver<Mode>,
}

impl Link {
    /// The next input; nothing at all while the fake is `Hung` (not even pongs).
    async fn next(&mut self, mut ticker: Option<&mut Interval>) -> Input {
        loop {
            if !server::while_hung(&mut self.mode).await {
                return Input::Closed;
            }
            let tick = async {
                match ticker.as_deref_mut() {
                    Some(t) => t.tick().await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                frame = self.ws.next() => match frame {
                    Some(Ok(Message::Text(text))) => return Input::Frame(text.to_string()),
                    Some(Ok(Message::Binary(bytes))) => {
                        return Input::Frame(String::from_utf8_lossy(&bytes).into_owned());
                    }
                    Some(Ok(Message::Close(_))) | Some(Err(_)) | None => return Input::Closed,
                    // Pings are answered inside the read; pongs and raw frames need nothing.
                    Some(Ok(_)) => {}
                },
                command = self.commands.recv() => match command {
                    Some(command) => return Input::Command(command),
                    None => return Input::Closed,
                },
                _ = tick => return Input::Tick,
                changed = self.mode.changed() => {
                    if changed.is_err() {
                        return Input::Closed;
                    }
                }
            }
        }
    }

    async fn send(&mut self, text: String) -> bool {
        self.ws.send(Message::text(text)).await.is_ok()
    }

    /// Sends a close frame (`None`: one without a status code), then gives the client a
    /// moment to answer before the socket is dropped.
    async fn close(&mut self, code: Option<(u16, String)>) {
        let frame = code.map(|(code, reason)| CloseFrame {
            code: CloseCode::from(code),
            reason: reason.into(),
        });
        if self.ws.close(frame).await.is_err() {
            return;
        }
        let _ = tokio::time::timeout(CLOSE_LINGER, async {
            while let Some(Ok(_)) = self.ws.next().await {}
        })
        .await;
    }
}

/// Before `hello-ok`: waits for the `connect` request and answers it.
async fn handshake(
    shared: &Shared,
    link: &mut Link,
    nonce: &str,
    origin: Option<&str>,
) -> Option<Admitted> {
    let deadline = tokio::time::sleep(shared.opts.handshake_timeout);
    tokio::pin!(deadline);
    loop {
        let input = tokio::select! {
            input = link.next(None) => Some(input),
            _ = &mut deadline => None,
        };
        // A handshake timeout closes without a status code, like the real one.
        let Some(input) = input else {
            link.close(None).await;
            return None;
        };
        match input {
            Input::Frame(text) => return answer_connect(shared, link, nonce, origin, &text).await,
            Input::Command(Command::Close { code, reason }) => {
                link.close(Some((code, reason.to_string()))).await;
                return None;
            }
            // Broadcasts and secret rotations only concern authenticated sessions.
            Input::Command(_) | Input::Tick => {}
            Input::Closed => return None,
        }
    }
}

/// The first frame must be a valid `connect`; anything else ends the socket as the real
/// gateway ends it.
async fn answer_connect(
    shared: &Shared,
    link: &mut Link,
    nonce: &str,
    origin: Option<&str>,
    text: &str,
) -> Option<Admitted> {
    let refused = |code: u16, reason: &str| Some((code, reason.to_string()));
    let (id, params) = match protocol::parse(text) {
        _ if text.len() > protocol::MAX_PREAUTH_FRAME => {
            link.close(refused(1009, "Max payload size exceeded")).await;
            return None;
        }
        Incoming::Garbage => {
            link.close(None).await;
            return None;
        }
        Incoming::NotARequest { .. } => {
            link.close(refused(1008, "invalid request frame")).await;
            return None;
        }
        Incoming::Request { id, method, params } => {
            shared.record(&method);
            if method != "connect" {
                let message = "invalid handshake: first request must be connect";
                let error = protocol::error_shape("INVALID_REQUEST", message);
                link.send(protocol::response_err(&id, error)).await;
                link.close(refused(1008, message)).await;
                return None;
            }
            (id, params)
        }
    };
    match admit(shared, nonce, origin, &params) {
        Ok((admitted, hello)) => link
            .send(protocol::response_ok(&id, hello))
            .await
            .then_some(admitted),
        Err(rejection) => {
            if let Some(error) = rejection.error {
                link.send(protocol::response_err(&id, error)).await;
            }
            link.close(Some(rejection.close)).await;
            None
        }
    }
}

/// Decides the `connect` request against the fake's current secrets and builds `hello-ok`.
fn admit(
    shared: &Shared,
    nonce: &str,
    origin: Option<&str>,
    params: &Value,
) -> Result<(Admitted, Value), auth::Rejection> {
    let mut live = lock(&shared.live);
    let gate = Gate {
        secret: &live.secret,
        devices: &live.devices,
        auto_pair: shared.opts.auto_pair,
        nonce,
        starting: shared.mode() == Mode::Starting,
        draining: shared.draining(),
        origin,
        port: shared.port,
    };
    let mut admitted = auth::decide(params, &gate)?;
    let device_token = admitted.device_id.as_deref().map(|device| {
        admitted
            .device_token
            .clone()
            .unwrap_or_else(|| live.devices.issue(device))
    });
    pin_hello_auth(shared, &mut admitted);
    let auth_mode = match live.secret {
        Credential::None => "none",
        Credential::Token(_) => "token",
        Credential::Password(_) => "password",
    };
    let facts = HelloFacts {
        style: shared.opts.style,
        version: shared.opts.version(),
        boot_id: &live.boot.id,
        conn_id: &ids::uuid(),
        instance_id: &live.process.id,
        uptime_ms: live.boot.uptime_ms(),
        tick_interval_ms: shared.opts.tick_interval.as_millis() as u64,
        auth_mode,
        config_path: shared.opts.config_path.as_deref(),
        state_dir: shared.opts.state_dir.as_deref(),
    };
    let hello = protocol::hello_ok(&facts, &admitted, device_token.as_deref());
    Ok((admitted, hello))
}

/// Applies the test's pinned `hello-ok.auth` fields.
fn pin_hello_auth(shared: &Shared, admitted: &mut Admitted) {
    let pinned = &shared.opts.hello_auth;
    if let Some(method) = &pinned.method {
        admitted.method = method.clone();
    }
    if let Some(role) = &pinned.role {
        admitted.role = role.clone();
    }
    if let Some(scopes) = &pinned.scopes {
        admitted.scopes = scopes.clone();
    }
}

/// After `hello-ok`.
struct Session {
    shared: Arc<Shared>,
    link: Link,
    admitted: Admitted,
    /// Events sent so far (`seq` of the last one).
    seq: u64,
}

impl Session {
    async fn run(mut self) {
        let period = self.shared.opts.tick_interval.max(Duration::from_millis(1));
        let mut ticker = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
        ticker.set_missed_tick_behavior(MissedTickBehavior::Delay);
        loop {
            let sent = match self.link.next(Some(&mut ticker)).await {
                Input::Closed => return,
                Input::Tick => self.event("tick", &json!({"ts": protocol::now_ms()})).await,
                Input::Command(Command::Event { name, payload }) => {
                    self.event(name, &payload).await
                }
                Input::Command(Command::Close { code, reason }) => {
                    return self.link.close(Some((code, reason.to_string()))).await;
                }
                Input::Command(Command::SecretRotated) if self.admitted.by_shared_secret() => {
                    let (code, reason) = protocol::AUTH_CHANGED_CLOSE;
                    return self.link.close(Some((code, reason.to_string()))).await;
                }
                Input::Command(Command::SecretRotated) => true,
                Input::Frame(text) => self.request(&text).await,
            };
            if !sent {
                return;
            }
        }
    }

    async fn event(&mut self, name: &str, payload: &Value) -> bool {
        self.seq += 1;
        self.link
            .send(protocol::event(name, payload, self.seq))
            .await
    }

    /// One frame after the handshake: requests get a response, garbage is ignored (the real
    /// gateway logs it and keeps the socket).
    async fn request(&mut self, text: &str) -> bool {
        let (id, result) = match protocol::parse(text) {
            Incoming::Garbage => return true,
            Incoming::NotARequest { id } => {
                let error = protocol::error_shape(
                    "INVALID_REQUEST",
                    "invalid request frame: must be a request frame",
                );
                (id.map_or(Cow::Borrowed("invalid"), Cow::Owned), Err(error))
            }
            Incoming::Request { id, method, params } => {
                self.shared.record(&method);
                let result = rpc::call(&self.shared, &self.admitted, &method, &params);
                (Cow::Owned(id), result)
            }
        };
        let frame = match result {
            Ok(payload) => protocol::response_ok(&id, payload),
            Err(error) => protocol::response_err(&id, error),
        };
        self.link.send(frame).await
    }
}
