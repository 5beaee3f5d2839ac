//! The second stage: from an [`Observation`] and the handshake's answer to findings. Pure: no
//! I/O, so every verdict is table-tested over built observations.

use super::{Class, Handshake, LockRow, Observation, Owner, PortRow, PortsReport};
use crate::finding::codes;
use crate::finding::{Finding, Kill, Severity};
use crate::host::lock::Liveness;
use std::path::{Path, PathBuf};

/// Concludes. `supervisor` is the service manager's view: (unit, main pid).
pub fn judge(
    obs: &Observation,
    handshake: Option<&Handshake>,
    supervisor: Option<&(String, u32)>,
) -> PortsReport {
    let mut ports = obs.ports.clone();
    let mut gateways = obs.gateways.clone();
    if let Some(h) = handshake {
        trust_hello(obs, h, &mut ports, &mut gateways);
    }
    let base = ports.first().map_or(&[][..], |r| r.owners.as_slice());
    let mine: Vec<&Owner> = gateways
        .iter()
        .filter(|g| g.class == Class::ThisGateway)
        .collect();
    let mut findings: Vec<Finding> = obs
        .listen_error
        .iter()
        .map(|e| table_unreadable(e))
        .collect();
    findings.extend(base.iter().map(|o| base_verdict(obs, o, handshake)));
    findings.extend(derived_taken(&ports));
    findings.extend(obs.locks.iter().filter_map(stale_lock));
    findings.extend(obs.lock_errors.iter().map(|e| lock_unreadable(e)));
    findings.extend(not_listening(obs, &mine));
    findings.extend(multiple_gateways(obs, &mine));
    findings.extend(supervisor.and_then(|s| not_supervised(obs, base, s)));
    if base.is_empty() && mine.is_empty() {
        findings.push(gateway_down(obs));
    }
    findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
    PortsReport {
        state_dir: obs.state_dir.clone(),
        config_path: obs.config_path.clone(),
        port: obs.port,
        port_rule: obs.port_rule.clone(),
        ports,
        handshake: handshake.cloned(),
        locks: obs.locks.clone(),
        lock_errors: obs.lock_errors.clone(),
        gateways,
        findings,
    }
}

/// A gateway that authenticated us tells its own state dir: trust it over guesses.
fn trust_hello(obs: &Observation, h: &Handshake, ports: &mut [PortRow], gateways: &mut [Owner]) {
    let (Some(pid), Some(dir)) = (h.pid, &h.state_dir) else {
        return;
    };
    let base = ports
        .first_mut()
        .map_or(&mut [][..], |r| r.owners.as_mut_slice());
    for owner in base.iter_mut().chain(gateways.iter_mut()) {
        if owner.pid == Some(pid) && owner.process.as_ref().is_some_and(|p| p.is_gateway()) {
            owner.state_dir = Some(PathBuf::from(dir));
            owner.state_dir_from = Some("the gateway's hello (authenticated)".into());
            owner.class = if obs.is_this_state_dir(Path::new(dir)) {
                Class::ThisGateway
            } else {
                Class::OtherGateway
            };
        }
    }
}

/// A finding about the base port's owner `owner`.
fn on_base(obs: &Observation, owner: &Owner, code: &'static str, summary: String) -> Finding {
    Finding::new(code, Severity::Error, summary)
        .with_pid(owner.pid)
        .with_port(obs.port)
}

/// Who holds the base port, and what that means.
fn base_verdict(obs: &Observation, owner: &Owner, handshake: Option<&Handshake>) -> Finding {
    let evidence = owner_evidence(owner, handshake);
    let hung = handshake.is_some_and(Handshake::is_hung);
    match owner.class {
        Class::Hidden => hidden_owner(obs, owner),
        Class::Foreign if publishes_a_container(owner, handshake) => in_container(obs, owner),
        Class::Foreign | Class::GatewayChild => foreign_listener(obs, owner),
        _ if hung => hung_gateway(obs, owner),
        Class::ThisGateway => own_gateway(obs, owner),
        Class::OtherGateway => zombie_gateway(obs, owner),
    }
    .with_evidence(evidence)
    .with_evidence(extra_evidence(obs, owner, hung))
}

