//! The engine's operations in milliseconds: a fake gateway (the testkit's, wire protocol only)
//! on a fake host (the machine described in memory) with a recording command runner standing
//! in for the service manager — all fakes, named so. The real-gateway tests in the other
//! topic files stay the contract; these pin restart detection, the fix loop and the
//! operation API (events, approvers over a channel, cancellation) where they are cheap.

use clawkit_core::doctor::run::{FixOptions, fix};
use clawkit_core::doctor::{Inputs, examine};
use clawkit_core::env::Env;
use clawkit_core::event::{
    Ask, Cancel, ChannelApprover, Decision, Event, NullObserver, Question, VecObserver,
};
use clawkit_core::gateway::Credential;
use clawkit_core::host::fake::FakeHost;
use clawkit_core::host::runner::{CommandOutput, CommandRunner, RecordingRunner};
use clawkit_core::lifecycle::{self, Restarted, Waits};
use clawkit_core::openclaw::install::InstallPaths;
use clawkit_core::openclaw::reload;
use clawkit_core::service::Manager;
use clawkit_core::target::Target;
use clawkit_testkit::fake::{FakeGateway, FakeOptions, Mode};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The fake gateway's process as the fake host shows it.
const GATEWAY_PID: u32 = 4242;

/// A home whose config points at a fake gateway that serves its state dir.
struct Machine {
    _home: tempfile::TempDir,
    config: PathBuf,
    env: Env,
    gw: Arc<FakeGateway>,
}

fn machine() -> Machine {
    let home = tempfile::tempdir().unwrap();
    let state_dir = home.path().join(".openclaw");
    std::fs::create_dir_all(&state_dir).unwrap();
    let gw = Arc::new(FakeGateway::start(FakeOptions {
        pid: GATEWAY_PID,
        state_dir: Some(state_dir.display().to_string()),
        restart_downtime: Duration::from_millis(300),
        ..FakeOptions::default()
    }));
    let config = state_dir.join("openclaw.json");
    std::fs::write(
        &config,
        format!(
            "{{ gateway: {{ port: {}, auth: {{ token: '{}' }} }} }}\n",
            gw.port(),
            token(&gw)
        ),
    )
    .unwrap();
    let env = Env::from_pairs([
        ("HOME", home.path().display().to_string()),
        ("PATH", "/nonexistent".to_string()),
    ]);
    Machine {
        config,
        env,
        gw,
        _home: home,
    }
}

fn token(gw: &FakeGateway) -> String {
    match gw.credential() {
        Credential::Token(t) => t,
        other => panic!("the fake gateway uses a token by default, not {other:?}"),
    }
}

/// The fake host: the fake gateway's port held by a process that looks like a gateway.
fn host_for(gw: &FakeGateway) -> FakeHost {
    FakeHost::new(unsafe { libc::getuid() })
        .with_running(GATEWAY_PID, 1, &["openclaw-gateway"])
        .with_listener(([127, 0, 0, 1], gw.port()).into(), GATEWAY_PID)
}

/// A service manager standing in for systemd: it knows the unit, says the gateway is its
/// main process, and restarts the fake gateway when told to.
struct FakeSystemd {
    gw: Arc<FakeGateway>,
    record: RecordingRunner,
}

