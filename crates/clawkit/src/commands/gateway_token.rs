//! `clawkit gateway token status|rotate`: the commands OpenClaw's guides name but OpenClaw
//! does not have.

use super::{confirm, print_json, say};
use crate::cli::TokenCommand;
use crate::exit::ExitStatus;
use crate::settings::Settings;
use clawkit_core::error::{Error, Result};
use clawkit_core::fsx::backup_root;
use clawkit_core::gateway::device::{check_token, issue_token};
use clawkit_core::gateway::{ConnectOptions, Credential, DeviceIdentity, Verdict, connect};
use clawkit_core::logscan::format_time_ms;
use clawkit_core::openclaw::auth::{
    AuthMode, Credentials, as_credential, client_credentials, client_mode, gateway_credentials,
};
use clawkit_core::openclaw::config::LoadedConfig;
use clawkit_core::openclaw::state::{DeviceState, store_cached_token};
use clawkit_core::secret::fingerprint;
use serde_json::{Value, json};
use std::io::Write;
use std::time::Duration;

pub fn run(settings: &Settings, cmd: &TokenCommand, out: &mut dyn Write) -> Result<ExitStatus> {
    let runtime = super::runtime()?;
    match cmd {
        TokenCommand::Status { json } => runtime.block_on(status(settings, *json, out)),
        TokenCommand::Rotate {
            device,
            all,
            role,
            secret,
            json,
        } => runtime.block_on(rotate(
            settings,
            device.as_deref(),
            *all,
            role,
            &secret.token,
            &secret.password,
            *json,
            out,
        )),
        TokenCommand::Reset { yes, secret, json } => runtime.block_on(reset(
            settings,
            *yes,
            &secret.token,
            &secret.password,
            *json,
            out,
        )),
    }
}

fn when(ms: Option<i64>) -> String {
    ms.map_or_else(|| "-".into(), |m| format!("{} UTC", format_time_ms(m)))
}

fn secret_rows(c: &Credentials, mode: &AuthMode) -> Vec<Value> {
    let effective = c.effective(mode);
    c.tokens
        .iter()
        .chain(c.passwords.iter())
        .map(|s| {
            json!({
                "kind": format!("{:?}", s.kind).to_lowercase(),
                "fingerprint": s.fingerprint(),
                "source": s.origin.to_string(),
                "inEffect": effective.is_some_and(|e| std::ptr::eq(e, s)),
            })
        })
        .collect()
}

