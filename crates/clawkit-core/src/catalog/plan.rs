//! The one plan `explain` gives for the errors in a text: one step per [`Phase`], in the order
//! fixes must happen, whatever order the errors came in. Some steps are implied by others: the
//! two token errors together (a gateway token and a device token mismatch) call for the guides'
//! four steps, though only two of them name an error — align the shared secret, restart the
//! gateway, refresh device tokens, then open the dashboard in a private window so the browser
//! makes a fresh handshake instead of replaying the token it kept.

use super::{Hit, Phase};

/// One step: its phase and the catalog ids of the errors that call for it (none when other
/// steps imply it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanStep {
    pub phase: Phase,
    pub errors: Vec<&'static str>,
}

/// When a plan has every phase of the first list, it also needs those of the second.
const IMPLIED: &[(&[Phase], &[Phase])] = &[(
    &[Phase::SharedSecret, Phase::DeviceTokens],
    &[Phase::Restart, Phase::Dashboard],
)];

/// The hits in fix order: by phase, then by where each was first seen.
pub fn in_fix_order(mut hits: Vec<Hit>) -> Vec<Hit> {
    hits.sort_by_key(|h| (h.entry.phase, h.offset));
    hits
}

/// The steps for `hits`, in fix order.
pub fn plan(hits: &[Hit]) -> Vec<PlanStep> {
    let mut steps: Vec<PlanStep> = Vec::new();
    for h in in_fix_order(hits.to_vec()) {
        match steps.iter_mut().find(|s| s.phase == h.entry.phase) {
            Some(step) => step.errors.push(h.entry.id),
            None => steps.push(PlanStep {
                phase: h.entry.phase,
                errors: vec![h.entry.id],
            }),
        }
    }
    add_implied(&mut steps);
    steps.sort_by_key(|s| s.phase);
    steps
}

fn add_implied(steps: &mut Vec<PlanStep>) {
    let named: Vec<Phase> = steps.iter().map(|s| s.phase).collect();
    for (when, add) in IMPLIED {
        if !when.iter().all(|p| named.contains(p)) {
            continue;
        }
        for phase in *add {
            if !steps.iter().any(|s| s.phase == *phase) {
                steps.push(PlanStep {
                    phase: *phase,
                    errors: Vec::new(),
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::scan;

    const GATEWAY: &str = "unauthorized: gateway token mismatch (set gateway.remote.token)";
    const DEVICE: &str = "unauthorized: device token mismatch (rotate/reissue device token)";

    fn phases(text: &str) -> Vec<(Phase, Vec<&'static str>)> {
        plan(&scan(text))
            .into_iter()
            .map(|s| (s.phase, s.errors))
            .collect()
    }

    #[test]
    fn both_token_errors_make_the_four_steps_in_either_order() {
        let want = vec![
            (Phase::SharedSecret, vec!["gateway-token-mismatch"]),
            (Phase::Restart, vec![]),
            (Phase::DeviceTokens, vec!["device-token-mismatch"]),
            (Phase::Dashboard, vec![]),
        ];
        assert_eq!(phases(&format!("{GATEWAY}\n{DEVICE}")), want);
        assert_eq!(phases(&format!("{DEVICE}\n{GATEWAY}")), want);
        let ids: Vec<&str> = in_fix_order(scan(&format!("{DEVICE}\n{GATEWAY}")))
            .iter()
            .map(|h| h.entry.id)
            .collect();
        assert_eq!(ids, ["gateway-token-mismatch", "device-token-mismatch"]);
    }

    #[test]
    fn one_error_implies_nothing() {
        assert_eq!(
            phases(DEVICE),
            [(Phase::DeviceTokens, vec!["device-token-mismatch"])]
        );
    }

    #[test]
    fn implied_steps_say_how() {
        for phase in IMPLIED.iter().flat_map(|(_, add)| add.iter()) {
            assert!(phase.how().is_some(), "{phase:?}");
        }
    }
}
