//! A process as Windows describes it: image path, command line (split the way the C runtime
//! splits it), owner, and creation time. The creation time is the PID-reuse guard, and it is
//! checked on the very handle that [`terminate`] then uses, so the process cannot change in
//! between.

use super::super::ProcessInfo;
use super::super::kill::KillError;
use super::wide::{from_pwstr, from_wide, owned};
use std::os::windows::io::{AsRawHandle, OwnedHandle};
use std::path::PathBuf;
use windows_sys::Wdk::System::Threading::{
    NtQueryInformationProcess, ProcessBasicInformation, ProcessCommandLineInformation,
};
use windows_sys::Win32::Foundation::{
    ERROR_ACCESS_DENIED, ERROR_INVALID_PARAMETER, FILETIME, GetLastError, HANDLE, LocalFree,
    STILL_ACTIVE, UNICODE_STRING,
};
use windows_sys::Win32::Security::{
    EqualSid, GetTokenInformation, LookupAccountSidW, PSID, SID_NAME_USE, TOKEN_QUERY, TOKEN_USER,
    TokenUser,
};
use windows_sys::Win32::System::Diagnostics::Debug::ReadProcessMemory;
use windows_sys::Win32::System::Diagnostics::ToolHelp::{
    CreateToolhelp32Snapshot, PROCESSENTRY32W, Process32FirstW, Process32NextW, TH32CS_SNAPPROCESS,
};
use windows_sys::Win32::System::Threading::{
    GetCurrentProcess, GetExitCodeProcess, GetProcessTimes, OpenProcess, OpenProcessToken, PEB,
    PROCESS_ACCESS_RIGHTS, PROCESS_BASIC_INFORMATION, PROCESS_NAME_WIN32,
    PROCESS_QUERY_INFORMATION, PROCESS_QUERY_LIMITED_INFORMATION, PROCESS_TERMINATE,
    PROCESS_VM_READ, QueryFullProcessImageNameW, RTL_USER_PROCESS_PARAMETERS, TerminateProcess,
};
use windows_sys::Win32::UI::Shell::CommandLineToArgvW;

/// 100 ns intervals between 1601-01-01 and 1970-01-01.
const UNIX_EPOCH_FILETIME: u64 = 116_444_736_000_000_000;

