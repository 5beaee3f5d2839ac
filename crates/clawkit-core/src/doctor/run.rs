//! The fix run: walks the plan's changing steps in order — asks the approver, journals each
//! step before and after, stops at the first failure; after a run of config edits waits for
//! the running gateway's reload decision (it may restart itself: `openclaw::reload` has the
//! rules, `lifecycle::settle_after_edit` the wait) — then looks again until the gateway has
//! settled. The same loop serves `clawkit doctor --fix`, the web doctor's walkthrough and the
//! monitor's healing; each brings its own observer and approver.

use super::fix::{self, Context};
use super::plan::{Action, Step};
use super::{Diagnosis, Inputs, examine};
use crate::blocking::pause;
use crate::error::Error;
use crate::event::{Approver, Ask, Cancel, Decision, Event, Observer, Question, StepStatus};
use crate::gateway::{ConnectOptions, Credential, Verdict};
use crate::journal::lock::FixLock;
use crate::journal::{Change, Journal};
use crate::lifecycle::{self, EditMark, Settled, Waits};
use crate::openclaw::auth::AuthMode;
use crate::openclaw::reload::{self, Expected};
use crate::secret::Redactor;
use serde::Serialize;
use std::path::PathBuf;
use std::time::{Duration, Instant};

#[derive(Debug, Clone)]
pub struct FixOptions {
    /// Approve this client's own pending repair request without asking.
    pub approve_repairs: bool,
    /// How long to wait for a restarted gateway.
    pub wait: Duration,
    /// Who runs the fix, for the lock ("clawkit doctor --fix, pid 123").
    pub who: String,
}

/// What one step ended with.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StepResult {
    pub n: usize,
    pub title: String,
    pub kind: String,
    pub status: StepStatus,
    pub message: String,
}

#[derive(Debug)]
pub struct FixReport {
    pub journal_id: String,
    pub journal_path: PathBuf,
    pub steps: Vec<StepResult>,
    /// The step that failed (or where the run was aborted), and why.
    pub stopped_at: Option<(usize, String)>,
    /// The diagnosis after the fix, once the gateway settled.
    pub after: Diagnosis,
}

impl FixReport {
    pub fn healed(&self) -> bool {
        self.after.healthy() && self.stopped_at.is_none()
    }
}

/// The context a diagnosis' steps are performed in: the gateway's endpoint as the plan saw it
/// and its auth mode (whether a shared secret goes as a token or a password).
pub fn context(inputs: &Inputs, d: &Diagnosis) -> Context {
    let target = &inputs.target;
    Context {
        endpoint: d
            .facts
            .topology
            .as_ref()
            .and_then(|t| t.connect_options())
            .unwrap_or_else(|| ConnectOptions::new(String::new())),
        auth_mode: d
            .facts
            .gateway_side
            .as_ref()
            .map_or(crate::openclaw::auth::AuthMode::Token, |g| {
                g.creds.mode.clone()
            }),
        timeout: inputs.timeout,
        target: target.clone(),
    }
}

/// Applies `diagnosis`'s plan. Only one fix per state dir runs at a time. When the user gave
/// a secret and the gateway refused it, nothing is done: the error names it by fingerprint.
pub async fn fix(
    inputs: &Inputs,
    diagnosis: &Diagnosis,
    opts: &FixOptions,
    obs: &mut dyn Observer,
    approver: &mut dyn Approver,
    cancel: &Cancel,
) -> Result<FixReport, Error> {
    crate::failpoint::arm(&inputs.target.env);
    // A secret the user gave that the gateway refused: no lock, no journal, no file.
    if let Some(refused) = super::supply::refused(diagnosis) {
        return Err(refused.into());
    }
    let state_dir = inputs.target.paths.state_dir.value.clone();
    let _lock = FixLock::acquire(&state_dir, &opts.who)?;
    let ctx = context(inputs, diagnosis);
    let redactor = super::report::redactor(diagnosis);
    let mut run = Run {
        ctx: &ctx,
        opts,
        redactor: &redactor,
        journal: Journal::begin(&state_dir)?,
        results: Vec::new(),
        stopped_at: None,
        gateway_was_up: diagnosis.facts.gateway.is_some(),
        edits: ConfigEdits::new(diagnosis, &ctx),
    };
    let steps: Vec<&Step> = diagnosis.steps.iter().filter(|s| s.is_change()).collect();
    for (i, step) in steps.iter().enumerate() {
        if cancel.is_cancelled() {
            run.stopped_at = Some((i + 1, "cancelled".into()));
            break;
        }
        let go_on = run
            .step(i + 1, steps.len(), step, obs, approver, cancel)
            .await?;
        // The gateway decides once for edits that land together (it debounces them).
        if !go_on
            || steps
                .get(i + 1)
                .is_none_or(|next| edited_key(next).is_none())
        {
            run.settle(obs, cancel).await;
        }
        if !go_on {
            break;
        }
    }
    let status = if run.stopped_at.is_some() {
        "failed"
    } else {
        "done"
    };
    run.journal.finish(status)?;
    let after = verify(inputs, run.gateway_was_up, opts.wait, obs, cancel).await;
    Ok(FixReport {
        journal_id: run.journal.id.clone(),
        journal_path: run.journal.path().to_path_buf(),
        steps: run.results,
        stopped_at: run.stopped_at,
        after,
    })
}

