//! `status`: which token is wrong. Every shared-secret source on both sides (fingerprints, and
//! which one is in effect), the gateway's live verdict on what the client sends, each cached
//! device token with the gateway's own verdict, the paired devices with their token times,
//! and the pending requests, as one typed view model. It serializes to the `--json`
//! document; the CLI's text reads the same fields.
//!
//! The handshakes happen first ([`status`]); the model is then built from what they returned
//! and the state rows by pure functions, which the unit tests drive with hand-made rows.

use super::local::Local;
use crate::error::Error;
use crate::gateway::device::check_token;
use crate::gateway::{ConnectOptions, DeviceIdentity, Verdict, connect};
use crate::openclaw::auth::{
    AuthMode, Credentials, Secret, SecretKind, as_credential, client_credentials, client_mode,
    gateway_credentials,
};
use crate::openclaw::state::{CachedToken, DeviceState, PairedDevice, PendingRequest};
use crate::target::Target;
use serde::{Serialize, Serializer};
use std::time::Duration;

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenStatus {
    /// The gateway, as the CLI reaches it in its mode.
    pub url: String,
    /// Whether it runs on this machine. When it does not (remote mode, a URL elsewhere), its
    /// secret and pairing state are on the gateway host: `gateway` and `paired`/`pending` are
    /// empty and only its live verdicts speak for it.
    pub gateway_here: bool,
    /// The gateway's auth mode.
    #[serde(serialize_with = "mode_word")]
    pub auth_mode: AuthMode,
    /// What the gateway checks, in precedence order.
    pub gateway: Vec<SecretRow>,
    /// What the client sends, in precedence order.
    pub client: ClientSide,
    /// Whether the secret the client sends is the one the gateway checks, by this host's
    /// config (`None` when either side has none).
    pub agree_in_config: Option<bool>,
    /// The gateway's verdict on the secret the client sends (`None`: it sends none).
    pub live: Option<LiveCheck>,
    pub local_device: Option<String>,
    /// What the CLI will actually authenticate with.
    pub client_auth: ClientAuth,
    pub cached_tokens: Vec<CachedRow>,
    pub paired: Vec<PairedRow>,
    pub pending: Vec<PendingRequestRow>,
    /// Paired browser (Control UI) devices other than the one used last, oldest first: each
    /// private window or fresh profile pairs a new one, and the old ones stay listed.
    pub older_browsers: Vec<String>,
    /// Why the device state could not be read (the device rows are then empty).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state_error: Option<String>,
}

impl TokenStatus {
    /// Something here keeps a client out, or waits for a person.
    pub fn problems(&self) -> bool {
        self.live.as_ref().is_some_and(|l| !l.verdict.is_ok())
            || self.cached_tokens.iter().any(|c| c.stale)
            || self.client_auth == ClientAuth::None
            || !self.pending.is_empty()
    }

    /// A fresh token for this client would help (`gateway token rotate`).
    pub fn needs_rotate(&self) -> bool {
        self.client_auth == ClientAuth::None || self.cached_tokens.iter().any(|c| c.stale)
    }
}

/// One candidate secret of one side.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SecretRow {
    /// `token`, `password` or `devicetoken`.
    pub kind: &'static str,
    pub fingerprint: String,
    pub source: String,
    /// The one this side uses; the others lose to a source before them.
    pub in_effect: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct ClientSide {
    /// "CLI (local mode)", …
    pub side: String,
    pub secrets: Vec<SecretRow>,
}

/// The gateway's answer to the client's shared secret. Serializes as its verdict.
#[derive(Debug, Clone)]
pub struct LiveCheck {
    pub verdict: Verdict,
    pub server_version: Option<String>,
    pub latency_ms: Option<u64>,
}

