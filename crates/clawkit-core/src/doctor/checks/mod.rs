//! The checks: each turns one part of the facts into findings with evidence, one file per
//! group of the flowchart. They judge, they do not plan; `plan` decides what to do about them.
//! They read the facts only, except where a file says otherwise (`service` runs the service
//! audit, `security` reads file modes).

mod config;
mod devices;
mod handshake;
mod install;
mod log;
mod port;
mod secret;
mod security;
mod service;

pub(super) use config::retired_keys;
pub(super) use secret::{ClientCopy, client_copies, gateway_secret};
pub(super) use security::private_paths;

use super::facts::Facts;
use super::subject::{Refusal, Subject};
use super::{Check, Group};
use crate::finding::Finding;
use crate::gateway::Verdict;
use crate::openclaw::auth::{Secret, SecretKind};
use crate::openclaw::topology::Topology;

/// Every check, in flowchart order; with a config OpenClaw cannot read, only the install's and
/// that one; with no install of this user's, only the install's.
pub fn run(f: &Facts) -> Vec<Check> {
    if let Some(absent) = install::absent(f) {
        return vec![absent];
    }
    let mut out = vec![install::check(f)];
    let config = match &f.config {
        Ok(c) => c,
        Err(e) => {
            out.push(config::invalid(e));
            return out;
        }
    };
    out.push(config::check(config));
    out.push(port::check(f));
    out.push(service::check(f, config));
    out.push(secret::check(f));
    out.push(handshake::check(f));
    out.push(devices::check(f));
    out.push(log::check(f));
    out.push(security::check(f, config));
    out
}

/// A check's findings in the order found, with what some of them are about.
#[derive(Default)]
struct Found {
    findings: Vec<Finding>,
    subjects: Vec<(usize, Subject)>,
}

impl Found {
    fn push(&mut self, finding: Finding) {
        self.findings.push(finding);
    }

    fn push_about(&mut self, finding: Finding, subject: Subject) {
        self.subjects.push((self.findings.len(), subject));
        self.findings.push(finding);
    }

    fn into_check(self, id: &'static str, group: Group, title: &str) -> Check {
        Check::new(id, group, title, self.findings).about(self.subjects)
    }
}

/// "token" or "password", for a sentence about `s`.
pub(super) fn word(s: &Secret) -> &'static str {
    match s.kind {
        SecretKind::Password => "password",
        _ => "token",
    }
}

/// Whether the gateway refused the shared secret itself.
pub(super) fn is_secret_verdict(v: &Verdict) -> bool {
    Refusal::of_verdict(v) == Refusal::SharedSecret
}

/// The CLI's gateway, when it runs on another host (remote mode, a URL elsewhere): then this
/// machine's port, service, processes and log are not its.
pub(super) fn elsewhere(f: &Facts) -> Option<&Topology> {
    f.topology.as_ref().filter(|t| !t.here)
}

/// The gateway answers through a container's port forwarder: its log and service are in the
/// container.
pub(super) fn in_container(f: &Facts) -> bool {
    f.ports.as_ref().is_some_and(|p| {
        p.findings
            .iter()
            .any(|x| x.code == crate::finding::codes::GATEWAY_IN_CONTAINER)
    })
}

/// What to run on the gateway's host, for a finding about what is not on this one.
pub(super) const ON_THE_GATEWAY_HOST: &str = "on the gateway host: clawkit doctor";

/// The CLI made no handshake with a shared secret: it has none to send (so it authenticates
/// with its cached device token), or nowhere to connect (remote mode without a URL).
pub(super) fn no_cli_secret_handshake(f: &Facts) -> bool {
    f.cli.is_none()
}

pub(super) use crate::openclaw::state::short_device_id as short;
