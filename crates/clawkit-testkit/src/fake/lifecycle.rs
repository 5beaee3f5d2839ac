//! How a fake changes state: going down (listener closed, every socket dropped), coming back
//! on the same port as a new process, and the planned restart and stop, which announce
//! themselves with a `shutdown` event and close sessions with 1012 first. These run on the
//! shared runtime; the sync controls in `control` wait for them.

use super::options::Mode;
use super::protocol;
use super::server;
use super::state::{Command, Epoch, Shared, lock};
use std::net::Ipv4Addr;
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinHandle;

/// How long a closing session may take before it is aborted.
const CLOSE_GRACE: Duration = Duration::from_secs(2);

/// Puts the fake in `mode`. Leaving `Down` binds the port again, as a new process.
pub(super) async fn enter(shared: &Arc<Shared>, mode: Mode) -> std::io::Result<()> {
    shared.set_draining(false);
    if mode == Mode::Down {
        server::unlisten(shared).await;
        drop_sockets(shared).await;
        shared.mode.send_replace(mode);
        return Ok(());
    }
    if lock(&shared.listener).is_none() {
        let socket = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, shared.port))?;
        let mut live = lock(&shared.live);
        live.process = Epoch::new(Duration::ZERO);
        live.boot = Epoch::new(Duration::ZERO);
        drop(live);
        shared.mode.send_replace(mode);
        return server::listen(shared, socket);
    }
    shared.mode.send_replace(mode);
    Ok(())
}

/// A planned in-process restart, up to the new boot's `Starting`: admission closes, the
/// `shutdown` event with `restartExpectedMs` goes out, every session is closed with 1012,
/// and a new `bootId` (same process) starts.
pub(super) async fn begin_restart(shared: &Arc<Shared>) -> std::io::Result<()> {
    shared.set_draining(true);
    announce_shutdown(shared, Some(shared.opts.restart_expected_ms)).await;
    lock(&shared.live).boot = Epoch::new(Duration::ZERO);
    enter(shared, Mode::Starting).await
}

/// The rest of a restart: `Starting` for `downtime`, then `Up`.
pub(super) async fn finish_restart(shared: &Arc<Shared>, downtime: Duration) {
    tokio::time::sleep(downtime).await;
    let _ = enter(shared, Mode::Up).await;
}

/// `gateway.restart.request`: schedules the whole restart after the configured delay.
/// False when a restart is already under way (the request is coalesced into it).
pub(super) fn request_restart(shared: &Arc<Shared>) -> bool {
    let owner = Arc::clone(shared);
    shared.start_lifecycle(async move {
        tokio::time::sleep(owner.opts.restart_delay).await;
        if begin_restart(&owner).await.is_ok() {
            finish_restart(&owner, owner.opts.restart_downtime).await;
        }
    })
}

/// A planned stop: the `shutdown` event without a restart, close 1012, then `Down`.
pub(super) async fn stop(shared: &Arc<Shared>) {
    announce_shutdown(shared, None).await;
    let _ = enter(shared, Mode::Down).await;
}

/// Ends a restart in progress, so a test's own transition is the last word.
pub(super) async fn cancel_restart(shared: &Shared) {
    if let Some(handle) = shared.take_lifecycle() {
        handle.abort();
        let _ = handle.await;
    }
}

/// Everything off: no restart, no listener, no sockets.
pub(super) async fn shut_down(shared: &Arc<Shared>) {
    cancel_restart(shared).await;
    let _ = enter(shared, Mode::Down).await;
}

async fn announce_shutdown(shared: &Shared, restart_expected_ms: Option<u64>) {
    let payload = protocol::shutdown_payload(shared.opts.style, restart_expected_ms);
    shared.send_all(&Command::Event {
        name: "shutdown",
        payload,
    });
    let (code, reason) = protocol::SHUTDOWN_CLOSE;
    let sessions = shared.take_sockets(true);
    for session in sessions.iter().filter_map(|s| s.session.as_ref()) {
        let _ = session.send(Command::Close { code, reason });
    }
    for handle in sessions.into_iter().filter_map(|s| s.handle) {
        finish(handle).await;
    }
}

/// Aborts every socket task: the sockets close with no close frame (EOF), like a crash.
async fn drop_sockets(shared: &Shared) {
    for handle in shared
        .take_sockets(false)
        .into_iter()
        .filter_map(|s| s.handle)
    {
        handle.abort();
        let _ = handle.await;
    }
}

/// Waits for a closing session, aborting it after [`CLOSE_GRACE`].
async fn finish(handle: JoinHandle<()>) {
    let abort = handle.abort_handle();
    if tokio::time::timeout(CLOSE_GRACE, handle).await.is_err() {
        abort.abort();
    }
}
