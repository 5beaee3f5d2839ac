//! Prometheus's own `promtool`, to check the monitor's `/metrics` the way Prometheus would:
//! taken from Debian's `prometheus` package on first use — downloaded with `apt-get download`
//! and unpacked with `dpkg-deb -x` into [`crate::cache_root`], so nothing is installed
//! system-wide and no Prometheus server is started.

use crate::error::{HarnessError, Result};
use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::Command;

/// `promtool`, unpacked once (or `CLAWKIT_PROMTOOL`).
pub fn ensure_promtool() -> Result<PathBuf> {
    if let Ok(path) = std::env::var("CLAWKIT_PROMTOOL")
        && !path.trim().is_empty()
    {
        return Ok(PathBuf::from(path));
    }
    let dir = crate::cache_root().join("prometheus-deb");
    let binary = dir.join("usr/bin/promtool");
    if binary.exists() {
        return Ok(binary);
    }
    fs::create_dir_all(&dir).map_err(|e| HarnessError::io(&dir, e))?;
    let lock_path = dir.with_extension("lock");
    let lock = File::create(&lock_path).map_err(|e| HarnessError::io(&lock_path, e))?;
    lock.lock().map_err(|e| HarnessError::io(&lock_path, e))?;
    if binary.exists() {
        return Ok(binary);
    }
    eprintln!("clawkit-testkit: fetching promtool from Debian's prometheus package (once)");
    let mut got = run(
        Command::new("apt-get").args(["download", "-qq", "prometheus"]),
        &dir,
    )?;
    if !got.0 {
        // A fresh machine may have no package lists yet.
        let _ = run(Command::new("apt-get").args(["update", "-qq"]), &dir);
        got = run(
            Command::new("apt-get").args(["download", "-qq", "prometheus"]),
            &dir,
        )?;
    }
    let deb = fs::read_dir(&dir)
        .map_err(|e| HarnessError::io(&dir, e))?
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "deb"));
    let Some(deb) = deb.filter(|_| got.0) else {
        return Err(HarnessError::Setup(format!(
            "`apt-get download prometheus` failed, so `promtool check metrics` cannot run. Is \
             a Debian mirror reachable? (Or set CLAWKIT_PROMTOOL to a promtool binary.) \
             apt-get said:\n{}",
            crate::install::tail(&got.1, 20)
        )));
    };
    let unpacked = run(Command::new("dpkg-deb").arg("-x").arg(&deb).arg("."), &dir)?;
    let _ = fs::remove_file(&deb);
    if !unpacked.0 || !binary.exists() {
        return Err(HarnessError::Setup(format!(
            "dpkg-deb -x {} failed: {}",
            deb.display(),
            unpacked.1
        )));
    }
    Ok(binary)
}

fn run(cmd: &mut Command, dir: &Path) -> Result<(bool, String)> {
    crate::install::run_tool(cmd.current_dir(dir))
}
