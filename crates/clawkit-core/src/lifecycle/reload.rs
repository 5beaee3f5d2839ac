//! After a config edit: wait for the running gateway's reload decision, then for the gateway
//! that results. A 2026.9 gateway watches its config file and, a moment after a write
//! ([`reload::DECISION_DELAY`]), hot-reloads it or restarts itself in-process (down a few
//! seconds, a new boot id). Checking it before that decision sees the old gateway healthy
//! just before it goes away.
//!
//! Two waits, each as long as what it waits for. The decision — a `[reload]` log line since
//! the edit, a new boot, or nothing listening — comes within seconds or not at all (a watcher
//! that missed the write, hot reload off, a decision withdrawn as `superseded`):
//! [`DECISION_BOUND`] after the gateway's last word. Only a decided restart gets the caller's
//! whole `wait`. Until the old boot is gone the waits read only the log and whether the port
//! listens: a handshake is work in flight, and the gateway defers a decided restart until none
//! is (up to 5 min), so polling it by handshake delays the restart it waits for.

use super::live::{BootMark, hot_reload_status, listens, live, port, wait_ready};
use crate::blocking::pause;
use crate::error::Error;
use crate::event::{Cancel, Event, Observer};
use crate::logscan::EventKind;
use crate::openclaw::reload::{self, Expected, Reload};
use crate::target::Target;
use serde::Serialize;
use std::time::{Duration, Instant};

/// How long the gateway gets to show its decision after the edit: the decision delay, the
/// reload's own work and a new boot's logging, with room for a loaded machine.
pub const DECISION_BOUND: Duration = Duration::from_secs(15);

const POLL: Duration = Duration::from_millis(250);

/// What the gateway did after the edit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Settled {
    /// It restarted itself and the new boot is ready.
    Restarted,
    /// It logged a hot reload, or that it skipped the change.
    Reloaded,
    /// It said nothing, and the edits need no reload.
    Quiet,
    /// It did not react though the rules say it reloads or restarts: it runs the old config.
    Unapplied,
}

/// The gateway before a run of config edits: its boot, and whether its config watcher is off.
#[derive(Debug, Clone)]
pub struct EditMark {
    pub boot: BootMark,
    pub watcher_off: bool,
}

impl EditMark {
    /// Two handshakes, before the first edit (afterwards they would delay a restart).
    pub async fn take(target: &Target) -> EditMark {
        let now = live(target, Duration::from_secs(2)).await.ok();
        let (boot, uptime) = now.map_or((None, None), |l| (l.boot_id, l.uptime_ms));
        let status = hot_reload_status(target, Duration::from_secs(2)).await;
        EditMark {
            boot: BootMark::of(target, boot, uptime),
            watcher_off: status.as_deref() == Some("disabled"),
        }
    }
}

/// What the gateway has shown since the mark, read without a handshake.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Seen {
    /// The `[reload]` decisions logged since the mark (`evaluating`, `restart`, `hot`, `skipped`).
    pub logged: Vec<String>,
    /// A `gateway ready` logged since the mark: a new boot.
    pub booted: bool,
    /// Nothing listens on its port.
    pub down: bool,
}

impl Seen {
    async fn now(mark: &BootMark, port: u16) -> Seen {
        let events = mark.events_since().await;
        let of = |kind| events.iter().filter(move |(k, _)| *k == kind);
        Seen {
            logged: of(EventKind::Reload).map(|(_, r)| r.clone()).collect(),
            booted: of(EventKind::Start).next().is_some(),
            down: !listens(port).await,
        }
    }

    /// The old boot is going or gone.
    fn restarting(&self) -> bool {
        self.down || self.booted
    }
}

/// What the decision wait concluded from what it has seen so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// The gateway restarts (or restarted) itself.
    Restart,
    /// It applied or skipped the change; nothing more comes.
    Done,
    /// Not yet, or its decision was withdrawn.
    Pending,
}

