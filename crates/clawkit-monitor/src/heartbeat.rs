//! Watching the watcher from outside: a dead man's switch URL (healthchecks.io style) pinged
//! every `every` while the monitor runs, so a monitor that died, hangs or lost its network is
//! noticed by a service that does not depend on it. The URL is a secret of sorts (its path
//! is the check's key): it is never printed, only that a ping failed and why.

use crate::channel::http::ping;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Pings `url` every `every` until cancelled; each failure is reported (not retried sooner:
/// the next ping is the retry).
pub async fn run(
    url: String,
    every: Duration,
    cancel: CancellationToken,
    failed: tokio::sync::mpsc::UnboundedSender<String>,
) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = tick.tick() => {}
        }
        if let Err(e) = ping(&url, every.min(Duration::from_secs(10))).await {
            let _ = failed.send(format!("heartbeat ping failed: {e}"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    #[tokio::test]
    async fn the_heartbeat_url_is_pinged_until_cancelled() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/ping/abc", listener.local_addr().unwrap());
        let cancel = CancellationToken::new();
        let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
        let task = tokio::spawn(run(url, Duration::from_millis(50), cancel.clone(), tx));
        for _ in 0..2 {
            let (mut sock, _) = listener.accept().await.unwrap();
            let mut buf = [0u8; 512];
            let n = sock.read(&mut buf).await.unwrap();
            assert!(String::from_utf8_lossy(&buf[..n]).starts_with("GET /ping/abc "));
            sock.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                .await
                .unwrap();
        }
        cancel.cancel();
        task.await.unwrap();
    }
}