async fn status(settings: &Settings, as_json: bool, out: &mut dyn Write) -> Result<ExitStatus> {
    let config = settings.load_config()?;
    let url = settings.paths.local_url(&config, &settings.env);
    let mode = client_mode(&config, &settings.env);
    let client = client_credentials(&config, &settings.env, &mode, &[]);
    let gateway = gateway_credentials(&config, &settings.env, "this shell", &[]);
    let auth_mode = gateway.mode.clone();
    let sent = client.effective(&auth_mode);
    let checked = gateway.effective(&auth_mode);
    let agree_locally = match (sent, checked) {
        (Some(a), Some(b)) => Some(a.same_value(b)),
        _ => None,
    };

    // The gateway's verdict on the shared secret this client sends (if it sends one; without
    // one the CLI uses its cached device token, checked below).
    let live = match sent {
        Some(secret) => {
            let mut opts = ConnectOptions::new(url.clone());
            opts.timeout = Duration::from_secs(3);
            opts.credential = as_credential(Some(secret), &auth_mode);
            Some(match connect(&opts).await {
                Ok(c) => {
                    let hello = c.hello.clone();
                    c.close().await;
                    Ok(hello)
                }
                Err(v) => Err(v),
            })
        }
        None => None,
    };
    let live_verdict = match &live {
        Some(Err(v)) => Some(v.clone()),
        Some(Ok(_)) => Some(Verdict::Ok),
        None => None,
    };

    let state_dir = &settings.paths.state_dir.value;
    let state = DeviceState::read(state_dir).ok();
    let identity = DeviceIdentity::load_local(state_dir).ok();
    let mut cached_rows = Vec::new();
    let mut problems = live_verdict.as_ref().is_some_and(|v| !v.is_ok());
    if let Some(state) = &state {
        let stale = state.stale_cached_tokens();
        for cached in &state.cached_tokens {
            let reason = stale
                .iter()
                .find(|(c, _)| std::ptr::eq(*c, cached))
                .map(|(_, why)| *why);
            // The gateway's own verdict on this cached token, when this is our identity.
            let device_verdict = match &identity {
                Some(id) if id.device_id() == cached.device_id => Some(
                    check_token(
                        &url,
                        id,
                        cached.token.expose(),
                        &cached.role,
                        &cached.scopes,
                        Duration::from_secs(3),
                    )
                    .await,
                ),
                _ => None,
            };
            let bad = reason.is_some()
                || device_verdict
                    .as_ref()
                    .is_some_and(|v| matches!(v, Verdict::DeviceTokenMismatch { .. }));
            problems |= bad;
            cached_rows.push(json!({
                "deviceId": cached.device_id,
                "role": cached.role,
                "fingerprint": cached.token.fingerprint(),
                "cachedAt": cached.updated_at_ms,
                "stale": bad,
                "reason": reason,
                "gatewayVerdict": device_verdict.as_ref().map(Verdict::name),
            }));
        }
    }
    // What the CLI will actually authenticate with.
    let own_cached = identity.as_ref().and_then(|id| {
        cached_rows
            .iter()
            .find(|c| c["deviceId"] == id.device_id() && c["role"] == "operator")
    });
    let client_auth = match (sent, own_cached) {
        (Some(_), _) => "shared-secret",
        (None, Some(c)) if c["stale"] == false => "device-token",
        (None, Some(_)) => "stale-device-token",
        (None, None) => "none",
    };
    problems |= client_auth == "none";
    let paired: Vec<Value> = state
        .iter()
        .flat_map(|s| s.paired.iter())
        .map(|d| {
            json!({
                "deviceId": d.device_id, "client": format!("{}/{}", d.client_id.as_deref().unwrap_or("?"), d.client_mode.as_deref().unwrap_or("?")),
                "roles": d.roles, "approvedVia": d.approved_via, "lastSeenAt": d.last_seen_at_ms,
                "tokens": d.tokens.iter().map(|t| json!({"role": t.role, "scopes": t.scopes, "createdAt": t.created_at_ms, "rotatedAt": t.rotated_at_ms, "revokedAt": t.revoked_at_ms, "lastUsedAt": t.last_used_at_ms})).collect::<Vec<_>>(),
            })
        })
        .collect();
    let pending: Vec<Value> = state
        .iter()
        .flat_map(|s| s.pending.iter())
        .map(|p| json!({"requestId": p.request_id, "deviceId": p.device_id, "roles": p.roles, "scopes": p.scopes, "repair": p.is_repair, "at": p.ts_ms}))
        .collect();
    problems |= !pending.is_empty();

    if as_json {
        let doc = json!({
            "schemaVersion": 1,
            "url": url,
            "authMode": format!("{auth_mode:?}").to_lowercase(),
            "gateway": secret_rows(&gateway, &auth_mode),
            "client": {"side": client.side, "secrets": secret_rows(&client, &auth_mode)},
            "agreeInConfig": agree_locally,
            "live": live_verdict,
            "localDevice": identity.as_ref().map(|i| i.device_id().to_string()),
            "clientAuth": client_auth,
            "cachedTokens": cached_rows,
            "paired": paired,
            "pending": pending,
        });
        print_json(out, &doc);
    } else {
        say!(out, "Shared secret ({:?} mode), gateway {url}", auth_mode);
        let print_side = |out: &mut dyn Write, label: &str, c: &Credentials| {
            let rows = secret_rows(c, &auth_mode);
            if rows.is_empty() {
                say!(out, "  {label:<10} (none)");
            }
            for (i, r) in rows.iter().enumerate() {
                say!(
                    out,
                    "  {:<10} {}  {}{}",
                    if i == 0 { label } else { "" },
                    r["fingerprint"].as_str().unwrap_or(""),
                    r["source"].as_str().unwrap_or(""),
                    if r["inEffect"] == true {
                        "   <- in effect"
                    } else {
                        "   (not used: a source above wins)"
                    }
                );
            }
        };
        print_side(out, "gateway", &gateway);
        print_side(out, client.side.as_str(), &client);
        match agree_locally {
            Some(true) => say!(
                out,
                "  config     the CLI sends the token this config gives the gateway"
            ),
            Some(false) => say!(
                out,
                "  config     MISMATCH: the CLI sends a different secret than this config gives the gateway"
            ),
            None => {}
        }
        match &live {
            Some(Ok(h)) => say!(
                out,
                "  live       accepted by the gateway (OpenClaw {}, {} ms)",
                h.server_version.as_deref().unwrap_or("?"),
                h.latency_ms
            ),
            Some(Err(v)) => say!(
                out,
                "  live       {}{}",
                v.name(),
                v.message().map(|m| format!(": {m}")).unwrap_or_default()
            ),
            None => say!(
                out,
                "  live       no shared secret here: the CLI connects with its cached device token (below)"
            ),
        }
        say!(out, "Devices");
        match &identity {
            Some(id) => say!(out, "  this client  device {}", id.device_id()),
            None => say!(out, "  this client  no device identity yet"),
        }
        for c in &cached_rows {
            say!(
                out,
                "  cached       {} token {} for {} (cached {}){}{}",
                c["role"].as_str().unwrap_or(""),
                c["fingerprint"].as_str().unwrap_or(""),
                short(c["deviceId"].as_str().unwrap_or("")),
                when(c["cachedAt"].as_i64()),
                c["reason"]
                    .as_str()
                    .map(|r| format!("  STALE: {r}"))
                    .unwrap_or_default(),
                c["gatewayVerdict"]
                    .as_str()
                    .map(|v| format!("  [gateway: {v}]"))
                    .unwrap_or_default(),
            );
        }
        for d in &paired {
            say!(
                out,
                "  paired       {} {} roles {} (approved {})",
                short(d["deviceId"].as_str().unwrap_or("")),
                d["client"].as_str().unwrap_or(""),
                d["roles"],
                d["approvedVia"].as_str().unwrap_or("?")
            );
            for t in d["tokens"].as_array().into_iter().flatten() {
                say!(
                    out,
                    "               {} token: created {}, rotated {}, revoked {}, last used {}",
                    t["role"].as_str().unwrap_or(""),
                    when(t["createdAt"].as_i64()),
                    when(t["rotatedAt"].as_i64()),
                    when(t["revokedAt"].as_i64()),
                    when(t["lastUsedAt"].as_i64())
                );
            }
        }
        for p in &pending {
            say!(
                out,
                "  pending      {} for {}{}  -> openclaw devices approve {}",
                p["requestId"].as_str().unwrap_or(""),
                short(p["deviceId"].as_str().unwrap_or("")),
                if p["repair"] == true {
                    " (REPAIR: the device's key changed)"
                } else {
                    ""
                },
                p["requestId"].as_str().unwrap_or("")
            );
        }
        if client_auth == "none" {
            say!(
                out,
                "PROBLEM: this client has no shared secret and no cached device token: the CLI cannot authenticate (OpenClaw 2026.7 drops a token the gateway refused)"
            );
        }
        if client_auth == "none" || cached_rows.iter().any(|c| c["stale"] == true) {
            say!(
                out,
                "next: clawkit gateway token rotate   # fetch a fresh token for this client and verify it"
            );
        }
    }
    Ok(if problems {
        ExitStatus::Problems
    } else {
        ExitStatus::Success
    })
}

