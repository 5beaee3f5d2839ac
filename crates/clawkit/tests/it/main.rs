//! clawkit's one integration-test binary. Topic files:
//! - `cli`: the command line surface (help, version, exit codes).
//! - `harness`: the real-gateway harness itself (install cache, start, stop, CLI runner).
//! - `scenarios`: each staged failure, observed through the real `openclaw` CLI.
//!
//! Tests that only read from a gateway share one per OpenClaw version
//! (`clawkit_testkit::shared_gateway`); tests that change or stop one start their own.

mod cli;
mod harness;
mod scenarios;
mod util;
