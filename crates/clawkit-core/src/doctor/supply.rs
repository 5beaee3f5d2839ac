//! `doctor --token/--password`: the secret the user gave, for when clawkit cannot see the
//! gateway's (a remote gateway, a gateway started with `--token`). It is put to the gateway
//! first, as the CLI would send it; only an accepted one changes the plan — it becomes the
//! secret every client copy is aligned to, stored where the CLI reads it first — and a
//! refused one stops `fix` before anything is written (see [`super::run::fix`]).

use super::{Diagnosis, Inputs, examine, plan};
use crate::error::Error;
use crate::gateway::Credential;
use crate::openclaw::auth::GivenSecretRefused;
use crate::probe::check_given;

/// Examines, then puts `given` (when there is one) to the gateway and, once it is accepted,
/// plans with it. The verdict is kept in [`Diagnosis::supplied`].
pub async fn examine_given(inputs: &Inputs, given: &Credential) -> Result<Diagnosis, Error> {
    let mut d = examine(inputs).await;
    let Some(checked) = check_given(&inputs.target, given, inputs.timeout).await? else {
        return Ok(d);
    };
    if checked.accepted {
        d.steps = plan::steps_with_supplied(&d.facts, &d.checks, &checked.secret);
    }
    d.supplied = Some(checked);
    Ok(d)
}

/// The refusal that stops a fix, when the secret the user gave was refused.
pub fn refused(d: &Diagnosis) -> Option<GivenSecretRefused> {
    let given = d.supplied.as_ref().filter(|s| !s.accepted)?;
    let flag = match given.kind {
        "password" => "--password",
        _ => "--token",
    };
    Some(given.refusal(&format!(
        "clawkit doctor --fix {flag} -   # with the gateway's current {} on standard input",
        given.kind
    )))
}
