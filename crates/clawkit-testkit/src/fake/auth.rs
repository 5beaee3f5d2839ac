//! The handshake's decision: admit a `connect` request or reject it with the exact error frame
//! and close the real gateway sends, so `clawkit_core`'s `Verdict` comes out the same.
//!
//! The order of the checks and every message are 2026.9.6's (`openclaw-internals.md` §3.3–3.7;
//! dist `message-handler` → `admitGatewayConnect`, `authenticateGatewayConnectCore`,
//! `evaluateMissingDeviceIdentity`, `verifyGatewayConnectDeviceProof`,
//! `formatGatewayAuthFailureMessage`; `node-connect-reconcile` →
//! `resolveUnauthorizedHandshakeContext`). Device signatures are not verified: a device block
//! only has to be well formed and carry the challenge's nonce.

use super::ids;
use clawkit_core::gateway::Credential;
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};

/// Device tokens the fake accepts: the configured ones (from any device) and the ones it
/// issued by pairing (each for its own device).
#[derive(Debug, Default)]
pub(super) struct Devices {
    accepted: HashSet<String>,
    paired: HashMap<String, String>,
}

impl Devices {
    pub(super) fn new(tokens: &[String]) -> Devices {
        Devices {
            accepted: tokens.iter().cloned().collect(),
            paired: HashMap::new(),
        }
    }

    fn accepts(&self, device_id: &str, token: &str) -> bool {
        self.accepted.contains(token) || self.paired.get(device_id).is_some_and(|t| t == token)
    }

    fn is_paired(&self, device_id: &str) -> bool {
        self.paired.contains_key(device_id)
    }

    /// The device's token, issuing one the first time (silent pairing).
    pub(super) fn issue(&mut self, device_id: &str) -> String {
        self.paired
            .entry(device_id.to_string())
            .or_insert_with(ids::device_token)
            .clone()
    }
}

/// Everything the decision depends on besides the request itself.
pub(super) struct Gate<'a> {
    pub secret: &'a Credential,
    pub devices: &'a Devices,
    pub auto_pair: bool,
    pub nonce: &'a str,
    pub starting: bool,
    /// A planned restart is closing sessions (`rejectConnectForClosedAdmission`).
    pub draining: bool,
    /// The upgrade request's `Origin` header.
    pub origin: Option<&'a str>,
    pub port: u16,
}

/// A client let in, and what `hello-ok.auth` reports for it.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Admitted {
    /// `none`, `token`, `password` or `device-token`.
    pub method: String,
    pub role: String,
    pub scopes: Vec<String>,
    /// The device identity's id, when one was presented.
    pub device_id: Option<String>,
    /// The device token that authenticated the client, if that is how it got in.
    pub device_token: Option<String>,
}

impl Admitted {
    /// Authenticated by the shared token or password (such sessions end when it rotates).
    pub(super) fn by_shared_secret(&self) -> bool {
        matches!(self.method.as_str(), "token" | "password")
    }
}

/// A refused handshake: the `res.error` to send, then the close.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Rejection {
    /// `None` when the real gateway closes without a response frame.
    pub error: Option<Value>,
    pub close: (u16, String),
}

/// Close reasons are cut to this many bytes (`truncateCloseReason`).
const CLOSE_REASON_MAX_BYTES: usize = 120;

impl Rejection {
    fn new(error: Value, code: u16) -> Rejection {
        let message = error["message"].as_str().unwrap_or_default();
        Rejection {
            close: (code, truncate(message)),
            error: Some(error),
        }
    }
}

pub(super) fn truncate(reason: &str) -> String {
    let mut end = reason.len().min(CLOSE_REASON_MAX_BYTES);
    while !reason.is_char_boundary(end) {
        end -= 1;
    }
    reason[..end].to_string()
}

