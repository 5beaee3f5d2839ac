//! The machine around the gateway: who listens on its ports, which processes are gateways,
//! its lock files, and signalling a process safely. Linux reads `/proc` directly, Windows asks
//! the Win32 API, macOS parses `lsof`/`ps` through the same [`Host`] trait, and
//! tests describe a machine with [`fake::FakeHost`]. No handshake is made here: whether a
//! listener answers as a gateway is an input to `ports::judge`, asked by `probe`.

pub mod exit;
pub mod fake;
pub mod kill;
mod linux;
pub mod lock;
mod portable;
pub mod ports;
pub mod privacy;
pub mod process;
pub mod runner;
pub mod sockets;
#[cfg(windows)]
mod windows;

pub use linux::ProcHost;
pub use portable::CommandHost;
pub use process::ProcessInfo;
pub use sockets::Listener;

pub trait Host: Send + Sync {
    /// Every listening TCP socket, with its owning pid where this user can see it.
    fn listeners(&self) -> std::io::Result<Vec<Listener>>;
    fn process(&self, pid: u32) -> Option<ProcessInfo>;
    /// The process's environment, when readable (same user on Linux).
    fn environ(&self, pid: u32) -> Option<Vec<(String, String)>>;
    /// Every visible process that looks like an OpenClaw gateway.
    fn gateways(&self) -> Vec<ProcessInfo>;
    /// The user clawkit runs as: whose lock files and sockets are "yours".
    fn uid(&self) -> u32;
}

/// The host backend for this OS.
pub fn system() -> Box<dyn Host> {
    #[cfg(windows)]
    return Box::new(windows::WinHost);
    #[cfg(not(windows))]
    if cfg!(target_os = "linux") {
        Box::new(ProcHost::new())
    } else {
        Box::new(CommandHost::new(Box::new(runner::SystemRunner)))
    }
}

/// A child that runs until it is stopped: `sleep 60` on Unix, `ping -n 60` on Windows (Wine
/// has it too), with the program's name to wait for.
#[cfg(test)]
pub(crate) fn sleeper() -> (std::process::Child, &'static str) {
    let (program, args, name): (&str, &[&str], &str) = if cfg!(windows) {
        ("ping", &["-n", "60", "127.0.0.1"], "ping")
    } else {
        ("sleep", &["60"], "sleep")
    };
    let child = std::process::Command::new(program)
        .args(args)
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    (child, name)
}
