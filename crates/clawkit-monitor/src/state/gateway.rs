//! One gateway's state and its transitions. The phase says what the socket last told us;
//! incidents say what was alerted and is still open.

use super::burst::Bursts;
use super::incident::{Incident, Kind};
use super::policy::Policy;
use super::{Boot, Say, value, verdict_code};
use crate::alert::AlertEvent;
use crate::watch::Observation;
use std::collections::VecDeque;

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Phase {
    /// Not seen yet in this run.
    Unknown,
    Up,
    /// It announced a restart: a new boot is due by `deadline_ms`.
    Restarting {
        announced_ms: i64,
        deadline_ms: i64,
    },
    /// It announced a stop.
    Stopped,
    /// Down for another reason (crash, hang, unreachable, a restart that did not come back).
    Down,
}

/// A remote gateway's loss of contact, held for company (see `Tracker::tick`).
#[derive(Debug, Clone)]
pub(super) struct HeldLoss {
    pub at_ms: i64,
    pub cause: &'static str,
    pub summary: String,
    pub next: Option<String>,
}

#[derive(Debug)]
pub(super) struct Gateway {
    pub name: String,
    pub url: String,
    pub remote: bool,
    pub phase: Phase,
    pub boot: Option<Boot>,
    /// When each boot seen in the flap window started.
    boots: VecDeque<i64>,
    pub down: Option<Incident>,
    pub rejected: Option<Incident>,
    flapping: Option<Incident>,
    /// clawkit's own restart in progress: until when, and by what.
    pub planned_by: Option<(i64, String)>,
    pub held_loss: Option<HeldLoss>,
    /// Its loss of contact went into a `monitor-offline` incident.
    pub absorbed: bool,
    bursts: Bursts,
    /// Since when its `/readyz` says not ready, and what fails.
    not_ready: Option<(i64, Vec<String>)>,
    /// The open `down` that `/readyz` alone opened (the doctor may rename its cause).
    not_ready_incident: Option<String>,
}

impl Gateway {
    pub fn new(name: &str, url: &str, remote: bool) -> Gateway {
        Gateway {
            name: name.to_string(),
            url: url.to_string(),
            remote,
            phase: Phase::Unknown,
            boot: None,
            boots: VecDeque::new(),
            down: None,
            rejected: None,
            flapping: None,
            planned_by: None,
            held_loss: None,
            absorbed: false,
            bursts: Bursts::default(),
            not_ready: None,
            not_ready_incident: None,
        }
    }

    pub fn reopen(&mut self, i: Incident) {
        match i.kind {
            Kind::Down | Kind::Offline => self.down = Some(i),
            Kind::Rejected => self.rejected = Some(i),
            Kind::Flapping => self.flapping = Some(i),
        }
    }

    pub fn open_incidents(&self) -> impl Iterator<Item = &Incident> {
        [&self.down, &self.rejected, &self.flapping]
            .into_iter()
            .flatten()
    }

    pub fn set_cause(&mut self, id: &str, cause: &str) {
        for i in [&mut self.down, &mut self.rejected, &mut self.flapping]
            .into_iter()
            .flatten()
        {
            if i.id == id {
                i.cause = cause.to_string();
            }
        }
    }

    pub fn mark_held(&mut self, id: Option<&str>) {
        for i in [&mut self.down, &mut self.rejected, &mut self.flapping]
            .into_iter()
            .flatten()
        {
            if Some(i.id.as_str()) == id {
                i.held = true;
            }
        }
    }

    /// Not in contact now (down, unreachable, hung), as far as the socket says.
    pub fn lost_contact(&self) -> bool {
        self.held_loss.is_some() || matches!(self.phase, Phase::Down)
    }

