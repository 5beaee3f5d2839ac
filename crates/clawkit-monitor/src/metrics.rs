//! Prometheus `/metrics` for `monitor run --listen 127.0.0.1:PORT`: each gateway's up state,
//! restarts, open incidents, probe (ping) latency, auth failures by class and reason, alerts by
//! channel and result, and the outbox backlog, in the text exposition format (0.0.4). The
//! listener binds loopback only and answers nothing but `GET /metrics`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

/// Probe (WS ping round trip) latency buckets, seconds.
const BUCKETS: [f64; 8] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0];

#[derive(Debug, Default)]
struct Values {
    up: BTreeMap<String, bool>,
    restarts: BTreeMap<String, u64>,
    open_incidents: BTreeMap<String, usize>,
    latency: BTreeMap<String, Histogram>,
    auth_failures: BTreeMap<(String, String, String), u64>,
    alerts: BTreeMap<(String, String), u64>,
    outbox_pending: u64,
}

#[derive(Debug, Default, Clone)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

/// The monitor's metrics, shared by the runner (writes) and the listener (reads).
#[derive(Debug, Clone, Default)]
pub struct Metrics(Arc<Mutex<Values>>);

impl Metrics {
    fn with(&self, f: impl FnOnce(&mut Values)) {
        if let Ok(mut v) = self.0.lock() {
            f(&mut v);
        }
    }

    pub fn set_up(&self, gateway: &str, up: bool) {
        self.with(|v| {
            v.up.insert(gateway.into(), up);
        });
    }

    pub fn restarted(&self, gateway: &str) {
        self.with(|v| *v.restarts.entry(gateway.into()).or_default() += 1);
    }

    pub fn set_open_incidents(&self, gateway: &str, n: usize) {
        self.with(|v| {
            v.open_incidents.insert(gateway.into(), n);
        });
    }

    pub fn latency(&self, gateway: &str, ms: u64) {
        let s = ms as f64 / 1000.0;
        self.with(|v| {
            let h = v.latency.entry(gateway.into()).or_default();
            for (i, b) in BUCKETS.iter().enumerate() {
                if s <= *b {
                    h.counts[i] += 1;
                }
            }
            h.count += 1;
            h.sum += s;
        });
    }

    /// `class`: `monitor` (the monitor's own handshake refused) or `client` (from the log).
    pub fn auth_failures(&self, gateway: &str, class: &str, reason: &str, n: u64) {
        self.with(|v| {
            *v.auth_failures
                .entry((gateway.into(), class.into(), reason.into()))
                .or_default() += n;
        });
    }

    pub fn alert(&self, channel: &str, result: &str) {
        self.with(|v| *v.alerts.entry((channel.into(), result.into())).or_default() += 1);
    }

    pub fn set_outbox_pending(&self, n: u64) {
        self.with(|v| v.outbox_pending = n);
    }

