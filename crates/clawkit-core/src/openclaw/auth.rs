//! Which shared secret (token or password) each side of a connection uses, and where it came
//! from, resolved with OpenClaw 2026.9's precedence:
//!
//! - gateway: `--token` > `gateway.auth.token` > `OPENCLAW_GATEWAY_TOKEN` ("config first");
//! - CLI in local mode: `--token` > `gateway.auth.token` > `OPENCLAW_GATEWAY_TOKEN` >
//!   `gateway.remote.token` (the last only when `gateway.auth.token` is not configured);
//! - CLI in remote mode: `gateway.remote.token` > `OPENCLAW_GATEWAY_TOKEN` > `gateway.auth.token`
//!   (passwords: the env var first);
//! - an explicit `--url` (or `OPENCLAW_GATEWAY_URL`): only the flags (or the env vars).
//!
//! Secret values stay inside [`Secret`]; everything outside sees a fingerprint.

use super::config::{LoadedConfig, Origin};
use crate::env::Env;
use crate::secret::fingerprint;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretKind {
    Token,
    Password,
    /// A per-device token issued by the gateway.
    DeviceToken,
}

impl SecretKind {
    pub fn word(self) -> &'static str {
        match self {
            SecretKind::Token => "token",
            SecretKind::Password => "password",
            SecretKind::DeviceToken => "device token",
        }
    }
    pub(crate) fn env_var(self) -> &'static str {
        match self {
            SecretKind::Token | SecretKind::DeviceToken => "OPENCLAW_GATEWAY_TOKEN",
            SecretKind::Password => "OPENCLAW_GATEWAY_PASSWORD",
        }
    }
}

/// Where a secret was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretOrigin {
    /// A config key, with the file and line that set it.
    Config { key: String, origin: Origin },
    /// An environment variable (`scope` says whose: "shell", "gateway process", a unit file).
    Env { name: String, scope: String },
    /// A command-line flag.
    Flag { name: String },
    /// OpenClaw's state (a table or file), for device tokens.
    State { location: String },
}

impl fmt::Display for SecretOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SecretOrigin::Config { key, origin } => write!(f, "{key} ({origin})"),
            SecretOrigin::Env { name, scope } => write!(f, "{name} ({scope})"),
            SecretOrigin::Flag { name } => write!(f, "{name} flag"),
            SecretOrigin::State { location } => write!(f, "{location}"),
        }
    }
}

/// A secret value with its source. `Debug` and `Display` never show the value.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret {
    pub kind: SecretKind,
    pub origin: SecretOrigin,
    value: String,
}

impl Secret {
    pub fn new(kind: SecretKind, origin: SecretOrigin, value: impl Into<String>) -> Secret {
        Secret {
            kind,
            origin,
            value: value.into(),
        }
    }
    pub fn fingerprint(&self) -> String {
        fingerprint(&self.value)
    }
    pub fn same_value(&self, other: &Secret) -> bool {
        self.value == other.value
    }
    /// The value itself: for a connection or a file the engine writes, never for output.
    pub fn expose(&self) -> &str {
        &self.value
    }
    pub fn len(&self) -> usize {
        self.value.chars().count()
    }
    pub fn is_empty(&self) -> bool {
        self.value.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Secret({} {} from {})",
            self.kind.word(),
            self.fingerprint(),
            self.origin
        )
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} from {}", self.fingerprint(), self.origin)
    }
}

/// The auth mode a gateway runs with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthMode {
    None,
    Token,
    Password,
    TrustedProxy,
    /// Both a token and a password and no explicit mode: the gateway refuses to start.
    Ambiguous,
    /// A value OpenClaw does not know.
    Unknown(String),
}

/// What one side would use: every candidate in precedence order, the first one wins.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub side: String,
    pub mode: AuthMode,
    pub tokens: Vec<Secret>,
    pub passwords: Vec<Secret>,
}

impl Credentials {
    pub fn token(&self) -> Option<&Secret> {
        self.tokens.first()
    }
    pub fn password(&self) -> Option<&Secret> {
        self.passwords.first()
    }
    /// The secret this side sends (client) or checks (gateway) under `mode`.
    pub fn effective(&self, mode: &AuthMode) -> Option<&Secret> {
        match mode {
            AuthMode::Password => self.password(),
            _ => self.token(),
        }
    }
}