/// What an admin action on the local gateway starts from.
struct Admin {
    config: LoadedConfig,
    url: String,
    state_dir: std::path::PathBuf,
    shared: Credential,
}

impl Admin {
    fn resolve(
        settings: &Settings,
        token: &Option<String>,
        password: &Option<String>,
        what: &str,
    ) -> Result<Admin> {
        let config = settings.load_config()?;
        let shared = shared_secret(settings, &config, token, password, what)?;
        Ok(Admin {
            url: settings.paths.local_url(&config, &settings.env),
            state_dir: settings.paths.state_dir.value.clone(),
            config,
            shared,
        })
    }
}

fn refused(url: &str, v: Verdict) -> Error {
    Error::Refused(format!(
        "the gateway at {url} refused: {}{}",
        v.name(),
        v.message().map(|m| format!(" ({m})")).unwrap_or_default()
    ))
}

/// The gateway's shared secret for an admin action: the flags, else this client's configured
/// one, else what this host's config gives the gateway.
pub(crate) fn shared_secret(
    settings: &Settings,
    config: &LoadedConfig,
    token: &Option<String>,
    password: &Option<String>,
    what: &str,
) -> Result<Credential> {
    let shared = match (token, password) {
        (Some(t), _) => Credential::Token(t.clone()),
        (_, Some(p)) => Credential::Password(p.clone()),
        _ => {
            let mode = client_mode(config, &settings.env);
            let client = client_credentials(config, &settings.env, &mode, &[]);
            let gateway = gateway_credentials(config, &settings.env, "this shell", &[]);
            let auth_mode = gateway.mode.clone();
            as_credential(
                client
                    .effective(&auth_mode)
                    .or(gateway.effective(&auth_mode)),
                &auth_mode,
            )
        }
    };
    if matches!(shared, Credential::None) {
        return Err(Error::Usage(format!(
            "{what} needs the gateway's shared secret, and this client has none configured: pass --token (or set OPENCLAW_GATEWAY_TOKEN for this command)"
        )));
    }
    Ok(shared)
}