    /// The exposition text.
    pub fn render(&self) -> String {
        let v = match self.0.lock() {
            Ok(v) => v,
            Err(p) => p.into_inner(),
        };
        let mut s = String::new();
        family(
            &mut s,
            "clawkit_gateway_up",
            "gauge",
            "Whether the gateway is up and accepts the monitor (1) or not (0).",
        );
        for (g, up) in &v.up {
            let _ = writeln!(
                s,
                "clawkit_gateway_up{{gateway=\"{}\"}} {}",
                esc(g),
                u8::from(*up)
            );
        }
        family(
            &mut s,
            "clawkit_gateway_restarts_total",
            "counter",
            "Restarts of the gateway seen by the monitor.",
        );
        for (g, n) in &v.restarts {
            let _ = writeln!(
                s,
                "clawkit_gateway_restarts_total{{gateway=\"{}\"}} {n}",
                esc(g)
            );
        }
        family(
            &mut s,
            "clawkit_incidents_open",
            "gauge",
            "Open incidents of the gateway.",
        );
        for (g, n) in &v.open_incidents {
            let _ = writeln!(s, "clawkit_incidents_open{{gateway=\"{}\"}} {n}", esc(g));
        }
        family(
            &mut s,
            "clawkit_probe_latency_seconds",
            "histogram",
            "Round trip of the WS pings on the monitor's held connections (its probes).",
        );
        for (g, h) in &v.latency {
            let g = esc(g);
            for (b, c) in BUCKETS.iter().zip(h.counts) {
                let _ = writeln!(
                    s,
                    "clawkit_probe_latency_seconds_bucket{{gateway=\"{g}\",le=\"{b}\"}} {c}"
                );
            }
            let _ = writeln!(
                s,
                "clawkit_probe_latency_seconds_bucket{{gateway=\"{g}\",le=\"+Inf\"}} {}",
                h.count
            );
            let _ = writeln!(
                s,
                "clawkit_probe_latency_seconds_sum{{gateway=\"{g}\"}} {}",
                h.sum
            );
            let _ = writeln!(
                s,
                "clawkit_probe_latency_seconds_count{{gateway=\"{g}\"}} {}",
                h.count
            );
        }
        family(
            &mut s,
            "clawkit_auth_failures_total",
            "counter",
            "Authentication failures, by class (monitor or client) and reason.",
        );
        for ((g, class, reason), n) in &v.auth_failures {
            let _ = writeln!(
                s,
                "clawkit_auth_failures_total{{gateway=\"{}\",class=\"{}\",reason=\"{}\"}} {n}",
                esc(g),
                esc(class),
                esc(reason)
            );
        }
        family(
            &mut s,
            "clawkit_alerts_total",
            "counter",
            "Alert deliveries, by channel and result.",
        );
        for ((channel, result), n) in &v.alerts {
            let _ = writeln!(
                s,
                "clawkit_alerts_total{{channel=\"{}\",result=\"{}\"}} {n}",
                esc(channel),
                esc(result)
            );
        }
        family(
            &mut s,
            "clawkit_outbox_pending",
            "gauge",
            "Alerts decided and not yet delivered.",
        );
        let _ = writeln!(s, "clawkit_outbox_pending {}", v.outbox_pending);
        s
    }
}

fn family(s: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(s, "# HELP {name} {help}\n# TYPE {name} {kind}");
}

