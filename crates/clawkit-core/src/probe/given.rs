//! A secret the user gave (`--token`/`--password`), put to the gateway before anything is
//! written with it: one real handshake as the CLI, to the URL the CLI would use (with the TLS
//! pin of remote mode), sending the given secret in place of the configured one. The doctor's
//! fix and `gateway token rotate` both start from this verdict.

use super::{As, ProbeRequest, connection_for};
use crate::error::Error;
use crate::gateway::{Credential, Verdict, connect};
use crate::openclaw::auth::{ClientMode, GivenSecretRefused, Secret, client_mode, given_secret};
use crate::target::Target;
use serde::{Serialize, Serializer};
use std::time::Duration;

/// The gateway's verdict on a secret the user gave. The value stays inside `secret`; what is
/// shown or serialized is its fingerprint.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GivenChecked {
    #[serde(rename = "fingerprint", serialize_with = "fingerprint_of")]
    pub secret: Secret,
    /// "token" or "password".
    pub kind: &'static str,
    /// Where the CLI connects, and so where the secret was tried.
    pub url: String,
    pub verdict: Verdict,
    pub accepted: bool,
    /// How the CLI reaches the gateway (decides which config key would hold the secret).
    #[serde(skip)]
    pub mode: ClientMode,
}

fn fingerprint_of<S: Serializer>(secret: &Secret, s: S) -> Result<S::Ok, S::Error> {
    secret.fingerprint().serialize(s)
}

impl GivenChecked {
    /// The error for a refused secret; `next` is the command to run again with the right one.
    pub fn refusal(&self, next: &str) -> GivenSecretRefused {
        GivenSecretRefused {
            url: self.url.clone(),
            word: self.kind,
            fingerprint: self.secret.fingerprint(),
            reason: format!(
                "{}{}",
                self.verdict.name(),
                self.verdict
                    .message()
                    .map(|m| format!(" ({m})"))
                    .unwrap_or_default()
            ),
            next: next.to_string(),
        }
    }

    /// `Ok` when the gateway accepted the secret, else the refusal (see [`refusal`](Self::refusal)).
    pub fn accepted_or(self, next: &str) -> Result<GivenChecked, Error> {
        if self.accepted {
            Ok(self)
        } else {
            Err(self.refusal(next).into())
        }
    }
}

/// Presents `given` to the gateway as the CLI would present its own secret. `Ok(None)` when
/// nothing was given; an error only when there is nowhere to connect (remote mode without a
/// URL) or the config is unreadable — a refusal is a verdict, not an error.
pub async fn check_given(
    target: &Target,
    given: &Credential,
    timeout: Duration,
) -> Result<Option<GivenChecked>, Error> {
    let Some(secret) = given_secret(given) else {
        return Ok(None);
    };
    let req = ProbeRequest {
        url: None,
        secret: given.clone(),
        r#as: As::Cli,
        tls_fingerprint: None,
        timeout,
    };
    let (t, r) = (target.clone(), req);
    let (opts, mode) = crate::blocking::blocking(move || {
        let (opts, _) = connection_for(&t, &r)?;
        let mode = client_mode(&t.load_config()?, &t.env);
        Ok::<_, Error>((opts, mode))
    })
    .await?;
    let verdict = match connect(&opts).await {
        Ok(conn) => {
            conn.close().await;
            Verdict::Ok
        }
        Err(v) => v,
    };
    Ok(Some(GivenChecked {
        kind: secret.kind.word(),
        secret,
        url: opts.url,
        accepted: verdict.is_ok(),
        verdict,
        mode,
    }))
}
