//! `clawkit gateway status|start|stop|restart|install` on this machine, which has no service
//! manager: the unsupervised paths against a real gateway, and `install` delegating to the real
//! `openclaw gateway install`.

use crate::util::{assert_no_secrets, clawkit_with_env, per_version, run};
use clawkit_testkit::{Gateway, GatewayOptions, V2026_9};

per_version!(restart_status_stop_of_an_unsupervised_gateway, |version| {
    let gw = Gateway::start(GatewayOptions::new(version)).unwrap();
    let status = run(clawkit_with_env(gw.env()).args(["gateway", "status", "--json"]));
    assert_eq!(status.code, Some(0), "{status}");
    let doc = status.json();
    assert_eq!(doc["pid"], gw.pid());
    assert_eq!(doc["gateway"]["verdict"]["verdict"], "ok", "{doc:#}");
    assert!(doc["supervisor"].is_null());
    let old_boot = doc["gateway"]["bootId"].as_str().map(str::to_string);

    let r = run(clawkit_with_env(gw.env()).args(["gateway", "restart", "--json"]));
    assert_eq!(r.code, Some(0), "{r}");
    let restart = &r.json()["restart"];
    assert_eq!(restart["how"], "gateway.restart.request");
    assert_eq!(restart["port"], gw.port(), "same port");
    assert!(
        restart["pid"].is_u64(),
        "the port is held by this state dir's gateway: {restart:#}"
    );
    if version == V2026_9 {
        let new_boot = restart["bootId"].as_str().unwrap();
        assert_ne!(Some(new_boot.to_string()), old_boot, "a new boot id");
        assert_eq!(restart["oldBootId"].as_str().map(str::to_string), old_boot);
    } else {
        // 2026.7.1 restarts in-process (same pid, process uptime): its log shows the new boot.
        let twice = |log: &str| log.lines().filter(|l| l.contains("gateway ready")).count() == 2;
        assert!(
            crate::util::wait_log(gw.log_file(), twice),
            "a second `gateway ready` record"
        );
    }
    assert_no_secrets(&r.text(), &[gw.token()]);

    // The one-screen status, human form.
    let s = run(clawkit_with_env(gw.env()).args(["gateway", "status"]));
    assert!(
        s.stdout
            .contains("supervisor  none (no service manager runs on this machine)"),
        "{s}"
    );
    assert!(s.stdout.contains("handshake   ok"), "{s}");
    assert!(s.stdout.contains("/readyz ready"), "{s}");

    // start: already running.
    let r = run(clawkit_with_env(gw.env()).args(["gateway", "start"]));
    assert_eq!(r.code, Some(0), "{r}");
    assert!(r.stdout.contains("already runs"), "{r}");

    // stop: the verified gateway of this state dir, by SIGTERM; the port is freed.
    let pid = restart["pid"].as_u64().unwrap() as u32;
    let r = run(clawkit_with_env(gw.env()).args(["gateway", "stop"]));
    assert_eq!(r.code, Some(0), "{r}");
    assert!(
        r.stdout
            .contains(&format!("pid {pid}: stopped with SIGTERM")),
        "{r}"
    );
    assert!(r.stdout.contains("is free"), "{r}");
    crate::util::assert_released(gw.port(), gw.home());

    // start with no supervisor: the exact foreground command.
    let r = run(clawkit_with_env(gw.env()).args(["gateway", "start"]));
    assert_eq!(r.code, Some(1), "{r}");
    assert!(
        r.stderr
            .contains(&format!("openclaw gateway run --port {}", gw.port())),
        "{r}"
    );
    let s = run(clawkit_with_env(gw.env()).args(["gateway", "status"]));
    assert_eq!(s.code, Some(1), "{s}");
    assert!(s.stdout.contains("[gateway-down]"), "{s}");
});

#[test]
fn install_delegates_to_openclaw_and_reports_its_refusal() {
    // No systemd here: the real `openclaw gateway install` cannot install a service. clawkit
    // runs it, quotes it, and says no definition was written.
    let gw = Gateway::start(GatewayOptions::new(V2026_9)).unwrap();
    let r = run(clawkit_with_env(gw.env()).args(["gateway", "install", "--force", "--json"]));
    let doc = r.json();
    assert!(
        doc["ran"]
            .as_str()
            .unwrap()
            .ends_with(&format!("gateway install --force --port {}", gw.port())),
        "{doc:#}"
    );
    assert_eq!(r.code, Some(1), "{r}");
    assert_ne!(doc["exitCode"], 0);
    assert!(
        doc["openclawSaid"]
            .as_str()
            .unwrap()
            .contains("service management skipped"),
        "OpenClaw's own reason is quoted: {doc:#}"
    );
    assert_eq!(doc["services"], serde_json::json!([]));
    assert_no_secrets(&r.text(), &[gw.token()]);
}
