//! Connecting to a gateway and speaking to it: one handshake with timeouts on every step,
//! then request/response calls.

use super::frames::{self, Incoming, PROTOCOL};
use super::identity::DeviceIdentity;
use crate::verdict::Verdict;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// The shared secret a client presents.
#[derive(Clone, Default)]
pub enum Credential {
    #[default]
    None,
    Token(String),
    Password(String),
}

impl Credential {
    /// The token or password itself, when there is one.
    pub fn value(&self) -> Option<&str> {
        match self {
            Credential::Token(v) | Credential::Password(v) => Some(v),
            Credential::None => None,
        }
    }
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Credential::None => "None",
            Credential::Token(_) => "Token(..)",
            Credential::Password(_) => "Password(..)",
        })
    }
}

/// Who the client says it is (`client.id` / `client.mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientRole {
    /// `cli` / `cli`: what the `openclaw` CLI sends; keeps its scopes on loopback without a
    /// device identity.
    Cli,
    /// `openclaw-probe` / `probe`: what `openclaw gateway probe` sends.
    Probe,
}

impl ClientRole {
    fn id_and_mode(self) -> (&'static str, &'static str) {
        match self {
            ClientRole::Cli => ("cli", "cli"),
            ClientRole::Probe => ("openclaw-probe", "probe"),
        }
    }
}

#[derive(Debug, Clone)]
pub struct ConnectOptions {
    /// `ws://host:port` or `wss://host:port`.
    pub url: String,
    pub credential: Credential,
    /// Sign the handshake as this device, optionally presenting its device token.
    pub device: Option<(DeviceIdentity, Option<String>)>,
    pub client: ClientRole,
    pub role: String,
    pub scopes: Vec<String>,
    /// A browser-style `Origin` header (changes the gateway's pairing policy; off by default).
    pub origin: Option<String>,
    /// Bound for each step (connect, challenge, hello).
    pub timeout: Duration,
    /// Protocol versions offered (`minProtocol`, `maxProtocol`); default 4-4 (3-4 as a probe).
    pub protocols: Option<(u64, u64)>,
    /// For `wss://`: trust only the certificate with this SHA-256 fingerprint.
    pub tls_fingerprint: Option<String>,
}

impl ConnectOptions {
    pub fn new(url: impl Into<String>) -> ConnectOptions {
        ConnectOptions {
            url: url.into(),
            credential: Credential::None,
            device: None,
            client: ClientRole::Cli,
            role: "operator".into(),
            scopes: vec!["operator.admin".into()],
            origin: None,
            timeout: Duration::from_secs(5),
            protocols: None,
            tls_fingerprint: None,
        }
    }
}

/// What `hello-ok` told us.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Hello {
    pub protocol: u64,
    pub server_version: Option<String>,
    pub boot_id: Option<String>,
    pub conn_id: Option<String>,
    pub uptime_ms: Option<u64>,
    pub auth_mode: Option<String>,
    pub auth_method: Option<String>,
    pub role: Option<String>,
    pub scopes: Vec<String>,
    pub config_path: Option<String>,
    pub state_dir: Option<String>,
    pub tick_interval_ms: Option<u64>,
    /// A device token issued in this handshake (only with a device identity).
    #[serde(skip)]
    pub device_token: Option<String>,
    pub latency_ms: u64,
}

/// An authenticated connection.
pub struct Connection {
    pub(super) ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    pub hello: Hello,
    timeout: Duration,
}

/// Upper bound for one frame from the gateway (its own `policy.maxPayload` is 25 MiB).
const MAX_FRAME: usize = 32 * 1024 * 1024;

/// Read in 8 KiB chunks and write each frame at once: the defaults (128 KiB each way) cost
/// a monitor holding a thousand connections over 100 MiB for frames of a few hundred bytes.
/// Larger frames still arrive whole (the read buffer only sets the chunk size).
const READ_CHUNK: usize = 8 * 1024;

fn ws_config() -> WebSocketConfig {
    WebSocketConfig::default()
        .read_buffer_size(READ_CHUNK)
        .write_buffer_size(0)
        .max_message_size(Some(MAX_FRAME))
        .max_frame_size(Some(MAX_FRAME))
}

fn timeout_verdict(phase: &str, after: Duration) -> Verdict {
    Verdict::Timeout {
        phase: phase.into(),
        after_ms: after.as_millis() as u64,
    }
}

