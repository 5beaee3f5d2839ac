//! Looking at a gateway from outside, as a given client would: the connection the CLI, this
//! device or `openclaw gateway probe` would make (URL, credential and where it came from), and
//! one real handshake with `health` and `system.info`. `clawkit probe` and the monitor's
//! held connection start from the same choice.

mod connect_as;
mod handshake;

pub use connect_as::{As, ProbeRequest, Sent, connection_for};
pub use handshake::{Greeted, ProbeOutcome, probe};
