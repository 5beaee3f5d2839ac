//! A secret the user gave (and the gateway accepted) goes where the CLI reads it first in its
//! mode — `gateway.auth.*` locally, `gateway.remote.*` in remote mode — unless the CLI sends
//! it already. With an explicit URL (`OPENCLAW_GATEWAY_URL`) the CLI reads no config key:
//! the step says where it goes instead. `secret::align` then brings every other copy to it.

use super::{Action, Given, Phase, Plan};
use crate::doctor::checks::word;
use crate::finding::codes;
use crate::openclaw::auth::{Secret, pin_key};

/// What a supplied secret settles, most specific first: the step that stores it fixes it.
const SETTLES: &[&str] = &[
    codes::GATEWAY_SECRET_HIDDEN,
    codes::GATEWAY_SECRET_UNKNOWN,
    codes::SECRET_MISMATCH,
];

/// Before the alignment, so this step (and the finding it settles) is the one kept for the key.
pub(super) fn pin(given: &Given, plan: &mut Plan) {
    let Some((secret, fixes)) = unsent(given) else {
        return;
    };
    if let Some(key) = pin_key(&given.f.client_mode, secret.kind) {
        plan.add(
            Phase::AlignSecret,
            fixes,
            format!(
                "set {key} to {}, accepted by the gateway: the CLI reads it first",
                what(secret)
            ),
            Action::ConfigSet {
                key: key.to_string(),
                secret: secret.clone(),
            },
        );
    }
}

/// After the alignment (whose manual steps remove a stale copy from the shell first): with an
/// explicit URL the secret goes into the environment, which only the user can set.
pub(super) fn env_only(given: &Given, plan: &mut Plan) {
    let Some((secret, fixes)) = unsent(given) else {
        return;
    };
    if pin_key(&given.f.client_mode, secret.kind).is_some() {
        return;
    }
    let var = secret.kind.env_var();
    plan.add(
        Phase::Manual,
        fixes,
        format!(
            "put {} into {var}: OPENCLAW_GATEWAY_URL is set, so the CLI reads no config key, only the environment",
            what(secret)
        ),
        Action::Manual {
            command: format!(
                "read -rs {var} && export {var}   # paste it; add it to your shell's startup file to keep it"
            ),
        },
    );
}

/// The supplied secret when the CLI does not send it yet, and the finding storing it settles.
fn unsent<'a>(given: &Given<'a>) -> Option<(&'a Secret, &'static str)> {
    let secret = given.secret.filter(|_| given.supplied)?;
    let sent = given.f.cli.as_ref().and_then(|c| c.sent.as_ref());
    if sent.is_some_and(|s| s.same_value(secret)) {
        return None;
    }
    let fixes = given
        .problem(SETTLES)
        .map_or(codes::SECRET_MISMATCH, |x| x.code);
    Some((secret, fixes))
}

fn what(secret: &Secret) -> String {
    format!("the {} you gave ({})", word(secret), secret.fingerprint())
}

#[cfg(test)]
mod tests {
    use crate::doctor::checks;
    use crate::doctor::plan::{Action, steps_with_supplied};
    use crate::doctor::testing::{Install, STALE, TOKEN};
    use crate::gateway::Credential;
    use crate::openclaw::auth::given_secret;
    use serde_json::json;

    fn plan_with(install: &Install, value: &str) -> Vec<crate::doctor::Step> {
        let f = install.facts();
        let checks = checks::run(&f);
        let given = given_secret(&Credential::Token(value.into())).unwrap();
        steps_with_supplied(&f, &checks, &given)
    }

    /// Every secret the plan writes, by key, as the values they hold.
    fn writes(steps: &[crate::doctor::Step]) -> Vec<(String, String)> {
        steps
            .iter()
            .filter_map(|s| match &s.action {
                Action::ConfigSet { key, secret } => {
                    Some((key.clone(), secret.expose().to_string()))
                }
                _ => None,
            })
            .collect()
    }

    #[test]
    fn remote_mode_stores_the_given_token_in_the_remote_key_only() {
        let install = Install::healthy().cli_config(json!({"gateway": {
            "mode": "remote",
            "remote": {"url": "ws://127.0.0.1:18789", "token": STALE},
        }}));
        let steps = plan_with(&install, TOKEN);
        assert_eq!(
            writes(&steps),
            [("gateway.remote.token".to_string(), TOKEN.to_string())],
            "{steps:#?}"
        );
        let title = &steps[0].title;
        assert!(
            title.contains("you gave") && !title.contains(TOKEN),
            "{title}"
        );
    }

    #[test]
    fn a_secret_the_cli_sends_already_needs_no_step() {
        let steps = plan_with(&Install::healthy(), TOKEN);
        assert!(writes(&steps).is_empty(), "{steps:#?}");
    }

    #[test]
    fn the_given_secret_replaces_a_step_that_would_write_another() {
        // The CLI's config is stale and clawkit believes the gateway checks `openclaw.json`'s
        // token; the user's accepted token wins over what clawkit read.
        let install = Install::healthy().cli_config(
            json!({"gateway": {"mode": "local", "port": 18789, "auth": {"token": STALE}}}),
        );
        let given = "given-token-the-gateway-accepted-0123456789";
        let steps = plan_with(&install, given);
        let written = writes(&steps);
        assert!(!written.is_empty(), "{steps:#?}");
        assert!(written.iter().all(|(_, v)| v == given), "{written:?}");
        assert!(written.iter().any(|(k, _)| k == "gateway.auth.token"));
    }

    #[test]
    fn with_an_explicit_url_the_step_says_where_it_goes_and_writes_nothing() {
        let install = Install::healthy().shell("OPENCLAW_GATEWAY_URL", "ws://127.0.0.1:18789");
        let steps = plan_with(&install, "given-token-for-an-explicit-url-0123456789");
        assert!(writes(&steps).is_empty(), "{steps:#?}");
        let manual = steps
            .iter()
            .find_map(|s| match &s.action {
                Action::Manual { command } if command.contains("read -rs") => Some(command),
                _ => None,
            })
            .unwrap_or_else(|| panic!("{steps:#?}"));
        assert!(manual.contains("OPENCLAW_GATEWAY_TOKEN"), "{manual}");
    }
}
