//! The machine around the gateway: who listens on its ports, which processes are gateways,
//! its lock files, and signalling a process safely. Linux reads `/proc` directly; macOS and
//! Windows parse `lsof`/`ps` and `netstat`/`tasklist` through the same [`Host`] trait, and
//! tests describe a machine with [`fake::FakeHost`]. No handshake is made here: whether a
//! listener answers as a gateway is an input to `ports::judge`, asked by `probe`.

pub mod fake;
pub mod kill;
mod linux;
pub mod lock;
mod portable;
pub mod ports;
pub mod process;
pub mod runner;
pub mod sockets;

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
    if cfg!(target_os = "linux") {
        Box::new(ProcHost::new())
    } else {
        Box::new(CommandHost::new(Box::new(runner::SystemRunner)))
    }
}