/// Decides one `connect` request (`params` is the request's `params`).
pub(super) fn decide(params: &Value, gate: &Gate) -> Result<Admitted, Rejection> {
    let connect = Connect::parse(params).map_err(|why| {
        let message = format!("invalid connect params: {why}");
        Rejection::new(json!({"code": "INVALID_REQUEST", "message": message}), 1008)
    })?;
    admit(&connect, gate)?;
    let shared = shared_secret(&connect, gate.secret);
    let Some(device) = &connect.device else {
        return without_device(&connect, gate, shared);
    };
    check_nonce(device, gate.nonce)?;
    let method = match shared {
        Ok(method) => method,
        Err(reason) => device_token_auth(&connect, device.id, gate.devices)
            .ok_or_else(|| unauthorized(&connect, reason))?,
    };
    if method != "device-token" && !gate.devices.is_paired(device.id) {
        let silent = gate.auto_pair && gate.origin.is_none();
        if !silent {
            return Err(pairing_required(&connect, device.id));
        }
    }
    Ok(Admitted {
        method: method.to_string(),
        role: connect.role.to_string(),
        scopes: connect.scopes.clone(),
        device_id: Some(device.id.to_string()),
        device_token: (method == "device-token").then(|| connect.device_token_candidate()),
    })
}

/// Restart drain, startup, protocol range, role and origin: the admission checks before any
/// credential.
fn admit(connect: &Connect, gate: &Gate) -> Result<(), Rejection> {
    if gate.draining {
        let error = json!({
            "code": "UNAVAILABLE",
            "message": "connect unavailable during gateway restart",
            "retryable": true,
            "retryAfterMs": 1000,
            "details": {"method": "connect", "reason": "gateway-restarting", "phase": "accepting"},
        });
        return Err(Rejection {
            error: Some(error),
            close: (1013, "gateway restart in progress".into()),
        });
    }
    if gate.starting {
        let error = json!({
            "code": "UNAVAILABLE",
            "message": "gateway starting; retry shortly",
            "retryable": true,
            "retryAfterMs": 500,
            "details": {"reason": "startup-sidecars"},
        });
        return Err(Rejection {
            error: Some(error),
            close: (1013, "gateway starting".into()),
        });
    }
    let (min, max) = (connect.min_protocol, connect.max_protocol);
    let current = max >= 4 && min <= 4;
    let probe = connect.client_mode == "probe" && max >= 3 && min <= 4;
    if !current && !probe {
        let error = json!({
            "code": "INVALID_REQUEST",
            "message": "protocol mismatch",
            "details": {"code": "PROTOCOL_MISMATCH", "clientMinProtocol": min, "clientMaxProtocol": max,
                        "expectedProtocol": 4, "minimumProbeProtocol": 3},
        });
        return Err(Rejection::new(error, 1002));
    }
    if connect.role != "operator" && connect.role != "node" {
        let error = json!({"code": "INVALID_REQUEST", "message": "invalid role"});
        return Err(Rejection::new(error, 1008));
    }
    match gate.origin {
        Some(origin) if !is_own_loopback_origin(origin, gate.port) => {
            let error = json!({
                "code": "INVALID_REQUEST",
                "message": "origin not allowed (open the Control UI from the gateway host or allow it in gateway.controlUi.allowedOrigins)",
                "details": {"code": "CONTROL_UI_ORIGIN_NOT_ALLOWED", "reason": "origin not allowed"},
            });
            Err(Rejection::new(error, 1008))
        }
        _ => Ok(()),
    }
}

fn is_own_loopback_origin(origin: &str, port: u16) -> bool {
    ["127.0.0.1", "localhost", "[::1]"]
        .iter()
        .any(|host| origin.eq_ignore_ascii_case(&format!("http://{host}:{port}")))
}

/// The shared-secret check: the auth method on success (`none` in auth mode none), the
/// failure reason otherwise.
fn shared_secret(connect: &Connect, secret: &Credential) -> Result<&'static str, &'static str> {
    let (expected, given, method) = match secret {
        Credential::None => return Ok("none"),
        Credential::Token(t) => (t, connect.token, "token"),
        Credential::Password(p) => (p, connect.password, "password"),
    };
    match given {
        Some(given) if given == expected => Ok(method),
        Some(_) if method == "token" => Err("token_mismatch"),
        Some(_) => Err("password_mismatch"),
        None if method == "token" => Err("token_missing"),
        None => Err("password_missing"),
    }
}

