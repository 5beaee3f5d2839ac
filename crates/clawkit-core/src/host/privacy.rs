//! Whether other users can read a file that holds the gateway's secrets: mode bits on Unix,
//! the access list on Windows. One answer shape, so the doctor's security check reads the
//! same on both.

use std::path::Path;

/// Other users can read a file: how that shows, and the command that makes it private.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exposure {
    /// The clause after the path: `is mode 644`, `can be read by Everyone`.
    pub how: String,
    pub fix: String,
}

/// The exposure of `path`, which should be private (`private_mode`, 0o600 or 0o700), or
/// `None` when only its owner can read it or it cannot be read at all.
#[cfg(unix)]
pub fn exposure(path: &Path, private_mode: u32) -> Option<Exposure> {
    let mode = crate::fsx::mode_of(&std::fs::metadata(path).ok()?)? & 0o777;
    (mode & 0o077 != 0).then(|| Exposure {
        how: format!("is mode {mode:o}"),
        fix: format!("chmod {private_mode:o} {}", path.display()),
    })
}

/// The exposure of `path` from its access list: every account besides its owner, SYSTEM and
/// Administrators that may read it.
#[cfg(windows)]
pub fn exposure(path: &Path, _private_mode: u32) -> Option<Exposure> {
    let readers = super::windows::readers(path).ok()?;
    if readers.is_empty() {
        return None;
    }
    let shown = path.display();
    let remove: Vec<String> = readers.iter().map(|r| format!("\"{r}\"")).collect();
    Some(Exposure {
        how: format!("can be read by {}", readers.join(", ")),
        fix: format!(
            "icacls \"{shown}\" /inheritance:d && icacls \"{shown}\" /remove:g {}",
            remove.join(" ")
        ),
    })
}

/// Elsewhere nothing tells who may read a file: see [`CHECKED`].
#[cfg(not(any(unix, windows)))]
pub fn exposure(_path: &Path, _private_mode: u32) -> Option<Exposure> {
    None
}

/// Whether [`exposure`] can tell on this platform at all.
pub const CHECKED: bool = cfg!(any(unix, windows));

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn mode_bits_tell_who_else_reads() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("openclaw.json");
        std::fs::write(&f, "{}").unwrap();
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o644)).unwrap();
        let e = exposure(&f, 0o600).unwrap();
        assert_eq!(e.how, "is mode 644");
        assert_eq!(e.fix, format!("chmod 600 {}", f.display()));
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert_eq!(exposure(&f, 0o600), None);
    }
}