impl Serialize for LiveCheck {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.verdict.serialize(s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ClientAuth {
    SharedSecret,
    DeviceToken,
    StaleDeviceToken,
    None,
}

/// A device token this client cached.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CachedRow {
    pub device_id: String,
    pub role: String,
    pub fingerprint: String,
    pub cached_at: Option<i64>,
    /// The state says so (`reason`), or the gateway refused it.
    pub stale: bool,
    pub reason: Option<&'static str>,
    /// The gateway's verdict on it, when it is this client's own.
    #[serde(serialize_with = "verdict_name")]
    pub gateway_verdict: Option<Verdict>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PairedRow {
    pub device_id: String,
    /// `clientId/clientMode`, `?` for a part the state leaves out.
    pub client: String,
    pub roles: Vec<String>,
    pub approved_via: Option<String>,
    pub last_seen_at: Option<i64>,
    pub tokens: Vec<TokenTimes>,
}

/// When the gateway issued, rotated, revoked and last saw one token of a paired device.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenTimes {
    pub role: String,
    pub scopes: Vec<String>,
    pub created_at: Option<i64>,
    pub rotated_at: Option<i64>,
    pub revoked_at: Option<i64>,
    pub last_used_at: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PendingRequestRow {
    pub request_id: String,
    pub device_id: String,
    pub roles: Vec<String>,
    pub scopes: Vec<String>,
    /// The device is paired already and its key or requested access changed.
    pub repair: bool,
    pub at: Option<i64>,
}

fn mode_word<S: Serializer>(mode: &AuthMode, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format!("{mode:?}").to_lowercase())
}

fn verdict_name<S: Serializer>(v: &Option<Verdict>, s: S) -> Result<S::Ok, S::Error> {
    v.as_ref().map(Verdict::name).serialize(s)
}

/// Looks at both sides' secrets, asks the gateway about the one the client sends and about
/// this client's cached tokens (each handshake bounded by `timeout`), and reads the state.
pub async fn status(target: &Target, timeout: Duration) -> Result<TokenStatus, Error> {
    let local = Local::of(target)?;
    let mode = client_mode(&local.config, &target.env);
    let client = client_credentials(&local.config, &target.env, &mode, &[]);
    let mut gateway = gateway_credentials(&local.config, &target.env, "this shell", &[]);
    let auth_mode = gateway.mode.clone();
    if !local.here {
        gateway.tokens.clear();
        gateway.passwords.clear();
    }
    let sent = client.effective(&auth_mode);
    let live = match sent {
        Some(secret) => Some(live_check(local.options(timeout), secret, &auth_mode).await),
        None => None,
    };
    let state = local.device_state().await.map_err(|e| e.to_string());
    let identity = local.identity_if_any().await.ok().flatten();
    let verdicts = match (&state, &identity) {
        (Ok(state), Some(id)) => own_verdicts(&local.options(timeout), id, state).await,
        _ => Vec::new(),
    };
    let devices = match &state {
        Ok(state) if local.here => devices(state, &verdicts),
        Ok(state) => Devices {
            cached: devices(state, &verdicts).cached,
            ..Devices::default()
        },
        Err(_) => Devices::default(),
    };
    let own = identity.as_ref().map(|i| i.device_id().to_string());
    Ok(TokenStatus {
        client_auth: client_auth(sent.is_some(), own.as_deref(), &devices.cached),
        agree_in_config: agree(sent, gateway.effective(&auth_mode)),
        gateway: secret_rows(&gateway, &auth_mode),
        client: ClientSide {
            side: client.side.clone(),
            secrets: secret_rows(&client, &auth_mode),
        },
        url: local.url,
        gateway_here: local.here,
        auth_mode,
        live,
        local_device: own,
        cached_tokens: devices.cached,
        older_browsers: older_browsers(&devices.paired),
        paired: devices.paired,
        pending: devices.pending,
        state_error: state.err(),
    })
}

async fn live_check(mut opts: ConnectOptions, secret: &Secret, mode: &AuthMode) -> LiveCheck {
    opts.credential = as_credential(Some(secret), mode);
    match connect(&opts).await {
        Ok(c) => {
            let hello = c.hello.clone();
            c.close().await;
            LiveCheck {
                verdict: Verdict::Ok,
                server_version: hello.server_version,
                latency_ms: Some(hello.latency_ms),
            }
        }
        Err(verdict) => LiveCheck {
            verdict,
            server_version: None,
            latency_ms: None,
        },
    }
}

/// The gateway's verdict on each cached token, in the state's order; `None` for a token of
/// another identity (it cannot be presented from here).
async fn own_verdicts(
    base: &ConnectOptions,
    identity: &DeviceIdentity,
    state: &DeviceState,
) -> Vec<Option<Verdict>> {
    let mut verdicts = Vec::new();
    for cached in &state.cached_tokens {
        verdicts.push(if cached.device_id == identity.device_id() {
            let (token, role) = (cached.token.expose(), &cached.role);
            Some(check_token(base, identity, token, role, &cached.scopes).await)
        } else {
            None
        });
    }
    verdicts
}

fn kind_word(kind: SecretKind) -> &'static str {
    match kind {
        SecretKind::Token => "token",
        SecretKind::Password => "password",
        SecretKind::DeviceToken => "devicetoken",
    }
}

