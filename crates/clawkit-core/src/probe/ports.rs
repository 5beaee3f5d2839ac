//! Port inspection as one step: observe the machine, shake hands with whatever holds the base
//! port as the CLI would, and judge both together.

use crate::blocking::blocking;
use crate::error::Error;
use crate::gateway::{ConnectOptions, Credential, connect};
use crate::host::ports::{self, Handshake, Inputs, PortsReport};
use crate::openclaw::auth::local_cli_credential;
use crate::target::Target;
use crate::verdict::Verdict;
use serde_json::json;
use std::time::{Duration, Instant};

/// Inspects `target`'s ports, with the supervisor's main pid as of now. Fails only when the
/// config cannot be read; anything else that cannot be read becomes a finding.
pub async fn inspect_ports(
    target: &Target,
    handshake_timeout: Duration,
) -> Result<PortsReport, Error> {
    let config = target.load_config()?;
    let (t, c) = (target.clone(), config.clone());
    let (observation, supervisor) = blocking(move || {
        let supervisor = t.supervisor();
        let inputs = Inputs {
            paths: &t.paths,
            config: &c,
            env: &t.env,
            host: t.host.as_ref(),
            supervisor: supervisor.clone(),
            handshake_timeout,
        };
        (ports::observe(&inputs), supervisor)
    })
    .await;
    let handshake = match observation.handshake_url() {
        Some(url) => {
            let credential = local_cli_credential(&config, &target.env).0;
            Some(handshake(credential, handshake_timeout, &url).await)
        }
        None => None,
    };
    Ok(ports::judge(
        &observation,
        handshake.as_ref(),
        supervisor.as_ref(),
    ))
}

/// One handshake as the CLI connects, then `system.info` for the gateway's pid.
async fn handshake(credential: Credential, timeout: Duration, url: &str) -> Handshake {
    let mut opts = ConnectOptions::new(url);
    opts.timeout = timeout;
    opts.credential = credential;
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