    pub fn apply(&mut self, p: &Policy, what: &Observation, now: i64) -> Vec<Say> {
        match what {
            Observation::Connected {
                boot_id,
                pid,
                uptime_ms,
                server_version,
                ..
            } => {
                let boot = Boot::new(boot_id.clone(), *pid, *uptime_ms, now);
                self.connected(p, boot, server_version.as_deref(), now)
            }
            Observation::Shutdown {
                reason,
                restart_expected_ms,
            } => self.shutdown(p, reason, *restart_expected_ms, now),
            Observation::Closed { code, reason } => self.closed(p, *code, reason, now),
            Observation::ProcessExited { pid } => self.lost(
                "gateway-crashed",
                format!("the gateway's process (pid {pid}) exited without announcing a stop or restart: it crashed or was killed"),
                now,
            ),
            Observation::Unreachable { detail } => self.lost(
                "gateway-down",
                format!("nothing answers at {}: {detail}", self.url),
                now,
            ),
            Observation::Hung { silent_ms } => self.lost(
                "gateway-hung",
                format!("the gateway holds the connection but answered nothing for {silent_ms} ms: its event loop is blocked (or the network path is cut)"),
                now,
            ),
            Observation::Starting { .. } | Observation::Pong { .. } => Vec::new(),
            Observation::Readiness { ready, failing } => self.readiness(*ready, failing, now),
            Observation::Refused { verdict } => self.refused(verdict, now),
            Observation::ClientAuthFailures {
                client,
                reason,
                peer,
                count,
                ..
            } => self.client_failures(p, client, reason, peer.as_deref(), *count, now),
        }
    }

    fn connected(&mut self, p: &Policy, boot: Boot, version: Option<&str>, now: i64) -> Vec<Say> {
        let mut out = Vec::new();
        // 2026.7 keeps its pid and process uptime across an in-process restart and has no
        // boot id: the announced restart is the only sign of a new boot.
        let announced = matches!(self.phase, Phase::Restarting { .. });
        let new_boot = announced || self.boot.as_ref().is_some_and(|old| old.differs(&boot));
        let old = self.boot.replace(boot.clone());
        self.held_loss = None;
        self.absorbed = false;
        if new_boot {
            out.extend(self.flap_check(p, now));
        }
        let flapping = self.flapping.is_some();
        let planned = self.planned_by.take().filter(|(until, _)| now <= *until);
        let from = old.as_ref().map_or("?".into(), Boot::label);
        let phase = std::mem::replace(&mut self.phase, Phase::Up);
        if let Some(down) = self.down.take() {
            if !flapping {
                let again = if new_boot {
                    format!(" as {} (was {from})", boot.label())
                } else {
                    String::new()
                };
                out.push(
                    Say::new(
                        AlertEvent::Up,
                        format!(
                            "the gateway is back{again} after {}",
                            duration(now - down.opened_ms)
                        ),
                    )
                    .about(&down)
                    .downtime(now - down.opened_ms)
                    .detail("boot", value(&boot)),
                );
            }
        } else if new_boot && !flapping {
            let (downtime, how) = match phase {
                Phase::Restarting { announced_ms, .. } => {
                    (now - announced_ms, "restarted as announced")
                }
                _ => (0, "restarted (faster than the connection could see it go)"),
            };
            out.push(
                Say::new(
                    AlertEvent::Restart,
                    format!(
                        "the gateway {how}: {from} → {} in {}{}",
                        boot.label(),
                        duration(downtime),
                        version
                            .map(|v| format!(", OpenClaw {v}"))
                            .unwrap_or_default()
                    ),
                )
                .downtime(downtime)
                .detail("oldBoot", value(&old))
                .detail("newBoot", value(&boot))
                .quiet_if(planned.map(|(_, by)| by)),
            );
        }
        if let Some(r) = self.rejected.take() {
            out.push(
                Say::new(
                    AlertEvent::Up,
                    "the gateway accepts the monitor's credentials again".into(),
                )
                .about(&r)
                .downtime(now - r.opened_ms),
            );
        }
        out
    }

