//! The checks: each turns one part of the facts into findings with evidence. They judge, they
//! do not plan; `plan` decides what to do about them.

use super::facts::Facts;
use super::sources::Place;
use super::{Check, Group};
use crate::finding::{Finding, Severity, codes};
use crate::gateway::Verdict;
use crate::openclaw::auth::{AuthMode, ClientMode, Secret, SecretOrigin};
use crate::openclaw::config::{ConfigError, LoadedConfig, schema};
use std::os::unix::fs::PermissionsExt;

pub fn run(f: &Facts) -> Vec<Check> {
    let mut out = vec![install(f)];
    let config = match &f.config {
        Ok(c) => c,
        Err(e) => {
            out.push(config_invalid(e));
            return out;
        }
    };
    out.push(config_check(config));
    out.push(port(f));
    out.push(service(f, config));
    out.push(shared_secret(f));
    out.push(handshake(f));
    out.push(devices(f));
    out.push(log(f));
    out.push(security(f, config));
    out
}

fn check(id: &'static str, group: Group, title: &str, findings: Vec<Finding>) -> Check {
    Check {
        id,
        group,
        title: title.to_string(),
        findings,
    }
}

fn install(f: &Facts) -> Check {
    let mut v = Vec::new();
    match &f.paths.cli {
        Some(cli) => v.push(Finding::new(
            codes::CLI_FOUND,
            Severity::Ok,
            format!("openclaw {} at {}", cli.version, cli.command.display()),
        )),
        None => v.push(
            Finding::new(
                codes::CLI_MISSING,
                Severity::Warning,
                "no `openclaw` on PATH: the gateway's version rules are assumed to be 2026.9's",
            )
            .next("npm install -g openclaw   # or add its bin directory to PATH"),
        ),
    }
    if let (Some(cli), Some(gw)) = (f.cli_version(), f.gateway_version())
        && cli != gw
    {
        v.push(
            Finding::new(
                codes::GATEWAY_VERSION_DRIFT,
                Severity::Warning,
                format!(
                    "the running gateway is OpenClaw {gw} but the CLI is {cli}: the gateway was not restarted after an update (or runs another install)"
                ),
            )
            .evidence(format!("the gateway's hello: serverVersion {gw}"))
            .next("restart it from the updated install: clawkit gateway restart when a service runs it, else stop it and start `openclaw gateway run` again"),
        );
    }
    check(
        "install",
        Group::Install,
        "OpenClaw install and versions",
        v,
    )
}

fn config_invalid(e: &ConfigError) -> Check {
    check(
        "config",
        Group::Config,
        "Config file",
        vec![
            Finding::new(
                codes::CONFIG_INVALID,
                Severity::Error,
                "OpenClaw cannot read its config: the gateway refuses to start and the CLI fails",
            )
            .evidence(crate::secret::redact_text(&e.to_string()))
            .next("fix the file at that line (JSON5), then: clawkit doctor"),
        ],
    )
}

