//! A **real** Prometheus Alertmanager for the monitor's delivery tests: Debian's
//! `prometheus-alertmanager` package, installed on first use with apt-get (as root), then
//! started per test on a free loopback port with a scratch storage path, clustering off and a
//! receiver that sends nowhere.
//!
//! The install follows [`crate::ensure_openclaw`]'s pattern: a lock file under
//! [`crate::cache_root`] so parallel tests install once, and an error that says what to do
//! when it cannot be installed.

use crate::error::{HarnessError, Result};
use crate::net::{free_port, http_get};
use crate::process::Spawned;
use std::fs::{self, File};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Where Debian puts the binary.
const BINARY: &str = "/usr/bin/prometheus-alertmanager";

/// Installs Debian's `prometheus-alertmanager` once (apt-get, as root) and returns its binary.
/// `CLAWKIT_ALERTMANAGER` may name another binary.
pub fn ensure_alertmanager() -> Result<PathBuf> {
    if let Ok(path) = std::env::var("CLAWKIT_ALERTMANAGER")
        && !path.trim().is_empty()
    {
        return Ok(PathBuf::from(path));
    }
    let binary = PathBuf::from(BINARY);
    if binary.exists() {
        return Ok(binary);
    }
    let root = crate::cache_root();
    fs::create_dir_all(&root).map_err(|e| HarnessError::io(&root, e))?;
    let lock_path = root.join("prometheus-alertmanager.lock");
    let lock = File::create(&lock_path).map_err(|e| HarnessError::io(&lock_path, e))?;
    lock.lock().map_err(|e| HarnessError::io(&lock_path, e))?;
    if binary.exists() {
        return Ok(binary);
    }
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return Err(HarnessError::Setup(format!(
            "{BINARY} is missing and this test is not root, so it cannot install it: run \
             `apt-get install -y prometheus-alertmanager` (or set CLAWKIT_ALERTMANAGER to an \
             alertmanager binary)"
        )));
    }
    eprintln!("clawkit-testkit: installing prometheus-alertmanager with apt-get (once)");
    let started = Instant::now();
    let mut last = install()?;
    if !last.0 {
        // A fresh machine may have no package lists yet.
        let _ = apt(&["update", "-qq"]);
        last = install()?;
    }
    if !last.0 || !binary.exists() {
        return Err(HarnessError::Setup(format!(
            "`apt-get install -y -qq prometheus-alertmanager` failed, so the real-Alertmanager \
             test cannot run. Is a Debian mirror reachable? apt-get said:\n{}",
            crate::install::tail(&last.1, 20)
        )));
    }
    eprintln!(
        "clawkit-testkit: installed prometheus-alertmanager in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(binary)
}

fn install() -> Result<(bool, String)> {
    apt(&[
        "install",
        "-y",
        "-qq",
        "--no-install-recommends",
        "prometheus-alertmanager",
    ])
}

fn apt(args: &[&str]) -> Result<(bool, String)> {
    crate::install::run_tool(Command::new("apt-get").args(args))
}

/// A running Alertmanager; stopped (and its storage removed) on drop.
pub struct Alertmanager {
    pub port: u16,
    process: Spawned,
    dir: tempfile::TempDir,
}

impl Alertmanager {
    /// Starts one on 127.0.0.1 (a free port, never 18789), waits for `/-/ready`.
    pub fn start() -> Result<Alertmanager> {
        let binary = ensure_alertmanager()?;
        let dir = tempfile::Builder::new()
            .prefix("clawkit-test-alertmanager-")
            .tempdir()
            .map_err(|e| HarnessError::Setup(format!("temp dir: {e}")))?;
        let config = dir.path().join("alertmanager.yml");
        fs::write(
            &config,
            "route:\n  receiver: nowhere\n  group_wait: 1h\nreceivers:\n  - name: nowhere\n",
        )
        .map_err(|e| HarnessError::io(&config, e))?;
        let storage = dir.path().join("data");
        fs::create_dir_all(&storage).map_err(|e| HarnessError::io(&storage, e))?;
        let log_path = dir.path().join("alertmanager.log");
        let log = File::create(&log_path).map_err(|e| HarnessError::io(&log_path, e))?;
        let log2 = log
            .try_clone()
            .map_err(|e| HarnessError::io(&log_path, e))?;
        let port = free_port();
        let mut cmd = Command::new(&binary);
        cmd.arg(format!("--config.file={}", config.display()))
            .arg(format!("--storage.path={}", storage.display()))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            // No HA gossip: it would listen on 0.0.0.0:9094.
            .arg("--cluster.listen-address=")
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log2);
        let mut process = Spawned::spawn(cmd, "prometheus-alertmanager")?;
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = process.exited() {
                return Err(HarnessError::Setup(format!(
                    "prometheus-alertmanager exited with {status} before it was ready:\n{}",
                    crate::install::tail(&fs::read_to_string(&log_path).unwrap_or_default(), 20)
                )));
            }
            if let Ok((200, _)) = http_get(port, "/-/ready", Duration::from_secs(2)) {
                break;
            }
            if Instant::now() > deadline {
                return Err(HarnessError::Setup(format!(
                    "prometheus-alertmanager was not ready on port {port} after 60 s:\n{}",
                    crate::install::tail(&fs::read_to_string(&log_path).unwrap_or_default(), 20)
                )));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Ok(Alertmanager { port, process, dir })
    }

    /// `http://127.0.0.1:PORT`
    pub fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Its log so far (for assertion messages).
    pub fn log(&self) -> String {
        fs::read_to_string(self.dir.path().join("alertmanager.log")).unwrap_or_default()
    }
}

impl Drop for Alertmanager {
    fn drop(&mut self) {
        self.process.stop(Duration::from_secs(10));
    }
}
