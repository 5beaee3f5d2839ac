//! The service manager on this machine — `systemctl --user`, `launchctl`, `schtasks` — and the
//! exact commands clawkit issues to it. Everything goes through the command runner.

use super::Names;
use crate::host::runner::{CommandOutput, CommandRunner};
use crate::openclaw::install::InstallPaths;
use serde::Serialize;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Manager {
    Systemd,
    Launchd,
    Schtasks,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Start,
    Stop,
    Restart,
}

/// What the manager says about the gateway service.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceState {
    pub name: String,
    /// Whether the manager knows the service at all.
    pub loaded: bool,
    /// `active`, `inactive`, `failed`, `activating`; launchd/schtasks: `running` / `stopped`.
    pub state: String,
    pub main_pid: Option<u32>,
    pub detail: Option<String>,
}

const TIMEOUT: Duration = Duration::from_secs(30);

/// A service manager command that did not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum ManagerError {
    #[error("`{command}` could not run: {source}")]
    Spawn {
        command: String,
        source: std::io::Error,
    },
    #[error("`{command}` failed: {reason}")]
    Failed { command: String, reason: String },
}

fn run_checked(
    runner: &dyn CommandRunner,
    cmd: &[String],
    tolerate_failure: bool,
) -> Result<(), ManagerError> {
    let args: Vec<&str> = cmd[1..].iter().map(String::as_str).collect();
    let command = cmd.join(" ");
    let out = runner
        .run(&cmd[0], &args, &[], TIMEOUT)
        .map_err(|source| ManagerError::Spawn {
            command: command.clone(),
            source,
        })?;
    if !out.success() && !tolerate_failure {
        return Err(ManagerError::Failed {
            command,
            reason: out.reason(),
        });
    }
    Ok(())
}

impl Manager {
    /// The service manager of this OS, if it is actually running (no user systemd in most
    /// containers: then the gateway can only be unsupervised).
    pub fn detect(runner: &dyn CommandRunner) -> Option<Manager> {
        if cfg!(target_os = "macos") {
            return Some(Manager::Launchd);
        }
        if cfg!(windows) {
            return Some(Manager::Schtasks);
        }
        if !std::path::Path::new("/run/systemd/system").is_dir() {
            return None;
        }
        let probe = runner
            .run(
                "systemctl",
                &["--user", "is-system-running"],
                &[],
                Duration::from_secs(5),
            )
            .ok()?;
        // `degraded` and friends exit non-zero but prove a user manager answers.
        (!probe.stdout.trim().is_empty()).then_some(Manager::Systemd)
    }

    pub fn service_name(self, paths: &InstallPaths) -> String {
        let names = Names::for_profile(paths.profile.as_deref());
        match self {
            Manager::Systemd => names.systemd,
            Manager::Launchd => names.launchd,
            Manager::Schtasks => names.task,
        }
    }

    fn launchd_target(paths: &InstallPaths) -> String {
        format!(
            "gui/{}/{}",
            crate::openclaw::install::current_uid(),
            Manager::Launchd.service_name(paths)
        )
    }

    /// The commands that perform `action`, in order.
    pub fn commands(self, action: Action, paths: &InstallPaths) -> Vec<Vec<String>> {
        let name = self.service_name(paths);
        let v = |args: &[&str]| args.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        match self {
            Manager::Systemd => {
                let verb = match action {
                    Action::Start => "start",
                    Action::Stop => "stop",
                    Action::Restart => "restart",
                };
                vec![v(&["systemctl", "--user", verb, &name])]
            }
            Manager::Launchd => {
                let target = Manager::launchd_target(paths);
                let plist = paths
                    .home
                    .value
                    .join("Library/LaunchAgents")
                    .join(format!("{name}.plist"))
                    .display()
                    .to_string();
                let domain = format!("gui/{}", crate::openclaw::install::current_uid());
                match action {
                    Action::Start => vec![
                        v(&["launchctl", "bootstrap", &domain, &plist]),
                        v(&["launchctl", "kickstart", &target]),
                    ],
                    Action::Stop => vec![v(&["launchctl", "bootout", &target])],
                    Action::Restart => vec![v(&["launchctl", "kickstart", "-k", &target])],
                }
            }
            Manager::Schtasks => match action {
                Action::Start => vec![v(&["schtasks", "/Run", "/TN", &name])],
                Action::Stop => vec![v(&["schtasks", "/End", "/TN", &name])],
                Action::Restart => vec![
                    v(&["schtasks", "/End", "/TN", &name]),
                    v(&["schtasks", "/Run", "/TN", &name]),
                ],
            },
        }
    }