fn short(id: &str) -> String {
    if id.len() > 16 {
        format!("{}…", &id[..12])
    } else {
        id.to_string()
    }
}

#[allow(clippy::too_many_arguments)]
async fn rotate(
    settings: &Settings,
    device: Option<&str>,
    all: bool,
    role: &str,
    token: &Option<String>,
    password: &Option<String>,
    as_json: bool,
    out: &mut dyn Write,
) -> Result<ExitStatus> {
    let Admin {
        config,
        url,
        state_dir,
        shared,
    } = match Admin::resolve(settings, token, password, "reissuing a device token") {
        Ok(admin) => admin,
        // No shared secret here: a client whose own device token still works rotates it
        // in-band, as that device.
        Err(no_secret) if device.is_none() && !all => {
            return match rotate_in_band(settings, role, as_json, out).await? {
                Some(status) => Ok(status),
                None => Err(no_secret),
            };
        }
        Err(e) => return Err(e),
    };
    let identity = DeviceIdentity::load_local(&state_dir).ok();
    let local = match (device, &identity) {
        (None, Some(id)) => Some(id.clone()),
        (Some(d), Some(id)) if d == id.device_id() => Some(id.clone()),
        (None, None) => {
            return Err(Error::Usage(format!(
                "this client has no device identity under {} yet; nothing to rotate",
                state_dir.display()
            )));
        }
        _ => None,
    };
    let fail = |v: Verdict| refused(&url, v);

    if all {
        // Every other paired device on the gateway first; this client's own token below.
        let mut opts = ConnectOptions::new(url.clone());
        opts.credential = shared.clone();
        let mut conn = connect(&opts).await.map_err(fail)?;
        let rpc = |e: clawkit_core::gateway::RpcError| {
            Error::Refused(format!("the gateway refused: {e}"))
        };
        let list = conn
            .request("device.pair.list", json!({}))
            .await
            .map_err(rpc)?;
        let own = local.as_ref().map(|i| i.device_id().to_string());
        let mut rotated = 0;
        for d in list["paired"].as_array().into_iter().flatten() {
            let id = d["deviceId"].as_str().unwrap_or_default();
            let has_role = d["tokens"].as_array().is_some_and(|t| {
                t.iter()
                    .any(|t| t["role"] == role && t["revokedAtMs"].is_null())
            });
            if own.as_deref() == Some(id) || !has_role {
                continue;
            }
            conn.request("device.token.rotate", json!({"deviceId": id, "role": role}))
                .await
                .map_err(rpc)?;
            rotated += 1;
            if !as_json {
                say!(
                    out,
                    "rotated on the gateway: {} ({})",
                    short(id),
                    d["clientId"].as_str().unwrap_or("?")
                );
            }
        }
        conn.close().await;
        if !as_json {
            say!(
                out,
                "{rotated} other device(s) must reconnect with the gateway token to get their new one"
            );
        }
        if local.is_none() {
            return Ok(ExitStatus::Success);
        }
    }

    if let Some(identity) = local {
        // Reconnect as this device with the shared secret: the gateway answers with the
        // device's current valid token (issuing one if needed).
        let scopes = vec!["operator.admin".to_string()];
        let fresh = issue_token(&url, &identity, shared, role, &scopes)
            .await
            .map_err(fail)?;
        let old = DeviceState::read(&state_dir).ok().and_then(|s| {
            s.cached_tokens
                .iter()
                .find(|c| c.device_id == identity.device_id() && c.role == role)
                .map(|c| c.token.fingerprint())
        });
        return cache_and_verify(
            &url,
            &state_dir,
            &identity,
            role,
            &scopes,
            &fresh,
            old.as_deref(),
            "cached token",
            as_json,
            out,
        )
        .await;
    }

    // Another device: rotate on the gateway and say what that device must do.
    let device = device.expect("a device id was given");
    let mut opts = ConnectOptions::new(url.clone());
    opts.credential = shared;
    let mut conn = connect(&opts).await.map_err(fail)?;
    let result = conn
        .request(
            "device.token.rotate",
            json!({"deviceId": device, "role": role}),
        )
        .await
        .map_err(|e| Error::Refused(format!("the gateway refused the rotation: {e}")))?;
    conn.close().await;
    let port = settings.paths.port(&config, &settings.env).value;
    if as_json {
        print_json(
            out,
            &json!({"schemaVersion": 1, "deviceId": device, "role": role, "rotatedAtMs": result["rotatedAtMs"], "tokenDelivery": result["tokenDelivery"]}),
        );
    } else {
        say!(
            out,
            "device {device} ({role}): token rotated on the gateway at {}",
            when(result["rotatedAtMs"].as_i64())
        );
        say!(
            out,
            "that device's old token is now refused; it gets the new one on its next connection with the shared token:"
        );
        say!(
            out,
            "  - the openclaw CLI on that machine: configure the gateway token (openclaw config set gateway.remote.token ...), or run `clawkit gateway token rotate` there"
        );
        say!(
            out,
            "  - the Control UI: open http://127.0.0.1:{port}/ in a private window and paste the gateway token in its settings"
        );
    }
    Ok(ExitStatus::Success)
}

