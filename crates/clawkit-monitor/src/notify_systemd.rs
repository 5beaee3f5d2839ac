//! Watching the watcher under systemd: `READY=1` once the gateways are being watched,
//! `WATCHDOG=1` at half the unit's `WatchdogSec` while the main loop turns (a monitor whose
//! loop is stuck stops pinging and systemd restarts it), `STOPPING=1` on the way out. The
//! socket path comes from `NOTIFY_SOCKET`, read by the caller; abstract sockets (`@…`) too.

#[cfg(unix)]
use std::os::unix::net::UnixDatagram;
use std::time::Duration;

/// The unit's notify socket and watchdog interval, when systemd set them.
#[derive(Debug, Clone, Default)]
pub struct SystemdNotify {
    pub socket: Option<String>,
    pub watchdog_usec: Option<u64>,
}

impl SystemdNotify {
    /// How often to send `WATCHDOG=1`: half the watchdog timeout.
    pub fn watchdog_every(&self) -> Option<Duration> {
        self.watchdog_usec
            .filter(|u| *u > 0)
            .map(|u| Duration::from_micros(u / 2))
    }

    /// Sends one state line; a failure is ignored (the monitor works without systemd).
    #[cfg(unix)]
    pub fn send(&self, state: &str) {
        let Some(path) = &self.socket else {
            return;
        };
        let Ok(sock) = UnixDatagram::unbound() else {
            return;
        };
        let _ = match path.strip_prefix('@') {
            Some(name) => send_abstract(&sock, name, state),
            None => sock.send_to(state.as_bytes(), path).map(|_| ()),
        };
    }

    /// No systemd off Unix: nothing to tell.
    #[cfg(not(unix))]
    pub fn send(&self, _state: &str) {}
}

#[cfg(target_os = "linux")]
fn send_abstract(sock: &UnixDatagram, name: &str, state: &str) -> std::io::Result<()> {
    use std::os::linux::net::SocketAddrExt;
    let addr = std::os::unix::net::SocketAddr::from_abstract_name(name.as_bytes())?;
    sock.send_to_addr(state.as_bytes(), &addr).map(|_| ())
}

#[cfg(all(unix, not(target_os = "linux")))]
fn send_abstract(_sock: &UnixDatagram, _name: &str, _state: &str) -> std::io::Result<()> {
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn states_reach_the_notify_socket() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notify");
        let listener = UnixDatagram::bind(&path).unwrap();
        let n = SystemdNotify {
            socket: Some(path.display().to_string()),
            watchdog_usec: Some(30_000_000),
        };
        n.send("READY=1");
        let mut buf = [0u8; 64];
        let len = listener.recv(&mut buf).unwrap();
        assert_eq!(&buf[..len], b"READY=1");
        assert_eq!(n.watchdog_every(), Some(Duration::from_secs(15)));
        SystemdNotify::default().send("READY=1");
    }
}