/// What goes into `connect.params.auth` for `secret` under the gateway's `mode`.
pub fn as_credential(secret: Option<&Secret>, mode: &AuthMode) -> crate::gateway::Credential {
    use crate::gateway::Credential;
    match (secret, mode) {
        (Some(s), AuthMode::Password) => Credential::Password(s.expose().to_string()),
        (Some(s), _) => Credential::Token(s.expose().to_string()),
        (None, _) => Credential::None,
    }
}

/// The shared secret the local `openclaw` CLI sends to the local gateway, and its
/// description (fingerprint and source) — what clawkit connects with to see what the CLI sees.
pub fn local_cli_credential(
    config: &LoadedConfig,
    env: &Env,
) -> (crate::gateway::Credential, Option<String>) {
    let mode = client_mode(config, env);
    let client = client_credentials(config, env, &mode, &[]);
    let gateway_mode = gateway_credentials(config, env, "this shell", &[]).mode;
    let secret = client.effective(&gateway_mode);
    (
        as_credential(secret, &gateway_mode),
        secret.map(|s| s.to_string()),
    )
}

/// An admin action found no shared secret to send.
#[derive(Debug, thiserror::Error)]
#[error(
    "{what} needs the gateway's shared secret, and this client has none configured: pass --token (or set OPENCLAW_GATEWAY_TOKEN for this command)"
)]
pub struct NoSharedSecret {
    pub what: String,
}

/// The gateway's shared secret for an admin action on the local gateway (a restart request,
/// a device rotation): `given` when the user passed one, else this client's configured one,
/// else what this host's config gives the gateway. `what` names the action for the error.
pub fn admin_credential(
    config: &LoadedConfig,
    env: &Env,
    given: &crate::gateway::Credential,
    what: &str,
) -> Result<crate::gateway::Credential, NoSharedSecret> {
    use crate::gateway::Credential;
    let shared = match given {
        Credential::None => {
            let mode = client_mode(config, env);
            let client = client_credentials(config, env, &mode, &[]);
            let gateway = gateway_credentials(config, env, "this shell", &[]);
            let auth_mode = gateway.mode.clone();
            as_credential(
                client
                    .effective(&auth_mode)
                    .or(gateway.effective(&auth_mode)),
                &auth_mode,
            )
        }
        given => given.clone(),
    };
    if matches!(shared, Credential::None) {
        return Err(NoSharedSecret {
            what: what.to_string(),
        });
    }
    Ok(shared)
}

/// A secret the user gave on the command line (`--token`/`--password`), as a [`Secret`]
/// that says where it came from; `None` for [`Credential::None`](crate::gateway::Credential).
pub fn given_secret(given: &crate::gateway::Credential) -> Option<Secret> {
    use crate::gateway::Credential;
    let (kind, flag, value) = match given {
        Credential::Token(t) => (SecretKind::Token, "--token", t),
        Credential::Password(p) => (SecretKind::Password, "--password", p),
        Credential::None => return None,
    };
    Some(Secret::new(
        kind,
        SecretOrigin::Flag { name: flag.into() },
        value.as_str(),
    ))
}

/// The config key the CLI reads first in `mode` for a secret of `kind`: where a secret must
/// be written so the CLI sends it, whatever else the config or the shell holds (except a
/// remote-mode password, which OpenClaw takes from the shell first). `None` with an explicit
/// URL: the CLI then reads only the environment.
pub fn pin_key(mode: &ClientMode, kind: SecretKind) -> Option<&'static str> {
    match (mode, kind) {
        (ClientMode::Local, SecretKind::Password) => Some("gateway.auth.password"),
        (ClientMode::Local, _) => Some("gateway.auth.token"),
        (ClientMode::Remote, SecretKind::Password) => Some("gateway.remote.password"),
        (ClientMode::Remote, _) => Some("gateway.remote.token"),
        (ClientMode::ExplicitUrl, _) => None,
    }
}