/// The retired keys the config sets, each once, with where.
pub(super) fn retired_keys(
    config: &LoadedConfig,
) -> Vec<(&'static schema::RetiredKey, &crate::openclaw::config::Node)> {
    let mut out: Vec<(&'static schema::RetiredKey, &crate::openclaw::config::Node)> = Vec::new();
    for (path, node) in config.root.leaves() {
        if let Some(key) = schema::retired(&path)
            && !out.iter().any(|(k, _)| k.path == key.path)
        {
            out.push((key, node));
        }
    }
    out
}

fn config_check(config: &LoadedConfig) -> Check {
    let mut v = Vec::new();
    v.push(Finding::new(
        codes::CONFIG_READ,
        Severity::Ok,
        if config.exists {
            format!(
                "{} parsed ({} file{})",
                config.path.display(),
                config.files.len(),
                if config.files.len() == 1 { "" } else { "s" }
            )
        } else {
            format!("{} does not exist (defaults apply)", config.path.display())
        },
    ));
    for (key, node) in retired_keys(config) {
        v.push(
            Finding::new(
                codes::CONFIG_RETIRED_KEY,
                if key.invalid {
                    Severity::Error
                } else {
                    Severity::Warning
                },
                format!("`{}` is {}", key.path, key.why),
            )
            .evidence(node.origin.to_string())
            .next(format!("clawkit config unset {}", key.path)),
        );
    }
    for key in [
        "gateway.auth.token",
        "gateway.auth.password",
        "gateway.remote.token",
        "gateway.remote.password",
    ] {
        if let Some(node) = config.get(key)
            && node.as_str().is_some_and(schema::is_redaction_sentinel)
        {
            v.push(
                Finding::new(
                    codes::CONFIG_REDACTED_SECRET,
                    Severity::Error,
                    format!("`{key}` holds a redaction placeholder, not a secret (a config copied from a redacted dump): OpenClaw treats it as unset"),
                )
                .evidence(node.origin.to_string())
                .next(format!("clawkit config set {key} <the real value>")),
            );
        }
    }
    if let Some(node) = config.get("gateway.auth.mode")
        && let Some(mode) = node.as_str()
        && !["none", "token", "password", "trusted-proxy"].contains(&mode)
    {
        v.push(
            Finding::new(
                codes::CONFIG_AUTH_MODE_UNKNOWN,
                Severity::Error,
                format!("gateway.auth.mode `{mode}` is not a mode OpenClaw knows (none, token, password, trusted-proxy): the config is invalid"),
            )
            .evidence(node.origin.to_string())
            .next("clawkit config set gateway.auth.mode token"),
        );
    }
    if config.get("gateway.auth.mode").is_none()
        && config.get("gateway.auth.token").is_some()
        && config.get("gateway.auth.password").is_some()
    {
        v.push(
            Finding::new(
                codes::CONFIG_AUTH_AMBIGUOUS,
                Severity::Error,
                "both gateway.auth.token and gateway.auth.password are set and gateway.auth.mode is not: the gateway refuses to start",
            )
            .next("clawkit config set gateway.auth.mode token   # or password"),
        );
    }
    for (var, origin) in &config.unresolved {
        v.push(
            Finding::new(
                codes::CONFIG_UNRESOLVED_REF,
                Severity::Error,
                format!("${{{var}}} is used in the config but not set in this environment: OpenClaw refuses the config"),
            )
            .evidence(origin.to_string())
            .next(format!("export {var}=…   # in the environment of the CLI and of the gateway's service")),
        );
    }
    check("config", Group::Config, "Config file", v)
}

fn port(f: &Facts) -> Check {
    let findings = f
        .ports
        .as_ref()
        .map(|p| p.findings.clone())
        .unwrap_or_default();
    check(
        "port",
        Group::Port,
        "Who holds the gateway's ports",
        findings,
    )
}

fn service(f: &Facts, config: &LoadedConfig) -> Check {
    let mut v = Vec::new();
    for e in &f.service_errors {
        v.push(Finding::new(
            codes::SERVICE_FILE_UNREADABLE,
            Severity::Error,
            e.clone(),
        ));
    }
    for def in &f.services {
        let found = crate::service::audit::audit(def, &f.paths, config, &f.shell);
        if found.is_empty() {
            v.push(Finding::new(
                codes::SERVICE_OK,
                Severity::Ok,
                format!("{} {}: nothing wrong", def.name, def.path.display()),
            ));
        }
        v.extend(found);
    }
    if f.services.is_empty() && f.service_errors.is_empty() {
        v.push(Finding::new(
            codes::SERVICE_NONE,
            Severity::Info,
            "no service definition: the gateway is started by hand (or by something clawkit does not read)",
        ));
    }
    check("service", Group::Service, "Service definition", v)
}

/// The secret the gateway checks under its auth mode, if known. In remote mode the local
/// config says nothing about the remote gateway's secret unless its process was read.
pub(super) fn gateway_secret(f: &Facts) -> Option<&Secret> {
    let g = f.gateway_side.as_ref()?;
    let known = g.observed || f.client_mode == ClientMode::Local;
    g.creds.effective(&g.creds.mode).filter(|_| known)
}

/// Every client-side copy of a shared secret, with where it lives.
pub(super) fn client_copies(f: &Facts) -> Vec<(&Secret, Place, &'static str)> {
    let mut out = Vec::new();
    if let Some(c) = &f.client {
        for s in c.tokens.iter().chain(&c.passwords) {
            let place = match &s.origin {
                SecretOrigin::Config { key, .. } => Place::ConfigKey(key.clone()),
                SecretOrigin::Env { .. } => Place::Shell,
                _ => Place::Flag,
            };
            out.push((s, place, "CLI"));
        }
    }
    for d in &f.docker {
        out.push((&d.secret, d.place.clone(), d.reader));
    }
    out
}

fn shared_secret(f: &Facts) -> Check {
    let mut v = Vec::new();
    let title = "The gateway's shared secret against every client source";
    if let Some(e) = &f.docker_error {
        v.push(Finding::new(
            codes::DOCKER_DIR_UNREADABLE,
            Severity::Error,
            e.clone(),
        ));
    }
    let Some(side) = &f.gateway_side else {
        return check("shared-secret", Group::SharedSecret, title, v);
    };
    let mode = &side.creds.mode;
    match mode {
        AuthMode::None | AuthMode::TrustedProxy => {
            v.push(Finding::new(
                codes::SECRET_NOT_USED,
                Severity::Info,
                format!("the gateway runs with auth mode {mode:?}: no shared secret to compare"),
            ));
            return check("shared-secret", Group::SharedSecret, title, v);
        }
        _ => {}
    }
    let Some(truth) = gateway_secret(f) else {
        let refused = f
            .cli
            .as_ref()
            .is_some_and(|c| is_secret_verdict(&c.verdict));
        v.push(
            Finding::new(
                codes::GATEWAY_SECRET_UNKNOWN,
                if refused {
                    Severity::Warning
                } else {
                    Severity::Info
                },
                format!(
                    "clawkit cannot see which secret the gateway checks (read from {})",
                    side.from
                ),
            )
            .next("clawkit gateway token status"),
        );
        return check("shared-secret", Group::SharedSecret, title, v);
    };
    if let Some(theirs) = &side.config_path {
        v.push(Finding::new(
            codes::CONFIG_DIFFERS,
            Severity::Info,
            format!(
                "the gateway reads {}, the CLI reads {}: their secrets are compared below",
                theirs.display(),
                f.paths.config_path.value.display()
            ),
        ));
    }
    v.push(Finding::new(
        codes::GATEWAY_SECRET,
        Severity::Ok,
        format!(
            "the gateway checks {} {}; read from {}",
            word(truth),
            truth,
            side.from
        ),
    ));
    let sent = f.cli.as_ref().and_then(|c| c.sent.as_ref());
    let accepted = f.cli.as_ref().is_some_and(|c| c.verdict.is_ok());
    for (copy, place, reader) in client_copies(f) {
        if copy.kind != truth.kind {
            continue;
        }
        let in_effect = reader == "CLI" && sent.is_some_and(|s| s == copy);
        let same = copy.same_value(truth);
        // Only this install's own gateway's refusal says something about its secret (a zombie
        // on the port refuses with its own).
        let refused = in_effect
            && f.gateway.is_some()
            && f.cli
                .as_ref()
                .is_some_and(|c| is_secret_verdict(&c.verdict));
        let (code, severity, summary) = match (same, in_effect, reader) {
            (true, true, _) if refused => (
                codes::GATEWAY_SECRET_HIDDEN,
                Severity::Error,
                format!(
                    "the gateway refuses the {} it would read from {}: it runs with another one — a --token/--password flag (its command line is hidden by its process title) or a change it has not reloaded",
                    word(copy),
                    truth.origin
                ),
            ),
            (true, true, _) => (
                codes::SECRET_AGREES,
                Severity::Ok,
                format!(
                    "the CLI sends the gateway's {} (from {})",
                    word(copy),
                    copy.origin
                ),
            ),
            (true, false, _) => (
                codes::SECRET_AGREES,
                Severity::Ok,
                format!("{} holds the gateway's {} too", copy.origin, word(copy)),
            ),
            (false, true, _) => (
                codes::SECRET_MISMATCH,
                if accepted {
                    Severity::Info
                } else {
                    Severity::Error
                },
                format!(
                    "the CLI sends {} {} from {}{}, but the gateway checks {} from {}",
                    word(copy),
                    copy.fingerprint(),
                    copy.origin,
                    fallback_note(f, &place),
                    truth.fingerprint(),
                    truth.origin
                ),
            ),
            (false, false, "docker") => (
                codes::SECRET_MISMATCH,
                Severity::Error,
                format!(
                    "{} sets {} {} for the containers of that directory, but the gateway checks {}: they are refused (or, if they run the gateway, every other client is)",
                    copy.origin,
                    word(copy),
                    copy.fingerprint(),
                    truth.fingerprint()
                ),
            ),
            (false, false, _) => (
                codes::SECRET_STALE_COPY,
                Severity::Warning,
                format!(
                    "{} holds another {} ({}); the CLI does not use it now, but it takes over as soon as {}",
                    copy.origin,
                    word(copy),
                    copy.fingerprint(),
                    match place {
                        Place::Shell => "the config stops naming a token",
                        _ => "the sources above it are removed",
                    }
                ),
            ),
        };
        let mut finding = Finding::new(code, severity, summary);
        if code == codes::GATEWAY_SECRET_HIDDEN {
            finding = finding.next("restart the gateway so it reads the config: stop it (clawkit gateway stop) and start it again without --token/--password, or fix that flag in its service definition");
        }
        if code != codes::SECRET_AGREES {
            finding = finding.evidence(format!(
                "gateway side: {} {}; read from {}",
                word(truth),
                truth,
                side.from
            ));
            finding = finding.evidence(format!("{reader} side: {copy}"));
            if let Some(c) = &f.cli
                && in_effect
            {
                finding = finding.evidence(format!(
                    "live: the gateway answered the CLI's handshake with `{}`",
                    c.verdict.name()
                ));
            }
        }
        v.push(finding);
    }
    if f.client_mode == ClientMode::ExplicitUrl {
        v.push(Finding::new(
            codes::SECRET_EXPLICIT_URL,
            Severity::Info,
            "OPENCLAW_GATEWAY_URL is set: the CLI sends only OPENCLAW_GATEWAY_TOKEN/PASSWORD, never the config's secrets",
        ));
    }
    check("shared-secret", Group::SharedSecret, title, v)
}

/// Why a local-mode CLI ends up on `gateway.remote.*`: it is the last fallback.
fn fallback_note(f: &Facts, place: &Place) -> &'static str {
    match (place, &f.client_mode) {
        (Place::ConfigKey(k), ClientMode::Local) if k.starts_with("gateway.remote.") => {
            " (in local mode the CLI falls back to it: no gateway.auth secret in the config and none in the shell)"
        }
        _ => "",
    }
}

