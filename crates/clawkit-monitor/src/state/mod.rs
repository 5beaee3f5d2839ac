//! The monitor's state machine: sightings in, alerts out, the clock passed in (so every rule
//! has a fake-clock test). It tells a crash from a planned restart or stop by what the socket
//! said before it closed, pairs every `up` with its `down`, turns a restart loop into one
//! `flapping` incident, reminds while down, holds alerts back during silences, and, for a
//! fleet, says "this machine is offline" once instead of N false downs.
//!
//! It decides; it does not send. [`Tracker::observe`] and [`Tracker::tick`] return
//! [`Decided`] alerts, which the runner writes to the outbox (or only to history, when held).

mod boot;
mod burst;
mod gateway;
mod incident;
mod policy;
mod silence;
#[cfg(test)]
mod tests;

pub use boot::Boot;
pub use incident::{Incident, Kind};
pub use policy::Policy;
pub use silence::{Quiet, Silence, Window};

use crate::alert::{Alert, AlertEvent, rfc3339};
use crate::watch::Seen;
use gateway::{Gateway, Phase};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

/// An alert the state machine decided, and whether a silence holds it back.
#[derive(Debug, Clone, PartialEq)]
pub struct Decided {
    pub alert: Alert,
    pub held: bool,
}

/// What the monitor remembers about a gateway across its own restarts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Memo {
    pub gateway: String,
    pub boot: Option<Boot>,
    pub incidents: Vec<Incident>,
}

/// Every watched gateway's state.
#[derive(Debug)]
pub struct Tracker {
    policy: Policy,
    pub quiet: Quiet,
    gateways: BTreeMap<String, Gateway>,
    /// The fleet's loss of contact, when it was this machine's network.
    offline: Option<Incident>,
    seq: u64,
}

impl Tracker {
    pub fn new(policy: Policy) -> Tracker {
        Tracker {
            policy,
            quiet: Quiet::default(),
            gateways: BTreeMap::new(),
            offline: None,
            seq: 0,
        }
    }

    /// Adds a gateway to watch; `remote` gateways take part in the offline check.
    pub fn add(&mut self, name: &str, url: &str, remote: bool) {
        self.gateways
            .entry(name.to_string())
            .or_insert_with(|| Gateway::new(name, url, remote));
    }

    /// Takes back what a previous run remembered: open incidents stay open (no new alert),
    /// and the first sighting decides whether they recovered meanwhile.
    pub fn restore(&mut self, memos: Vec<Memo>) {
        for m in memos {
            if let Some(g) = self.gateways.get_mut(&m.gateway) {
                g.boot = m.boot;
                for i in m.incidents {
                    g.reopen(i);
                }
            }
        }
    }

    /// What to remember (after each decision).
    pub fn memos(&self) -> Vec<Memo> {
        self.gateways
            .iter()
            .map(|(name, g)| Memo {
                gateway: name.clone(),
                boot: g.boot.clone(),
                incidents: g.open_incidents().cloned().collect(),
            })
            .collect()
    }

    /// Gives an open incident the cause found after it opened (the doctor's), so the alerts
    /// that follow it — reminders, the `up` that resolves it — carry the same one.
    pub fn set_cause(&mut self, incident: &str, cause: &str) {
        for g in self.gateways.values_mut() {
            g.set_cause(incident, cause);
        }
    }

