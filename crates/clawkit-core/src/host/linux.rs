//! Linux: the socket table from `/proc/net/tcp{,6}`, socket owners by scanning `/proc/*/fd`
//! for the socket inodes, process details from `/proc/<pid>/{stat,status,cmdline,exe}`.
//! Another user's sockets keep their uid (from the socket table) even when the pid is hidden.

use super::Host;
use super::process::{ProcessInfo, parse_stat, parse_status_uid, split_cmdline, user_name};
use super::sockets::{Listener, parse_proc_net_tcp};
use std::collections::HashMap;
use std::fs;
use std::path::PathBuf;

pub struct ProcHost {
    proc: PathBuf,
    passwd: Option<String>,
    /// (boot time in Unix seconds, clock ticks per second), to turn start ticks into a time.
    clock: Option<(i64, i64)>,
}

impl ProcHost {
    pub fn new() -> ProcHost {
        let proc = PathBuf::from("/proc");
        let btime = fs::read_to_string(proc.join("stat")).ok().and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("btime "))
                .and_then(|v| v.trim().parse::<i64>().ok())
        });
        #[cfg(unix)]
        // SAFETY: sysconf has no preconditions.
        let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as i64;
        #[cfg(not(unix))]
        let hz = 0;
        ProcHost {
            passwd: fs::read_to_string("/etc/passwd").ok(),
            clock: btime.filter(|_| hz > 0).map(|b| (b, hz)),
            proc,
        }
    }

    fn pids(&self) -> Vec<u32> {
        fs::read_dir(&self.proc)
            .map(|dir| {
                dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Which pid holds each of these socket inodes (first holder wins; a socket shared with
    /// a child after fork is attributed to the lowest pid, the parent).
    fn owners(&self, inodes: &[u64]) -> HashMap<u64, u32> {
        let mut found = HashMap::new();
        let mut pids = self.pids();
        pids.sort_unstable();
        for pid in pids {
            let Ok(fds) = fs::read_dir(self.proc.join(pid.to_string()).join("fd")) else {
                continue;
            };
            for fd in fds.flatten() {
                let Ok(target) = fs::read_link(fd.path()) else {
                    continue;
                };
                let target = target.to_string_lossy();
                if let Some(inode) = target
                    .strip_prefix("socket:[")
                    .and_then(|t| t.strip_suffix(']'))
                    .and_then(|t| t.parse::<u64>().ok())
                    && inodes.contains(&inode)
                {
                    found.entry(inode).or_insert(pid);
                }
            }
            if found.len() == inodes.len() {
                break;
            }
        }
        found
    }
}

impl Default for ProcHost {
    fn default() -> Self {
        Self::new()
    }
}

impl Host for ProcHost {
    fn listeners(&self) -> std::io::Result<Vec<Listener>> {
        let mut all = Vec::new();
        for name in ["tcp", "tcp6"] {
            match fs::read_to_string(self.proc.join("net").join(name)) {
                Ok(text) => all.extend(parse_proc_net_tcp(&text)),
                Err(e) if name == "tcp6" && e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
        let inodes: Vec<u64> = all.iter().filter_map(|l| l.inode).collect();
        let owners = self.owners(&inodes);
        for l in &mut all {
            l.pid = l.inode.and_then(|i| owners.get(&i).copied());
        }
        Ok(all)
    }

    fn process(&self, pid: u32) -> Option<ProcessInfo> {
        let dir = self.proc.join(pid.to_string());
        let stat = fs::read_to_string(dir.join("stat")).ok()?;
        let (state, ppid, start_ticks) = parse_stat(&stat)?;
        if state == 'Z' || state == 'X' {
            // Dead, waiting for its parent to reap it: it runs nothing and holds no socket.
            return None;
        }
        let uid = fs::read_to_string(dir.join("status"))
            .ok()
            .and_then(|s| parse_status_uid(&s));
        let name = fs::read_to_string(dir.join("comm"))
            .map(|s| s.trim_end().to_string())
            .unwrap_or_default();
        let cmdline = fs::read(dir.join("cmdline"))
            .map(|raw| split_cmdline(&raw))
            .unwrap_or_default();
        Some(ProcessInfo {
            pid,
            ppid: Some(ppid),
            user: uid.and_then(|u| user_name(self.passwd.as_deref()?, u)),
            uid,
            name,
            cmdline,
            exe: fs::read_link(dir.join("exe")).ok(),
            start_ticks: Some(start_ticks),
            started_at_ms: self
                .clock
                .map(|(btime, hz)| (btime * 1000) + (start_ticks as i64 * 1000 / hz)),
        })
    }

    fn environ(&self, pid: u32) -> Option<Vec<(String, String)>> {
        let raw = fs::read(self.proc.join(pid.to_string()).join("environ")).ok()?;
        Some(
            raw.split(|b| *b == 0)
                .filter_map(|kv| {
                    let kv = String::from_utf8_lossy(kv);
                    let (k, v) = kv.split_once('=')?;
                    Some((k.to_string(), v.to_string()))
                })
                .collect(),
        )
    }

    fn gateways(&self) -> Vec<ProcessInfo> {
        let mut pids = self.pids();
        pids.sort_unstable();
        pids.into_iter()
            .filter(|pid| {
                // Cheap pre-filter on the raw cmdline before reading everything else.
                fs::read(self.proc.join(pid.to_string()).join("cmdline"))
                    .is_ok_and(|raw| memchr::memmem::find(&raw, b"gateway").is_some())
            })
            .filter_map(|pid| self.process(pid))
            .filter(ProcessInfo::is_gateway)
            .collect()
    }

    fn uid(&self) -> u32 {
        crate::openclaw::install::current_uid()
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    #[test]
    fn sees_its_own_listener_with_pid_and_start_time() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let host = ProcHost::new();
        let found = host.listeners().unwrap();
        let mine = found
            .iter()
            .find(|l| l.addr.port() == port)
            .expect("own listener listed");
        assert_eq!(mine.pid, Some(std::process::id()));
        let me = host.process(std::process::id()).unwrap();
        assert!(me.start_ticks.is_some() && me.uid.is_some());
        let now = crate::time::now_ms();
        let started = me.started_at_ms.unwrap();
        assert!(started <= now + 1000 && started > now - 3_600_000);
        assert!(!me.is_gateway());
        drop(listener);
        assert!(
            !host
                .listeners()
                .unwrap()
                .iter()
                .any(|l| l.addr.port() == port && l.pid == Some(std::process::id()))
        );
    }
}
