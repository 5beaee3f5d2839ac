//! `clawkit doctor`: gathers the evidence the other modules produce (config, ports, service,
//! handshakes, device state, log), turns it into checks, names the root causes that explain
//! what fails, and plans the fixes in the order that works (align the shared secret, restart,
//! refresh device tokens, verify, then what only the user can do).
//!
//! `checks` judge the facts and `plan` acts on what they found; the two are coupled only by
//! `finding::codes` constants and by the typed `subject`s a check gives its findings, never
//! by a finding's words. `tests` table-test that judging over facts `testing` builds.

mod checks;
mod facts;
pub mod fix;
mod plan;
pub mod report;
pub mod run;
mod setup;
pub mod sources;
mod subject;
pub mod supply;
#[cfg(test)]
mod testing;
#[cfg(test)]
mod tests;

pub use facts::{Facts, Inputs, gather};
pub use plan::{Action, Phase, Step};

use crate::finding::{Finding, Severity};
use serde::Serialize;
use subject::Subject;

/// The version of the `--json` document (see docs/doctor-json.md).
pub const SCHEMA_VERSION: u32 = 1;

/// The flowchart's groups, in the order users walk them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Group {
    Install,
    Config,
    Port,
    Service,
    SharedSecret,
    Handshake,
    Devices,
    Log,
    Security,
}

impl Group {
    pub fn title(self) -> &'static str {
        match self {
            Group::Install => "Install and versions",
            Group::Config => "Config",
            Group::Port => "Port and processes",
            Group::Service => "Service definition",
            Group::SharedSecret => "Shared secret (gateway vs every client source)",
            Group::Handshake => "Live handshakes",
            Group::Devices => "Device pairing and tokens",
            Group::Log => "Gateway log (last 24 h)",
            Group::Security => "Exposure and hygiene",
        }
    }
}

/// One check: what it looked at and what it found.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Check {
    pub id: &'static str,
    pub group: Group,
    pub title: String,
    pub findings: Vec<Finding>,
    /// What some findings are about, by index into `findings`: for the plan, not the JSON.
    #[serde(skip)]
    subjects: Vec<(usize, Subject)>,
}

impl Check {
    fn new(id: &'static str, group: Group, title: &str, findings: Vec<Finding>) -> Check {
        Check {
            id,
            group,
            title: title.to_string(),
            findings,
            subjects: Vec::new(),
        }
    }

    fn about(mut self, subjects: Vec<(usize, Subject)>) -> Check {
        self.subjects = subjects;
        self
    }

    /// Each finding, with what it is about when its check said.
    fn judged(&self) -> impl Iterator<Item = (&Finding, Option<&Subject>)> {
        self.findings.iter().enumerate().map(|(i, f)| {
            let subject = self.subjects.iter().find(|(at, _)| *at == i);
            (f, subject.map(|(_, s)| s))
        })
    }

    pub fn worst(&self) -> Severity {
        crate::finding::worst(&self.findings)
    }
}

/// A root cause: a finding that explains observed failures, ranked.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Cause {
    pub rank: usize,
    pub code: &'static str,
    pub summary: String,
    pub evidence: Vec<String>,
    /// The observed errors this cause explains ("the CLI's handshake: gateway token mismatch").
    pub explains: Vec<String>,
}

/// Everything the doctor concluded.
#[derive(Debug)]
pub struct Diagnosis {
    pub facts: Facts,
    pub checks: Vec<Check>,
    pub causes: Vec<Cause>,
    pub steps: Vec<Step>,
    /// The gateway's verdict on a secret the user gave (`--token`/`--password`); when it
    /// accepted it, `steps` are planned with it ([`supply::examine_given`]).
    pub supplied: Option<crate::probe::GivenChecked>,
}

impl Diagnosis {
    pub fn worst(&self) -> Severity {
        crate::finding::worst(self.checks.iter().flat_map(|c| c.findings.iter()))
    }

    /// Healthy: nothing at warning level or above.
    pub fn healthy(&self) -> bool {
        self.worst() < Severity::Warning
    }
}

/// Gathers the evidence and concludes.
pub async fn examine(inputs: &Inputs) -> Diagnosis {
    let facts = gather(inputs).await;
    conclude(facts)
}

/// Checks, causes and plan from gathered facts.
pub fn conclude(facts: Facts) -> Diagnosis {
    let checks = checks::run(&facts);
    let causes = plan::causes(&facts, &checks);
    let steps = plan::steps(&facts, &checks);
    Diagnosis {
        facts,
        checks,
        causes,
        steps,
        supplied: None,
    }
}