/// No device block: an operator with a valid shared token or password may skip it (auth
/// mode none is not enough, except for the local backend client); scopes are then cleared
/// except for the local CLI and that backend client.
fn without_device(
    connect: &Connect,
    gate: &Gate,
    shared: Result<&'static str, &'static str>,
) -> Result<Admitted, Rejection> {
    let local = gate.origin.is_none();
    let backend = connect.client_id == "gateway-client" && connect.client_mode == "backend";
    let cli = connect.client_id == "cli" && connect.client_mode == "cli";
    let operator = connect.role == "operator";
    let method = match shared {
        Ok("none") if backend && local && operator => "none",
        Ok(method) if method != "none" && operator => method,
        Err(reason) if connect.has_shared_credential() => {
            return Err(unauthorized(connect, reason));
        }
        _ => {
            let error = json!({"code": "NOT_PAIRED", "message": "device identity required",
                               "details": {"code": "DEVICE_IDENTITY_REQUIRED"}});
            return Err(Rejection::new(error, 1008));
        }
    };
    let keeps_scopes = (cli || backend) && local;
    Ok(Admitted {
        method: method.to_string(),
        role: connect.role.to_string(),
        scopes: if keeps_scopes {
            connect.scopes.clone()
        } else {
            Vec::new()
        },
        device_id: None,
        device_token: None,
    })
}

fn check_nonce(device: &Device, nonce: &str) -> Result<(), Rejection> {
    let (reason, message, code) = match device.nonce.trim() {
        "" => (
            "device-nonce-missing",
            "device nonce required",
            "DEVICE_AUTH_NONCE_REQUIRED",
        ),
        given if given != nonce => (
            "device-nonce-mismatch",
            "device nonce mismatch",
            "DEVICE_AUTH_NONCE_MISMATCH",
        ),
        _ => return Ok(()),
    };
    let error = json!({"code": "INVALID_REQUEST", "message": message,
                       "details": {"code": code, "reason": reason}});
    Err(Rejection::new(error, 1008))
}

/// A device identity whose shared secret failed may still get in with its device token
/// (`auth.deviceToken`, else `auth.token` as a fallback candidate).
fn device_token_auth(
    connect: &Connect,
    device_id: &str,
    devices: &Devices,
) -> Option<&'static str> {
    let candidate = connect.device_token_candidate();
    (!candidate.is_empty() && devices.accepts(device_id, &candidate)).then_some("device-token")
}

/// `rejectUnauthorized`: `INVALID_REQUEST` with the reason's message and recovery advice,
/// close 1008. An explicit device token that failed makes any reason `device_token_mismatch`.
fn unauthorized(connect: &Connect, shared_reason: &'static str) -> Rejection {
    let explicit_device_token = connect.device.is_some() && connect.device_token.is_some();
    let reason = if explicit_device_token {
        "device_token_mismatch"
    } else {
        shared_reason
    };
    let can_retry = reason == "token_mismatch"
        && connect.device.is_some()
        && connect.password.is_none()
        && connect.token.is_some()
        && connect.device_token.is_none();
    let next_step = match reason {
        _ if can_retry => "retry_with_device_token",
        "token_missing" | "password_missing" => "update_auth_configuration",
        _ => "update_auth_credentials",
    };
    let error = json!({
        "code": "INVALID_REQUEST",
        "message": failure_message(reason, connect),
        "details": {"code": detail_code(reason), "authReason": reason,
                    "canRetryWithDeviceToken": can_retry, "recommendedNextStep": next_step},
    });
    Rejection::new(error, 1008)
}

fn detail_code(reason: &str) -> &'static str {
    match reason {
        "token_missing" => "AUTH_TOKEN_MISSING",
        "token_mismatch" => "AUTH_TOKEN_MISMATCH",
        "password_missing" => "AUTH_PASSWORD_MISSING",
        "password_mismatch" => "AUTH_PASSWORD_MISMATCH",
        _ => "AUTH_DEVICE_TOKEN_MISMATCH",
    }
}

/// `formatGatewayAuthFailureMessage` for a loopback client (the fake only listens there).
fn failure_message(reason: &str, connect: &Connect) -> String {
    let cli = connect.client_mode == "cli";
    let ui = matches!(
        connect.client_id,
        "openclaw-control-ui" | "openclaw-browser-copilot" | "openclaw-tui" | "webchat-ui"
    ) || connect.client_mode == "webchat";
    let token_hint = match (cli, ui) {
        (true, _) => "use this gateway's gateway.auth.token or pair the device",
        (false, true) => "open the dashboard URL and paste the token in Control UI settings",
        _ => "provide gateway auth token",
    };
    let password_hint = match (cli, ui) {
        (true, _) => "use this gateway's gateway.auth.password",
        (false, true) => "enter the password in Control UI settings",
        _ => "provide gateway auth password",
    };
    match reason {
        "token_missing" if ui && !cli => "unauthorized: gateway token missing (paste in Control UI settings or openclaw doctor --generate-gateway-token; restart)".into(),
        "token_missing" => format!("unauthorized: gateway token missing ({token_hint})"),
        "token_mismatch" => format!("unauthorized: gateway token mismatch ({token_hint})"),
        "password_missing" => format!("unauthorized: gateway password missing ({password_hint})"),
        "password_mismatch" => format!("unauthorized: gateway password mismatch ({password_hint})"),
        _ => "unauthorized: device token mismatch (rotate/reissue device token)".into(),
    }
}

