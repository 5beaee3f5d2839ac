//! `clawkit monitor run`: one watcher task per gateway, the state machine, the store and the
//! outbox wired together until cancelled. Every sighting extends the gateway's uptime span;
//! every decided alert is recorded, and unless a silence holds it, written to the outbox and
//! handed to the delivery task at once (delivery never blocks watching).
//!
//! Reports what it does as [`RunEvent`]s; the CLI prints them.

use crate::alert::{Alert, AlertEvent};
use crate::metrics::Metrics;
use crate::notify_systemd::SystemdNotify;
use crate::outbox::Outbox;
use crate::resolve::Watched;
use crate::state::{Decided, Policy, Tracker, Window};
use crate::store::{Store, StoreError};
use crate::watch::{Observation, Seen};
use crate::why::{self, Healer};
use clawkit_core::target::Target;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Notify, mpsc};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// Everything `run` needs, resolved by the caller.
#[derive(Debug, Clone)]
pub struct RunPlan {
    pub watched: Watched,
    pub state: PathBuf,
    pub policy: Policy,
    pub windows: Vec<Window>,
    /// Serve `/metrics` here (loopback only).
    pub listen: Option<String>,
    /// systemd's notify socket and watchdog, when it runs the monitor.
    pub systemd: SystemdNotify,
    /// The watched gateway that is this install's own (its name and target): the doctor
    /// explains its downs, and `heal` restarts it.
    pub install: Option<(String, Target)>,
    pub heal: bool,
    /// A dead man's switch URL and how often to ping it.
    pub heartbeat: Option<(String, Duration)>,
}

/// What the running monitor reports.
#[derive(Debug, Clone)]
pub enum RunEvent {
    Watching {
        gateway: String,
        url: String,
    },
    Seen(Seen),
    Decided(Decided),
    /// Delivery outcomes, from the outbox.
    Delivery(String),
    /// A problem the monitor survives (a store write failed, …).
    Trouble(String),
}

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Outbox(String),
    #[error(transparent)]
    Listen(#[from] crate::metrics::ListenError),
}

/// How often time-based rules run and the heartbeat is written.
const TICK: Duration = Duration::from_millis(250);
/// A gap in a gateway's sightings longer than this is the monitor's own absence.
const MAX_GAP_MS: i64 = 15_000;

pub async fn run(
    plan: RunPlan,
    report: &mut dyn FnMut(RunEvent),
    cancel: CancellationToken,
) -> Result<(), RunError> {
    let mut store = Store::open(&plan.state)?;
    let mut tracker = Tracker::new(plan.policy.clone());
    for t in &plan.watched.targets {
        tracker.add(&t.name, &t.endpoint.url, t.local.is_none());
    }
    tracker.restore(store.memos()?);
    tracker.quiet.windows = plan.windows.clone();
    // `monitor status` lists what is watched from the memos: one per gateway from the start.
    store.save_memos(&tracker.memos())?;
    let mut outbox = Outbox::open(&plan.state).map_err(|e| RunError::Outbox(e.to_string()))?;
    let wake = Arc::new(Notify::new());
    let tasks = TaskTracker::new();
    let metrics = Metrics::default();
    if let Some(addr) = &plan.listen {
        let listener = crate::metrics::bind(addr).await?;
        tasks.spawn(crate::metrics::serve(
            listener,
            metrics.clone(),
            cancel.clone(),
        ));
    }
    let (lines, mut delivered) = mpsc::unbounded_channel::<String>();
    tasks.spawn(deliver(
        plan.clone(),
        wake.clone(),
        cancel.clone(),
        metrics.clone(),
        lines.clone(),
    ));
    if let Some((url, every)) = plan.heartbeat.clone() {
        tasks.spawn(crate::heartbeat::run(
            url,
            every,
            cancel.clone(),
            lines.clone(),
        ));
    }
    let (tx, mut rx) = mpsc::channel::<Seen>(1024);
    for t in plan.watched.targets.iter().cloned() {
        report(RunEvent::Watching {
            gateway: t.name.clone(),
            url: t.endpoint.url.clone(),
        });
        tasks.spawn(crate::watch::watch(t, tx.clone(), cancel.child_token()));
    }
    drop(tx);
    plan.systemd.send("READY=1");
    let watchdog = plan.systemd.watchdog_every();
    let mut last_watchdog = std::time::Instant::now();
    let mut samples = crate::samples::Samples::default();
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut loop_state = Loop {
        store: &mut store,
        outbox: &mut outbox,
        wake: &wake,
        channels: &plan.watched.channels,
        metrics: &metrics,
        install: plan.install.as_ref(),
        heal: plan.heal,
        healer: Healer::default(),
        tasks: &tasks,
    };
    loop {
        tokio::select! {
            _ = cancel.cancelled() => break,
            Some(line) = delivered.recv() => report(RunEvent::Delivery(line)),
            seen = rx.recv() => match seen {
                Some(seen) => {
                    let now = seen.at_ms;
                    if let Observation::Pong { rtt_ms } = seen.what {
                        // A probe sample, not a transition: counted, not reported.
                        samples.answered(&seen.gateway, rtt_ms, now);
                        metrics.latency(&seen.gateway, rtt_ms);
                        continue;
                    }
                    if let Observation::Hung { .. } = seen.what {
                        samples.unanswered(&seen.gateway, now);
                    }
                    if let Some(up) = contact(&seen.what) {
                        loop_state.span(&seen.gateway, up, now, report);
                    }
                    loop_state.measure(&seen);
                    loop_state.announced(&mut tracker, &seen);
                    let decided = tracker.observe(&seen);
                    if decided.is_empty() && matches!(seen.what, Observation::Connected { .. }) {
                        // A boot seen for the first time is shown by `monitor status`.
                        loop_state.remember(&tracker, report);
                    }
                    report(RunEvent::Seen(seen));
                    loop_state.handle(&mut tracker, decided, now, report).await;
                }
                None => break,
            },
            _ = tick.tick() => {
                let now = clawkit_core::time::now_ms();
                if let Ok(s) = loop_state.store.silences(now) {
                    tracker.quiet.silences = s;
                }
                let decided = tracker.tick(now);
                loop_state.handle(&mut tracker, decided, now, report).await;
                if let Some((start, sums)) = samples.take_due(now)
                    && let Err(e) = loop_state.store.add_samples(start, &sums)
                {
                    report(RunEvent::Trouble(e.to_string()));
                }
                let states: Vec<(&str, bool)> = plan
                    .watched
                    .targets
                    .iter()
                    .filter_map(|t| tracker.is_up(&t.name).map(|up| (t.name.as_str(), up)))
                    .collect();
                for (name, up) in &states {
                    loop_state.metrics.set_up(name, *up);
                }
                if let Err(e) = loop_state.store.observe_states(&states, now, MAX_GAP_MS) {
                    report(RunEvent::Trouble(e.to_string()));
                }
                if let Ok(n) = loop_state.outbox.pending() {
                    loop_state.metrics.set_outbox_pending(n as u64);
                }
                if let Err(e) = loop_state.store.beat(std::process::id(), now) {
                    report(RunEvent::Trouble(e.to_string()));
                }
                if watchdog.is_some_and(|every| last_watchdog.elapsed() >= every) {
                    plan.systemd.send("WATCHDOG=1");
                    last_watchdog = std::time::Instant::now();
                }
            }
        }
    }
    plan.systemd.send("STOPPING=1");
    cancel.cancel();
    tasks.close();
    tasks.wait().await;
    Ok(())
}