fn word(s: &Secret) -> &'static str {
    match s.kind {
        crate::openclaw::auth::SecretKind::Password => "password",
        _ => "token",
    }
}

pub(super) fn is_secret_verdict(v: &Verdict) -> bool {
    matches!(
        v,
        Verdict::GatewayTokenMismatch { .. }
            | Verdict::GatewayTokenMissing { .. }
            | Verdict::PasswordMismatch { .. }
            | Verdict::PasswordMissing { .. }
    )
}

/// Whether the CLI authenticates with its device token (it has no shared secret).
pub(super) fn cli_uses_device_token(f: &Facts) -> bool {
    f.cli.is_none()
}

fn verdict_line(v: &Verdict) -> String {
    format!(
        "{}{}",
        v.name(),
        v.message().map(|m| format!(": {m}")).unwrap_or_default()
    )
}

fn handshake(f: &Facts) -> Check {
    let mut v = Vec::new();
    match &f.cli {
        Some(c) if c.verdict.is_ok() => {
            v.push(Finding::new(
                codes::HANDSHAKE_CLI,
                Severity::Ok,
                format!(
                    "as the CLI ({}): accepted by OpenClaw {} in {} ms",
                    c.url,
                    c.server_version.as_deref().unwrap_or("?"),
                    c.elapsed_ms
                ),
            ));
        }
        Some(c) => v.push(
            Finding::new(
                codes::HANDSHAKE_CLI,
                Severity::Error,
                format!("as the CLI ({}): {}", c.url, verdict_line(&c.verdict)),
            )
            .evidence(format!(
                "sent {}",
                c.sent.as_ref().map_or("no shared secret".into(), |s| s.to_string())
            )),
        ),
        None if f.client_mode == ClientMode::Remote
            && f.config.as_ref().is_ok_and(|c| c.get("gateway.remote.url").is_none()) =>
        {
            v.push(
                Finding::new(
                    codes::CLI_REMOTE_URL_MISSING,
                    Severity::Error,
                    "gateway.mode is remote but gateway.remote.url is not set: the CLI has nowhere to connect",
                )
                .next("clawkit config set gateway.remote.url ws://HOST:18789"),
            )
        }
        None => v.push(Finding::new(
            codes::HANDSHAKE_CLI,
            Severity::Info,
            "the CLI has no shared secret: it authenticates with this device's cached token (below)",
        )),
    }
    if let Some(d) = &f.device_verdict {
        let severity = match (d.is_ok(), cli_uses_device_token(f)) {
            (true, _) => Severity::Ok,
            (false, true) => Severity::Error,
            (false, false) => Severity::Warning,
        };
        v.push(Finding::new(
            codes::HANDSHAKE_DEVICE,
            severity,
            format!(
                "as this device with its cached token: {}",
                if d.is_ok() {
                    "accepted".to_string()
                } else {
                    verdict_line(d)
                }
            ),
        ));
    }
    check(
        "handshake",
        Group::Handshake,
        "Live handshakes with the gateway",
        v,
    )
}