async fn reset(
    settings: &Settings,
    yes: bool,
    token: &Option<String>,
    password: &Option<String>,
    as_json: bool,
    out: &mut dyn Write,
) -> Result<ExitStatus> {
    let Admin {
        url,
        state_dir,
        shared,
        ..
    } = Admin::resolve(settings, token, password, "resetting device pairing")?;
    let mut opts = ConnectOptions::new(url.clone());
    opts.credential = shared;
    let mut conn = connect(&opts).await.map_err(|v| refused(&url, v))?;
    let rpc =
        |e: clawkit_core::gateway::RpcError| Error::Refused(format!("the gateway refused: {e}"));
    let list = conn
        .request("device.pair.list", json!({}))
        .await
        .map_err(rpc)?;
    let paired: Vec<Value> = list["paired"].as_array().cloned().unwrap_or_default();
    let pending: Vec<Value> = list["pending"].as_array().cloned().unwrap_or_default();
    let label = |d: &Value| {
        format!(
            "{} ({}/{}{})",
            short(d["deviceId"].as_str().unwrap_or("?")),
            d["clientId"].as_str().unwrap_or("?"),
            d["clientMode"].as_str().unwrap_or("?"),
            d["displayName"]
                .as_str()
                .map(|n| format!(", {n}"))
                .unwrap_or_default()
        )
    };
    if !yes {
        let what = format!(
            "This removes {} paired device(s) and {} pending request(s); each must pair again",
            paired.len(),
            pending.len()
        );
        if std::io::IsTerminal::is_terminal(&std::io::stdin()) {
            say!(out, "{what}:");
            for d in &paired {
                say!(out, "  {}", label(d));
            }
        }
        match confirm(out, "Continue?") {
            None => {
                conn.close().await;
                return Err(Error::Usage(format!(
                    "{}. Run again with --yes to confirm",
                    what.replacen("This", "this", 1)
                )));
            }
            Some(false) => {
                conn.close().await;
                say!(out, "nothing changed");
                return Ok(ExitStatus::Success);
            }
            Some(true) => {}
        }
    }
    // Back up what this host holds of the pairing state (the gateway's own when it shares this
    // state dir) before anything is removed.
    let backup =
        clawkit_core::openclaw::state::backup_device_state(&state_dir, &backup_root(&state_dir))
            .map_err(|e| Error::Usage(e.to_string()))?;
    let mut removed = Vec::new();
    for d in &paired {
        let id = d["deviceId"].as_str().unwrap_or_default();
        conn.request("device.pair.remove", json!({"deviceId": id}))
            .await
            .map_err(rpc)?;
        removed.push(label(d));
    }
    for p in &pending {
        let id = p["requestId"].as_str().unwrap_or_default();
        conn.request("device.pair.reject", json!({"requestId": id}))
            .await
            .map_err(rpc)?;
    }
    let cleared = clawkit_core::openclaw::state::clear_cached_tokens(&state_dir)
        .map_err(|e| Error::Usage(e.to_string()))?;
    let after = conn
        .request("device.pair.list", json!({}))
        .await
        .map_err(rpc)?;
    conn.close().await;
    let left = after["paired"].as_array().map_or(0, Vec::len)
        + after["pending"].as_array().map_or(0, Vec::len);
    if as_json {
        let doc = json!({
            "schemaVersion": 1, "removed": removed, "rejectedPending": pending.len(),
            "clearedCachedTokens": cleared, "backup": backup, "remaining": left,
        });
        print_json(out, &doc);
    } else {
        say!(
            out,
            "removed {} paired device(s), rejected {} pending request(s), cleared {cleared} cached token(s) here",
            removed.len(),
            pending.len()
        );
        say!(out, "backup: {}", backup.display());
        if !removed.is_empty() {
            say!(
                out,
                "these must pair again (reconnect with the gateway token; approve with `openclaw devices approve <requestId>` where asked):"
            );
            for r in &removed {
                say!(out, "  {r}");
            }
        }
        say!(
            out,
            "this client: `clawkit gateway token rotate` pairs it again and caches its new token"
        );
    }
    Ok(if left == 0 {
        ExitStatus::Fixed
    } else {
        ExitStatus::Problems
    })
}

