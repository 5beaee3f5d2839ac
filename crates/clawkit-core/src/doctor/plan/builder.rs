//! The plan being built: sections add steps in the order the guides give, an equivalent step
//! is added once, and the steps are sorted by phase when the plan is done (a stable sort, so
//! the steps of one phase keep the order their sections added them in).

use super::step::{Action, Phase, Step};
use crate::finding::codes;

#[derive(Default)]
pub(super) struct Plan {
    steps: Vec<Step>,
    /// A service definition changes: its manager reads it again, the gateway restarts.
    service_changed: bool,
}

impl Plan {
    /// Adds a step unless an equivalent one is planned already.
    pub(super) fn add(
        &mut self,
        phase: Phase,
        fixes: &'static str,
        title: impl Into<String>,
        action: Action,
    ) {
        let step = Step::new(phase, fixes, title, action);
        if !self
            .steps
            .iter()
            .any(|s| same_work(&s.action, &step.action))
        {
            self.steps.push(step);
        }
    }

    /// Adds a step that changes a service definition.
    pub(super) fn change_service(
        &mut self,
        fixes: &'static str,
        title: impl Into<String>,
        action: Action,
    ) {
        self.service_changed = true;
        self.add(Phase::Service, fixes, title, action);
    }

    pub(super) fn service_changed(&self) -> bool {
        self.service_changed
    }

    /// The codes the steps planned so far fix.
    pub(super) fn fixed_codes(&self) -> Vec<&'static str> {
        self.steps.iter().map(|s| s.fixes).collect()
    }

    pub(super) fn stops_processes(&self) -> bool {
        self.steps
            .iter()
            .any(|s| matches!(s.action, Action::StopProcess { .. }))
    }

    /// The steps in the order they run, ending with a verification when anything changes.
    pub(super) fn finish(mut self) -> Vec<Step> {
        if self.steps.iter().any(Step::is_change) {
            self.add(
                Phase::Verify,
                codes::VERIFY,
                "handshake again as the CLI and as this device",
                Action::Verify,
            );
        }
        self.steps.sort_by_key(|s| s.phase);
        self.steps
    }
}

/// Whether two actions do the same work (the second would change nothing).
fn same_work(a: &Action, b: &Action) -> bool {
    match (a, b) {
        (Action::ConfigSet { key: a, .. }, Action::ConfigSet { key: b, .. }) => a == b,
        (Action::Manual { command: a }, Action::Manual { command: b }) => a == b,
        (Action::StopProcess { pid: a }, Action::StopProcess { pid: b }) => a == b,
        (
            Action::FileSecret {
                file: a, old: x, ..
            },
            Action::FileSecret {
                file: b, old: y, ..
            },
        ) => a == b && x.same_value(y),
        (Action::RefreshDeviceToken { .. }, Action::RefreshDeviceToken { .. }) => true,
        (Action::Restart, Action::Restart) | (Action::Reload, Action::Reload) => true,
        _ => false,
    }
}