fn transport_verdict(err: WsError) -> Verdict {
    let text = err.to_string();
    if let Some(rest) = text.split(super::tls::PIN_MISMATCH).nth(1) {
        let hex_after = |marker: &str| -> String {
            rest.split(marker)
                .nth(1)
                .map(|t| t.chars().take_while(char::is_ascii_hexdigit).collect())
                .unwrap_or_default()
        };
        let (expected, actual) = (hex_after("expected "), hex_after(" got "));
        return Verdict::TlsPinMismatch { expected, actual };
    }
    if text.contains("invalid peer certificate")
        || text.contains("tls") && text.contains("certificate")
    {
        return Verdict::Tls { detail: text };
    }
    match err {
        WsError::Io(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
            Verdict::ConnectionRefused {
                detail: e.to_string(),
            }
        }
        WsError::Http(resp) => {
            let body = resp
                .body()
                .as_ref()
                .map(|b| {
                    String::from_utf8_lossy(b)
                        .chars()
                        .take(120)
                        .collect::<String>()
                })
                .unwrap_or_default();
            Verdict::NotAGateway {
                detail: format!(
                    "HTTP {} instead of a WebSocket upgrade{}{}",
                    resp.status(),
                    if body.is_empty() { "" } else { ": " },
                    body.trim()
                ),
            }
        }
        WsError::Tls(e) => Verdict::Tls {
            detail: e.to_string(),
        },
        WsError::Protocol(e) => Verdict::NotAGateway {
            detail: format!("not a WebSocket server ({e})"),
        },
        other => Verdict::NotAGateway {
            detail: other.to_string(),
        },
    }
}

