//! A finding: one thing clawkit found, with the evidence it rests on, how bad it is, and the
//! next command. Port inspection, the service audit and the doctor all speak in findings;
//! [`codes`] names every code they use.

pub mod codes;

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Ok,
    Info,
    Warning,
    Error,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kill {
    /// An OpenClaw gateway of this user that is not this state dir's healthy gateway.
    Gateway,
    /// Not OpenClaw: only with `--kill-foreign`.
    Foreign,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    pub code: &'static str,
    pub severity: Severity,
    pub summary: String,
    pub evidence: Vec<String>,
    pub pid: Option<u32>,
    pub port: Option<u16>,
    /// Whether `clawkit ports --kill` may stop this process, and under which flag.
    pub kill: Option<Kill>,
    pub next: Option<String>,
}

impl Finding {
    pub fn new(code: &'static str, severity: Severity, summary: impl Into<String>) -> Finding {
        Finding {
            code,
            severity,
            summary: summary.into(),
            evidence: Vec::new(),
            pid: None,
            port: None,
            kill: None,
            next: None,
        }
    }

    pub fn evidence(mut self, line: impl Into<String>) -> Finding {
        self.evidence.push(line.into());
        self
    }

    pub fn next(mut self, command: impl Into<String>) -> Finding {
        self.next = Some(command.into());
        self
    }

    /// Adds every line of `lines` to the evidence.
    pub fn with_evidence(mut self, lines: impl IntoIterator<Item = String>) -> Finding {
        self.evidence.extend(lines);
        self
    }

    pub fn with_pid(mut self, pid: impl Into<Option<u32>>) -> Finding {
        self.pid = pid.into();
        self
    }

    pub fn with_port(mut self, port: impl Into<Option<u16>>) -> Finding {
        self.port = port.into();
        self
    }

    /// Whether `clawkit ports --kill` may stop the finding's process, and under which flag.
    pub fn with_kill(mut self, kill: impl Into<Option<Kill>>) -> Finding {
        self.kill = kill.into();
        self
    }
}

/// The worst severity among `findings` (`Ok` when there are none).
pub fn worst<'a>(findings: impl IntoIterator<Item = &'a Finding>) -> Severity {
    findings
        .into_iter()
        .map(|f| f.severity)
        .max()
        .unwrap_or(Severity::Ok)
}
