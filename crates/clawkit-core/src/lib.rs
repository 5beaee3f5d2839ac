//! clawkit's engine: everything clawkit knows about OpenClaw and does to a gateway, as a
//! library the CLI, the monitor and the web doctor share. It has no command line and no
//! terminal: operations take a [`target::Target`], report [`event::Event`]s to an observer,
//! ask an approver, and return typed outcomes that each front end renders.
//!
//! Layers, each importing only the ones below it: operations (`doctor`, `lifecycle`,
//! `tokens`, `probe`, `explain`) → knowledge (`openclaw`, `gateway`, `host`, `service`, `logscan`,
//! `catalog`) → leaves (`fsx`, `secret`, `finding`, `diff`, `env`). `.ci/layers` checks it.

// Tests may drive operations on a runtime of their own.
#![cfg_attr(test, allow(clippy::disallowed_methods))]

pub mod blocking;
pub mod catalog;
pub mod dashboard;
pub mod diff;
pub mod doctor;
pub mod env;
pub mod error;
pub mod event;
pub mod explain;
pub mod failpoint;
pub mod finding;
pub mod fsx;
pub mod gateway;
pub mod host;
pub mod journal;
pub mod lifecycle;
pub mod logscan;
pub mod openclaw;
pub mod probe;
pub mod secret;
pub mod service;
pub mod target;
pub mod time;
pub mod tokens;
pub mod verdict;

pub use error::Error;