/// Every candidate of one side, tokens then passwords, marking the one in effect under `mode`.
pub(super) fn secret_rows(c: &Credentials, mode: &AuthMode) -> Vec<SecretRow> {
    let effective = c.effective(mode);
    c.tokens
        .iter()
        .chain(c.passwords.iter())
        .map(|s| SecretRow {
            kind: kind_word(s.kind),
            fingerprint: s.fingerprint(),
            source: s.origin.to_string(),
            in_effect: effective.is_some_and(|e| std::ptr::eq(e, s)),
        })
        .collect()
}

fn agree(sent: Option<&Secret>, checked: Option<&Secret>) -> Option<bool> {
    Some(sent?.same_value(checked?))
}

/// What the CLI authenticates with: its shared secret when it has one, else its own cached
/// operator token (stale or not), else nothing.
pub(super) fn client_auth(
    sends_secret: bool,
    own: Option<&str>,
    cached: &[CachedRow],
) -> ClientAuth {
    if sends_secret {
        return ClientAuth::SharedSecret;
    }
    let own_cached = own.and_then(|id| {
        cached
            .iter()
            .find(|c| c.device_id == id && c.role == "operator")
    });
    match own_cached {
        Some(c) if !c.stale => ClientAuth::DeviceToken,
        Some(_) => ClientAuth::StaleDeviceToken,
        None => ClientAuth::None,
    }
}

#[derive(Debug, Default)]
pub(super) struct Devices {
    pub cached: Vec<CachedRow>,
    pub paired: Vec<PairedRow>,
    pub pending: Vec<PendingRequestRow>,
}

/// The device rows, from the state and the gateway's verdicts on the cached tokens (aligned
/// with `state.cached_tokens`; missing entries are tokens nobody asked about).
pub(super) fn devices(state: &DeviceState, verdicts: &[Option<Verdict>]) -> Devices {
    let stale = state.stale_cached_tokens();
    let cached = state
        .cached_tokens
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let reason = stale
                .iter()
                .find(|(s, _)| std::ptr::eq(*s, c))
                .map(|(_, why)| *why);
            cached_row(c, reason, verdicts.get(i).cloned().flatten())
        })
        .collect();
    Devices {
        cached,
        paired: state.paired.iter().map(paired_row).collect(),
        pending: state.pending.iter().map(pending_row).collect(),
    }
}

fn cached_row(
    c: &CachedToken,
    reason: Option<&'static str>,
    verdict: Option<Verdict>,
) -> CachedRow {
    let refused = matches!(verdict, Some(Verdict::DeviceTokenMismatch { .. }));
    CachedRow {
        device_id: c.device_id.clone(),
        role: c.role.clone(),
        fingerprint: c.token.fingerprint(),
        cached_at: c.updated_at_ms,
        stale: reason.is_some() || refused,
        reason,
        gateway_verdict: verdict,
    }
}

/// The client id the gateway's browser Control UI pairs as.
const CONTROL_UI: &str = "openclaw-control-ui/";

/// The Control UI devices but the most recently active one, oldest first.
pub fn older_browsers(paired: &[PairedRow]) -> Vec<String> {
    let active = |d: &PairedRow| {
        d.tokens
            .iter()
            .filter_map(|t| t.last_used_at.or(t.created_at))
            .chain(d.last_seen_at)
            .max()
            .unwrap_or(0)
    };
    let mut browsers: Vec<(i64, &str)> = paired
        .iter()
        .filter(|d| d.client.starts_with(CONTROL_UI))
        .map(|d| (active(d), d.device_id.as_str()))
        .collect();
    browsers.sort();
    browsers.pop();
    browsers.into_iter().map(|(_, id)| id.to_string()).collect()
}