/// `NOT_PAIRED` / `PAIRING_REQUIRED` (`not-paired`), with a fresh pending request id.
fn pairing_required(connect: &Connect, device_id: &str) -> Rejection {
    let request_id = ids::uuid();
    let message = "pairing required: device is not approved yet";
    let error = json!({
        "code": "NOT_PAIRED",
        "message": message,
        "details": {"code": "PAIRING_REQUIRED", "reason": "not-paired", "requestId": request_id,
                    "remediationHint": "Approve this device from the pending pairing requests.",
                    "deviceId": device_id, "requestedRole": connect.role,
                    "requestedScopes": connect.scopes},
    });
    Rejection {
        error: Some(error),
        close: (
            1008,
            truncate(&format!("{message} (requestId: {request_id})")),
        ),
    }
}

/// The parts of `ConnectParamsSchema` the fake checks and uses.
struct Connect<'a> {
    min_protocol: u64,
    max_protocol: u64,
    client_id: &'a str,
    client_mode: &'a str,
    role: &'a str,
    scopes: Vec<String>,
    token: Option<&'a str>,
    password: Option<&'a str>,
    device_token: Option<&'a str>,
    device: Option<Device<'a>>,
}

struct Device<'a> {
    id: &'a str,
    nonce: &'a str,
}

/// `GATEWAY_CLIENT_IDS` and `GATEWAY_CLIENT_MODES` (client-info).
const CLIENT_IDS: &[&str] = &[
    "webchat-ui",
    "openclaw-control-ui",
    "openclaw-browser-copilot",
    "openclaw-tui",
    "webchat",
    "cli",
    "gateway-client",
    "openclaw-macos",
    "openclaw-linux",
    "openclaw-ios",
    "openclaw-watchos",
    "openclaw-android",
    "node-host",
    "openclaw-worker",
    "test",
    "fingerprint",
    "openclaw-probe",
];
const CLIENT_MODES: &[&str] = &[
    "webchat", "cli", "ui", "backend", "node", "worker", "probe", "test",
];

impl<'a> Connect<'a> {
    /// Validates like the schema does (closed objects aside) and says what is wrong the way
    /// `formatValidationErrors` words it.
    fn parse(params: &'a Value) -> Result<Connect<'a>, String> {
        if !params.is_object() {
            return Err("must be object".into());
        }
        let client = required(params, "", "client")?;
        let client_id = one_of(client, "/client", "id", CLIENT_IDS)?;
        let client_mode = one_of(client, "/client", "mode", CLIENT_MODES)?;
        non_empty(client, "/client", "version")?;
        non_empty(client, "/client", "platform")?;
        let auth = &params["auth"];
        Ok(Connect {
            min_protocol: protocol(params, "minProtocol")?,
            max_protocol: protocol(params, "maxProtocol")?,
            client_id,
            client_mode,
            role: optional_str(params, "", "role")?.unwrap_or("operator"),
            scopes: scopes(params)?,
            token: optional_str(auth, "/auth", "token")?.filter(|s| !s.is_empty()),
            password: optional_str(auth, "/auth", "password")?.filter(|s| !s.is_empty()),
            device_token: optional_str(auth, "/auth", "deviceToken")?.filter(|s| !s.is_empty()),
            device: device(params)?,
        })
    }

    fn has_shared_credential(&self) -> bool {
        self.token.is_some() || self.password.is_some()
    }

    fn device_token_candidate(&self) -> String {
        self.device_token.or(self.token).unwrap_or("").to_string()
    }
}

fn required<'a>(v: &'a Value, at: &str, key: &str) -> Result<&'a Value, String> {
    v.get(key).ok_or_else(|| {
        let place = if at.is_empty() {
            String::new()
        } else {
            format!("at {at}: ")
        };
        format!("{place}must have required property '{key}'")
    })
}

