//! Stopping a process without hurting the machine: only one this user owns, only the same
//! process that was inspected (start time re-checked right before each signal, against PID
//! reuse), SIGTERM first, SIGKILL after a bound, then confirm it is gone.

use super::{Host, ProcessInfo};
use std::time::{Duration, Instant};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stopped {
    /// It exited after SIGTERM.
    Terminated { after_ms: u64 },
    /// It ignored SIGTERM for the whole grace period and was killed.
    Killed { after_ms: u64 },
    /// It was gone before the first signal.
    AlreadyGone,
}

/// How it went, as a clause after the process's name: `pid 7: stopped with SIGTERM in 40 ms`.
impl std::fmt::Display for Stopped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Stopped::Terminated { after_ms } => write!(f, "stopped with SIGTERM in {after_ms} ms"),
            Stopped::Killed { after_ms } => {
                write!(
                    f,
                    "ignored SIGTERM; killed with SIGKILL after {after_ms} ms"
                )
            }
            Stopped::AlreadyGone => f.write_str("already gone"),
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum KillError {
    #[error(
        "pid {pid} belongs to uid {owner}, not to you (uid {me}); clawkit only stops your own processes"
    )]
    NotOwned { pid: u32, owner: u32, me: u32 },
    #[error("pid {pid} is no longer the process that was inspected ({why}); nothing was signalled")]
    Changed { pid: u32, why: String },
    #[error("pid {pid}: {what} failed: {detail}")]
    Signal {
        pid: u32,
        what: &'static str,
        detail: String,
    },
    #[error("pid {pid} still runs {secs} s after SIGKILL")]
    Survived { pid: u32, secs: u64 },
}

/// Whether `now` is still the process `seen` (same pid, same start time, same owner) — and,
/// with `gateway_only`, still a gateway.
fn same_process(seen: &ProcessInfo, now: &ProcessInfo, gateway_only: bool) -> Result<(), String> {
    if seen.start_ticks.is_some() && seen.start_ticks != now.start_ticks {
        return Err("its start time changed: the pid was reused".into());
    }
    if seen.uid != now.uid {
        return Err("its owner changed".into());
    }
    if gateway_only && !now.is_gateway() {
        return Err(format!("it is now `{}`, not a gateway", now.command()));
    }
    if seen.cmdline != now.cmdline && !(gateway_only && now.is_gateway()) {
        return Err(format!("its command line is now `{}`", now.command()));
    }
    Ok(())
}

/// Stops `target` (as inspected earlier): SIGTERM, wait up to `grace`, SIGKILL, wait up to 5 s.
pub fn stop(
    host: &dyn Host,
    target: &ProcessInfo,
    gateway_only: bool,
    grace: Duration,
) -> Result<Stopped, KillError> {
    let me = crate::openclaw::install::current_uid();
    let pid = target.pid;
    let owner = target.uid.unwrap_or(u32::MAX);
    if owner != me {
        return Err(KillError::NotOwned { pid, owner, me });
    }
    let started = Instant::now();
    let verify = || -> Result<bool, KillError> {
        match host.process(pid) {
            None => Ok(false),
            Some(now) => same_process(target, &now, gateway_only)
                .map(|()| true)
                .map_err(|why| KillError::Changed { pid, why }),
        }
    };
    if !verify()? {
        return Ok(Stopped::AlreadyGone);
    }
    send(pid, How::Term)?;
    if wait_gone(host, target, grace) {
        return Ok(Stopped::Terminated {
            after_ms: started.elapsed().as_millis() as u64,
        });
    }
    // Re-verify right before the hard signal: the pid may have exited and been reused.
    if !verify()? {
        return Ok(Stopped::Terminated {
            after_ms: started.elapsed().as_millis() as u64,
        });
    }
    send(pid, How::Kill)?;
    if wait_gone(host, target, Duration::from_secs(5)) {
        Ok(Stopped::Killed {
            after_ms: started.elapsed().as_millis() as u64,
        })
    } else {
        Err(KillError::Survived { pid, secs: 5 })
    }
}

/// The polite stop or the hard one.
#[derive(Debug, Clone, Copy)]
enum How {
    Term,
    Kill,
}

#[cfg(unix)]
fn send(pid: u32, how: How) -> Result<(), KillError> {
    match how {
        How::Term => {
            signal(pid, libc::SIGTERM, "SIGTERM")?;
            // A stopped (SIGSTOP, "hung") process handles SIGTERM only once continued.
            signal(pid, libc::SIGCONT, "SIGCONT")
        }
        How::Kill => signal(pid, libc::SIGKILL, "SIGKILL"),
    }
}

