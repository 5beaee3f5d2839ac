//! Which connection to make: the URL and credential a client would use, with a description
//! of what is sent (fingerprints only).

use crate::error::Error;
use crate::gateway::{ClientRole, ConnectOptions, Credential};
use crate::openclaw::auth::{AuthMode, ClientMode, client_credentials, client_mode, client_url};
use crate::openclaw::config::LoadedConfig;
use crate::openclaw::state::DeviceState;
use crate::secret::fingerprint;
use crate::target::Target;
use serde::Serialize;
use std::time::Duration;

/// Who to connect as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum As {
    /// The `openclaw` CLI (client `cli`): shared secret, no device identity.
    Cli,
    /// This machine's device, with its cached device token and no shared secret.
    Device,
    /// `openclaw gateway probe` (client `openclaw-probe`).
    Probe,
}

#[derive(Debug, Clone)]
pub struct ProbeRequest {
    /// The gateway URL; default: what the local CLI would use. With a URL, config and env
    /// credentials are not used, as in OpenClaw.
    pub url: Option<String>,
    /// A secret the user passed (`Credential::None`: the client's own).
    pub secret: Credential,
    pub r#as: As,
    pub tls_fingerprint: Option<String>,
    pub timeout: Duration,
}

/// What the connection sends, said without the secret.
#[derive(Debug, Clone, Serialize)]
pub struct Sent {
    pub description: String,
}

/// The connection `req` asks for, and what it sends.
pub fn connection_for(
    target: &Target,
    req: &ProbeRequest,
) -> Result<(ConnectOptions, Sent), Error> {
    let config = target.load_config()?;
    let mode = match req.url {
        Some(_) => ClientMode::ExplicitUrl,
        None => client_mode(&config, &target.env),
    };
    let url = match &req.url {
        Some(u) => u.clone(),
        None => client_url(&target.paths, &config, &target.env, &mode).ok_or_else(|| {
            Error::Usage(format!(
                "gateway.mode is remote but gateway.remote.url is not set in {}; pass --url",
                config.path.display()
            ))
        })?,
    };
    let mut opts = ConnectOptions::new(url);
    opts.timeout = req.timeout;
    opts.tls_fingerprint = req.tls_fingerprint.clone().or_else(|| {
        (mode == ClientMode::Remote)
            .then(|| {
                config
                    .str("gateway.remote.tlsFingerprint")
                    .map(str::to_string)
            })
            .flatten()
    });
    let (credential, description) = shared_secret(target, &config, &mode, &req.secret);
    opts.credential = credential;
    let description = match req.r#as {
        As::Cli => {
            opts.client = ClientRole::Cli;
            description
        }
        As::Probe => {
            opts.client = ClientRole::Probe;
            description
        }
        As::Device => as_device(target, &mut opts)?,
    };
    Ok((opts, Sent { description }))
}

/// The shared secret: the one given, else the client's by OpenClaw's resolution.
fn shared_secret(
    target: &Target,
    config: &LoadedConfig,
    mode: &ClientMode,
    given: &Credential,
) -> (Credential, String) {
    match given {
        Credential::Token(t) => (
            given.clone(),
            format!("token {} from --token", fingerprint(t)),
        ),
        Credential::Password(p) => (
            given.clone(),
            format!("password {} from --password", fingerprint(p)),
        ),
        Credential::None => {
            let creds = client_credentials(config, &target.env, mode, &[]);
            let wants_password = matches!(creds.mode, AuthMode::Password);
            match (wants_password, creds.password(), creds.token()) {
                (true, Some(p), _) | (false, Some(p), None) => (
                    Credential::Password(p.expose().to_string()),
                    format!("password {p}"),
                ),
                (_, _, Some(t)) => (
                    Credential::Token(t.expose().to_string()),
                    format!("token {t}"),
                ),
                _ => (
                    Credential::None,
                    "no shared secret (none configured for this client)".to_string(),
                ),
            }
        }
    }
}

/// This device with its cached operator token instead of a shared secret.
fn as_device(target: &Target, opts: &mut ConnectOptions) -> Result<String, Error> {
    let state_dir = &target.paths.state_dir.value;
    let identity = crate::openclaw::identity::load(state_dir)
        .map_err(|e| Error::Usage(format!("--as device: {e}")))?;
    let state = DeviceState::read(state_dir).map_err(|e| Error::Usage(e.to_string()))?;
    let cached = state
        .cached_tokens
        .iter()
        .find(|c| c.device_id == identity.device_id() && c.role == "operator")
        .ok_or_else(|| {
            Error::Usage(format!(
                "--as device: this client has no cached operator token for device {} (nothing to test; the CLI uses its shared secret)",
                identity.device_id()
            ))
        })?;
    let description = format!(
        "device {} with its cached device token {} (no shared secret)",
        identity.device_id(),
        cached.token.fingerprint()
    );
    opts.credential = Credential::None;
    opts.scopes = cached.scopes.clone();
    opts.device = Some((identity, Some(cached.token.expose().to_string())));
    Ok(description)
}
