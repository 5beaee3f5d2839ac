//! How the boots ended, from the gateway's own record (`gateway_boot_lifecycle`, read through
//! the engine): a `restart` or an `up` after a down says how the previous boot ended — a
//! planned restart and why, a clean stop by SIGTERM, a startup failure with its error, or no
//! recorded end (killed, crashed) — and any start reason of the new one; a `flapping` alert
//! lists how each boot of the loop ended. Only for this install's gateway (its state dir is
//! here) and only when the record's newest boot is the one the socket reached.

use crate::alert::{Alert, AlertEvent};
use clawkit_core::openclaw::boots::{BootRecord, recent};
use serde_json::Value;
use std::path::PathBuf;

/// Whether `alert` is about a new boot whose story the record can tell.
pub fn wants(alert: &Alert) -> bool {
    matches!(
        alert.event,
        AlertEvent::Restart | AlertEvent::Flapping | AlertEvent::Up
    ) && (alert.event == AlertEvent::Flapping || new_boot_id(alert).is_some())
}

/// The boot id the alert's connection reached (`newBoot` of a restart, `boot` of an up).
fn new_boot_id(alert: &Alert) -> Option<&str> {
    ["newBoot", "boot"]
        .iter()
        .find_map(|k| alert.details.get(*k)?.get("boot_id")?.as_str())
}

/// Adds the record's story to `alert` (nothing when the record is missing or is not about
/// this boot).
pub async fn tell(alert: &mut Alert, state_dir: PathBuf) {
    let n = if alert.event == AlertEvent::Flapping {
        6
    } else {
        2
    };
    let Ok(Ok(boots)) = tokio::task::spawn_blocking(move || recent(&state_dir, n)).await else {
        return;
    };
    add(alert, &boots);
}

fn add(alert: &mut Alert, boots: &[BootRecord]) {
    let Some(newest) = boots.first() else {
        return;
    };
    if alert.event == AlertEvent::Flapping {
        let ends: Vec<String> = boots.iter().skip(1).map(BootRecord::ending).collect();
        if !ends.is_empty() {
            alert.summary.push_str(&format!(
                "; the gateway's record of its last boots: {}",
                ends.join("; ")
            ));
        }
        alert.details.insert("boots".into(), json(boots));
        return;
    }
    if new_boot_id(alert) != Some(newest.boot_id.as_str()) {
        return;
    }
    if let Some(previous) = boots.get(1) {
        alert
            .summary
            .push_str(&format!("; the previous boot ended: {}", previous.ending()));
        alert.details.insert("previousBoot".into(), json(previous));
    }
    if let Some(why) = &newest.startup_reason {
        alert.summary.push_str(&format!("; start reason: {why}"));
        alert
            .details
            .insert("startReason".into(), Value::from(why.clone()));
    }
}

fn json(v: impl serde::Serialize) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn boot(
        id: &str,
        outcome: Option<&str>,
        reason: Option<&str>,
        start: Option<&str>,
    ) -> BootRecord {
        BootRecord {
            boot_id: id.into(),
            pid: Some(1),
            started_at_ms: 0,
            completed_at_ms: None,
            outcome: outcome.map(str::to_string),
            startup_reason: start.map(str::to_string),
            reason: reason.map(str::to_string),
        }
    }

    fn alert(event: AlertEvent, details: Value) -> Alert {
        let mut a = crate::run::test_alert("gw", "ws://h", 0);
        a.event = event;
        a.summary = "s".into();
        a.details = details.as_object().cloned().unwrap_or_default();
        a
    }

    #[test]
    fn a_restart_says_how_the_previous_boot_ended_and_why_the_new_one_started() {
        let mut a = alert(AlertEvent::Restart, json!({"newBoot": {"boot_id": "b2"}}));
        assert!(wants(&a));
        let boots = [
            boot("b2", None, None, Some("gateway.crash_loop_recovered")),
            boot(
                "b1",
                Some("planned_restart"),
                Some("restart requested"),
                None,
            ),
        ];
        add(&mut a, &boots);
        assert_eq!(
            a.summary,
            "s; the previous boot ended: planned_restart (restart requested); start reason: gateway.crash_loop_recovered"
        );
        assert_eq!(a.details["previousBoot"]["outcome"], "planned_restart");
    }

    #[test]
    fn a_record_about_another_boot_is_not_told_and_a_loop_lists_every_end() {
        let mut other = alert(AlertEvent::Up, json!({"boot": {"boot_id": "b9"}}));
        add(
            &mut other,
            &[boot("b2", None, None, None), boot("b1", None, None, None)],
        );
        assert_eq!(other.summary, "s", "the record is not about b9");
        assert!(
            !wants(&alert(AlertEvent::Up, json!({}))),
            "an up with no new boot"
        );

        let mut flap = alert(AlertEvent::Flapping, json!({}));
        add(
            &mut flap,
            &[
                boot("b3", None, None, None),
                boot(
                    "b2",
                    Some("startup_failed"),
                    Some("config invalid: gateway.port"),
                    None,
                ),
                boot("b1", None, None, None),
            ],
        );
        assert_eq!(
            flap.summary,
            "s; the gateway's record of its last boots: startup_failed (config invalid: gateway.port); no recorded end: it was killed or crashed"
        );
    }
}