/// `pid` now; `None` when no such process runs. A process this user may not open (another
/// user's, or elevated) is still reported, with its name and without an owner.
pub(super) fn inspect(pid: u32, ppid: Option<u32>) -> Option<ProcessInfo> {
    let Some(h) = open(pid, PROCESS_QUERY_LIMITED_INFORMATION) else {
        // SAFETY: reads this thread's last-error value.
        let denied = unsafe { GetLastError() } == ERROR_ACCESS_DENIED;
        return denied
            .then(|| snapshot().into_iter().find(|(p, _, _)| *p == pid))?
            .map(|(pid, ppid, name)| ProcessInfo {
                cmdline: vec![name.clone()],
                name,
                ..blank(pid, Some(ppid))
            });
    };
    // An exited process can still be opened while anyone holds a handle to it.
    if !running(&h) {
        return None;
    }
    let exe = image(&h);
    let cmdline = command_line(&h)
        .or_else(|| peb_command_line(pid))
        .unwrap_or_default();
    let name = exe
        .as_ref()
        .and_then(|e| e.file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let created = creation_time(&h);
    let (uid, user) = owner(&h);
    Some(ProcessInfo {
        name,
        cmdline,
        exe,
        uid,
        user,
        start_ticks: created,
        started_at_ms: created.map(|t| (t.saturating_sub(UNIX_EPOCH_FILETIME) / 10_000) as i64),
        ..blank(pid, ppid)
    })
}

fn blank(pid: u32, ppid: Option<u32>) -> ProcessInfo {
    ProcessInfo {
        pid,
        ppid,
        uid: None,
        user: None,
        name: String::new(),
        cmdline: Vec::new(),
        exe: None,
        start_ticks: None,
        started_at_ms: None,
    }
}

/// Every process that could be a gateway (a Node, Bun or OpenClaw image), inspected.
pub(super) fn all() -> Vec<ProcessInfo> {
    snapshot()
        .into_iter()
        .filter(|(_, _, name)| {
            let n = name.to_ascii_lowercase();
            n.starts_with("node") || n.starts_with("bun") || n.contains("openclaw")
        })
        .filter_map(|(pid, ppid, _)| inspect(pid, Some(ppid)))
        .collect()
}

/// Terminates `target` if the process behind its pid is still the one inspected: same
/// creation time, read from the handle that is then terminated.
pub(in crate::host) fn terminate(target: &ProcessInfo) -> Result<(), KillError> {
    let pid = target.pid;
    let failed = |detail: String| KillError::Signal {
        pid,
        what: "TerminateProcess",
        detail,
    };
    let Some(h) = open(pid, PROCESS_TERMINATE | PROCESS_QUERY_LIMITED_INFORMATION) else {
        // SAFETY: reads this thread's last-error value.
        let code = unsafe { GetLastError() };
        if code == ERROR_INVALID_PARAMETER {
            return Ok(()); // gone since it was inspected, as ESRCH on Unix
        }
        return Err(failed(
            std::io::Error::from_raw_os_error(code as i32).to_string(),
        ));
    };
    let now = creation_time(&h);
    if target.start_ticks.is_none() || now != target.start_ticks {
        return Err(KillError::Changed {
            pid,
            why: match now {
                Some(_) if target.start_ticks.is_some() => {
                    "its creation time changed: the pid was reused".into()
                }
                _ => "its creation time cannot be read, so it cannot be told from a reused pid"
                    .into(),
            },
        });
    }
    // SAFETY: `h` is a live process handle opened with PROCESS_TERMINATE.
    if unsafe { TerminateProcess(raw(&h), 1) } == 0 {
        let err = std::io::Error::last_os_error();
        // Terminating a process that is already exiting is refused; it is gone all the same.
        return if running(&h) {
            Err(failed(err.to_string()))
        } else {
            Ok(())
        };
    }
    Ok(())
}

/// Whether the process behind `h` has not exited yet.
fn running(h: &OwnedHandle) -> bool {
    let mut code = 0u32;
    // SAFETY: out-parameter for the exit code of a handle opened with query rights.
    let ok = unsafe { GetExitCodeProcess(raw(h), &mut code) };
    ok != 0 && code == STILL_ACTIVE as u32
}

pub(super) fn open(pid: u32, access: PROCESS_ACCESS_RIGHTS) -> Option<OwnedHandle> {
    // SAFETY: OpenProcess takes plain values and returns a new handle or null.
    owned(unsafe { OpenProcess(access, 0, pid) })
}

fn raw(h: &OwnedHandle) -> HANDLE {
    h.as_raw_handle()
}

/// (pid, parent pid, image name) of every process.
fn snapshot() -> Vec<(u32, u32, String)> {
    // SAFETY: takes flags and a pid; returns a new handle or INVALID_HANDLE_VALUE.
    let snap = unsafe { CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS, 0) };
    if snap == windows_sys::Win32::Foundation::INVALID_HANDLE_VALUE {
        return Vec::new();
    }
    let Some(snap) = owned(snap) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut entry = PROCESSENTRY32W {
        dwSize: std::mem::size_of::<PROCESSENTRY32W>() as u32,
        ..Default::default()
    };
    // SAFETY: `entry` is a PROCESSENTRY32W with dwSize set, as both calls require.
    let mut more = unsafe { Process32FirstW(raw(&snap), &mut entry) } != 0;
    while more {
        let len = entry.szExeFile.iter().position(|&c| c == 0).unwrap_or(260);
        out.push((
            entry.th32ProcessID,
            entry.th32ParentProcessID,
            from_wide(&entry.szExeFile[..len]),
        ));
        // SAFETY: as above.
        more = unsafe { Process32NextW(raw(&snap), &mut entry) } != 0;
    }
    out
}

fn image(h: &OwnedHandle) -> Option<PathBuf> {
    let mut buf = vec![0u16; 32_768];
    let mut len = buf.len() as u32;
    // SAFETY: `buf` holds `len` UTF-16 units; the call writes at most that many.
    let ok = unsafe {
        QueryFullProcessImageNameW(raw(h), PROCESS_NAME_WIN32, buf.as_mut_ptr(), &mut len)
    };
    (ok != 0).then(|| PathBuf::from(from_wide(&buf[..len as usize])))
}

/// The creation time, in 100 ns units since 1601 (a FILETIME as one number).
pub(super) fn creation_time(h: &OwnedHandle) -> Option<u64> {
    let mut times = [FILETIME::default(); 4];
    let [c, e, k, u] = &mut times;
    // SAFETY: four out-parameters, each a FILETIME.
    let ok = unsafe { GetProcessTimes(raw(h), c, e, k, u) };
    (ok != 0)
        .then(|| (u64::from(times[0].dwHighDateTime) << 32) | u64::from(times[0].dwLowDateTime))
}