impl CommandRunner for FakeSystemd {
    fn run(
        &self,
        program: &str,
        args: &[&str],
        env: &[(&str, &str)],
        timeout: Duration,
    ) -> std::io::Result<CommandOutput> {
        let _ = self.record.run(program, args, env, timeout);
        Ok(match args {
            ["--user", "show", ..] => CommandOutput::ok(&format!(
                "LoadState=loaded\nActiveState=active\nSubState=running\nMainPID={GATEWAY_PID}\n"
            )),
            ["--user", "restart", _] => {
                self.gw.restart(Duration::from_millis(300));
                CommandOutput::ok("")
            }
            _ => CommandOutput::ok(""),
        })
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn a_supervised_restart_is_done_when_a_new_boot_is_ready() {
    let m = machine();
    let gw = m.gw.clone();
    let runner = Arc::new(FakeSystemd {
        gw: gw.clone(),
        record: RecordingRunner::new(),
    });
    let target = Target {
        paths: InstallPaths::resolve(&m.env),
        env: m.env.clone(),
        host: Arc::new(host_for(&gw)),
        runner: runner.clone(),
        manager: Some(Manager::Systemd),
    };
    let old_boot = gw.boot_id();
    assert!(old_boot.is_some());
    let mut events = VecObserver::default();
    let restarted = runtime()
        .block_on(lifecycle::restart(
            &target,
            &Credential::None,
            Waits::new(Duration::from_secs(20)),
            &mut events,
            &Cancel::new(),
        ))
        .unwrap();
    let Restarted::Supervised(change) = &restarted else {
        panic!("not through the supervisor: {restarted:?}");
    };
    assert_ne!(
        change.gateway.boot_id, old_boot,
        "the new boot, not the old one"
    );
    assert_eq!(change.gateway.boot_id, gw.boot_id());
    assert_eq!(change.gateway.ready, Some(true));
    assert_eq!(change.service.main_pid, Some(GATEWAY_PID));
    assert!(change.problems.is_empty(), "{:?}", change.problems);
    let calls = runner.record.calls();
    assert!(
        calls.contains(&"systemctl --user restart openclaw-gateway.service".to_string()),
        "{calls:#?}"
    );
    assert!(
        events
            .0
            .iter()
            .any(|e| matches!(e, Event::Progress { message } if message == "Systemd restarted the service")),
        "{:?}",
        events.0
    );
    assert!(
        restarted
            .summary()
            .starts_with("restarted openclaw-gateway.service via Systemd")
    );
}

#[test]
fn a_restart_that_never_comes_back_says_why_and_a_cancel_stops_the_wait() {
    let m = machine();
    let gw = m.gw.clone();
    let target = Target {
        paths: InstallPaths::resolve(&m.env),
        env: m.env.clone(),
        host: Arc::new(host_for(&gw)),
        runner: Arc::new(RecordingRunner::new()),
        manager: None,
    };
    let rt = runtime();
    let mark = rt
        .block_on(lifecycle::live(&target, Duration::from_secs(2)))
        .unwrap();
    let mark = lifecycle::BootMark::of(&target, mark.boot_id, mark.uptime_ms);
    gw.set_mode(Mode::Starting);
    let err = rt
        .block_on(lifecycle::wait_ready(
            &target,
            Some(&mark),
            Duration::from_millis(800),
            &mut NullObserver,
            &Cancel::new(),
        ))
        .unwrap_err();
    assert!(
        err.to_string().contains("/readyz still answers 503"),
        "{err}"
    );
    // Cancelled from another task: the wait ends long before its bound.
    let cancel = Cancel::new();
    let trigger = cancel.clone();
    let started = Instant::now();
    let err = rt
        .block_on(async {
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(300)).await;
                trigger.cancel();
            });
            lifecycle::wait_ready(
                &target,
                Some(&mark),
                Duration::from_secs(60),
                &mut NullObserver,
                &cancel,
            )
            .await
        })
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(10), "{err}");
    // Back up with the same boot: still not a restart.
    gw.set_mode(Mode::Up);
    let err = rt
        .block_on(lifecycle::wait_ready(
            &target,
            Some(&mark),
            Duration::from_millis(800),
            &mut NullObserver,
            &Cancel::new(),
        ))
        .unwrap_err();
    assert!(err.to_string().contains("old boot id"), "{err}");
}

// What the web doctor will do: the fix runs in a spawned task; each question reaches another
// task over a channel and its answer comes back the same way, while events stream out.
#[test]
fn the_doctors_fix_runs_in_a_task_and_asks_over_a_channel() {
    use std::os::unix::fs::PermissionsExt;
    let m = machine();
    let gw = m.gw.clone();
    std::fs::set_permissions(&m.config, std::fs::Permissions::from_mode(0o644)).unwrap();
    let inputs = Inputs {
        target: Target {
            paths: InstallPaths::resolve(&m.env),
            env: m.env.clone(),
            host: Arc::new(host_for(&gw)),
            runner: Arc::new(RecordingRunner::new()),
            manager: None,
        },
        docker_dir: None,
        timeout: Duration::from_secs(5),
    };
    let rt = runtime();
    let diagnosis = rt.block_on(examine(&inputs));
    let kinds: Vec<&str> = diagnosis.steps.iter().map(|s| s.kind()).collect();
    assert!(
        kinds.contains(&"chmod"),
        "{kinds:?}\n{:#?}",
        diagnosis.checks
    );
    let changes = diagnosis.steps.iter().filter(|s| s.is_change()).count();

    let (questions_tx, mut questions) = tokio::sync::mpsc::channel(1);
    let (events_tx, mut events) = tokio::sync::mpsc::unbounded_channel();
    let report = rt.block_on(async move {
        let running = tokio::spawn(async move {
            let mut observer = events_tx;
            let mut approver = ChannelApprover {
                questions: questions_tx,
            };
            let opts = FixOptions {
                approve_repairs: false,
                wait: Duration::from_secs(5),
                who: "engine test".into(),
            };
            fix(
                &inputs,
                &diagnosis,
                &opts,
                &mut observer,
                &mut approver,
                &Cancel::new(),
            )
            .await
        });
        let mut asked: Vec<Question> = Vec::new();
        while let Some((question, reply)) = questions.recv().await {
            asked.push(question.clone());
            let _ = reply.send(Decision::Yes);
        }
        let report = running.await.unwrap().unwrap();
        (report, asked)
    });
    let (report, asked) = report;
    assert_eq!(asked.len(), changes, "{asked:?}");
    assert_eq!(asked[0].ask, Ask::ApplyStep { n: 1 });
    let mut seen = Vec::new();
    while let Ok(e) = events.try_recv() {
        seen.push(e);
    }
    let started = seen
        .iter()
        .filter(|e| matches!(e, Event::StepStarted { .. }))
        .count();
    assert_eq!(started, changes, "{seen:?}");
    assert!(
        seen.iter()
            .any(|e| matches!(e, Event::StepDone { status, .. } if *status == clawkit_core::event::StepStatus::Done)),
        "{seen:?}"
    );
    assert!(report.stopped_at.is_none(), "{:?}", report.steps);
    let mode = std::fs::metadata(&m.config).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "the approved chmod was applied");
    assert!(report.journal_path.is_file());
    let text = serde_json::to_string(&seen).unwrap();
    assert!(
        !text.contains(&token(&gw)),
        "an event carried the gateway's token"
    );
}

