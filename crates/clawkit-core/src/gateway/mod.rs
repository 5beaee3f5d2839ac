//! A native client of the OpenClaw gateway's WebSocket protocol: the `connect.challenge` →
//! `connect` → `hello-ok` handshake, request/response frames, and one typed [`Verdict`] for
//! every way a connection can fail. It gets the gateway's own answer in milliseconds, without
//! starting a Node process. A connection can also be held open and read frame by frame
//! (`held`), which is how the monitor watches a gateway.

mod client;
mod close;
pub mod device;
mod frames;
mod held;
mod identity;
pub mod tls;
mod verdict;

pub use crate::verdict::Verdict;
pub use client::{ClientRole, ConnectOptions, Connection, Credential, Hello, RpcError, connect};
pub use held::{Frame, NO_STATUS};
pub use identity::{DeviceIdentity, KeyError};
