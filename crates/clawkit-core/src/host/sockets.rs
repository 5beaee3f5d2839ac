//! The TCP listen table, from the three places an OS exposes it: Linux's `/proc/net/tcp{,6}`,
//! macOS's `lsof -F`, Windows' `netstat -ano`. Parsers are pure so every format is tested here.

use serde::Serialize;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// One listening socket. `pid` is `None` when the owner is not visible to this user (another
/// user's process); `uid` is then still known on Linux.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Listener {
    pub addr: SocketAddr,
    pub uid: Option<u32>,
    #[serde(skip)]
    pub inode: Option<u64>,
    pub pid: Option<u32>,
}

/// `/proc/net/tcp` or `/proc/net/tcp6`: listening sockets (state `0A`) with uid and inode.
pub fn parse_proc_net_tcp(text: &str) -> Vec<Listener> {
    text.lines()
        .skip(1)
        .filter_map(|line| {
            let f: Vec<&str> = line.split_whitespace().collect();
            if f.len() < 10 || f[3] != "0A" {
                return None;
            }
            let (ip, port) = f[1].split_once(':')?;
            let port = u16::from_str_radix(port, 16).ok()?;
            let ip = parse_proc_ip(ip)?;
            Some(Listener {
                addr: SocketAddr::new(ip, port),
                uid: f[7].parse().ok(),
                inode: f[9].parse().ok(),
                pid: None,
            })
        })
        .collect()
}

/// The kernel prints each 32-bit word of the address in host byte order.
fn parse_proc_ip(hex: &str) -> Option<IpAddr> {
    let word = |s: &str| u32::from_str_radix(s, 16).ok().map(|w| w.to_ne_bytes());
    match hex.len() {
        8 => Some(IpAddr::V4(Ipv4Addr::from(word(hex)?))),
        32 => {
            let mut bytes = [0u8; 16];
            for i in 0..4 {
                bytes[i * 4..i * 4 + 4].copy_from_slice(&word(&hex[i * 8..i * 8 + 8])?);
            }
            Some(IpAddr::V6(Ipv6Addr::from(bytes)))
        }
        _ => None,
    }
}

/// `lsof -nP -iTCP -sTCP:LISTEN -FpcLn`: `p<pid>` starts a process, `c`/`L` name it, each
/// `n<addr>:<port>` is a socket. Returns listeners with the command and login per pid.
pub fn parse_lsof(text: &str) -> Vec<(Listener, String, Option<String>)> {
    let mut out = Vec::new();
    let (mut pid, mut command, mut login) = (None, String::new(), None);
    for line in text.lines() {
        let (tag, value) = match line.char_indices().nth(1) {
            Some((i, _)) => (&line[..i], &line[i..]),
            None => continue,
        };
        match tag {
            "p" => {
                pid = value.parse().ok();
                command.clear();
                login = None;
            }
            "c" => command = value.to_string(),
            "L" => login = Some(value.to_string()),
            "n" => {
                if let Some(addr) = parse_endpoint(value) {
                    out.push((
                        Listener {
                            addr,
                            uid: None,
                            inode: None,
                            pid,
                        },
                        command.clone(),
                        login.clone(),
                    ));
                }
            }
            _ => {}
        }
    }
    out
}

/// `netstat -ano` (Windows): TCP rows whose foreign address is unspecified (`0.0.0.0:0`,
/// `[::]:0`) are listeners. The state column is localized, so it is not read.
pub fn parse_netstat_ano(text: &str) -> Vec<Listener> {
    text.lines()
        .filter_map(|line| {
            let f: Vec<&str> = line.split_whitespace().collect();
            if f.len() < 5 || !f[0].eq_ignore_ascii_case("TCP") {
                return None;
            }
            let foreign = parse_endpoint(f[2])?;
            if foreign.port() != 0 || !foreign.ip().is_unspecified() {
                return None;
            }
            Some(Listener {
                addr: parse_endpoint(f[1])?,
                uid: None,
                inode: None,
                pid: f[f.len() - 1].parse().ok(),
            })
        })
        .collect()
}

/// `127.0.0.1:80`, `[::1]:80`, `*:80` (lsof's any-address).
fn parse_endpoint(s: &str) -> Option<SocketAddr> {
    let s = s.trim();
    if let Some(port) = s.strip_prefix("*:") {
        return Some(SocketAddr::new(
            IpAddr::V4(Ipv4Addr::UNSPECIFIED),
            port.parse().ok()?,
        ));
    }
    if let Ok(addr) = s.parse() {
        return Some(addr);
    }
    let (host, port) = s.rsplit_once(':')?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    Some(SocketAddr::new(host.parse().ok()?, port.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proc_net_tcp_v4_and_v6() {
        let v4 = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n   0: 0100007F:6F91 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 4242 1 0000000000000000 100 0 0 10 0\n   1: 0100007F:6F91 0100007F:C000 01 00000000:00000000 00:00000000 00000000  1000        0 4243 1\n";
        let l = parse_proc_net_tcp(v4);
        assert_eq!(l.len(), 1, "only state 0A is a listener");
        assert_eq!(l[0].addr, "127.0.0.1:28561".parse().unwrap());
        assert_eq!((l[0].uid, l[0].inode), (Some(1000), Some(4242)));
        let v6 = "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n   0: 00000000000000000000000001000000:6F91 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 99 1\n";
        let l = parse_proc_net_tcp(v6);
        assert_eq!(l[0].addr, "[::1]:28561".parse().unwrap());
        assert_eq!(l[0].uid, Some(0));
        assert!(parse_proc_net_tcp("garbage\n0: zz:zz 0A\n").is_empty());
    }

    #[test]
    fn lsof_field_output() {
        let text = "p4242\ncnode\nLalice\nf23\nn127.0.0.1:18789\nf24\nn[::1]:18789\np77\ncPython\nLbob\nf3\nn*:8080\n";
        let l = parse_lsof(text);
        assert_eq!(l.len(), 3);
        assert_eq!(l[0].0.pid, Some(4242));
        assert_eq!(l[1].0.addr, "[::1]:18789".parse().unwrap());
        assert_eq!(l[1].1, "node");
        assert_eq!(l[2].0.addr.port(), 8080);
        assert_eq!(l[2].2.as_deref(), Some("bob"));
    }

    #[test]
    fn netstat_listeners_whatever_the_language() {
        let text = "\nAktive Verbindungen\n\n  Proto  Lokale Adresse         Remoteadresse          Status           PID\n  TCP    127.0.0.1:18789        0.0.0.0:0              ABHÖREN         4242\n  TCP    [::1]:18789            [::]:0                 ABHÖREN         4242\n  TCP    127.0.0.1:18789        127.0.0.1:50000        HERGESTELLT     4242\n  UDP    0.0.0.0:5353           *:*                                    99\n";
        let l = parse_netstat_ano(text);
        assert_eq!(l.len(), 2);
        assert_eq!(l[0].pid, Some(4242));
        assert_eq!(l[1].addr, "[::1]:18789".parse().unwrap());
    }
}
