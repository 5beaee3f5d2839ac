//! The HTTP side of the fake's one port: reading a request head, the unauthenticated probe
//! endpoints (`/health`, `/ready`, `/startup` and their `z` forms) and the `101` that turns a
//! socket into a WebSocket, as the real gateway multiplexes them on one listener.
//!
//! Probe bodies are 2026.9.6's for a loopback caller (dist `server-start` →
//! `handleGatewayProbeRequest`, `createReadinessChecker`, `startupProbeBody`); every other
//! path is a plain 404, where the real gateway serves its Control UI.

use super::options::{Mode, WireStyle};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A request head larger than this is refused.
const MAX_HEAD: usize = 16 * 1024;

/// One parsed request head, plus any bytes read past it.
#[derive(Debug)]
pub(super) struct Head {
    pub method: String,
    pub path: String,
    headers: Vec<(String, String)>,
    pub rest: Vec<u8>,
}

impl Head {
    pub(super) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn header_has(&self, name: &str, token: &str) -> bool {
        self.header(name).is_some_and(|v| {
            v.split(',')
                .any(|part| part.trim().eq_ignore_ascii_case(token))
        })
    }

    /// The `Sec-WebSocket-Key` of a valid upgrade request; `Err` for a broken one.
    pub(super) fn upgrade_key(&self) -> Option<Result<&str, ()>> {
        if !self.header_has("upgrade", "websocket") {
            return None;
        }
        let valid = self.method == "GET"
            && self.header_has("connection", "upgrade")
            && self.header("sec-websocket-version") == Some("13");
        Some(match self.header("sec-websocket-key") {
            Some(key) if valid => Ok(key),
            _ => Err(()),
        })
    }
}

/// Reads up to the end of the request head; says why not when the client went away, sent
/// garbage or sent too much.
pub(super) async fn read_head(stream: &mut TcpStream) -> Result<Head, Malformed> {
    let mut buf = Vec::with_capacity(1024);
    loop {
        let mut chunk = [0u8; 2048];
        let n = stream.read(&mut chunk).await.map_err(|_| Malformed::Gone)?;
        if n == 0 {
            return Err(Malformed::Gone);
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(head) = parse_head(&buf)? {
            return Ok(head);
        }
        if buf.len() > MAX_HEAD {
            return Err(Malformed::BadRequest);
        }
    }
}

#[derive(Debug, PartialEq)]
pub(super) enum Malformed {
    /// The client went away before a full head.
    Gone,
    /// Not HTTP/1.1, or too large.
    BadRequest,
}

fn parse_head(buf: &[u8]) -> Result<Option<Head>, Malformed> {
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut request = httparse::Request::new(&mut headers);
    let len = match request.parse(buf) {
        Ok(httparse::Status::Complete(len)) => len,
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(_) => return Err(Malformed::BadRequest),
    };
    let headers = request
        .headers
        .iter()
        .map(|h| {
            (
                h.name.to_string(),
                String::from_utf8_lossy(h.value).into_owned(),
            )
        })
        .collect();
    Ok(Some(Head {
        method: request.method.unwrap_or("").to_string(),
        path: request.path.unwrap_or("/").to_string(),
        headers,
        rest: buf[len..].to_vec(),
    }))
}

/// A complete HTTP response.
#[derive(Debug, PartialEq)]
pub(super) struct Response {
    pub status: u16,
    pub content_type: &'static str,
    pub body: String,
    /// `HEAD`: headers only.
    pub head_only: bool,
}

impl Response {
    fn json(status: u16, body: Value) -> Response {
        Response {
            status,
            content_type: "application/json; charset=utf-8",
            body: body.to_string(),
            head_only: false,
        }
    }

    fn text(status: u16, body: &str) -> Response {
        Response {
            status,
            content_type: "text/plain; charset=utf-8",
            body: body.to_string(),
            head_only: false,
        }
    }

    pub(super) fn bad_request() -> Response {
        Response::text(400, "Bad Request")
    }

    pub(super) async fn write(&self, stream: &mut TcpStream) {
        let mut out = format!(
            "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nCache-Control: no-store\r\nContent-Length: {}\r\nConnection: close\r\n",
            self.status,
            reason(self.status),
            self.content_type,
            self.body.len()
        );
        if self.status == 405 {
            out.push_str("Allow: GET, HEAD\r\n");
        }
        out.push_str("\r\n");
        if !self.head_only {
            out.push_str(&self.body);
        }
        let _ = stream.write_all(out.as_bytes()).await;
        let _ = stream.shutdown().await;
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        503 => "Service Unavailable",
        _ => "",
    }
}

/// What the probe endpoints see of the fake right now.
pub(super) struct ProbeFacts<'a> {
    pub mode: Mode,
    /// A planned restart is closing sessions.
    pub draining: bool,
    pub style: WireStyle,
    pub version: &'a str,
    pub uptime_ms: u64,
}

