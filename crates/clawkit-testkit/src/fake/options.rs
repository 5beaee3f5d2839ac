//! What a fake gateway is configured with before it starts: which release it imitates, the
//! secrets it accepts, its timings, and the few `hello-ok` fields a test may want to pin.

use crate::secret::distinctive_secret;
use clawkit_core::gateway::Credential;
use std::time::Duration;

/// The release whose wire details the fake reproduces. The two differ in what `hello-ok`
/// and the `shutdown` event carry, which is exactly what restart detection depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WireStyle {
    /// 2026.9.x: `hello-ok.server.bootId` / `buildId`, `auth.method`, challenge
    /// `capabilities`; a stop's `shutdown` event has no `restartExpectedMs` key.
    #[default]
    V2026_9,
    /// 2026.7.x: `hello-ok.server` is only `{version, connId}`, `auth` has no `method`, the
    /// challenge has no `capabilities`; a stop sends `restartExpectedMs: null`.
    V2026_7,
}

impl WireStyle {
    /// The `server.version` a real gateway of this release reports.
    pub fn default_version(self) -> &'static str {
        match self {
            WireStyle::V2026_9 => "2026.9.6",
            WireStyle::V2026_7 => "2026.7.1",
        }
    }
}

/// The fake's run state. Tests switch it with [`FakeGateway::set_mode`](super::FakeGateway).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// Ready: handshakes succeed (given the right secret), `/readyz` is 200.
    #[default]
    Up,
    /// Listening but not ready: `connect` gets `UNAVAILABLE` and close 1013, `/readyz` 503.
    Starting,
    /// Accepts TCP connections and never answers them; open sessions freeze (no ticks, no
    /// replies, no pongs), like a gateway whose event loop is blocked.
    Hung,
    /// No listener: connects are refused. Leaving `Down` rebinds the same port as a new
    /// process (new `bootId`, `processInstanceId`, uptime from zero).
    Down,
}

/// How to start a fake. `FakeOptions::default()` is a 2026.9.6 gateway in token mode with a
/// fresh [`distinctive_secret`] token; change fields with struct-update syntax.
#[derive(Debug, Clone)]
pub struct FakeOptions {
    pub style: WireStyle,
    /// `hello-ok.server.version`; `None` means the style's release.
    pub server_version: Option<String>,
    /// The gateway's shared secret: `Token` / `Password` select `gateway.auth.mode`;
    /// `Credential::None` is auth mode `none` (every client is let in).
    pub secret: Credential,
    /// Device tokens accepted from any device identity (tokens issued by silent pairing are
    /// accepted in addition, for the device they were issued to).
    pub device_tokens: Vec<String>,
    /// Pair a new device silently when it authenticates with the shared secret
    /// (`gateway.nodes.pairing.autoApproveLocal`, default true); false gives
    /// `pairing required`.
    pub auto_pair: bool,
    /// The mode right after [`start`](super::FakeGateway::start).
    pub mode: Mode,
    /// Uptime already behind the first boot (`snapshot.uptimeMs`, `system.info.uptimeMs`).
    pub uptime: Duration,
    /// `policy.tickIntervalMs` and the period of `tick` events.
    pub tick_interval: Duration,
    /// `gateway.restart.request`: from the ack to the `shutdown` event.
    pub restart_delay: Duration,
    /// `gateway.restart.request`: how long the new boot stays `Starting`.
    pub restart_downtime: Duration,
    /// `restartExpectedMs` in a planned restart's `shutdown` event (the real one says 1500).
    pub restart_expected_ms: u64,
    /// A socket that has not sent `connect` by then is closed (real: 15 s).
    pub handshake_timeout: Duration,
    /// `system.info.pid`. Defaults to this test process, the true owner of the fake's port.
    pub pid: u32,
    /// `snapshot.configPath` / `snapshot.stateDir`; omitted when `None`, so nothing points
    /// clawkit at a real OpenClaw home by accident.
    pub config_path: Option<String>,
    pub state_dir: Option<String>,
    /// Override what `hello-ok.auth` reports instead of deriving it like the real gateway.
    pub hello_auth: HelloAuth,
}

/// Pinned `hello-ok.auth` fields; each `None` is derived from the handshake as the real
/// gateway does (method from how the client authenticated, role and scopes from its request).
#[derive(Debug, Clone, Default)]
pub struct HelloAuth {
    pub method: Option<String>,
    pub role: Option<String>,
    pub scopes: Option<Vec<String>>,
}

impl Default for FakeOptions {
    fn default() -> Self {
        FakeOptions {
            style: WireStyle::default(),
            server_version: None,
            secret: Credential::Token(distinctive_secret("fake-gwtoken")),
            device_tokens: Vec::new(),
            auto_pair: true,
            mode: Mode::Up,
            uptime: Duration::ZERO,
            tick_interval: Duration::from_secs(30),
            restart_delay: Duration::from_millis(20),
            restart_downtime: Duration::from_millis(200),
            restart_expected_ms: 1500,
            handshake_timeout: Duration::from_secs(15),
            pid: std::process::id(),
            config_path: None,
            state_dir: None,
            hello_auth: HelloAuth::default(),
        }
    }
}

impl FakeOptions {
    /// A 2026.7.1-style fake (no `bootId`), otherwise the defaults.
    pub fn v2026_7() -> Self {
        FakeOptions {
            style: WireStyle::V2026_7,
            ..FakeOptions::default()
        }
    }

    pub(super) fn version(&self) -> &str {
        self.server_version
            .as_deref()
            .unwrap_or(self.style.default_version())
    }
}