/// The decision `seen` shows when the rules expect `expected`. A restart is decided by its
/// log line (unless `superseded` came after it: a newer change withdrew it) or the old boot
/// going. Without a restart due, a hot reload or a skip ends it; with one due only the
/// restart does: a skip or a hot reload may be an edit in between (one that left the config
/// invalid, or hot keys written before the restart key).
pub fn decision(expected: Reload, seen: &Seen) -> Decision {
    let last = |word: &str| seen.logged.iter().rposition(|d| d == word);
    let withdrawn = last("superseded");
    if seen.restarting() || last("restart") > withdrawn {
        return Decision::Restart;
    }
    let since = &seen.logged[withdrawn.map_or(0, |i| i + 1)..];
    if expected != Reload::Restart && since.iter().any(|d| ends_the_wait(expected, d)) {
        return Decision::Done;
    }
    Decision::Pending
}

/// Whether a logged decision is the last word when no restart is due: a hot reload or a
/// skipped change; for a change applied without a reload, that the gateway evaluated it.
fn ends_the_wait(expected: Reload, decided: &str) -> bool {
    matches!(decided, "hot" | "skipped") || (expected == Reload::Nothing && decided == "evaluating")
}

/// Waits, after the config edits `mark` was taken before, for the gateway's decision about
/// them, and for a ready new boot when it restarts (at most `wait` for that).
pub async fn settle_after_edit(
    target: &Target,
    mark: &EditMark,
    expected: &Expected,
    wait: Duration,
    obs: &mut dyn Observer,
    cancel: &Cancel,
) -> Result<Settled, Error> {
    obs.on(Event::Progress {
        message: expected.describe(),
    });
    if mark.watcher_off && expected.reload != Reload::Nothing {
        obs.on(Event::Progress {
            message: unapplied("has its config watcher off (health: hot reload disabled)"),
        });
        return Ok(Settled::Unapplied);
    }
    let port = port(target)?;
    pause(cancel, reload::DECISION_DELAY).await;
    let bounds = (DECISION_BOUND.min(wait), wait);
    let (decided, seen) =
        await_decision(&mark.boot, port, expected.reload, bounds, obs, cancel).await;
    if seen.restarting() {
        if expected.reload != Reload::Restart {
            obs.on(Event::Progress {
                message: "the gateway restarts itself after all".into(),
            });
        }
        wait_ready(target, Some(&mark.boot), wait, obs, cancel).await?;
        return Ok(Settled::Restarted);
    }
    match decided {
        Decision::Done => Ok(Settled::Reloaded),
        Decision::Restart => Err(Error::Refused(format!(
            "the gateway decided to restart but has not within {} s (it lets its running work finish first): it still runs the old config. Look at the log: clawkit logs --since 10m",
            wait.as_secs()
        ))),
        Decision::Pending if expected.reload == Reload::Nothing => Ok(Settled::Quiet),
        Decision::Pending => {
            obs.on(Event::Progress {
                message: unapplied(&no_reaction(&seen, bounds.0)),
            });
            Ok(Settled::Unapplied)
        }
    }
}

/// Polls the log and the port until the old boot goes, the gateway applies or skips the
/// change, or time is up: `bounds.0` since its last new word, or `bounds.1` since it decided
/// a restart that has not happened yet. Returns the last look too.
async fn await_decision(
    mark: &BootMark,
    port: u16,
    expected: Reload,
    bounds: (Duration, Duration),
    obs: &mut dyn Observer,
    cancel: &Cancel,
) -> (Decision, Seen) {
    let mut said = Vec::new();
    let mut quiet_since = Instant::now();
    let mut decided_at: Option<Instant> = None;
    loop {
        let seen = Seen::now(mark, port).await;
        let decided = decision(expected, &seen);
        if seen.restarting() || decided == Decision::Done {
            return (decided, seen);
        }
        if seen.logged != said {
            said.clone_from(&seen.logged);
            quiet_since = Instant::now();
        }
        match decided {
            Decision::Restart if decided_at.is_none() => {
                decided_at = Some(Instant::now());
                obs.on(Event::Progress {
                    message: format!(
                        "the gateway decided to restart: waiting up to {} s for it to go down",
                        bounds.1.as_secs()
                    ),
                });
            }
            Decision::Restart => {}
            _ => decided_at = None,
        }
        let deadline = decided_at.map_or(quiet_since + bounds.0, |at| at + bounds.1);
        if Instant::now() >= deadline || cancel.is_cancelled() {
            return (decided, seen);
        }
        pause(cancel, POLL).await;
    }
}

