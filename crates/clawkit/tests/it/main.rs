//! clawkit's one integration-test binary. Topic files:
//! - `cli`: the command line surface (help, version, exit codes).
//! - `harness`: the real-gateway harness itself (install cache, start, stop, CLI runner).
//! - `scenarios`: each staged failure, observed through the real `openclaw` CLI.
//! - `install_model`: `clawkit config path` against OpenClaw's own resolution.
//! - `config_cli`, `explain`: those commands against real OpenClaw output and validation.
//! - `gateway_life`: a real gateway through failures, logs, explain and a token rotation.
//! - `ports`: every port-owner verdict on real processes, and `ports --kill`.
//! - `services`: the service audit on definitions rendered by real OpenClaw releases.
//! - `gateway_service`: `gateway status|start|stop|restart|install` without a service manager.
//! - `engine`: the engine's operations over a fake gateway and a fake host (milliseconds).
//! - `supervised`: restarts and the doctor's fix under systemd, launchd and Task Scheduler
//!   (a fake service manager over real gateways).
//! - `doctor`, `gateway_token`, `probe`, `state`: the doctor's scenarios, the token commands,
//!   handshakes and verdicts, the state readers of both layouts.
//! - `topology`: a client in remote mode against a gateway elsewhere (its own HOME).
//! - `supply`: a secret the user gives (`doctor --fix --token`, `rotate --token`), verified
//!   by the real gateway before it is stored.
//!
//! - `monitor`: `clawkit monitor run` against real gateways, alerts at a fake webhook receiver.
//! - `web`: `clawkit web` over raw HTTP and in a real headless Chromium, and `clawkit dashboard`
//!   with the real Control UI.
//! - `npm`: the npm packages packed and run with `npx`, offline.
//! - `windows`: the Windows build cross-compiled here and run under Wine.
//!
//! Tests that only read from a gateway share one per OpenClaw version
//! (`clawkit_testkit::shared_gateway`); tests that change or stop one start their own.
// Unix only: real gateways and Unix process control. Windows builds are smoke-tested under Wine instead.
#![cfg(unix)]

mod cli;
mod config_cli;
mod doctor;
mod engine;
mod explain;
mod gateway_life;
mod gateway_service;
mod gateway_token;
mod harness;
mod install_model;
mod macos_backend;
mod monitor;
mod npm;
mod ports;
mod probe;
mod scenarios;
mod services;
mod state;
mod supervised;
mod supply;
mod topology;
mod util;
mod web;
mod windows;