    /// The watched gateways' names.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.gateways.keys().map(String::as_str)
    }

    /// Open incidents, every gateway's.
    pub fn open_incidents(&self) -> Vec<&Incident> {
        self.gateways
            .values()
            .flat_map(|g| g.open_incidents())
            .chain(self.offline.as_ref())
            .collect()
    }

    /// Whether the gateway is up as far as the monitor saw (`None`: unknown).
    pub fn is_up(&self, name: &str) -> Option<bool> {
        self.gateways.get(name).and_then(|g| match g.phase {
            Phase::Unknown => None,
            Phase::Up => Some(g.rejected.is_none()),
            _ => Some(false),
        })
    }

    /// clawkit itself restarts `name` until `until_ms` (`gateway restart`, `doctor --fix`):
    /// the restart is annotated, not alerted.
    pub fn expect_restart(&mut self, name: &str, until_ms: i64, by: &str) {
        if let Some(g) = self.gateways.get_mut(name) {
            g.planned_by = Some((until_ms, by.to_string()));
        }
    }

    pub fn observe(&mut self, seen: &Seen) -> Vec<Decided> {
        let mut out = Vec::new();
        let Some(g) = self.gateways.get_mut(&seen.gateway) else {
            return out;
        };
        let now = seen.at_ms;
        let says = g.apply(&self.policy, &seen.what, now);
        for s in says {
            out.push(self.decide(&seen.gateway, s, now));
        }
        out
    }

    /// Time passes: restarts that never came back, reminders, the end of a flap, a fleet's
    /// loss of contact held for company.
    pub fn tick(&mut self, now: i64) -> Vec<Decided> {
        self.quiet.expire(now);
        let mut says: Vec<(String, Say)> = Vec::new();
        for (name, g) in &mut self.gateways {
            for s in g.tick(&self.policy, now) {
                says.push((name.clone(), s));
            }
        }
        let mut out: Vec<Decided> = says
            .into_iter()
            .map(|(name, s)| self.decide(&name, s, now))
            .collect();
        out.extend(self.release_held_losses(now));
        out
    }

    /// Remote gateways that lost contact wait `offline_hold_ms` for company: enough of the
    /// fleet together is this machine's network (one `monitor-offline`), else each is down.
    fn release_held_losses(&mut self, now: i64) -> Vec<Decided> {
        let p = &self.policy;
        let due: Vec<String> = self
            .gateways
            .iter()
            .filter(|(_, g)| {
                g.held_loss
                    .as_ref()
                    .is_some_and(|l| now - l.at_ms >= p.offline_hold_ms as i64)
            })
            .map(|(n, _)| n.clone())
            .collect();
        if due.is_empty() {
            return Vec::new();
        }
        let remote = self.gateways.values().filter(|g| g.remote).count();
        let lost = self
            .gateways
            .values()
            .filter(|g| g.remote && (g.held_loss.is_some() || g.lost_contact()))
            .count();
        let offline = lost >= p.offline_min_gateways && lost * 2 > remote;
        let mut out = Vec::new();
        if offline && self.offline.is_none() {
            let summary = format!(
                "this machine lost contact with {lost} of its {remote} remote gateways at once: its own network is down, not the gateways"
            );
            let incident =
                Incident::open("monitor", Kind::Offline, "monitor-offline", summary, now);
            let alert = self.alert_for("monitor", AlertEvent::MonitorOffline, &incident, now, None);
            out.push(Decided {
                held: self.quiet.holds("monitor", now),
                alert,
            });
            self.offline = Some(incident);
        }
        for name in due {
            let g = self.gateways.get_mut(&name).expect("listed above");
            let loss = g.held_loss.take().expect("due");
            if offline {
                g.absorbed = true;
                continue;
            }
            let s = g.open_down(loss.cause, loss.summary, loss.next, loss.at_ms);
            out.push(self.decide(&name, s, now));
        }
        out
    }

    /// Turns what a gateway's state said into an alert, held back during a silence.
    fn decide(&mut self, name: &str, say: Say, now: i64) -> Decided {
        let held = self.quiet.holds(name, now)
            || say.planned_by.is_some()
            || say.incident.as_ref().is_some_and(|i| i.held);
        let mut alert = match &say.incident {
            Some(i) => self.alert_for(name, say.event, i, now, say.downtime_ms),
            None => self.loose_alert(name, say.event, now),
        };
        alert.summary = say.summary;
        alert.downtime_ms = say.downtime_ms.or(alert.downtime_ms);
        alert.cause = say.cause.or(alert.cause);
        alert.next = say.next;
        alert.details = say.details;
        if held && let Some(g) = self.gateways.get_mut(name) {
            g.mark_held(say.incident.as_ref().map(|i| i.id.as_str()));
        }
        self.maybe_end_offline(name, &alert);
        Decided { alert, held }
    }

    /// The fleet's contact is back once a gateway of it answers again.
    fn maybe_end_offline(&mut self, name: &str, alert: &Alert) {
        let back = self
            .gateways
            .get(name)
            .is_some_and(|g| g.remote && !g.lost_contact());
        if back && alert.event != AlertEvent::MonitorOffline {
            self.offline = None;
        }
    }

    fn alert_for(
        &mut self,
        name: &str,
        event: AlertEvent,
        i: &Incident,
        now: i64,
        downtime_ms: Option<u64>,
    ) -> Alert {
        self.seq += 1;
        Alert {
            id: format!("{}:{}:{now:x}", i.id, event.word()),
            event,
            gateway: name.to_string(),
            url: self.url_of(name),
            at: rfc3339(now),
            summary: i.summary.clone(),
            incident: Some(i.id.clone()),
            cause: Some(i.cause.clone()),
            downtime_ms,
            next: None,
            details: Map::new(),
        }
    }

    fn loose_alert(&mut self, name: &str, event: AlertEvent, now: i64) -> Alert {
        self.seq += 1;
        Alert {
            id: format!("{name}:{}:{now:x}:{}", event.word(), self.seq),
            event,
            gateway: name.to_string(),
            url: self.url_of(name),
            at: rfc3339(now),
            summary: String::new(),
            incident: None,
            cause: None,
            downtime_ms: None,
            next: None,
            details: Map::new(),
        }
    }

    fn url_of(&self, name: &str) -> String {
        self.gateways
            .get(name)
            .map(|g| g.url.clone())
            .unwrap_or_default()
    }
}

