//! A process's exit, as soon as it happens, with each platform's own mechanism: a pidfd on
//! Linux, a kqueue `EVFILT_PROC` on macOS, the process handle on Windows. The monitor uses it
//! to see a local gateway die the moment it does instead of at the next probe.

/// The exit of one process.
#[derive(Debug)]
pub struct ExitWatch(imp::Watch);

impl ExitWatch {
    /// Watches `pid`; `None` when it is already gone or cannot be watched here (the monitor
    /// then learns of the exit from the socket).
    pub fn open(pid: u32) -> Option<ExitWatch> {
        imp::Watch::open(pid).map(ExitWatch)
    }

    /// True once the process exited; false if the watch broke (the caller stops watching).
    /// Cancel-safe.
    pub async fn exited(&mut self) -> bool {
        self.0.exited().await
    }
}

#[cfg(any(target_os = "linux", target_os = "macos"))]
mod imp {
    use std::os::fd::{FromRawFd, OwnedFd};
    use tokio::io::Interest;
    use tokio::io::unix::AsyncFd;

    /// A descriptor that becomes readable when the process exits.
    #[derive(Debug)]
    pub(super) struct Watch(AsyncFd<OwnedFd>);

    impl Watch {
        pub(super) fn open(pid: u32) -> Option<Watch> {
            let pid = libc::pid_t::try_from(pid).ok()?;
            let fd = exit_fd(pid)?;
            // SAFETY: `fd` was just returned by the kernel and is owned by nothing else.
            let owned = unsafe { OwnedFd::from_raw_fd(fd) };
            // SAFETY: an `OwnedFd` stays open and is the same fd until the `AsyncFd` drops it.
            unsafe { AsyncFd::register_with_interest(owned, Interest::READABLE) }
                .ok()
                .map(Watch)
        }

        pub(super) async fn exited(&self) -> bool {
            self.0.readable().await.is_ok()
        }
    }

    /// pidfd_open(2): readable once the process has exited.
    #[cfg(target_os = "linux")]
    fn exit_fd(pid: libc::pid_t) -> Option<libc::c_int> {
        // SAFETY: pidfd_open(2) takes a pid and flags and returns a new fd or -1.
        let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
        (fd >= 0).then_some(fd as libc::c_int)
    }

    /// A kqueue holding one EVFILT_PROC/NOTE_EXIT event: the queue itself is readable once
    /// the event fired.
    #[cfg(target_os = "macos")]
    fn exit_fd(pid: libc::pid_t) -> Option<libc::c_int> {
        // SAFETY: kqueue(2) takes nothing and returns a new fd or -1.
        let kq = unsafe { libc::kqueue() };
        if kq < 0 {
            return None;
        }
        let change = libc::kevent {
            ident: pid as libc::uintptr_t,
            filter: libc::EVFILT_PROC,
            flags: libc::EV_ADD | libc::EV_ONESHOT,
            fflags: libc::NOTE_EXIT,
            data: 0,
            udata: std::ptr::null_mut(),
        };
        // SAFETY: one change in, no events out, no timeout needed for a registration.
        let rc = unsafe { libc::kevent(kq, &change, 1, std::ptr::null_mut(), 0, std::ptr::null()) };
        if rc < 0 {
            // SAFETY: `kq` is ours and unused elsewhere.
            unsafe { libc::close(kq) };
            return None;
        }
        Some(kq)
    }
}

#[cfg(windows)]
mod imp {
    pub(super) use crate::host::windows::ExitWait as Watch;
}

#[cfg(not(any(target_os = "linux", target_os = "macos", windows)))]
mod imp {
    #[derive(Debug)]
    pub(super) struct Watch;

    impl Watch {
        pub(super) fn open(_pid: u32) -> Option<Watch> {
            None
        }

        pub(super) async fn exited(&self) -> bool {
            std::future::pending().await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn an_exit_is_seen_and_a_running_process_is_not_taken_for_gone() {
        let (mut child, _) = crate::host::sleeper();
        let mut watch = ExitWatch::open(child.id()).expect("a running child can be watched");
        let early = tokio::time::timeout(Duration::from_millis(300), watch.exited()).await;
        assert!(early.is_err(), "still running: not exited");
        child.kill().unwrap();
        let seen = tokio::time::timeout(Duration::from_secs(30), watch.exited()).await;
        assert_eq!(seen, Ok(true), "the kill was seen");
        child.wait().unwrap();
        assert!(ExitWatch::open(u32::MAX - 3).is_none());
    }
}
