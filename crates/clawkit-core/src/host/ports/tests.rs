//! Table tests of both stages over a [`FakeHost`]: every verdict the inspection can reach, each
//! asserting its finding and the owner (or lock) it is about, so none passes on an empty report.

use super::*;
use crate::host::fake::FakeHost;
use crate::openclaw::config::{self, LoadedConfig};
use std::net::SocketAddr;
use std::path::Path;

const UID: u32 = 1000;
const PORT: u16 = 28789;
const GATEWAY: &[&str] = &["openclaw-gateway"];

fn at(port: u16) -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], port))
}

/// An install in a temp dir: `<tmp>/state`, port 28789 from the environment.
struct Install {
    _tmp: tempfile::TempDir,
    env: Env,
    paths: InstallPaths,
    config: LoadedConfig,
}

impl Install {
    fn new() -> Install {
        let tmp = tempfile::tempdir().unwrap();
        let state = tmp.path().join("state");
        std::fs::create_dir_all(&state).unwrap();
        let env = Env::from_pairs([
            ("HOME", tmp.path().display().to_string()),
            ("OPENCLAW_STATE_DIR", state.display().to_string()),
            ("OPENCLAW_GATEWAY_PORT", PORT.to_string()),
            ("TMPDIR", tmp.path().join("tmp").display().to_string()),
        ]);
        let paths = InstallPaths::resolve_without_cli(&env);
        let config = config::load(&paths.config_path.value, &env).unwrap();
        Install {
            _tmp: tmp,
            env,
            paths,
            config,
        }
    }

    fn state_dir(&self) -> &Path {
        &self.paths.state_dir.value
    }

    /// The environment of a gateway of this install.
    fn ours(&self) -> Vec<(&'static str, String)> {
        vec![("OPENCLAW_STATE_DIR", self.state_dir().display().to_string())]
    }