struct Run<'a> {
    ctx: &'a Context,
    opts: &'a FixOptions,
    redactor: &'a Redactor,
    journal: Journal,
    results: Vec<StepResult>,
    stopped_at: Option<(usize, String)>,
    gateway_was_up: bool,
    edits: ConfigEdits,
}

impl Run<'_> {
    /// One step: announce, ask, journal, perform, record. `false` stops the run.
    async fn step(
        &mut self,
        n: usize,
        total: usize,
        step: &Step,
        obs: &mut dyn Observer,
        approver: &mut dyn Approver,
        cancel: &Cancel,
    ) -> Result<bool, Error> {
        obs.on(Event::StepStarted {
            n,
            total,
            kind: step.kind().to_string(),
            title: self.redactor.redact(&step.title),
            diff: fix::preview(step, self.ctx).ok().flatten(),
        });
        let approval = matches!(step.action, Action::Approve { .. });
        let decision = if approval && self.opts.approve_repairs {
            Decision::Yes
        } else {
            approver.decide(&question(n, approval)).await
        };
        self.journal.start_step(n, &step.title, step.kind())?;
        if decision != Decision::Yes {
            let why = if decision == Decision::Abort {
                "aborted"
            } else if approval {
                "skipped: approving needs --approve-repairs"
            } else {
                "skipped"
            };
            self.journal.finish_step("skipped", Some(why.into()))?;
            self.record(n, step, StepStatus::Skipped, why, obs);
            if decision == Decision::Abort {
                self.stopped_at = Some((n, "aborted".into()));
                return Ok(false);
            }
            return Ok(true);
        }
        if edited_key(step).is_some() {
            self.edits.before(&self.ctx.target).await;
        }
        let outcome = self.perform(step, obs, cancel).await;
        let (status, message) = match outcome {
            Ok(msg) => (StepStatus::Done, msg),
            Err(msg) => (StepStatus::Failed, msg),
        };
        let message = self.redactor.redact(&message);
        self.journal
            .finish_step(status.word(), Some(message.clone()))?;
        self.record(n, step, status, &message, obs);
        if status == StepStatus::Failed {
            self.stopped_at = Some((n, message));
            return Ok(false);
        }
        if let Some(key) = edited_key(step) {
            self.edits.done(key);
        }
        if matches!(step.action, Action::StopProcess { .. }) {
            self.gateway_was_up = false;
        }
        Ok(true)
    }

    fn record(
        &mut self,
        n: usize,
        step: &Step,
        status: StepStatus,
        msg: &str,
        obs: &mut dyn Observer,
    ) {
        obs.on(Event::StepDone {
            n,
            status,
            message: msg.to_string(),
        });
        self.results.push(StepResult {
            n,
            title: self.redactor.redact(&step.title),
            kind: step.kind().to_string(),
            status,
            message: msg.to_string(),
        });
    }

    /// After the last of a run of config edits: wait for the running gateway's reload
    /// decision and, when it restarts itself, for the new boot.
    async fn settle(&mut self, obs: &mut dyn Observer, cancel: &Cancel) {
        let Some((mark, expected)) = self.edits.take() else {
            return;
        };
        if !self.gateway_was_up {
            return;
        }
        let target = &self.ctx.target;
        match lifecycle::settle_after_edit(target, &mark, &expected, self.opts.wait, obs, cancel)
            .await
        {
            Ok(Settled::Restarted) => obs.on(Event::Progress {
                message: "the gateway restarted itself and is ready".into(),
            }),
            Ok(_) => {}
            Err(e) => obs.on(Event::Progress {
                message: format!("after the config edit: {e}"),
            }),
        }
    }

    async fn perform(
        &mut self,
        step: &Step,
        obs: &mut dyn Observer,
        cancel: &Cancel,
    ) -> Result<String, String> {
        match &step.action {
            Action::Restart => self.restart(obs, cancel).await,
            Action::Reload => self.reload().await,
            _ => fix::apply(step, self.ctx, &mut self.journal).await,
        }
    }

    async fn restart(&mut self, obs: &mut dyn Observer, cancel: &Cancel) -> Result<String, String> {
        self.journal
            .record(Change::Irreversible {
                what: "restarted the gateway".into(),
            })
            .map_err(|e| e.to_string())?;
        let waits = Waits::new(self.opts.wait);
        let target = &self.ctx.target;
        let restarted = lifecycle::restart(target, &Credential::None, waits, obs, cancel)
            .await
            .map_err(|e| e.to_string())?;
        obs.on(Event::Progress {
            message: restarted.summary(),
        });
        if restarted.problems().is_empty() {
            Ok("gateway restarted and ready".into())
        } else {
            for p in restarted.problems() {
                obs.on(Event::Progress {
                    message: format!("[{}] {}", p.code, p.summary),
                });
            }
            Err("the gateway came back with problems (see above)".into())
        }
    }

    async fn reload(&self) -> Result<String, String> {
        let target = self.ctx.target.clone();
        let Some(manager) = target.manager else {
            return Err("no service manager runs on this machine to re-read the service".into());
        };
        crate::blocking::blocking(move || manager.reload(target.runner.as_ref()))
            .await
            .map(|done| done.unwrap_or_else(|| format!("{manager:?} reads the service at start")))
            .map_err(|e| e.to_string())
    }
}

