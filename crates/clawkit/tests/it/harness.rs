//! The harness proves itself: OpenClaw installs once and is reused, gateways start on loopback
//! with the requested config, and always stop by PID.

use crate::util::per_version;
use clawkit_testkit::{
    Gateway, GatewayOptions, PortState, TokenSource, ensure_node, ensure_openclaw, http_get,
    port_state,
};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

fn pid_alive(pid: u32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
}

fn proc_cmdline(pid: u32) -> String {
    std::fs::read(format!("/proc/{pid}/cmdline"))
        .map(|raw| {
            String::from_utf8_lossy(&raw)
                .replace('\0', " ")
                .trim()
                .to_string()
        })
        .unwrap_or_default()
}

#[test]
fn node_26_comes_from_the_npm_registry() {
    let node = ensure_node().unwrap();
    let out = Command::new(&node).arg("--version").output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("v26."));
}

per_version!(install_is_cached_and_reused, |version| {
    let first = ensure_openclaw(version).unwrap();
    let again = ensure_openclaw(version).unwrap();
    assert!(
        !again.installed_now,
        "second ensure_openclaw({version}) ran npm again"
    );
    assert_eq!(first.entry, again.entry);
    let out = Command::new(&again.node)
        .arg(&again.entry)
        .arg("--version")
        .output()
        .unwrap();
    let printed = String::from_utf8_lossy(&out.stdout);
    assert!(
        printed.contains(&format!("OpenClaw {version}")),
        "{printed}"
    );
});

/// 2026.9: token from the environment, stopped explicitly; state lands in SQLite.
#[test]
fn gateway_2026_9_starts_on_loopback_and_stops_by_pid() {
    let gw = Gateway::start(
        GatewayOptions::new(clawkit_testkit::V2026_9).token_source(TokenSource::Env),
    )
    .unwrap();
    assert_ne!(gw.port(), 18789);
    assert_eq!(proc_cmdline(gw.pid()), "openclaw-gateway");

    let (status, body) = http_get(gw.port(), "/startupz", Duration::from_secs(5)).unwrap();
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("\"version\":\"2026.9.6\""), "{body}");
    assert!(gw.state_dir().join("state/openclaw.sqlite").exists());
    // The start returns on `/readyz`, a moment before the gateway logs `gateway ready`.
    let logged = crate::util::wait_log(gw.log_file(), |log| log.contains("gateway ready"));
    assert!(logged, "no `gateway ready` in {}", gw.log_file().display());

    // The real CLI on the gateway's own host authenticates with the env token.
    let health = gw.openclaw_cli(&["gateway", "health"]).unwrap();
    assert!(health.success(), "{health}");
    assert!(health.stdout.contains("OK"), "{health}");

    let (pid, port, home) = (gw.pid(), gw.port(), gw.home().to_path_buf());
    gw.stop();
    assert!(!pid_alive(pid), "gateway pid {pid} still alive after stop");
    crate::util::assert_released(port, &home);
}

/// 2026.7: a hand-written JSON5 config, and a test that panics: the gateway still goes away.
#[test]
fn gateway_2026_7_reads_json5_config_and_dies_with_a_panicking_test() {
    let config = r#"// written by the test, JSON5 on purpose
{
  gateway: {
    mode: 'local', port: {{PORT}}, bind: 'loopback',
    auth: { mode: 'token', token: '{{TOKEN}}', },
  },
  logging: { file: '{{LOG_FILE}}' },
}
"#;
    let gw =
        Gateway::start(GatewayOptions::new(clawkit_testkit::V2026_7).raw_config(config)).unwrap();
    assert_eq!(
        std::fs::read_to_string(gw.config_path()).unwrap(),
        config
            .replace("{{PORT}}", &gw.port().to_string())
            .replace("{{TOKEN}}", gw.token())
            .replace("{{LOG_FILE}}", &gw.log_file().display().to_string())
    );
    let health = gw.openclaw_cli(&["gateway", "health"]).unwrap();
    assert!(health.success(), "{health}");
    // The older layout keeps the device identity in a JSON file.
    assert!(gw.state_dir().join("identity/device.json").exists());

    let (pid, port, home) = (gw.pid(), gw.port(), gw.home().to_path_buf());
    let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
        let _gw = gw;
        panic!("a test failing while it owns a gateway");
    }));
    assert!(panicked.is_err());
    assert!(!pid_alive(pid), "gateway pid {pid} survived the panic");
    crate::util::assert_released(port, &home);
}

#[test]
fn a_gateway_that_cannot_start_fails_with_its_console_output() {
    // An auth mode OpenClaw does not know: the real gateway refuses the config and exits.
    let err = match Gateway::start(
        GatewayOptions::new(clawkit_testkit::V2026_9)
            .config_patch(serde_json::json!({"gateway": {"auth": {"mode": "no-such-mode"}}})),
    ) {
        Ok(gw) => panic!(
            "gateway on port {} started with an invalid auth mode",
            gw.port()
        ),
        Err(err) => err.to_string(),
    };
    assert!(err.contains("exited with"), "{err}");
    assert!(err.contains("Last console lines"), "{err}");
}

/// Helper run by `children_die_with_a_killed_test_process` in its own process: starts a
/// listener, reports it, and waits to be killed. Not a test on its own.
#[test]
#[ignore = "helper process for children_die_with_a_killed_test_process"]
fn helper_hold_a_listener_until_killed() {
    let listener = clawkit_testkit::ForeignListener::http().unwrap();
    println!("HELD pid={} port={}", listener.pid(), listener.port());
    std::thread::sleep(Duration::from_secs(120));
}

#[test]
fn children_die_with_a_killed_test_process() {
    use std::io::{BufRead, BufReader};
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "harness::helper_hold_a_listener_until_killed",
            "--ignored",
            "--nocapture",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let held = lines
        .find_map(|l| l.ok().filter(|l| l.starts_with("HELD ")))
        .expect("the helper reported its listener");
    let field = |k: &str| -> u32 {
        held.split_whitespace()
            .find_map(|w| w.strip_prefix(k))
            .unwrap()
            .parse()
            .unwrap()
    };
    let (pid, port) = (field("pid="), field("port=") as u16);
    assert_eq!(port_state(port), PortState::Accepting);
    // SIGKILL: no unwinding, no exit hooks — only the kernel's parent-death signal is left.
    child.kill().unwrap();
    child.wait().unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while pid_alive_not_zombie(pid) && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        !pid_alive_not_zombie(pid),
        "listener {pid} outlived its killed test process"
    );
    // (The port itself is not checked afterwards: once free, a parallel test in this process
    // may legitimately take the same number, since the helper's reservations were its own.)
}

/// Alive and not merely a zombie waiting for a reaper.
fn pid_alive_not_zombie(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|s| {
            !s.split(") ")
                .nth(1)
                .is_some_and(|rest| rest.starts_with('Z'))
        })
        .unwrap_or(false)
}