/// A gateway log line as OpenClaw 2026.9 writes it, stamped now.
fn log_line(message: &str) -> String {
    let ms = clawkit_core::time::now_ms();
    let time = format!(
        "{}.{:03}Z",
        clawkit_core::time::format_time_ms(ms).replace(' ', "T"),
        ms % 1000
    );
    let sub = r#"{\"subsystem\":\"gateway/reload\"}"#;
    format!(
        r#"{{"0":"{sub}","1":"{message}","_meta":{{"runtime":"node","date":"{time}","logLevelId":3,"logLevelName":"INFO","name":"{sub}"}},"time":"{time}","message":"{message}"}}"#
    ) + "\n"
}

fn append(path: &std::path::Path, line: &str) {
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .unwrap();
    f.write_all(line.as_bytes()).unwrap();
}

/// The settle after a config edit reads the gateway's decision from its log without a
/// handshake (one would delay the gateway's restart), says so when none comes, and waits for
/// the new boot when the log says restart.
#[test]
fn an_edit_settles_on_the_gateways_logged_decision() {
    let m = machine();
    let gw = m.gw.clone();
    let log = m.config.with_file_name("gateway.log");
    std::fs::write(
        &m.config,
        format!(
            "{{ gateway: {{ port: {}, auth: {{ token: '{}' }} }}, logging: {{ file: '{}' }} }}\n",
            gw.port(),
            token(&gw),
            log.display()
        ),
    )
    .unwrap();
    let target = Target {
        paths: InstallPaths::resolve(&m.env),
        env: m.env.clone(),
        host: Arc::new(host_for(&gw)),
        runner: Arc::new(RecordingRunner::new()),
        manager: None,
    };
    let rt = runtime();
    let restart = reload::expect(
        &["gateway.bind"],
        reload::Settings {
            off: false,
            secret_auth: true,
        },
    )
    .unwrap();
    let settle = |mark: &lifecycle::EditMark, wait: Duration, events: &mut VecObserver| {
        rt.block_on(lifecycle::settle_after_edit(
            &target,
            mark,
            &restart,
            wait,
            events,
            &Cancel::new(),
        ))
    };

    // Nothing logged: no decision within the bound, said with the command; no handshake.
    let mark = rt.block_on(lifecycle::EditMark::take(&target));
    let asked = gw.requests().len();
    let mut events = VecObserver::default();
    let settled = settle(&mark, Duration::from_secs(1), &mut events).unwrap();
    assert_eq!(settled, lifecycle::Settled::Unapplied);
    assert_eq!(gw.requests().len(), asked, "{:?}", gw.requests());
    let said = format!("{:?}", events.0);
    assert!(
        said.contains("has not reacted to the edit") && said.contains("clawkit gateway restart"),
        "{said}"
    );

    // The log says restart; the gateway restarts a moment later: the wait ends on the new boot.
    let mark = rt.block_on(lifecycle::EditMark::take(&target));
    append(
        &log,
        &log_line("config change detected; evaluating reload (gateway.bind)"),
    );
    append(
        &log,
        &log_line("config change requires gateway restart (gateway.bind)"),
    );
    let restarter = {
        let (gw, log) = (gw.clone(), log.clone());
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(300));
            gw.restart(Duration::from_millis(300));
            append(&log, &log_line("gateway ready"));
        })
    };
    let mut events = VecObserver::default();
    let settled = settle(&mark, Duration::from_secs(30), &mut events).unwrap();
    restarter.join().unwrap();
    assert_eq!(settled, lifecycle::Settled::Restarted, "{:?}", events.0);
    assert_ne!(gw.boot_id(), mark.boot.boot_id);
}