/// A label value with `\`, `"` and newlines escaped.
fn esc(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[derive(Debug, thiserror::Error)]
pub enum ListenError {
    #[error("--listen {0}: not an address like 127.0.0.1:9464")]
    Parse(String),
    #[error("--listen {0}: only a loopback address is served (the metrics name your gateways)")]
    NotLoopback(SocketAddr),
    #[error("--listen {0}: {1}")]
    Bind(SocketAddr, std::io::Error),
}

/// Binds `addr` (loopback only).
pub async fn bind(addr: &str) -> Result<TcpListener, ListenError> {
    let a: SocketAddr = addr.parse().map_err(|_| ListenError::Parse(addr.into()))?;
    if !a.ip().is_loopback() {
        return Err(ListenError::NotLoopback(a));
    }
    TcpListener::bind(a)
        .await
        .map_err(|e| ListenError::Bind(a, e))
}

/// Serves `GET /metrics` until cancelled; anything else is a 404, a malformed request a 400.
pub async fn serve(listener: TcpListener, metrics: Metrics, cancel: CancellationToken) {
    loop {
        let accepted = tokio::select! {
            _ = cancel.cancelled() => return,
            a = listener.accept() => a,
        };
        let Ok((mut sock, _)) = accepted else {
            continue;
        };
        let m = metrics.clone();
        tokio::spawn(async move {
            let head = read_head(&mut sock).await;
            let line = head.lines().next().unwrap_or_default();
            let (status, body, kind) = match line.split(' ').collect::<Vec<_>>()[..] {
                ["GET", "/metrics", _] => (
                    "200 OK",
                    m.render(),
                    "text/plain; version=0.0.4; charset=utf-8",
                ),
                [_, _, _] => (
                    "404 Not Found",
                    "only /metrics is served\n".into(),
                    "text/plain",
                ),
                _ => ("400 Bad Request", String::new(), "text/plain"),
            };
            let reply = format!(
                "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = sock.write_all(reply.as_bytes()).await;
        });
    }
}

/// The request head: bytes until the blank line that ends the headers, 8 KiB or 2 s, whichever
/// comes first. A client may send its request line in several segments (a scraper under load
/// does), so one `read` is not a request.
async fn read_head(sock: &mut tokio::net::TcpStream) -> String {
    const LIMIT: usize = 8 * 1024;
    let mut head = Vec::new();
    let read = async {
        let mut buf = [0u8; 1024];
        while head.len() < LIMIT && !head.windows(4).any(|w| w == b"\r\n\r\n") {
            match sock.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => head.extend_from_slice(&buf[..n]),
            }
        }
    };
    let _ = tokio::time::timeout(std::time::Duration::from_secs(2), read).await;
    String::from_utf8_lossy(&head).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_exposition_has_every_family_and_escapes_labels() {
        let m = Metrics::default();
        m.set_up("home \"lab\"", true);
        m.latency("home \"lab\"", 12);
        m.alert("json://127.0.0.1:9/…", "delivered");
        m.auth_failures("home \"lab\"", "client", "token_mismatch", 3);
        let text = m.render();
        for family in [
            "clawkit_gateway_up",
            "clawkit_gateway_restarts_total",
            "clawkit_incidents_open",
            "clawkit_probe_latency_seconds",
            "clawkit_auth_failures_total",
            "clawkit_alerts_total",
            "clawkit_outbox_pending",
        ] {
            assert!(
                text.contains(&format!("# TYPE {family} ")),
                "{family}\n{text}"
            );
        }
        assert!(
            text.contains(r#"clawkit_gateway_up{gateway="home \"lab\""} 1"#),
            "{text}"
        );
        assert!(
            text.contains(r#"le="0.025"} 1"#) && text.contains(r#"le="0.01"} 0"#),
            "{text}"
        );
    }

    #[tokio::test]
    async fn only_loopback_is_served_and_only_metrics() {
        assert!(matches!(
            bind("0.0.0.0:0").await,
            Err(ListenError::NotLoopback(_))
        ));
        assert!(matches!(bind("nope").await, Err(ListenError::Parse(_))));
        let l = bind("127.0.0.1:0").await.unwrap();
        let addr = l.local_addr().unwrap();
        let cancel = CancellationToken::new();
        let m = Metrics::default();
        m.set_up("gw", false);
        tokio::spawn(serve(l, m, cancel.clone()));
        let get = |path: &'static str| async move {
            let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
            s.write_all(format!("GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes())
                .await
                .unwrap();
            let mut out = String::new();
            s.read_to_string(&mut out).await.unwrap();
            out
        };
        let ok = get("/metrics").await;
        assert!(
            ok.starts_with("HTTP/1.1 200") && ok.contains("clawkit_gateway_up{gateway=\"gw\"} 0"),
            "{ok}"
        );
        assert!(get("/").await.starts_with("HTTP/1.1 404"));
        let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
        for part in ["GET ", "/metrics", " HTTP/1.1\r\n", "Host: x\r\n\r\n"] {
            s.write_all(part.as_bytes()).await.unwrap();
            s.flush().await.unwrap();
            tokio::time::sleep(std::time::Duration::from_millis(30)).await;
        }
        let mut split = String::new();
        s.read_to_string(&mut split).await.unwrap();
        assert!(
            split.starts_with("HTTP/1.1 200"),
            "a request in four segments: {split}"
        );
        cancel.cancel();
    }
}
