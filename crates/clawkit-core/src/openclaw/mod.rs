//! Knowledge about OpenClaw itself: where an install keeps its files, how it reads its config,
//! how it resolves credentials, where it keeps device identities, tokens and pairings, and how
//! a running gateway reacts to a config change (`reload`).

pub mod auth;
pub mod boots;
pub mod config;
pub mod identity;
pub mod install;
pub mod reload;
pub mod state;
pub mod topology;
