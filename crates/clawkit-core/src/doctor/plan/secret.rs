//! Aligning the shared secret: every client copy that differs from what the gateway checks is
//! rewritten with the gateway's (a config key, a file), or pinned in the config above the
//! shell's, whose copy only the user can remove.

use super::{Action, Given, Phase, Plan};
use crate::doctor::checks::{ClientCopy, client_copies, word};
use crate::doctor::sources::Place;
use crate::openclaw::auth::{Secret, pin_key};

pub(super) fn align(given: &Given, plan: &mut Plan) {
    let Some(wanted) = given.secret else {
        return;
    };
    let accepted = given.f.cli.as_ref().is_some_and(|c| c.verdict.is_ok());
    for copy in client_copies(given.f) {
        let s = copy.secret;
        if s.kind != wanted.kind || s.same_value(wanted) {
            continue;
        }
        if copy.in_effect && accepted {
            continue; // the gateway accepts it: clawkit's view of the gateway is wrong
        }
        rewrite(given, plan, copy, wanted);
    }
}

/// The step(s) that put `wanted` where `copy` is written down.
fn rewrite(given: &Given, plan: &mut Plan, copy: ClientCopy, wanted: &Secret) {
    let code = copy.mismatch_code();
    let s = copy.secret;
    match copy.place {
        Place::ConfigKey(key) => plan.add(
            Phase::AlignSecret,
            code,
            format!(
                "set {key} to the gateway's {} ({})",
                word(wanted),
                wanted.fingerprint()
            ),
            Action::ConfigSet {
                key,
                secret: wanted.clone(),
            },
        ),
        Place::File(file) => plan.add(
            Phase::AlignSecret,
            code,
            format!(
                "write the gateway's {} ({}) into {}",
                word(wanted),
                wanted.fingerprint(),
                s.origin
            ),
            Action::FileSecret {
                file,
                old: s.clone(),
                new: Some(wanted.clone()),
            },
        ),
        Place::Shell => shell(given, plan, &copy, code, wanted),
        Place::Flag => {}
    }
}

/// The shell's copy only the user can remove; while it is what the CLI sends, the gateway's
/// secret is pinned in the config key the CLI reads before the shell.
fn shell(given: &Given, plan: &mut Plan, copy: &ClientCopy, code: &'static str, wanted: &Secret) {
    let var = copy.secret.kind.env_var();
    if copy.in_effect
        && let Some(key) = pin_key(&given.f.client_mode, copy.secret.kind)
    {
        plan.add(
            Phase::AlignSecret,
            code,
            format!(
                "set {key} to the gateway's {} ({}): the CLI reads it before the shell's {var}",
                word(wanted),
                wanted.fingerprint(),
            ),
            Action::ConfigSet {
                key: key.to_string(),
                secret: wanted.clone(),
            },
        );
    }
    plan.add(
        Phase::Manual,
        code,
        format!(
            "remove the stale {var} from your shell and its startup files (clawkit cannot change your shell)"
        ),
        Action::Manual {
            command: format!(
                "unset {var}; grep -n {var} ~/.bashrc ~/.zshrc ~/.profile ~/.config/fish/config.fish 2>/dev/null"
            ),
        },
    );
}