    /// Runs `action`; stops at the first failing command and returns its output. (For
    /// launchd `bootstrap` of an already loaded agent fails harmlessly: it is not fatal.)
    pub fn perform(
        self,
        runner: &dyn CommandRunner,
        action: Action,
        paths: &InstallPaths,
    ) -> Result<(), ManagerError> {
        for cmd in self.commands(action, paths) {
            let tolerated = self == Manager::Launchd && cmd[1] == "bootstrap";
            run_checked(runner, &cmd, tolerated)?;
        }
        Ok(())
    }

    /// Makes the manager re-read changed service definitions (systemd only: launchd reads
    /// the plist at bootstrap, Task Scheduler the task script at each run).
    pub fn reload(self, runner: &dyn CommandRunner) -> Result<Option<String>, ManagerError> {
        match self {
            Manager::Systemd => {
                let cmd = ["systemctl", "--user", "daemon-reload"].map(String::from);
                run_checked(runner, &cmd, false)?;
                Ok(Some("systemd re-read the units".into()))
            }
            Manager::Launchd | Manager::Schtasks => Ok(None),
        }
    }

    pub fn state(self, runner: &dyn CommandRunner, paths: &InstallPaths) -> ServiceState {
        let name = self.service_name(paths);
        let run = |program: &str, args: &[&str]| {
            runner
                .run(program, args, &[], Duration::from_secs(10))
                .unwrap_or_else(|e| CommandOutput {
                    code: None,
                    stdout: String::new(),
                    stderr: e.to_string(),
                })
        };
        match self {
            Manager::Systemd => {
                let out = run(
                    "systemctl",
                    &[
                        "--user",
                        "show",
                        &name,
                        "--no-page",
                        "--property",
                        "LoadState,ActiveState,SubState,MainPID,ExecMainStatus",
                    ],
                );
                parse_systemctl_show(&name, &out.stdout)
            }
            Manager::Launchd => {
                let out = run("launchctl", &["print", &Manager::launchd_target(paths)]);
                parse_launchctl_print(&name, &out)
            }
            Manager::Schtasks => {
                let out = run(
                    "schtasks",
                    &["/Query", "/TN", &name, "/V", "/FO", "CSV", "/NH"],
                );
                parse_schtasks_query(&name, &out)
            }
        }
    }

    /// (service name, main pid) when the manager runs the gateway.
    pub fn main_pid(
        self,
        runner: &dyn CommandRunner,
        paths: &InstallPaths,
    ) -> Option<(String, u32)> {
        let state = self.state(runner, paths);
        state.main_pid.map(|p| (state.name, p))
    }
}

pub fn parse_systemctl_show(name: &str, text: &str) -> ServiceState {
    let get = |k: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("{k}=")))
            .map(str::trim)
            .unwrap_or("")
    };
    ServiceState {
        name: name.to_string(),
        loaded: get("LoadState") == "loaded",
        state: match (get("ActiveState"), get("SubState")) {
            ("", _) => "unknown".into(),
            (a, "") => a.into(),
            (a, s) => format!("{a} ({s})"),
        },
        main_pid: get("MainPID").parse().ok().filter(|p| *p != 0),
        detail: match get("ExecMainStatus") {
            "" | "0" => None,
            code => Some(format!("last exit status {code}")),
        },
    }
}

pub fn parse_launchctl_print(name: &str, out: &CommandOutput) -> ServiceState {
    let field = |k: &str| {
        out.stdout.lines().find_map(|l| {
            let l = l.trim();
            l.strip_prefix(k)
                .and_then(|r| r.trim_start().strip_prefix('='))
                .map(|v| v.trim().to_string())
        })
    };
    ServiceState {
        name: name.to_string(),
        loaded: out.success(),
        state: field("state").unwrap_or_else(|| "not loaded".into()),
        main_pid: field("pid").and_then(|p| p.parse().ok()),
        detail: field("last exit code").filter(|c| c != "0"),
    }
}