/// The gateway refused a secret the user gave: nothing was written with it.
#[derive(Debug, thiserror::Error)]
#[error(
    "the gateway at {url} refused the {word} you gave ({fingerprint}): {reason}; no file changed"
)]
pub struct GivenSecretRefused {
    pub url: String,
    /// "token" or "password".
    pub word: &'static str,
    pub fingerprint: String,
    /// The gateway's verdict, in its words.
    pub reason: String,
    /// The command to run again with the right secret.
    pub next: String,
}

fn config_secret(config: &LoadedConfig, key: &str, kind: SecretKind) -> Option<Secret> {
    let node = config.get(key)?;
    let value = node.as_str()?.trim();
    if value.is_empty() {
        return None;
    }
    Some(Secret::new(
        kind,
        SecretOrigin::Config {
            key: key.to_string(),
            origin: node.origin.clone(),
        },
        value,
    ))
}

fn env_secret(env: &Env, kind: SecretKind, scope: &str) -> Option<Secret> {
    let value = env.raw(kind.env_var())?.trim();
    (!value.is_empty()).then(|| {
        Secret::new(
            kind,
            SecretOrigin::Env {
                name: kind.env_var().to_string(),
                scope: scope.to_string(),
            },
            value,
        )
    })
}

/// The gateway's auth mode from its config (explicit, or inferred from the secrets present).
pub fn gateway_mode(config: &LoadedConfig, env: &Env) -> AuthMode {
    match config.str("gateway.auth.mode") {
        Some("none") => AuthMode::None,
        Some("token") => AuthMode::Token,
        Some("password") => AuthMode::Password,
        Some("trusted-proxy") => AuthMode::TrustedProxy,
        Some(other) => AuthMode::Unknown(other.to_string()),
        None => {
            let token = config_secret(config, "gateway.auth.token", SecretKind::Token)
                .or_else(|| env_secret(env, SecretKind::Token, ""));
            let password = config_secret(config, "gateway.auth.password", SecretKind::Password)
                .or_else(|| env_secret(env, SecretKind::Password, ""));
            match (token, password) {
                (Some(_), Some(_)) => AuthMode::Ambiguous,
                (None, Some(_)) => AuthMode::Password,
                _ => AuthMode::Token,
            }
        }
    }
}

/// What the gateway checks: `--token`/`--password` flags (from a service's command line, when
/// known) > config > the gateway process's environment.
pub fn gateway_credentials(
    config: &LoadedConfig,
    gateway_env: &Env,
    env_scope: &str,
    flags: &[Secret],
) -> Credentials {
    let mut tokens: Vec<Secret> = flags
        .iter()
        .filter(|s| s.kind == SecretKind::Token)
        .cloned()
        .collect();
    let mut passwords: Vec<Secret> = flags
        .iter()
        .filter(|s| s.kind == SecretKind::Password)
        .cloned()
        .collect();
    tokens.extend(config_secret(
        config,
        "gateway.auth.token",
        SecretKind::Token,
    ));
    tokens.extend(env_secret(gateway_env, SecretKind::Token, env_scope));
    passwords.extend(config_secret(
        config,
        "gateway.auth.password",
        SecretKind::Password,
    ));
    passwords.extend(env_secret(gateway_env, SecretKind::Password, env_scope));
    Credentials {
        side: "gateway".into(),
        mode: gateway_mode(config, gateway_env),
        tokens,
        passwords,
    }
}

/// How the CLI reaches the gateway.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientMode {
    /// `gateway.mode` local (or unset): loopback at the resolved port.
    Local,
    /// `gateway.mode = "remote"`: `gateway.remote.url`.
    Remote,
    /// An explicit `--url` (or `OPENCLAW_GATEWAY_URL`).
    ExplicitUrl,
}

/// Where the CLI connects in `mode` (`None` in remote mode without `gateway.remote.url`).
pub fn client_url(
    paths: &super::install::InstallPaths,
    config: &LoadedConfig,
    env: &Env,
    mode: &ClientMode,
) -> Option<String> {
    match mode {
        ClientMode::Remote => config.str("gateway.remote.url").map(str::to_string),
        ClientMode::ExplicitUrl => env.get("OPENCLAW_GATEWAY_URL").map(str::to_string),
        ClientMode::Local => Some(paths.local_url(config, env)),
    }
}

