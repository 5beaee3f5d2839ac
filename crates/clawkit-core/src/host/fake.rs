//! A fake [`Host`]: a machine described in memory (listening sockets, processes, their
//! environments, the current user), so what clawkit concludes about ports and processes is
//! tested in microseconds, without starting anything. It answers exactly what it was given;
//! real gateways stay the contract tests.

use super::{Host, Listener, ProcessInfo};
use std::collections::BTreeMap;
use std::net::SocketAddr;

/// A fake host. Build it with the `with_*` methods; every process belongs to `uid` unless
/// added with [`FakeHost::with_process`].
#[derive(Debug, Clone, Default)]
pub struct FakeHost {
    pub uid: u32,
    pub listeners: Vec<Listener>,
    pub processes: Vec<ProcessInfo>,
    pub environs: BTreeMap<u32, Vec<(String, String)>>,
    /// When set, reading the listen table fails with this message.
    pub listen_error: Option<String>,
}

impl FakeHost {
    /// A host where clawkit runs as `uid` and nothing else runs yet.
    pub fn new(uid: u32) -> FakeHost {
        FakeHost {
            uid,
            ..FakeHost::default()
        }
    }

    pub fn with_process(mut self, process: ProcessInfo) -> FakeHost {
        self.processes.retain(|p| p.pid != process.pid);
        self.processes.push(process);
        self
    }

    /// A process of this user running `cmdline`, child of `ppid`; its start tick is its pid.
    pub fn with_running(self, pid: u32, ppid: u32, cmdline: &[&str]) -> FakeHost {
        let uid = self.uid;
        let name: String = cmdline
            .first()
            .map(|c| c.rsplit('/').next().unwrap_or(c))
            .unwrap_or("?")
            .chars()
            .take(15)
            .collect();
        self.with_process(ProcessInfo {
            pid,
            ppid: Some(ppid),
            uid: Some(uid),
            user: None,
            name,
            cmdline: cmdline.iter().map(|c| c.to_string()).collect(),
            exe: None,
            start_ticks: Some(u64::from(pid)),
            started_at_ms: None,
        })
    }

    /// `pid` (of this user) listens on `addr`.
    pub fn with_listener(mut self, addr: SocketAddr, pid: u32) -> FakeHost {
        self.listeners.push(Listener {
            addr,
            uid: Some(self.uid),
            inode: None,
            pid: Some(pid),
        });
        self
    }

    /// A socket on `addr` whose owner this user cannot see (only its uid is known).
    pub fn with_hidden_listener(mut self, addr: SocketAddr, uid: u32) -> FakeHost {
        self.listeners.push(Listener {
            addr,
            uid: Some(uid),
            inode: None,
            pid: None,
        });
        self
    }

    pub fn with_environ(mut self, pid: u32, pairs: &[(&str, &str)]) -> FakeHost {
        let pairs = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        self.environs.insert(pid, pairs);
        self
    }

    pub fn with_listen_error(mut self, message: &str) -> FakeHost {
        self.listen_error = Some(message.to_string());
        self
    }
}

impl Host for FakeHost {
    fn listeners(&self) -> std::io::Result<Vec<Listener>> {
        match &self.listen_error {
            Some(message) => Err(std::io::Error::other(message.clone())),
            None => Ok(self.listeners.clone()),
        }
    }

    fn process(&self, pid: u32) -> Option<ProcessInfo> {
        self.processes.iter().find(|p| p.pid == pid).cloned()
    }

    fn environ(&self, pid: u32) -> Option<Vec<(String, String)>> {
        self.environs.get(&pid).cloned()
    }

    fn gateways(&self) -> Vec<ProcessInfo> {
        let mut all: Vec<ProcessInfo> = self
            .processes
            .iter()
            .filter(|p| p.is_gateway())
            .cloned()
            .collect();
        all.sort_by_key(|p| p.pid);
        all
    }

    fn uid(&self) -> u32 {
        self.uid
    }
}
