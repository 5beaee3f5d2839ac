//! The gateway as a client sees it right now (`/readyz` and a handshake), and how to tell a
//! later boot from an earlier one.

use crate::blocking::{blocking, pause};
use crate::error::Error;
use crate::event::{Cancel, Event, Observer};
use crate::gateway::{ConnectOptions, Verdict, connect};
use crate::host::Host;
use crate::host::ports::PortsReport;
use crate::logscan::EventKind;
use crate::openclaw::auth::local_cli_credential;
use crate::target::Target;
use serde::Serialize;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Live {
    pub ready: Option<bool>,
    pub verdict: Verdict,
    pub version: Option<String>,
    pub boot_id: Option<String>,
    pub uptime_ms: Option<u64>,
}

impl Live {
    /// What the port inspection's handshake already saw, plus `/readyz`: no second handshake.
    pub async fn of_report(report: &PortsReport) -> Live {
        let ready = readyz(report.port).await;
        match &report.handshake {
            Some(h) => Live {
                ready,
                verdict: h.verdict.clone(),
                version: h.server_version.clone(),
                boot_id: h.boot_id.clone(),
                uptime_ms: h.uptime_ms,
            },
            None => Live {
                ready,
                verdict: Verdict::ConnectionRefused {
                    detail: format!("nothing listens on port {}", report.port),
                },
                version: None,
                boot_id: None,
                uptime_ms: None,
            },
        }
    }
}

/// `GET /readyz` on loopback: `Some(true)` on 200, `Some(false)` on another status, `None`
/// when nothing answers HTTP within a second or two.
pub async fn readyz(port: u16) -> Option<bool> {
    readiness(port).await.map(|r| r.ready)
}

/// What the gateway's `/readyz` said: ready (200) or not, and the checks it names as failing
/// (`agent-database:<id>`, `plugin-reload`, …; local callers get them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Readiness {
    pub ready: bool,
    pub failing: Vec<String>,
}

/// `GET /readyz` on loopback, with the failing checks; `None` when nothing answers HTTP
/// within 3 s. The body is read up to 8 KiB (the gateway's is a few hundred bytes).
pub async fn readiness(port: u16) -> Option<Readiness> {
    let ask = async {
        let mut s = tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .ok()?;
        let request =
            format!("GET /readyz HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n");
        s.write_all(request.as_bytes()).await.ok()?;
        let mut got = Vec::with_capacity(1024);
        let mut chunk = [0u8; 1024];
        while got.len() < 8192 {
            match s.read(&mut chunk).await {
                Ok(0) | Err(_) => break,
                Ok(n) => got.extend_from_slice(&chunk[..n]),
            }
        }
        parse_readiness(&String::from_utf8_lossy(&got))
    };
    tokio::time::timeout(Duration::from_secs(3), ask)
        .await
        .ok()
        .flatten()
}

/// An HTTP response to `/readyz`: its status line, and `failing` from the JSON body (which may
/// come chunked: the object is taken from its first `{` to its last `}`).
fn parse_readiness(response: &str) -> Option<Readiness> {
    let status = response.lines().next()?;
    if !status.starts_with("HTTP/") {
        return None;
    }
    let ready = status.split_whitespace().nth(1)? == "200";
    let body = response.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    let json = match (body.find('{'), body.rfind('}')) {
        (Some(a), Some(b)) if a < b => &body[a..=b],
        _ => "",
    };
    let failing = serde_json::from_str::<serde_json::Value>(json)
        .ok()
        .and_then(|v| {
            v["failing"].as_array().map(|a| {
                a.iter()
                    .filter_map(|f| f.as_str().map(str::to_string))
                    .collect()
            })
        })
        .unwrap_or_default();
    Some(Readiness { ready, failing })
}

/// Whether anything accepts a TCP connection on the loopback `port`: no HTTP request and no
/// handshake, so nothing the gateway counts as work in flight.
pub async fn listens(port: u16) -> bool {
    let connect = tokio::net::TcpStream::connect(("127.0.0.1", port));
    // A listener too busy to complete the handshake in time still listens.
    tokio::time::timeout(Duration::from_secs(2), connect)
        .await
        .map_or(true, |r| r.is_ok())
}

/// The gateway's port and how the local CLI connects to it.
fn cli_options(target: &Target, timeout: Duration) -> Result<(u16, ConnectOptions), Error> {
    let config = target.load_config()?;
    let port = target.paths.port(&config, &target.env).value;
    let mut opts = ConnectOptions::new(format!("ws://127.0.0.1:{port}"));
    opts.timeout = timeout;
    opts.credential = local_cli_credential(&config, &target.env).0;
    Ok((port, opts))
}

/// The gateway's port as the local CLI resolves it.
pub fn port(target: &Target) -> Result<u16, Error> {
    let config = target.load_config()?;
    Ok(target.paths.port(&config, &target.env).value)
}

/// `health.configReload.hotReloadStatus` as the local CLI reads it (`active`, or `disabled`
/// once the config watcher failed for good); `None` when the gateway does not say.
pub async fn hot_reload_status(target: &Target, timeout: Duration) -> Option<String> {
    let (_, opts) = cli_options(target, timeout).ok()?;
    let mut c = connect(&opts).await.ok()?;
    let health = c.request("health", serde_json::json!({})).await.ok();
    c.close().await;
    let status = health?
        .pointer("/configReload/hotReloadStatus")?
        .as_str()?
        .to_string();
    Some(status)
}

