//! A **fake** OpenClaw gateway, for tests that must run in milliseconds and by the hundred:
//! restart, flap and alert logic in the monitor, the engine's verdict handling, the web UI.
//! It is not OpenClaw. The real gateways started by [`Gateway`](crate::Gateway) stay the
//! authority: a behaviour is only trusted once a contract test shows the real gateway does
//! it, and when the two disagree the fake is wrong.
//!
//! # What it imitates (2026.9.6, or 2026.7.1 with [`WireStyle::V2026_7`])
//! * One loopback port for HTTP and WebSocket. `GET /health` (`/healthz`) is always 200
//!   `{"ok":true,"status":"live"}`; `/readyz` (`/ready`) is 200 `{"ready":true,…}` when
//!   [`Mode::Up`] and 503 with `failing: ["startup-sidecars"]` while [`Mode::Starting`];
//!   `/startupz` likewise (2026.9 only).
//! * The handshake: `connect.challenge` (nonce, ts) on open, then the client's `connect`,
//!   then `hello-ok` with `server.version`, `bootId` (2026.9), `connId`,
//!   `snapshot.uptimeMs`, `auth.{method, role, scopes, deviceToken}` and
//!   `policy.tickIntervalMs`, or a refusal with the real error frame and close code:
//!   gateway token / password missing or mismatched, device token mismatch, device identity
//!   required, pairing required, device nonce, protocol mismatch (1002), origin not allowed,
//!   `gateway starting` (`UNAVAILABLE`, close 1013). So `clawkit_core::gateway::connect`
//!   returns the same `Verdict` as against the real gateway.
//! * The local-client policy: the CLI (`cli`/`cli`) keeps its scopes with the shared secret
//!   and no device; other clients get `[]`; a device that authenticates with the shared
//!   secret is paired silently and handed a device token, unless an `Origin` header is sent
//!   or [`FakeOptions::auto_pair`] is off.
//! * Requests `health`, `system.info` (`pid`, `port`, `uptimeMs`, `processInstanceId`) and
//!   `gateway.restart.request`, scope-checked; any other method gets `unknown method: …`.
//! * Server pushes: `tick` every `tickIntervalMs`; `shutdown` (`gateway restarting` with
//!   `restartExpectedMs`, or `gateway stopping`) before a planned restart or stop, then
//!   close 1012 `service restart`; close 4001 `gateway auth changed` when the token rotates.
//!   While a planned restart drains, connects get `connect unavailable during gateway
//!   restart` (`UNAVAILABLE`, close 1013) and `/readyz` is 503 `gateway-draining`.
//!   WebSocket pings are answered.
//! * Life: [`Mode`] `Up` / `Starting` / `Hung` / `Down`, a planned restart (new `bootId`,
//!   same process), a stop, a crash (EOF, no event), and coming back from `Down` as a new
//!   process on the same port.
//!
//! # What it does not
//! * No Ed25519 check of the device signature, no device-id ↔ public-key check and no
//!   signature clock skew: a device block only needs its fields and the challenge's nonce.
//! * No agents, sessions, channels, plugins, Control UI, config, SQLite state, log file, lock
//!   file or process: `system.info.pid` is the test process (which does own the port).
//! * No rate limiting, trusted proxies, Tailscale, TLS, bootstrap tokens, node roles or
//!   scope upgrades; `invalid connect params` messages only resemble the real wording.
//! * 127.0.0.1 only (the real gateway also listens on `[::1]`); one HTTP request per
//!   connection; unknown paths are 404 where the real one serves its Control UI.
//! * An in-process restart keeps the port open and answers 503 for its whole downtime; the
//!   real one refuses connections for part of it.
//!
//! # How it runs
//! Every fake in the process shares one multi-thread tokio runtime (two worker threads), so
//! a thousand fakes are a thousand listener tasks, not a thousand threads. The controls are
//! synchronous and usable from `#[test]` and `#[tokio::test]` alike; dropping a
//! [`FakeGateway`] closes its port and every socket before `drop` returns.

mod auth;
mod control;
mod http;
mod ids;
mod lifecycle;
mod options;
mod protocol;
mod rpc;
mod runtime;
mod server;
mod session;
mod state;

pub use control::FakeGateway;
pub use options::{FakeOptions, HelloAuth, Mode, WireStyle};