/// The process, its addresses, and the handshake: what every base-port verdict rests on.
fn owner_evidence(owner: &Owner, handshake: Option<&Handshake>) -> Vec<String> {
    let process = owner.process.as_ref().map(|p| {
        let user = p.user.clone().or(p.uid.map(|u| u.to_string()));
        format!(
            "pid {} ({}), user {}, `{}`",
            p.pid,
            p.name,
            user.unwrap_or("?".into()),
            p.command()
        )
    });
    let addrs: Vec<String> = owner.addrs.iter().map(|a| a.to_string()).collect();
    let mut lines: Vec<String> = process.into_iter().collect();
    lines.push(format!("listens on {}", addrs.join(", ")));
    lines.extend(handshake.map(handshake_evidence));
    lines
}

fn handshake_evidence(h: &Handshake) -> String {
    let message = h.verdict.message().map(|m| format!(" ({m})"));
    let boot = h.boot_id.as_deref().map(|b| format!(", boot {b}"));
    format!(
        "handshake on {} as the CLI: {}{}{}",
        h.url,
        h.verdict.name(),
        message.unwrap_or_default(),
        boot.unwrap_or_default()
    )
}

/// What a gateway verdict adds: the lock that names it, and the state dir it serves.
fn extra_evidence(obs: &Observation, owner: &Owner, hung: bool) -> Vec<String> {
    let lock = owner.pid.and_then(|pid| lock_evidence(&obs.locks, pid));
    match owner.class {
        Class::Hidden | Class::Foreign | Class::GatewayChild => Vec::new(),
        _ if hung => lock.into_iter().collect(),
        Class::ThisGateway => {
            let serves = owner
                .state_dir_from
                .as_ref()
                .map(|from| format!("serves {} ({from})", obs.state_dir.display()));
            lock.into_iter().chain(serves).collect()
        }
        Class::OtherGateway => vec![
            match (&owner.state_dir, &owner.state_dir_from) {
                (Some(d), Some(from)) => format!("serves {} ({from})", d.display()),
                _ => "its state dir is not visible (no readable environment, no lock names it)"
                    .into(),
            },
            format!("this install's state dir is {}", obs.state_dir.display()),
        ],
    }
}

fn lock_evidence(locks: &[LockRow], pid: u32) -> Option<String> {
    locks
        .iter()
        .find(|l| l.lock.pid == pid && l.liveness == Liveness::Alive)
        .map(|l| format!("lock {} names pid {pid}", l.lock.path.display()))
}

fn hidden_owner(obs: &Observation, owner: &Owner) -> Finding {
    let base = obs.port;
    let summary = if owner.uid == Some(obs.uid) {
        format!(
            "port {base} is held by a socket of yours whose process cannot be found (it may be exiting right now)"
        )
    } else {
        format!(
            "port {base} is held by a process of uid {} that you cannot see",
            owner.uid.map_or("?".into(), |u| u.to_string())
        )
    };
    on_base(obs, owner, codes::PORT_OWNER_HIDDEN, summary).next(format!(
        "sudo ss -ltnp 'sport = :{base}'   # name the owner"
    ))
}

/// The processes that publish a container's port on the host (Docker, Podman, rootless
/// networking, Docker Desktop).
const FORWARDERS: &[&str] = &[
    "docker-proxy",
    "rootlesskit",
    "rootlessport",
    "slirp4netns",
    "pasta",
    "pasta.avx2",
    "conmon",
    "vpnkit",
    "com.docker.backend",
    "gvproxy",
];

/// A port forwarder holds the port and an OpenClaw gateway answers through it.
fn publishes_a_container(owner: &Owner, handshake: Option<&Handshake>) -> bool {
    owner
        .process
        .as_ref()
        .is_some_and(|p| FORWARDERS.contains(&p.name.as_str()))
        && handshake.is_some_and(Handshake::gateway_answered)
}

/// The gateway runs in a container whose port `owner` publishes: not a foreign program.
fn in_container(obs: &Observation, owner: &Owner) -> Finding {
    let name = owner
        .process
        .as_ref()
        .map_or("?".into(), |p| p.name.clone());
    let summary = format!(
        "port {} is published by `{name}` for a container, and an OpenClaw gateway answers through it: the gateway runs in the container (its process, service and log are inside it)",
        obs.port
    );
    let mut f = on_base(obs, owner, codes::GATEWAY_IN_CONTAINER, summary).next(
        "docker compose logs openclaw-gateway (or docker logs <container>); compare the secrets: clawkit doctor --docker-dir <the compose directory>",
    );
    f.severity = Severity::Info;
    f
}

