//! The monitor's integration tests: one binary, one file per topic. `fake` runs against the
//! fake gateway (milliseconds each); `real` against real OpenClaw gateways of both releases.

mod fake;
mod real;
mod util;