    /// Writes this state dir's `gateway.state.lock` naming `pid` with start tick `tick`.
    fn lock(&self, pid: u32, tick: u64) {
        let dir = self.paths.lock_dir(UID);
        std::fs::create_dir_all(&dir).unwrap();
        let text = format!(r#"{{"pid":{pid},"port":{PORT},"startTime":{tick}}}"#);
        std::fs::write(dir.join("gateway.state.lock"), text).unwrap();
    }

    fn inputs<'a>(&'a self, host: &'a FakeHost) -> Inputs<'a> {
        Inputs {
            paths: &self.paths,
            config: &self.config,
            env: &self.env,
            host,
            supervisor: None,
            handshake_timeout: Duration::from_millis(100),
        }
    }
}

fn with_env(host: FakeHost, pid: u32, env: &[(&str, String)]) -> FakeHost {
    let pairs: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    host.with_environ(pid, &pairs)
}

fn answered(verdict: Verdict, pid: Option<u32>, state_dir: Option<&Path>) -> Handshake {
    Handshake {
        url: format!("ws://127.0.0.1:{PORT}"),
        verdict,
        server_version: Some("2026.9.6".into()),
        boot_id: Some("b-1".into()),
        uptime_ms: Some(1000),
        pid,
        state_dir: state_dir.map(|d| d.display().to_string()),
        elapsed_ms: 3,
    }
}

fn ok_from(pid: u32, install: &Install) -> Handshake {
    answered(Verdict::Ok, Some(pid), Some(install.state_dir()))
}

/// One case: a machine, what the gateway answered, and what must be concluded.
struct Case {
    name: &'static str,
    install: Install,
    host: FakeHost,
    handshake: Option<Handshake>,
    supervisor: Option<(String, u32)>,
    /// (code, the finding's pid) that must be among the findings.
    findings: Vec<(&'static str, Option<u32>)>,
    /// Codes that must not be.
    absent: Vec<&'static str>,
    /// (pid, class) of an owner that must be on the base port or among the gateways.
    owner: Option<(u32, Class)>,
}

impl Case {
    fn new(name: &'static str, install: Install, host: FakeHost) -> Case {
        Case {
            name,
            install,
            host,
            handshake: None,
            supervisor: None,
            findings: Vec::new(),
            absent: Vec::new(),
            owner: None,
        }
    }
}

fn run(case: &Case) -> PortsReport {
    let inputs = case.install.inputs(&case.host);
    let obs = observe(&inputs);
    let report = judge(&obs, case.handshake.as_ref(), case.supervisor.as_ref());
    let name = case.name;
    for (code, pid) in &case.findings {
        assert!(
            report
                .findings
                .iter()
                .any(|f| f.code == *code && f.pid == *pid),
            "{name}: no {code} for {pid:?}:\n{:#?}",
            report.findings
        );
    }
    for code in &case.absent {
        assert!(
            report.findings.iter().all(|f| f.code != *code),
            "{name}: unexpected {code}:\n{:#?}",
            report.findings
        );
    }
    if let Some((pid, class)) = &case.owner {
        let owners = || report.ports[0].owners.iter().chain(&report.gateways);
        assert!(
            owners().any(|o| o.pid == Some(*pid) && o.class == *class),
            "{name}: no {class:?} owner with pid {pid}:\n{report:#?}"
        );
    }
    report
}

fn this_gateway() -> Case {
    let install = Install::new();
    install.lock(100, 100);
    let host = FakeHost::new(UID)
        .with_running(100, 1, GATEWAY)
        .with_listener(at(PORT), 100);
    let host = with_env(host, 100, &install.ours());
    let mut case = Case::new("this gateway", install, host);
    case.handshake = Some(ok_from(100, &case.install));
    case.findings = vec![("own-gateway", Some(100))];
    case.absent = vec!["zombie-gateway", "gateway-down", "stale-lock"];
    case.owner = Some((100, Class::ThisGateway));
    case
}

fn zombie_of_another_state_dir() -> Case {
    let install = Install::new();
    let other = install.state_dir().with_file_name("other-state");
    let host = FakeHost::new(UID)
        .with_running(200, 1, GATEWAY)
        .with_listener(at(PORT), 200);
    let env = [("OPENCLAW_STATE_DIR", other.display().to_string())];
    let host = with_env(host, 200, &env);
    let mut case = Case::new("zombie gateway", install, host);
    let mismatch = Verdict::GatewayTokenMismatch {
        message: "unauthorized: gateway token mismatch".into(),
    };
    case.handshake = Some(answered(mismatch, None, None));
    case.findings = vec![("zombie-gateway", Some(200))];
    case.absent = vec!["own-gateway"];
    case.owner = Some((200, Class::OtherGateway));
    case
}

fn hung_gateway() -> Case {
    let mut case = this_gateway();
    case.name = "hung gateway";
    let silent = Verdict::NotAGateway {
        detail: "the WebSocket opened but no connect.challenge came within 100 ms".into(),
    };
    case.handshake = Some(answered(silent, None, None));
    case.findings = vec![("hung-gateway", Some(100))];
    case.absent = vec!["own-gateway"];
    case
}

fn foreign_listener() -> Case {
    let host = FakeHost::new(UID)
        .with_running(300, 1, &["python3", "-m", "http.server"])
        .with_listener(at(PORT), 300);
    let mut case = Case::new("foreign listener", Install::new(), host);
    case.handshake = Some(answered(
        Verdict::NotAGateway {
            detail: "HTTP 404 instead of a WebSocket upgrade".into(),
        },
        None,
        None,
    ));
    case.findings = vec![("foreign-listener", Some(300))];
    case.owner = Some((300, Class::Foreign));
    case
}

/// docker-proxy publishes a container's gateway: the gateway answers through it.
fn gateway_in_a_container() -> Case {
    let host = FakeHost::new(UID)
        .with_running(
            310,
            1,
            &["docker-proxy", "-proto", "tcp", "-host-port", "28789"],
        )
        .with_listener(at(PORT), 310);
    let mut case = Case::new("gateway in a container", Install::new(), host);
    case.handshake = Some(answered(
        Verdict::GatewayTokenMismatch {
            message: "unauthorized: gateway token mismatch".into(),
        },
        None,
        None,
    ));
    case.findings = vec![("gateway-in-container", Some(310))];
    case.absent = vec!["foreign-listener"];
    case
}

/// docker-proxy for a container that is not a gateway: a foreign listener after all.
fn container_that_is_not_a_gateway() -> Case {
    let mut case = gateway_in_a_container();
    case.name = "a container that is not a gateway";
    case.handshake = Some(answered(
        Verdict::NotAGateway {
            detail: "HTTP 404 instead of a WebSocket upgrade".into(),
        },
        None,
        None,
    ));
    case.findings = vec![("foreign-listener", Some(310))];
    case.absent = vec!["gateway-in-container"];
    case
}

fn gateway_child_on_the_port() -> Case {
    let install = Install::new();
    let host = FakeHost::new(UID)
        .with_running(100, 1, GATEWAY)
        .with_running(301, 100, &["chromium", "--remote-debugging-port"])
        .with_listener(at(PORT), 301)
        .with_listener(at(PORT + 1), 100);
    let host = with_env(host, 100, &install.ours());
    let mut case = Case::new("gateway's child", install, host);
    case.findings = vec![
        ("foreign-listener", Some(301)),
        ("gateway-not-listening", Some(100)),
    ];
    case.owner = Some((301, Class::GatewayChild));
    case
}

fn hidden_owner() -> Case {
    let host = FakeHost::new(UID).with_hidden_listener(at(PORT), 0);
    let mut case = Case::new("hidden owner", Install::new(), host);
    case.findings = vec![("port-owner-hidden", None)];
    case.absent = vec!["gateway-down"];
    case
}

fn stale_lock_dead_pid() -> Case {
    let install = Install::new();
    install.lock(4242, 4242);
    let mut case = Case::new("stale lock, dead pid", install, FakeHost::new(UID));
    case.findings = vec![("stale-lock", None), ("gateway-down", None)];
    case
}

fn stale_lock_reused_pid() -> Case {
    let install = Install::new();
    install.lock(500, 1);
    let host = FakeHost::new(UID).with_running(500, 1, &["bash"]);
    let mut case = Case::new("stale lock, reused pid", install, host);
    case.findings = vec![("stale-lock", None)];
    case
}

fn two_gateways_for_one_state_dir() -> Case {
    let install = Install::new();
    let host = FakeHost::new(UID)
        .with_running(100, 1, GATEWAY)
        .with_running(101, 1, GATEWAY)
        .with_listener(at(PORT), 100);
    let host = with_env(host, 100, &install.ours());
    let host = with_env(host, 101, &install.ours());
    let mut case = Case::new("two gateways", install, host);
    case.handshake = Some(ok_from(100, &case.install));
    case.findings = vec![
        ("multiple-gateways", None),
        ("gateway-not-listening", Some(101)),
        ("own-gateway", Some(100)),
    ];
    case.owner = Some((101, Class::ThisGateway));
    case
}

fn not_the_supervisors_main_pid() -> Case {
    let mut case = this_gateway();
    case.name = "not the supervisor's main pid";
    case.supervisor = Some(("openclaw-gateway.service".into(), 90));
    case.findings = vec![
        ("not-supervisor-main-pid", Some(100)),
        ("own-gateway", Some(100)),
    ];
    case
}

fn supervised_through_a_parent() -> Case {
    let mut case = this_gateway();
    case.name = "supervised through a parent";
    case.host = case
        .host
        .with_running(100, 90, GATEWAY)
        .with_running(90, 1, &["node"]);
    case.supervisor = Some(("openclaw-gateway.service".into(), 90));
    case.absent = vec!["not-supervisor-main-pid"];
    case
}

fn listening_elsewhere() -> Case {
    let install = Install::new();
    let host = FakeHost::new(UID)
        .with_running(100, 1, GATEWAY)
        .with_listener(at(29999), 100);
    let host = with_env(host, 100, &install.ours());
    let mut case = Case::new("listening elsewhere", install, host);
    case.findings = vec![("gateway-not-listening", Some(100))];
    case.absent = vec!["gateway-down", "multiple-gateways"];
    case.owner = Some((100, Class::ThisGateway));
    case
}

fn free_port() -> Case {
    let mut case = Case::new("free port", Install::new(), FakeHost::new(UID));
    case.findings = vec![("gateway-down", None)];
    case
}

fn hello_outranks_the_environment() -> Case {
    // The environment names another state dir, but the gateway that authenticated us says it
    // serves this one: the row and the verdict both follow the gateway.
    let mut case = zombie_of_another_state_dir();
    case.name = "hello outranks the environment";
    case.handshake = Some(ok_from(200, &case.install));
    case.findings = vec![("own-gateway", Some(200))];
    case.absent = vec!["zombie-gateway"];
    case.owner = Some((200, Class::ThisGateway));
    case
}

fn unreadable_listen_table() -> Case {
    let host = FakeHost::new(UID).with_listen_error("permission denied");
    let mut case = Case::new("unreadable listen table", Install::new(), host);
    case.findings = vec![("socket-table-unreadable", None)];
    case
}

#[test]
fn judge_reaches_every_verdict() {
    let cases = [
        this_gateway(),
        zombie_of_another_state_dir(),
        hung_gateway(),
        foreign_listener(),
        gateway_in_a_container(),
        container_that_is_not_a_gateway(),
        gateway_child_on_the_port(),
        hidden_owner(),
        stale_lock_dead_pid(),
        stale_lock_reused_pid(),
        two_gateways_for_one_state_dir(),
        not_the_supervisors_main_pid(),
        supervised_through_a_parent(),
        listening_elsewhere(),
        free_port(),
        hello_outranks_the_environment(),
        unreadable_listen_table(),
    ];
    for case in &cases {
        let report = run(case);
        assert!(!report.findings.is_empty(), "{}", case.name);
    }
}

#[test]
fn kill_permissions_follow_the_verdict() {
    let kill_of = |case: Case, code: &str| {
        let report = run(&case);
        let f = report.findings.iter().find(|f| f.code == code).unwrap();
        (
            f.kill,
            report.killable(false).len(),
            report.killable(true).len(),
        )
    };
    assert_eq!(
        kill_of(zombie_of_another_state_dir(), "zombie-gateway"),
        (Some(Kill::Gateway), 1, 1)
    );
    assert_eq!(
        kill_of(foreign_listener(), "foreign-listener"),
        (Some(Kill::Foreign), 0, 1)
    );
    assert_eq!(kill_of(this_gateway(), "own-gateway"), (None, 0, 0));
    // The duplicate beside the gateway on the port may be stopped; a lone gateway that listens
    // elsewhere is restarted instead.
    let (kill, ..) = kill_of(two_gateways_for_one_state_dir(), "gateway-not-listening");
    assert_eq!(kill, Some(Kill::Gateway));
    let (kill, ..) = kill_of(listening_elsewhere(), "gateway-not-listening");
    assert_eq!(kill, None);
}

#[test]
fn hidden_owner_of_this_user_or_another() {
    let report = run(&hidden_owner());
    let f = &report.findings[0];
    assert!(f.summary.contains("uid 0 that you cannot see"), "{f:?}");
    assert_eq!(report.ports[0].owners[0].class, Class::Hidden);
    assert_eq!(report.ports[0].owners[0].uid, Some(0));
    let mine = Case::new(
        "hidden, mine",
        Install::new(),
        FakeHost::new(UID).with_hidden_listener(at(PORT), UID),
    );
    let report = run(&mine);
    assert!(report.findings[0].summary.contains("a socket of yours"));
}

#[test]
fn observe_classifies_from_the_machine_alone() {
    // Lock file: this state dir's lock names pid 100, whose environment is unreadable.
    let case = this_gateway();
    let host = FakeHost {
        environs: Default::default(),
        ..case.host.clone()
    };
    let obs = observe(&case.install.inputs(&host));
    let owner = &obs.base_owners()[0];
    assert_eq!((owner.pid, &owner.class), (Some(100), &Class::ThisGateway));
    assert_eq!(
        owner.state_dir_from.as_deref(),
        Some("this state dir's lock file names it")
    );
    assert_eq!(obs.locks[0].liveness, Liveness::Alive);
    assert_eq!(obs.handshake_url().as_deref(), Some("ws://127.0.0.1:28789"));
    assert_eq!(
        obs.lineage.get(&100).map(Vec::as_slice),
        Some(&[100, 1][..])
    );

    // Environment: another state dir.
    let case = zombie_of_another_state_dir();
    let obs = observe(&case.install.inputs(&case.host));
    let owner = &obs.base_owners()[0];
    assert_eq!(owner.class, Class::OtherGateway);
    assert_eq!(owner.state_dir_from.as_deref(), Some("its environment"));
    assert!(owner.state_dir.as_ref().unwrap().ends_with("other-state"));
    assert!(!obs.is_this_state_dir(owner.state_dir.as_ref().unwrap()));
    assert!(obs.is_this_state_dir(case.install.state_dir()));

    // Nothing listens: no handshake to make, but the base port has its row.
    let case = free_port();
    let obs = observe(&case.install.inputs(&case.host));
    assert_eq!(obs.handshake_url(), None);
    assert_eq!((obs.ports.len(), obs.ports[0].port), (1, PORT));

    // IPv6 only: the handshake goes to [::1].
    let host = FakeHost::new(UID)
        .with_running(100, 1, GATEWAY)
        .with_listener(SocketAddr::from(([0u16, 0, 0, 0, 0, 0, 0, 1], PORT)), 100);
    let install = Install::new();
    let obs = observe(&install.inputs(&host));
    assert_eq!(obs.handshake_url().as_deref(), Some("ws://[::1]:28789"));
}

#[test]
fn observe_reads_stale_locks_and_derived_ports() {
    let case = stale_lock_reused_pid();
    let obs = observe(&case.install.inputs(&case.host));
    assert_eq!(obs.locks.len(), 1);
    assert_eq!(obs.locks[0].lock.pid, 500);
    assert!(
        // Lock start times are Linux ticks; elsewhere the pid's command line decides.
        matches!(&obs.locks[0].liveness, Liveness::Reused { reason }
            if reason.contains(if cfg!(target_os = "linux") { "tick 500" } else { "not a gateway" })),
        "{:?}",
        obs.locks[0]
    );
    let case = stale_lock_dead_pid();
    let obs = observe(&case.install.inputs(&case.host));
    assert_eq!(
        (obs.locks[0].lock.pid, &obs.locks[0].liveness),
        (4242, &Liveness::Dead)
    );

    // A derived port held by a foreign program.
    let sandbox = crate::openclaw::install::DerivedPorts::from_base(PORT).sandbox;
    let host = FakeHost::new(UID)
        .with_running(300, 1, &["nginx"])
        .with_listener(at(sandbox), 300);
    let case = Case::new("derived port taken", Install::new(), host);
    let report = run(&case);
    let row = report.ports.iter().find(|r| r.port == sandbox).unwrap();
    assert_eq!(row.owners[0].class, Class::Foreign);
    assert!(
        report
            .findings
            .iter()
            .any(|f| f.code == "derived-port-taken" && f.pid == Some(300))
    );
}

#[test]
fn report_json_keeps_its_shape() {
    let report = run(&this_gateway());
    let v = serde_json::to_value(&report).unwrap();
    for key in [
        "stateDir",
        "configPath",
        "port",
        "portRule",
        "ports",
        "handshake",
        "locks",
        "lockErrors",
        "gateways",
        "findings",
    ] {
        assert!(v.get(key).is_some(), "{key} missing: {v:#}");
    }
    assert_eq!(v["handshake"]["verdict"]["verdict"], "ok");
    assert_eq!(v["ports"][0]["owners"][0]["class"], "this-gateway");
    assert_eq!(v["findings"][0]["code"], "own-gateway");
    assert_eq!(v["locks"][0]["liveness"]["state"], "alive");
}
