//! A **real** SMTP server for the monitor's mail test: `aiosmtpd` from PyPI, installed on first
//! use into a virtualenv under [`crate::cache_root`] (a lock, a `.complete` marker, a clear
//! error), started per test on a free loopback port. Every message it accepts is written as
//! one JSON file (`mail_from`, `rcpt_tos`, `data`, `authenticated`) in its capture directory.

use crate::error::{HarnessError, Result};
use crate::net::{PortState, free_port, port_state};
use crate::process::Spawned;
use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const AIOSMTPD: &str = "aiosmtpd==1.4.6";

const SERVER: &str = r#"
import json, os, sys, time
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

out, port, user, password = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]

class Capture:
    async def handle_DATA(self, server, session, envelope):
        n = len([f for f in os.listdir(out) if f.endswith(".json")])
        tmp = os.path.join(out, "%04d.tmp" % n)
        with open(tmp, "w") as f:
            json.dump({
                "mail_from": envelope.mail_from,
                "rcpt_tos": envelope.rcpt_tos,
                "data": envelope.content.decode("utf-8", "replace"),
                "authenticated": bool(getattr(session, "authenticated", False)),
            }, f)
        os.rename(tmp, os.path.join(out, "%04d.json" % n))
        return "250 OK captured"

def check(server, session, envelope, mechanism, auth_data):
    ok = (isinstance(auth_data, LoginPassword)
          and auth_data.login.decode() == user and auth_data.password.decode() == password)
    return AuthResult(success=ok, handled=False)

kwargs = {}
if user:
    kwargs = dict(authenticator=check, auth_required=True, auth_require_tls=False)
ctl = Controller(Capture(), hostname="127.0.0.1", port=port, **kwargs)
ctl.start()
print("ready", flush=True)
while True:
    time.sleep(3600)
"#;

/// Installs (once) aiosmtpd into a virtualenv; returns its python.
pub fn ensure_aiosmtpd() -> Result<PathBuf> {
    let root = crate::cache_root();
    let prefix = root.join("aiosmtpd-1.4.6");
    fs::create_dir_all(&root).map_err(|e| HarnessError::io(&root, e))?;
    let lock_path = root.join("aiosmtpd-1.4.6.lock");
    let lock = File::create(&lock_path).map_err(|e| HarnessError::io(&lock_path, e))?;
    lock.lock().map_err(|e| HarnessError::io(&lock_path, e))?;
    let python = prefix.join("bin").join("python");
    let marker = prefix.join(".complete");
    if marker.exists() && python.exists() {
        return Ok(python);
    }
    if prefix.exists() {
        fs::remove_dir_all(&prefix).map_err(|e| HarnessError::io(&prefix, e))?;
    }
    let python3 = std::env::var("CLAWKIT_PYTHON").unwrap_or_else(|_| "python3".into());
    eprintln!(
        "clawkit-testkit: installing {AIOSMTPD} into {} (once)",
        prefix.display()
    );
    run(
        Command::new(&python3).arg("-m").arg("venv").arg(&prefix),
        "python3 -m venv",
    )?;
    run(
        Command::new(&python)
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
            ])
            .arg(AIOSMTPD),
        &format!("pip install {AIOSMTPD}"),
    )?;
    run(
        Command::new(&python).args(["-c", "import aiosmtpd.controller"]),
        "import aiosmtpd",
    )?;
    fs::write(&marker, AIOSMTPD).map_err(|e| HarnessError::io(&marker, e))?;
    Ok(python)
}

fn run(cmd: &mut Command, what: &str) -> Result<()> {
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .map_err(|e| HarnessError::Setup(format!("{what}: cannot run it: {e}")))?;
    if out.status.success() {
        return Ok(());
    }
    Err(HarnessError::Setup(format!(
        "{what} failed ({}), so the real-SMTP test cannot run. Is PyPI reachable? It said:\n{}",
        out.status,
        crate::install::tail(&String::from_utf8_lossy(&out.stderr), 20)
    )))
}

/// A running aiosmtpd; stopped on drop.
pub struct SmtpServer {
    pub port: u16,
    process: Spawned,
    dir: tempfile::TempDir,
}

impl SmtpServer {
    /// Starts one on 127.0.0.1. With `login = Some((user, pass))` it requires AUTH (over plain
    /// SMTP, as a local relay may) and accepts only that pair.
    pub fn start(login: Option<(&str, &str)>) -> Result<SmtpServer> {
        let python = ensure_aiosmtpd()?;
        let dir = tempfile::Builder::new()
            .prefix("clawkit-test-smtp-")
            .tempdir()
            .map_err(|e| HarnessError::Setup(format!("temp dir: {e}")))?;
        let mail = dir.path().join("mail");
        fs::create_dir_all(&mail).map_err(|e| HarnessError::io(&mail, e))?;
        let script = dir.path().join("server.py");
        fs::write(&script, SERVER).map_err(|e| HarnessError::io(&script, e))?;
        let log_path = dir.path().join("server.log");
        let log = File::create(&log_path).map_err(|e| HarnessError::io(&log_path, e))?;
        let log2 = log
            .try_clone()
            .map_err(|e| HarnessError::io(&log_path, e))?;
        let port = free_port();
        let (user, pass) = login.unwrap_or(("", ""));
        let mut cmd = Command::new(&python);
        cmd.arg(&script)
            .arg(&mail)
            .arg(port.to_string())
            .arg(user)
            .arg(pass)
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log2);
        let mut process = Spawned::spawn(cmd, "aiosmtpd")?;
        let deadline = Instant::now() + Duration::from_secs(30);
        while port_state(port) != PortState::Accepting {
            if let Some(status) = process.exited() {
                return Err(HarnessError::Setup(format!(
                    "aiosmtpd exited with {status}:\n{}",
                    crate::install::tail(&fs::read_to_string(&log_path).unwrap_or_default(), 20)
                )));
            }
            if Instant::now() > deadline {
                return Err(HarnessError::Setup(format!(
                    "aiosmtpd did not listen on port {port} within 30 s"
                )));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(SmtpServer { port, process, dir })
    }

    /// The messages captured so far, oldest first.
    pub fn messages(&self) -> Vec<serde_json::Value> {
        let mail = self.dir.path().join("mail");
        let mut files: Vec<PathBuf> = fs::read_dir(&mail)
            .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        files.retain(|p| p.extension().is_some_and(|e| e == "json"));
        files.sort();
        files
            .iter()
            .filter_map(|p| fs::read_to_string(p).ok())
            .filter_map(|t| serde_json::from_str(&t).ok())
            .collect()
    }

    /// Everything the server logged (to check it for secrets too).
    pub fn log(&self) -> String {
        fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.process.stop(Duration::from_secs(5));
    }
}
