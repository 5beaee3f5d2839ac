//! `clawkit probe`: one real handshake with the gateway (and `health` + `system.info` when
//! authenticated), with the credential the local CLI would use and where it came from.

use super::{print_json, say};
use crate::cli::{ProbeArgs, ProbeAs};
use crate::exit::ExitStatus;
use crate::settings::Settings;
use clawkit_core::error::{Error, Result};
use clawkit_core::gateway::{
    ClientRole, ConnectOptions, Credential, DeviceIdentity, Verdict, connect,
};
use clawkit_core::openclaw::auth::{
    AuthMode, ClientMode, client_credentials, client_mode, client_url,
};
use clawkit_core::openclaw::state::DeviceState;
use clawkit_core::secret::fingerprint;
use serde_json::{Value, json};
use std::io::Write;
use std::time::Duration;

pub fn run(settings: &Settings, args: &ProbeArgs, out: &mut dyn Write) -> Result<ExitStatus> {
    let (opts, sent) = plan(settings, args)?;
    let runtime = super::runtime()?;
    let started = std::time::Instant::now();
    let outcome = runtime.block_on(async {
        match connect(&opts).await {
            Ok(mut conn) => {
                let health = conn.request("health", json!({})).await.ok();
                let info = conn.request("system.info", json!({})).await.ok();
                let hello = conn.hello.clone();
                conn.close().await;
                Ok((hello, health, info))
            }
            Err(verdict) => Err(verdict),
        }
    });
    let elapsed = started.elapsed().as_millis() as u64;
    match outcome {
        Ok((hello, health, info)) => {
            if args.json {
                let doc = json!({
                    "schemaVersion": 1,
                    "url": opts.url,
                    "verdict": Verdict::Ok,
                    "elapsedMs": elapsed,
                    "hello": hello,
                    "sent": sent,
                    "health": {"ok": health.as_ref().map(|h| h["ok"].clone()).unwrap_or(Value::Null)},
                    "system": info.as_ref().map(|i| json!({"pid": i["pid"], "port": i["port"], "uptimeMs": i["uptimeMs"], "processInstanceId": i["processInstanceId"]})),
                });
                print_json(out, &doc);
            } else {
                say!(out, "{}: ok in {} ms", opts.url, hello.latency_ms);
                let pid = info.as_ref().and_then(|i| i["pid"].as_u64());
                say!(
                    out,
                    "  server   OpenClaw {}{}, up {}{}",
                    hello.server_version.as_deref().unwrap_or("?"),
                    hello
                        .boot_id
                        .as_deref()
                        .map_or(String::new(), |b| format!(", boot {b}")),
                    hello.uptime_ms.map_or("?".into(), human_duration),
                    pid.map_or(String::new(), |p| format!(", pid {p}"))
                );
                say!(
                    out,
                    "  auth     {} as {} with {}; scopes {}",
                    hello.auth_method.as_deref().unwrap_or("?"),
                    hello.role.as_deref().unwrap_or("?"),
                    sent["description"].as_str().unwrap_or("?"),
                    if hello.scopes.is_empty() {
                        "(none)".into()
                    } else {
                        hello.scopes.join(", ")
                    }
                );
                if let Some(h) = &health {
                    say!(
                        out,
                        "  health   {}",
                        if h["ok"] == true { "ok" } else { "not ok" }
                    );
                }
            }
            Ok(ExitStatus::Success)
        }
        Err(verdict) => {
            if args.json {
                let doc = json!({"schemaVersion": 1, "url": opts.url, "verdict": verdict, "elapsedMs": elapsed, "sent": sent});
                print_json(out, &doc);
            } else {
                say!(out, "{}: {} (after {elapsed} ms)", opts.url, verdict.name());
                if let Some(m) = verdict.message() {
                    let who = match verdict {
                        Verdict::ConnectionRefused { .. }
                        | Verdict::NotAGateway { .. }
                        | Verdict::Tls { .. } => "detail",
                        _ => "the gateway said",
                    };
                    say!(out, "  {who}: {m}");
                }
                say!(
                    out,
                    "  sent: {}",
                    sent["description"].as_str().unwrap_or("?")
                );
                if let Some(next) = next_step(&verdict) {
                    say!(out, "  next: {next}");
                }
            }
            Ok(ExitStatus::Problems)
        }
    }
}

pub(crate) fn human_duration(ms: u64) -> String {
    let s = ms / 1000;
    match s {
        0..=59 => format!("{s}s"),
        60..=3599 => format!("{}m {}s", s / 60, s % 60),
        _ => format!("{}h {}m", s / 3600, s % 3600 / 60),
    }
}

fn next_step(v: &Verdict) -> Option<String> {
    let probe = match v {
        Verdict::Ok => return None,
        Verdict::ConnectionRefused { .. } => "Gateway not reachable (ECONNREFUSED)",
        Verdict::Timeout { .. } => "gateway timeout after",
        other => other.message().unwrap_or(other.name()),
    };
    let hit = clawkit_core::catalog::scan(probe).into_iter().next()?;
    Some(format!(
        "{} — `clawkit explain '{}'`",
        hit.entry.title, hit.entry.patterns[0]
    ))
}

/// The connection to make and a description of what it sends (fingerprints only).
fn plan(settings: &Settings, args: &ProbeArgs) -> Result<(ConnectOptions, Value)> {
    let config = settings.load_config()?;
    let explicit = args.url.is_some();
    let mode = if explicit {
        ClientMode::ExplicitUrl
    } else {
        client_mode(&config, &settings.env)
    };
    let url = match (&args.url, &mode) {
        (Some(u), _) => u.clone(),
        (None, mode) => {
            client_url(&settings.paths, &config, &settings.env, mode).ok_or_else(|| {
                Error::Usage(format!(
                    "gateway.mode is remote but gateway.remote.url is not set in {}; pass --url",
                    config.path.display()
                ))
            })?
        }
    };
    let mut opts = ConnectOptions::new(url);
    opts.timeout = Duration::from_millis(args.timeout_ms);
    opts.tls_fingerprint = args.tls_fingerprint.clone().or_else(|| {
        (mode == ClientMode::Remote)
            .then(|| {
                config
                    .str("gateway.remote.tlsFingerprint")
                    .map(str::to_string)
            })
            .flatten()
    });
    let (credential, description) = if let Some(t) = &args.secret.token {
        (
            Credential::Token(t.clone()),
            format!("token {} from --token", fingerprint(t)),
        )
    } else if let Some(p) = &args.secret.password {
        (
            Credential::Password(p.clone()),
            format!("password {} from --password", fingerprint(p)),
        )
    } else {
        let creds = client_credentials(&config, &settings.env, &mode, &[]);
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
    };
    opts.credential = credential;
    let mut description = description;
    match args.r#as {
        ProbeAs::Cli => opts.client = ClientRole::Cli,
        ProbeAs::Probe => opts.client = ClientRole::Probe,
        ProbeAs::Device => {
            let state_dir = &settings.paths.state_dir.value;
            let identity = DeviceIdentity::load_local(state_dir)
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
            description = format!(
                "device {} with its cached device token {} (no shared secret)",
                identity.device_id(),
                cached.token.fingerprint()
            );
            opts.credential = Credential::None;
            opts.scopes = cached.scopes.clone();
            opts.device = Some((identity, Some(cached.token.expose().to_string())));
        }
    }
    Ok((opts, json!({"description": description})))
}
