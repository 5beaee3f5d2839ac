//! The first stage: what the machine shows around the gateway's ports, read once. Everything
//! here may block (the listen table walks every process's fds, lock files and paths are read),
//! so it is synchronous and runs before any handshake.

use super::{Class, Inputs, LockRow, Owner, PortRow};
use crate::env::Env;
use crate::host::lock::{self, Liveness};
use crate::host::{Host, Listener, ProcessInfo};
use crate::openclaw::install::{DerivedPorts, InstallPaths};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// How far up the process tree a parent is looked for.
const MAX_DEPTH: usize = 32;

/// What the machine showed, with every listener's owner classified as far as the machine
/// alone can tell. [`super::judge`] refines the classes with the handshake and concludes.
#[derive(Debug, Clone)]
pub struct Observation {
    pub state_dir: PathBuf,
    /// Paths known to name `state_dir`: itself, its canonical form, and the state dirs of
    /// gateways found to serve it. Lets the judge compare a gateway's own word without disk I/O.
    pub state_dir_aliases: Vec<PathBuf>,
    pub config_path: PathBuf,
    pub port: u16,
    pub port_rule: String,
    /// The user clawkit runs as.
    pub uid: u32,
    /// Every listening socket on the host (not only the watched ports).
    pub listeners: Vec<Listener>,
    /// Why the listen table could not be read, when it could not.
    pub listen_error: Option<String>,
    /// The watched ports, base first (always present), then each derived port that is held.
    pub ports: Vec<PortRow>,
    pub gateways: Vec<Owner>,
    pub locks: Vec<LockRow>,
    pub lock_errors: Vec<String>,
    /// For each pid listening on the base port: it, then its parents, nearest first.
    pub lineage: BTreeMap<u32, Vec<u32>>,
}

impl Observation {
    /// The owners of the base port.
    pub fn base_owners(&self) -> &[Owner] {
        self.ports.first().map_or(&[], |r| r.owners.as_slice())
    }

    /// Where the CLI would connect: the base port on the loopback of a family something
    /// listens on. `None` when nothing listens there (no handshake to make).
    pub fn handshake_url(&self) -> Option<String> {
        let owners = self.base_owners();
        if owners.is_empty() {
            return None;
        }
        let ipv4 = owners.iter().flat_map(|o| &o.addrs).any(|a| a.is_ipv4());
        let host = if ipv4 { "127.0.0.1" } else { "[::1]" };
        Some(format!("ws://{host}:{}", self.port))
    }

    /// Whether `dir` (a path some gateway reported) names this install's state dir.
    pub fn is_this_state_dir(&self, dir: &Path) -> bool {
        self.state_dir_aliases.iter().any(|a| a == dir)
    }
}

/// Reads the host. Never fails: what cannot be read is kept as an error line.
pub fn observe(inputs: &Inputs<'_>) -> Observation {
    let host = inputs.host;
    let port = inputs.paths.port(inputs.config, inputs.env);
    let state_dir = inputs.paths.state_dir.value.clone();
    let uid = host.uid();
    let (locks, lock_errors) = read_locks(inputs, uid);
    let who = Classifier::new(host, &state_dir, &locks);
    let gateways: Vec<Owner> = who.gateway_procs.iter().map(|p| who.gateway(p)).collect();
    let (listeners, listen_error) = match host.listeners() {
        Ok(l) => (l, None),
        Err(e) => (Vec::new(), Some(e.to_string())),
    };
    let ports: Vec<PortRow> = watched_ports(port.value)
        .into_iter()
        .filter_map(|(p, role)| who.row(p, role, port.value, &listeners, &gateways))
        .collect();
    let lineage = ports
        .first()
        .into_iter()
        .flat_map(|r| &r.owners)
        .filter_map(|o| o.pid)
        .map(|pid| (pid, lineage(host, pid)))
        .collect();
    Observation {
        state_dir_aliases: aliases(&state_dir, ports.iter().flat_map(|r| &r.owners), &gateways),
        state_dir,
        config_path: inputs.paths.config_path.value.clone(),
        port: port.value,
        port_rule: port.source,
        uid,
        listeners,
        listen_error,
        ports,
        gateways,
        locks,
        lock_errors,
        lineage,
    }
}

fn read_locks(inputs: &Inputs<'_>, uid: u32) -> (Vec<LockRow>, Vec<String>) {
    let mut locks = Vec::new();
    let mut errors = Vec::new();
    for found in lock::find(inputs.paths, inputs.env, uid) {
        match found {
            Ok(l) => {
                let liveness = l.liveness(inputs.host);
                locks.push(LockRow { lock: l, liveness });
            }
            Err(e) => errors.push(e),
        }
    }
    (locks, errors)
}

/// The ports to look at, with their roles (base first).
fn watched_ports(base: u16) -> Vec<(u16, &'static str)> {
    let d = DerivedPorts::from_base(base);
    let mut ports = vec![
        (d.base, "gateway"),
        (d.sandbox, "apps sandbox"),
        (d.browser_control, "browser control"),
        (d.extension_relay, "extension relay"),
    ];
    for p in d.cdp_range.0..=d.cdp_range.1 {
        ports.push((p, "browser CDP"));
    }
    ports.dedup_by_key(|(p, _)| *p);
    ports
}

/// Tells who a process is relative to this install, from what the machine shows.
struct Classifier<'a> {
    host: &'a dyn Host,
    state_dir: &'a Path,
    live_lock_pids: Vec<u32>,
    gateway_procs: Vec<ProcessInfo>,
}

