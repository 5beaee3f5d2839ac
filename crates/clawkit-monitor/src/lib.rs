//! clawkit's Gateway Monitor. One task per gateway holds an authenticated connection and says
//! what it saw (`watch`); a pure state machine turns those sightings into incidents and alerts
//! (`state`); alerts are written to a SQLite outbox before they are sent and delivered at least
//! once to channels that do not depend on the gateway (`outbox`, `channel`); incidents, events
//! and probe samples are kept for `status` and `history` (`store`). `run` wires them together
//! for `clawkit monitor run`; the CLI renders.
//!
//! The engine (`clawkit-core`) supplies the protocol, the catalog, the doctor and the restart;
//! nothing here prints.

pub mod alert;
pub mod boots;
pub mod channel;
pub mod config;
pub mod heartbeat;
pub mod install;
pub mod metrics;
pub mod notify_systemd;
pub mod outbox;
pub mod resolve;
pub mod run;
pub mod samples;
pub mod state;
pub mod store;
pub mod watch;
pub mod why;