fn devices(f: &Facts) -> Check {
    let mut v = Vec::new();
    let title = "This client's device identity, cached tokens and pairing requests";
    let state = match &f.state {
        Ok(s) => s,
        Err(e) => {
            v.push(Finding::new(
                codes::DEVICE_STATE_UNREADABLE,
                Severity::Warning,
                e.clone(),
            ));
            return check("devices", Group::Devices, title, v);
        }
    };
    let own = f.identity.as_ref().map(|i| i.device_id().to_string());
    let device_refused = f.device_verdict.as_ref().is_some_and(|d| !d.is_ok());
    let severity = if cli_uses_device_token(f) {
        Severity::Error
    } else {
        Severity::Warning
    };
    for (cached, why) in state.stale_cached_tokens() {
        if own.as_deref() != Some(cached.device_id.as_str()) {
            continue;
        }
        let revoked = why.contains("revoked");
        v.push(
            Finding::new(
                if revoked { codes::DEVICE_TOKEN_REVOKED } else { codes::DEVICE_TOKEN_STALE },
                severity,
                format!(
                    "this client's cached {} token {} is {why}: the gateway answers `device token mismatch`",
                    cached.role,
                    cached.token.fingerprint()
                ),
            )
            .evidence(format!("cached in {}", describe_source(&state.cached_source)))
            .next("clawkit gateway token rotate"),
        );
    }
    // A refusal the state does not explain (the gateway's state lives elsewhere).
    if device_refused
        && !v.iter().any(|f| f.code.starts_with("device-token"))
        && matches!(f.device_verdict, Some(Verdict::DeviceTokenMismatch { .. }))
    {
        v.push(
            Finding::new(
                codes::DEVICE_TOKEN_STALE,
                severity,
                "the gateway refuses this client's cached device token (rotated or revoked on the gateway)",
            )
            .next("clawkit gateway token rotate"),
        );
    }
    let has_cached = own.as_deref().is_some_and(|id| {
        state
            .cached_tokens
            .iter()
            .any(|c| c.device_id == id && c.role == "operator")
    });
    if cli_uses_device_token(f) && !has_cached && f.config.is_ok() {
        v.push(
            Finding::new(
                codes::DEVICE_TOKEN_MISSING,
                Severity::Error,
                "the CLI has no shared secret and no cached device token: it cannot authenticate (OpenClaw 2026.7 drops a cached token the gateway refused)",
            )
            .evidence(match &own {
                Some(id) => format!("device {} has no operator token in {}", short(id), describe_source(&state.cached_source)),
                None => "no device identity on this client".into(),
            })
            .next("clawkit gateway token rotate --token <the gateway's token>"),
        );
    }
    if let Some(id) = &own
        && state.paired_device(id).is_none()
        && cli_uses_device_token(f)
        && !state.paired.is_empty()
    {
        v.push(
            Finding::new(
                codes::DEVICE_NOT_PAIRED,
                Severity::Error,
                format!("this client's device {} is not paired with the gateway, and the CLI has no shared secret to pair with", short(id)),
            )
            .next("export OPENCLAW_GATEWAY_TOKEN=…; clawkit gateway token rotate"),
        );
    }
    for p in &state.pending {
        let mine = own.as_deref() == Some(p.device_id.as_str());
        let who = if mine {
            "this client's device".to_string()
        } else {
            format!(
                "device {} ({}/{})",
                short(&p.device_id),
                p.client_id.as_deref().unwrap_or("?"),
                p.client_mode.as_deref().unwrap_or("?")
            )
        };
        let (code, severity, what) = if p.is_repair {
            (
                codes::DEVICE_REPAIR_PENDING,
                Severity::Warning,
                "a repair request (its key or requested access changed)",
            )
        } else {
            (
                codes::DEVICE_PAIRING_PENDING,
                Severity::Info,
                "a pairing request",
            )
        };
        v.push(
            Finding::new(
                code,
                severity,
                format!(
                    "{who} has {what} waiting for approval: until then it is refused (roles {}, scopes {})",
                    p.roles.join(","),
                    p.scopes.join(",")
                ),
            )
            .evidence(format!("request {} in {}", p.request_id, describe_source(&state.pairing_source)))
            .next(format!("openclaw devices approve {}", p.request_id)),
        );
    }
    if v.is_empty() {
        v.push(Finding::new(
            codes::DEVICES_OK,
            Severity::Ok,
            match &own {
                Some(id) => format!("device {}: no stale token, no pending request", short(id)),
                None => "no device identity on this client yet (the CLI creates one on first use)"
                    .into(),
            },
        ));
    }
    check("devices", Group::Devices, title, v)
}

