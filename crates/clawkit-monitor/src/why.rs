//! Why, not just that: a `down` (other than a crash or a hang, which the socket already
//! explains and which must go out at once) or a `flapping` alert about this install's own
//! gateway carries the doctor's first root cause when the doctor can name it within a
//! couple of seconds — "a zombie gateway of another state dir holds 18789", say.
//!
//! And healing, off by default: a crashed or hung gateway that a service manager runs is
//! restarted through the engine's restart-and-verify, at most [`HEAL_MAX`] times in
//! [`HEAL_WINDOW_MS`] (a circuit breaker), and the alert says so.

use crate::alert::{Alert, AlertEvent};
use clawkit_core::target::Target;
use std::collections::VecDeque;
use std::time::Duration;

/// How long the doctor may take before the alert goes out without it.
const DOCTOR_BUDGET: Duration = Duration::from_secs(2);
pub const HEAL_MAX: usize = 3;
pub const HEAL_WINDOW_MS: i64 = 15 * 60_000;

/// Causes the socket explains by itself: these alerts are not held for the doctor.
const SELF_EXPLAINED: &[&str] = &["gateway-crashed", "gateway-hung", "gateway-stopped"];

/// Whether `alert` waits for the doctor's cause.
pub fn wants_doctor(alert: &Alert) -> bool {
    match alert.event {
        AlertEvent::Down => !alert
            .cause
            .as_deref()
            .is_some_and(|c| SELF_EXPLAINED.contains(&c)),
        AlertEvent::Flapping => true,
        _ => false,
    }
}

/// Runs the doctor on `target` within the budget and puts its first cause on the alert.
pub async fn explain(alert: &mut Alert, target: &Target) {
    let inputs = clawkit_core::doctor::Inputs {
        target: target.clone(),
        docker_dir: None,
        timeout: Duration::from_millis(800),
    };
    let Ok(d) = tokio::time::timeout(DOCTOR_BUDGET, clawkit_core::doctor::examine(&inputs)).await
    else {
        return;
    };
    let Some(first) = d.causes.first() else {
        return;
    };
    alert.summary = format!("{} — the doctor says: {}", alert.summary, first.summary);
    alert.cause = Some(first.code.to_string());
    alert.next = Some("clawkit doctor --fix".into());
    alert
        .details
        .insert("doctorCause".into(), serde_json::Value::from(first.code));
}

/// The healing circuit breaker.
#[derive(Debug, Default)]
pub struct Healer {
    recent: VecDeque<i64>,
}

impl Healer {
    /// Whether a heal may start now (and records it when so).
    pub fn allow(&mut self, now_ms: i64) -> bool {
        while self
            .recent
            .front()
            .is_some_and(|t| now_ms - t > HEAL_WINDOW_MS)
        {
            self.recent.pop_front();
        }
        if self.recent.len() >= HEAL_MAX {
            return false;
        }
        self.recent.push_back(now_ms);
        true
    }

    pub fn used(&self) -> usize {
        self.recent.len()
    }
}

/// Whether `alert` is one healing acts on.
pub fn heals(alert: &Alert) -> bool {
    alert.event == AlertEvent::Down
        && matches!(
            alert.cause.as_deref(),
            Some("gateway-crashed" | "gateway-hung")
        )
}

/// Restarts the gateway through its supervisor and waits for the new boot.
pub async fn heal(target: Target) -> Result<String, String> {
    let cancel = tokio_util::sync::CancellationToken::new();
    let waits = clawkit_core::lifecycle::Waits::new(Duration::from_secs(60));
    clawkit_core::lifecycle::restart(
        &target,
        &clawkit_core::gateway::Credential::None,
        waits,
        &mut clawkit_core::event::NullObserver,
        &cancel,
    )
    .await
    .map(|_| "restarted through its service manager".to_string())
    .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_breaker_allows_three_heals_in_fifteen_minutes() {
        let mut h = Healer::default();
        assert!(h.allow(0) && h.allow(1) && h.allow(2));
        assert!(!h.allow(3));
        assert!(h.allow(HEAL_WINDOW_MS + 1), "the first one left the window");
    }

    #[test]
    fn crashes_go_out_at_once_other_downs_wait_for_the_doctor() {
        let alert = |event, cause: &str| Alert {
            id: "a".into(),
            event,
            gateway: "g".into(),
            url: String::new(),
            at: String::new(),
            summary: String::new(),
            incident: None,
            cause: Some(cause.into()),
            downtime_ms: None,
            next: None,
            details: Default::default(),
        };
        assert!(!wants_doctor(&alert(AlertEvent::Down, "gateway-crashed")));
        assert!(wants_doctor(&alert(
            AlertEvent::Down,
            "restart-not-completed"
        )));
        assert!(wants_doctor(&alert(
            AlertEvent::Flapping,
            "gateway-flapping"
        )));
        assert!(heals(&alert(AlertEvent::Down, "gateway-hung")));
        assert!(!heals(&alert(AlertEvent::Down, "gateway-stopped")));
    }
}