/// Opens the WebSocket, answers the challenge, and returns the authenticated connection or the
/// verdict that explains why not.
pub async fn connect(opts: &ConnectOptions) -> Result<Connection, Verdict> {
    let started = Instant::now();
    let mut request = opts
        .url
        .as_str()
        .into_client_request()
        .map_err(|e| Verdict::Rejected {
            code: "CLIENT".into(),
            detail_code: None,
            message: format!("invalid gateway URL {}: {e}", opts.url),
        })?;
    if let Some(origin) = &opts.origin
        && let Ok(value) = origin.parse()
    {
        request.headers_mut().insert("Origin", value);
    }
    let connector = if opts.url.starts_with("wss:") {
        let config = super::tls::client_config(opts.tls_fingerprint.as_deref())
            .map_err(|e| Verdict::Tls { detail: e })?;
        Some(tokio_tungstenite::Connector::Rustls(config))
    } else {
        None
    };
    let (mut ws, _) = tokio::time::timeout(
        opts.timeout,
        tokio_tungstenite::connect_async_tls_with_config(
            request,
            Some(ws_config()),
            false,
            connector,
        ),
    )
    .await
    .map_err(|_| timeout_verdict("connect", opts.timeout))?
    .map_err(transport_verdict)?;

    // 1. connect.challenge
    let challenge = loop {
        let msg = tokio::time::timeout(opts.timeout, ws.next())
            .await
            .map_err(|_| Verdict::NotAGateway {
                detail: format!(
                    "the WebSocket opened but no connect.challenge came within {} ms (a hung gateway, or not OpenClaw)",
                    opts.timeout.as_millis()
                ),
            })?;
        match msg {
            Some(Ok(Message::Text(text))) => match frames::parse(&text) {
                Incoming::Event { name, payload } if name == "connect.challenge" => break payload,
                _ => continue,
            },
            Some(Ok(Message::Close(frame))) => return Err(close_verdict(frame.as_ref())),
            Some(Ok(_)) => continue,
            Some(Err(e)) => return Err(transport_verdict(e)),
            None => {
                return Err(Verdict::NotAGateway {
                    detail: "the connection closed before connect.challenge".into(),
                });
            }
        }
    };
    let nonce = challenge["nonce"].as_str().unwrap_or("").to_string();
    let ts = challenge["ts"].as_i64().unwrap_or_else(crate::time::now_ms);

    // 2. connect
    let (client_id, mode) = opts.client.id_and_mode();
    let mut auth = serde_json::Map::new();
    let mut signed_token = String::new();
    match &opts.credential {
        Credential::Token(t) => {
            auth.insert("token".into(), json!(t));
            signed_token = t.clone();
        }
        Credential::Password(p) => {
            auth.insert("password".into(), json!(p));
        }
        Credential::None => {}
    }
    let default_min = if opts.client == ClientRole::Probe {
        3
    } else {
        PROTOCOL
    };
    let (min_protocol, max_protocol) = opts.protocols.unwrap_or((default_min, PROTOCOL));
    let mut params = json!({
        "minProtocol": min_protocol,
        "maxProtocol": max_protocol,
        "client": {"id": client_id, "version": concat!("clawkit-", env!("CARGO_PKG_VERSION")), "platform": std::env::consts::OS, "mode": mode},
        "role": opts.role,
        "scopes": opts.scopes,
        "caps": [],
    });
    if let Some((identity, device_token)) = &opts.device {
        if let Some(dt) = device_token {
            auth.insert("deviceToken".into(), json!(dt));
            if signed_token.is_empty() {
                signed_token = dt.clone();
            }
        }
        let signature = identity.sign_v3(
            client_id,
            mode,
            &opts.role,
            &opts.scopes,
            ts,
            &signed_token,
            &nonce,
            std::env::consts::OS,
            "",
        );
        params["device"] = json!({
            "id": identity.device_id(),
            "publicKey": identity.public_key(),
            "signature": signature,
            "signedAt": ts,
            "nonce": nonce,
        });
    }
    params["auth"] = Value::Object(auth);
    let id = frames::new_id();
    ws.send(Message::text(frames::request(&id, "connect", params)))
        .await
        .map_err(transport_verdict)?;

    // 3. hello-ok or the rejection
    let (payload, latency) = loop {
        let msg = tokio::time::timeout(opts.timeout, ws.next())
            .await
            .map_err(|_| timeout_verdict("hello", opts.timeout))?;
        match msg {
            Some(Ok(Message::Text(text))) => match frames::parse(&text) {
                Incoming::Response {
                    id: rid,
                    ok,
                    payload,
                    error,
                } if rid == id => {
                    if ok {
                        break (payload, started.elapsed());
                    }
                    let _ = ws.close(None).await;
                    return Err(Verdict::from_error(&error));
                }
                _ => continue,
            },
            Some(Ok(Message::Close(frame))) => return Err(close_verdict(frame.as_ref())),
            Some(Ok(_)) => continue,
            Some(Err(e)) => return Err(transport_verdict(e)),
            None => return Err(close_verdict(None)),
        }
    };
    let strings = |v: &Value| -> Vec<String> {
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    let text = |v: &Value| v.as_str().map(str::to_string);
    let hello = Hello {
        protocol: payload["protocol"].as_u64().unwrap_or(PROTOCOL),
        server_version: text(&payload["server"]["version"]),
        boot_id: text(&payload["server"]["bootId"]),
        conn_id: text(&payload["server"]["connId"]),
        uptime_ms: payload["snapshot"]["uptimeMs"].as_u64(),
        auth_mode: text(&payload["snapshot"]["authMode"]),
        auth_method: text(&payload["auth"]["method"]),
        role: text(&payload["auth"]["role"]),
        scopes: strings(&payload["auth"]["scopes"]),
        config_path: text(&payload["snapshot"]["configPath"]),
        state_dir: text(&payload["snapshot"]["stateDir"]),
        tick_interval_ms: payload["policy"]["tickIntervalMs"].as_u64(),
        device_token: text(&payload["auth"]["deviceToken"]),
        latency_ms: latency.as_millis() as u64,
    };
    Ok(Connection {
        ws,
        hello,
        timeout: opts.timeout,
    })
}

fn close_verdict(frame: Option<&tokio_tungstenite::tungstenite::protocol::CloseFrame>) -> Verdict {
    match frame {
        Some(f) => Verdict::from_close(u16::from(f.code), &f.reason),
        None => Verdict::NotAGateway {
            detail: "the connection closed without a close frame (1006)".into(),
        },
    }
}

/// A failed RPC: the gateway's error, or the connection's end.
#[derive(Debug, Clone, thiserror::Error)]
pub enum RpcError {
    #[error("{method}: {code}: {message}")]
    Gateway {
        method: String,
        code: String,
        message: String,
        details: Value,
    },
    #[error("{method}: {0}", method = .1)]
    Transport(String, String),
}

impl Connection {
    /// Calls `method` and waits for its response (events in between are skipped).
    pub async fn request(&mut self, method: &str, params: Value) -> Result<Value, RpcError> {
        let id = frames::new_id();
        let transport = |e: String| RpcError::Transport(e, method.to_string());
        self.ws
            .send(Message::text(frames::request(&id, method, params)))
            .await
            .map_err(|e| transport(e.to_string()))?;
        loop {
            let msg = tokio::time::timeout(self.timeout, self.ws.next())
                .await
                .map_err(|_| {
                    transport(format!(
                        "no response within {} ms",
                        self.timeout.as_millis()
                    ))
                })?;
            match msg {
                Some(Ok(Message::Text(text))) => {
                    if let Incoming::Response {
                        id: rid,
                        ok,
                        payload,
                        error,
                    } = frames::parse(&text)
                        && rid == id
                    {
                        if ok {
                            return Ok(payload);
                        }
                        return Err(RpcError::Gateway {
                            method: method.into(),
                            code: error["code"].as_str().unwrap_or("").into(),
                            message: error["message"].as_str().unwrap_or("").into(),
                            details: error["details"].clone(),
                        });
                    }
                }
                Some(Ok(Message::Close(frame))) => {
                    return Err(transport(format!(
                        "connection closed ({})",
                        frame.map(|f| f.reason.to_string()).unwrap_or_default()
                    )));
                }
                Some(Ok(_)) => {}
                Some(Err(e)) => return Err(transport(e.to_string())),
                None => return Err(transport("connection closed".into())),
            }
        }
    }

    pub async fn close(mut self) {
        let _ = self.ws.close(None).await;
    }
}