/// Windows: `taskkill /PID` (a close request), then `/F` (TerminateProcess), by pid only;
/// the OS refuses another user's process without elevation.
#[cfg(windows)]
fn send(pid: u32, how: How) -> Result<(), KillError> {
    let what = match how {
        How::Term => "taskkill",
        How::Kill => "taskkill /F",
    };
    let mut cmd = std::process::Command::new("taskkill");
    cmd.args(["/PID", &pid.to_string()]);
    if matches!(how, How::Kill) {
        cmd.arg("/F");
    }
    let out = cmd.output().map_err(|e| KillError::Signal {
        pid,
        what,
        detail: e.to_string(),
    })?;
    // A close request to a console program is refused ("can only be terminated forcefully"):
    // the grace period then ends in /F, as a SIGTERM that is ignored does.
    if out.status.success() || matches!(how, How::Term) {
        return Ok(());
    }
    Err(KillError::Signal {
        pid,
        what,
        detail: String::from_utf8_lossy(&out.stderr).trim().to_string(),
    })
}

#[cfg(unix)]
fn signal(pid: u32, sig: libc::c_int, what: &'static str) -> Result<(), KillError> {
    let Ok(raw) = libc::pid_t::try_from(pid) else {
        return Err(KillError::Signal {
            pid,
            what,
            detail: "pid out of range".into(),
        });
    };
    // SAFETY: kill(2) with a positive pid signals exactly that process; no memory is shared.
    if unsafe { libc::kill(raw, sig) } == 0 {
        return Ok(());
    }
    let err = std::io::Error::last_os_error();
    if err.raw_os_error() == Some(libc::ESRCH) {
        return Ok(());
    }
    Err(KillError::Signal {
        pid,
        what,
        detail: err.to_string(),
    })
}

/// Waits until the process is gone (or is another process: the pid was reused after exit).
fn wait_gone(host: &dyn Host, target: &ProcessInfo, bound: Duration) -> bool {
    let deadline = Instant::now() + bound;
    loop {
        match host.process(target.pid) {
            None => return true,
            Some(now) if target.start_ticks.is_some() && now.start_ticks != target.start_ticks => {
                return true;
            }
            Some(_) => {}
        }
        if Instant::now() >= deadline {
            return false;
        }
        // Sync by design: `stop` runs on the blocking pool (lifecycle, doctor).
        #[allow(clippy::disallowed_methods)]
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(start: u64, cmd: &str) -> ProcessInfo {
        ProcessInfo {
            pid: 7,
            ppid: None,
            uid: Some(1000),
            user: None,
            name: cmd.into(),
            cmdline: vec![cmd.into()],
            exe: None,
            start_ticks: Some(start),
            started_at_ms: None,
        }
    }

    #[test]
    fn pid_reuse_and_changed_identity_are_refused() {
        let gw = p(100, "openclaw-gateway");
        assert!(same_process(&gw, &gw, true).is_ok());
        assert!(
            same_process(&gw, &p(200, "openclaw-gateway"), true)
                .unwrap_err()
                .contains("reused")
        );
        assert!(
            same_process(&gw, &p(100, "bash"), true)
                .unwrap_err()
                .contains("not a gateway")
        );
        let foreign = p(100, "python3");
        assert!(same_process(&foreign, &foreign, false).is_ok());
        assert!(same_process(&foreign, &p(100, "bash"), false).is_err());
    }

    #[test]
    fn each_outcome_reads_as_a_clause() {
        let said = |s: Stopped| format!("pid 7: {s}");
        assert_eq!(
            said(Stopped::Terminated { after_ms: 40 }),
            "pid 7: stopped with SIGTERM in 40 ms"
        );
        assert_eq!(
            said(Stopped::Killed { after_ms: 10_000 }),
            "pid 7: ignored SIGTERM; killed with SIGKILL after 10000 ms"
        );
        assert_eq!(said(Stopped::AlreadyGone), "pid 7: already gone");
    }

    #[test]
    fn a_child_is_stopped_and_reaped_state_does_not_matter() {
        let mut child = std::process::Command::new("sleep")
            .arg("30")
            .spawn()
            .unwrap();
        let host = super::super::ProcHost::new();
        // Observed once it runs `sleep`: right after fork it is still a copy of this test
        // binary, and stop() rightly refuses a process whose identity changed since.
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        let seen = loop {
            match host.process(child.id()) {
                Some(p) if p.name == "sleep" && p.cmdline == ["sleep", "30"] => break p,
                _ if std::time::Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(5))
                }
                other => panic!("the child never ran sleep: {other:?}"),
            }
        };
        // A reaper thread, as a parent would have.
        let waiter = std::thread::spawn(move || child.wait());
        let outcome = stop(&host, &seen, false, Duration::from_secs(3)).unwrap();
        assert!(matches!(outcome, Stopped::Terminated { .. }), "{outcome:?}");
        assert!(waiter.join().unwrap().is_ok());
        // Refuses another user's process (pid 1 is root's init here or another uid).
        let mut other = seen.clone();
        other.uid = Some(crate::openclaw::install::current_uid().wrapping_add(1));
        assert!(matches!(
            stop(&host, &other, false, Duration::from_secs(1)),
            Err(KillError::NotOwned { .. })
        ));
    }
}
