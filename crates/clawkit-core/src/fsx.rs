//! Changing a user's file without ever losing it: back up first, write a temp file beside it,
//! fsync, keep the mode, rename over, fsync the directory — and refuse if the file changed
//! since clawkit read it.

use sha2::{Digest, Sha256};
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "{path} changed on disk since clawkit read it; nothing was written. Run the command again"
    )]
    Changed { path: PathBuf },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> WriteError + '_ {
    move |source| WriteError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// A file as read: its bytes and their hash, to detect a concurrent change before writing.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub path: PathBuf,
    pub text: String,
    hash: [u8; 32],
}

impl Snapshot {
    pub fn read(path: &Path) -> Result<Snapshot, WriteError> {
        let text = fs::read_to_string(path).map_err(io(path))?;
        Ok(Snapshot {
            path: path.to_path_buf(),
            hash: Sha256::digest(text.as_bytes()).into(),
            text,
        })
    }

    fn unchanged_on_disk(&self) -> Result<bool, WriteError> {
        let now = fs::read(&self.path).map_err(io(&self.path))?;
        Ok(<[u8; 32]>::from(Sha256::digest(&now)) == self.hash)
    }
}

/// A file's permission bits, where the platform has them: `None` on Windows, which keeps
/// access in ACLs that a new file inherits from its directory.
pub fn mode_of(meta: &fs::Metadata) -> Option<u32> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        Some(meta.permissions().mode() & 0o7777)
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        None
    }
}

/// Sets a file's permission bits (nothing to set on Windows: see [`mode_of`]).
pub fn set_mode(path: &Path, mode: u32) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(path, fs::Permissions::from_mode(mode))
    }
    #[cfg(not(unix))]
    {
        let _ = (path, mode);
        Ok(())
    }
}

/// Options that create a new file for writing, with permission bits `mode` on Unix.
pub fn create_new(mode: u32) -> OpenOptions {
    let mut o = OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, mode);
    #[cfg(not(unix))]
    let _ = mode;
    o
}

/// Where clawkit keeps backups of the files it changes: `<state dir>/clawkit/backups/`.
pub fn backup_root(state_dir: &Path) -> PathBuf {
    state_dir.join("clawkit").join("backups")
}

/// Copies `snapshot`'s original bytes to `<root>/<UTC stamp>-<pid>/<file name>` (mode 0600)
/// and records the original path in `manifest.txt` beside it. Returns the backup path.
pub fn backup(snapshot: &Snapshot, root: &Path) -> Result<PathBuf, WriteError> {
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let dir = root.join(format!(
        "{}-{:09}-{}",
        stamp.as_secs(),
        stamp.subsec_nanos(),
        std::process::id()
    ));
    fs::create_dir_all(&dir).map_err(io(&dir))?;
    let _ = set_mode(&dir, 0o700);
    let name = snapshot
        .path
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_else(|| "config".into());
    let target = dir.join(&name);
    write_new(&target, snapshot.text.as_bytes(), 0o600)?;
    let manifest = dir.join("manifest.txt");
    let mut line = snapshot.path.display().to_string();
    line.push('\n');
    write_new(&manifest, line.as_bytes(), 0o600)?;
    Ok(target)
}

fn write_new(path: &Path, bytes: &[u8], mode: u32) -> Result<(), WriteError> {
    let mut f = create_new(mode).open(path).map_err(io(path))?;
    f.write_all(bytes).map_err(io(path))?;
    f.sync_all().map_err(io(path))
}

/// Writes `bytes` to `path` atomically (temp file beside it, fsync, rename, fsync the
/// directory) with permission bits `mode`. For files clawkit owns, such as its journal.
pub fn write_atomic(path: &Path, bytes: &[u8], mode: u32) -> Result<(), WriteError> {
    write_via_temp(path, bytes, mode, || Ok(()))
}

/// The temp-file-and-rename write; `before_rename` may still refuse.
fn write_via_temp(
    path: &Path,
    bytes: &[u8],
    mode: u32,
    before_rename: impl Fn() -> Result<(), WriteError>,
) -> Result<(), WriteError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir).map_err(io(dir))?;
    let tmp = dir.join(format!(
        ".{}.clawkit-tmp-{}",
        path.file_name().and_then(|n| n.to_str()).unwrap_or("file"),
        std::process::id()
    ));
    let _ = fs::remove_file(&tmp);
    let result = (|| {
        write_new(&tmp, bytes, mode)?;
        // create_new applies the umask; set the exact original bits.
        set_mode(&tmp, mode).map_err(io(&tmp))?;
        before_rename()?;
        fs::rename(&tmp, path).map_err(io(path))?;
        if let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Replaces the file of `snapshot` with `new_text` atomically, keeping its permission bits.
/// Refuses (writing nothing) if the file changed since the snapshot was read.
pub fn replace(snapshot: &Snapshot, new_text: &str) -> Result<(), WriteError> {
    let path = &snapshot.path;
    if !snapshot.unchanged_on_disk()? {
        return Err(WriteError::Changed { path: path.clone() });
    }
    let mode = mode_of(&fs::metadata(path).map_err(io(path))?).unwrap_or(0o600);
    write_via_temp(path, new_text.as_bytes(), mode, || {
        if snapshot.unchanged_on_disk()? {
            Ok(())
        } else {
            Err(WriteError::Changed { path: path.clone() })
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replace_keeps_mode_and_refuses_concurrent_change() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("openclaw.json");
        fs::write(&path, "{ a: 1 }").unwrap();
        set_mode(&path, 0o640).unwrap();
        let snap = Snapshot::read(&path).unwrap();
        let backup = backup(&snap, &dir.path().join("b")).unwrap();
        replace(&snap, "{ a: 2 }").unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "{ a: 2 }");
        assert_eq!(fs::read_to_string(&backup).unwrap(), "{ a: 1 }");
        if cfg!(unix) {
            assert_eq!(mode_of(&fs::metadata(&path).unwrap()), Some(0o640));
            assert_eq!(mode_of(&fs::metadata(&backup).unwrap()), Some(0o600));
        }

        // The snapshot is stale now: a second write must be refused and change nothing.
        let err = replace(&snap, "{ a: 3 }").unwrap_err();
        assert!(matches!(err, WriteError::Changed { .. }), "{err}");
        assert_eq!(fs::read_to_string(&path).unwrap(), "{ a: 2 }");
        let leftovers: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().contains("clawkit-tmp"))
            .collect();
        assert!(leftovers.is_empty());
    }
}