fn describe_source(s: &crate::openclaw::state::Source) -> String {
    use crate::openclaw::state::Source;
    match s {
        Source::Sqlite(p) | Source::Json(p) => p.display().to_string(),
        Source::Missing => "no state file".into(),
    }
}

pub(super) fn short(id: &str) -> String {
    if id.len() > 16 {
        format!("{}…", &id[..12])
    } else {
        id.to_string()
    }
}

/// Who a log client id is, in words.
fn client_label(client: &str) -> String {
    let id = client.split('/').next().unwrap_or(client);
    let what = match id {
        "cli" => "the openclaw CLI",
        "openclaw-control-ui" | "webchat-ui" | "webchat" => "the Control UI (a browser)",
        "openclaw-probe" => "a gateway probe",
        "node-host" | "openclaw-node" | "node" => "a device node",
        "openclaw-macos" | "openclaw-ios" | "openclaw-android" => "a companion app",
        _ => "a client",
    };
    format!("{what} ({client})")
}

fn log(f: &Facts) -> Check {
    let mut v = Vec::new();
    let title = "Auth failures in the gateway log, by client";
    let Some(result) = &f.log else {
        v.push(Finding::new(
            codes::LOG_MISSING,
            Severity::Info,
            format!(
                "no gateway log at {} (nothing to read)",
                f.log_file
                    .as_ref()
                    .map_or("?".into(), |p| p.display().to_string())
            ),
        ));
        return check("log", Group::Log, title, v);
    };
    let report = match result {
        Ok(r) => r,
        Err(e) => {
            v.push(Finding::new(
                codes::LOG_UNREADABLE,
                Severity::Warning,
                e.clone(),
            ));
            return check("log", Group::Log, title, v);
        }
    };
    let cli_ok = f.cli.as_ref().is_some_and(|c| c.verdict.is_ok())
        || f.device_verdict.as_ref().is_some_and(Verdict::is_ok);
    let recent = f.now_ms - 3600 * 1000;
    let mut groups: Vec<_> = report
        .groups
        .iter()
        .filter(|g| g.key.kind == crate::logscan::EventKind::AuthFailure)
        .collect();
    groups.sort_by_key(|g| std::cmp::Reverse(g.count));
    for g in groups {
        let is_cli = g.key.client.starts_with("cli/");
        let settled = (is_cli && cli_ok) || g.last_ms.is_some_and(|t| t < recent);
        v.push(
            Finding::new(
                codes::LOG_AUTH_FAILURES,
                if settled {
                    Severity::Info
                } else {
                    Severity::Warning
                },
                format!(
                    "{}× `{}` from {}{}{}",
                    g.count,
                    g.key.reason,
                    client_label(&g.key.client),
                    if g.key.peer.is_empty() {
                        String::new()
                    } else {
                        format!(" at {}", g.key.peer)
                    },
                    if settled { " (no longer failing)" } else { "" }
                ),
            )
            .evidence(format!(
                "first {}, last {} UTC",
                g.first_ms
                    .map_or("?".into(), crate::logscan::format_time_ms),
                g.last_ms.map_or("?".into(), crate::logscan::format_time_ms)
            )),
        );
    }
    if v.is_empty() {
        v.push(Finding::new(
            codes::LOG_CLEAN,
            Severity::Ok,
            format!(
                "no auth failure in {} file(s) ({} bytes read)",
                report.files.len(),
                report.bytes
            ),
        ));
    }
    check("log", Group::Log, title, v)
}

