//! The real `openclaw` CLI, run as a client machine would run it: its own scratch home and
//! config, its own environment. Used to stage scenarios and to cross-check clawkit.

use crate::error::{HarnessError, Result};
use crate::gateway::base_env;
use crate::install::{OpenClawInstall, ensure_openclaw};
use crate::process::Spawned;
use std::fmt;
use std::fs;
use std::io::{Read, Seek};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How long one CLI call may take before the harness kills it.
const CLI_TIMEOUT: Duration = Duration::from_secs(120);

/// What one CLI call produced.
#[derive(Debug, Clone)]
pub struct CliOutput {
    pub command: String,
    /// `None` when killed by a signal (or by the harness timeout).
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub elapsed: Duration,
}

impl CliOutput {
    pub fn success(&self) -> bool {
        self.code == Some(0)
    }
    /// stdout and stderr together, for "does the user see X anywhere" assertions.
    pub fn text(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }
}

impl fmt::Display for CliOutput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "$ {}\n(exit {:?} after {:.1} s)",
            self.command,
            self.code,
            self.elapsed.as_secs_f64()
        )?;
        writeln!(f, "--- stdout\n{}", self.stdout)?;
        write!(f, "--- stderr\n{}", self.stderr)
    }
}

/// A client machine: a scratch `HOME` with `~/.openclaw/`, the real CLI of one OpenClaw
/// version, and an environment the test controls.
pub struct ClientHome {
    install: OpenClawInstall,
    dir: tempfile::TempDir,
    home: PathBuf,
    env: Vec<(String, String)>,
}

impl ClientHome {
    pub fn new(version: &str) -> Result<ClientHome> {
        let install = ensure_openclaw(version)?;
        let dir = tempfile::Builder::new()
            .prefix("clawkit-client-")
            .tempdir()
            .map_err(|e| HarnessError::io(std::env::temp_dir(), e))?;
        let home = dir.path().join("home");
        let state_dir = home.join(".openclaw");
        let tmp = dir.path().join("tmp");
        for d in [&state_dir, &tmp] {
            fs::create_dir_all(d).map_err(|e| HarnessError::io(d, e))?;
        }
        crate::private(&state_dir, 0o700)?;
        let env = base_env(&install, &home, &tmp);
        Ok(ClientHome {
            install,
            dir,
            home,
            env,
        })
    }

    /// Writes `~/.openclaw/openclaw.json` (JSON5 text, verbatim).
    pub fn write_config(&self, json5: &str) -> Result<PathBuf> {
        let path = self.config_path();
        fs::write(&path, json5).map_err(|e| HarnessError::io(&path, e))?;
        crate::private(&path, 0o600)?;
        Ok(path)
    }

    /// Sets (or replaces) an environment variable for every later CLI call.
    pub fn set_env(&mut self, key: &str, value: &str) {
        self.env.retain(|(k, _)| k != key);
        self.env.push((key.to_string(), value.to_string()));
    }

    pub fn home(&self) -> &Path {
        &self.home
    }
    pub fn state_dir(&self) -> PathBuf {
        self.home.join(".openclaw")
    }
    pub fn config_path(&self) -> PathBuf {
        self.state_dir().join("openclaw.json")
    }
    pub fn env(&self) -> &[(String, String)] {
        &self.env
    }
    pub fn version(&self) -> &str {
        &self.install.version
    }
    /// Scratch directory that holds this client's home (for extra files a test needs).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Runs `openclaw <args>` as this client.
    pub fn openclaw<S: AsRef<str>>(&self, args: &[S]) -> Result<CliOutput> {
        run_cli(&self.install, &self.home, &self.env, args)
    }
}

/// Runs the real CLI with exactly `env` (after clearing the inherited environment), from
/// `home`, with a timeout.
pub(crate) fn run_cli<S: AsRef<str>>(
    install: &OpenClawInstall,
    home: &Path,
    env: &[(String, String)],
    args: &[S],
) -> Result<CliOutput> {
    let args: Vec<&str> = args.iter().map(AsRef::as_ref).collect();
    let command = format!("openclaw {}", args.join(" "));
    let capture = || tempfile::tempfile().map_err(|e| HarnessError::io(std::env::temp_dir(), e));
    let (mut out, mut err) = (capture()?, capture()?);
    let mut cmd = Command::new(&install.node);
    cmd.arg(&install.entry)
        .args(&args)
        .env_clear()
        .envs(env.iter().map(|(k, v)| (k, v)))
        .current_dir(home)
        .stdin(Stdio::null())
        .stdout(out.try_clone().map_err(|e| HarnessError::io("stdout", e))?)
        .stderr(err.try_clone().map_err(|e| HarnessError::io("stderr", e))?);
    let started = Instant::now();
    let mut child = Spawned::spawn(cmd, command.clone())?;
    let status = loop {
        if let Some(status) = child.exited() {
            break Some(status);
        }
        if started.elapsed() > CLI_TIMEOUT {
            child.stop(Duration::from_secs(2));
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let elapsed = started.elapsed();
    drop(child);
    let read = |file: &mut fs::File| {
        let mut text = String::new();
        let _ = file.rewind();
        let _ = file.read_to_string(&mut text);
        text
    };
    Ok(CliOutput {
        command,
        code: status.and_then(|s| s.code()),
        stdout: read(&mut out),
        stderr: read(&mut err),
        elapsed,
    })
}
