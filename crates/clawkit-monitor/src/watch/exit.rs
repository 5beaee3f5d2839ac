//! The local gateway's process, watched for its exit with the host's exit watch (pidfd,
//! kqueue or process handle): as fast as the socket's EOF, and certain where EOF is only
//! likely. Where nothing can be watched, the socket alone tells.

use clawkit_core::host::exit::ExitWatch;
use std::future::pending;

/// The process of a local gateway, or none.
#[derive(Debug, Default)]
pub(super) struct ProcessWatch {
    watched: Option<(u32, ExitWatch)>,
}

impl ProcessWatch {
    pub(super) fn none() -> ProcessWatch {
        ProcessWatch::default()
    }

    /// Watches `pid`; nothing when it cannot be (already gone, or no exit watch here).
    pub(super) fn open(pid: u32) -> ProcessWatch {
        ProcessWatch {
            watched: ExitWatch::open(pid).map(|w| (pid, w)),
        }
    }

    pub(super) fn pid(&self) -> Option<u32> {
        self.watched.as_ref().map(|(pid, _)| *pid)
    }

    /// Resolves once, with the pid, when the process exits; pending forever when none is
    /// watched. Cancel-safe.
    pub(super) async fn exited(&mut self) -> u32 {
        let Some((pid, watch)) = &mut self.watched else {
            return pending().await;
        };
        let pid = *pid;
        if !watch.exited().await {
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
    let owner = owners::scanned_after(std::time::Instant::now())
        .await
        .get(&port)
        .copied();
    if owner.is_some() {
        return owner;
    }
    let said = said?;
    tokio::task::spawn_blocking(move || {
        let host = clawkit_core::host::system();
        host.process(said).is_some_and(|p| p.is_gateway())
    })
    .await
    .ok()?
    .then_some(said)
}

/// Who owns which listening port. A scan reads every socket and every process's fds, so it
/// costs in proportion to the machine's sockets; a thousand watchers connecting at once must
/// not each scan (that was quadratic: minutes of CPU for a fleet on one host). Callers share
/// one scan in flight, but only a scan that began after they asked: an owner seen before a
/// restart is never taken for the new one.
mod owners {
    use std::collections::HashMap;
    use std::sync::Arc;
    use std::time::Instant;
    use tokio::sync::Mutex;

    type Owners = Arc<HashMap<u16, u32>>;

    static LAST: Mutex<Option<(Instant, Owners)>> = Mutex::const_new(None);

    /// The owners from a scan begun at or after `asked`.
    pub(super) async fn scanned_after(asked: Instant) -> Owners {
        let mut last = LAST.lock().await;
        if let Some((began, owners)) = last.as_ref()
            && *began >= asked
        {
            return owners.clone();
        }
        let began = Instant::now();
        let owners: Owners = Arc::new(tokio::task::spawn_blocking(scan).await.unwrap_or_default());
        *last = Some((began, owners.clone()));
        owners
    }

    fn scan() -> HashMap<u16, u32> {
        let host = clawkit_core::host::system();
        host.listeners()
            .unwrap_or_default()
            .into_iter()
            .filter_map(|l| Some((l.addr.port(), l.pid?)))
            .collect()
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn a_herd_shares_a_scan_and_a_later_ask_never_gets_an_older_one() {
            let first = scanned_after(Instant::now()).await;
            let later = scanned_after(Instant::now()).await;
            assert!(
                !Arc::ptr_eq(&first, &later),
                "asked after it began: a new scan"
            );
            let asked = Instant::now();
            let herd: Vec<Owners> =
                futures_util::future::join_all((0..50).map(|_| tokio::spawn(scanned_after(asked))))
                    .await
                    .into_iter()
                    .map(Result::unwrap)
                    .collect();
            let mut distinct: Vec<&Owners> = Vec::new();
            for o in &herd {
                if !distinct.iter().any(|d| Arc::ptr_eq(d, o)) {
                    distinct.push(o);
                }
            }
            assert!(distinct.len() <= 3, "50 callers, {} scans", distinct.len());
        }
    }
}