/// The command line, split into arguments by `CommandLineToArgvW`.
fn command_line(h: &OwnedHandle) -> Option<Vec<String>> {
    let mut need = 0u32;
    let mut buf: Vec<u64> = vec![0; 512];
    for _ in 0..3 {
        let bytes = (buf.len() * 8) as u32;
        // SAFETY: `buf` holds `bytes` bytes, aligned for the UNICODE_STRING it receives.
        let status = unsafe {
            NtQueryInformationProcess(
                raw(h),
                ProcessCommandLineInformation,
                buf.as_mut_ptr().cast(),
                bytes,
                &mut need,
            )
        };
        if status >= 0 {
            // SAFETY: on success the buffer starts with a UNICODE_STRING whose text lies
            // inside the same buffer.
            let text = unsafe {
                let us = &*buf.as_ptr().cast::<UNICODE_STRING>();
                if us.Buffer.is_null() {
                    return Some(Vec::new());
                }
                from_wide(std::slice::from_raw_parts(
                    us.Buffer,
                    usize::from(us.Length) / 2,
                ))
            };
            return Some(split(&text));
        }
        buf = vec![0; (need as usize).div_ceil(8) + 1];
    }
    None
}

/// The command line from the process's own parameter block, for systems without
/// `ProcessCommandLineInformation` (before Windows 8.1, and Wine): the same string, read from
/// the process's memory, which needs read access a same-user process grants.
fn peb_command_line(pid: u32) -> Option<Vec<String>> {
    let h = open(pid, PROCESS_QUERY_INFORMATION | PROCESS_VM_READ)?;
    let mut info = PROCESS_BASIC_INFORMATION::default();
    let mut len = 0u32;
    // SAFETY: `info` is the PROCESS_BASIC_INFORMATION the class fills, of the size given.
    let status = unsafe {
        NtQueryInformationProcess(
            raw(&h),
            ProcessBasicInformation,
            (&raw mut info).cast(),
            std::mem::size_of::<PROCESS_BASIC_INFORMATION>() as u32,
            &mut len,
        )
    };
    if status < 0 || info.PebBaseAddress.is_null() {
        return None;
    }
    let peb: PEB = read_remote(&h, info.PebBaseAddress)?;
    let params: RTL_USER_PROCESS_PARAMETERS = read_remote(&h, peb.ProcessParameters)?;
    let line = params.CommandLine;
    let mut text = vec![0u16; usize::from(line.Length) / 2];
    let mut got = 0usize;
    // SAFETY: `text` holds `Length` bytes; the address is the other process's, read by the OS.
    let ok = unsafe {
        ReadProcessMemory(
            raw(&h),
            line.Buffer.cast(),
            text.as_mut_ptr().cast(),
            usize::from(line.Length),
            &mut got,
        )
    };
    (ok != 0 && got == usize::from(line.Length)).then(|| split(&from_wide(&text)))
}

/// A plain-data struct at `addr` in another process.
fn read_remote<T: Copy>(h: &OwnedHandle, addr: *const T) -> Option<T> {
    if addr.is_null() {
        return None;
    }
    let mut out = std::mem::MaybeUninit::<T>::uninit();
    let mut got = 0usize;
    // SAFETY: `out` has room for one T; the OS copies bytes from the other process.
    let ok = unsafe {
        ReadProcessMemory(
            raw(h),
            addr.cast(),
            out.as_mut_ptr().cast(),
            std::mem::size_of::<T>(),
            &mut got,
        )
    };
    // SAFETY: all bytes were written, and T is plain data (integers and pointers).
    (ok != 0 && got == std::mem::size_of::<T>()).then(|| unsafe { out.assume_init() })
}

/// Splits a command line the way programs started with it see their argv.
pub(super) fn split(line: &str) -> Vec<String> {
    if line.trim().is_empty() {
        return Vec::new();
    }
    let wide = super::wide::to_wide(std::ffi::OsStr::new(line));
    let mut n = 0i32;
    // SAFETY: `wide` is NUL-terminated; the result is one LocalAlloc block or null.
    let argv = unsafe { CommandLineToArgvW(wide.as_ptr(), &mut n) };
    if argv.is_null() {
        return vec![line.to_string()];
    }
    // SAFETY: `argv` holds `n` NUL-terminated strings inside the block, freed once after.
    unsafe {
        let v = (0..n as usize).map(|i| from_pwstr(*argv.add(i))).collect();
        LocalFree(argv.cast());
        v
    }
}

