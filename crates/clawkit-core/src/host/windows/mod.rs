//! Windows: the platform's own answers instead of parsed tool output. Socket owners come from
//! `GetExtendedTcpTable`, process identity (image, command line, owner, creation time) from the
//! process itself, so a gateway is recognised by its command line as on Linux and PID reuse is
//! caught by the creation time. What Windows cannot tell without elevation (another user's
//! process) is reported as unknown, never guessed.

mod acl;
mod exit;
mod process;
mod tcp;
mod wide;

pub use acl::readers;
pub use exit::ExitWait;
pub(super) use process::terminate;

use super::{Host, Listener, ProcessInfo};

/// The Windows host backend.
#[derive(Debug, Default)]
pub struct WinHost;

impl Host for WinHost {
    /// `GetExtendedTcpTable`; should it fail, what `netstat -ano` says.
    fn listeners(&self) -> std::io::Result<Vec<Listener>> {
        tcp::listeners().or_else(|api| {
            super::CommandHost::new(Box::new(super::runner::SystemRunner))
                .listeners()
                .map_err(|_| api)
        })
    }

    fn process(&self, pid: u32) -> Option<ProcessInfo> {
        process::inspect(pid, None)
    }

    /// Reading another process's environment means reading its memory; clawkit does not.
    fn environ(&self, _pid: u32) -> Option<Vec<(String, String)>> {
        None
    }

    fn gateways(&self) -> Vec<ProcessInfo> {
        process::all()
            .into_iter()
            .filter(ProcessInfo::is_gateway)
            .collect()
    }

    /// Windows has no uid: processes under this user's SID are reported as uid 0, which is
    /// what `current_uid()` is here.
    fn uid(&self) -> u32 {
        0
    }
}

/// Whether this runs under Wine (its ntdll exports `wine_get_version`): what Wine does not
/// implement is then checked as absent rather than as Windows would give it.
#[cfg(test)]
pub(crate) fn under_wine() -> bool {
    use windows_sys::Win32::System::LibraryLoader::{GetModuleHandleA, GetProcAddress};
    // SAFETY: both take NUL-terminated names; ntdll is always loaded.
    unsafe {
        let ntdll = GetModuleHandleA(c"ntdll.dll".as_ptr().cast());
        !ntdll.is_null() && GetProcAddress(ntdll, c"wine_get_version".as_ptr().cast()).is_some()
    }
}
