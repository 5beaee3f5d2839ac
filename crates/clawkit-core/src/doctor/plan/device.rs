//! This client's device: reissue its token with the (now aligned) shared secret, and approve
//! its pending repair request, which clawkit does only with an explicit approval
//! ([`Step::needs_approval`](super::Step::needs_approval)). Other devices' requests are the
//! user's to decide.

use super::{Action, Given, Phase, Plan};
use crate::finding::codes;
use crate::openclaw::state::PendingRequest;

pub(super) fn refresh(given: &Given, plan: &mut Plan) {
    let Some(x) = given.problem(codes::DEVICE_TOKEN_PROBLEMS) else {
        return;
    };
    match given.secret {
        Some(shared) => plan.add(
            Phase::RefreshDevice,
            x.code,
            "reissue this client's device token with the gateway's shared secret and cache it",
            Action::RefreshDeviceToken {
                shared: shared.clone(),
            },
        ),
        None => plan.add(
            Phase::Manual,
            x.code,
            "reissue this client's device token (clawkit cannot see the gateway's secret)",
            Action::Manual {
                command: "clawkit gateway token rotate --token <the gateway's token>".into(),
            },
        ),
    }
}

pub(super) fn approve(given: &Given, plan: &mut Plan) {
    let Ok(state) = &given.f.state else {
        return;
    };
    let own = given.f.identity.as_ref().map(|i| i.device_id());
    for p in state.pending.iter().filter(|p| p.is_repair) {
        let mine = own == Some(p.device_id.as_str());
        match given.secret.filter(|_| mine) {
            Some(shared) => plan.add(
                Phase::Approve,
                codes::DEVICE_REPAIR_PENDING,
                format!(
                    "approve this client's pending repair request {} (roles {}, scopes {})",
                    p.request_id,
                    p.roles.join(","),
                    p.scopes.join(",")
                ),
                Action::Approve {
                    request_id: p.request_id.clone(),
                    shared: shared.clone(),
                },
            ),
            None => plan.add(
                Phase::Manual,
                codes::DEVICE_REPAIR_PENDING,
                by_hand(p, mine),
                Action::Manual {
                    command: format!("openclaw devices approve {}", p.request_id),
                },
            ),
        }
    }
}

/// Why a repair request is left to the user.
fn by_hand(p: &PendingRequest, mine: bool) -> String {
    if mine {
        format!(
            "approve this client's repair request {} (clawkit cannot see the gateway's secret to do it)",
            p.request_id
        )
    } else {
        format!(
            "decide on device {}'s repair request (only approve a device you recognise)",
            p.device_id
        )
    }
}
