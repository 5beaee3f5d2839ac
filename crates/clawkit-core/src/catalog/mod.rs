//! Every OpenClaw auth and connectivity error clawkit knows: the wordings users paste (current
//! and older), what each means, which side is wrong, the likely causes in order, and the fix
//! as commands with placeholders filled in for this machine by `explain`.
//!
//! Source: `openclaw-error-catalog.md`, established against the real 2026.9.6 gateway; the
//! 2026.7.1 wordings were observed by clawkit's own scenario tests. `plan` orders what a text
//! holds into the one plan to follow.

mod plan;

pub use plan::{PlanStep, in_fix_order, plan};

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use std::sync::LazyLock;

/// The order in which fixes must happen when several errors show up together: the shared
/// secret first, then restart, then device tokens, then pairing, then a fresh dashboard
/// handshake.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Phase {
    /// The gateway cannot start or read its config.
    Config,
    SharedSecret,
    Restart,
    DeviceTokens,
    Pairing,
    Dashboard,
    /// Transient: wait and retry.
    Wait,
}

impl Phase {
    pub fn title(self) -> &'static str {
        match self {
            Phase::Config => "make the config valid so the gateway can start",
            Phase::SharedSecret => "align the shared secret between the gateway and its clients",
            Phase::Restart => "restart the gateway (and free its port)",
            Phase::DeviceTokens => "refresh device tokens",
            Phase::Pairing => "approve or re-pair devices",
            Phase::Dashboard => "open the dashboard in a private window (a fresh handshake)",
            Phase::Wait => "wait, then retry",
        }
    }

    /// The command for this step when no error found calls for it (the plan implies it), with
    /// the placeholders of [`Entry::fixes`].
    pub fn how(self) -> Option<&'static str> {
        match self {
            Phase::Restart => Some("{ck} gateway restart   # waits until it is ready again"),
            Phase::Dashboard => Some(
                "{oc} dashboard --no-open   # open the URL it prints in a private (incognito) window: the browser keeps its old token otherwise",
            ),
            _ => None,
        }
    }
}

/// The family an error belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    GatewayToken,
    GatewayPassword,
    Missing,
    DeviceToken,
    DeviceIdentity,
    Scope,
    Pairing,
    RateLimit,
    Origin,
    Protocol,
    NotRunning,
    NotAGateway,
    Starting,
    Startup,
    Config,
    Service,
}

impl Kind {
    pub fn label(self) -> &'static str {
        match self {
            Kind::GatewayToken => "gateway token",
            Kind::GatewayPassword => "gateway password",
            Kind::Missing => "credential missing",
            Kind::DeviceToken => "device token",
            Kind::DeviceIdentity => "device identity",
            Kind::Scope => "scope",
            Kind::Pairing => "pairing",
            Kind::RateLimit => "rate limit",
            Kind::Origin => "origin",
            Kind::Protocol => "protocol",
            Kind::NotRunning => "not running",
            Kind::NotAGateway => "not a gateway",
            Kind::Starting => "starting",
            Kind::Startup => "gateway start",
            Kind::Config => "config",
            Kind::Service => "service",
        }
    }
}

/// One known error.
#[derive(Debug)]
pub struct Entry {
    pub id: &'static str,
    pub kind: Kind,
    pub phase: Phase,
    pub title: &'static str,
    /// Literal texts that identify it: messages (every wording), `details.code`, log reasons.
    pub patterns: &'static [&'static str],
    /// Which side holds the wrong value or must act.
    pub wrong_side: &'static str,
    /// Likely causes, most likely first.
    pub causes: &'static [&'static str],
    /// Commands; `{oc}` = `openclaw` with this install's profile flag, `{ck}` = `clawkit` with
    /// the same, `{config}`, `{port}`, `{state_dir}`, `{log}`, `{request_id}`, `{device_id}`.
    pub fixes: &'static [&'static str],
}

