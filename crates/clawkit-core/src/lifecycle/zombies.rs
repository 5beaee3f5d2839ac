//! Stopping what holds this install's ports and should not: zombie and hung gateways of this
//! user (never this install's healthy gateway), and a foreign program only when the caller
//! allows it and the approver says yes. Each process is re-verified right before its signal.

use super::Waits;
use crate::error::Error;
use crate::event::{Approver, Ask, Cancel, Decision, Event, Observer, Question};
use crate::finding::{Finding, Kill};
use crate::host::ProcessInfo;
use crate::host::kill::stop;
use crate::host::ports::PortsReport;
use crate::target::Target;
use serde::Serialize;
use std::time::{Duration, Instant};

/// One process clawkit tried to stop.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StopAttempt {
    pub pid: u32,
    #[serde(skip)]
    pub name: String,
    /// The finding that made it a target (`zombie-gateway`, `hung-gateway`, …).
    pub finding: &'static str,
    pub ok: bool,
    pub outcome: String,
}

#[derive(Debug, Clone)]
pub struct ZombieOutcome {
    pub attempts: Vec<StopAttempt>,
    /// Foreign programs left alone because they were not allowed.
    pub foreign_left: usize,
    /// The ports after the stops (the report given, when nothing was stopped).
    pub after: PortsReport,
}

impl ZombieOutcome {
    pub fn all_stopped(&self) -> bool {
        self.attempts.iter().all(|a| a.ok)
    }
}

/// Stops the killable owners `report` names. A foreign program is stopped only with
/// `allow_foreign` and a yes from the approver (`Ask::StopForeign`).
pub async fn stop_zombies(
    target: &Target,
    report: PortsReport,
    allow_foreign: bool,
    waits: Waits,
    obs: &mut dyn Observer,
    approver: &mut dyn Approver,
    cancel: &Cancel,
) -> Result<ZombieOutcome, Error> {
    let victims: Vec<(Finding, ProcessInfo)> = report
        .killable(allow_foreign)
        .into_iter()
        .map(|(f, p)| (f.clone(), p.clone()))
        .collect();
    let foreign_left = report
        .findings
        .iter()
        .filter(|f| f.kill == Some(Kill::Foreign) && !allow_foreign)
        .count();
    let mut attempts = Vec::new();
    for (finding, process) in &victims {
        if cancel.is_cancelled() {
            break;
        }
        let foreign = finding.kill == Some(Kill::Foreign);
        if foreign && approver.decide(&foreign_question(finding, process)).await != Decision::Yes {
            attempts.push(StopAttempt {
                pid: process.pid,
                name: process.name.clone(),
                finding: finding.code,
                ok: true,
                outcome: "skipped".into(),
            });
            continue;
        }
        let attempt = stop_one(target, finding, process, foreign).await;
        obs.on(Event::Progress {
            message: format!(
                "pid {} ({}, {}): {}",
                attempt.pid, attempt.name, attempt.finding, attempt.outcome
            ),
        });
        attempts.push(attempt);
    }
    let after = if victims.is_empty() {
        report
    } else {
        let pids: Vec<u32> = victims.iter().map(|(_, p)| p.pid).collect();
        released(target, &pids, waits.handshake).await?
    };
    Ok(ZombieOutcome {
        attempts,
        foreign_left,
        after,
    })
}

fn foreign_question(finding: &Finding, process: &ProcessInfo) -> Question {
    Question {
        ask: Ask::StopForeign { pid: process.pid },
        text: format!(
            "Stop pid {} `{}`, which is NOT OpenClaw, holding port {}?",
            process.pid,
            process.command(),
            finding.port.unwrap_or(0)
        ),
    }
}

async fn stop_one(
    target: &Target,
    finding: &Finding,
    process: &ProcessInfo,
    foreign: bool,
) -> StopAttempt {
    let host = target.host.clone();
    let victim = process.clone();
    let outcome = crate::blocking::blocking(move || {
        stop(host.as_ref(), &victim, !foreign, Duration::from_secs(10))
    })
    .await;
    let (outcome, ok) = match outcome {
        Ok(stopped) => (stopped.to_string(), true),
        Err(e) => (format!("not stopped: {e}"), false),
    };
    StopAttempt {
        pid: process.pid,
        name: process.name.clone(),
        finding: finding.code,
        ok,
        outcome,
    }
}

/// Re-inspects until no stopped pid holds a port any more (a dying process releases its
/// sockets a moment after it is reaped), at most 5 s.
async fn released(
    target: &Target,
    stopped: &[u32],
    handshake: Duration,
) -> Result<PortsReport, Error> {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let now = crate::probe::inspect_ports(target, handshake).await?;
        let still = now
            .ports
            .iter()
            .flat_map(|r| &r.owners)
            .any(|o| o.pid.is_some_and(|p| stopped.contains(&p)));
        if !still || Instant::now() >= deadline {
            return Ok(now);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