    /// A new boot: one more in the flap window; the one that reaches the threshold opens
    /// the `flapping` incident.
    fn flap_check(&mut self, p: &Policy, now: i64) -> Option<Say> {
        self.boots.push_back(now);
        while self
            .boots
            .front()
            .is_some_and(|t| now - t > p.flap_window_ms as i64)
        {
            self.boots.pop_front();
        }
        if self.flapping.is_some() || self.boots.len() < p.flap_boots {
            return None;
        }
        let summary = format!(
            "the gateway restarted {} times in {}: a restart loop (a zombie holding its port, a config that fails to load, or a clean exit its supervisor does not restart)",
            self.boots.len(),
            duration(p.flap_window_ms as i64)
        );
        let i = Incident::open(
            &self.gateway_name(),
            Kind::Flapping,
            "gateway-flapping",
            summary.clone(),
            now,
        );
        self.flapping = Some(i.clone());
        Some(
            Say::new(AlertEvent::Flapping, summary)
                .about(&i)
                .next("clawkit doctor"),
        )
    }

    fn shutdown(&mut self, p: &Policy, reason: &str, expected: Option<u64>, now: i64) -> Vec<Say> {
        match expected {
            Some(ms) => {
                self.phase = Phase::Restarting {
                    announced_ms: now,
                    deadline_ms: now + (ms + p.restart_grace_ms) as i64,
                };
                Vec::new()
            }
            None => {
                self.phase = Phase::Stopped;
                let summary =
                    format!("the gateway announced a planned stop (`{reason}`) and is going down");
                vec![
                    self.open_down("gateway-stopped", summary, Some(start_command()), now)
                        .detail("planned", true),
                ]
            }
        }
    }

    fn closed(&mut self, p: &Policy, code: Option<u16>, reason: &str, now: i64) -> Vec<Say> {
        if matches!(
            self.phase,
            Phase::Restarting { .. } | Phase::Stopped | Phase::Down
        ) {
            return Vec::new();
        }
        match code {
            // Service restart without the event (older gateways): a restart is due.
            Some(1012) => self.shutdown(p, reason, Some(1_500), now),
            // Starting, or credentials changed: the reconnect says which.
            Some(1013 | 1008 | 4001) => Vec::new(),
            None | Some(1006) => self.lost(
                "gateway-crashed",
                "the connection dropped with no shutdown event: the gateway crashed or was killed"
                    .into(),
                now,
            ),
            Some(c) => self.lost(
                "gateway-closed",
                format!(
                    "the gateway closed the connection ({c} `{reason}`) without announcing a stop"
                ),
                now,
            ),
        }
    }

    /// Contact lost while it was up (or not yet seen): down, held first for a remote gateway.
    fn lost(&mut self, cause: &'static str, summary: String, now: i64) -> Vec<Say> {
        if !matches!(self.phase, Phase::Up | Phase::Unknown) || self.down.is_some() {
            return Vec::new();
        }
        if self.remote {
            if self.held_loss.is_none() && !self.absorbed {
                self.held_loss = Some(HeldLoss {
                    at_ms: now,
                    cause,
                    summary,
                    next: Some(diagnose_command()),
                });
            }
            return Vec::new();
        }
        vec![self.open_down(cause, summary, Some(diagnose_command()), now)]
    }

    /// Opens the `down` incident and says so.
    pub fn open_down(
        &mut self,
        cause: &str,
        summary: String,
        next: Option<String>,
        now: i64,
    ) -> Say {
        if !matches!(self.phase, Phase::Stopped) {
            self.phase = Phase::Down;
        }
        let i = Incident::open(
            &self.gateway_name(),
            Kind::Down,
            cause,
            summary.clone(),
            now,
        );
        self.down = Some(i.clone());
        let mut say = Say::new(AlertEvent::Down, summary).about(&i).cause(cause);
        say.next = next;
        if self.flapping.is_some() {
            // Inside a restart loop every down is part of the `flapping` incident.
            self.down.as_mut().expect("just set").held = true;
            say.incident.as_mut().expect("about").held = true;
        }
        say
    }

