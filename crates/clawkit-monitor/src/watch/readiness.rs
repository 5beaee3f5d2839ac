//! A local gateway's own readiness: `GET /readyz` every few seconds. The held connection says
//! whether the gateway answers; `/readyz` says whether all of it works (an agent database
//! that failed to open, a plugin reload stuck) while the socket stays happy. Only changes are
//! reported, and only what the gateway answered: when nothing answers HTTP the socket side
//! already says why.

use super::watcher::Report;
use super::{LocalSide, Observation};
use clawkit_core::lifecycle::{Readiness, readiness};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// How often `/readyz` is asked.
pub(super) const EVERY: Duration = Duration::from_secs(5);

/// Asks the gateway of `local` (if any) until `done`, reporting each change of its answer.
pub(super) async fn follow(local: Option<LocalSide>, report: Report, done: CancellationToken) {
    let Some(LocalSide { port, .. }) = local else {
        return;
    };
    let mut every = tokio::time::interval(EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut last = Readiness {
        ready: true,
        failing: Vec::new(),
    };
    loop {
        tokio::select! {
            () = done.cancelled() => return,
            _ = every.tick() => {}
        }
        let Some(now) = readiness(port).await else {
            continue;
        };
        if let Some(what) = change(&last, &now)
            && report.send(what).await.is_err()
        {
            return;
        }
        last = now;
    }
}

/// The sighting for `now` when it differs from `last` (readiness, or which checks fail).
fn change(last: &Readiness, now: &Readiness) -> Option<Observation> {
    (last != now).then(|| Observation::Readiness {
        ready: now.ready,
        failing: now.failing.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(ready: bool, failing: &[&str]) -> Readiness {
        Readiness {
            ready,
            failing: failing.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn only_changes_are_reported() {
        assert_eq!(change(&r(true, &[]), &r(true, &[])), None);
        let failing = change(&r(true, &[]), &r(false, &["agent-database:main"]));
        assert_eq!(
            failing,
            Some(Observation::Readiness {
                ready: false,
                failing: vec!["agent-database:main".into()]
            })
        );
        assert_eq!(
            change(&r(false, &["a"]), &r(false, &["a"])),
            None,
            "still the same failure"
        );
        assert!(change(&r(false, &["a"]), &r(false, &["a", "b"])).is_some());
        assert!(change(&r(false, &["a"]), &r(true, &[])).is_some());
    }
}