/// What a sighting says about contact with the gateway: lost, held, or (for the readiness
/// of a local gateway, which the tracker weighs) nothing by itself.
fn contact(what: &Observation) -> Option<bool> {
    match what {
        Observation::Closed { .. }
        | Observation::Unreachable { .. }
        | Observation::Hung { .. }
        | Observation::ProcessExited { .. } => Some(false),
        Observation::Readiness { .. } => None,
        _ => Some(true),
    }
}

/// The main loop's handles.
struct Loop<'a> {
    store: &'a mut Store,
    outbox: &'a mut Outbox,
    wake: &'a Notify,
    channels: &'a [crate::channel::Channel],
    metrics: &'a Metrics,
    install: Option<&'a (String, Target)>,
    heal: bool,
    healer: Healer,
    tasks: &'a TaskTracker,
}

impl Loop<'_> {
    /// What a sighting adds to the metrics.
    fn measure(&self, seen: &Seen) {
        match &seen.what {
            Observation::Refused { verdict } => self.metrics.auth_failures(
                &seen.gateway,
                "monitor",
                &verdict.name().replace(' ', "_"),
                1,
            ),
            Observation::ClientAuthFailures { reason, count, .. } => {
                self.metrics
                    .auth_failures(&seen.gateway, "client", reason, *count)
            }
            _ => {}
        }
    }

    fn span(&self, gateway: &str, up: bool, now: i64, report: &mut dyn FnMut(RunEvent)) {
        if let Err(e) = self.store.observe_state(gateway, up, now, MAX_GAP_MS) {
            report(RunEvent::Trouble(e.to_string()));
        }
    }

    /// A restart clawkit itself announced (`gateway restart`, `doctor --fix`) before this
    /// gateway's shutdown: the restart that follows is annotated, not alerted.
    fn announced(&self, tracker: &mut Tracker, seen: &Seen) {
        let Some((name, target)) = self.install.filter(|(n, _)| *n == seen.gateway) else {
            return;
        };
        if !matches!(
            seen.what,
            Observation::Shutdown { .. } | Observation::Closed { .. }
        ) {
            return;
        }
        let dir = &target.paths.state_dir.value;
        if let Some(i) = clawkit_core::lifecycle::intent::recent(dir, seen.at_ms) {
            let until = i.at_ms + clawkit_core::lifecycle::intent::INTENT_VALID_MS;
            tracker.expect_restart(name, until, &i.by);
        }
    }

    /// This install's target, when `alert` is about its gateway.
    fn own(&self, alert: &Alert) -> Option<Target> {
        self.install
            .filter(|(name, _)| *name == alert.gateway)
            .map(|(_, t)| t.clone())
    }

    /// The doctor's cause for the alerts that wait for it, and healing when it is on.
    async fn why(
        &mut self,
        tracker: &mut Tracker,
        d: &mut Decided,
        now: i64,
        report: &mut dyn FnMut(RunEvent),
    ) {
        let Some(target) = self.own(&d.alert) else {
            return;
        };
        if crate::boots::wants(&d.alert) {
            crate::boots::tell(&mut d.alert, target.paths.state_dir.value.clone()).await;
        }
        if why::wants_doctor(&d.alert) {
            why::explain(&mut d.alert, &target).await;
            if let (Some(incident), Some(cause)) = (&d.alert.incident, &d.alert.cause) {
                tracker.set_cause(incident, cause);
            }
        }
        if !(self.heal && why::heals(&d.alert)) {
            return;
        }
        if target.supervisor().is_none() {
            d.alert
                .summary
                .push_str("; not healed: no service manager runs it (clawkit gateway install)");
        } else if self.healer.allow(now) {
            d.alert.summary.push_str(&format!(
                "; clawkit restarts it (--heal, {} of {} in 15 min)",
                self.healer.used(),
                why::HEAL_MAX
            ));
            report(RunEvent::Trouble(format!(
                "healing {}: restarting it",
                d.alert.gateway
            )));
            self.tasks.spawn(why::heal(target));
        } else {
            d.alert
                .summary
                .push_str("; not healed: the circuit breaker is open (3 restarts in 15 min)");
        }
    }

    /// Records each decided alert, queues the ones no silence holds, and remembers the state.
    async fn handle(
        &mut self,
        tracker: &mut Tracker,
        decided: Vec<Decided>,
        now: i64,
        report: &mut dyn FnMut(RunEvent),
    ) {
        if decided.is_empty() {
            return;
        }
        for mut d in decided {
            if !d.held {
                self.why(tracker, &mut d, now, report).await;
            }
            if let Err(e) = self.store.record(&d.alert, d.held, now) {
                report(RunEvent::Trouble(e.to_string()));
            }
            if !d.held && !self.channels.is_empty() {
                if let Err(e) = self.outbox.enqueue(&d.alert, self.channels) {
                    report(RunEvent::Trouble(format!(
                        "alert {} not queued: {e}",
                        d.alert.id
                    )));
                }
                self.wake.notify_one();
            }
            if d.alert.event == AlertEvent::Restart {
                self.metrics.restarted(&d.alert.gateway);
            }
            report(RunEvent::Decided(d));
        }
        let open = tracker.open_incidents();
        for name in tracker.names() {
            let n = open.iter().filter(|i| i.gateway == name).count();
            self.metrics.set_open_incidents(name, n);
        }
        self.remember(tracker, report);
    }

    /// Saves the state machine's memos (open incidents, boots).
    fn remember(&mut self, tracker: &Tracker, report: &mut dyn FnMut(RunEvent)) {
        if let Err(e) = self.store.save_memos(&tracker.memos()) {
            report(RunEvent::Trouble(e.to_string()));
        }
    }
}