/// Rotates this client's own token while authenticated with that token: the gateway hands the
/// new one back in-band. `None` when there is no usable cached token to do it with.
async fn rotate_in_band(
    settings: &Settings,
    role: &str,
    as_json: bool,
    out: &mut dyn Write,
) -> Result<Option<ExitStatus>> {
    let config = settings.load_config()?;
    let url = settings.paths.local_url(&config, &settings.env);
    let state_dir = settings.paths.state_dir.value.clone();
    let Ok(identity) = DeviceIdentity::load_local(&state_dir) else {
        return Ok(None);
    };
    let Some(cached) = DeviceState::read(&state_dir).ok().and_then(|s| {
        s.cached_tokens
            .into_iter()
            .find(|c| c.device_id == identity.device_id() && c.role == role)
    }) else {
        return Ok(None);
    };
    let mut opts = ConnectOptions::new(url.clone());
    opts.role = role.to_string();
    opts.scopes = cached.scopes.clone();
    opts.device = Some((identity.clone(), Some(cached.token.expose().to_string())));
    let Ok(mut conn) = connect(&opts).await else {
        return Ok(None); // the cached token is refused: only the shared secret can help
    };
    let result = conn
        .request(
            "device.token.rotate",
            json!({"deviceId": identity.device_id(), "role": role}),
        )
        .await
        .map_err(|e| Error::Refused(format!("the gateway refused the rotation: {e}")))?;
    conn.close().await;
    let Some(fresh) = result["token"].as_str().map(str::to_string) else {
        return Err(Error::Usage(
            "the gateway rotated the token but did not hand it back in-band".into(),
        ));
    };
    let old = cached.token.fingerprint();
    cache_and_verify(
        &url,
        &state_dir,
        &identity,
        role,
        &cached.scopes,
        &fresh,
        Some(&old),
        "rotated in-band with its own token",
        as_json,
        out,
    )
    .await
    .map(Some)
}

/// Stores `fresh` as this client's cached token (backup first), then checks the gateway
/// accepts it from this device alone, and reports.
#[allow(clippy::too_many_arguments)]
async fn cache_and_verify(
    url: &str,
    state_dir: &std::path::Path,
    identity: &DeviceIdentity,
    role: &str,
    scopes: &[String],
    fresh: &str,
    old: Option<&str>,
    how: &str,
    as_json: bool,
    out: &mut dyn Write,
) -> Result<ExitStatus> {
    let write = store_cached_token(
        state_dir,
        identity.device_id(),
        role,
        fresh,
        scopes,
        &backup_root(state_dir),
    )
    .map_err(|e| Error::Usage(e.to_string()))?;
    let verdict = check_token(
        url,
        identity,
        fresh,
        role,
        scopes,
        clawkit_core::gateway::ConnectOptions::new(url).timeout,
    )
    .await;
    if as_json {
        let doc = json!({
            "schemaVersion": 1, "deviceId": identity.device_id(), "role": role, "how": how,
            "old": old, "new": fingerprint(fresh), "backup": write.backup(), "verified": verdict,
        });
        print_json(out, &doc);
    } else {
        say!(
            out,
            "device {} ({role}): {how}: {} -> {}",
            identity.device_id(),
            old.unwrap_or("(none)"),
            fingerprint(fresh)
        );
        say!(out, "backup: {}", write.backup().display());
        let result = if verdict.is_ok() {
            "the gateway accepts the new token".to_string()
        } else {
            format!("the gateway still refuses it: {}", verdict.name())
        };
        say!(out, "verified: {result}");
    }
    Ok(if verdict.is_ok() {
        ExitStatus::Fixed
    } else {
        ExitStatus::Problems
    })
}
