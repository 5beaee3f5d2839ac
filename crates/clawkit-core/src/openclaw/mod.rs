//! Knowledge about OpenClaw itself: where an install keeps its files, how it reads its config,
//! and how it resolves credentials.

pub mod auth;
pub mod config;
pub mod install;
pub mod state;