/// The files OpenClaw keeps private, the mode it gives them, and the finding when they are not.
pub(super) fn private_paths(f: &Facts) -> [(std::path::PathBuf, u32, &'static str); 2] {
    [
        (
            f.paths.config_path.value.clone(),
            0o600,
            codes::CONFIG_PERMISSIONS,
        ),
        (
            f.paths.state_dir.value.clone(),
            0o700,
            codes::STATE_DIR_PERMISSIONS,
        ),
    ]
}

fn security(f: &Facts, config: &LoadedConfig) -> Check {
    let mut v = Vec::new();
    let mode = f.gateway_side.as_ref().map(|g| g.creds.mode.clone());
    let bind = config.str("gateway.bind").unwrap_or("loopback");
    if mode == Some(AuthMode::None) {
        let exposed = bind != "loopback";
        v.push(
            Finding::new(
                if exposed {
                    codes::EXPOSED_WITHOUT_AUTH
                } else {
                    codes::AUTH_NONE
                },
                if exposed {
                    Severity::Error
                } else {
                    Severity::Warning
                },
                format!(
                    "gateway.auth.mode is none with gateway.bind {bind}: {}",
                    if exposed {
                        "anyone who can reach the port controls the assistant"
                    } else {
                        "any local process can control the assistant"
                    }
                ),
            )
            .next("clawkit config set gateway.auth.mode token"),
        );
    }
    if let Some(s) = gateway_secret(f) {
        let weak = s.len() < 24 || schema::KNOWN_WEAK_SECRETS.contains(&s.expose());
        if weak {
            v.push(
                Finding::new(
                    codes::WEAK_SECRET,
                    Severity::Warning,
                    format!("the gateway's {} is {} characters{}: guessable", word(s), s.len(), if schema::KNOWN_WEAK_SECRETS.contains(&s.expose()) { ", an example placeholder" } else { "" }),
                )
                .evidence(s.to_string())
                .next("clawkit config set gateway.auth.token \"$(openssl rand -hex 32)\"   # then update each client"),
            );
        }
    }
    for (path, want, code) in private_paths(f) {
        if let Ok(meta) = std::fs::metadata(&path) {
            let mode = meta.permissions().mode() & 0o777;
            if mode & 0o077 != 0 {
                v.push(
                    Finding::new(
                        code,
                        Severity::Warning,
                        format!(
                            "{} is mode {mode:o}: other users can read the gateway's secrets",
                            path.display()
                        ),
                    )
                    .next(format!("chmod {want:o} {}", path.display())),
                );
            }
        }
    }
    if v.is_empty() {
        v.push(Finding::new(
            codes::SECURITY_OK,
            Severity::Ok,
            format!("auth required, bind {bind}, config and state dir private"),
        ));
    }
    check("security", Group::Security, "Exposure and hygiene", v)
}
