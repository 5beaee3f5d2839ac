//! The supervised paths — systemd, launchd, Task Scheduler — that CI's machines cannot run for
//! real. A fake service manager (named as such) answers the exact commands clawkit issues and,
//! on a restart, really replaces the gateway with a new process on the same home and port, so
//! the main pid changes as it does under a real supervisor. The gateways are real.

use clawkit_core::doctor::run::{FixOptions, fix};
use clawkit_core::doctor::{Inputs, examine};
use clawkit_core::env::Env;
use clawkit_core::event::{AssumeYes, Cancel, Event, VecObserver};
use clawkit_core::gateway::Credential;
use clawkit_core::host::ProcHost;
use clawkit_core::host::runner::{CommandOutput, CommandRunner};
use clawkit_core::lifecycle::{self, Restarted, Waits};
use clawkit_core::openclaw::install::InstallPaths;
use clawkit_core::service::Manager;
use clawkit_core::target::Target;
use clawkit_testkit::{Gateway, GatewayOptions, V2026_9, distinctive_secret};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A fake service manager: reports the current gateway as the service's main process and, on
/// restart, stops it and starts a new gateway process on the same home and port.
struct FakeSupervisor {
    gateway: Mutex<Option<Gateway>>,
    /// Replaced gateways, stopped but kept: the first one's directory holds the home.
    retired: Mutex<Vec<Gateway>>,
    home: PathBuf,
    port: u16,
    token: String,
    calls: Mutex<Vec<String>>,
}

impl FakeSupervisor {
    fn new(gw: Gateway) -> FakeSupervisor {
        FakeSupervisor {
            home: gw.home().to_path_buf(),
            port: gw.port(),
            token: gw.token().to_string(),
            gateway: Mutex::new(Some(gw)),
            retired: Mutex::new(Vec::new()),
            calls: Mutex::new(Vec::new()),
        }
    }

    fn pid(&self) -> u32 {
        self.gateway
            .lock()
            .unwrap()
            .as_ref()
            .map_or(0, Gateway::pid)
    }

    fn replace_gateway(&self) {
        let mut slot = self.gateway.lock().unwrap();
        if let Some(old) = slot.take() {
            stop_and_wait(old.pid());
            self.retired.lock().unwrap().push(old);
        }
        let options = GatewayOptions::new(V2026_9).on_home(&self.home, self.port, &self.token);
        *slot = Some(Gateway::start(options).expect("the supervisor's new gateway starts"));
    }

    fn calls(&self) -> Vec<String> {
        self.calls.lock().unwrap().clone()
    }
}

impl CommandRunner for FakeSupervisor {
    fn run(
        &self,
        program: &str,
        args: &[&str],
        _env: &[(&str, &str)],
        _timeout: Duration,
    ) -> std::io::Result<CommandOutput> {
        self.calls
            .lock()
            .unwrap()
            .push(format!("{program} {}", args.join(" ")));
        let pid = self.pid();
        let out = match (program, args) {
            ("systemctl", ["--user", "show", ..]) => CommandOutput::ok(&format!(
                "LoadState=loaded\nActiveState=active\nSubState=running\nMainPID={pid}\nExecMainStatus=0\n"
            )),
            ("launchctl", ["print", ..]) => CommandOutput::ok(&format!(
                "gui/0/ai.openclaw.gateway = {{\n\tstate = running\n\tpid = {pid}\n\tlast exit code = 0\n}}\n"
            )),
            ("schtasks", ["/Query", ..]) => {
                CommandOutput::ok("\"HOST\",\"\\OpenClaw Gateway\",\"N/A\",\"Running\"\n")
            }
            ("systemctl", ["--user", "restart", _])
            | ("launchctl", ["kickstart", "-k", _])
            | ("schtasks", ["/Run", ..]) => {
                self.replace_gateway();
                CommandOutput::ok("")
            }
            _ => CommandOutput::ok(""),
        };
        Ok(out)
    }
}

