//! Processes: stop what `clawkit ports --kill` would stop (OpenClaw gateways of this user that
//! are not this state dir's healthy gateway) and, once that frees the port, start this
//! install's gateway.

use super::{Action, Given, Phase, Plan};
use crate::finding::codes;

pub(super) fn stop(given: &Given, plan: &mut Plan) {
    for (x, p) in given.f.ports.iter().flat_map(|r| r.killable(false)) {
        plan.add(
            Phase::StopProcesses,
            x.code,
            format!(
                "stop pid {} ({}), re-verified before the signal",
                p.pid, x.code
            ),
            Action::StopProcess { pid: p.pid },
        );
    }
}

/// A stopped zombie leaves the port free: this install's gateway must start.
pub(super) fn start_on_freed_port(given: &Given, plan: &mut Plan) {
    if given.f.gateway.is_some() || !plan.stops_processes() {
        return;
    }
    let command = if given.f.manager.is_some() {
        "clawkit gateway start"
    } else {
        "openclaw gateway run   # or: clawkit gateway install"
    };
    plan.add(
        Phase::Manual,
        codes::GATEWAY_DOWN,
        "start this install's gateway on the freed port",
        Action::Manual {
            command: command.into(),
        },
    );
}
