//! Looking at a gateway from outside, as a given client would: who holds its ports (`host`
//! observes, `gateway` shakes hands, neither needs the other), the connection the CLI, this
//! device or `openclaw gateway probe` would make (URL, credential and where it came from), and
//! one real handshake with `health` and `system.info`. `clawkit probe`, the doctor and the
//! monitor's held connection start from the same choices.

mod connect_as;
mod given;
mod handshake;
mod ports;

pub use connect_as::{As, ProbeRequest, Sent, connection_for};
pub use given::{GivenChecked, check_given};
pub use handshake::{Greeted, ProbeOutcome, probe};
pub use ports::inspect_ports;