/// The delivery task: the outbox's own loop (woken at once for a new alert, else when the
/// next retry is due), each outcome counted and reported as a line.
async fn deliver(
    plan: RunPlan,
    wake: Arc<Notify>,
    cancel: CancellationToken,
    metrics: Metrics,
    lines: mpsc::UnboundedSender<String>,
) {
    let mut outbox = match Outbox::open(&plan.state) {
        Ok(o) => o,
        Err(e) => {
            let _ = lines.send(format!("alerts cannot be delivered: {e}"));
            return;
        }
    };
    let on_step = |step: &crate::outbox::Delivery| {
        for (id, channel) in &step.delivered {
            metrics.alert(channel, "delivered");
            let _ = lines.send(format!("delivered {id} to {channel}"));
        }
        for (id, channel, e) in &step.retrying {
            metrics.alert(channel, "retry");
            let _ = lines.send(format!("will retry {id} to {channel}: {e}"));
        }
        for (id, channel, e) in &step.undeliverable {
            metrics.alert(channel, "undeliverable");
            let _ = lines.send(format!("UNDELIVERABLE {id} to {channel}: {e}"));
        }
    };
    let idle = Duration::from_secs(1);
    if let Err(e) = outbox
        .run(&plan.watched.channels, idle, &wake, &cancel, on_step)
        .await
    {
        let _ = lines.send(format!("alert delivery stopped: {e}"));
    }
}

/// The alert `clawkit monitor test-alert` sends to every channel.
pub fn test_alert(gateway: &str, url: &str, now_ms: i64) -> Alert {
    Alert {
        id: format!("test:{now_ms:x}:{}", std::process::id()),
        event: AlertEvent::Test,
        gateway: gateway.to_string(),
        url: url.to_string(),
        at: crate::alert::rfc3339(now_ms),
        summary: "clawkit monitor test alert: this channel works".into(),
        incident: None,
        cause: None,
        downtime_ms: None,
        next: None,
        details: Default::default(),
    }
}
