//! Who besides the owner may read a file, from its access list: what `chmod 600` means on
//! Unix is "no allow entry for anyone else" here. SYSTEM, Administrators and OWNER RIGHTS
//! are not counted, nor entries that only pass to new files inside; an access list that is missing entirely means everyone can.

use super::process::{account, own_sid_buf, sid_in};
use super::wide::{from_pwstr, to_wide};
use std::path::Path;
use windows_sys::Win32::Foundation::LocalFree;
use windows_sys::Win32::Security::Authorization::{
    ConvertSidToStringSidW, GetNamedSecurityInfoW, SE_FILE_OBJECT,
};
use windows_sys::Win32::Security::{
    ACCESS_ALLOWED_ACE, ACL, DACL_SECURITY_INFORMATION, EqualSid, GetAce, INHERIT_ONLY_ACE,
    IsWellKnownSid, OWNER_SECURITY_INFORMATION, PSECURITY_DESCRIPTOR, PSID,
    WinBuiltinAdministratorsSid, WinCreatorOwnerRightsSid, WinLocalSystemSid,
};
use windows_sys::Win32::Storage::FileSystem::{FILE_READ_DATA, WRITE_DAC, WRITE_OWNER};
use windows_sys::Win32::System::SystemServices::{
    ACCESS_ALLOWED_ACE_TYPE, ACCESS_ALLOWED_CALLBACK_ACE_TYPE,
};

const GENERIC_READ: u32 = 0x8000_0000;
const GENERIC_ALL: u32 = 0x1000_0000;
/// Read access, or the right to give oneself read access (change the list or the owner).
const READ_OR_CAN_GRANT_IT: u32 =
    FILE_READ_DATA | GENERIC_READ | GENERIC_ALL | WRITE_DAC | WRITE_OWNER;

/// The accounts other than the owner (and SYSTEM, Administrators) allowed to read `path`.
pub fn readers(path: &Path) -> std::io::Result<Vec<String>> {
    let wide = to_wide(path.as_os_str());
    let (mut owner, mut dacl): (PSID, *mut ACL) = (std::ptr::null_mut(), std::ptr::null_mut());
    let mut sd: PSECURITY_DESCRIPTOR = std::ptr::null_mut();
    // SAFETY: out-parameters for the owner, the DACL and the descriptor that holds both.
    let rc = unsafe {
        GetNamedSecurityInfoW(
            wide.as_ptr(),
            SE_FILE_OBJECT,
            DACL_SECURITY_INFORMATION | OWNER_SECURITY_INFORMATION,
            &mut owner,
            std::ptr::null_mut(),
            &mut dacl,
            std::ptr::null_mut(),
            &mut sd,
        )
    };
    if rc != 0 {
        return Err(std::io::Error::from_raw_os_error(rc as i32));
    }
    // SAFETY: `owner` and `dacl` point into `sd`, which lives until the LocalFree below.
    let found = unsafe { allowed_readers(owner, dacl) };
    // SAFETY: `sd` was allocated by GetNamedSecurityInfoW for the caller to free.
    unsafe { LocalFree(sd) };
    Ok(found)
}

/// # Safety
/// `owner` is null or a valid SID; `dacl` is null or a valid ACL.
unsafe fn allowed_readers(owner: PSID, dacl: *mut ACL) -> Vec<String> {
    if dacl.is_null() {
        return vec!["Everyone (the file has no access list)".into()];
    }
    let me = own_sid_buf();
    let mut out: Vec<String> = Vec::new();
    // SAFETY: `dacl` is a valid ACL (caller).
    let count = unsafe { (*dacl).AceCount };
    for i in 0..u32::from(count) {
        let mut ace: *mut core::ffi::c_void = std::ptr::null_mut();
        // SAFETY: `i` < AceCount; GetAce points `ace` into the ACL.
        if unsafe { GetAce(dacl, i, &mut ace) } == 0 {
            continue;
        }
        let ace = ace.cast::<ACCESS_ALLOWED_ACE>();
        // SAFETY: every ACE starts with its header; allow and callback-allow ACEs share this
        // layout up to the SID.
        let (kind, flags, mask) = unsafe {
            let h = &(*ace).Header;
            (u32::from(h.AceType), u32::from(h.AceFlags), (*ace).Mask)
        };
        let allows = kind == ACCESS_ALLOWED_ACE_TYPE || kind == ACCESS_ALLOWED_CALLBACK_ACE_TYPE;
        // An inherit-only entry applies to what is created inside, not to this file.
        if !allows || flags & INHERIT_ONLY_ACE != 0 || mask & READ_OR_CAN_GRANT_IT == 0 {
            continue;
        }
        // SAFETY: the SID starts at SidStart, inside the ACE.
        let sid: PSID = unsafe { (&raw mut (*ace).SidStart).cast() };
        // SAFETY: each is a valid SID.
        let trusted = unsafe {
            (!owner.is_null() && EqualSid(sid, owner) != 0)
                || me.as_ref().is_some_and(|m| EqualSid(sid, sid_in(m)) != 0)
                || [
                    WinLocalSystemSid,
                    WinBuiltinAdministratorsSid,
                    WinCreatorOwnerRightsSid,
                ]
                .into_iter()
                .any(|k| IsWellKnownSid(sid, k) != 0)
        };
        if trusted {
            continue;
        }
        let name = account(sid).unwrap_or_else(|| sid_string(sid));
        if !out.contains(&name) {
            out.push(name);
        }
    }
    out
}

fn sid_string(sid: PSID) -> String {
    let mut s: windows_sys::core::PWSTR = std::ptr::null_mut();
    // SAFETY: `sid` is valid; the string is LocalAlloc'ed for the caller to free.
    if unsafe { ConvertSidToStringSidW(sid, &mut s) } == 0 {
        return "*S-1-0-0 (an account Windows cannot name)".into();
    }
    // SAFETY: `s` is a NUL-terminated string, freed once after reading. The `*` is how
    // icacls takes a SID where a name would go.
    unsafe {
        let text = format!("*{}", from_pwstr(s));
        LocalFree(s.cast());
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Who may read a world-readable file is checked end to end in `it::windows` (Wine turns
    /// the Unix mode into the access list); here, the call itself on files that exist or not.
    #[test]
    fn an_access_list_is_read_or_the_error_said() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("openclaw.json");
        std::fs::write(&file, "{}").unwrap();
        let found = readers(&file).expect("a new file's access list");
        assert!(found.iter().all(|r| !r.is_empty()), "{found:?}");
        let missing = readers(&dir.path().join("missing.json")).unwrap_err();
        assert_eq!(missing.raw_os_error(), Some(2), "{missing}");
    }
}