/// The config key a step edits in the file the gateway watches.
fn edited_key(step: &Step) -> Option<&str> {
    match &step.action {
        Action::ConfigSet { key, .. } | Action::ConfigUnset { key } => Some(key),
        _ => None,
    }
}

/// The config edits since the last settle: the boot marked before the first, the keys, and
/// how the gateway's config says it reloads.
struct ConfigEdits {
    /// The running gateway reads the config clawkit edits (not a config of its own).
    watched: bool,
    settings: reload::Settings,
    mark: Option<EditMark>,
    keys: Vec<String>,
}

impl ConfigEdits {
    fn new(d: &Diagnosis, ctx: &Context) -> ConfigEdits {
        let config = d.facts.config.as_ref().ok();
        ConfigEdits {
            watched: d
                .facts
                .gateway_side
                .as_ref()
                .is_none_or(|g| g.config_path.is_none()),
            settings: reload::Settings {
                off: config
                    .and_then(|c| c.get("gateway.reload.mode"))
                    .and_then(|n| n.as_str())
                    == Some("off"),
                secret_auth: matches!(ctx.auth_mode, AuthMode::Token | AuthMode::Password),
            },
            mark: None,
            keys: Vec::new(),
        }
    }

    /// Before an edit: marks the running gateway on the first edit of a run.
    async fn before(&mut self, target: &crate::target::Target) {
        if self.watched && self.mark.is_none() {
            self.mark = Some(EditMark::take(target).await);
        }
    }

    /// After `key` was written.
    fn done(&mut self, key: &str) {
        if self.watched {
            self.keys.push(key.to_string());
        }
    }

    /// The marked boot and what the edits make the gateway do; empties the run.
    fn take(&mut self) -> Option<(EditMark, Expected)> {
        let mark = self.mark.take()?;
        let expected = reload::expect(&std::mem::take(&mut self.keys), self.settings)?;
        Some((mark, expected))
    }
}

fn question(n: usize, approval: bool) -> Question {
    if approval {
        Question {
            ask: Ask::ApproveRequest { n },
            text: "approve this request? It grants the device the access it asks for".into(),
        }
    } else {
        Question {
            ask: Ask::ApplyStep { n },
            text: "apply this step?".into(),
        }
    }
}

/// Examines again until the gateway is past restarting (when it was running), at most `wait`.
pub async fn verify(
    inputs: &Inputs,
    gateway_was_up: bool,
    wait: Duration,
    obs: &mut dyn Observer,
    cancel: &Cancel,
) -> Diagnosis {
    let deadline = Instant::now() + wait;
    let mut attempt = 0;
    loop {
        attempt += 1;
        obs.on(Event::Verifying { attempt });
        let d = examine(inputs).await;
        let transient = |v: Option<&Verdict>| {
            v.is_some_and(|v| {
                matches!(
                    v,
                    Verdict::Starting { .. } | Verdict::ConnectionRefused { .. }
                )
            })
        };
        let settling = gateway_was_up
            && (transient(d.facts.cli.as_ref().map(|c| &c.verdict))
                || transient(d.facts.device_verdict.as_ref()));
        if !settling || Instant::now() >= deadline || cancel.is_cancelled() {
            return d;
        }
        pause(cancel, Duration::from_millis(500)).await;
    }
}