    fn refused(&mut self, verdict: &clawkit_core::gateway::Verdict, now: i64) -> Vec<Say> {
        let mut out = Vec::new();
        // It answered: whatever was down is back, though it refuses us.
        if let Some(down) = self.down.take() {
            out.push(
                Say::new(
                    AlertEvent::Up,
                    "the gateway answers again (but refuses the monitor's credentials)".into(),
                )
                .about(&down)
                .downtime(now - down.opened_ms),
            );
        }
        self.phase = Phase::Up;
        self.held_loss = None;
        if self.rejected.is_some() {
            return out;
        }
        let code = verdict_code(verdict.name());
        let summary = format!(
            "the gateway refuses the monitor's handshake: {}{}",
            verdict.name(),
            verdict
                .message()
                .map(|m| format!(" ({m})"))
                .unwrap_or_default()
        );
        let i = Incident::open(
            &self.gateway_name(),
            Kind::Rejected,
            &code,
            summary.clone(),
            now,
        );
        self.rejected = Some(i.clone());
        out.push(
            Say::new(AlertEvent::Rejected, summary)
                .about(&i)
                .cause(&code)
                .next(rejected_next(&code)),
        );
        out
    }

    fn client_failures(
        &mut self,
        p: &Policy,
        client: &str,
        reason: &str,
        peer: Option<&str>,
        count: u64,
        now: i64,
    ) -> Vec<Say> {
        // The monitor's own refused handshakes are in the log too (as the CLI): the `rejected`
        // incident already says so; they are not clients failing.
        if self.rejected.is_some() && client == MONITOR_CLIENT {
            return Vec::new();
        }
        let Some(b) = self.bursts.add(p, (client, reason), peer, count, now) else {
            return Vec::new();
        };
        let from = if b.peers.is_empty() {
            String::new()
        } else {
            format!(" from {}", b.peers.join(", "))
        };
        let summary = format!(
            "{} failed handshake(s) of client `{}` ({}){from}{}",
            b.count,
            b.client,
            b.reason,
            if b.remote_peer {
                " — not from this machine"
            } else {
                ""
            }
        );
        vec![
            Say::new(AlertEvent::AuthFailures, summary)
                .cause(&verdict_code(&b.reason.replace('_', " ")))
                .next(format!("clawkit explain \"reason={}\"", b.reason))
                .detail("client", b.client)
                .detail("reason", b.reason)
                .detail("count", b.count)
                .detail("peers", value(&b.peers)),
        ]
    }

    /// `/readyz` changed: not ready starts the clock (`tick` alerts once it runs out); ready
    /// again ends a `gateway-not-ready` incident.
    fn readiness(&mut self, ready: bool, failing: &[String], now: i64) -> Vec<Say> {
        if !ready {
            let since = self.not_ready.as_ref().map_or(now, |(at, _)| *at);
            self.not_ready = Some((since, failing.to_vec()));
            return Vec::new();
        }
        self.not_ready = None;
        let ours = self.not_ready_incident.take();
        let Some(down) = self.down.take_if(|d| Some(&d.id) == ours.as_ref()) else {
            return Vec::new();
        };
        vec![
            Say::new(
                AlertEvent::Up,
                format!(
                    "the gateway is ready again (`/readyz` 200) after {}",
                    duration(now - down.opened_ms)
                ),
            )
            .about(&down)
            .downtime(now - down.opened_ms),
        ]
    }

