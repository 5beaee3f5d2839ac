//! Who holds the gateway's ports, and what that means: the gateway of this state dir, a zombie
//! gateway of another, a hung gateway, a foreign program, stale locks, a gateway that does not
//! listen, two gateways for one state dir, a listener that is not the supervisor's process.
//! Every verdict carries the evidence it rests on (lock file, process, handshake).

use super::lock::{self, GatewayLock, Liveness};
use super::{Host, Listener, ProcessInfo};
use crate::env::Env;
use crate::finding::{Finding, Kill, Severity};
use crate::gateway::{ConnectOptions, Verdict, connect};
use crate::openclaw::auth::local_cli_credential;
use crate::openclaw::config::LoadedConfig;
use crate::openclaw::install::{DerivedPorts, InstallPaths};
use serde::Serialize;
use serde_json::json;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// What the inspection starts from.
pub struct Inputs<'a> {
    pub paths: &'a InstallPaths,
    pub config: &'a LoadedConfig,
    pub env: &'a Env,
    pub host: &'a dyn Host,
    /// The supervisor's view, when a service manager runs the gateway: (unit, main pid).
    pub supervisor: Option<(String, u32)>,
    /// How long a listener may take to send `connect.challenge` before it counts as hung.
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

fn same_dir(a: &Path, b: &Path) -> bool {
    let canon = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    a == b || canon(a) == canon(b)
}

