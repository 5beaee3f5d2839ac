//! Port inspection as one step: observe the machine, shake hands with whatever holds the base
//! port as the CLI would, and judge both together.

use crate::gateway::{ConnectOptions, connect};
use crate::host::ports::{self, Handshake, Inputs, PortsReport};
use crate::openclaw::auth::local_cli_credential;
use crate::verdict::Verdict;
use serde_json::json;
use std::time::Instant;

/// Inspects this install's ports. Never fails: what cannot be read becomes a finding.
pub async fn inspect_ports(inputs: &Inputs<'_>) -> PortsReport {
    // Observing blocks (it reads /proc, lock files and paths). It runs on this task rather than
    // through `spawn_blocking`, which needs owned data: `Inputs` borrows its host and config.
    let observation = ports::observe(inputs);
    let handshake = match observation.handshake_url() {
        Some(url) => Some(handshake(inputs, &url).await),
        None => None,
    };
    ports::judge(&observation, handshake.as_ref(), inputs.supervisor.as_ref())
}

/// One handshake as the CLI connects, then `system.info` for the gateway's pid.
async fn handshake(inputs: &Inputs<'_>, url: &str) -> Handshake {
    let mut opts = ConnectOptions::new(url);
    opts.timeout = inputs.handshake_timeout;
    opts.credential = local_cli_credential(inputs.config, inputs.env).0;
    let started = Instant::now();
    let mut out = Handshake {
        url: url.into(),
        verdict: Verdict::Ok,
        server_version: None,
        boot_id: None,
        uptime_ms: None,
        pid: None,
        state_dir: None,
        elapsed_ms: 0,
    };
    match connect(&opts).await {
        Ok(mut conn) => {
            out.server_version = conn.hello.server_version.clone();
            out.boot_id = conn.hello.boot_id.clone();
            out.uptime_ms = conn.hello.uptime_ms;
            out.state_dir = conn.hello.state_dir.clone();
            if let Ok(info) = conn.request("system.info", json!({})).await {
                out.pid = info["pid"].as_u64().and_then(|p| u32::try_from(p).ok());
            }
            conn.close().await;
        }
        Err(v) => out.verdict = v,
    }
    out.elapsed_ms = started.elapsed().as_millis() as u64;
    out
}
