//! An alert: what one notification says, the same for every channel. Its JSON form is the
//! `json://` channel's body and the documented contract (docs/monitor.md); every field is
//! free of secrets by construction (URLs are masked before they get here).

use serde::{Deserialize, Serialize};

/// What happened, as the `event` field names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AlertEvent {
    /// The gateway went down (crash, hang, planned stop that did not come back, unreachable).
    Down,
    /// It is back; pairs with the `down` of the same incident.
    Up,
    /// It restarted (old and new boot); no `down` is sent for a restart that came back.
    Restart,
    /// It keeps restarting: N boots in a window, one incident naming the pattern.
    Flapping,
    /// Clients fail to authenticate (from the gateway's log).
    AuthFailures,
    /// The monitor's own handshake is refused (credentials rotated, device token revoked, …).
    Rejected,
    /// Still down: a reminder of an open incident.
    Reminder,
    /// The monitor itself lost its network (replaces N false `down`s).
    MonitorOffline,
    /// `clawkit monitor test-alert`.
    Test,
    /// The outbox gave up on an alert for one channel; sent through the other channels (once).
    Undeliverable,
}

impl AlertEvent {
    pub fn word(self) -> &'static str {
        match self {
            AlertEvent::Down => "down",
            AlertEvent::Up => "up",
            AlertEvent::Restart => "restart",
            AlertEvent::Flapping => "flapping",
            AlertEvent::AuthFailures => "auth-failures",
            AlertEvent::Rejected => "rejected",
            AlertEvent::Reminder => "reminder",
            AlertEvent::MonitorOffline => "monitor-offline",
            AlertEvent::Test => "test",
            AlertEvent::Undeliverable => "undeliverable",
        }
    }
}

/// One notification.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    /// Idempotency key: unique per alert, stable across retries (receivers may dedupe on it).
    pub id: String,
    pub event: AlertEvent,
    /// The gateway's name (from the monitor config, or `local`).
    pub gateway: String,
    /// The gateway's URL.
    pub url: String,
    /// When it happened, RFC 3339 UTC.
    pub at: String,
    /// One line a person reads.
    pub summary: String,
    /// Stable id shared by a `down` and its `up` (and its reminders).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub incident: Option<String>,
    /// A finding code when the cause is known (`zombie-gateway`, `gateway-token-mismatch`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cause: Option<String>,
    /// On `up`: how long it was down.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub downtime_ms: Option<u64>,
    /// The exact command to run next, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
    /// Event-specific facts (boot ids, close code, client and peer, counts, …).
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub details: serde_json::Map<String, serde_json::Value>,
}

/// RFC 3339 UTC with milliseconds, for [`Alert::at`].
pub fn rfc3339(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| format!("{t:.3}"))
        .unwrap_or_else(|_| ms.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_json_form_names_the_event_and_skips_what_is_unknown() {
        let a = Alert {
            id: "a1".into(),
            event: AlertEvent::AuthFailures,
            gateway: "local".into(),
            url: "ws://127.0.0.1:18789".into(),
            at: rfc3339(0),
            summary: "3 failures".into(),
            incident: None,
            cause: None,
            downtime_ms: None,
            next: None,
            details: Default::default(),
        };
        let v = serde_json::to_value(&a).unwrap();
        assert_eq!(v["event"], "auth-failures");
        assert_eq!(v["at"], "1970-01-01T00:00:00.000Z");
        assert!(v.get("incident").is_none() && v.get("details").is_none());
        assert_eq!(AlertEvent::MonitorOffline.word(), "monitor-offline");
    }
}
