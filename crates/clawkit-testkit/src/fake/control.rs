//! [`FakeGateway`]: the handle a test holds. Every control is synchronous and returns once
//! the change has happened (the port is closed after `set_mode(Down)`, the `shutdown` event
//! is on the wire after `stop()`), so tests need no sleeps to order their steps.

use super::lifecycle;
use super::options::{FakeOptions, Mode, WireStyle};
use super::runtime;
use super::server;
use super::state::{Command, Shared, lock};
use clawkit_core::gateway::Credential;
use std::net::{Ipv4Addr, TcpListener};
use std::sync::Arc;
use std::time::Duration;

/// A fake OpenClaw gateway on a loopback port. See the [module docs](super) for what it
/// imitates. Dropping it closes the port and every connection.
pub struct FakeGateway {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for FakeGateway {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeGateway")
            .field("port", &self.shared.port)
            .field("mode", &self.shared.mode())
            .finish_non_exhaustive()
    }
}

impl FakeGateway {
    /// Binds a free port on 127.0.0.1 and starts serving in `options.mode`.
    ///
    /// # Panics
    /// If no loopback port can be bound.
    pub fn start(options: FakeOptions) -> FakeGateway {
        let socket = bind_free_port();
        let port = socket
            .local_addr()
            .expect("a bound socket has an address")
            .port();
        let initial = options.mode;
        let shared = Arc::new(Shared::new(options, port));
        if initial != Mode::Down {
            shared.mode.send_replace(initial);
            server::listen(&shared, socket).expect("a fresh loopback listener can be served");
        }
        FakeGateway { shared }
    }

    pub fn port(&self) -> u16 {
        self.shared.port
    }

    /// `ws://127.0.0.1:<port>`, what `ConnectOptions::new` takes.
    pub fn url(&self) -> String {
        format!("ws://127.0.0.1:{}", self.shared.port)
    }

    /// The current boot's `bootId` as `hello-ok` reports it; `None` for a 2026.7-style fake,
    /// whose `hello-ok` has none.
    pub fn boot_id(&self) -> Option<String> {
        (self.shared.opts.style == WireStyle::V2026_9)
            .then(|| lock(&self.shared.live).boot.id.clone())
    }

    /// `system.info.processInstanceId`: changes when the fake comes back from `Down`, not on
    /// an in-process restart.
    pub fn process_instance_id(&self) -> String {
        lock(&self.shared.live).process.id.clone()
    }

    pub fn mode(&self) -> Mode {
        self.shared.mode()
    }

    /// Switches the mode (see [`Mode`]); cancels a restart in progress.
    ///
    /// # Panics
    /// If leaving `Down` finds the port taken by someone else meanwhile.
    pub fn set_mode(&self, mode: Mode) {
        let port = self.shared.port;
        self.control(move |shared| async move { lifecycle::enter(&shared, mode).await })
            .unwrap_or_else(|e| {
                panic!("fake gateway: cannot listen on 127.0.0.1:{port} again: {e}")
            });
    }

    /// A planned restart: the `shutdown` event with `restartExpectedMs`, close 1012 for every
    /// session, then `Starting` under a new `bootId` for `downtime`, then `Up`. Returns once
    /// the fake is `Starting`.
    pub fn restart(&self, downtime: Duration) {
        let port = self.shared.port;
        self.control(move |shared| async move {
            lifecycle::begin_restart(&shared).await?;
            let owner = Arc::clone(&shared);
            shared
                .start_lifecycle(async move { lifecycle::finish_restart(&owner, downtime).await });
            Ok::<(), std::io::Error>(())
        })
        .unwrap_or_else(|e| panic!("fake gateway: cannot listen on 127.0.0.1:{port} again: {e}"));
    }

    /// A crash (`kill -9`): every socket drops without a close frame or event, the port is
    /// closed. `set_mode(Up)` brings the fake back as a new process.
    pub fn crash(&self) {
        self.set_mode(Mode::Down);
    }

    /// A planned stop: the `shutdown` event without a restart, close 1012, then `Down`.
    pub fn stop(&self) {
        self.control(|shared| async move { lifecycle::stop(&shared).await });
    }

    /// Makes `token` the only shared secret accepted (token mode from now on). Sessions that
    /// authenticated with the old shared secret are closed with 4001 `gateway auth changed`,
    /// as a hot-reloaded `gateway.auth.token` does; device-token sessions stay.
    pub fn rotate_token(&self, token: impl Into<String>) {
        lock(&self.shared.live).secret = Credential::Token(token.into());
        self.shared.send_all(&Command::SecretRotated);
    }

    /// The shared secret a client must present now (changes with [`rotate_token`](Self::rotate_token)).
    pub fn credential(&self) -> Credential {
        lock(&self.shared.live).secret.clone()
    }

    /// The `method` of every request received so far, `connect` included, in order.
    pub fn requests(&self) -> Vec<String> {
        self.shared.requests()
    }

    /// WebSocket connections open right now (before or after `hello-ok`).
    pub fn connections(&self) -> usize {
        self.shared.session_count()
    }

    /// Runs a transition on the shared runtime after cancelling any restart in progress.
    fn control<F, T>(&self, transition: impl FnOnce(Arc<Shared>) -> F + Send + 'static) -> T
    where
        F: std::future::Future<Output = T> + Send + 'static,
        T: Send + 'static,
    {
        let shared = Arc::clone(&self.shared);
        runtime::wait(async move {
            lifecycle::cancel_restart(&shared).await;
            transition(shared).await
        })
    }
}

impl Drop for FakeGateway {
    fn drop(&mut self) {
        let shared = Arc::clone(&self.shared);
        runtime::wait(async move { lifecycle::shut_down(&shared).await });
    }
}

/// A loopback port the kernel picks, claimed so no other fake or harness gateway in this
/// process is handed it while this fake is down.
fn bind_free_port() -> TcpListener {
    loop {
        let socket = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind 127.0.0.1:0");
        let port = socket
            .local_addr()
            .expect("a bound socket has an address")
            .port();
        if crate::net::claim_port(port) {
            return socket;
        }
    }
}
