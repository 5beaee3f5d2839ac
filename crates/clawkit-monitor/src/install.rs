//! `clawkit monitor install`: the monitor as a user service that starts at login and is
//! restarted when it dies or stops answering — a systemd user unit (`Type=notify`,
//! `Restart=always`, `WatchdogSec`), a launchd agent (`KeepAlive`), or a Windows scheduled
//! task at logon. The file is journalled like every file clawkit writes (`clawkit undo`
//! takes it back), then the manager is asked to load and start it.

use clawkit_core::host::runner::CommandRunner;
use clawkit_core::journal::{Change, Journal};
use clawkit_core::service::Manager;
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Where things are: resolved by the caller from the environment.
#[derive(Debug, Clone)]
pub struct InstallPlan {
    pub manager: Manager,
    /// The clawkit binary the service runs.
    pub exe: PathBuf,
    /// `--config FILE` for the service, when one was given.
    pub config: Option<PathBuf>,
    /// The user's home and config dir (`~/.config` or `$XDG_CONFIG_HOME`).
    pub home: PathBuf,
    pub config_dir: PathBuf,
    /// OpenClaw's state dir: the journal and backups live there.
    pub state_dir: PathBuf,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Installed {
    pub file: PathBuf,
    pub journal: String,
    /// The manager commands run, and what failed (the service file stays written).
    pub ran: Vec<String>,
    pub failed: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum InstallError {
    #[error("{0}")]
    Write(String),
}

/// Seconds without a `WATCHDOG=1` before systemd restarts the monitor.
const WATCHDOG_SEC: u64 = 30;

pub fn install(plan: &InstallPlan, runner: &dyn CommandRunner) -> Result<Installed, InstallError> {
    let (file, text) = service_file(plan);
    let mut journal =
        Journal::begin(&plan.state_dir).map_err(|e| InstallError::Write(e.to_string()))?;
    journal
        .start_step(1, "install the clawkit monitor service", "monitor-install")
        .map_err(|e| InstallError::Write(e.to_string()))?;
    write(&mut journal, plan, &file, &text)?;
    journal
        .finish_step("done", None)
        .and_then(|_| journal.finish("done"))
        .map_err(|e| InstallError::Write(e.to_string()))?;
    let id = journal
        .path()
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut ran = Vec::new();
    let mut failed = None;
    for cmd in activate(plan, &file) {
        let args: Vec<&str> = cmd[1..].iter().map(String::as_str).collect();
        ran.push(cmd.join(" "));
        match runner.run(&cmd[0], &args, &[], Duration::from_secs(30)) {
            Ok(out) if out.success() => {}
            Ok(out) => {
                failed = Some(format!("`{}`: {}", cmd.join(" "), out.reason()));
                break;
            }
            Err(e) => {
                failed = Some(format!("`{}` could not run: {e}", cmd.join(" ")));
                break;
            }
        }
    }
    Ok(Installed {
        file,
        journal: id,
        ran,
        failed,
    })
}

/// Writes the file: backed up and journalled when it existed, recorded as created when not.
fn write(
    journal: &mut Journal,
    plan: &InstallPlan,
    file: &Path,
    text: &str,
) -> Result<(), InstallError> {
    let err = |e: String| InstallError::Write(format!("{}: {e}", file.display()));
    if let Some(dir) = file.parent() {
        std::fs::create_dir_all(dir).map_err(|e| err(e.to_string()))?;
    }
    match clawkit_core::fsx::Snapshot::read(file) {
        Ok(snapshot) if snapshot.text == text => Ok(()),
        Ok(snapshot) => {
            let backups = clawkit_core::fsx::backup_root(&plan.state_dir);
            clawkit_core::journal::write::replace_file(journal, &snapshot, text, &backups, None)
                .map(|_| ())
                .map_err(err)
        }
        Err(_) => {
            journal
                .record(Change::Created {
                    path: file.to_path_buf(),
                })
                .map_err(|e| err(e.to_string()))?;
            clawkit_core::fsx::write_atomic(file, text.as_bytes(), 0o644)
                .map_err(|e| err(e.to_string()))
        }
    }
}

/// The service file for the manager, and its text.
pub fn service_file(plan: &InstallPlan) -> (PathBuf, String) {
    let mut args = vec!["monitor".to_string(), "run".to_string()];
    if let Some(c) = &plan.config {
        args.push("--config".into());
        args.push(c.display().to_string());
    }
    let exe = plan.exe.display().to_string();
    match plan.manager {
        Manager::Systemd => (
            plan.config_dir.join("systemd/user/clawkit-monitor.service"),
            systemd_unit(&exe, &args, &plan.home),
        ),
        Manager::Launchd => (
            plan.home
                .join("Library/LaunchAgents/ai.clawkit.monitor.plist"),
            launchd_plist(&exe, &args),
        ),
        Manager::Schtasks => (
            plan.config_dir.join("clawkit/monitor-task.xml"),
            task_xml(&exe, &args),
        ),
    }
}

fn systemd_unit(exe: &str, args: &[String], home: &Path) -> String {
    let quoted: Vec<String> = std::iter::once(exe.to_string())
        .chain(args.iter().cloned())
        .map(|a| {
            if a.contains(' ') {
                format!("\"{a}\"")
            } else {
                a
            }
        })
        .collect();
    format!(
        "# Written by `clawkit monitor install`; `clawkit undo` removes it.\n[Unit]\nDescription=clawkit Gateway Monitor (alerts when an OpenClaw gateway goes down)\nAfter=network-online.target\n\n[Service]\nType=notify\nExecStart={}\nRestart=always\nRestartSec=2\nWatchdogSec={WATCHDOG_SEC}\nEnvironment=HOME={}\n\n[Install]\nWantedBy=default.target\n",
        quoted.join(" "),
        home.display()
    )
}

fn xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn launchd_plist(exe: &str, args: &[String]) -> String {
    let items: String = std::iter::once(exe.to_string())
        .chain(args.iter().cloned())
        .map(|a| format!("    <string>{}</string>\n", xml(&a)))
        .collect();
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n<plist version=\"1.0\">\n<dict>\n  <key>Label</key><string>ai.clawkit.monitor</string>\n  <key>ProgramArguments</key>\n  <array>\n{items}  </array>\n  <key>RunAtLoad</key><true/>\n  <key>KeepAlive</key><true/>\n</dict>\n</plist>\n"
    )
}

fn task_xml(exe: &str, args: &[String]) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-16\"?>\n<Task version=\"1.2\" xmlns=\"http://schemas.microsoft.com/windows/2004/02/mit/task\">\n  <Triggers><LogonTrigger><Enabled>true</Enabled></LogonTrigger></Triggers>\n  <Settings>\n    <RestartOnFailure><Interval>PT1M</Interval><Count>999</Count></RestartOnFailure>\n    <ExecutionTimeLimit>PT0S</ExecutionTimeLimit>\n    <DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries>\n  </Settings>\n  <Actions><Exec><Command>{}</Command><Arguments>{}</Arguments></Exec></Actions>\n</Task>\n",
        xml(exe),
        xml(&args.join(" "))
    )
}

