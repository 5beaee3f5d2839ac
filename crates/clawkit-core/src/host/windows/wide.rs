//! UTF-16 strings and owned Win32 handles, the two things every call here needs.

use std::os::windows::ffi::{OsStrExt, OsStringExt};
use std::os::windows::io::{FromRawHandle, OwnedHandle};
use windows_sys::Win32::Foundation::HANDLE;

/// A NUL-terminated UTF-16 copy of `s`, for a `PCWSTR`.
pub(super) fn to_wide(s: &std::ffi::OsStr) -> Vec<u16> {
    s.encode_wide().chain(Some(0)).collect()
}

/// The string in `buf[..len]`.
pub(super) fn from_wide(buf: &[u16]) -> String {
    std::ffi::OsString::from_wide(buf)
        .to_string_lossy()
        .into_owned()
}

/// The string at a NUL-terminated `PWSTR`.
///
/// # Safety
/// `p` is null or points at a NUL-terminated UTF-16 string that outlives the call.
pub(super) unsafe fn from_pwstr(p: *const u16) -> String {
    if p.is_null() {
        return String::new();
    }
    let mut len = 0;
    // SAFETY: the caller promises a NUL-terminated string; reading stops at the NUL.
    while unsafe { *p.add(len) } != 0 {
        len += 1;
    }
    // SAFETY: `len` elements were just read.
    from_wide(unsafe { std::slice::from_raw_parts(p, len) })
}

/// Takes ownership of a handle a Win32 call returned; `None` for the null handle.
pub(super) fn owned(h: HANDLE) -> Option<OwnedHandle> {
    // SAFETY: a non-null handle just returned by the OS is owned by the caller alone.
    (!h.is_null()).then(|| unsafe { OwnedHandle::from_raw_handle(h) })
}