/// A handshake as the local CLI, plus `/readyz`.
pub async fn live(target: &Target, timeout: Duration) -> Result<Live, Error> {
    let (port, opts) = cli_options(target, timeout)?;
    let ready = readyz(port).await;
    Ok(match connect(&opts).await {
        Ok(c) => {
            let h = c.hello.clone();
            c.close().await;
            Live {
                ready,
                verdict: Verdict::Ok,
                version: h.server_version,
                boot_id: h.boot_id,
                uptime_ms: h.uptime_ms,
            }
        }
        Err(v) => Live {
            ready,
            verdict: v,
            version: None,
            boot_id: None,
            uptime_ms: None,
        },
    })
}

/// The gateway as it was before a restart, to recognise the next boot: by its boot id, or —
/// for releases whose hello has none (2026.7) and which restart in-process — by a
/// `gateway ready` in its log after the request.
#[derive(Debug, Clone)]
pub struct BootMark {
    pub boot_id: Option<String>,
    pub uptime_ms: Option<u64>,
    requested_at_ms: i64,
    log: Option<PathBuf>,
}

impl BootMark {
    pub fn of(target: &Target, boot_id: Option<String>, uptime_ms: Option<u64>) -> BootMark {
        let log = target
            .load_config()
            .ok()
            .map(|c| target.paths.log_file(&c, &crate::time::local_date()).value);
        BootMark {
            boot_id,
            uptime_ms,
            requested_at_ms: crate::time::now_ms(),
            log,
        }
    }

    /// Whether `live` is a later boot than the marked one.
    pub async fn restarted_since(&self, live: &Live) -> bool {
        if let Some(old) = &self.boot_id {
            return live.boot_id.as_deref().is_some_and(|b| b != old);
        }
        if self.log.is_none() {
            return true;
        }
        !self.logged_since(EventKind::Start).await.is_empty()
    }

    /// The reasons of the `kind` events the log holds since the mark (none without a log).
    pub async fn logged_since(&self, kind: EventKind) -> Vec<String> {
        let events = self.events_since().await;
        events
            .into_iter()
            .filter(|(k, _)| *k == kind)
            .map(|(_, reason)| reason)
            .collect()
    }

    /// Every kind and reason the log holds since the mark, in the order each last occurred:
    /// one read of the log.
    pub async fn events_since(&self) -> Vec<(EventKind, String)> {
        let Some(log) = self.log.clone() else {
            return Vec::new();
        };
        let since = self.requested_at_ms;
        blocking(move || {
            let mut groups = crate::logscan::scan_files(std::slice::from_ref(&log), Some(since))
                .map(|r| r.groups)
                .unwrap_or_default();
            groups.sort_by_key(|g| g.last_ms);
            groups
                .into_iter()
                .map(|g| (g.key.kind, g.key.reason))
                .collect()
        })
        .await
    }
}

/// Polls until `/readyz` says ready and a handshake shows a gateway later than `before`.
/// Returns it and how long that took.
pub async fn wait_ready(
    target: &Target,
    before: Option<&BootMark>,
    wait: Duration,
    obs: &mut dyn Observer,
    cancel: &Cancel,
) -> Result<(Live, u64), Error> {
    let started = Instant::now();
    obs.on(Event::Progress {
        message: format!("waiting up to {} s for the gateway", wait.as_secs()),
    });
    loop {
        let live = live(target, Duration::from_secs(2)).await?;
        let restarted = match before {
            Some(b) => b.restarted_since(&live).await,
            None => true,
        };
        if live.ready == Some(true) && live.verdict.is_ok() && restarted {
            return Ok((live, started.elapsed().as_millis() as u64));
        }
        if started.elapsed() >= wait || cancel.is_cancelled() {
            return Err(Error::Refused(format!(
                "the gateway was not ready within {} s: {}. Look at the log: clawkit logs --since 10m",
                wait.as_secs(),
                not_ready_why(&live)
            )));
        }
        pause(cancel, Duration::from_millis(250)).await;
    }
}

fn not_ready_why(live: &Live) -> String {
    match (&live.ready, &live.verdict) {
        (Some(true), Verdict::Ok) => "it still reports the old boot id".to_string(),
        (Some(true), v) => format!("it is up but refuses the CLI: {}", v.name()),
        (Some(false), _) => "/readyz still answers 503 (starting or failing)".into(),
        (None, v) => format!("nothing answers on its port ({})", v.name()),
    }
}

/// Waits until nothing listens on `port`, at most `bound`.
pub async fn wait_port_free(host: Arc<dyn Host>, port: u16, bound: Duration) {
    let deadline = Instant::now() + bound;
    while Instant::now() < deadline {
        let h = host.clone();
        let held = blocking(move || {
            h.listeners()
                .map(|l| l.iter().any(|l| l.addr.port() == port))
                .unwrap_or(false)
        })
        .await;
        if !held {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readiness_reads_the_status_and_the_failing_checks() {
        let not_ready = "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\n\r\n{\"ready\":false,\"failing\":[\"agent-database:main\",\"plugin-reload\"],\"uptimeMs\":12}";
        assert_eq!(
            parse_readiness(not_ready),
            Some(Readiness {
                ready: false,
                failing: vec!["agent-database:main".into(), "plugin-reload".into()]
            })
        );
        let chunked = "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n2a\r\n{\"ready\":true,\"failing\":[],\"uptimeMs\":5}\r\n0\r\n\r\n";
        assert_eq!(
            parse_readiness(chunked),
            Some(Readiness {
                ready: true,
                failing: vec![]
            })
        );
        assert_eq!(parse_readiness("SSH-2.0-OpenSSH\r\n"), None);
        let no_body = parse_readiness("HTTP/1.1 503 x\r\n\r\n").expect("a status");
        assert!(!no_body.ready && no_body.failing.is_empty());
    }
}