/// Why the gateway runs the old config when it made no decision within `bound`.
fn no_reaction(seen: &Seen, bound: Duration) -> String {
    let secs = bound.as_secs();
    if seen.logged.last().is_some_and(|d| d == "superseded") {
        return format!(
            "withdrew its decision about the edit (`config reload superseded`) and made no new one within {secs} s"
        );
    }
    if seen.logged.is_empty() {
        return format!(
            "has not reacted to the edit within {secs} s (its file watcher may have missed the write, or hot reload is off)"
        );
    }
    format!(
        "logged only `{}` about the edit within {secs} s",
        seen.logged.join("`, `")
    )
}

/// The event for a gateway that did not apply the edit: why, and the command that does.
fn unapplied(why: &str) -> String {
    format!("the gateway {why} and still runs the old config: clawkit gateway restart")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seen(logged: &[&str], booted: bool, down: bool) -> Seen {
        Seen {
            logged: logged.iter().map(|s| s.to_string()).collect(),
            booted,
            down,
        }
    }

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

    #[test]
    fn only_a_restart_or_the_old_boot_going_decides_a_due_restart() {
        use Decision::{Done, Pending, Restart};
        for (expected, s, want) in [
            // An invalid config in between, or hot keys written first: not the last word.
            (Reload::Restart, seen(&["skipped"], false, false), Pending),
            (
                Reload::Restart,
                seen(&["evaluating", "hot"], false, false),
                Pending,
            ),
            (Reload::Restart, seen(&[], false, false), Pending),
            (
                Reload::Restart,
                seen(&["evaluating", "restart"], false, false),
                Restart,
            ),
            (Reload::Restart, seen(&[], true, false), Restart),
            (Reload::Restart, seen(&[], false, true), Restart),
            (Reload::Hot, seen(&["hot"], false, false), Done),
            (Reload::Hot, seen(&["restart"], false, false), Restart),
            (Reload::Hot, seen(&["evaluating"], false, false), Pending),
            (Reload::Nothing, seen(&["evaluating"], false, false), Done),
            // A newer change withdrew the restart (a restart is not requested twice).
            (
                Reload::Restart,
                seen(&["evaluating", "restart", "superseded"], false, false),
                Pending,
            ),
            (
                Reload::Restart,
                seen(&["superseded", "evaluating", "restart"], false, false),
                Restart,
            ),
            (
                Reload::Hot,
                seen(&["hot", "superseded"], false, false),
                Pending,
            ),
        ] {
            assert_eq!(decision(expected, &s), want, "{expected:?} {s:?}");
        }
    }

    #[test]
    fn no_reaction_says_what_the_gateway_logged_and_the_command() {
        let quiet = unapplied(&no_reaction(&seen(&[], false, false), DECISION_BOUND));
        assert_eq!(
            quiet,
            "the gateway has not reacted to the edit within 15 s (its file watcher may have missed the write, or hot reload is off) and still runs the old config: clawkit gateway restart"
        );
        let skipped = no_reaction(&seen(&["skipped"], false, false), DECISION_BOUND);
        assert!(
            skipped.starts_with("logged only `skipped` about"),
            "{skipped}"
        );
        let withdrawn = no_reaction(
            &seen(&["restart", "superseded"], false, false),
            DECISION_BOUND,
        );
        assert!(
            withdrawn.starts_with("withdrew its decision"),
            "{withdrawn}"
        );
    }
}
