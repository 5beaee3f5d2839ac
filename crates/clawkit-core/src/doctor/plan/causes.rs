//! The root causes: the findings that explain the failures clawkit saw happen (a handshake
//! refused, failures in the log still happening), most fundamental first. A failure no
//! finding explains becomes an `unexplained-failure` cause of its own.

use super::judged;
use crate::doctor::facts::Facts;
use crate::doctor::subject::{Refusal, Subject};
use crate::doctor::{Cause, Check};
use crate::finding::{Finding, Severity, codes};

/// Which observed refusals a root cause accounts for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Explains {
    /// Every failure: nothing works until it is fixed (a broken config, the wrong listener).
    Everything,
    Only(Refusal),
    Nothing,
}

/// Root-cause codes, most fundamental first, with what each explains.
const RANK: &[(&str, Explains)] = &[
    (codes::OPENCLAW_NOT_INSTALLED, Explains::Everything),
    (codes::OPENCLAW_NOT_SET_UP, Explains::Everything),
    (codes::CONFIG_INVALID, Explains::Everything),
    (codes::CONFIG_UNRESOLVED_REF, Explains::Everything),
    (codes::CONFIG_AUTH_AMBIGUOUS, Explains::Everything),
    (codes::CONFIG_AUTH_MODE_UNKNOWN, Explains::Everything),
    (codes::CONFIG_RETIRED_KEY, Explains::Everything),
    (codes::ZOMBIE_GATEWAY, Explains::Everything),
    (codes::HUNG_GATEWAY, Explains::Everything),
    (codes::FOREIGN_LISTENER, Explains::Everything),
    (codes::MULTIPLE_GATEWAYS, Explains::Everything),
    (codes::GATEWAY_DOWN, Explains::Everything),
    (codes::GATEWAY_NOT_LISTENING, Explains::Everything),
    (codes::GATEWAY_UNREACHABLE, Explains::Everything),
    (codes::CLI_REMOTE_URL_MISSING, Explains::Everything),
    (codes::SERVICE_STATE_DIR_MISMATCH, Explains::Nothing),
    (
        codes::SERVICE_TOKEN_MISMATCH,
        Explains::Only(Refusal::SharedSecret),
    ),
    (
        codes::SECRET_MISMATCH,
        Explains::Only(Refusal::SharedSecret),
    ),
    (
        codes::REMOTE_SECRET_REFUSED,
        Explains::Only(Refusal::SharedSecret),
    ),
    (
        codes::GATEWAY_SECRET_HIDDEN,
        Explains::Only(Refusal::SharedSecret),
    ),
    (
        codes::CONFIG_REDACTED_SECRET,
        Explains::Only(Refusal::SharedSecret),
    ),
    (codes::SERVICE_ENTRY_MISSING, Explains::Nothing),
    (codes::SERVICE_RUNTIME_MISSING, Explains::Nothing),
    (codes::SERVICE_VERSION_DRIFT, Explains::Nothing),
    (codes::GATEWAY_VERSION_DRIFT, Explains::Nothing),
    (
        codes::DEVICE_TOKEN_REVOKED,
        Explains::Only(Refusal::DeviceToken),
    ),
    (
        codes::DEVICE_TOKEN_STALE,
        Explains::Only(Refusal::DeviceToken),
    ),
    (
        codes::DEVICE_TOKEN_MISSING,
        Explains::Only(Refusal::DeviceToken),
    ),
    (
        codes::DEVICE_NOT_PAIRED,
        Explains::Only(Refusal::DeviceToken),
    ),
    (
        codes::DEVICE_REPAIR_PENDING,
        Explains::Only(Refusal::Pairing),
    ),
    (codes::SERVICE_TOKEN_STALE, Explains::Nothing),
    (codes::SECRET_STALE_COPY, Explains::Nothing),
    (codes::SERVICE_TOKEN_EMBEDDED, Explains::Nothing),
    (codes::SERVICE_PASSWORD_EMBEDDED, Explains::Nothing),
    (codes::EXPOSED_WITHOUT_AUTH, Explains::Nothing),
    (codes::AUTH_NONE, Explains::Nothing),
    (codes::WEAK_SECRET, Explains::Nothing),
    (codes::REMOTE_CLEARTEXT, Explains::Nothing),
    (codes::CONFIG_PERMISSIONS, Explains::Nothing),
    (codes::STATE_DIR_PERMISSIONS, Explains::Nothing),
];