pub fn parse_schtasks_query(name: &str, out: &CommandOutput) -> ServiceState {
    // CSV columns are localized: read by position (HostName, TaskName, Next Run, Status, …).
    let cols: Vec<String> = out
        .stdout
        .lines()
        .find(|l| !l.trim().is_empty())
        .map(|l| {
            l.split("\",\"")
                .map(|c| c.trim_matches('"').to_string())
                .collect()
        })
        .unwrap_or_default();
    ServiceState {
        name: name.to_string(),
        loaded: out.success(),
        state: cols
            .get(3)
            .cloned()
            .unwrap_or_else(|| "not installed".into()),
        main_pid: None,
        detail: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::Env;
    use crate::host::runner::RecordingRunner;
    use crate::openclaw::install::InstallPaths;

    fn paths(profile: Option<&str>) -> InstallPaths {
        let mut env = Env::from_pairs([("HOME", "/home/alice")]);
        if let Some(p) = profile {
            env.set("OPENCLAW_PROFILE", p);
        }
        InstallPaths::resolve_without_cli(&env)
    }

    #[test]
    fn systemd_commands_are_exact() {
        let runner = RecordingRunner::new();
        let p = paths(None);
        Manager::Systemd
            .perform(&runner, Action::Restart, &p)
            .unwrap();
        Manager::Systemd
            .perform(&runner, Action::Stop, &paths(Some("work")))
            .unwrap();
        assert_eq!(
            runner.calls(),
            vec![
                "systemctl --user restart openclaw-gateway.service",
                "systemctl --user stop openclaw-gateway-work.service"
            ]
        );
    }

    #[test]
    fn a_failing_command_stops_the_action_and_is_quoted() {
        let runner = RecordingRunner::new().reply(
            "schtasks /End",
            CommandOutput {
                code: Some(1),
                stdout: String::new(),
                stderr: "ERROR: The system cannot find the file specified.\r\n".into(),
            },
        );
        let err = Manager::Schtasks
            .perform(&runner, Action::Restart, &paths(None))
            .unwrap_err();
        assert!(
            err.to_string().contains(
                "schtasks /End /TN OpenClaw Gateway` failed: ERROR: The system cannot find"
            )
        );
        assert_eq!(runner.calls().len(), 1, "nothing after the failed step");
    }

    #[test]
    fn launchd_restart_kickstarts_the_label() {
        let runner = RecordingRunner::new();
        Manager::Launchd
            .perform(&runner, Action::Restart, &paths(None))
            .unwrap();
        let uid = crate::openclaw::install::current_uid();
        assert_eq!(
            runner.calls(),
            vec![format!(
                "launchctl kickstart -k gui/{uid}/ai.openclaw.gateway"
            )]
        );
    }

    #[test]
    fn state_parsers() {
        let s = parse_systemctl_show(
            "openclaw-gateway.service",
            "LoadState=loaded\nActiveState=active\nSubState=running\nMainPID=4242\nExecMainStatus=0\n",
        );
        assert_eq!(
            (s.loaded, s.main_pid, s.state.as_str()),
            (true, Some(4242), "active (running)")
        );
        let s = parse_systemctl_show(
            "x",
            "LoadState=not-found\nActiveState=inactive\nSubState=dead\nMainPID=0\n",
        );
        assert_eq!((s.loaded, s.main_pid), (false, None));
        let l = parse_launchctl_print(
            "ai.openclaw.gateway",
            &CommandOutput::ok(
                "gui/501/ai.openclaw.gateway = {\n\tstate = running\n\tpid = 777\n\tlast exit code = 0\n}",
            ),
        );
        assert_eq!((l.state.as_str(), l.main_pid), ("running", Some(777)));
        let t = parse_schtasks_query(
            "OpenClaw Gateway",
            &CommandOutput::ok(
                "\"PC\",\"\\OpenClaw Gateway\",\"N/A\",\"Running\",\"Interactive only\"\r\n",
            ),
        );
        assert_eq!(t.state, "Running");
    }
}
