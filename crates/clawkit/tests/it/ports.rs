//! `clawkit ports`: every verdict on a real process setup, and `--kill` stopping exactly the
//! processes it may.

use crate::util::{alive, clawkit_with_env, per_version, run};
use clawkit_testkit::{
    ClientHome, ForeignListener, Gateway, GatewayOptions, PortState, V2026_9, free_port,
    port_state, shared_gateway,
};
use serde_json::Value;
use std::time::{Duration, Instant};

fn ports_json(env: &[(String, String)], extra: &[&str]) -> (Option<i32>, Value) {
    let r = run(clawkit_with_env(env).args(["ports", "--json"]).args(extra));
    (r.code, r.json())
}

fn finding<'a>(doc: &'a Value, code: &str) -> &'a Value {
    doc["report"]["findings"]
        .as_array()
        .and_then(|f| f.iter().find(|f| f["code"] == code))
        .unwrap_or_else(|| panic!("no `{code}` finding in {doc:#}"))
}

fn codes(doc: &Value) -> Vec<String> {
    doc["report"]["findings"]
        .as_array()
        .map(|f| {
            f.iter()
                .map(|f| f["code"].as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// A client install (its own home and state dir) whose config points at `port`.
fn client_expecting(port: u16, token: &str) -> ClientHome {
    let client = ClientHome::new(V2026_9).unwrap();
    client
        .write_config(&format!(
            "{{ gateway: {{ port: {port}, auth: {{ token: \"{token}\" }} }} }}"
        ))
        .unwrap();
    client
}

per_version!(own_gateway_is_recognised_by_lock_and_handshake, |version| {
    let gw = shared_gateway(version).unwrap();
    let (code, doc) = ports_json(gw.env(), &[]);
    assert_eq!(code, Some(0), "{doc:#}");
    let own = finding(&doc, "own-gateway");
    assert_eq!(own["pid"], gw.pid());
    assert_eq!(own["severity"], "ok");
    let evidence = own["evidence"].to_string();
    assert!(
        evidence.contains("handshake on ws://127.0.0.1:"),
        "{evidence}"
    );
    assert!(evidence.contains(": ok"), "{evidence}");
    let row = &doc["report"]["ports"][0];
    assert_eq!(row["port"], gw.port());
    assert_eq!(row["owners"][0]["class"], "this-gateway");
    assert_eq!(row["owners"][0]["process"]["name"], "openclaw-gatewa");
    // Both loopback sockets are the gateway's.
    assert_eq!(
        row["owners"][0]["addrs"].as_array().unwrap().len(),
        2,
        "{row:#}"
    );
    if version == V2026_9 {
        assert!(
            evidence.contains("gateway.state.lock names pid"),
            "2026.9 keeps its lock in the state dir: {evidence}"
        );
    }
    // The human table says the same.
    let r = run(clawkit_with_env(gw.env()).arg("ports"));
    assert!(r.stdout.contains("this gateway"), "{r}");
    assert!(
        r.stdout.contains(&format!(
            "port {} is held by this state dir's gateway (pid {})",
            gw.port(),
            gw.pid()
        )),
        "{r}"
    );
});

#[test]
fn gateway_of_this_state_dir_listening_elsewhere() {
    let gw = shared_gateway(V2026_9).unwrap();
    let expected = free_port();
    let mut env = gw.env().to_vec();
    env.push(("OPENCLAW_GATEWAY_PORT".into(), expected.to_string()));
    let (code, doc) = ports_json(&env, &[]);
    assert_eq!(code, Some(1), "{doc:#}");
    let f = finding(&doc, "gateway-not-listening");
    assert_eq!(f["pid"], gw.pid());
    let summary = f["summary"].as_str().unwrap();
    assert!(
        summary.contains(&format!(
            "listens on {} but clients expect port {expected}",
            gw.port()
        )),
        "{summary}"
    );
    assert!(!codes(&doc).contains(&"gateway-down".to_string()));
}

#[test]
fn listener_that_is_not_the_supervisors_main_pid() {
    use clawkit_core::host::runner::{CommandOutput, RecordingRunner};
    // No service manager runs here: a recording runner answers for systemd (a fake, named
    // so); the processes are real.
    let gw = shared_gateway(V2026_9).unwrap();
    let env = clawkit_core::env::Env::from_pairs(gw.env().iter().cloned());
    // The supervisor's main process: a real process that is not the gateway nor its parent,
    // stopped when the test ends however it ends.
    struct Reaped(std::process::Child);
    impl Drop for Reaped {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let main = Reaped(
        std::process::Command::new("sleep")
            .arg("60")
            .spawn()
            .unwrap(),
    );
    let inspect = |main_pid: u32| {
        let show = format!("LoadState=loaded\nActiveState=active\nMainPID={main_pid}\n");
        let runner =
            RecordingRunner::new().reply("systemctl --user show", CommandOutput::ok(&show));
        let target = clawkit_core::target::Target {
            paths: clawkit_core::openclaw::install::InstallPaths::resolve(&env),
            env: env.clone(),
            host: std::sync::Arc::new(clawkit_core::host::ProcHost::new()),
            runner: std::sync::Arc::new(runner),
            manager: Some(clawkit_core::service::Manager::Systemd),
        };
        crate::util::runtime()
            .block_on(clawkit_core::probe::inspect_ports(
                &target,
                Duration::from_secs(3),
            ))
            .unwrap()
    };
    let report = inspect(main.0.id());
    let f = report
        .findings
        .iter()
        .find(|f| f.code == "not-supervisor-main-pid")
        .unwrap_or_else(|| panic!("{report:#?}"));
    assert_eq!(f.pid, Some(gw.pid()));
    assert!(
        f.summary
            .contains(&format!("main process is pid {}", main.0.id()))
    );
    // With the supervisor's main pid being the gateway itself there is no such finding, and
    // the gateway is still recognised (not an empty report).
    let report = inspect(gw.pid());
    assert!(
        report.findings.iter().any(|f| f.code == "own-gateway"),
        "{report:#?}"
    );
    assert!(
        report
            .findings
            .iter()
            .all(|f| f.code != "not-supervisor-main-pid")
    );
}

#[test]
fn zombie_gateway_is_stopped_and_foreign_left_alone() {
    // An old gateway of another state dir holds the port this install's config names.
    let zombie = Gateway::start(GatewayOptions::new(V2026_9)).unwrap();
    let client = client_expecting(zombie.port(), "this-install-token-differs");
    // Something unrelated on a derived port (browser control = base + 2).
    let foreign = ForeignListener::http_on(zombie.port() + 2).unwrap();

    let (code, doc) = ports_json(client.env(), &[]);
    assert_eq!(code, Some(1), "{doc:#}");
    let z = finding(&doc, "zombie-gateway");
    assert_eq!(z["pid"], zombie.pid());
    assert_eq!(z["kill"], "gateway");
    let evidence = z["evidence"].to_string();
    assert!(
        evidence.contains(&zombie.state_dir().display().to_string()),
        "names the zombie's state dir: {evidence}"
    );
    assert!(evidence.contains("gateway token mismatch"), "{evidence}");
    let d = finding(&doc, "derived-port-taken");
    assert_eq!(d["pid"], foreign.pid());

    let r = run(clawkit_with_env(client.env()).args(["ports", "--kill"]));
    assert!(
        r.stdout.contains(&format!(
            "pid {} (openclaw-gatewa, zombie-gateway): stopped with SIGTERM",
            zombie.pid()
        )),
        "{r}"
    );
    assert!(!alive(zombie.pid()), "zombie stopped");
    assert!(alive(foreign.pid()), "foreign process left alone");
    crate::util::assert_released(zombie.port(), zombie.home());
    // Exit 1: the port is now free but this install's gateway is not running.
    assert_eq!(r.code, Some(1), "{r}");
    assert!(r.stdout.contains("[gateway-down]"), "{r}");
}

#[test]
fn healthy_gateway_is_never_killed() {
    let gw = Gateway::start(GatewayOptions::new(V2026_9)).unwrap();
    let r = run(clawkit_with_env(gw.env()).args(["ports", "--kill", "--kill-foreign", "--yes"]));
    assert_eq!(r.code, Some(0), "{r}");
    assert!(r.stdout.contains("nothing to stop"), "{r}");
    assert!(alive(gw.pid()));
    let (_, doc) = ports_json(gw.env(), &[]);
    assert_eq!(finding(&doc, "own-gateway")["pid"], gw.pid());
}

#[test]
fn hung_gateway_answers_nothing_and_can_be_stopped() {
    let gw = Gateway::start(GatewayOptions::new(V2026_9)).unwrap();
    // A stopped process: the kernel still accepts connections, nobody answers.
    unsafe { libc::kill(gw.pid() as i32, libc::SIGSTOP) };
    let (code, doc) = ports_json(gw.env(), &["--timeout-ms", "1500"]);
    assert_eq!(code, Some(1), "{doc:#}");
    let h = finding(&doc, "hung-gateway");
    assert_eq!(h["pid"], gw.pid());
    assert!(
        h["summary"].as_str().unwrap().contains("this state dir's"),
        "{h:#}"
    );
    let started = Instant::now();
    let r = run(clawkit_with_env(gw.env()).args(["ports", "--kill", "--timeout-ms", "1500"]));
    assert!(r.stdout.contains("hung-gateway): stopped"), "{r}");
    assert!(!alive(gw.pid()));
    assert!(started.elapsed() < Duration::from_secs(60));
    crate::util::assert_released(gw.port(), gw.home());
}

#[test]
fn foreign_listener_is_killed_only_when_asked_and_confirmed() {
    let foreign = ForeignListener::http().unwrap();
    let client = client_expecting(foreign.port(), "some-token");
    let (code, doc) = ports_json(client.env(), &[]);
    assert_eq!(code, Some(1));
    let f = finding(&doc, "foreign-listener");
    assert_eq!(f["pid"], foreign.pid());
    assert_eq!(f["kill"], "foreign");
    assert!(f["evidence"].to_string().contains("not a gateway"), "{f:#}");

    let r = run(clawkit_with_env(client.env()).args(["ports", "--kill"]));
    assert!(r.stdout.contains("--kill-foreign"), "{r}");
    assert!(alive(foreign.pid()));

    // Not a terminal and no --yes: refused, named.
    let r = run(clawkit_with_env(client.env()).args(["ports", "--kill", "--kill-foreign"]));
    assert_eq!(r.code, Some(2), "{r}");
    assert!(r.stderr.contains("--kill-foreign --yes"), "{r}");
    assert!(alive(foreign.pid()));

    let r =
        run(clawkit_with_env(client.env()).args(["ports", "--kill", "--kill-foreign", "--yes"]));
    assert!(r.stdout.contains("foreign-listener): stopped"), "{r}");
    assert!(!alive(foreign.pid()));
    assert_eq!(port_state(foreign.port()), PortState::Refused);
}

#[test]
fn stale_locks_dead_and_reused_pids() {
    let gw = Gateway::start(GatewayOptions::new(V2026_9)).unwrap();
    let env = gw.env().to_vec();
    let lock_dir = gw
        .state_dir()
        .join("tmp")
        .join(format!("openclaw-{}", unsafe { libc::getuid() }));
    // A crash: the locks stay behind.
    unsafe { libc::kill(gw.pid() as i32, libc::SIGKILL) };
    let deadline = Instant::now() + Duration::from_secs(10);
    // Dead, and its sockets gone (a killed multi-threaded process closes them last).
    while (alive(gw.pid()) || port_state(gw.port()) != PortState::Refused)
        && Instant::now() < deadline
    {
        std::thread::sleep(Duration::from_millis(50));
    }
    let state_lock = lock_dir.join("gateway.state.lock");
    assert!(state_lock.is_file(), "SIGKILL leaves the lock");
    // The other lock now names a live pid that is not the gateway (ours, a reused pid).
    let config_lock = std::fs::read_dir(&lock_dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| {
            let n = p.file_name().unwrap().to_string_lossy().to_string();
            n.starts_with("gateway.") && n.ends_with(".lock") && n != "gateway.state.lock"
        })
        .expect("per-config lock");
    let text = std::fs::read_to_string(&config_lock).unwrap();
    let mut lock: Value = serde_json::from_str(text.trim()).unwrap();
    lock["pid"] = std::process::id().into();
    // Recorded start time of "the gateway": not this process's (they can share a clock tick).
    lock["startTime"] = 1.into();
    std::fs::write(&config_lock, lock.to_string()).unwrap();

    let (code, doc) = ports_json(&env, &[]);
    assert_eq!(code, Some(1));
    let stale: Vec<&Value> = doc["report"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "stale-lock")
        .collect();
    assert_eq!(stale.len(), 2, "{doc:#}");
    let all = serde_json::to_string(&stale).unwrap();
    assert!(
        all.contains(&format!("pid {} is not running", gw.pid())),
        "{all}"
    );
    assert!(
        all.contains("the pid was reused") || all.contains("started at tick"),
        "{all}"
    );
    assert!(codes(&doc).contains(&"gateway-down".to_string()), "{doc:#}");
}

#[test]
fn two_gateways_for_one_state_dir_and_the_duplicate_is_stopped() {
    // 2026.7.1 keeps its lock in the process temp dir: a second gateway with another TMPDIR
    // (a service with PrivateTmp beside a hand-started one) runs on the same state dir.
    let first = Gateway::start(GatewayOptions::new(clawkit_testkit::V2026_7)).unwrap();
    let second =
        Gateway::start(GatewayOptions::new(clawkit_testkit::V2026_7).same_state_as(&first))
            .unwrap();
    let (code, doc) = ports_json(first.env(), &[]);
    assert_eq!(
        code,
        Some(1),
        "{doc:#}\n{}",
        std::fs::read_to_string(second.console_log()).unwrap()
    );
    let m = finding(&doc, "multiple-gateways");
    let summary = m["summary"].as_str().unwrap();
    assert!(
        summary.contains(&first.pid().to_string()) && summary.contains(&second.pid().to_string()),
        "{summary}"
    );
    let dup = finding(&doc, "gateway-not-listening");
    assert_eq!(dup["pid"], second.pid());
    assert_eq!(dup["kill"], "gateway");
    assert_eq!(finding(&doc, "own-gateway")["pid"], first.pid());

    let r = run(clawkit_with_env(first.env()).args(["ports", "--kill"]));
    assert!(
        r.stdout.contains(&format!(
            "pid {} (openclaw-gatewa, gateway-not-listening): stopped",
            second.pid()
        )),
        "{r}\n{}",
        std::fs::read_to_string(second.console_log()).unwrap()
    );
    assert!(!alive(second.pid()));
    assert!(alive(first.pid()), "the gateway on the port is left alone");
    assert_eq!(r.code, Some(0), "{r}");
}

#[test]
fn owner_not_visible_to_this_user_is_named_by_uid() {
    // Needs two users: the listener runs as this (root) user, clawkit as `nobody`, who cannot
    // see root's file descriptors. Elsewhere there is no second user to be.
    if unsafe { libc::getuid() } != 0 {
        eprintln!("skipped: needs root to run clawkit as another user");
        return;
    }
    use std::os::unix::fs::PermissionsExt;
    let foreign = ForeignListener::http().unwrap();
    let client = client_expecting(foreign.port(), "t");
    for dir in client.config_path().ancestors().skip(1) {
        if dir.starts_with(client.dir()) || dir == client.dir() {
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
    }
    std::fs::set_permissions(client.config_path(), std::fs::Permissions::from_mode(0o644)).unwrap();
    let clawkit = assert_cmd::cargo::cargo_bin("clawkit");
    let mut cmd = assert_cmd::Command::new("setpriv");
    cmd.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(&clawkit)
        .args(["ports", "--json"])
        .env_clear()
        .envs(client.env().iter().map(|(k, v)| (k, v)));
    let r = run(&mut cmd);
    assert_eq!(r.code, Some(1), "{r}");
    let doc = r.json();
    let f = finding(&doc, "port-owner-hidden");
    assert!(
        f["summary"]
            .as_str()
            .unwrap()
            .contains("a process of uid 0"),
        "{f:#}"
    );
    assert!(f["pid"].is_null());
    assert_eq!(f["kill"], Value::Null, "never killable");
    assert_eq!(doc["report"]["ports"][0]["owners"][0]["uid"], 0);
}