impl<'a> Classifier<'a> {
    fn new(host: &'a dyn Host, state_dir: &'a Path, locks: &[LockRow]) -> Classifier<'a> {
        let live_lock_pids = locks
            .iter()
            .filter(|l| l.liveness == Liveness::Alive)
            .map(|l| l.lock.pid)
            .collect();
        Classifier {
            host,
            state_dir,
            live_lock_pids,
            gateway_procs: host.gateways(),
        }
    }

    /// A gateway process, and the state dir it serves: a live lock of this state dir naming
    /// it, else its environment.
    fn gateway(&self, p: &ProcessInfo) -> Owner {
        let (state_dir, from) = if self.live_lock_pids.contains(&p.pid) {
            (
                Some(self.state_dir.to_path_buf()),
                Some("this state dir's lock file names it".to_string()),
            )
        } else {
            match self.host.environ(p.pid).and_then(|e| install_of(&e)) {
                Some(dir) => (Some(dir), Some("its environment".to_string())),
                None => (None, None),
            }
        };
        let ours = state_dir
            .as_deref()
            .is_some_and(|d| same_dir(d, self.state_dir));
        Owner {
            addrs: Vec::new(),
            pid: Some(p.pid),
            uid: p.uid,
            process: Some(p.clone()),
            class: if ours {
                Class::ThisGateway
            } else {
                Class::OtherGateway
            },
            state_dir,
            state_dir_from: from,
        }
    }

    /// The owners of port `p`, grouped by (pid, uid); `None` for a free derived port.
    fn row(
        &self,
        p: u16,
        role: &'static str,
        base: u16,
        listeners: &[Listener],
        gateways: &[Owner],
    ) -> Option<PortRow> {
        let here: Vec<&Listener> = listeners.iter().filter(|l| l.addr.port() == p).collect();
        if here.is_empty() && p != base {
            return None;
        }
        let mut by_owner: BTreeMap<(Option<u32>, Option<u32>), Vec<SocketAddr>> = BTreeMap::new();
        for l in here {
            by_owner.entry((l.pid, l.uid)).or_default().push(l.addr);
        }
        let owners = by_owner
            .into_iter()
            .map(|((pid, uid), addrs)| Owner {
                addrs,
                ..self.listener_owner(pid, uid, gateways)
            })
            .collect();
        Some(PortRow {
            port: p,
            role,
            owners,
        })
    }

    /// The owner of a socket: a gateway, a gateway's child, a foreign program, or hidden.
    fn listener_owner(&self, pid: Option<u32>, uid: Option<u32>, gateways: &[Owner]) -> Owner {
        let process = pid.and_then(|pid| self.host.process(pid));
        let Some(proc) = process else {
            return unknown_owner(pid, uid, None, Class::Hidden);
        };
        if proc.is_gateway() {
            return gateways
                .iter()
                .find(|g| g.pid == Some(proc.pid))
                .cloned()
                .unwrap_or_else(|| self.gateway(&proc));
        }
        let class = if self.descends_from_gateway(&proc) {
            Class::GatewayChild
        } else {
            Class::Foreign
        };
        unknown_owner(pid, proc.uid.or(uid), Some(proc), class)
    }

    fn descends_from_gateway(&self, p: &ProcessInfo) -> bool {
        let parents = lineage(self.host, p.pid);
        self.gateway_procs.iter().any(|g| parents.contains(&g.pid))
    }
}

/// An owner whose state dir is not known (not a gateway, or not visible).
fn unknown_owner(
    pid: Option<u32>,
    uid: Option<u32>,
    process: Option<ProcessInfo>,
    class: Class,
) -> Owner {
    Owner {
        addrs: Vec::new(),
        pid,
        uid,
        process,
        class,
        state_dir: None,
        state_dir_from: None,
    }
}

/// `pid`, then its parents, nearest first (bounded walk, stops at pid 0 or a loop).
fn lineage(host: &dyn Host, pid: u32) -> Vec<u32> {
    let mut chain = vec![pid];
    while chain.len() < MAX_DEPTH {
        let cur = chain[chain.len() - 1];
        match host.process(cur).and_then(|p| p.ppid) {
            Some(parent) if parent != 0 && parent != cur => chain.push(parent),
            _ => break,
        }
    }
    chain
}

/// The state dir a process serves, from its environment, by the same rules as the CLI.
fn install_of(environ: &[(String, String)]) -> Option<PathBuf> {
    let env = Env::from_pairs(environ.iter().cloned());
    env.get("HOME").or(env.get("OPENCLAW_STATE_DIR"))?;
    Some(InstallPaths::of_environment(&env)?.state_dir.value)
}

fn same_dir(a: &Path, b: &Path) -> bool {
    let canon = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    a == b || canon(a) == canon(b)
}

/// `state_dir`, its canonical form, and every state dir an owner of this install was found
/// to serve.
fn aliases<'a>(
    state_dir: &Path,
    owners: impl Iterator<Item = &'a Owner>,
    gateways: &'a [Owner],
) -> Vec<PathBuf> {
    let mut all = vec![state_dir.to_path_buf()];
    all.extend(std::fs::canonicalize(state_dir));
    all.extend(
        owners
            .chain(gateways)
            .filter(|o| o.class == Class::ThisGateway)
            .filter_map(|o| o.state_dir.clone()),
    );
    all.sort();
    all.dedup();
    all
}