fn string<'a>(v: &'a Value, at: &str, key: &str) -> Result<&'a str, String> {
    required(v, at, key)?
        .as_str()
        .ok_or_else(|| format!("at {at}/{key}: must be string"))
}

fn non_empty<'a>(v: &'a Value, at: &str, key: &str) -> Result<&'a str, String> {
    match string(v, at, key)? {
        "" => Err(format!(
            "at {at}/{key}: must NOT have fewer than 1 characters"
        )),
        s => Ok(s),
    }
}

fn one_of<'a>(v: &'a Value, at: &str, key: &str, allowed: &[&str]) -> Result<&'a str, String> {
    let s = string(v, at, key)?;
    allowed
        .iter()
        .any(|a| a.eq_ignore_ascii_case(s))
        .then_some(s)
        .ok_or_else(|| format!("at {at}/{key}: must be equal to one of the allowed values"))
}

fn optional_str<'a>(v: &'a Value, at: &str, key: &str) -> Result<Option<&'a str>, String> {
    match v.get(key) {
        None => Ok(None),
        Some(_) => string(v, at, key).map(Some),
    }
}

fn protocol(params: &Value, key: &str) -> Result<u64, String> {
    required(params, "", key)?
        .as_u64()
        .filter(|n| *n >= 1)
        .ok_or_else(|| format!("at /{key}: must be integer >= 1"))
}

fn scopes(params: &Value) -> Result<Vec<String>, String> {
    let Some(list) = params.get("scopes") else {
        return Ok(Vec::new());
    };
    let items = list.as_array().ok_or("at /scopes: must be array")?;
    items
        .iter()
        .map(|s| s.as_str().map(str::to_string))
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| "at /scopes: must be string".to_string())
}

