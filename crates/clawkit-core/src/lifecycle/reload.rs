//! After a config edit: wait for the running gateway's reload decision and for the gateway
//! that results. A 2026.9 gateway watches its config file and, a moment after a write
//! ([`reload::DECISION_DELAY`]), hot-reloads it or restarts itself in-process (down a few
//! seconds, a new boot id). Checking it before that decision sees the old gateway healthy
//! just before it goes away.
//!
//! The decision is read from the gateway's `[reload]` log lines written since the edit, or a
//! boot id other than the one marked before it; the rule table ([`reload::expect`]) says which
//! to wait for and how long.

use super::live::{BootMark, live, wait_ready};
use crate::blocking::pause;
use crate::error::Error;
use crate::event::{Cancel, Event, Observer};
use crate::logscan::EventKind;
use crate::openclaw::reload::{self, Expected, Reload};
use crate::target::Target;
use serde::Serialize;
use std::time::{Duration, Instant};

/// How long a gateway that should not restart gets to log its decision: the decision delay
/// and the reload's own work, with room for a loaded machine.
const HOT_DECISION_BOUND: Duration = Duration::from_secs(10);

/// What the gateway did after the edit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Settled {
    /// It restarted itself and the new boot is ready.
    Restarted,
    /// It logged a hot reload, or that it skipped the change.
    Reloaded,
    /// It said nothing within the bound (reload off, an unchanged value, no log).
    Quiet,
}

/// Waits, after the config edit `mark` was taken before, for what `expected` says the gateway
/// does, and for a ready gateway when it restarts (at most `wait`).
pub async fn settle_after_edit(
    target: &Target,
    mark: &BootMark,
    expected: &Expected,
    wait: Duration,
    obs: &mut dyn Observer,
    cancel: &Cancel,
) -> Result<Settled, Error> {
    obs.on(Event::Progress {
        message: expected.describe(),
    });
    pause(cancel, reload::DECISION_DELAY).await;
    let restart = expected.reload == Reload::Restart;
    let bound = Instant::now()
        + if restart {
            wait
        } else {
            HOT_DECISION_BOUND.min(wait)
        };
    loop {
        let decided = mark.logged_since(EventKind::Reload).await;
        if decided.iter().any(|d| d == "restart") || new_boot(target, mark).await {
            if !restart {
                obs.on(Event::Progress {
                    message: "the gateway restarts itself after all: waiting for it".into(),
                });
            }
            wait_ready(target, Some(mark), wait, obs, cancel).await?;
            return Ok(Settled::Restarted);
        }
        if !restart && decided.iter().any(|d| ends_the_wait(expected.reload, d)) {
            return Ok(Settled::Reloaded);
        }
        if Instant::now() >= bound || cancel.is_cancelled() {
            return Ok(Settled::Quiet);
        }
        pause(cancel, Duration::from_millis(250)).await;
    }
}

/// Whether a logged decision is the last word when no restart is due: a hot reload or a
/// skipped change; for a change applied without a reload, that the gateway evaluated it.
/// (When a restart is due only the restart is: a skip may be an edit in between that left
/// the config invalid.)
fn ends_the_wait(expected: Reload, decided: &str) -> bool {
    matches!(decided, "hot" | "skipped") || (expected == Reload::Nothing && decided == "evaluating")
}

/// Whether the gateway already runs a boot other than the marked one.
async fn new_boot(target: &Target, mark: &BootMark) -> bool {
    let Some(old) = &mark.boot_id else {
        return false;
    };
    live(target, Duration::from_secs(2))
        .await
        .is_ok_and(|now| now.boot_id.as_deref().is_some_and(|b| b != old))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn which_logged_decision_ends_a_wait_without_restart() {
        for (expected, decided, ends) in [
            (Reload::Hot, "hot", true),
            (Reload::Hot, "skipped", true),
            (Reload::Hot, "evaluating", false),
            (Reload::Nothing, "evaluating", true),
            (Reload::Nothing, "hot", true),
        ] {
            assert_eq!(
                ends_the_wait(expected, decided),
                ends,
                "{expected:?} {decided}"
            );
        }
    }
}
