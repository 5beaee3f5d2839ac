//! The local gateway's process, watched for its exit. On Linux a pidfd becomes readable the
//! moment the process is gone (as fast as the socket's EOF, and certain where EOF is only
//! likely); elsewhere nothing is watched and the socket alone tells.

use std::future::pending;

/// The process of a local gateway, or none.
#[derive(Debug, Default)]
pub(super) struct ProcessWatch {
    watched: Option<(u32, pidfd::PidFd)>,
}

impl ProcessWatch {
    pub(super) fn none() -> ProcessWatch {
        ProcessWatch::default()
    }

    /// Watches `pid`; nothing when it cannot be (already gone, or not Linux).
    pub(super) fn open(pid: u32) -> ProcessWatch {
        ProcessWatch {
            watched: pidfd::PidFd::open(pid).map(|fd| (pid, fd)),
        }
    }

    pub(super) fn pid(&self) -> Option<u32> {
        self.watched.as_ref().map(|(pid, _)| *pid)
    }

    /// Resolves once, with the pid, when the process exits; pending forever when none is
    /// watched. Cancel-safe.
    pub(super) async fn exited(&mut self) -> u32 {
        let Some((pid, fd)) = &self.watched else {
            return pending().await;
        };
        let pid = *pid;
        if !fd.exited().await {
            self.watched = None;
            return pending().await;
        }
        self.watched = None;
        pid
    }
}

/// The pid of the process holding the local gateway's `port`, as this machine sees it; the
/// gateway's own word (`said`) only when the port's owner is not visible and `said` is an
/// OpenClaw gateway here (a gateway in a container reports a pid of another namespace).
pub(super) async fn local_pid(port: u16, said: Option<u32>) -> Option<u32> {
    tokio::task::spawn_blocking(move || {
        let host = clawkit_core::host::system();
        let owner = host.listeners().ok().and_then(|listeners| {
            listeners
                .into_iter()
                .find(|l| l.addr.port() == port && l.pid.is_some())
                .and_then(|l| l.pid)
        });
        owner.or_else(|| said.filter(|pid| host.process(*pid).is_some_and(|p| p.is_gateway())))
    })
    .await
    .ok()
    .flatten()
}

#[cfg(target_os = "linux")]
mod pidfd {
    use std::os::fd::{FromRawFd, OwnedFd};
    use tokio::io::Interest;
    use tokio::io::unix::AsyncFd;

    #[derive(Debug)]
    pub(super) struct PidFd(AsyncFd<OwnedFd>);

    impl PidFd {
        pub(super) fn open(pid: u32) -> Option<PidFd> {
            let pid = libc::pid_t::try_from(pid).ok()?;
            // SAFETY: pidfd_open(2) takes a pid and flags and returns a new fd or -1.
            let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
            if fd < 0 {
                return None;
            }
            // SAFETY: `fd` was just returned by the kernel and is owned by nothing else.
            let owned = unsafe { OwnedFd::from_raw_fd(fd as i32) };
            // SAFETY: an `OwnedFd` stays open and is the same fd until the `AsyncFd` drops it.
            unsafe { AsyncFd::register_with_interest(owned, Interest::READABLE) }
                .ok()
                .map(PidFd)
        }

        /// True when the process exited; false if the fd cannot be polled.
        pub(super) async fn exited(&self) -> bool {
            self.0.readable().await.is_ok()
        }
    }
}

#[cfg(not(target_os = "linux"))]
mod pidfd {
    #[derive(Debug)]
    pub(super) struct PidFd;

    impl PidFd {
        pub(super) fn open(_pid: u32) -> Option<PidFd> {
            None
        }

        pub(super) async fn exited(&self) -> bool {
            std::future::pending().await
        }
    }
}
