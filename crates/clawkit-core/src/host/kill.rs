//! Stopping a process without hurting the machine: only one this user owns, only the same
//! process that was inspected (start time re-checked right before each signal, against PID
//! reuse), SIGTERM first, SIGKILL after a bound, then confirm it is gone. Windows has no
//! polite stop for a windowless console program, so there it is `TerminateProcess` on a handle
//! whose creation time was checked first.

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
            #[cfg(not(windows))]
            Stopped::Killed { after_ms } => {
                write!(
                    f,
                    "ignored SIGTERM; killed with SIGKILL after {after_ms} ms"
                )
            }
            #[cfg(windows)]
            Stopped::Killed { after_ms } => {
                write!(f, "terminated (TerminateProcess) in {after_ms} ms")
            }
            Stopped::AlreadyGone => f.write_str("already gone"),
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum KillError {
    #[error("pid {pid} belongs to {owner}, not to you; clawkit only stops your own processes")]
    NotOwned { pid: u32, owner: String },
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
    let pid = target.pid;
    if target.uid != Some(host.uid()) {
        let owner = match (&target.user, target.uid) {
            (Some(user), _) => user.clone(),
            (None, Some(uid)) => format!("uid {uid}"),
            (None, None) => "an account clawkit cannot see".into(),
        };
        return Err(KillError::NotOwned { pid, owner });
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
    if send(target, How::Term)? {
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
    }
    send(target, How::Kill)?;
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

/// Sends the stop; false when there is no such stop on this platform (nothing was sent).
#[cfg(unix)]
fn send(target: &ProcessInfo, how: How) -> Result<bool, KillError> {
    let pid = target.pid;
    match how {
        How::Term => {
            signal(pid, libc::SIGTERM, "SIGTERM")?;
            // A stopped (SIGSTOP, "hung") process handles SIGTERM only once continued.
            signal(pid, libc::SIGCONT, "SIGCONT")?;
        }
        How::Kill => signal(pid, libc::SIGKILL, "SIGKILL")?,
    }
    Ok(true)
}

/// Windows: a gateway is a console program without a window, which only TerminateProcess
/// stops; it is called on a handle whose creation time matches the inspected process.
#[cfg(windows)]
fn send(target: &ProcessInfo, how: How) -> Result<bool, KillError> {
    if matches!(how, How::Term) {
        return Ok(false);
    }
    super::windows::terminate(target)?;
    Ok(true)
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
        let killed = if cfg!(windows) {
            "pid 7: terminated (TerminateProcess) in 10000 ms"
        } else {
            "pid 7: ignored SIGTERM; killed with SIGKILL after 10000 ms"
        };
        assert_eq!(said(Stopped::Killed { after_ms: 10_000 }), killed);
        assert_eq!(said(Stopped::AlreadyGone), "pid 7: already gone");
    }

    #[test]
    fn a_child_is_stopped_and_reaped_state_does_not_matter() {
        let (child, program) = super::super::sleeper();
        let mut child = child;
        let host = super::super::system();
        // Observed once it runs the program: right after fork it is still a copy of this test
        // binary, and stop() rightly refuses a process whose identity changed since.
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        let runs = |p: &ProcessInfo| {
            p.cmdline.first().is_some_and(|a| {
                let a = a.to_ascii_lowercase();
                a.ends_with(program) || a.ends_with(&format!("{program}.exe"))
            })
        };
        let seen = loop {
            match host.process(child.id()) {
                Some(p) if runs(&p) => break p,
                _ if std::time::Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(5))
                }
                other => panic!("the child never ran {program}: {other:?}"),
            }
        };
        // A reaper thread, as a parent would have.
        let waiter = std::thread::spawn(move || child.wait());
        let outcome = stop(&*host, &seen, false, Duration::from_secs(3)).unwrap();
        // Windows has no polite stop for a console program: TerminateProcess at once.
        if cfg!(windows) {
            assert!(matches!(outcome, Stopped::Killed { .. }), "{outcome:?}");
        } else {
            assert!(matches!(outcome, Stopped::Terminated { .. }), "{outcome:?}");
        }
        assert!(waiter.join().unwrap().is_ok());
        // Refuses another user's process (pid 1 is root's init here or another uid).
        let mut other = seen.clone();
        other.uid = Some(crate::openclaw::install::current_uid().wrapping_add(1));
        assert!(matches!(
            stop(&*host, &other, false, Duration::from_secs(1)),
            Err(KillError::NotOwned { .. })
        ));
    }
}