/// What a gateway's state says happened, before it is an alert.
#[derive(Debug, Clone)]
pub(crate) struct Say {
    pub event: AlertEvent,
    pub incident: Option<Incident>,
    pub summary: String,
    pub cause: Option<String>,
    pub next: Option<String>,
    pub downtime_ms: Option<u64>,
    pub details: Map<String, Value>,
    /// clawkit itself did this (a restart it performed): recorded, not sent.
    pub planned_by: Option<String>,
}

impl Say {
    fn new(event: AlertEvent, summary: String) -> Say {
        Say {
            event,
            incident: None,
            summary,
            cause: None,
            next: None,
            downtime_ms: None,
            details: Map::new(),
            planned_by: None,
        }
    }

    fn quiet_if(mut self, by: Option<String>) -> Say {
        if let Some(by) = &by {
            self.details
                .insert("plannedBy".into(), Value::from(by.as_str()));
        }
        self.planned_by = by;
        self
    }

    fn about(mut self, i: &Incident) -> Say {
        self.incident = Some(i.clone());
        self
    }

    fn cause(mut self, code: &str) -> Say {
        self.cause = Some(code.to_string());
        self
    }

    fn next(mut self, command: impl Into<String>) -> Say {
        self.next = Some(command.into());
        self
    }

    fn detail(mut self, key: &str, value: impl Into<Value>) -> Say {
        self.details.insert(key.to_string(), value.into());
        self
    }

    fn downtime(mut self, ms: i64) -> Say {
        self.downtime_ms = Some(ms.max(0) as u64);
        self
    }
}

/// The catalog-style code of a verdict: `gateway token mismatch` → `gateway-token-mismatch`.
fn verdict_code(name: &str) -> String {
    name.to_ascii_lowercase().replace(' ', "-")
}

/// A JSON value for details, from anything serializable.
fn value(v: impl Serialize) -> Value {
    serde_json::to_value(v).unwrap_or(json!(null))
}
