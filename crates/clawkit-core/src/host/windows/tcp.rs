//! Listening TCP sockets with their owning pids, from `GetExtendedTcpTable` (no elevation
//! needed for the pids).

use super::super::Listener;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use windows_sys::Win32::Foundation::{ERROR_INSUFFICIENT_BUFFER, NO_ERROR};
use windows_sys::Win32::NetworkManagement::IpHelper::{
    GetExtendedTcpTable, MIB_TCP6ROW_OWNER_PID, MIB_TCPROW_OWNER_PID, TCP_TABLE_OWNER_PID_LISTENER,
};
use windows_sys::Win32::Networking::WinSock::{AF_INET, AF_INET6};

pub(super) fn listeners() -> std::io::Result<Vec<Listener>> {
    let mut out = Vec::new();
    for row in table::<MIB_TCPROW_OWNER_PID>(AF_INET)? {
        let ip = Ipv4Addr::from(u32::from_be(row.dwLocalAddr));
        out.push(listener(IpAddr::V4(ip), row.dwLocalPort, row.dwOwningPid));
    }
    // With IPv6 turned off the v6 table fails; the v4 answer stands.
    for row in table::<MIB_TCP6ROW_OWNER_PID>(AF_INET6).unwrap_or_default() {
        let ip = Ipv6Addr::from(row.ucLocalAddr);
        out.push(listener(IpAddr::V6(ip), row.dwLocalPort, row.dwOwningPid));
    }
    Ok(out)
}

/// The port is in network byte order in the low 16 bits.
fn listener(ip: IpAddr, port: u32, pid: u32) -> Listener {
    Listener {
        addr: SocketAddr::new(ip, u16::from_be(port as u16)),
        uid: None,
        inode: None,
        // Pid 0 is the idle process: Windows' word for "no owner".
        pid: (pid != 0).then_some(pid),
    }
}

/// One address family's table: a `u32` count followed by that many rows.
fn table<Row: Copy>(family: u16) -> std::io::Result<Vec<Row>> {
    let mut size = 0u32;
    let mut buf: Vec<u64> = Vec::new();
    for _ in 0..4 {
        // SAFETY: `buf` holds `size` bytes (u64 elements keep the rows aligned); the call
        // writes at most `size` bytes and updates `size` when it needs more.
        let rc = unsafe {
            GetExtendedTcpTable(
                if buf.is_empty() {
                    std::ptr::null_mut()
                } else {
                    buf.as_mut_ptr().cast()
                },
                &mut size,
                0,
                u32::from(family),
                TCP_TABLE_OWNER_PID_LISTENER,
                0,
            )
        };
        match rc {
            NO_ERROR => return Ok(rows(&buf, size as usize)),
            ERROR_INSUFFICIENT_BUFFER => buf = vec![0; (size as usize).div_ceil(8) + 1],
            code => return Err(std::io::Error::from_raw_os_error(code as i32)),
        }
    }
    Err(std::io::Error::other(
        "GetExtendedTcpTable: the table kept growing",
    ))
}

fn rows<Row: Copy>(buf: &[u64], size: usize) -> Vec<Row> {
    if size < 4 || buf.is_empty() {
        return Vec::new();
    }
    let base = buf.as_ptr().cast::<u8>();
    // SAFETY: the table starts with its row count.
    let n = unsafe { base.cast::<u32>().read() } as usize;
    // Rows follow the count at the row type's alignment.
    let first = std::mem::align_of::<Row>().max(4);
    let fits = size.saturating_sub(first) / std::mem::size_of::<Row>();
    (0..n.min(fits))
        .map(|i| {
            // SAFETY: row `i` lies inside the `size` bytes the call filled.
            unsafe {
                base.add(first + i * std::mem::size_of::<Row>())
                    .cast::<Row>()
                    .read_unaligned()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_listener_is_found_with_this_pid() {
        let v4 = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let v6 = std::net::TcpListener::bind("[::1]:0").ok();
        let all = listeners().unwrap();
        let me = std::process::id();
        let port = v4.local_addr().unwrap().port();
        // Wine 8 reports no owning pids (0, "no owner"); Windows does.
        let owner = if super::super::under_wine() {
            None
        } else {
            Some(me)
        };
        assert!(
            all.iter()
                .any(|l| l.addr.port() == port && l.pid == owner && l.addr.ip().is_loopback()),
            "no 127.0.0.1:{port} owned by {owner:?} in {all:?}"
        );
        if let Some(v6) = v6 {
            let port = v6.local_addr().unwrap().port();
            assert!(
                all.iter()
                    .any(|l| l.addr.port() == port && l.addr.is_ipv6())
            );
        }
    }
}