/// The mode the CLI will use with this config and environment.
pub fn client_mode(config: &LoadedConfig, env: &Env) -> ClientMode {
    if env.get("OPENCLAW_GATEWAY_URL").is_some() {
        ClientMode::ExplicitUrl
    } else if config.str("gateway.mode") == Some("remote") {
        ClientMode::Remote
    } else {
        ClientMode::Local
    }
}

/// What the `openclaw` CLI would send, in `mode`. `flags` are `--token`/`--password` given on
/// the command line.
pub fn client_credentials(
    config: &LoadedConfig,
    env: &Env,
    mode: &ClientMode,
    flags: &[Secret],
) -> Credentials {
    use SecretKind::{Password, Token};
    let mut tokens: Vec<Secret> = flags.iter().filter(|s| s.kind == Token).cloned().collect();
    let mut passwords: Vec<Secret> = flags
        .iter()
        .filter(|s| s.kind == Password)
        .cloned()
        .collect();
    let side;
    match mode {
        ClientMode::Local => {
            side = "CLI (local mode)";
            let auth_token = config_secret(config, "gateway.auth.token", Token);
            let has_auth_token = auth_token.is_some();
            tokens.extend(auth_token);
            tokens.extend(env_secret(env, Token, "shell"));
            if !has_auth_token {
                tokens.extend(config_secret(config, "gateway.remote.token", Token));
            }
            let auth_password = config_secret(config, "gateway.auth.password", Password);
            let has_auth_password = auth_password.is_some();
            passwords.extend(auth_password);
            passwords.extend(env_secret(env, Password, "shell"));
            if !has_auth_password {
                passwords.extend(config_secret(config, "gateway.remote.password", Password));
            }
        }
        ClientMode::Remote => {
            side = "CLI (remote mode)";
            tokens.extend(config_secret(config, "gateway.remote.token", Token));
            tokens.extend(env_secret(env, Token, "shell"));
            tokens.extend(config_secret(config, "gateway.auth.token", Token));
            passwords.extend(env_secret(env, Password, "shell"));
            passwords.extend(config_secret(config, "gateway.remote.password", Password));
            passwords.extend(config_secret(config, "gateway.auth.password", Password));
        }
        ClientMode::ExplicitUrl => {
            side = "CLI (explicit URL)";
            if env.get("OPENCLAW_GATEWAY_URL").is_some() && flags.is_empty() {
                tokens.extend(env_secret(env, Token, "shell"));
                passwords.extend(env_secret(env, Password, "shell"));
            }
        }
    }
    Credentials {
        side: side.into(),
        mode: gateway_mode(config, env),
        tokens,
        passwords,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::openclaw::config::load;

    fn cfg(text: &str) -> (tempfile::TempDir, LoadedConfig) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("openclaw.json");
        std::fs::write(&path, text).unwrap();
        let loaded = load(&path, &Env::default()).unwrap();
        (dir, loaded)
    }

    fn winner(c: &Credentials) -> String {
        match &c.token().unwrap().origin {
            SecretOrigin::Config { key, .. } => key.clone(),
            SecretOrigin::Env { name, .. } => name.clone(),
            SecretOrigin::Flag { name } => name.clone(),
            SecretOrigin::State { location } => location.clone(),
        }
    }

    #[test]
    fn gateway_is_config_first() {
        let (_d, c) = cfg("{ gateway: { auth: { token: 'CFG' } } }");
        let env = Env::from_pairs([("OPENCLAW_GATEWAY_TOKEN", "ENV")]);
        let g = gateway_credentials(&c, &env, "gateway process", &[]);
        assert_eq!(winner(&g), "gateway.auth.token");
        assert_eq!(g.tokens.len(), 2);
        let flag = Secret::new(
            SecretKind::Token,
            SecretOrigin::Flag {
                name: "--token".into(),
            },
            "F",
        );
        assert_eq!(
            winner(&gateway_credentials(&c, &env, "", &[flag])),
            "--token"
        );
        let (_d, empty) = cfg("{}");
        assert_eq!(
            winner(&gateway_credentials(&empty, &env, "", &[])),
            "OPENCLAW_GATEWAY_TOKEN"
        );
    }

    #[test]
    fn local_cli_precedence() {
        let env = Env::from_pairs([("OPENCLAW_GATEWAY_TOKEN", "ENV")]);
        let (_d, c) = cfg("{ gateway: { auth: { token: 'A' }, remote: { token: 'R' } } }");
        let l = client_credentials(&c, &env, &ClientMode::Local, &[]);
        assert_eq!(winner(&l), "gateway.auth.token");
        // remote.token is not a candidate while gateway.auth.token is configured.
        assert_eq!(l.tokens.len(), 2);
        let (_d, c) = cfg("{ gateway: { remote: { token: 'R' } } }");
        assert_eq!(
            winner(&client_credentials(&c, &env, &ClientMode::Local, &[])),
            "OPENCLAW_GATEWAY_TOKEN"
        );
        let l = client_credentials(&c, &Env::default(), &ClientMode::Local, &[]);
        assert_eq!(winner(&l), "gateway.remote.token");
    }

    #[test]
    fn remote_cli_precedence() {
        let env = Env::from_pairs([
            ("OPENCLAW_GATEWAY_TOKEN", "ENV"),
            ("OPENCLAW_GATEWAY_PASSWORD", "PENV"),
        ]);
        let (_d, c) = cfg(
            "{ gateway: { mode: 'remote', auth: { token: 'A', password: 'AP' }, remote: { token: 'R', password: 'RP' } } }",
        );
        assert_eq!(client_mode(&c, &Env::default()), ClientMode::Remote);
        let r = client_credentials(&c, &env, &ClientMode::Remote, &[]);
        assert_eq!(winner(&r), "gateway.remote.token");
        assert!(matches!(
            &r.password().unwrap().origin,
            SecretOrigin::Env { .. }
        ));
        let (_d, c) = cfg("{ gateway: { mode: 'remote', auth: { token: 'A' } } }");
        assert_eq!(
            winner(&client_credentials(&c, &env, &ClientMode::Remote, &[])),
            "OPENCLAW_GATEWAY_TOKEN"
        );
        assert_eq!(
            winner(&client_credentials(
                &c,
                &Env::default(),
                &ClientMode::Remote,
                &[]
            )),
            "gateway.auth.token"
        );
    }

    #[test]
    fn explicit_url_ignores_config_and_env() {
        let env = Env::from_pairs([("OPENCLAW_GATEWAY_TOKEN", "ENV")]);
        let (_d, c) = cfg("{ gateway: { auth: { token: 'A' } } }");
        assert!(
            client_credentials(&c, &env, &ClientMode::ExplicitUrl, &[])
                .token()
                .is_none()
        );
        let url_env = Env::from_pairs([
            ("OPENCLAW_GATEWAY_TOKEN", "ENV"),
            ("OPENCLAW_GATEWAY_URL", "ws://h:1"),
        ]);
        assert_eq!(client_mode(&c, &url_env), ClientMode::ExplicitUrl);
        assert_eq!(
            winner(&client_credentials(
                &c,
                &url_env,
                &ClientMode::ExplicitUrl,
                &[]
            )),
            "OPENCLAW_GATEWAY_TOKEN"
        );
    }

    #[test]
    fn modes() {
        let (_d, c) = cfg("{ gateway: { auth: { token: 'A', password: 'B' } } }");
        assert_eq!(gateway_mode(&c, &Env::default()), AuthMode::Ambiguous);
        let (_d, c) = cfg("{ gateway: { auth: { password: 'B' } } }");
        assert_eq!(gateway_mode(&c, &Env::default()), AuthMode::Password);
        let (_d, c) = cfg("{ gateway: { auth: { mode: 'magic' } } }");
        assert_eq!(
            gateway_mode(&c, &Env::default()),
            AuthMode::Unknown("magic".into())
        );
    }

    #[test]
    fn secrets_never_print_their_value() {
        let s = Secret::new(
            SecretKind::Token,
            SecretOrigin::Flag {
                name: "--token".into(),
            },
            "VERY-SECRET-VALUE",
        );
        assert!(!format!("{s} {s:?}").contains("VERY-SECRET-VALUE"));
    }
}
