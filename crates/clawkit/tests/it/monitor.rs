//! `clawkit monitor run` against real gateways, alerts received by a webhook receiver on
//! loopback. The receiver is a fake (named so): it stands in for whatever consumes a
//! `json://` channel, records every body, and can answer 503 to stage a channel outage.

use crate::util::{assert_no_secrets, clawkit_with_env, per_version, run};
use clawkit_testkit::{Gateway, GatewayOptions, V2026_9, distinctive_secret};
use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A fake webhook consumer: every POSTed JSON body, in arrival order.
struct FakeReceiver {
    port: u16,
    got: Arc<Mutex<Vec<Value>>>,
    failing: Arc<AtomicBool>,
}

impl FakeReceiver {
    fn start() -> FakeReceiver {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let got = Arc::new(Mutex::new(Vec::new()));
        let failing = Arc::new(AtomicBool::new(false));
        let (g, f) = (got.clone(), failing.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (g, f) = (g.clone(), f.clone());
                std::thread::spawn(move || serve(stream, &g, &f));
            }
        });
        FakeReceiver { port, got, failing }
    }

    fn url(&self) -> String {
        format!("json://127.0.0.1:{}/hook", self.port)
    }

    fn alerts(&self) -> Vec<Value> {
        self.got.lock().unwrap().clone()
    }

    /// Waits (at most `bound`, generous for a loaded machine) until an alert with `event`
    /// arrived, and returns it.
    fn wait_for(&self, event: &str, bound: Duration, monitor: &Monitor) -> Value {
        let start = Instant::now();
        loop {
            if let Some(a) = self.alerts().into_iter().find(|a| a["event"] == event) {
                return a;
            }
            assert!(
                start.elapsed() < bound,
                "no `{event}` alert within {bound:?}; received {:#?}\nmonitor said:\n{}",
                self.alerts(),
                monitor.output()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// One HTTP/1.1 request: 200 and record the body, or 503 while failing.
fn serve(stream: std::net::TcpStream, got: &Mutex<Vec<Value>>, failing: &AtomicBool) {
    let mut reader = BufReader::new(stream);
    let mut length = 0;
    let mut line = String::new();
    while reader.read_line(&mut line).is_ok_and(|n| n > 0) {
        let l = line.trim_end().to_ascii_lowercase();
        if l.is_empty() {
            break;
        }
        if let Some(v) = l.strip_prefix("content-length:") {
            length = v.trim().parse().unwrap_or(0);
        }
        line.clear();
    }
    let mut body = vec![0; length];
    let _ = reader.read_exact(&mut body);
    let status = if failing.load(Ordering::SeqCst) {
        "503 Service Unavailable"
    } else {
        if let Ok(v) = serde_json::from_slice(&body) {
            got.lock().unwrap().push(v);
        }
        "200 OK"
    };
    let _ = reader.get_mut().write_all(
        format!("HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").as_bytes(),
    );
}

/// `clawkit monitor run` as a child process, stopped by PID when dropped.
struct Monitor {
    child: Child,
    out: PathBuf,
}

impl Monitor {
    fn start(env: &[(String, String)], db: &Path, args: &[&str]) -> Monitor {
        let out = db.with_extension("out");
        let file = std::fs::File::create(&out).unwrap();
        let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("clawkit"))
            .args(["monitor", "run", "--db"])
            .arg(db)
            .args(args)
            .env_clear()
            .envs(env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(file.try_clone().unwrap())
            .stderr(file)
            .spawn()
            .unwrap();
        Monitor { child, out }
    }

    fn output(&self) -> String {
        std::fs::read_to_string(&self.out).unwrap_or_default()
    }

    /// Waits until the monitor says it is connected (its first sighting is recorded).
    fn wait_watching(&self, db: &Path, env: &[(String, String)]) {
        let start = Instant::now();
        loop {
            let r = run(clawkit_with_env(env)
                .args(["monitor", "status", "--json", "--db"])
                .arg(db));
            if r.code == Some(0)
                && r.json()["gateways"]
                    .as_array()
                    .is_some_and(|g| g.iter().any(|g| g["up"] == true))
            {
                return;
            }
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "the monitor never saw the gateway up:\n{}\n{r}",
                self.output()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn kill9(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Monitor {
    fn drop(&mut self) {
        unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) };
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if self.child.try_wait().ok().flatten().is_some() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn signal(pid: u32, sig: i32) {
    assert_eq!(
        unsafe { libc::kill(pid as i32, sig) },
        0,
        "signal {sig} to {pid}"
    );
}

const BOUND: Duration = Duration::from_secs(60);

// kill -9 of a real gateway: `down` (crashed) at once; the gateway started again: `up`
// paired with it, with the downtime.
per_version!(a_crash_is_down_then_up, |version| {
    let gw = Gateway::start(GatewayOptions::new(version)).unwrap();
    let hook = FakeReceiver::start();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("monitor.sqlite");
    let m = Monitor::start(gw.env(), &db, &["--notify", &hook.url()]);
    m.wait_watching(&db, gw.env());
    signal(gw.pid(), libc::SIGKILL);
    let down = hook.wait_for("down", BOUND, &m);
    assert_eq!(down["cause"], "gateway-crashed", "{down:#}");
    let again =
        Gateway::start(GatewayOptions::new(version).on_home(gw.home(), gw.port(), gw.token()))
            .unwrap();
    let up = hook.wait_for("up", BOUND, &m);
    assert_eq!(up["incident"], down["incident"], "{up:#}");
    assert!(up["downtime_ms"].as_u64().is_some_and(|d| d > 0), "{up:#}");
    if version == V2026_9 {
        // The gateway's own record: the killed boot never wrote its end.
        assert!(
            up["summary"]
                .as_str()
                .unwrap()
                .contains("the previous boot ended: no recorded end: it was killed or crashed"),
            "{up:#}"
        );
        assert_eq!(up["details"]["previousBoot"]["pid"], gw.pid(), "{up:#}");
    }
    assert_eq!(
        hook.alerts()
            .iter()
            .filter(|a| a["event"] == "down")
            .count(),
        1
    );
    drop(again);
    assert_no_secrets(&format!("{:?}{}", hook.alerts(), m.output()), &[gw.token()]);
});

// SIGSTOP: the gateway holds the socket but answers nothing: `down` (hung); SIGCONT: `up`.
#[test]
fn a_stopped_process_is_hung() {
    let gw = Gateway::start(GatewayOptions::new(V2026_9)).unwrap();
    let hook = FakeReceiver::start();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("monitor.sqlite");
    let m = Monitor::start(gw.env(), &db, &["--notify", &hook.url()]);
    m.wait_watching(&db, gw.env());
    signal(gw.pid(), libc::SIGSTOP);
    let down = hook.wait_for("down", BOUND, &m);
    signal(gw.pid(), libc::SIGCONT);
    assert_eq!(down["cause"], "gateway-hung", "{down:#}");
    hook.wait_for("up", BOUND, &m);
}

// The shared token rotated under the monitor: `rejected`, naming the gateway token.
#[test]
fn a_rotated_token_is_rejected() {
    let gw = Gateway::start(GatewayOptions::new(V2026_9)).unwrap();
    let hook = FakeReceiver::start();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("monitor.sqlite");
    // The monitor holds the token the CLI has now; the gateway's then changes.
    let m = Monitor::start(gw.env(), &db, &["--notify", &hook.url()]);
    m.wait_watching(&db, gw.env());
    let fresh = distinctive_secret("rotated");
    let text = std::fs::read_to_string(gw.config_path()).unwrap();
    let gateway_side = text.replacen(gw.token(), &fresh, 1);
    assert_ne!(gateway_side, text);
    // The monitor read the client side before: its config stays as it was for the watcher,
    // which keeps presenting the old token.
    std::fs::write(gw.config_path(), gateway_side).unwrap();
    let rejected = hook.wait_for("rejected", BOUND, &m);
    assert_eq!(rejected["cause"], "gateway-token-mismatch", "{rejected:#}");
    assert!(rejected["next"].as_str().is_some(), "{rejected:#}");
    assert_no_secrets(
        &format!("{:?}{}", hook.alerts(), m.output()),
        &[gw.token(), &fresh],
    );
}

// A client with a wrong token: `auth-failures` from the gateway's log.
#[test]
fn a_failing_client_is_auth_failures() {
    let gw = Gateway::start(GatewayOptions::new(V2026_9)).unwrap();
    let hook = FakeReceiver::start();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("monitor.sqlite");
    let config = dir.path().join("monitor.toml");
    std::fs::write(&config, "[policy]\nburst_failures = 2\n").unwrap();
    let m = Monitor::start(
        gw.env(),
        &db,
        &[
            "--config",
            config.to_str().unwrap(),
            "--notify",
            &hook.url(),
        ],
    );
    m.wait_watching(&db, gw.env());
    let wrong = distinctive_secret("wrong");
    for _ in 0..2 {
        let r = run(clawkit_with_env(gw.env()).args(["probe", "--token", &wrong]));
        assert_ne!(r.code, Some(0), "{r}");
    }
    let a = hook.wait_for("auth-failures", BOUND, &m);
    assert!(a["summary"].as_str().unwrap().contains("token"), "{a:#}");
    assert_no_secrets(
        &format!("{:?}{}", hook.alerts(), m.output()),
        &[gw.token(), &wrong],
    );
}

// Recovery while the monitor is dead: its next run sends one `up` with the true downtime;
// alerts decided while the receiver was down arrive once after it recovers, however often
// the monitor was killed meanwhile.
#[test]
fn nothing_lost_nothing_doubled_across_monitor_kills() {
    let gw = Gateway::start(GatewayOptions::new(V2026_9)).unwrap();
    let hook = FakeReceiver::start();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("monitor.sqlite");
    let args = ["--notify", &hook.url()];
    let m = Monitor::start(gw.env(), &db, &args);
    m.wait_watching(&db, gw.env());
    hook.failing.store(true, Ordering::SeqCst);
    signal(gw.pid(), libc::SIGKILL);
    // The monitor decided `down` (history has it) but the receiver refuses it.
    wait_history(&db, gw.env(), "down");
    m.kill9();
    let again =
        Gateway::start(GatewayOptions::new(V2026_9).on_home(gw.home(), gw.port(), gw.token()))
            .unwrap();
    let m = Monitor::start(gw.env(), &db, &args);
    wait_history(&db, gw.env(), "up");
    m.kill9();
    hook.failing.store(false, Ordering::SeqCst);
    let m = Monitor::start(gw.env(), &db, &args);
    let up = hook.wait_for("up", BOUND, &m);
    let down = hook.wait_for("down", BOUND, &m);
    assert_eq!(up["incident"], down["incident"]);
    assert!(up["downtime_ms"].as_u64().is_some_and(|d| d > 0), "{up:#}");
    // Give the outbox a moment more to (wrongly) send anything twice, then count.
    std::thread::sleep(Duration::from_secs(3));
    for event in ["down", "up"] {
        let n = hook.alerts().iter().filter(|a| a["event"] == event).count();
        assert_eq!(n, 1, "{event} delivered {n} times: {:#?}", hook.alerts());
    }
    drop(again);
}

/// Waits until the monitor's history holds an `event` alert.
fn wait_history(db: &Path, env: &[(String, String)], event: &str) {
    let start = Instant::now();
    loop {
        let r = run(clawkit_with_env(env)
            .args(["monitor", "history", "--json", "--db"])
            .arg(db));
        if r.json()["alerts"]
            .as_array()
            .is_some_and(|a| a.iter().any(|a| a["event"] == event))
        {
            return;
        }
        assert!(start.elapsed() < BOUND, "no `{event}` in the history:\n{r}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

// A restart asked of the gateway (not by clawkit): `restart` with both boots, no `down`; the
// same through `clawkit gateway restart`: recorded (held), not sent.
#[test]
fn restarts_are_restarts_and_clawkits_own_are_annotated() {
    let gw = Gateway::start(GatewayOptions::new(V2026_9)).unwrap();
    let hook = FakeReceiver::start();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("monitor.sqlite");
    let m = Monitor::start(gw.env(), &db, &["--notify", &hook.url()]);
    m.wait_watching(&db, gw.env());
    // The gateway's own restart request, as OpenClaw's CLI or UI makes it.
    let rt = crate::util::runtime();
    rt.block_on(async {
        let mut opts = clawkit_core::gateway::ConnectOptions::new(gw.url());
        opts.credential = clawkit_core::gateway::Credential::Token(gw.token().to_string());
        let mut c = clawkit_core::gateway::connect(&opts).await.unwrap();
        c.request(
            "gateway.restart.request",
            serde_json::json!({"reason": "test", "skipDeferral": true}),
        )
        .await
        .unwrap();
        c.close().await;
    });
    let r = hook.wait_for("restart", BOUND, &m);
    assert_ne!(
        r["details"]["oldBoot"]["boot_id"], r["details"]["newBoot"]["boot_id"],
        "{r:#}"
    );
    // How the old boot ended, from the gateway's own record.
    assert_eq!(
        r["details"]["previousBoot"]["outcome"], "planned_restart",
        "{r:#}"
    );
    assert_eq!(
        r["details"]["previousBoot"]["bootId"], r["details"]["oldBoot"]["boot_id"],
        "{r:#}"
    );
    assert!(
        !hook.alerts().iter().any(|a| a["event"] == "down"),
        "{:#?}",
        hook.alerts()
    );
    let sent = hook.alerts().len();
    let restart = run(clawkit_with_env(gw.env()).args(["gateway", "restart"]));
    assert_eq!(restart.code, Some(0), "{restart}");
    let start = Instant::now();
    loop {
        let h = run(clawkit_with_env(gw.env())
            .args(["monitor", "history", "--json", "--db"])
            .arg(&db));
        let held = h.json()["alerts"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["event"] == "restart" && a["held"] == true)
            .count();
        if held == 1 {
            break;
        }
        assert!(
            start.elapsed() < BOUND,
            "clawkit's restart was not recorded as annotated:\n{h}\n{}",
            m.output()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(
        hook.alerts().len(),
        sent,
        "nothing sent for clawkit's own restart: {:#?}",
        hook.alerts()
    );
}

// `clawkit gateway stop`: a planned stop (`down`, planned, with the start command), the
// record says it ended cleanly by SIGTERM when it comes back; `monitor status` shows its boot
// and the round trips of its pings before that.
#[test]
fn a_stop_through_clawkit_is_a_planned_stop() {
    let gw = Gateway::start(GatewayOptions::new(V2026_9)).unwrap();
    let hook = FakeReceiver::start();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("monitor.sqlite");
    let port = clawkit_testkit::free_port();
    let listen = format!("127.0.0.1:{port}");
    let m = Monitor::start(
        gw.env(),
        &db,
        &["--notify", &hook.url(), "--listen", &listen],
    );
    m.wait_watching(&db, gw.env());
    let status = wait_status(&db, gw.env(), |g| {
        g["pings24h"]["answered"].as_i64() > Some(0)
    });
    let g = &status["gateways"][0];
    assert!(
        g["boot"]["label"].as_str().unwrap().starts_with("boot "),
        "{status:#}"
    );
    assert!(g["pings24h"]["avgMs"].as_f64().is_some(), "{status:#}");
    let up_metrics = metrics(port, &m);
    assert!(
        up_metrics.contains("clawkit_gateway_up{gateway=\""),
        "{up_metrics}"
    );
    assert!(
        up_metrics.contains("clawkit_probe_latency_seconds_count{gateway="),
        "ping round trips: {up_metrics}"
    );
    let stop = run(clawkit_with_env(gw.env()).args(["gateway", "stop"]));
    assert_eq!(stop.code, Some(0), "{stop}");
    let down = hook.wait_for("down", BOUND, &m);
    assert_eq!(down["cause"], "gateway-stopped", "{down:#}");
    assert_eq!(down["details"]["planned"], true, "{down:#}");
    assert!(
        down["summary"].as_str().unwrap().contains("planned stop"),
        "{down:#}"
    );
    assert!(
        down["next"]
            .as_str()
            .unwrap()
            .contains("clawkit gateway start"),
        "{down:#}"
    );
    let down_metrics = metrics(port, &m);
    assert!(
        down_metrics.contains("clawkit_incidents_open{gateway="),
        "{down_metrics}"
    );
    let again =
        Gateway::start(GatewayOptions::new(V2026_9).on_home(gw.home(), gw.port(), gw.token()))
            .unwrap();
    let up = hook.wait_for("up", BOUND, &m);
    assert_eq!(up["incident"], down["incident"], "{up:#}");
    assert_eq!(
        up["details"]["previousBoot"]["outcome"], "clean_stop",
        "{up:#}"
    );
    assert!(
        up["summary"]
            .as_str()
            .unwrap()
            .contains("clean_stop (stop (SIGTERM))"),
        "{up:#}"
    );
    let text = run(clawkit_with_env(gw.env())
        .args(["monitor", "status", "--db"])
        .arg(&db));
    assert!(text.stdout.contains("ping 24h avg"), "{text}");
    assert!(
        text.stdout.contains("down "),
        "the last incident and its downtime: {text}"
    );
    drop(again);
}

/// `GET /metrics` from the monitor, checked by the real `promtool check metrics` (which
/// exits non-zero on a syntax error or a lint problem: a missing HELP, a counter without
/// `_total`, a bad unit suffix).
fn metrics(port: u16, m: &Monitor) -> String {
    let (code, body) = clawkit_testkit::http_get(port, "/metrics", Duration::from_secs(5))
        .unwrap_or_else(|e| panic!("{e}; the monitor said:\n{}", m.output()));
    assert_eq!(code, 200, "{body}");
    let promtool = clawkit_testkit::ensure_promtool().unwrap();
    let mut check = std::process::Command::new(promtool)
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    check
        .stdin
        .take()
        .unwrap()
        .write_all(body.as_bytes())
        .unwrap();
    let out = check.wait_with_output().unwrap();
    assert!(
        out.status.success() && out.stdout.is_empty() && out.stderr.is_empty(),
        "promtool check metrics: {}{}\n{body}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    body
}

/// Waits until `monitor status --json` shows a gateway that `wanted` accepts.
fn wait_status(db: &Path, env: &[(String, String)], wanted: impl Fn(&Value) -> bool) -> Value {
    let start = Instant::now();
    loop {
        let r = run(clawkit_with_env(env)
            .args(["monitor", "status", "--json", "--db"])
            .arg(db));
        let v = r.json();
        if v["gateways"]
            .as_array()
            .is_some_and(|g| g.iter().any(&wanted))
        {
            return v;
        }
        assert!(
            start.elapsed() < BOUND,
            "monitor status never showed it:\n{r}"
        );
        std::thread::sleep(Duration::from_millis(250));
    }
}