fn paired_row(d: &PairedDevice) -> PairedRow {
    let part = |s: &Option<String>| s.clone().unwrap_or_else(|| "?".into());
    PairedRow {
        device_id: d.device_id.clone(),
        client: format!("{}/{}", part(&d.client_id), part(&d.client_mode)),
        roles: d.roles.clone(),
        approved_via: d.approved_via.clone(),
        last_seen_at: d.last_seen_at_ms,
        tokens: d
            .tokens
            .iter()
            .map(|t| TokenTimes {
                role: t.role.clone(),
                scopes: t.scopes.clone(),
                created_at: t.created_at_ms,
                rotated_at: t.rotated_at_ms,
                revoked_at: t.revoked_at_ms,
                last_used_at: t.last_used_at_ms,
            })
            .collect(),
    }
}

fn pending_row(p: &PendingRequest) -> PendingRequestRow {
    PendingRequestRow {
        request_id: p.request_id.clone(),
        device_id: p.device_id.clone(),
        roles: p.roles.clone(),
        scopes: p.scopes.clone(),
        repair: p.is_repair,
        at: p.ts_ms,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::openclaw::auth::SecretOrigin;
    use crate::openclaw::state::PendingRequest;
    use crate::tokens::testing::{cached, issued, paired, secret, state};

    fn mismatch() -> Verdict {
        Verdict::DeviceTokenMismatch {
            message: "device token mismatch".into(),
        }
    }

    /// This client's operator token cached before the gateway's last rotation, another
    /// device's cached token still current, and a pending repair request.
    fn rotated_under_us() -> DeviceState {
        let mut rotated = issued("operator", &["operator.admin"]);
        rotated.rotated_at_ms = Some(3_000);
        let mut s = state(
            vec![
                cached("me", "operator", &["operator.admin"]),
                cached("other", "operator", &[]),
            ],
            vec![
                paired("me", vec![rotated]),
                paired("other", vec![issued("operator", &[])]),
            ],
        );
        s.pending.push(PendingRequest {
            request_id: "req-1".into(),
            device_id: "new".into(),
            client_id: None,
            client_mode: None,
            roles: vec!["operator".into()],
            scopes: vec!["operator.admin".into()],
            is_repair: true,
            silent: false,
            ts_ms: Some(4_000),
        });
        s
    }

    #[test]
    fn device_rows_carry_the_state_and_the_gateways_verdicts() {
        let s = rotated_under_us();
        let d = devices(&s, &[Some(mismatch()), None]);
        let [mine, theirs] = &d.cached[..] else {
            panic!("{:?}", d.cached)
        };
        assert!(mine.stale);
        assert_eq!(
            mine.reason,
            Some("cached before the gateway's last rotation")
        );
        assert_eq!(mine.gateway_verdict, Some(mismatch()));
        assert_eq!(mine.fingerprint, secret("cached-me-operator").fingerprint());
        assert!(!theirs.stale && theirs.reason.is_none() && theirs.gateway_verdict.is_none());
        assert_eq!(d.paired[0].client, "cli/cli");
        assert_eq!(d.paired[0].tokens[0].rotated_at, Some(3_000));
        assert!(d.pending[0].repair);
    }

    #[test]
    fn a_refused_token_is_stale_even_when_the_state_looks_current() {
        let s = state(
            vec![cached("me", "operator", &[])],
            vec![paired("me", vec![issued("operator", &[])])],
        );
        assert!(!devices(&s, &[None]).cached[0].stale);
        assert!(devices(&s, &[Some(mismatch())]).cached[0].stale);
        // A verdict other than a token mismatch (the gateway is down) says nothing about it.
        let down = Verdict::ConnectionRefused {
            detail: "refused".into(),
        };
        assert!(!devices(&s, &[Some(down)]).cached[0].stale);
    }

    #[test]
    fn what_the_cli_authenticates_with() {
        let d = devices(&rotated_under_us(), &[Some(mismatch()), None]);
        assert_eq!(
            client_auth(true, Some("me"), &d.cached),
            ClientAuth::SharedSecret
        );
        assert_eq!(
            client_auth(false, Some("me"), &d.cached),
            ClientAuth::StaleDeviceToken
        );
        assert_eq!(
            client_auth(false, Some("other"), &d.cached),
            ClientAuth::DeviceToken
        );
        assert_eq!(
            client_auth(false, Some("nobody"), &d.cached),
            ClientAuth::None
        );
        assert_eq!(client_auth(false, None, &d.cached), ClientAuth::None);
    }

    #[test]
    fn the_secret_in_effect_is_the_first_of_its_kind() {
        let origin = |name: &str| SecretOrigin::Flag { name: name.into() };
        let c = Credentials {
            side: "gateway".into(),
            mode: AuthMode::Token,
            tokens: vec![
                Secret::new(SecretKind::Token, origin("--token"), "a"),
                Secret::new(SecretKind::Token, origin("env"), "b"),
            ],
            passwords: vec![Secret::new(SecretKind::Password, origin("--password"), "p")],
        };
        let in_effect =
            |mode| -> Vec<bool> { secret_rows(&c, &mode).iter().map(|r| r.in_effect).collect() };
        assert_eq!(in_effect(AuthMode::Token), [true, false, false]);
        assert_eq!(in_effect(AuthMode::Password), [false, false, true]);
        assert_eq!(secret_rows(&c, &AuthMode::Token)[2].kind, "password");
    }

    /// Of three browser devices the two not used last are offered for removal, oldest
    /// first; a CLI device never is.
    #[test]
    fn older_browser_devices_are_the_ones_not_used_last() {
        let row = |id: &str, client: &str, seen: i64| PairedRow {
            device_id: id.into(),
            client: client.into(),
            roles: vec!["operator".into()],
            approved_via: None,
            last_seen_at: Some(seen),
            tokens: Vec::new(),
        };
        let paired = [
            row("b2", "openclaw-control-ui/webchat", 20),
            row("cli", "cli/cli", 1),
            row("b3", "openclaw-control-ui/webchat", 30),
            row("b1", "openclaw-control-ui/webchat", 10),
        ];
        assert_eq!(older_browsers(&paired), ["b1", "b2"]);
        assert!(older_browsers(&paired[1..2]).is_empty());
    }

    /// The field names and value shapes `--json` has always had (docs, scripts, the tests).
    #[test]
    fn the_json_document_keeps_its_shape() {
        let s = rotated_under_us();
        let d = devices(&s, &[Some(mismatch()), None]);
        let status = TokenStatus {
            url: "ws://127.0.0.1:18789".into(),
            gateway_here: true,
            auth_mode: AuthMode::Token,
            gateway: Vec::new(),
            client: ClientSide {
                side: "CLI (local mode)".into(),
                secrets: Vec::new(),
            },
            agree_in_config: Some(true),
            live: Some(LiveCheck {
                verdict: Verdict::Ok,
                server_version: Some("2026.9.6".into()),
                latency_ms: Some(3),
            }),
            local_device: Some("me".into()),
            client_auth: ClientAuth::StaleDeviceToken,
            cached_tokens: d.cached,
            paired: d.paired,
            pending: d.pending,
            older_browsers: Vec::new(),
            state_error: None,
        };
        let doc = serde_json::to_value(&status).unwrap();
        let keys: Vec<&str> = doc
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            [
                "agreeInConfig",
                "authMode",
                "cachedTokens",
                "client",
                "clientAuth",
                "gateway",
                "gatewayHere",
                "live",
                "localDevice",
                "olderBrowsers",
                "paired",
                "pending",
                "url"
            ]
        );
        assert_eq!(doc["authMode"], "token");
        assert_eq!(doc["live"], serde_json::json!({"verdict": "ok"}));
        assert_eq!(doc["clientAuth"], "stale-device-token");
        assert_eq!(
            doc["cachedTokens"][0]["gatewayVerdict"],
            "device token mismatch"
        );
        assert_eq!(doc["cachedTokens"][0]["cachedAt"], 2_000);
        assert_eq!(
            doc["cachedTokens"][1]["gatewayVerdict"],
            serde_json::Value::Null
        );
        assert_eq!(doc["paired"][0]["tokens"][0]["rotatedAt"], 3_000);
        assert_eq!(doc["pending"][0]["at"], 4_000);
        assert!(status.problems() && status.needs_rotate());
        assert!(!doc.to_string().contains("cached-me-operator"));
    }
}
