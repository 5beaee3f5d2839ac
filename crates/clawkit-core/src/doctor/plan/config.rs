//! The config's own repairs: private modes for the files OpenClaw keeps private, and the
//! retired keys removed.

use super::{Action, Given, Phase, Plan};
use crate::doctor::checks;
use crate::finding::codes;

pub(super) fn chmod(given: &Given, plan: &mut Plan) {
    // Windows: access lists are the user's to edit; the finding names the icacls command.
    if !cfg!(unix) {
        return;
    }
    for (path, mode, code) in checks::private_paths(given.f) {
        if given.found(code) {
            plan.add(
                Phase::Config,
                code,
                format!("chmod {mode:o} {}", path.display()),
                Action::Chmod { path, mode },
            );
        }
    }
}

pub(super) fn retired_keys(given: &Given, plan: &mut Plan) {
    let Ok(config) = &given.f.config else {
        return;
    };
    for (key, _) in checks::retired_keys(config) {
        plan.add(
            Phase::Config,
            codes::CONFIG_RETIRED_KEY,
            format!("remove the retired key {}", key.path),
            Action::ConfigUnset {
                key: key.path.to_string(),
            },
        );
    }
}
