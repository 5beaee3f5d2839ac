//! Looking at a gateway from outside: handshakes, readiness, port inspection as one step.
//! An operation over the knowledge layers: `host` tells who holds the ports, `gateway` shakes
//! hands, and neither needs the other.

mod ports;

pub use ports::inspect_ports;
