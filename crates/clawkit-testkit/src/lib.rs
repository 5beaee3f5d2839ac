//! Dev-only harness that puts a **real** OpenClaw gateway under clawkit's tests.
//!
//! Nothing here fakes OpenClaw: [`ensure_openclaw`] installs Node 26 and the requested
//! `openclaw` release from the npm registry into a per-version cache, [`Gateway::start`] runs
//! `openclaw gateway run` on a free loopback port with a scratch home, and [`ClientHome`] runs
//! the real `openclaw` CLI as a client machine would. [`scenario`] stages the known failure
//! setups (token mismatches, gateway down, foreign listener) so tests observe the real errors.
//!
//! Safety rules the harness keeps: loopback only, never port 18789 or its derived ports, and
//! every process it starts is stopped by PID (SIGTERM, then SIGKILL of its process group) when
//! its handle drops — or, for shared gateways, when the test process exits.
//!
//! For the monitor's delivery tests it also installs and starts a real Prometheus Alertmanager
//! ([`Alertmanager`], Debian's package), a real SMTP server ([`SmtpServer`], aiosmtpd), and
//! Prometheus's `promtool` ([`ensure_promtool`]) to check the monitor's metrics. For the web
//! doctor's browser tests, a real headless Chromium driven over CDP ([`Chromium`]).
//!
//! The one exception, named as such: [`fake`] is an in-process **fake** gateway that speaks
//! the wire protocol for fast monitor and engine tests. Tests against the real gateways above
//! remain the contract it is checked against.
// Unix only: Unix process groups, signals and /proc. Windows builds are smoke-tested under Wine instead.
#![cfg(unix)]

mod alertmanager;
mod chromium;
mod client;
pub mod cross;
mod error;
pub mod fake;
mod foreign;
mod gateway;
mod install;
mod net;
mod process;
mod promtool;
pub mod scenario;
mod secret;
mod service;
mod smtp;
mod web;

pub use alertmanager::{Alertmanager, ensure_alertmanager};
pub use chromium::{Chromium, HEADLESS_FLAGS, ensure_chromium, headless_wrapper, stop_wrapped};
pub use client::{CliOutput, ClientHome};
pub use error::{HarnessError, Result};
pub use foreign::ForeignListener;
pub use gateway::{Gateway, GatewayOptions, TokenSource, shared_gateway};
pub use install::{OpenClawInstall, SUPPORTED_VERSIONS, cache_root, ensure_node, ensure_openclaw};
pub use net::{
    HttpReply, PortState, closed_port, free_port, gateway_port, http, http_get, port_state,
};
pub use promtool::ensure_promtool;
pub use secret::distinctive_secret;
pub use service::{ServiceFiles, write_service_files};
pub use smtp::{SmtpServer, ensure_aiosmtpd};
pub use web::{WebDoctor, WebSession};

/// The OpenClaw release with the SQLite state layout.
pub const V2026_9: &str = "2026.9.6";
/// The OpenClaw release with the older JSON state-file layout.
pub const V2026_7: &str = "2026.7.1";

/// Sets `path`'s permission bits, as OpenClaw creates its state dir and config.
pub(crate) fn private(path: &std::path::Path, mode: u32) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .map_err(|e| HarnessError::io(path, e))
}