/// SIGTERM, then wait (at most 20 s) until the process is gone, as a supervisor's stop does.
fn stop_and_wait(pid: u32) {
    // SAFETY: kill(2) with a valid signal on a pid this test started.
    unsafe { libc::kill(pid as i32, libc::SIGTERM) };
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while crate::util::alive(pid) && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn target_for(env: &[(String, String)], manager: Manager, runner: Arc<FakeSupervisor>) -> Target {
    let env = Env::from_pairs(env.iter().cloned());
    Target {
        paths: InstallPaths::resolve(&env),
        env,
        host: Arc::new(ProcHost::new()),
        runner,
        manager: Some(manager),
    }
}

fn has_code(d: &clawkit_core::doctor::Diagnosis, code: &str) -> bool {
    d.checks
        .iter()
        .flat_map(|c| &c.findings)
        .any(|f| f.code == code)
}

// The bug this guards: the doctor computed the supervisor's main pid once, before the fix, and
// verified the restarted gateway against the old pid (`not-supervisor-main-pid`).
#[test]
fn doctor_fix_under_systemd_verifies_the_restarted_gateway_against_its_new_main_pid() {
    let gw = Gateway::start(GatewayOptions::new(V2026_9)).unwrap();
    let env = gw.env().to_vec();
    let install = clawkit_testkit::ensure_openclaw(V2026_9).unwrap();
    let files =
        clawkit_testkit::write_service_files(&install, gw.home(), gw.state_dir(), gw.port(), &[])
            .unwrap();
    let stale = distinctive_secret("baked");
    let unit = std::fs::read_to_string(&files.unit).unwrap();
    std::fs::write(
        &files.unit,
        unit.replacen(
            "[Service]\n",
            &format!("[Service]\nEnvironment=OPENCLAW_GATEWAY_TOKEN={stale}\n"),
            1,
        ),
    )
    .unwrap();
    let supervisor = Arc::new(FakeSupervisor::new(gw));
    let first_pid = supervisor.pid();
    let inputs = Inputs {
        target: target_for(&env, Manager::Systemd, supervisor.clone()),
        docker_dir: None,
        timeout: Duration::from_secs(6),
    };
    let rt = crate::util::runtime();
    let before = rt.block_on(examine(&inputs));
    let kinds: Vec<&str> = before.steps.iter().map(|s| s.kind()).collect();
    assert_eq!(kinds, ["file-edit", "reload-units", "restart", "verify"]);
    assert!(has_code(&before, "own-gateway"), "{:#?}", before.checks);

    let opts = FixOptions {
        approve_repairs: false,
        wait: Duration::from_secs(120),
        who: "supervised test".into(),
    };
    let mut events = VecObserver::default();
    let report = rt
        .block_on(fix(
            &inputs,
            &before,
            &opts,
            &mut events,
            &mut AssumeYes,
            &Cancel::new(),
        ))
        .unwrap();
    let new_pid = supervisor.pid();
    assert_ne!(
        new_pid, first_pid,
        "the fake supervisor replaced the gateway"
    );
    assert!(report.stopped_at.is_none(), "{:?}", report.steps);
    assert!(
        !has_code(&report.after, "not-supervisor-main-pid"),
        "verified against a stale main pid: {:#?}",
        report.after.checks
    );
    assert!(has_code(&report.after, "own-gateway"));
    assert!(report.healed(), "{:#?}", report.after.checks);
    let calls = supervisor.calls();
    let reload = calls
        .iter()
        .position(|c| c == "systemctl --user daemon-reload");
    let restart = calls
        .iter()
        .position(|c| c == "systemctl --user restart openclaw-gateway.service");
    assert!(
        reload.is_some() && restart.is_some() && reload < restart,
        "{calls:#?}"
    );
    let said: Vec<String> = events
        .0
        .iter()
        .filter_map(|e| match e {
            Event::Progress { message } => Some(message.clone()),
            _ => None,
        })
        .collect();
    assert!(
        said.iter().any(|m| m
            .starts_with("restarted openclaw-gateway.service via Systemd: ready in")
            && m.ends_with(&format!("main pid {new_pid}"))),
        "{said:#?}"
    );
    assert!(!format!("{events:?}").contains(&stale));
}

#[test]
fn supervised_restart_through_launchd_and_task_scheduler_waits_for_the_new_boot() {
    let gw = Gateway::start(GatewayOptions::new(V2026_9)).unwrap();
    let env = gw.env().to_vec();
    let supervisor = Arc::new(FakeSupervisor::new(gw));
    let rt = crate::util::runtime();
    for (manager, restart_cmd) in [
        (Manager::Launchd, "launchctl kickstart -k gui/"),
        (Manager::Schtasks, "schtasks /Run /TN OpenClaw Gateway"),
    ] {
        let target = target_for(&env, manager, supervisor.clone());
        let old = rt
            .block_on(lifecycle::live(&target, Duration::from_secs(5)))
            .unwrap();
        assert!(old.verdict.is_ok(), "{old:?}");
        let old_pid = supervisor.pid();
        let restarted = rt
            .block_on(lifecycle::restart(
                &target,
                &Credential::None,
                Waits::new(Duration::from_secs(120)),
                &mut VecObserver::default(),
                &Cancel::new(),
            ))
            .unwrap_or_else(|e| panic!("{manager:?}: {e}"));
        let Restarted::Supervised(change) = &restarted else {
            panic!("{manager:?}: not supervised: {restarted:?}");
        };
        assert_ne!(supervisor.pid(), old_pid);
        assert_ne!(change.gateway.boot_id, old.boot_id, "{manager:?}");
        assert!(change.gateway.boot_id.is_some());
        assert!(
            change.problems.is_empty(),
            "{manager:?}: {:?}",
            change.problems
        );
        if manager == Manager::Launchd {
            assert_eq!(change.service.main_pid, Some(supervisor.pid()));
        }
        let calls = supervisor.calls();
        assert!(
            calls.iter().any(|c| c.starts_with(restart_cmd)),
            "{manager:?}: {calls:#?}"
        );
    }
    let calls = supervisor.calls();
    let end = calls.iter().position(|c| c.starts_with("schtasks /End"));
    let run = calls.iter().position(|c| c.starts_with("schtasks /Run"));
    assert!(
        end.is_some() && end < run,
        "Task Scheduler restarts as End then Run: {calls:#?}"
    );
}
