//! From findings to conclusions and a fix plan. Causes are the findings that explain the
//! failures observed (a handshake refused, failures in the log), ranked; the plan follows the
//! guides' order for the two token errors: stop what holds the port, repair the config, align
//! the shared secret, fix the service, restart, refresh device tokens, verify, then what only
//! the user can do.
//!
//! Each section of the plan is one function in the file named after what it repairs; [`steps`]
//! calls them in that order over one [`Plan`]. The plan knows a finding by its code (a
//! `finding::codes` constant) and by the subject its check gave it, never by its words.

mod builder;
mod causes;
mod config;
mod device;
mod manual;
mod processes;
mod secret;
mod service;
mod step;
mod supplied;

pub use causes::causes;
pub use step::{Action, Phase, Step};

use super::Check;
use super::checks::gateway_secret;
use super::facts::Facts;
use super::subject::Subject;
use crate::finding::{Finding, Severity};
use crate::openclaw::auth::Secret;
use builder::Plan;

/// What the plan is made from: the facts, what the checks found in them, and the secret the
/// gateway checks, when clawkit knows it (the value every client copy is aligned to): the one
/// the user gave once the gateway accepted it (`supplied`), else the one clawkit read.
struct Given<'a> {
    f: &'a Facts,
    checks: &'a [Check],
    secret: Option<&'a Secret>,
    supplied: bool,
}

impl<'a> Given<'a> {
    fn judged(&self) -> impl Iterator<Item = (&'a Finding, Option<&'a Subject>)> + use<'a> {
        judged(self.checks)
    }

    /// The problems: findings at warning level or above, in check order.
    fn problems(&self) -> impl Iterator<Item = (&'a Finding, Option<&'a Subject>)> + use<'a> {
        self.judged()
            .filter(|(x, _)| x.severity >= Severity::Warning)
    }

    /// The first problem with one of `codes`.
    fn problem(&self, codes: &[&str]) -> Option<&'a Finding> {
        self.problems()
            .map(|(x, _)| x)
            .find(|x| codes.contains(&x.code))
    }

    /// Whether a check found `code`, at any severity.
    fn found(&self, code: &str) -> bool {
        self.judged().any(|(x, _)| x.code == code)
    }

    /// Whether the config sets `key` to a non-blank string.
    fn config_sets(&self, key: &str) -> bool {
        self.f
            .config
            .as_ref()
            .is_ok_and(|c| c.str(key).is_some_and(|v| !v.trim().is_empty()))
    }
}

/// Each finding with what it is about, when its check said.
fn judged(checks: &[Check]) -> impl Iterator<Item = (&Finding, Option<&Subject>)> {
    checks.iter().flat_map(Check::judged)
}

/// The fix plan, in the order it runs.
pub fn steps(f: &Facts, checks: &[Check]) -> Vec<Step> {
    build(&Given {
        f,
        checks,
        secret: gateway_secret(f),
        supplied: false,
    })
}

/// The fix plan with `accepted`, a secret the user gave and the gateway accepted, as the
/// gateway's: it goes where the CLI reads it first, and every copy is aligned to it.
pub fn steps_with_supplied(f: &Facts, checks: &[Check], accepted: &Secret) -> Vec<Step> {
    build(&Given {
        f,
        checks,
        secret: Some(accepted),
        supplied: true,
    })
}

fn build(given: &Given) -> Vec<Step> {
    let mut plan = Plan::default();
    processes::stop(given, &mut plan);
    config::chmod(given, &mut plan);
    config::retired_keys(given, &mut plan);
    supplied::pin(given, &mut plan);
    secret::align(given, &mut plan);
    supplied::env_only(given, &mut plan);
    service::definitions(given, &mut plan);
    service::kill_mode(given, &mut plan);
    service::reload_and_restart(given, &mut plan);
    device::refresh(given, &mut plan);
    device::approve(given, &mut plan);
    manual::remaining(given, &mut plan);
    processes::start_on_freed_port(given, &mut plan);
    plan.finish()
}