    /// Not ready for longer than the policy allows while it holds our connection: a `down`
    /// (the socket is fine, so the phase stays up and a crash later is still seen).
    fn not_ready_check(&mut self, p: &Policy, now: i64) -> Option<Say> {
        let (since, failing) = self.not_ready.clone()?;
        if self.phase != Phase::Up || self.down.is_some() || now - since < p.not_ready_ms as i64 {
            return None;
        }
        let what = if failing.is_empty() {
            String::new()
        } else {
            format!(" (failing: {})", failing.join(", "))
        };
        let summary = format!(
            "the gateway holds connections but its `/readyz` has answered 503 for {}{what}: part of it does not work",
            duration(now - since)
        );
        let say = self
            .open_down(NOT_READY, summary, Some(diagnose_command()), now)
            .detail("failing", value(&failing));
        self.phase = Phase::Up;
        self.not_ready_incident = self.down.as_ref().map(|d| d.id.clone());
        Some(say)
    }

    pub fn tick(&mut self, p: &Policy, now: i64) -> Vec<Say> {
        let mut out = self.not_ready_check(p, now).into_iter().collect::<Vec<_>>();
        if let Phase::Restarting {
            announced_ms,
            deadline_ms,
        } = self.phase
            && now >= deadline_ms
        {
            let summary = format!(
                "the gateway announced a restart {} ago and no new boot came up: its supervisor may not relaunch a clean exit (openclaw#122582), or the new boot fails to start",
                duration(now - announced_ms)
            );
            out.push(self.open_down("restart-not-completed", summary, Some(start_command()), now));
        }
        if let Some(r) = self.reminder(p, now) {
            out.push(r);
        }
        if let Some(end) = self.flap_end(p, now) {
            out.push(end);
        }
        out
    }

    fn reminder(&mut self, p: &Policy, now: i64) -> Option<Say> {
        let down = self.down.as_mut()?;
        let delay = p.reminder_delay(down.reminders)?;
        if now - down.last_alert_ms < delay as i64 {
            return None;
        }
        down.reminders += 1;
        down.last_alert_ms = now;
        let summary = format!(
            "still down after {}: {}",
            duration(now - down.opened_ms),
            down.summary
        );
        Some(
            Say::new(AlertEvent::Reminder, summary)
                .about(down)
                .downtime(now - down.opened_ms)
                .next(diagnose_command()),
        )
    }

    /// A restart loop is over once the gateway stayed up for a whole flap window.
    fn flap_end(&mut self, p: &Policy, now: i64) -> Option<Say> {
        let last_boot = *self.boots.back()?;
        if self.phase != Phase::Up || now - last_boot < p.flap_window_ms as i64 {
            return None;
        }
        let i = self.flapping.take()?;
        self.boots.clear();
        Some(
            Say::new(
                AlertEvent::Up,
                format!(
                    "the gateway has stayed up for {}: the restart loop is over",
                    duration(now - last_boot)
                ),
            )
            .about(&i)
            .downtime(now - i.opened_ms),
        )
    }

    fn gateway_name(&self) -> String {
        self.name.clone()
    }
}

/// The cause of a `down` that only `/readyz` sees.
const NOT_READY: &str = "gateway-not-ready";

/// The client id the monitor's connections have in the gateway's log.
const MONITOR_CLIENT: &str = "cli";

fn diagnose_command() -> String {
    "clawkit doctor".into()
}

fn start_command() -> String {
    "clawkit gateway start   # then: clawkit doctor".into()
}

/// What to run when the monitor itself is refused.
fn rejected_next(code: &str) -> String {
    match code {
        "device-token-mismatch" => "clawkit gateway token rotate".into(),
        "pairing-required" => "clawkit doctor --fix --approve-repairs".into(),
        _ => "clawkit doctor   # then update the monitor's credentials (clawkit monitor run reads what the CLI sends)".into(),
    }
}

/// `850 ms`, `12.3 s`, `4 min`, `2 h 5 min`.
pub(super) fn duration(ms: i64) -> String {
    let ms = ms.max(0);
    match ms {
        0..=999 => format!("{ms} ms"),
        1_000..=59_999 => format!("{:.1} s", ms as f64 / 1000.0),
        60_000..=3_599_999 => format!("{} min", ms / 60_000),
        _ => format!("{} h {} min", ms / 3_600_000, (ms % 3_600_000) / 60_000),
    }
}
