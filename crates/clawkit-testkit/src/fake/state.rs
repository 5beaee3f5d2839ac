//! What one fake gateway's tasks share: its options and port, the mode every task watches, the
//! boot and process identity, the accepted secrets, the request log, and a registry of its
//! tasks so a mode change or a drop can close or abort every socket it holds.

use super::auth::Devices;
use super::ids;
use super::options::{FakeOptions, Mode};
use super::runtime;
use clawkit_core::gateway::Credential;
use serde_json::Value;
use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::JoinHandle;

/// A lock that survives a panicked holder (a failing test must not cascade).
pub(super) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poison| poison.into_inner())
}

/// What the control side tells an open WebSocket session.
#[derive(Debug, Clone)]
pub(super) enum Command {
    /// Broadcast an event (authenticated sessions only, each with its own `seq`).
    Event { name: &'static str, payload: Value },
    /// Send this close frame and end the session.
    Close { code: u16, reason: &'static str },
    /// The shared secret changed: sessions it authenticated end with 4001.
    SecretRotated,
}

/// A span of the fake's life with an id: one process (`processInstanceId`) or one boot
/// (`bootId`). Uptime counts from its start plus what the options said was already behind it.
#[derive(Debug, Clone)]
pub(super) struct Epoch {
    pub id: String,
    started: Instant,
    before: Duration,
}

impl Epoch {
    pub(super) fn new(before: Duration) -> Epoch {
        Epoch {
            id: ids::uuid(),
            started: Instant::now(),
            before,
        }
    }

    pub(super) fn uptime_ms(&self) -> u64 {
        (self.before + self.started.elapsed()).as_millis() as u64
    }
}

/// The parts that change at runtime.
pub(super) struct Live {
    pub secret: Credential,
    pub devices: Devices,
    pub process: Epoch,
    pub boot: Epoch,
}

/// The accept loop's off switch: dropping `stop` ends it, `done` fires once the listening
/// socket is closed.
pub(super) struct Listener {
    pub stop: oneshot::Sender<()>,
    pub done: oneshot::Receiver<()>,
}

/// One accepted socket's task; `session` is set once it is a WebSocket.
struct Socket {
    handle: Option<JoinHandle<()>>,
    session: Option<mpsc::UnboundedSender<Command>>,
}

#[derive(Default)]
struct Tasks {
    next_id: u64,
    sockets: HashMap<u64, Socket>,
    /// A restart in progress (its downtime, or the delay before its shutdown event).
    lifecycle: Option<JoinHandle<()>>,
}

pub(super) struct Shared {
    pub opts: FakeOptions,
    pub port: u16,
    pub mode: watch::Sender<Mode>,
    /// A planned restart has announced itself and is closing sessions: new connects are
    /// turned away until the new boot starts.
    draining: AtomicBool,
    pub live: Mutex<Live>,
    pub listener: Mutex<Option<Listener>>,
    requests: Mutex<Vec<String>>,
    tasks: Mutex<Tasks>,
}

/// A socket task taken out of the registry, for the caller to close or abort.
pub(super) struct Taken {
    pub handle: Option<JoinHandle<()>>,
    pub session: Option<mpsc::UnboundedSender<Command>>,
}

impl Shared {
    pub(super) fn new(opts: FakeOptions, port: u16) -> Shared {
        let live = Live {
            secret: opts.secret.clone(),
            devices: Devices::new(&opts.device_tokens),
            process: Epoch::new(opts.uptime),
            boot: Epoch::new(opts.uptime),
        };
        Shared {
            mode: watch::Sender::new(Mode::Down),
            draining: AtomicBool::new(false),
            port,
            live: Mutex::new(live),
            listener: Mutex::new(None),
            requests: Mutex::new(Vec::new()),
            tasks: Mutex::new(Tasks::default()),
            opts,
        }
    }

    pub(super) fn mode(&self) -> Mode {
        *self.mode.borrow()
    }

    pub(super) fn draining(&self) -> bool {
        self.draining.load(Ordering::SeqCst)
    }

    pub(super) fn set_draining(&self, draining: bool) {
        self.draining.store(draining, Ordering::SeqCst);
    }

    pub(super) fn record(&self, method: &str) {
        lock(&self.requests).push(method.to_string());
    }

    pub(super) fn requests(&self) -> Vec<String> {
        lock(&self.requests).clone()
    }

    /// Runs `work(id)` as a registered socket task that leaves the registry when it ends.
    pub(super) fn spawn_socket<F>(self: &Arc<Self>, work: impl FnOnce(u64) -> F)
    where
        F: Future<Output = ()> + Send + 'static,
    {
        let id = {
            let mut tasks = lock(&self.tasks);
            tasks.next_id += 1;
            let id = tasks.next_id;
            tasks.sockets.insert(
                id,
                Socket {
                    handle: None,
                    session: None,
                },
            );
            id
        };
        let guard = Deregister {
            shared: Arc::clone(self),
            id,
        };
        let work = work(id);
        let handle = runtime::handle().spawn(async move {
            let _guard = guard;
            work.await;
        });
        let orphan = match lock(&self.tasks).sockets.get_mut(&id) {
            Some(socket) => {
                socket.handle = Some(handle);
                None
            }
            None => Some(handle),
        };
        // Already drained by a mode change (or finished): make sure it is gone. (Outside the
        // lock: the task's own deregistration takes it.)
        if let Some(handle) = orphan {
            handle.abort();
        }
    }

    /// Marks socket `id` as a WebSocket session reachable by [`Command`]s.
    pub(super) fn set_session(&self, id: u64, commands: mpsc::UnboundedSender<Command>) {
        if let Some(socket) = lock(&self.tasks).sockets.get_mut(&id) {
            socket.session = Some(commands);
        }
    }

    /// Open WebSocket sessions.
    pub(super) fn session_count(&self) -> usize {
        lock(&self.tasks)
            .sockets
            .values()
            .filter(|s| s.session.is_some())
            .count()
    }

    pub(super) fn send_all(&self, command: &Command) {
        for socket in lock(&self.tasks).sockets.values() {
            if let Some(session) = &socket.session {
                let _ = session.send(command.clone());
            }
        }
    }

    /// Removes the registered socket tasks (only the sessions when `sessions_only`).
    pub(super) fn take_sockets(&self, sessions_only: bool) -> Vec<Taken> {
        let mut tasks = lock(&self.tasks);
        let ids: Vec<u64> = tasks
            .sockets
            .iter()
            .filter(|(_, s)| !sessions_only || s.session.is_some())
            .map(|(id, _)| *id)
            .collect();
        ids.into_iter()
            .filter_map(|id| tasks.sockets.remove(&id))
            .map(|s| Taken {
                handle: s.handle,
                session: s.session,
            })
            .collect()
    }

    /// Starts `work` as the restart in progress, unless one already runs (false then).
    pub(super) fn start_lifecycle<F>(&self, work: F) -> bool
    where
        F: Future<Output = ()> + Send + 'static,
    {
        let mut tasks = lock(&self.tasks);
        if tasks.lifecycle.as_ref().is_some_and(|h| !h.is_finished()) {
            return false;
        }
        tasks.lifecycle = Some(runtime::handle().spawn(work));
        true
    }

    pub(super) fn take_lifecycle(&self) -> Option<JoinHandle<()>> {
        lock(&self.tasks).lifecycle.take()
    }
}

/// Removes a socket task from the registry when the task ends, however it ends.
struct Deregister {
    shared: Arc<Shared>,
    id: u64,
}

impl Drop for Deregister {
    fn drop(&mut self) {
        lock(&self.shared.tasks).sockets.remove(&self.id);
    }
}
