//! The fake's listener: one loopback port whose sockets become either an HTTP probe answer or
//! a WebSocket session, decided by the request head, as on the real gateway's single port.

use super::http::{self, Malformed, ProbeFacts, Response};
use super::options::Mode;
use super::session;
use super::state::{Listener, Shared, lock};
use super::{protocol, runtime};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{oneshot, watch};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::protocol::{Role, WebSocketConfig};

/// Starts accepting on `socket` (already bound) and records the off switch in `shared`.
pub(super) fn listen(shared: &Arc<Shared>, socket: std::net::TcpListener) -> std::io::Result<()> {
    socket.set_nonblocking(true)?;
    let listener = {
        let _context = runtime::handle().enter();
        TcpListener::from_std(socket)?
    };
    let (stop_tx, stop_rx) = oneshot::channel();
    let (done_tx, done_rx) = oneshot::channel();
    runtime::handle().spawn(accept_loop(Arc::clone(shared), listener, stop_rx, done_tx));
    *lock(&shared.listener) = Some(Listener {
        stop: stop_tx,
        done: done_rx,
    });
    Ok(())
}

/// Closes the listening socket and waits until it is closed (so a connect right after is
/// refused). Returns false when nothing was listening.
pub(super) async fn unlisten(shared: &Shared) -> bool {
    let Some(listener) = lock(&shared.listener).take() else {
        return false;
    };
    drop(listener.stop);
    let _ = listener.done.await;
    true
}

async fn accept_loop(
    shared: Arc<Shared>,
    listener: TcpListener,
    mut stop: oneshot::Receiver<()>,
    done: oneshot::Sender<()>,
) {
    loop {
        tokio::select! {
            _ = &mut stop => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    let _ = stream.set_nodelay(true);
                    let owner = Arc::clone(&shared);
                    shared.spawn_socket(move |id| serve_socket(owner, id, stream));
                }
                // Out of file descriptors or similar: back off instead of spinning.
                Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
            },
        }
    }
    drop(listener);
    let _ = done.send(());
}

/// Waits while the fake is `Hung`; false if the fake went away meanwhile.
pub(super) async fn while_hung(mode: &mut watch::Receiver<Mode>) -> bool {
    mode.wait_for(|m| *m != Mode::Hung).await.is_ok()
}

async fn serve_socket(shared: Arc<Shared>, id: u64, mut stream: TcpStream) {
    let mut mode = shared.mode.subscribe();
    if !while_hung(&mut mode).await {
        return;
    }
    let head = match http::read_head(&mut stream).await {
        Ok(head) => head,
        Err(Malformed::BadRequest) => return Response::bad_request().write(&mut stream).await,
        Err(Malformed::Gone) => return,
    };
    match head.upgrade_key() {
        None => {
            http::respond(&head, &probe_facts(&shared))
                .write(&mut stream)
                .await
        }
        Some(Err(())) => Response::bad_request().write(&mut stream).await,
        Some(Ok(key)) => {
            let reply = http::switching_protocols(key);
            if stream.write_all(reply.as_bytes()).await.is_err() {
                return;
            }
            let origin = head.header("origin").map(str::to_string);
            let ws = WebSocketStream::from_partially_read(
                stream,
                head.rest,
                Role::Server,
                Some(ws_config()),
            )
            .await;
            session::serve(shared, id, ws, origin).await;
        }
    }
}

fn probe_facts(shared: &Shared) -> ProbeFacts<'_> {
    ProbeFacts {
        mode: shared.mode(),
        draining: shared.draining(),
        style: shared.opts.style,
        version: shared.opts.version(),
        uptime_ms: lock(&shared.live).boot.uptime_ms(),
    }
}

fn ws_config() -> WebSocketConfig {
    WebSocketConfig::default()
        .max_message_size(Some(protocol::MAX_PAYLOAD))
        .max_frame_size(Some(protocol::MAX_PAYLOAD))
}