fn foreign_listener(obs: &Observation, owner: &Owner) -> Finding {
    let name = owner
        .process
        .as_ref()
        .map_or("?".into(), |p| p.name.clone());
    let summary = format!(
        "port {} is held by `{name}`, which is not an OpenClaw gateway: the gateway cannot bind it and clients reach the wrong program",
        obs.port
    );
    on_base(obs, owner, codes::FOREIGN_LISTENER, summary)
        .with_kill(Kill::Foreign)
        .next("stop that program, or move the gateway: clawkit config set gateway.port <free port>; or `clawkit ports --kill --kill-foreign` if you are sure")
}

fn hung_gateway(obs: &Observation, owner: &Owner) -> Finding {
    let whose = if owner.class == Class::ThisGateway {
        "this state dir's".to_string()
    } else {
        describe_other(owner)
    };
    let summary = format!(
        "the OpenClaw gateway on port {} ({whose}) accepts connections but does not answer",
        obs.port
    );
    on_base(obs, owner, codes::HUNG_GATEWAY, summary)
        .with_kill(Kill::Gateway)
        .next("clawkit ports --kill   # then start it again: clawkit gateway start")
}

fn own_gateway(obs: &Observation, owner: &Owner) -> Finding {
    let summary = format!(
        "port {} is held by this state dir's gateway (pid {})",
        obs.port,
        owner.pid.unwrap_or(0)
    );
    let mut f = on_base(obs, owner, codes::OWN_GATEWAY, summary);
    f.severity = Severity::Ok;
    f
}

fn zombie_gateway(obs: &Observation, owner: &Owner) -> Finding {
    let summary = format!(
        "port {} is held by another OpenClaw gateway ({}): your clients talk to it, with its credentials, not to this install's gateway",
        obs.port,
        describe_other(owner)
    );
    on_base(obs, owner, codes::ZOMBIE_GATEWAY, summary)
        .with_kill(Kill::Gateway)
        .next("clawkit ports --kill   # stops only that gateway, then: clawkit gateway start")
}

fn describe_other(owner: &Owner) -> String {
    match &owner.state_dir {
        Some(d) => format!("pid {}, state dir {}", owner.pid.unwrap_or(0), d.display()),
        None => format!("pid {}, state dir unknown", owner.pid.unwrap_or(0)),
    }
}

fn table_unreadable(error: &str) -> Finding {
    Finding::new(
        codes::SOCKET_TABLE_UNREADABLE,
        Severity::Error,
        format!("clawkit cannot read the TCP listen table: {error}"),
    )
}

/// Derived ports held by something that is neither a gateway nor its child.
fn derived_taken(ports: &[PortRow]) -> Vec<Finding> {
    let taken = |row: &PortRow, owner: &Owner| {
        let who = owner
            .process
            .as_ref()
            .map_or("a hidden process".into(), |p| {
                format!("`{}` (pid {})", p.name, p.pid)
            });
        let summary = format!(
            "port {} ({}) is held by {who}: that gateway feature will fail to start",
            row.port, row.role
        );
        Finding::new(codes::DERIVED_PORT_TAKEN, Severity::Warning, summary)
            .with_pid(owner.pid)
            .with_port(row.port)
    };
    ports
        .iter()
        .skip(1)
        .flat_map(|row| row.owners.iter().map(move |o| (row, o)))
        .filter(|(_, o)| matches!(o.class, Class::Foreign | Class::Hidden))
        .map(|(row, o)| taken(row, o))
        .collect()
}

fn stale_lock(l: &LockRow) -> Option<Finding> {
    let why = match &l.liveness {
        Liveness::Alive => return None,
        Liveness::Dead => format!("pid {} is not running", l.lock.pid),
        Liveness::Reused { reason } => reason.clone(),
    };
    let summary = format!(
        "stale gateway lock {}: {why} (a gateway that did not stop cleanly)",
        l.lock.path.display()
    );
    let recorded = format!(
        "lock: pid {}, port {}, created {}",
        l.lock.pid,
        l.lock.port.map_or("?".into(), |p| p.to_string()),
        l.lock.created_at.as_deref().unwrap_or("?")
    );
    Some(
        Finding::new(codes::STALE_LOCK, Severity::Warning, summary)
            .evidence(recorded)
            .with_port(l.lock.port)
            .next("harmless: the next gateway start takes the lock over; `clawkit gateway start` to run it"),
    )
}

fn lock_unreadable(error: &str) -> Finding {
    Finding::new(codes::LOCK_UNREADABLE, Severity::Warning, error)
}