/// Inspects the host. Never fails: what cannot be read becomes a finding or an error line.
pub async fn inspect(inputs: &Inputs<'_>) -> PortsReport {
    let paths = inputs.paths;
    let host = inputs.host;
    let port = paths.port(inputs.config, inputs.env);
    let base = port.value;
    let my_state = paths.state_dir.value.clone();
    let uid = crate::openclaw::install::current_uid();
    let mut findings = Vec::new();

    // Locks.
    let mut locks = Vec::new();
    let mut lock_errors = Vec::new();
    for found in lock::find(paths, inputs.env, uid) {
        match found {
            Ok(l) => {
                let liveness = l.liveness(host);
                locks.push(LockRow { lock: l, liveness });
            }
            Err(e) => lock_errors.push(e),
        }
    }
    let live_lock_pids: Vec<u32> = locks
        .iter()
        .filter(|l| l.liveness == Liveness::Alive)
        .map(|l| l.lock.pid)
        .collect();

    // Every gateway process, and the state dir each serves.
    let gateway_procs = host.gateways();
    let describe_gateway = |p: &ProcessInfo| -> Owner {
        let (state_dir, from) = if live_lock_pids.contains(&p.pid) {
            (
                Some(my_state.clone()),
                Some("this state dir's lock file names it".to_string()),
            )
        } else {
            match host.environ(p.pid).and_then(|e| install_of(&e)) {
                Some(dir) => (Some(dir), Some("its environment".to_string())),
                None => (None, None),
            }
        };
        let ours = state_dir.as_deref().is_some_and(|d| same_dir(d, &my_state));
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
    };
    let mut gateways: Vec<Owner> = gateway_procs.iter().map(describe_gateway).collect();

    // Listeners on the watched ports, grouped by owner.
    let watched = watched_ports(base);
    let listeners = match host.listeners() {
        Ok(l) => l,
        Err(e) => {
            findings.push(Finding {
                code: "socket-table-unreadable",
                severity: Severity::Error,
                summary: format!("clawkit cannot read the TCP listen table: {e}"),
                evidence: Vec::new(),
                pid: None,
                port: None,
                kill: None,
                next: None,
            });
            Vec::new()
        }
    };
    let mut rows = Vec::new();
    for (p, role) in &watched {
        let here: Vec<&Listener> = listeners.iter().filter(|l| l.addr.port() == *p).collect();
        if here.is_empty() && *p != base {
            continue;
        }
        let mut by_owner: BTreeMap<(Option<u32>, Option<u32>), Vec<SocketAddr>> = BTreeMap::new();
        for l in here {
            by_owner.entry((l.pid, l.uid)).or_default().push(l.addr);
        }
        let owners = by_owner
            .into_iter()
            .map(|((pid, uid), addrs)| {
                let process = pid.and_then(|pid| host.process(pid));
                let mut owner = match &process {
                    Some(proc) if proc.is_gateway() => gateways
                        .iter()
                        .find(|g| g.pid == Some(proc.pid))
                        .cloned()
                        .unwrap_or_else(|| describe_gateway(proc)),
                    Some(proc) => Owner {
                        addrs: Vec::new(),
                        pid,
                        uid: proc.uid.or(uid),
                        class: if descends_from_gateway(host, proc, &gateway_procs) {
                            Class::GatewayChild
                        } else {
                            Class::Foreign
                        },
                        process: process.clone(),
                        state_dir: None,
                        state_dir_from: None,
                    },
                    None => Owner {
                        addrs: Vec::new(),
                        pid,
                        uid,
                        process: None,
                        class: Class::Hidden,
                        state_dir: None,
                        state_dir_from: None,
                    },
                };
                owner.addrs = addrs;
                owner
            })
            .collect();
        rows.push(PortRow {
            port: *p,
            role,
            owners,
        });
    }

    // One handshake on the base port, as the CLI connects.
    let base_owners: Vec<Owner> = rows.first().map(|r| r.owners.clone()).unwrap_or_default();
    let handshake = if base_owners.is_empty() {
        None
    } else {
        let host_part = if base_owners
            .iter()
            .flat_map(|o| &o.addrs)
            .any(|a| a.is_ipv4())
        {
            "127.0.0.1".to_string()
        } else {
            "[::1]".to_string()
        };
        Some(handshake(inputs, &format!("ws://{host_part}:{base}")).await)
    };
    // A gateway that authenticated us tells its own state dir: trust it over guesses.
    if let Some(h) = &handshake
        && let (Some(pid), Some(dir)) = (h.pid, &h.state_dir)
    {
        for owner in rows[0].owners.iter_mut().chain(gateways.iter_mut()) {
            if owner.pid == Some(pid) && owner.process.as_ref().is_some_and(|p| p.is_gateway()) {
                owner.state_dir = Some(PathBuf::from(dir));
                owner.state_dir_from = Some("the gateway's hello (authenticated)".into());
                owner.class = if same_dir(Path::new(dir), &my_state) {
                    Class::ThisGateway
                } else {
                    Class::OtherGateway
                };
            }
        }
    }

    // Verdicts on the base port.
    let lock_evidence = |pid: u32| -> Option<String> {
        locks
            .iter()
            .find(|l| l.lock.pid == pid && l.liveness == Liveness::Alive)
            .map(|l| format!("lock {} names pid {pid}", l.lock.path.display()))
    };
    let hs_evidence = |h: &Handshake| -> String {
        format!(
            "handshake on {} as the CLI: {}{}{}",
            h.url,
            h.verdict.name(),
            h.verdict
                .message()
                .map(|m| format!(" ({m})"))
                .unwrap_or_default(),
            h.boot_id
                .as_deref()
                .map(|b| format!(", boot {b}"))
                .unwrap_or_default()
        )
    };
    for owner in &base_owners {
        let pid = owner.pid;
        let proc_line = owner.process.as_ref().map(|p| {
            format!(
                "pid {} ({}), user {}, `{}`",
                p.pid,
                p.name,
                p.user
                    .clone()
                    .or(p.uid.map(|u| u.to_string()))
                    .unwrap_or("?".into()),
                p.command()
            )
        });
        let mut evidence: Vec<String> = proc_line.into_iter().collect();
        evidence.push(format!(
            "listens on {}",
            owner
                .addrs
                .iter()
                .map(|a| a.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ));
        let hung = handshake.as_ref().is_some_and(|h| h.is_hung());
        if let Some(h) = &handshake {
            evidence.push(hs_evidence(h));
        }
        let finding =
            |code, severity, summary: String, evidence: Vec<String>, kill, next| Finding {
                code,
                severity,
                summary,
                evidence,
                pid,
                port: Some(base),
                kill,
                next,
            };
        let f = match owner.class {
            Class::Hidden => finding(
                "port-owner-hidden",
                Severity::Error,
                if owner.uid == Some(uid) {
                    format!("port {base} is held by a socket of yours whose process cannot be found (it may be exiting right now)")
                } else {
                    format!(
                        "port {base} is held by a process of uid {} that you cannot see",
                        owner.uid.map_or("?".into(), |u| u.to_string())
                    )
                },
                evidence,
                None,
                Some(format!(
                    "sudo ss -ltnp 'sport = :{base}'   # name the owner"
                )),
            ),
            Class::Foreign | Class::GatewayChild => finding(
                "foreign-listener",
                Severity::Error,
                format!(
                    "port {base} is held by `{}`, which is not an OpenClaw gateway: the gateway cannot bind it and clients reach the wrong program",
                    owner
                        .process
                        .as_ref()
                        .map_or("?".into(), |p| p.name.clone())
                ),
                evidence,
                Some(Kill::Foreign),
                Some("stop that program, or move the gateway: clawkit config set gateway.port <free port>; or `clawkit ports --kill --kill-foreign` if you are sure".to_string()),
            ),
            _ if hung => {
                let mine = owner.class == Class::ThisGateway;
                let mut ev = evidence;
                if let Some(l) = pid.and_then(lock_evidence) {
                    ev.push(l);
                }
                finding(
                    "hung-gateway",
                    Severity::Error,
                    format!(
                        "the OpenClaw gateway on port {base} ({}) accepts connections but does not answer",
                        if mine {
                            "this state dir's".to_string()
                        } else {
                            describe_other(owner)
                        }
                    ),
                    ev,
                    Some(Kill::Gateway),
                    Some(
                        "clawkit ports --kill   # then start it again: clawkit gateway start"
                            .into(),
                    ),
                )
            }
            Class::ThisGateway => {
                let mut ev = evidence;
                if let Some(l) = pid.and_then(lock_evidence) {
                    ev.push(l);
                }
                if let Some(from) = &owner.state_dir_from {
                    ev.push(format!("serves {} ({from})", my_state.display()));
                }
                finding(
                    "own-gateway",
                    Severity::Ok,
                    format!(
                        "port {base} is held by this state dir's gateway (pid {})",
                        pid.unwrap_or(0)
                    ),
                    ev,
                    None,
                    None,
                )
            }
            Class::OtherGateway => {
                let mut ev = evidence;
                ev.push(match (&owner.state_dir, &owner.state_dir_from) {
                    (Some(d), Some(from)) => format!("serves {} ({from})", d.display()),
                    _ => "its state dir is not visible (no readable environment, no lock names it)"
                        .into(),
                });
                ev.push(format!(
                    "this install's state dir is {}",
                    my_state.display()
                ));
                finding(
                    "zombie-gateway",
                    Severity::Error,
                    format!(
                        "port {base} is held by another OpenClaw gateway ({}): your clients talk to it, with its credentials, not to this install's gateway",
                        describe_other(owner)
                    ),
                    ev,
                    Some(Kill::Gateway),
                    Some("clawkit ports --kill   # stops only that gateway, then: clawkit gateway start".into()),
                )
            }
        };
        findings.push(f);
    }

    // Derived ports held by something that is neither a gateway nor its child.
    for row in rows.iter().skip(1) {
        for owner in &row.owners {
            if matches!(owner.class, Class::Foreign | Class::Hidden) {
                findings.push(Finding {
                    code: "derived-port-taken",
                    severity: Severity::Warning,
                    summary: format!(
                        "port {} ({}) is held by {}: that gateway feature will fail to start",
                        row.port,
                        row.role,
                        owner
                            .process
                            .as_ref()
                            .map_or("a hidden process".into(), |p| format!(
                                "`{}` (pid {})",
                                p.name, p.pid
                            ))
                    ),
                    evidence: vec![],
                    pid: owner.pid,
                    port: Some(row.port),
                    kill: None,
                    next: None,
                });
            }
        }
    }

    // Stale locks.
    for l in &locks {
        let why = match &l.liveness {
            Liveness::Alive => continue,
            Liveness::Dead => format!("pid {} is not running", l.lock.pid),
            Liveness::Reused { reason } => reason.clone(),
        };
        findings.push(Finding {
            code: "stale-lock",
            severity: Severity::Warning,
            summary: format!(
                "stale gateway lock {}: {why} (a gateway that did not stop cleanly)",
                l.lock.path.display()
            ),
            evidence: vec![format!(
                "lock: pid {}, port {}, created {}",
                l.lock.pid,
                l.lock.port.map_or("?".into(), |p| p.to_string()),
                l.lock.created_at.as_deref().unwrap_or("?")
            )],
            pid: None,
            port: l.lock.port,
            kill: None,
            next: Some(
                "harmless: the next gateway start takes the lock over; `clawkit gateway start` to run it".into(),
            ),
        });
    }
    for e in &lock_errors {
        findings.push(Finding {
            code: "lock-unreadable",
            severity: Severity::Warning,
            summary: e.clone(),
            evidence: vec![],
            pid: None,
            port: None,
            kill: None,
            next: None,
        });
    }

    // Gateways of this state dir: not listening on the port, or more than one.
    let mine: Vec<&Owner> = gateways
        .iter()
        .filter(|g| g.class == Class::ThisGateway)
        .collect();
    let listening = |pid: u32| -> Vec<u16> {
        let mut ports: Vec<u16> = listeners
            .iter()
            .filter(|l| l.pid == Some(pid))
            .map(|l| l.addr.port())
            .collect();
        ports.sort_unstable();
        ports.dedup();
        ports
    };
    let base_held_by_mine = mine
        .iter()
        .any(|g| g.pid.is_some_and(|p| listening(p).contains(&base)));
    for g in &mine {
        let pid = g.pid.unwrap_or(0);
        let ports = listening(pid);
        if !ports.contains(&base) {
            // A duplicate beside the gateway that holds the port may be stopped; the only
            // gateway of this state dir is restarted instead.
            let duplicate = base_held_by_mine;
            findings.push(Finding {
                code: "gateway-not-listening",
                severity: Severity::Error,
                summary: if ports.is_empty() {
                    format!("this state dir's gateway (pid {pid}) runs but listens on no port (still starting, or stuck before binding {base})")
                } else {
                    format!(
                        "this state dir's gateway (pid {pid}) listens on {} but clients expect port {base} ({})",
                        ports.iter().map(|p| p.to_string()).collect::<Vec<_>>().join(", "),
                        port.source
                    )
                },
                evidence: g
                    .state_dir_from
                    .iter()
                    .map(|f| format!("serves {} ({f})", my_state.display()))
                    .collect(),
                pid: Some(pid),
                port: Some(base),
                kill: duplicate.then_some(Kill::Gateway),
                next: Some(if duplicate {
                    "clawkit ports --kill   # stops this duplicate, not the gateway on the port".into()
                } else {
                    "clawkit gateway restart".into()
                }),
            });
        }
    }
    if mine.len() > 1 {
        findings.push(Finding {
            code: "multiple-gateways",
            severity: Severity::Error,
            summary: format!(
                "{} gateway processes serve this state dir: pids {}",
                mine.len(),
                mine.iter()
                    .filter_map(|g| g.pid)
                    .map(|p| p.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            evidence: mine
                .iter()
                .map(|g| {
                    format!(
                        "pid {}: listens on {:?}",
                        g.pid.unwrap_or(0),
                        listening(g.pid.unwrap_or(0))
                    )
                })
                .collect(),
            pid: None,
            port: Some(base),
            kill: None,
            next: Some(if base_held_by_mine {
                format!("clawkit ports --kill   # stops the ones not holding port {base}")
            } else {
                "clawkit gateway stop, then clawkit ports --kill, then clawkit gateway start".into()
            }),
        });
    }

    // Supervisor.
    if let Some((unit, main_pid)) = &inputs.supervisor
        && let Some(listener) = base_owners.iter().find_map(|o| o.pid)
        && listener != *main_pid
        && !is_ancestor(host, *main_pid, listener)
    {
        findings.push(Finding {
            code: "not-supervisor-main-pid",
            severity: Severity::Error,
            summary: format!(
                "port {base} is held by pid {listener}, but {unit}'s main process is pid {main_pid}: the supervised gateway is not the one clients reach"
            ),
            evidence: vec![format!("{unit} MainPID={main_pid}")],
            pid: Some(listener),
            port: Some(base),
            kill: None,
            next: Some("clawkit ports --kill   # stop the unsupervised one, then: clawkit gateway restart".into()),
        });
    }

    if base_owners.is_empty() && mine.is_empty() {
        findings.push(Finding {
            code: "gateway-down",
            severity: Severity::Error,
            summary: format!(
                "nothing listens on port {base} and no gateway runs for this state dir"
            ),
            evidence: vec![format!("port {base}: {}", port.source)],
            pid: None,
            port: Some(base),
            kill: None,
            next: Some("clawkit gateway start".into()),
        });
    }

    findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
    PortsReport {
        state_dir: my_state,
        config_path: paths.config_path.value.clone(),
        port: base,
        port_rule: port.source,
        ports: rows,
        handshake,
        locks,
        lock_errors,
        gateways,
        findings,
    }
}

fn describe_other(owner: &Owner) -> String {
    match &owner.state_dir {
        Some(d) => format!("pid {}, state dir {}", owner.pid.unwrap_or(0), d.display()),
        None => format!("pid {}, state dir unknown", owner.pid.unwrap_or(0)),
    }
}

/// The state dir a process serves, from its environment, by the same rules as the CLI.
fn install_of(environ: &[(String, String)]) -> Option<PathBuf> {
    let env = Env::from_pairs(environ.iter().cloned());
    env.get("HOME").or(env.get("OPENCLAW_STATE_DIR"))?;
    Some(InstallPaths::of_environment(&env)?.state_dir.value)
}

fn descends_from_gateway(host: &dyn Host, p: &ProcessInfo, gateways: &[ProcessInfo]) -> bool {
    gateways.iter().any(|g| is_ancestor(host, g.pid, p.pid))
}

/// Whether `ancestor` is `pid` or one of its parents (bounded walk).
fn is_ancestor(host: &dyn Host, ancestor: u32, pid: u32) -> bool {
    let mut cur = pid;
    for _ in 0..32 {
        if cur == ancestor {
            return true;
        }
        match host.process(cur).and_then(|p| p.ppid) {
            Some(parent) if parent != 0 && parent != cur => cur = parent,
            _ => return false,
        }
    }
    false
}

async fn handshake(inputs: &Inputs<'_>, url: &str) -> Handshake {
    let mut opts = ConnectOptions::new(url);
    opts.timeout = inputs.handshake_timeout;
    opts.credential = local_cli_credential(inputs.config, inputs.env).0;
    let started = std::time::Instant::now();
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
