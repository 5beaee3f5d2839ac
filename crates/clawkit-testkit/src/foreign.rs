//! Listeners that are not an OpenClaw gateway, run as separate processes (Node's own `http`
//! module), to stand on a port the way an unrelated service would.

use crate::error::{HarnessError, Result};
use crate::install::ensure_node;
use crate::net::{PortState, free_port, port_state};
use crate::process::Spawned;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A non-gateway process holding a loopback port. Stopped when dropped.
pub struct ForeignListener {
    port: u16,
    pid: u32,
    _process: Spawned,
}

/// Answers every request with `200 not an openclaw gateway`, as any web app on the port would.
const HTTP_SERVER: &str = r#"
const port = Number(process.argv[1]);
require('http').createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end('not an openclaw gateway\n');
}).listen(port, '127.0.0.1');
"#;

/// Accepts connections and never says a word: a hung service.
const SILENT_SERVER: &str = r#"
const port = Number(process.argv[1]);
const held = [];
require('net').createServer((sock) => { held.push(sock); }).listen(port, '127.0.0.1');
"#;

impl ForeignListener {
    /// An HTTP server (not a gateway) on a fresh free port.
    pub fn http() -> Result<ForeignListener> {
        Self::start(HTTP_SERVER, "foreign HTTP listener", free_port())
    }

    /// An HTTP server (not a gateway) on the given loopback port (e.g. a gateway's derived
    /// port). Never 18789..18899.
    pub fn http_on(port: u16) -> Result<ForeignListener> {
        if (18789..=18899).contains(&port) {
            return Err(HarnessError::Setup(format!(
                "refusing to listen on port {port}: the default gateway's ports are off limits"
            )));
        }
        Self::start(HTTP_SERVER, "foreign HTTP listener", port)
    }

    /// A TCP listener that accepts and never answers, on a fresh free port.
    pub fn silent() -> Result<ForeignListener> {
        Self::start(SILENT_SERVER, "silent TCP listener", free_port())
    }

    fn start(script: &str, what: &str, port: u16) -> Result<ForeignListener> {
        let node = ensure_node()?;
        let mut cmd = Command::new(node);
        cmd.arg("-e")
            .arg(script)
            .arg(port.to_string())
            .env_clear()
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let mut process = Spawned::spawn(cmd, format!("{what} on port {port}"))?;
        let started = Instant::now();
        while port_state(port) != PortState::Accepting {
            if let Some(status) = process.exited() {
                return Err(HarnessError::Setup(format!(
                    "{what} on port {port} exited with {status}"
                )));
            }
            if started.elapsed() > Duration::from_secs(20) {
                return Err(HarnessError::Setup(format!(
                    "{what} did not listen on port {port} within 20 s"
                )));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok(ForeignListener {
            port,
            pid: process.pid(),
            _process: process,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }
    pub fn pid(&self) -> u32 {
        self.pid
    }
}