/// The ports `pid` listens on, sorted.
fn listening(obs: &Observation, pid: u32) -> Vec<u16> {
    let mut ports: Vec<u16> = obs
        .listeners
        .iter()
        .filter(|l| l.pid == Some(pid))
        .map(|l| l.addr.port())
        .collect();
    ports.sort_unstable();
    ports.dedup();
    ports
}

fn base_held_by(obs: &Observation, mine: &[&Owner]) -> bool {
    mine.iter()
        .any(|g| g.pid.is_some_and(|p| listening(obs, p).contains(&obs.port)))
}

/// Gateways of this state dir that do not hold the base port.
fn not_listening(obs: &Observation, mine: &[&Owner]) -> Vec<Finding> {
    // A duplicate beside the gateway that holds the port may be stopped; the only gateway of
    // this state dir is restarted instead.
    let duplicate = base_held_by(obs, mine);
    let base = obs.port;
    let one = |g: &Owner| {
        let pid = g.pid.unwrap_or(0);
        let ports = listening(obs, pid);
        if ports.contains(&base) {
            return None;
        }
        let summary = if ports.is_empty() {
            format!(
                "this state dir's gateway (pid {pid}) runs but listens on no port (still starting, or stuck before binding {base})"
            )
        } else {
            let list: Vec<String> = ports.iter().map(|p| p.to_string()).collect();
            format!(
                "this state dir's gateway (pid {pid}) listens on {} but clients expect port {base} ({})",
                list.join(", "),
                obs.port_rule
            )
        };
        let serves = g
            .state_dir_from
            .iter()
            .map(|f| format!("serves {} ({f})", obs.state_dir.display()));
        Some(
            Finding::new(codes::GATEWAY_NOT_LISTENING, Severity::Error, summary)
                .with_evidence(serves)
                .with_pid(pid)
                .with_port(base)
                .with_kill(duplicate.then_some(Kill::Gateway))
                .next(if duplicate {
                    "clawkit ports --kill   # stops this duplicate, not the gateway on the port"
                } else {
                    "clawkit gateway restart"
                }),
        )
    };
    mine.iter().filter_map(|g| one(g)).collect()
}

fn multiple_gateways(obs: &Observation, mine: &[&Owner]) -> Option<Finding> {
    if mine.len() < 2 {
        return None;
    }
    let pids: Vec<String> = mine
        .iter()
        .filter_map(|g| g.pid)
        .map(|p| p.to_string())
        .collect();
    let summary = format!(
        "{} gateway processes serve this state dir: pids {}",
        mine.len(),
        pids.join(", ")
    );
    let each = mine.iter().map(|g| {
        let pid = g.pid.unwrap_or(0);
        format!("pid {pid}: listens on {:?}", listening(obs, pid))
    });
    let next = if base_held_by(obs, mine) {
        format!(
            "clawkit ports --kill   # stops the ones not holding port {}",
            obs.port
        )
    } else {
        "clawkit gateway stop, then clawkit ports --kill, then clawkit gateway start".into()
    };
    Some(
        Finding::new(codes::MULTIPLE_GATEWAYS, Severity::Error, summary)
            .with_evidence(each)
            .with_port(obs.port)
            .next(next),
    )
}

/// The base port held by a process that is neither the supervisor's main pid nor its child.
fn not_supervised(
    obs: &Observation,
    base: &[Owner],
    supervisor: &(String, u32),
) -> Option<Finding> {
    let (unit, main_pid) = (&supervisor.0, supervisor.1);
    let listener = base.iter().find_map(|o| o.pid)?;
    let parents = obs.lineage.get(&listener).map_or(&[][..], Vec::as_slice);
    if listener == main_pid || parents.contains(&main_pid) {
        return None;
    }
    let summary = format!(
        "port {} is held by pid {listener}, but {unit}'s main process is pid {main_pid}: the supervised gateway is not the one clients reach",
        obs.port
    );
    Some(
        Finding::new(codes::NOT_SUPERVISOR_MAIN_PID, Severity::Error, summary)
            .evidence(format!("{unit} MainPID={main_pid}"))
            .with_pid(listener)
            .with_port(obs.port)
            .next(
                "clawkit ports --kill   # stop the unsupervised one, then: clawkit gateway restart",
            ),
    )
}

fn gateway_down(obs: &Observation) -> Finding {
    let base = obs.port;
    Finding::new(
        codes::GATEWAY_DOWN,
        Severity::Error,
        format!("nothing listens on port {base} and no gateway runs for this state dir"),
    )
    .evidence(format!("port {base}: {}", obs.port_rule))
    .with_port(base)
    .next("clawkit gateway start")
}