fn device(params: &Value) -> Result<Option<Device<'_>>, String> {
    let Some(device) = params.get("device") else {
        return Ok(None);
    };
    for key in ["publicKey", "signature"] {
        string(device, "/device", key)?;
    }
    required(device, "/device", "signedAt")?
        .as_u64()
        .ok_or("at /device/signedAt: must be integer >= 0")?;
    Ok(Some(Device {
        id: string(device, "/device", "id")?,
        nonce: string(device, "/device", "nonce")?,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    const NONCE: &str = "n-1";

    fn gate<'a>(secret: &'a Credential, devices: &'a Devices) -> Gate<'a> {
        Gate {
            secret,
            devices,
            auto_pair: true,
            nonce: NONCE,
            starting: false,
            draining: false,
            origin: None,
            port: 1,
        }
    }

    fn connect(auth: Value) -> Value {
        json!({"minProtocol": 4, "maxProtocol": 4,
               "client": {"id": "cli", "version": "t", "platform": "linux", "mode": "cli"},
               "role": "operator", "scopes": ["operator.admin"], "auth": auth})
    }

    fn with_device(mut params: Value, id: &str) -> Value {
        params["device"] =
            json!({"id": id, "publicKey": "k", "signature": "s", "signedAt": 1, "nonce": NONCE});
        params
    }

    fn detail_code_of(r: Result<Admitted, Rejection>) -> String {
        let rejection = r.expect_err("rejected");
        rejection.error.expect("an error frame")["details"]["code"]
            .as_str()
            .unwrap_or("")
            .to_string()
    }

    #[test]
    fn the_cli_keeps_its_scopes_with_the_shared_token_and_a_probe_loses_them() {
        let secret = Credential::Token("T".into());
        let devices = Devices::default();
        let admitted = decide(&connect(json!({"token": "T"})), &gate(&secret, &devices)).unwrap();
        assert_eq!(
            (admitted.method.as_str(), admitted.scopes.len()),
            ("token", 1)
        );
        let mut probe = connect(json!({"token": "T"}));
        probe["client"] =
            json!({"id": "openclaw-probe", "version": "t", "platform": "linux", "mode": "probe"});
        let admitted = decide(&probe, &gate(&secret, &devices)).unwrap();
        assert!(admitted.scopes.is_empty());
    }

    #[test]
    fn shared_secret_failures_carry_the_real_codes() {
        let secret = Credential::Token("T".into());
        let devices = Devices::default();
        let g = gate(&secret, &devices);
        assert_eq!(
            detail_code_of(decide(&connect(json!({"token": "X"})), &g)),
            "AUTH_TOKEN_MISMATCH"
        );
        assert_eq!(
            detail_code_of(decide(&connect(json!({})), &g)),
            "DEVICE_IDENTITY_REQUIRED"
        );
        assert_eq!(
            detail_code_of(decide(&with_device(connect(json!({})), "d"), &g)),
            "AUTH_TOKEN_MISSING"
        );
        let password = Credential::Password("P".into());
        assert_eq!(
            detail_code_of(decide(
                &connect(json!({"password": "X"})),
                &gate(&password, &devices)
            )),
            "AUTH_PASSWORD_MISMATCH"
        );
    }

    #[test]
    fn a_token_mismatch_with_a_device_suggests_the_device_token() {
        let secret = Credential::Token("T".into());
        let devices = Devices::default();
        let r = decide(
            &with_device(connect(json!({"token": "X"})), "d"),
            &gate(&secret, &devices),
        )
        .unwrap_err();
        let details = &r.error.unwrap()["details"];
        assert_eq!(details["canRetryWithDeviceToken"], true);
        assert_eq!(details["recommendedNextStep"], "retry_with_device_token");
    }

    #[test]
    fn device_tokens_are_checked_per_device_and_from_the_list() {
        let secret = Credential::Token("T".into());
        let mut devices = Devices::new(&["LISTED".into()]);
        let issued = devices.issue("d1");
        let g = gate(&secret, &devices);
        let by = |id: &str, token: &str| {
            decide(&with_device(connect(json!({"deviceToken": token})), id), &g)
        };
        assert_eq!(by("d1", &issued).unwrap().method, "device-token");
        assert_eq!(by("d2", "LISTED").unwrap().method, "device-token");
        assert_eq!(
            detail_code_of(by("d2", &issued)),
            "AUTH_DEVICE_TOKEN_MISMATCH"
        );
    }

    #[test]
    fn a_new_device_needs_approval_without_silent_pairing() {
        let secret = Credential::Token("T".into());
        let devices = Devices::default();
        let mut g = gate(&secret, &devices);
        g.auto_pair = false;
        let r = decide(&with_device(connect(json!({"token": "T"})), "d"), &g).unwrap_err();
        assert_eq!(r.close.0, 1008);
        assert!(
            r.close
                .1
                .starts_with("pairing required: device is not approved yet (requestId: ")
        );
    }

    #[test]
    fn startup_protocol_and_origin_come_before_credentials() {
        let secret = Credential::Token("T".into());
        let devices = Devices::default();
        let mut g = gate(&secret, &devices);
        g.starting = true;
        let r = decide(&connect(json!({"token": "X"})), &g).unwrap_err();
        assert_eq!(r.close, (1013, "gateway starting".into()));
        g.starting = false;
        g.draining = true;
        let r = decide(&connect(json!({"token": "T"})), &g).unwrap_err();
        assert_eq!(r.close, (1013, "gateway restart in progress".into()));
        assert_eq!(r.error.unwrap()["details"]["reason"], "gateway-restarting");
        g.draining = false;
        let mut old = connect(json!({"token": "T"}));
        old["maxProtocol"] = json!(3);
        assert_eq!(decide(&old, &g).unwrap_err().close.0, 1002);
        g.origin = Some("http://evil.example");
        assert_eq!(
            detail_code_of(decide(&connect(json!({"token": "T"})), &g)),
            "CONTROL_UI_ORIGIN_NOT_ALLOWED"
        );
    }

    #[test]
    fn malformed_params_are_refused_not_panicked_on() {
        let secret = Credential::Token("T".into());
        let devices = Devices::default();
        let g = gate(&secret, &devices);
        for params in [
            json!(null),
            json!({"minProtocol": 4}),
            json!({"minProtocol": 4, "maxProtocol": 4, "client": {"id": "nobody", "mode": "cli"}}),
            with_device(connect(json!({"token": 7})), "d"),
        ] {
            let r = decide(&params, &g).unwrap_err();
            let message = r.error.unwrap()["message"].as_str().unwrap().to_string();
            assert!(message.starts_with("invalid connect params: "), "{message}");
        }
    }

    #[test]
    fn close_reasons_are_cut_at_a_char_boundary() {
        let long = "é".repeat(100);
        let cut = truncate(&long);
        assert!(cut.len() <= CLOSE_REASON_MAX_BYTES && cut.len() >= CLOSE_REASON_MAX_BYTES - 1);
    }
}
