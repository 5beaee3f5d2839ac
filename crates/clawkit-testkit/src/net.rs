//! Loopback ports for tests: free ones (never 18789 or its derived ports), closed ones, and a
//! tiny HTTP/1.1 GET so readiness checks need no HTTP client dependency.

use crate::error::{HarnessError, Result};
use std::collections::HashSet;
use std::io::{Read, Write};
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, TcpStream};
use std::sync::Mutex;
use std::time::Duration;

/// The real default gateway port and the ports OpenClaw derives from it (P+1 … P+110).
const DEFAULT_GATEWAY_RANGE: std::ops::RangeInclusive<u16> = 18789..=18899;

static HANDED_OUT: Mutex<Option<HashSet<u16>>> = Mutex::new(None);

fn with_handed_out<T>(f: impl FnOnce(&mut HashSet<u16>) -> T) -> T {
    let mut handed = HANDED_OUT
        .lock()
        .unwrap_or_else(|poison| poison.into_inner());
    f(handed.get_or_insert_with(HashSet::new))
}

/// Records `port` (bound by the caller) as handed out, so [`free_port`] never returns it;
/// false when it already was, or lies in the default gateway's range.
pub(crate) fn claim_port(port: u16) -> bool {
    !DEFAULT_GATEWAY_RANGE.contains(&port) && with_handed_out(|handed| handed.insert(port))
}

/// A loopback port that is free on both 127.0.0.1 and [::1] right now, never handed out
/// before by this process, and outside the default gateway's port range.
pub fn free_port() -> u16 {
    with_handed_out(pick_free_port)
}

fn pick_free_port(handed: &mut HashSet<u16>) -> u16 {
    loop {
        let v4 = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind 127.0.0.1:0");
        let port = v4.local_addr().expect("local addr").port();
        if DEFAULT_GATEWAY_RANGE.contains(&port) || handed.contains(&port) {
            continue;
        }
        if v6_free(port) {
            handed.insert(port);
            return port;
        }
    }
}

/// The gateway also listens on [::1]; where IPv6 loopback exists, the port must be free there.
fn v6_free(port: u16) -> bool {
    match TcpListener::bind((Ipv6Addr::LOCALHOST, port)) {
        Ok(_) => true,
        Err(e) => e.kind() == std::io::ErrorKind::AddrNotAvailable,
    }
}

/// Gateways' ports come from below the kernel's ephemeral range (32768 and up on Linux), where
/// neither a listener bound to port 0 nor an outbound connection's source port ever lands.
const GATEWAY_PORTS: std::ops::Range<u16> = 20000..32600;
/// A gateway on P opens P+1 (MCP-Apps sandbox), P+2 (browser control), P+10 (its relay) and
/// P+11 … P+110 (managed Chrome CDP): the whole span is kept for it.
const GATEWAY_SPAN: u16 = 111;

/// A port for a test gateway: free on 127.0.0.1 and [::1] with its two next ports, and with
/// no port of its span ever handed out in this process, so no parallel test's listener ever
/// takes a port the gateway derives (it warns `derived-port-taken` when one does).
pub fn gateway_port() -> u16 {
    with_handed_out(|handed| {
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos())
            ^ std::process::id().rotate_left(16);
        let width = u32::from(GATEWAY_PORTS.end - GATEWAY_PORTS.start - GATEWAY_SPAN);
        for i in 0..width {
            let port = GATEWAY_PORTS.start + ((seed.wrapping_add(i * 7919)) % width) as u16;
            let span = port..port + GATEWAY_SPAN;
            if span.clone().any(|p| handed.contains(&p)) {
                continue;
            }
            let free = (port..port + 3)
                .all(|p| TcpListener::bind((Ipv4Addr::LOCALHOST, p)).is_ok() && v6_free(p));
            if free {
                handed.extend(span);
                return port;
            }
        }
        panic!("no free span of {GATEWAY_SPAN} loopback ports in {GATEWAY_PORTS:?}")
    })
}

/// What a TCP connect to 127.0.0.1:`port` finds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PortState {
    /// Something accepted the connection.
    Accepting,
    /// Connection refused: nothing listens.
    Refused,
    /// Neither within the timeout.
    NoAnswer,
}

pub fn port_state(port: u16) -> PortState {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    match TcpStream::connect_timeout(&addr, Duration::from_secs(2)) {
        Ok(_) => PortState::Accepting,
        Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => PortState::Refused,
        Err(_) => PortState::NoAnswer,
    }
}

/// A free port, verified to refuse connections: the "gateway is down" target.
pub fn closed_port() -> u16 {
    loop {
        let port = free_port();
        if port_state(port) == PortState::Refused {
            return port;
        }
    }
}

/// `GET path` on 127.0.0.1:`port`; returns the status code and body.
pub fn http_get(port: u16, path: &str, timeout: Duration) -> Result<(u16, String)> {
    let r = http(port, "GET", path, &[], "", timeout)?;
    Ok((r.status, r.body))
}

/// One HTTP/1.1 answer: its status, its head lower-cased (for matching), its body.
#[derive(Debug, Clone)]
pub struct HttpReply {
    pub status: u16,
    pub head: String,
    pub body: String,
}

impl HttpReply {
    /// The value of header `name` (lower-case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.head
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{name}: ")))
    }
}

/// One raw request to 127.0.0.1:`port` with exactly `headers` (a `Host` of 127.0.0.1:`port`
/// unless one is given) and a form `body`; the connection closes after the answer.
pub fn http(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
    timeout: Duration,
) -> Result<HttpReply> {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let err = |e: std::io::Error| HarnessError::Setup(format!("{method} {addr}{path}: {e}"));
    let mut stream = TcpStream::connect_timeout(&addr, timeout).map_err(err)?;
    stream.set_read_timeout(Some(timeout)).map_err(err)?;
    stream.set_write_timeout(Some(timeout)).map_err(err)?;
    let mut request = format!("{method} {path} HTTP/1.1\r\nConnection: close\r\n");
    if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("host")) {
        request.push_str(&format!("Host: 127.0.0.1:{port}\r\n"));
    }
    for (k, v) in headers {
        request.push_str(&format!("{k}: {v}\r\n"));
    }
    if !body.is_empty() {
        request.push_str("Content-Type: application/x-www-form-urlencoded\r\n");
    }
    request.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    stream.write_all(request.as_bytes()).map_err(err)?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).map_err(err)?;
    let text = String::from_utf8_lossy(&raw);
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| {
            HarnessError::Setup(format!(
                "{method} {addr}{path}: not an HTTP answer: {text:.80}"
            ))
        })?;
    Ok(HttpReply {
        status,
        head: head.to_ascii_lowercase(),
        body: body.to_string(),
    })
}