/// The answer to a plain (non-upgrade) request.
pub(super) fn respond(head: &Head, facts: &ProbeFacts) -> Response {
    let path = head.path.split('?').next().unwrap_or("/");
    let kind = match path {
        "/health" | "/healthz" => "live",
        "/ready" | "/readyz" => "ready",
        "/startup" | "/startupz" if facts.style == WireStyle::V2026_9 => "startup",
        _ => return Response::text(404, "Not Found"),
    };
    let mut response = match head.method.as_str() {
        "GET" | "HEAD" => probe(kind, facts),
        _ => return Response::text(405, "Method Not Allowed"),
    };
    response.head_only = head.method == "HEAD";
    response
}

fn probe(kind: &str, facts: &ProbeFacts) -> Response {
    let ready = facts.mode == Mode::Up && !facts.draining;
    let uptime = facts.uptime_ms;
    match kind {
        "ready" if facts.draining => Response::json(
            503,
            json!({"ready": false, "failing": ["gateway-draining"], "uptimeMs": uptime}),
        ),
        "startup" if facts.draining => Response::json(
            503,
            json!({"ok": false, "status": "draining", "version": facts.version, "uptimeMs": uptime}),
        ),
        "ready" if ready => Response::json(
            200,
            json!({"ready": true, "failing": [], "uptimeMs": uptime}),
        ),
        "ready" => Response::json(
            503,
            json!({"ready": false, "failing": ["startup-sidecars"], "uptimeMs": uptime}),
        ),
        "startup" if ready => Response::json(
            200,
            json!({"ok": true, "status": "started", "version": facts.version, "uptimeMs": uptime}),
        ),
        "startup" => Response::json(
            503,
            json!({"ok": false, "status": "starting", "version": facts.version,
                   "uptimeMs": uptime, "pendingReason": "startup-sidecars"}),
        ),
        _ => Response::json(200, json!({"ok": true, "status": "live"})),
    }
}

/// The `101 Switching Protocols` for a WebSocket key.
pub(super) fn switching_protocols(key: &str) -> String {
    let accept = tokio_tungstenite::tungstenite::handshake::derive_accept_key(key.as_bytes());
    format!(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(text: &str) -> Head {
        parse_head(text.as_bytes())
            .expect("valid")
            .expect("complete")
    }

    fn facts(mode: Mode) -> ProbeFacts<'static> {
        ProbeFacts {
            mode,
            draining: false,
            style: WireStyle::V2026_9,
            version: "2026.9.6",
            uptime_ms: 5,
        }
    }

    #[test]
    fn readiness_follows_the_mode_and_liveness_does_not() {
        let ready = head("GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n");
        assert_eq!(respond(&ready, &facts(Mode::Up)).status, 200);
        let starting = respond(&ready, &facts(Mode::Starting));
        assert_eq!(starting.status, 503);
        assert!(starting.body.contains("startup-sidecars"));
        let live = head("GET /health HTTP/1.1\r\n\r\n");
        assert_eq!(respond(&live, &facts(Mode::Starting)).status, 200);
    }

    #[test]
    fn other_paths_and_methods_are_refused() {
        assert_eq!(
            respond(&head("GET /api/health HTTP/1.1\r\n\r\n"), &facts(Mode::Up)).status,
            404
        );
        assert_eq!(
            respond(&head("POST /readyz HTTP/1.1\r\n\r\n"), &facts(Mode::Up)).status,
            405
        );
        let old = ProbeFacts {
            style: WireStyle::V2026_7,
            ..facts(Mode::Up)
        };
        assert_eq!(
            respond(&head("GET /startupz HTTP/1.1\r\n\r\n"), &old).status,
            404
        );
    }

    #[test]
    fn upgrade_requests_are_recognised_and_checked() {
        let good = head(
            "GET / HTTP/1.1\r\nUpgrade: websocket\r\nConnection: keep-alive, Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
        );
        assert_eq!(good.upgrade_key(), Some(Ok("dGhlIHNhbXBsZSBub25jZQ==")));
        let broken = head("GET / HTTP/1.1\r\nUpgrade: websocket\r\n\r\n");
        assert_eq!(broken.upgrade_key(), Some(Err(())));
        assert_eq!(head("GET / HTTP/1.1\r\n\r\n").upgrade_key(), None);
        // RFC 6455's sample key.
        assert!(
            switching_protocols("dGhlIHNhbXBsZSBub25jZQ==")
                .contains("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
        );
    }

    #[test]
    fn garbage_is_a_bad_request() {
        assert_eq!(
            parse_head(b"\x00\x01\x02 nonsense\r\n\r\n").unwrap_err(),
            Malformed::BadRequest
        );
        assert!(parse_head(b"GET / HTTP/1.1\r\nHost").unwrap().is_none());
    }
}