/// The manager commands that load and start the service.
fn activate(plan: &InstallPlan, file: &Path) -> Vec<Vec<String>> {
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    let f = file.display().to_string();
    match plan.manager {
        Manager::Systemd => vec![
            s(&["systemctl", "--user", "daemon-reload"]),
            s(&[
                "systemctl",
                "--user",
                "enable",
                "--now",
                "clawkit-monitor.service",
            ]),
        ],
        Manager::Launchd => vec![s(&["launchctl", "load", "-w", &f])],
        Manager::Schtasks => vec![s(&[
            "schtasks",
            "/Create",
            "/F",
            "/TN",
            "clawkit monitor",
            "/XML",
            &f,
        ])],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clawkit_core::host::runner::RecordingRunner;

    fn plan(dir: &Path, manager: Manager) -> InstallPlan {
        InstallPlan {
            manager,
            exe: PathBuf::from("/usr/local/bin/clawkit"),
            config: Some(dir.join("my monitor.toml")),
            home: dir.join("home"),
            config_dir: dir.join("home/.config"),
            state_dir: dir.join("home/.openclaw"),
        }
    }

    #[test]
    fn a_systemd_unit_is_written_journalled_and_started() {
        let dir = tempfile::tempdir().unwrap();
        let p = plan(dir.path(), Manager::Systemd);
        let runner = RecordingRunner::new();
        let done = install(&p, &runner).unwrap();
        let text = std::fs::read_to_string(&done.file).unwrap();
        for want in [
            "Type=notify",
            "Restart=always",
            "WatchdogSec=30",
            "ExecStart=/usr/local/bin/clawkit monitor run --config \"",
        ] {
            assert!(text.contains(want), "{want}\n{text}");
        }
        assert_eq!(
            runner.calls(),
            [
                "systemctl --user daemon-reload",
                "systemctl --user enable --now clawkit-monitor.service"
            ]
        );
        // Undo removes the file it created.
        clawkit_core::journal::undo(&p.state_dir, Some(&done.journal)).unwrap();
        assert!(!done.file.exists());
    }

    #[test]
    fn an_existing_unit_is_backed_up_and_restored_by_undo() {
        let dir = tempfile::tempdir().unwrap();
        let p = plan(dir.path(), Manager::Systemd);
        let (file, _) = service_file(&p);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(&file, "# mine\n").unwrap();
        let done = install(&p, &RecordingRunner::new()).unwrap();
        assert_ne!(std::fs::read_to_string(&file).unwrap(), "# mine\n");
        clawkit_core::journal::undo(&p.state_dir, Some(&done.journal)).unwrap();
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "# mine\n");
    }

    #[test]
    fn launchd_and_task_scheduler_files_name_the_command() {
        let dir = tempfile::tempdir().unwrap();
        let (f, plist) = service_file(&plan(dir.path(), Manager::Launchd));
        assert!(f.ends_with("Library/LaunchAgents/ai.clawkit.monitor.plist"));
        assert!(
            plist.contains("<key>KeepAlive</key><true/>")
                && plist.contains("<string>monitor</string>")
        );
        let (_, task) = service_file(&plan(dir.path(), Manager::Schtasks));
        assert!(task.contains("<LogonTrigger>") && task.contains("monitor run --config"));
    }
}