pub static CATALOG: &[Entry] = &[
    Entry {
        id: "gateway-token-mismatch",
        kind: Kind::GatewayToken,
        phase: Phase::SharedSecret,
        title: "gateway token mismatch: the client sent a shared token the gateway does not accept",
        patterns: &[
            "gateway token mismatch",
            "AUTH_TOKEN_MISMATCH",
            "reason=token_mismatch",
            "authReason=token_mismatch",
            "\"authReason\":\"token_mismatch\"",
        ],
        wrong_side: "the client: its token (config, remote token or environment) differs from the gateway's",
        causes: &[
            "a stale OPENCLAW_GATEWAY_TOKEN in the client's shell, .env or service environment (it only counts when the client config has no gateway.auth.token)",
            "the client is in remote mode and gateway.remote.token is stale (remote mode prefers it over everything)",
            "the gateway's token was rotated (config edit or `openclaw doctor --generate-gateway-token`) and this client still has the old one",
            "a zombie gateway with another config still holds the port and answers with its old token",
            "a service unit written by OpenClaw <= 2026.3.2 embeds an old OPENCLAW_GATEWAY_TOKEN",
        ],
        fixes: &[
            "{ck} config get gateway.auth.token --show-origin   # the gateway's token (fingerprint) and where it is set: {config}",
            "{oc} gateway auth-token --show   # on the gateway host, prints the token (TTY only)",
            "{ck} config set gateway.auth.token <token>   # local mode; remote mode: {ck} config set gateway.remote.token <token>",
            "unset OPENCLAW_GATEWAY_TOKEN   # if your shell or .env carries an old one",
            "{oc} gateway install --force && {oc} gateway restart   # if the service unit embeds an old token",
        ],
    },
    Entry {
        id: "gateway-token-missing",
        kind: Kind::Missing,
        phase: Phase::SharedSecret,
        title: "gateway token missing: the gateway wants a token and the client sent none",
        patterns: &[
            "gateway token missing",
            "AUTH_TOKEN_MISSING",
            "reason=token_missing ",
            "\"authReason\":\"token_missing\"",
        ],
        wrong_side: "the client: it has no shared token configured",
        causes: &[
            "the client config has no gateway.auth.token (or gateway.remote.token in remote mode) and OPENCLAW_GATEWAY_TOKEN is unset",
            "the Control UI was opened without pasting the token in its settings",
            "the device's cached token was removed, so it fell back to no credential",
        ],
        fixes: &[
            "{ck} config set gateway.auth.token <the gateway's token>   # written to {config}",
            "{oc} dashboard   # Control UI: open the tokenized dashboard URL, or paste the token in Control UI settings",
            "{oc} doctor --generate-gateway-token   # if the gateway itself has no token; then {oc} gateway restart",
        ],
    },
    Entry {
        id: "gateway-token-not-configured",
        kind: Kind::Missing,
        phase: Phase::SharedSecret,
        title: "the gateway is in token mode but has no token",
        patterns: &[
            "gateway token not configured on gateway",
            "AUTH_TOKEN_NOT_CONFIGURED",
            "token_missing_config",
        ],
        wrong_side: "the gateway: auth mode is token but no token resolves",
        causes: &[
            "gateway.auth.token is unset and the gateway process has no OPENCLAW_GATEWAY_TOKEN",
            "gateway.auth.token is a SecretRef or ${VAR} that did not resolve in the gateway's environment",
        ],
        fixes: &[
            "{oc} doctor --generate-gateway-token",
            "{oc} gateway restart",
        ],
    },
    Entry {
        id: "redaction-sentinel",
        kind: Kind::Config,
        phase: Phase::SharedSecret,
        title: "the configured secret is a redaction marker, not a credential",
        patterns: &[
            "gateway credential is a redaction sentinel",
            "is a known redaction sentinel",
            "token_redacted_config",
            "password_redacted_config",
        ],
        wrong_side: "the gateway: its config holds a placeholder such as __OPENCLAW_REDACTED__",
        causes: &[
            "the config was copied from redacted output (a support bundle, `config get` without secrets)",
        ],
        fixes: &[
            "{oc} doctor --fix --generate-gateway-token",
            "{oc} gateway restart   # then re-pair clients with the new token",
        ],
    },
    Entry {
        id: "weak-secret",
        kind: Kind::Config,
        phase: Phase::Config,
        title: "the gateway refuses a blank or published example secret",
        patterns: &[
            "a published example placeholder",
            "gateway auth token is blank",
        ],
        wrong_side: "the gateway config",
        causes: &[
            "gateway.auth.token was copied from .env.example (change-me-...) or is blank/undefined/null",
        ],
        fixes: &[
            "{ck} config set gateway.auth.token $(openssl rand -hex 32)",
            "{oc} gateway restart",
        ],
    },
    Entry {
        id: "gateway-password-mismatch",
        kind: Kind::GatewayPassword,
        phase: Phase::SharedSecret,
        title: "gateway password mismatch",
        patterns: &[
            "gateway password mismatch",
            "AUTH_PASSWORD_MISMATCH",
            "reason=password_mismatch",
        ],
        wrong_side: "the client: its password differs from the gateway's",
        causes: &[
            "a stale OPENCLAW_GATEWAY_PASSWORD (remote mode reads the env var first)",
            "gateway.remote.password differs from the gateway's gateway.auth.password",
        ],
        fixes: &[
            "{ck} config get gateway.auth.password --show-origin",
            "{ck} config set gateway.remote.password <password>   # or gateway.auth.password in local mode",
        ],
    },
    Entry {
        id: "gateway-password-missing",
        kind: Kind::Missing,
        phase: Phase::SharedSecret,
        title: "gateway password missing: the gateway is in password mode and the client sent none",
        patterns: &[
            "gateway password missing",
            "AUTH_PASSWORD_MISSING",
            "reason=password_missing",
        ],
        wrong_side: "the client",
        causes: &[
            "no gateway.auth.password / gateway.remote.password / OPENCLAW_GATEWAY_PASSWORD on the client",
        ],
        fixes: &["{ck} config set gateway.auth.password <password>"],
    },
    Entry {
        id: "gateway-password-not-configured",
        kind: Kind::Missing,
        phase: Phase::SharedSecret,
        title: "the gateway is in password mode but has no password",
        patterns: &[
            "gateway password not configured on gateway",
            "AUTH_PASSWORD_NOT_CONFIGURED",
            "password_missing_config",
        ],
        wrong_side: "the gateway",
        causes: &["gateway.auth.mode is password and gateway.auth.password does not resolve"],
        fixes: &[
            "{ck} config set gateway.auth.password <password>",
            "{oc} gateway restart",
        ],
    },
    Entry {
        id: "secret-ref-unavailable",
        kind: Kind::Missing,
        phase: Phase::SharedSecret,
        title: "the token is a secret reference this command cannot resolve",
        patterns: &[
            "is configured as a secret reference but is unavailable",
            "GATEWAY_SECRET_REF_UNAVAILABLE",
        ],
        wrong_side: "the client: its token is a SecretRef that does not resolve here",
        causes: &[
            "gateway.auth.token is a SecretRef whose provider is not reachable from this shell",
        ],
        fixes: &["export OPENCLAW_GATEWAY_TOKEN=<token>   # or pass --token to the command"],
    },
    Entry {
        id: "rate-limited",
        kind: Kind::RateLimit,
        phase: Phase::Wait,
        title: "too many failed authentication attempts: the gateway locked this client out for a while",
        patterns: &[
            "too many failed authentication attempts",
            "AUTH_RATE_LIMITED",
            "reason=rate_limited",
        ],
        wrong_side: "the client: it kept retrying with a wrong credential",
        causes: &[
            "a client (often a browser tab or a node) retries with a stale token in a loop",
            "someone is guessing the token (check the peers in `{ck} logs`)",
        ],
        fixes: &[
            "{ck} logs --since 1h   # which client keeps failing, from where",
            "fix that client's credential, then wait for the lockout (default 300 s) to expire",
        ],
    },
    Entry {
        id: "proxy-attribution",
        kind: Kind::GatewayToken,
        phase: Phase::Config,
        title: "a reverse proxy forwarded the connection without a trusted client address",
        patterns: &[
            "proxy client attribution is required",
            "proxy_attribution_required",
        ],
        wrong_side: "the gateway config (gateway.trustedProxies) or the proxy",
        causes: &[
            "the proxy's address is not in gateway.trustedProxies, or it does not set forwarded headers",
        ],
        fixes: &[
            "{ck} config set gateway.trustedProxies '[\"<proxy ip>\"]'",
            "{oc} gateway restart",
        ],
    },
    Entry {
        id: "tailscale-identity",
        kind: Kind::GatewayToken,
        phase: Phase::SharedSecret,
        title: "Tailscale identity authentication failed",
        patterns: &[
            "tailscale identity missing",
            "tailscale proxy headers missing",
            "tailscale identity check failed",
            "tailscale identity mismatch",
            "AUTH_TAILSCALE_",
            "reason=tailscale_",
        ],
        wrong_side: "the client path: it did not come through Tailscale Serve with an identity",
        causes: &[
            "the client connected directly instead of through Tailscale Serve",
            "tailscaled is down or `tailscale whois` failed",
        ],
        fixes: &[
            "tailscale status",
            "use the gateway token instead: {ck} config set gateway.remote.token <token>",
        ],
    },
    Entry {
        id: "trusted-proxy-header",
        kind: Kind::GatewayToken,
        phase: Phase::Config,
        title: "trusted-proxy mode: the identity header did not arrive",
        patterns: &[
            "AUTH_IDENTITY_HEADER_REQUIRED",
            "trusted_proxy_missing_header",
            "trusted-proxy identity-header authentication is required",
        ],
        wrong_side: "the proxy in front of the gateway",
        causes: &["the proxy does not forward the identity header on WebSocket upgrades"],
        fixes: &[
            "check the proxy's header forwarding for WebSocket upgrades; see gateway.auth.trustedProxy.userHeader",
        ],
    },
    Entry {
        id: "device-token-mismatch",
        kind: Kind::DeviceToken,
        phase: Phase::DeviceTokens,
        title: "device token mismatch: a paired device presented a device token the gateway no longer accepts",
        patterns: &[
            "device token mismatch",
            "AUTH_DEVICE_TOKEN_MISMATCH",
            "reason=device_token_mismatch",
            "\"authReason\":\"device_token_mismatch\"",
        ],
        wrong_side: "the client device: its cached device token is stale (the shared token is not involved)",
        causes: &[
            "the token was rotated on the gateway (`openclaw devices rotate`) and the device still caches the old one",
            "the token was revoked, or the device record was removed or never approved",
            "the local CLI has no shared token, so it fell back to its cached device token, which is stale",
            "a browser (Control UI) kept a token issued before the gateway's shared auth changed",
        ],
        fixes: &[
            "{oc} devices list   # find the device and its token times",
            "{oc} devices rotate --device {device_id} --role operator   # then reconnect that device",
            "{ck} config set gateway.auth.token <token>   # give the local CLI the shared token: it then skips the device token on loopback",
            "Control UI: open the dashboard in a private window and paste the gateway token",
        ],
    },
    Entry {
        id: "device-token-rejected",
        kind: Kind::DeviceToken,
        phase: Phase::DeviceTokens,
        title: "device token rejected",
        patterns: &["device token rejected"],
        wrong_side: "the client device",
        causes: &[
            "the device token failed without a more specific reason (not paired, revoked, or removed)",
        ],
        fixes: &[
            "{oc} devices list",
            "{oc} devices remove {device_id}   # then reconnect and approve: {oc} devices approve <requestId>",
        ],
    },
    Entry {
        id: "scope-mismatch",
        kind: Kind::Scope,
        phase: Phase::DeviceTokens,
        title: "device token scope mismatch: the device asked for more scopes than its token has",
        patterns: &[
            "device token scope mismatch",
            "AUTH_SCOPE_MISMATCH",
            "reason=scope_mismatch",
        ],
        wrong_side: "the client device: it requests scopes outside its approved baseline",
        causes: &[
            "the client was upgraded and now asks for more scopes (e.g. operator.admin) than it was paired with",
            "the token was rotated with fewer scopes",
        ],
        fixes: &[
            "{oc} devices list   # approved scopes and any pending upgrade",
            "{oc} devices approve {request_id}   # approve the pending scope upgrade",
            "{oc} devices rotate --device {device_id} --role operator --scope operator.admin",
        ],
    },
    Entry {
        id: "bootstrap-token-invalid",
        kind: Kind::DeviceToken,
        phase: Phase::Pairing,
        title: "setup code (bootstrap token) invalid, expired, revoked, or already used",
        patterns: &[
            "setup code invalid",
            "bootstrap token invalid",
            "AUTH_BOOTSTRAP_TOKEN_INVALID",
            "bootstrap_token_invalid",
        ],
        wrong_side: "the new device: its setup code is no longer valid",
        causes: &["the code expired or was already redeemed"],
        fixes: &["{oc} devices join-code   # or `{oc} qr` for a new setup code"],
    },
    Entry {
        id: "device-identity-required",
        kind: Kind::DeviceIdentity,
        phase: Phase::SharedSecret,
        title: "device identity required: no device key and no valid shared secret",
        patterns: &[
            "device identity required",
            "DEVICE_IDENTITY_REQUIRED",
            "control ui requires device identity",
            "CONTROL_UI_DEVICE_IDENTITY_REQUIRED",
            "cause=device-required",
        ],
        wrong_side: "the client: it sent neither a valid shared token nor a device identity",
        causes: &[
            "the client has no shared token configured and no device identity",
            "the Control UI was opened over plain http from another host (no secure context for the device key)",
        ],
        fixes: &[
            "{ck} config set gateway.auth.token <the gateway's token>",
            "Control UI: open it as http://127.0.0.1:{port}/ on the gateway host, or over HTTPS",
        ],
    },
    Entry {
        id: "device-proof-invalid",
        kind: Kind::DeviceIdentity,
        phase: Phase::DeviceTokens,
        title: "the device's signed proof was rejected",
        patterns: &[
            "device identity mismatch",
            "device signature expired",
            "device nonce required",
            "device nonce mismatch",
            "device signature invalid",
            "device public key invalid",
            "DEVICE_AUTH_",
            "cause=device-auth-invalid",
        ],
        wrong_side: "the client device (its key, signature or clock)",
        causes: &[
            "the client's clock is more than 120 s off the gateway's (signature expired)",
            "a client library builds the v3 signature payload or device id wrongly",
        ],
        fixes: &[
            "check the client's clock: date -u",
            "update the client to the gateway's OpenClaw version",
        ],
    },
    Entry {
        id: "pairing-required",
        kind: Kind::Pairing,
        phase: Phase::Pairing,
        title: "pairing required: the device (or its new role/scopes/identity) is not approved yet",
        patterns: &[
            "pairing required",
            "PAIRING_REQUIRED",
            "device pairing required",
            "role upgrade pending approval",
            "scope upgrade pending approval",
            "device metadata change pending approval",
            "cause=pairing-required",
            "device identity changed and must be re-approved",
        ],
        wrong_side: "the gateway: an operator must approve the pending request",
        causes: &[
            "a new device connected from a non-silent context (remote peer, browser Origin, autoApproveLocal=false)",
            "the device asks for a higher role or more scopes than approved (an upgrade is pending)",
            "the device's identity changed (regenerated key): a repair request is pending",
        ],
        fixes: &[
            "{oc} devices list   # the pending request and what it asks for",
            "{oc} devices approve {request_id}",
            "{oc} devices remove {device_id}   # first, if the device's key changed (repair), then approve the new request",
        ],
    },
    Entry {
        id: "origin-not-allowed",
        kind: Kind::Origin,
        phase: Phase::Dashboard,
        title: "origin not allowed: the browser page's origin is not allowed to open the Control UI socket",
        patterns: &[
            "origin not allowed",
            "CONTROL_UI_ORIGIN_NOT_ALLOWED",
            "browser copilot requires",
            "cause=origin-mismatch",
        ],
        wrong_side: "the gateway config (gateway.controlUi.allowedOrigins) or the URL the browser uses",
        causes: &[
            "the dashboard is opened through a hostname or proxy that is not the gateway host",
            "gateway.controlUi.allowedOrigins does not list that origin",
        ],
        fixes: &[
            "open http://127.0.0.1:{port}/ on the gateway host",
            "{ck} config set gateway.controlUi.allowedOrigins '[\"https://your.host\"]'   # avoid \"*\"",
        ],
    },
    Entry {
        id: "protocol-mismatch",
        kind: Kind::Protocol,
        phase: Phase::Restart,
        title: "protocol mismatch: client and gateway speak different protocol versions",
        patterns: &[
            "protocol mismatch",
            "PROTOCOL_MISMATCH",
            "cause=protocol-mismatch",
        ],
        wrong_side: "whichever side is older",
        causes: &[
            "the client is an older OpenClaw (2026.2.x speaks protocol 3) than the gateway (4), or the reverse",
            "the service still runs an old OpenClaw package after an update (version drift)",
        ],
        fixes: &[
            "{oc} --version   # compare with the gateway's version",
            "npm install -g openclaw@latest && {oc} gateway install --force && {oc} gateway restart",
        ],
    },
    Entry {
        id: "invalid-handshake",
        kind: Kind::Protocol,
        phase: Phase::Restart,
        title: "the client's connect request was malformed",
        patterns: &[
            "invalid connect params",
            "invalid handshake",
            "invalid role",
        ],
        wrong_side: "the client",
        causes: &["a custom or outdated client sends fields the gateway's schema rejects"],
        fixes: &["update the client to the gateway's OpenClaw version"],
    },
    Entry {
        id: "gateway-starting",
        kind: Kind::Starting,
        phase: Phase::Wait,
        title: "the gateway is still starting",
        patterns: &[
            "gateway starting; retry shortly",
            "gateway starting",
            "startup-sidecars",
        ],
        wrong_side: "neither: the gateway is not ready yet",
        causes: &[
            "the gateway started less than ~30 s ago",
            "a slow plugin or sidecar keeps it from becoming ready",
        ],
        fixes: &["curl -s http://127.0.0.1:{port}/readyz   # failing[] names what it waits for"],
    },
    Entry {
        id: "auth-changed",
        kind: Kind::GatewayToken,
        phase: Phase::SharedSecret,
        title: "the gateway's shared auth changed (or this device was invalidated) while connected",
        patterns: &["gateway auth changed", "client invalidated:"],
        wrong_side: "the client must reconnect with the new credential",
        causes: &[
            "the token was rotated while clients were connected",
            "the device was removed or its token revoked",
        ],
        fixes: &["reconnect with the new token: {ck} config get gateway.auth.token --show-origin"],
    },
    Entry {
        id: "handler-unavailable",
        kind: Kind::Startup,
        phase: Phase::Restart,
        title: "the gateway's message handler is unavailable (internal error)",
        patterns: &["gateway message handler unavailable"],
        wrong_side: "the gateway",
        causes: &["the gateway is in a broken state after a failed reload"],
        fixes: &["{ck} logs --since 1h", "{oc} gateway restart"],
    },
    Entry {
        id: "not-reachable",
        kind: Kind::NotRunning,
        phase: Phase::Restart,
        title: "nothing accepts connections at the gateway's address (connection refused)",
        patterns: &[
            "Gateway not reachable at",
            "ECONNREFUSED",
            "connection refused",
        ],
        wrong_side: "the gateway host: no gateway listens on that port",
        causes: &[
            "the gateway is not running (crashed, stopped, or never started)",
            "the client uses the wrong port (gateway.port / OPENCLAW_GATEWAY_PORT / profile differ between client and gateway)",
            "the gateway binds a different address (gateway.bind) than the client connects to",
        ],
        fixes: &[
            "{oc} gateway status",
            "{oc} gateway start   # or run it in the foreground: {oc} gateway run",
            "{ck} config path   # the port this client resolves ({port}) and why",
        ],
    },
    Entry {
        id: "connection-dropped",
        kind: Kind::NotRunning,
        phase: Phase::Restart,
        title: "the connection closed without a close frame (1006)",
        patterns: &["gateway closed (1006", "abnormal closure"],
        wrong_side: "unclear from this text alone",
        causes: &[
            "nothing listens on the port (OpenClaw 2026.7 reports a refused connection this way)",
            "something that is not a gateway holds the port",
            "ws:// against a wss:// gateway, or the reverse",
            "the gateway crashed or restarted mid-handshake",
        ],
        fixes: &[
            "{oc} gateway status",
            "curl -s http://127.0.0.1:{port}/healthz   # a gateway answers {\"ok\":true,...}",
        ],
    },
    Entry {
        id: "not-a-gateway",
        kind: Kind::NotAGateway,
        phase: Phase::Restart,
        title: "something that is not an OpenClaw gateway answers on the gateway's port",
        patterns: &[
            "gateway rejected websocket upgrade (HTTP",
            "connect challenge timeout",
        ],
        wrong_side: "the gateway host: another service holds the port",
        causes: &[
            "another web service listens on the port",
            "a hung process accepts connections but never sends the connect challenge",
            "an identity-aware proxy answers the upgrade",
        ],
        fixes: &[
            "ss -ltnp 'sport = :{port}'   # who listens",
            "{ck} config set gateway.port <free port>   # or stop that service",
        ],
    },
    Entry {
        id: "gateway-timeout",
        kind: Kind::NotRunning,
        phase: Phase::Restart,
        title: "the gateway did not answer in time",
        patterns: &["gateway timeout after", "gateway request timeout"],
        wrong_side: "the gateway host",
        causes: &[
            "a hung gateway or a silent listener on the port",
            "the event loop is blocked (check /readyz eventLoop)",
        ],
        fixes: &[
            "curl -s http://127.0.0.1:{port}/readyz",
            "{oc} gateway restart",
        ],
    },
    Entry {
        id: "no-client-credentials",
        kind: Kind::Missing,
        phase: Phase::SharedSecret,
        title: "the CLI has no credential to connect with",
        patterns: &[
            "requires credentials before opening a websocket",
            "pass --token or --password with --url",
            "No stored device auth for this gateway origin",
            "stored device auth does not grant the required operator scopes",
        ],
        wrong_side: "the client",
        causes: &[
            "no shared token in the client config or environment and no cached device token",
            "an explicit --url never uses config or environment credentials",
        ],
        fixes: &[
            "{ck} config set gateway.auth.token <token>",
            "pass --token <token> together with --url",
        ],
    },
    Entry {
        id: "edge-auth",
        kind: Kind::NotAGateway,
        phase: Phase::Config,
        title: "an identity-aware proxy (e.g. Cloudflare Access) rejected the WebSocket upgrade",
        patterns: &[
            "identity-aware proxy rejected the WebSocket upgrade",
            "Cloudflare Access detected",
        ],
        wrong_side: "the client's proxy credentials",
        causes: &["gateway.remote.edgeAuth is missing or stale for that origin"],
        fixes: &["configure gateway.remote.edgeAuth for the gateway origin, then reconnect"],
    },
    Entry {
        id: "port-in-use",
        kind: Kind::Startup,
        phase: Phase::Restart,
        title: "the gateway could not bind its port: something else holds it",
        patterns: &[
            "EADDRINUSE",
            "another gateway instance is already listening",
            "is already in use",
            "failed to bind gateway socket",
        ],
        wrong_side: "the gateway host: a zombie gateway or another service holds the port",
        causes: &[
            "an old gateway (other state dir or config) still runs and answers clients with old credentials",
            "another service uses the port",
        ],
        fixes: &[
            "ss -ltnp 'sport = :{port}'   # who holds it",
            "{oc} gateway stop   # if it is the supervised gateway",
            "kill <pid>   # only after checking it is your stale openclaw-gateway",
        ],
    },
    Entry {
        id: "gateway-lock",
        kind: Kind::Startup,
        phase: Phase::Restart,
        title: "another gateway already owns this state directory or config",
        patterns: &[
            "GatewayLockError",
            "gateway already running (pid",
            "state directory is locked by",
            "another embedded OpenClaw state writer is active",
            "gateway already running under",
        ],
        wrong_side: "the gateway host: two gateways for one state dir",
        causes: &[
            "a second gateway was started for the same state dir (service + manual run)",
            "a stale lock from a crashed gateway",
        ],
        fixes: &[
            "{oc} gateway status",
            "{oc} gateway stop   # then start exactly one",
        ],
    },
    Entry {
        id: "maintenance-contention",
        kind: Kind::Startup,
        phase: Phase::Restart,
        title: "the gateway needs maintenance but another OpenClaw process holds the state database",
        patterns: &[
            "StateDatabaseCoordinatorContentionError",
            "gateway.maintenance_required",
            "Doctor could not enter maintenance",
        ],
        wrong_side: "the gateway host",
        causes: &["a second OpenClaw process on the same state dir during startup maintenance"],
        fixes: &[
            "{oc} gateway stop",
            "{oc} doctor --fix",
            "{oc} gateway start",
        ],
    },
    Entry {
        id: "bind-without-auth",
        kind: Kind::Config,
        phase: Phase::Config,
        title: "the gateway refuses to listen beyond loopback without auth",
        patterns: &["refusing to bind gateway to"],
        wrong_side: "the gateway config",
        causes: &["gateway.bind is lan/tailnet/custom and no token or password is configured"],
        fixes: &[
            "{oc} doctor --generate-gateway-token",
            "{ck} config set gateway.bind loopback   # if LAN access was not intended",
        ],
    },
    Entry {
        id: "mode-unset",
        kind: Kind::Config,
        phase: Phase::Config,
        title: "gateway.mode is unset, so the gateway will not start",
        patterns: &["gateway.mode is unset"],
        wrong_side: "the gateway config",
        causes: &["a new or hand-written config without gateway.mode"],
        fixes: &["{ck} config set gateway.mode local"],
    },
    Entry {
        id: "legacy-state",
        kind: Kind::Startup,
        phase: Phase::Config,
        title: "state from OpenClaw <= 2026.7 has not been migrated to SQLite",
        patterns: &["Legacy device identity exists at", "Legacy pairing store"],
        wrong_side: "the gateway host: an upgrade left old JSON state files",
        causes: &["OpenClaw was upgraded from 2026.7.x and `openclaw doctor --fix` was not run"],
        fixes: &[
            "{oc} gateway stop",
            "{oc} doctor --fix",
            "{oc} gateway start",
        ],
    },
    Entry {
        id: "invalid-identity",
        kind: Kind::Startup,
        phase: Phase::Config,
        title: "the stored device identity is corrupt",
        patterns: &["SQLite contains an invalid persisted device identity"],
        wrong_side: "the gateway host's state database",
        causes: &["the device_identities row was edited or truncated"],
        fixes: &["{oc} doctor --fix"],
    },
    Entry {
        id: "config-invalid",
        kind: Kind::Config,
        phase: Phase::Config,
        title: "OpenClaw rejects the config (unknown or retired keys)",
        patterns: &[
            "OpenClaw config is invalid",
            "Unrecognized key",
            "allowInsecureAuth",
        ],
        wrong_side: "the config file",
        causes: &[
            "a retired break-glass key such as gateway.controlUi.allowInsecureAuth from an old guide",
            "a typo in a key name",
        ],
        fixes: &[
            "{ck} config unset gateway.controlUi.allowInsecureAuth   # keeps your comments, unlike doctor --fix",
            "{oc} config validate",
        ],
    },
    Entry {
        id: "retired-break-glass",
        kind: Kind::Config,
        phase: Phase::Config,
        title: "a retired break-glass setting is present and ignored",
        patterns: &[
            "dangerouslyDisableDeviceAuth is retired",
            "dangerouslyDisableDeviceAuth",
        ],
        wrong_side: "the config file",
        causes: &["an old guide told you to disable device auth; OpenClaw ignores it now"],
        fixes: &["{ck} config unset gateway.controlUi.dangerouslyDisableDeviceAuth"],
    },
    Entry {
        id: "service-token-embedded",
        kind: Kind::Service,
        phase: Phase::SharedSecret,
        title: "the service definition embeds a gateway secret",
        patterns: &[
            "Gateway service embeds OPENCLAW_GATEWAY_TOKEN",
            "Gateway service embeds OPENCLAW_GATEWAY_PASSWORD",
            "gateway-token-embedded",
        ],
        wrong_side: "the service unit / plist / scheduled task",
        causes: &[
            "it was installed by OpenClaw <= 2026.3.2, which wrote OPENCLAW_GATEWAY_TOKEN into the unit",
        ],
        fixes: &["{oc} gateway install --force", "{oc} gateway restart"],
    },
    Entry {
        id: "service-token-stale",
        kind: Kind::Service,
        phase: Phase::SharedSecret,
        title: "the service's OPENCLAW_GATEWAY_TOKEN differs from gateway.auth.token",
        patterns: &[
            "Gateway service OPENCLAW_GATEWAY_TOKEN does not match",
            "service token is stale",
            "should be unset when gateway.auth.token is SecretRef-managed",
        ],
        wrong_side: "the service definition",
        causes: &["the config token was rotated after the service was installed"],
        fixes: &["{oc} gateway install --force", "{oc} gateway restart"],
    },
    Entry {
        id: "service-port-mismatch",
        kind: Kind::Service,
        phase: Phase::Restart,
        title: "the service starts the gateway on another port than the config says",
        patterns: &["Gateway service port does not match"],
        wrong_side: "the service definition (--port pinned in ExecStart)",
        causes: &["gateway.port changed after the service was installed"],
        fixes: &["{oc} gateway install --force", "{oc} gateway restart"],
    },
    Entry {
        id: "no-service-manager",
        kind: Kind::Service,
        phase: Phase::Restart,
        title: "OpenClaw found no service manager for this gateway",
        patterns: &[
            "no supported service manager detected",
            "service management skipped",
            "systemctl not available",
        ],
        wrong_side: "the host session",
        causes: &[
            "no systemd user bus in this session (SSH without lingering, containers): XDG_RUNTIME_DIR/DBUS_SESSION_BUS_ADDRESS unset",
            "HOME or the state dir differs from the account default",
        ],
        fixes: &[
            "loginctl enable-linger $USER",
            "{oc} gateway run   # foreground, without a service",
        ],
    },
    Entry {
        id: "force-failed",
        kind: Kind::Startup,
        phase: Phase::Restart,
        title: "`gateway run --force` could not free the port",
        patterns: &[
            "still busy after --force",
            "lsof not found; required for --force",
            "fuser not found; required for --force",
        ],
        wrong_side: "the gateway host",
        causes: &["the holder belongs to another user, or lsof/fuser is missing"],
        fixes: &["ss -ltnp 'sport = :{port}'", "apt-get install lsof"],
    },
    Entry {
        id: "origin-host-fallback",
        kind: Kind::Origin,
        phase: Phase::Dashboard,
        title: "the gateway accepts browser origins through the Host-header fallback (unsafe)",
        patterns: &["websocket origin accepted via Host-header fallback"],
        wrong_side: "the gateway config",
        causes: &["gateway.controlUi.dangerouslyAllowHostHeaderOriginFallback is on"],
        fixes: &[
            "{ck} config unset gateway.controlUi.dangerouslyAllowHostHeaderOriginFallback   # list real origins in allowedOrigins instead",
        ],
    },
    Entry {
        id: "stale-cached-device-token",
        kind: Kind::DeviceToken,
        phase: Phase::DeviceTokens,
        title: "the local CLI's cached device token predates a rotation on the gateway",
        patterns: &[
            "predates the gateway rotation",
            "stale device-token pattern",
        ],
        wrong_side: "the local client's device-token cache",
        causes: &["the device token was rotated on the gateway after the CLI cached it"],
        fixes: &[
            "{oc} devices rotate --device {device_id} --role operator",
            "or give the CLI the shared token: {ck} config set gateway.auth.token <token>",
        ],
    },
    Entry {
        id: "missing-scope",
        kind: Kind::Scope,
        phase: Phase::DeviceTokens,
        title: "the connection lacks the scope this method needs",
        patterns: &["missing scope:", "MISSING_SCOPE"],
        wrong_side: "the client's granted scopes",
        causes: &[
            "a shared-token client other than the CLI gets no scopes",
            "the device was approved with fewer scopes",
        ],
        fixes: &["{oc} devices list", "{oc} devices approve {request_id}"],
    },
];

