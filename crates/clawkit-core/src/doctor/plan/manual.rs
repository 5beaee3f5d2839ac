//! What remains manual: every problem at warning level or above that no step planned so far
//! fixes, with the command its finding names (or, for some, a better one).

use super::{Action, Given, Phase, Plan};
use crate::doctor::subject::{ClientKind, Subject};
use crate::finding::{Finding, codes};

pub(super) fn remaining(given: &Given, plan: &mut Plan) {
    let fixed = plan.fixed_codes();
    for (x, subject) in given.problems() {
        if fixed.contains(&x.code)
            || matches!(
                x.code,
                codes::HANDSHAKE_CLI | codes::HANDSHAKE_DEVICE | codes::OWN_GATEWAY
            )
        {
            continue;
        }
        if let Some(command) = command(given, x, subject) {
            plan.add(
                Phase::Manual,
                x.code,
                x.summary.clone(),
                Action::Manual { command },
            );
        }
    }
}

/// The command that fixes `x` by hand, if there is one.
fn command(given: &Given, x: &Finding, subject: Option<&Subject>) -> Option<String> {
    let f = given.f;
    match x.code {
        codes::GATEWAY_DOWN | codes::GATEWAY_NOT_LISTENING => Some(if f.manager.is_some() {
            "clawkit gateway start".to_string()
        } else {
            "openclaw gateway run   # or install it as a service: clawkit gateway install"
                .to_string()
        }),
        codes::LOG_AUTH_FAILURES if is_control_ui(subject) => {
            let port = f
                .config
                .as_ref()
                .ok()
                .map(|c| f.paths.port(c, &f.shell).value);
            Some(format!(
                "open http://127.0.0.1:{}/ in a private window and paste the gateway token in its settings (the browser caches the old one)",
                port.unwrap_or(18789)
            ))
        }
        codes::LOG_AUTH_FAILURES => None,
        _ => x.next.clone(),
    }
}

/// Whether a log finding is about the browser Control UI (it caches the token it was given).
fn is_control_ui(subject: Option<&Subject>) -> bool {
    matches!(
        subject,
        Some(Subject::LogClient {
            client: ClientKind::ControlUi,
            ..
        })
    )
}
