//! Every external command clawkit runs (`systemctl`, `launchctl`, `schtasks`, `lsof`, `netstat`,
//! `openclaw`) goes through [`CommandRunner`], so tests can see the exact commands issued
//! without a service manager on the machine.

use std::sync::Mutex;
use std::time::Duration;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CommandOutput {
    /// Exit code; `None` when killed by a signal or not started.
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl CommandOutput {
    pub fn ok(stdout: &str) -> CommandOutput {
        CommandOutput {
            code: Some(0),
            stdout: stdout.into(),
            stderr: String::new(),
        }
    }

    pub fn success(&self) -> bool {
        self.code == Some(0)
    }

    /// The first non-empty line of stderr, else stdout: what to quote when it failed.
    pub fn reason(&self) -> String {
        self.stderr
            .lines()
            .chain(self.stdout.lines())
            .map(str::trim)
            .find(|l| !l.is_empty())
            .unwrap_or("no output")
            .to_string()
    }
}

pub trait CommandRunner: Send + Sync {
    /// Runs `program args…` with `env` added, and waits at most `timeout`.
    fn run(
        &self,
        program: &str,
        args: &[&str],
        env: &[(&str, &str)],
        timeout: Duration,
    ) -> std::io::Result<CommandOutput>;
}

/// Runs commands for real.
pub struct SystemRunner;

impl CommandRunner for SystemRunner {
    fn run(
        &self,
        program: &str,
        args: &[&str],
        env: &[(&str, &str)],
        timeout: Duration,
    ) -> std::io::Result<CommandOutput> {
        let mut child = std::process::Command::new(program)
            .args(args)
            .envs(env.iter().copied())
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()?;
        let out_reader = drain(child.stdout.take());
        let err_reader = drain(child.stderr.take());
        let deadline = std::time::Instant::now() + timeout;
        let status = loop {
            if let Some(status) = child.try_wait()? {
                break Some(status);
            }
            if std::time::Instant::now() >= deadline {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            // Sync by design: commands run on the blocking pool.
            #[allow(clippy::disallowed_methods)]
            std::thread::sleep(Duration::from_millis(20));
        };
        let stdout = out_reader.join().unwrap_or_default();
        let mut stderr = err_reader.join().unwrap_or_default();
        if status.is_none() {
            stderr.push_str(&format!(
                "\n{program} did not finish within {} s and was stopped",
                timeout.as_secs()
            ));
        }
        Ok(CommandOutput {
            code: status.and_then(|s| s.code()),
            stdout,
            stderr,
        })
    }
}

/// Reads a child's pipe to the end on its own thread (so a full stderr cannot block stdout).
fn drain(pipe: Option<impl std::io::Read + Send + 'static>) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut s = String::new();
        if let Some(mut p) = pipe {
            let _ = p.read_to_string(&mut s);
        }
        s
    })
}

/// A test double, named as such: records every command and answers from a script of
/// `(command prefix, output)` pairs (first match wins; unmatched commands succeed silently).
#[derive(Default)]
pub struct RecordingRunner {
    calls: Mutex<Vec<String>>,
    replies: Vec<(String, CommandOutput)>,
}

impl RecordingRunner {
    pub fn new() -> RecordingRunner {
        RecordingRunner::default()
    }

    /// Answer commands starting with `prefix` (e.g. `"systemctl --user show"`) with `output`.
    pub fn reply(mut self, prefix: &str, output: CommandOutput) -> RecordingRunner {
        self.replies.push((prefix.to_string(), output));
        self
    }

    /// Every command issued so far, as `program arg arg…`.
    pub fn calls(&self) -> Vec<String> {
        self.calls.lock().map(|c| c.clone()).unwrap_or_default()
    }
}

impl CommandRunner for RecordingRunner {
    fn run(
        &self,
        program: &str,
        args: &[&str],
        _env: &[(&str, &str)],
        _timeout: Duration,
    ) -> std::io::Result<CommandOutput> {
        let line = std::iter::once(program)
            .chain(args.iter().copied())
            .collect::<Vec<_>>()
            .join(" ");
        if let Ok(mut calls) = self.calls.lock() {
            calls.push(line.clone());
        }
        Ok(self
            .replies
            .iter()
            .find(|(prefix, _)| line.starts_with(prefix.as_str()))
            .map(|(_, out)| out.clone())
            .unwrap_or_else(|| CommandOutput::ok("")))
    }
}
