//! Who holds the gateway's ports, and what that means: the gateway of this state dir, a zombie
//! gateway of another, a hung gateway, a foreign program, stale locks, a gateway that does not
//! listen, two gateways for one state dir, a listener that is not the supervisor's process.
//! Every verdict carries the evidence it rests on (lock file, process, handshake).
//!
//! Two stages, so each can run where it belongs: [`observe`] reads the machine (listen table,
//! processes, lock files, paths: blocking work), [`judge`] turns an observation and the
//! handshake's answer into findings (pure). The handshake itself is the protocol's business and
//! happens between them, outside this layer (`probe::inspect_ports` runs all three).

mod judge;
mod observe;
#[cfg(test)]
mod tests;

pub use judge::judge;
pub use observe::{Observation, observe};

use super::lock::{GatewayLock, Liveness};
use super::{Host, ProcessInfo};
use crate::env::Env;
use crate::finding::{Finding, Kill, Severity};
use crate::openclaw::config::LoadedConfig;
use crate::openclaw::install::InstallPaths;
use crate::verdict::Verdict;
use serde::Serialize;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// What the inspection starts from.
pub struct Inputs<'a> {
    pub paths: &'a InstallPaths,
    pub config: &'a LoadedConfig,
    pub env: &'a Env,
    pub host: &'a dyn Host,
    /// The supervisor's view, when a service manager runs the gateway: (unit, main pid).
    pub supervisor: Option<(String, u32)>,
    /// How long a listener may take to send `connect.challenge` before it counts as hung (for
    /// the handshake `probe::inspect_ports` makes between observing and judging).
    pub handshake_timeout: Duration,
}

/// Who a listener is, relative to this install.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Class {
    /// The gateway of this state dir.
    ThisGateway,
    /// An OpenClaw gateway serving another state dir (or one we cannot tell).
    OtherGateway,
    /// A process spawned by a gateway (its browser, a worker).
    GatewayChild,
    Foreign,
    /// The socket's owner is not visible to this user.
    Hidden,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Owner {
    pub addrs: Vec<SocketAddr>,
    pub pid: Option<u32>,
    pub uid: Option<u32>,
    pub process: Option<ProcessInfo>,
    pub class: Class,
    /// For gateways: the state dir it serves, and how that is known.
    pub state_dir: Option<PathBuf>,
    pub state_dir_from: Option<String>,
}

/// The gateway's answer to one handshake on the base port, as the CLI connects.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Handshake {
    pub url: String,
    pub verdict: Verdict,
    pub server_version: Option<String>,
    pub boot_id: Option<String>,
    pub uptime_ms: Option<u64>,
    pub pid: Option<u32>,
    pub state_dir: Option<String>,
    pub elapsed_ms: u64,
}

impl Handshake {
    /// An OpenClaw gateway answered (sent its challenge), whatever it then decided.
    pub fn gateway_answered(&self) -> bool {
        !matches!(
            self.verdict,
            Verdict::ConnectionRefused { .. }
                | Verdict::NotAGateway { .. }
                | Verdict::Timeout { .. }
                | Verdict::Tls { .. }
                | Verdict::TlsPinMismatch { .. }
        ) && !self.is_hung()
    }

    /// Accepted TCP but never sent `connect.challenge`.
    pub fn is_hung(&self) -> bool {
        match &self.verdict {
            // A timeout after the challenge is the gateway delaying a failed auth (loopback
            // clients are slowed, never locked out), not a hang.
            Verdict::Timeout { phase, .. } => phase == "connect",
            Verdict::NotAGateway { detail } => detail.contains("no connect.challenge"),
            _ => false,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PortRow {
    pub port: u16,
    pub role: &'static str,
    pub owners: Vec<Owner>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LockRow {
    #[serde(flatten)]
    pub lock: GatewayLock,
    pub liveness: Liveness,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PortsReport {
    pub state_dir: PathBuf,
    pub config_path: PathBuf,
    pub port: u16,
    pub port_rule: String,
    pub ports: Vec<PortRow>,
    pub handshake: Option<Handshake>,
    pub locks: Vec<LockRow>,
    pub lock_errors: Vec<String>,
    /// Every gateway process of any state dir visible on this host.
    pub gateways: Vec<Owner>,
    pub findings: Vec<Finding>,
}

impl PortsReport {
    /// The worst severity among the findings.
    pub fn worst(&self) -> Severity {
        crate::finding::worst(&self.findings)
    }

    /// The process the findings say may be stopped under `allow_foreign`.
    pub fn killable(&self, allow_foreign: bool) -> Vec<(&Finding, &ProcessInfo)> {
        let mut out: Vec<(&Finding, &ProcessInfo)> = Vec::new();
        for f in &self.findings {
            let allowed = match f.kill {
                Some(Kill::Gateway) => true,
                Some(Kill::Foreign) => allow_foreign,
                None => false,
            };
            let Some(pid) = f.pid.filter(|_| allowed) else {
                continue;
            };
            if out.iter().any(|(_, p)| p.pid == pid) {
                continue;
            }
            if let Some(p) = self.process(pid) {
                out.push((f, p));
            }
        }
        out
    }

    fn process(&self, pid: u32) -> Option<&ProcessInfo> {
        self.ports
            .iter()
            .flat_map(|r| r.owners.iter())
            .chain(self.gateways.iter())
            .filter_map(|o| o.process.as_ref())
            .find(|p| p.pid == pid)
    }
}