/// (uid 0 when the process runs as this user's SID, else none; `DOMAIN\user` when readable).
fn owner(h: &OwnedHandle) -> (Option<u32>, Option<String>) {
    let Some(theirs) = token_user(raw(h)) else {
        return (None, None);
    };
    let mine = own_sid_buf();
    let sid = sid_in(&theirs);
    // SAFETY: both are valid SIDs inside their TOKEN_USER buffers.
    let same = mine
        .as_ref()
        .is_some_and(|m| unsafe { EqualSid(sid_in(m), sid) } != 0);
    (same.then_some(0), account(sid))
}

pub(super) fn own_sid_buf() -> Option<Vec<u64>> {
    // SAFETY: returns this process's pseudo-handle, which is never closed.
    token_user(unsafe { GetCurrentProcess() })
}

/// The TOKEN_USER of a process, in an 8-aligned buffer.
fn token_user(process: HANDLE) -> Option<Vec<u64>> {
    let mut token: HANDLE = std::ptr::null_mut();
    // SAFETY: out-parameter for a new token handle.
    if unsafe { OpenProcessToken(process, TOKEN_QUERY, &mut token) } == 0 {
        return None;
    }
    let token = owned(token)?;
    let mut buf = vec![0u64; 16];
    let mut need = 0u32;
    for _ in 0..2 {
        // SAFETY: `buf` holds the byte count given.
        let ok = unsafe {
            GetTokenInformation(
                raw(&token),
                TokenUser,
                buf.as_mut_ptr().cast(),
                (buf.len() * 8) as u32,
                &mut need,
            )
        };
        if ok != 0 {
            return Some(buf);
        }
        buf = vec![0; (need as usize).div_ceil(8)];
    }
    None
}

pub(super) fn sid_in(token_user: &[u64]) -> PSID {
    // SAFETY: the buffer was filled with a TOKEN_USER by GetTokenInformation.
    unsafe { (*token_user.as_ptr().cast::<TOKEN_USER>()).User.Sid }
}

/// `DOMAIN\name` for a SID, when the system can name it.
pub(super) fn account(sid: PSID) -> Option<String> {
    let (mut name, mut domain) = (vec![0u16; 256], vec![0u16; 256]);
    let (mut n, mut d) = (name.len() as u32, domain.len() as u32);
    let mut kind: SID_NAME_USE = 0;
    // SAFETY: both buffers hold the counts given; `sid` is a valid SID.
    let ok = unsafe {
        LookupAccountSidW(
            std::ptr::null(),
            sid,
            name.as_mut_ptr(),
            &mut n,
            domain.as_mut_ptr(),
            &mut d,
            &mut kind,
        )
    };
    if ok == 0 {
        return None;
    }
    let (name, domain) = (
        from_wide(&name[..n as usize]),
        from_wide(&domain[..d as usize]),
    );
    Some(if domain.is_empty() {
        name
    } else {
        format!("{domain}\\{name}")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_is_described_by_itself() {
        let me = inspect(std::process::id(), None).expect("this process");
        assert!(me.name.to_ascii_lowercase().ends_with(".exe"), "{me:?}");
        assert_eq!(me.uid, Some(0), "this process runs as this user: {me:?}");
        assert!(
            me.start_ticks.is_some_and(|t| t > UNIX_EPOCH_FILETIME),
            "{me:?}"
        );
        let argv0 = std::env::args().next().unwrap();
        assert_eq!(me.cmdline.first(), Some(&argv0), "{me:?}");
        assert!(inspect(u32::MAX - 3, None).is_none());
    }

    #[test]
    fn an_exited_process_is_gone_though_a_handle_to_it_is_open() {
        let (mut child, _) = crate::host::sleeper();
        let seen = inspect(child.id(), None).expect("running");
        let blind = ProcessInfo {
            start_ticks: None,
            ..seen.clone()
        };
        assert!(
            matches!(terminate(&blind), Err(KillError::Changed { .. })),
            "no creation time, no kill"
        );
        terminate(&seen).unwrap();
        child.wait().unwrap();
        // `child` still holds its process handle: the process object lives on, exited.
        assert_eq!(inspect(child.id(), None), None);
        assert!(terminate(&seen).is_ok(), "already gone is not a failure");
    }

    #[test]
    fn command_lines_split_as_the_c_runtime_does() {
        assert_eq!(
            split(r#""C:\Program Files\nodejs\node.exe" C:\oc\dist\index.js gateway --port 18789"#),
            [
                r"C:\Program Files\nodejs\node.exe",
                r"C:\oc\dist\index.js",
                "gateway",
                "--port",
                "18789"
            ]
        );
        let p = ProcessInfo {
            cmdline: split(r#""C:\Program Files\nodejs\node.exe" C:\oc\dist\index.js gateway"#),
            ..blank(1, None)
        };
        assert!(p.is_gateway());
    }
}
