//! Small helpers shared by the topic files.

use assert_cmd::Command;

/// The `clawkit` binary built by this workspace.
pub fn clawkit() -> Command {
    Command::cargo_bin("clawkit").expect("the clawkit binary is built for integration tests")
}

/// Generates one `#[test]` per supported OpenClaw version from a body that takes the version.
macro_rules! per_version {
    ($name:ident, |$version:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            fn for_version($version: &str) $body
            #[test]
            fn v2026_9() {
                for_version(clawkit_testkit::V2026_9)
            }
            #[test]
            fn v2026_7() {
                for_version(clawkit_testkit::V2026_7)
            }
        }
    };
}
pub(crate) use per_version;

/// `clawkit` running on a scratch machine: exactly `env`, nothing inherited.
pub fn clawkit_with_env(env: &[(String, String)]) -> Command {
    let mut cmd = clawkit();
    cmd.env_clear().envs(env.iter().map(|(k, v)| (k, v)));
    cmd
}

/// What a finished command printed, and its exit code.
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn text(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}\n{}", self.stdout, self.stderr))
    }
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

pub fn run(cmd: &mut Command) -> Run {
    let out = cmd.output().expect("clawkit runs");
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Fails the test if any planted secret appears in `text`.
pub fn assert_no_secrets(text: &str, secrets: &[&str]) {
    for s in secrets {
        assert!(
            !s.is_empty() && !text.contains(s),
            "a planted secret leaked into output:\n{text}"
        );
    }
}

/// A current-thread runtime for tests that drive the protocol client directly.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

/// Waits until the log at `path` satisfies `holds` (at most 30 s: a loaded machine writes late;
/// `/readyz` answers a moment before the gateway logs `gateway ready`). Returns whether it did.
pub fn wait_log(path: &std::path::Path, holds: impl Fn(&str) -> bool) -> bool {
    (0..600).any(|_| {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        holds(&text) || {
            std::thread::sleep(std::time::Duration::from_millis(50));
            false
        }
    })
}

/// Whether `pid` runs (a zombie waiting to be reaped does not).
pub fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|s| {
        !s.rsplit(')')
            .next()
            .unwrap_or("")
            .trim_start()
            .starts_with('Z')
    })
}

/// Nothing of the gateway's holds `port` any more. The suite runs in parallel, so another
/// test may already listen on the freed port: that is fine unless the listener runs in this
/// gateway's home (a child it left behind).
pub fn assert_released(port: u16, home: &std::path::Path) {
    if clawkit_testkit::port_state(port) == clawkit_testkit::PortState::Refused {
        return;
    }
    let host = clawkit_core::host::system();
    let owner = host
        .listeners()
        .unwrap_or_default()
        .into_iter()
        .find(|l| l.addr.port() == port)
        .and_then(|l| l.pid);
    let ours = owner.and_then(|pid| host.environ(pid)).is_some_and(|env| {
        env.iter()
            .any(|(k, v)| k == "HOME" && std::path::Path::new(v) == home)
    });
    assert!(
        !ours,
        "port {port} is still held by pid {owner:?} of the stopped gateway's home"
    );
}