/// One recognised error in an input.
#[derive(Debug, Clone)]
pub struct Hit {
    pub entry: &'static Entry,
    /// Byte offset of the first match and its 1-based line.
    pub offset: usize,
    pub line: usize,
    /// The full line the first match stood on (trimmed, at most 300 chars).
    pub excerpt: String,
    pub count: usize,
}

static MATCHER: LazyLock<(AhoCorasick, Vec<usize>)> = LazyLock::new(|| {
    let mut patterns = Vec::new();
    let mut owners = Vec::new();
    for (i, entry) in CATALOG.iter().enumerate() {
        for p in entry.patterns {
            patterns.push(*p);
            owners.push(i);
        }
    }
    let ac = AhoCorasickBuilder::new()
        .match_kind(MatchKind::LeftmostLongest)
        .ascii_case_insensitive(true)
        .build(&patterns)
        .expect("catalog patterns build");
    (ac, owners)
});

/// Every catalog entry found in `text`, in order of first appearance.
pub fn scan(text: &str) -> Vec<Hit> {
    let (ac, owners) = &*MATCHER;
    let mut hits: Vec<Hit> = Vec::new();
    for m in ac.find_iter(text) {
        let entry = &CATALOG[owners[m.pattern().as_usize()]];
        if let Some(hit) = hits.iter_mut().find(|h| h.entry.id == entry.id) {
            hit.count += 1;
            continue;
        }
        let line_start = text[..m.start()].rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[m.start()..]
            .find('\n')
            .map_or(text.len(), |i| m.start() + i);
        let excerpt: String = crate::secret::redact_text(text[line_start..line_end].trim())
            .chars()
            .take(300)
            .collect();
        hits.push(Hit {
            entry,
            offset: m.start(),
            line: text[..m.start()].matches('\n').count() + 1,
            excerpt,
            count: 1,
        });
    }
    // A specific entry explains its generic neighbours on the same line: keep the specific one.
    let shadowed: Vec<usize> = hits
        .iter()
        .enumerate()
        .filter(|(_, h)| {
            h.entry.id == "connection-dropped"
                && hits
                    .iter()
                    .any(|o| o.entry.id == "not-reachable" && o.line == h.line)
        })
        .map(|(i, _)| i)
        .collect();
    hits.into_iter()
        .enumerate()
        .filter(|(i, _)| !shadowed.contains(i))
        .map(|(_, h)| h)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pattern_identifies_its_own_entry() {
        for entry in CATALOG {
            for pattern in entry.patterns {
                let text = format!("some prefix: {pattern} (and a suffix)");
                let hits = scan(&text);
                assert!(
                    hits.iter().any(|h| h.entry.id == entry.id),
                    "`{pattern}` did not identify {} (got {:?})",
                    entry.id,
                    hits.iter().map(|h| h.entry.id).collect::<Vec<_>>()
                );
                assert_eq!(
                    hits.len(),
                    1,
                    "`{pattern}` matched several entries: {:?}",
                    hits.iter().map(|h| h.entry.id).collect::<Vec<_>>()
                );
            }
        }
    }

    #[test]
    fn ids_are_unique_and_entries_complete() {
        let mut ids: Vec<&str> = CATALOG.iter().map(|e| e.id).collect();
        ids.sort();
        let before = ids.len();
        ids.dedup();
        assert_eq!(before, ids.len());
        for e in CATALOG {
            assert!(
                !e.patterns.is_empty() && !e.causes.is_empty() && !e.fixes.is_empty(),
                "{}",
                e.id
            );
        }
    }

    /// The protocol client once classified close reasons by the first entry this catalog found
    /// in them; it now has its own table of the gateway's wordings. Every wording here must
    /// still get the verdict it got then.
    #[test]
    fn close_reasons_get_the_verdict_the_catalog_gave_them() {
        let through_catalog = |reason: &str| match scan(reason).first().map(|h| h.entry.id) {
            Some("gateway-token-mismatch") => "gateway token mismatch",
            Some("device-token-mismatch") => "device token mismatch",
            Some("pairing-required") => "pairing required",
            _ => "rejected",
        };
        let observed = [
            "unauthorized: gateway token mismatch (use this gateway's gateway.auth.token or pair the device)",
            "unauthorized: device token mismatch (rotate/reissue device token)",
            "unauthorized: gateway token missing (use this gateway's gateway.auth.token or pair the device)",
            "unauthorized: device token scope mismatch (re-pair or approve scope upgrade)",
            "pairing required: device is not approved yet (requestId: 364af9a1-8515-4d86-bb83-04a051f7ea24)",
            "pairing required: device is asking for more scopes than currently approved",
            "device identity required",
            "origin not allowed (open the Control UI from the gateway host or allow it in gateway.controlUi.allowedOrigins)",
            "gateway auth changed",
            "client invalidated: device-pair-removed",
        ];
        for reason in observed {
            let got = crate::verdict::Verdict::from_close(1008, reason);
            assert_eq!(got.name(), through_catalog(reason), "{reason}");
        }
        let mut named = 0;
        for entry in CATALOG {
            for pattern in entry.patterns {
                let reason = format!("some prefix: {pattern} (and a suffix)");
                let expected = through_catalog(&reason);
                let got = crate::verdict::Verdict::from_close(1008, &reason);
                assert_eq!(got.name(), expected, "{} `{pattern}`", entry.id);
                named += usize::from(expected != "rejected");
            }
        }
        assert_eq!(named, 17, "the three entries' patterns");
    }

    #[test]
    fn device_and_gateway_token_mismatch_are_told_apart() {
        let device = scan("unauthorized: device token mismatch (rotate/reissue device token)");
        assert_eq!(device.len(), 1);
        assert_eq!(device[0].entry.id, "device-token-mismatch");
        let log = "unauthorized conn=1 peer=127.0.0.1:5->127.0.0.1:6 reason=device_token_mismatch guidance=x";
        assert_eq!(scan(log)[0].entry.id, "device-token-mismatch");
        let log =
            "unauthorized conn=1 peer=127.0.0.1:5->127.0.0.1:6 reason=token_mismatch guidance=x";
        assert_eq!(scan(log)[0].entry.id, "gateway-token-mismatch");
    }
}
