//! Knowledge about OpenClaw itself: where an install keeps its files, how it reads its config,
//! how it resolves credentials, and where it keeps device identities, tokens and pairings.

pub mod auth;
pub mod config;
pub mod identity;
pub mod install;
pub mod state;
pub mod topology;
