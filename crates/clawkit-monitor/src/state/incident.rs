//! An incident: one per gateway per cause, opened by the alert that starts it and closed by
//! the one that pairs with it; reminders and the recovery carry its id. Persisted across
//! monitor restarts so an open incident is neither re-alerted nor forgotten.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// The gateway is down (crashed, hung, stopped, unreachable, a restart that never came back).
    Down,
    /// The monitor's own handshake is refused.
    Rejected,
    /// Restarting over and over.
    Flapping,
    /// This machine lost contact with most of the fleet at once.
    Offline,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Incident {
    pub id: String,
    pub gateway: String,
    pub kind: Kind,
    /// A finding code or the socket's classification (`gateway-crashed`, …).
    pub cause: String,
    pub summary: String,
    pub opened_ms: i64,
    /// Reminders sent so far, and when the last alert about it was decided.
    pub reminders: usize,
    pub last_alert_ms: i64,
    /// Its opening alert was held back by a silence: so is its recovery.
    pub held: bool,
}

impl Incident {
    pub fn open(gateway: &str, kind: Kind, cause: &str, summary: String, at_ms: i64) -> Incident {
        Incident {
            id: format!("{}-{}-{at_ms:x}", slug(gateway), kind_word(kind)),
            gateway: gateway.to_string(),
            kind,
            cause: cause.to_string(),
            summary,
            opened_ms: at_ms,
            reminders: 0,
            last_alert_ms: at_ms,
            held: false,
        }
    }
}

fn kind_word(k: Kind) -> &'static str {
    match k {
        Kind::Down => "down",
        Kind::Rejected => "rejected",
        Kind::Flapping => "flapping",
        Kind::Offline => "offline",
    }
}

/// A gateway name as an id part: ASCII letters, digits and `-`.
fn slug(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect()
}