/// A failure clawkit saw happen.
struct Observed {
    /// "the CLI's handshake: gateway token mismatch", "log: 3× `token_mismatch` from …".
    label: String,
    refusal: Refusal,
}

/// What failed, as observed: the live handshakes, and the log's failures still happening.
fn observed(f: &Facts, checks: &[Check]) -> Vec<Observed> {
    let mut out = Vec::new();
    let handshakes = [
        ("the CLI's handshake", f.cli.as_ref().map(|c| &c.verdict)),
        ("this device's handshake", f.device_verdict.as_ref()),
    ];
    for (who, verdict) in handshakes {
        if let Some(v) = verdict.filter(|v| !v.is_ok()) {
            out.push(Observed {
                label: format!("{who}: {}", v.name()),
                refusal: Refusal::of_verdict(v),
            });
        }
    }
    for (x, subject) in judged(checks) {
        if let Some(Subject::LogClient { refusal, .. }) = subject
            && x.severity >= Severity::Warning
        {
            out.push(Observed {
                label: format!("log: {}", x.summary),
                refusal: *refusal,
            });
        }
    }
    once_each(out)
}

/// The failures without repeats: a cause explains each one line once.
fn once_each(all: Vec<Observed>) -> Vec<Observed> {
    let mut out: Vec<Observed> = Vec::with_capacity(all.len());
    for o in all {
        if !out.iter().any(|seen| seen.label == o.label) {
            out.push(o);
        }
    }
    out
}

impl Explains {
    fn accounts_for(self, refusal: Refusal) -> bool {
        match self {
            Explains::Everything => true,
            Explains::Only(r) => r == refusal,
            Explains::Nothing => false,
        }
    }
}

/// The problems that are root causes, most severe first, then most fundamental.
fn ranked(checks: &[Check]) -> Vec<(Explains, &Finding)> {
    let mut list: Vec<(usize, &Finding)> = judged(checks)
        .map(|(x, _)| x)
        .filter(|x| x.severity >= Severity::Warning)
        .filter_map(|x| Some((RANK.iter().position(|(c, _)| *c == x.code)?, x)))
        .collect();
    list.sort_by_key(|(r, x)| (std::cmp::Reverse(x.severity), *r));
    list.into_iter().map(|(r, x)| (RANK[r].1, x)).collect()
}

pub fn causes(f: &Facts, checks: &[Check]) -> Vec<Cause> {
    let observed = observed(f, checks);
    let mut explained = vec![false; observed.len()];
    let mut out = Vec::new();
    for (explains, x) in ranked(checks) {
        let mut labels = Vec::new();
        for (o, done) in observed.iter().zip(explained.iter_mut()) {
            if explains.accounts_for(o.refusal) {
                labels.push(o.label.clone());
                *done = true;
            }
        }
        out.push(Cause {
            rank: out.len() + 1,
            code: x.code,
            summary: x.summary.clone(),
            evidence: x.evidence.clone(),
            explains: labels,
        });
    }
    for (o, _) in observed.iter().zip(&explained).filter(|(_, done)| !**done) {
        out.push(Cause {
            rank: out.len() + 1,
            code: codes::UNEXPLAINED_FAILURE,
            summary: format!(
                "{}: no check explains it; `clawkit explain` names what that message means",
                o.label
            ),
            evidence: Vec::new(),
            explains: vec![o.label.clone()],
        });
    }
    out
}
