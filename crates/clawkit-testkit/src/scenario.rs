//! The failure setups users hit, staged on real processes so tests observe real errors.
//!
//! Each function returns a [`ClientHome`] whose CLI calls reproduce the failure, plus whatever
//! must stay alive for it (a listener). The exact texts the real CLI prints are kept here too:
//! they are facts about OpenClaw that the scenario tests prove against the real thing.
//! Device-token and pairing scenarios need clawkit's protocol client and are added beside these.

use crate::client::ClientHome;
use crate::error::HarnessError;
use crate::error::Result;
use crate::foreign::ForeignListener;
use crate::gateway::Gateway;
use crate::gateway::TokenSource;
use crate::net::closed_port;
use crate::secret::distinctive_secret;
use clawkit_core::gateway::{ConnectOptions, Credential, DeviceIdentity, connect};
use serde_json::json;

/// Which client-side source carries the wrong shared token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WrongTokenVia {
    /// `gateway.auth.token` in the client's config (local mode).
    ClientConfig,
    /// `gateway.mode = "remote"` with a wrong `gateway.remote.token`.
    RemoteToken,
    /// `OPENCLAW_GATEWAY_TOKEN` in the shell, the client config has no token.
    EnvVar,
}

impl WrongTokenVia {
    pub const ALL: [WrongTokenVia; 3] = [
        WrongTokenVia::ClientConfig,
        WrongTokenVia::RemoteToken,
        WrongTokenVia::EnvVar,
    ];
}

/// A client whose CLI sends a wrong shared token to `gateway` through `via`. The wrong token is
/// a distinctive secret (see [`crate::distinctive_secret`]) returned alongside.
pub fn gateway_token_mismatch(
    gateway: &Gateway,
    via: WrongTokenVia,
) -> Result<(ClientHome, String)> {
    let wrong = distinctive_secret("wrongtoken");
    let mut client = ClientHome::new(gateway.version())?;
    let port = gateway.port();
    match via {
        WrongTokenVia::ClientConfig => client.write_config(&format!(
            "// client with a stale shared token\n{{ gateway: {{ mode: 'local', port: {port}, auth: {{ token: '{wrong}' }} }} }}\n"
        ))?,
        WrongTokenVia::RemoteToken => client.write_config(&format!(
            "{{ gateway: {{ mode: 'remote', remote: {{ url: 'ws://127.0.0.1:{port}', token: '{wrong}' }} }} }}\n"
        ))?,
        WrongTokenVia::EnvVar => {
            client.set_env("OPENCLAW_GATEWAY_TOKEN", &wrong);
            client.write_config(&format!("{{ gateway: {{ mode: 'local', port: {port} }} }}\n"))?
        }
    };
    Ok((client, wrong))
}

/// The positive control: a client configured with the gateway's real token.
pub fn matching_client(gateway: &Gateway) -> Result<ClientHome> {
    matching_client_with_token(gateway, gateway.token())
}

/// A local-mode client of `gateway` whose config holds `token`.
pub fn matching_client_with_token(gateway: &Gateway, token: &str) -> Result<ClientHome> {
    let client = ClientHome::new(gateway.version())?;
    client.write_config(&format!(
        "{{ gateway: {{ mode: 'local', port: {}, auth: {{ token: '{token}' }} }} }}\n",
        gateway.port()
    ))?;
    Ok(client)
}

/// A client pointed at a loopback port where nothing listens (the gateway is down).
pub fn gateway_down(version: &str) -> Result<(ClientHome, u16)> {
    let port = closed_port();
    let client = ClientHome::new(version)?;
    client.write_config(&format!(
        "{{ gateway: {{ mode: 'local', port: {port}, auth: {{ token: '{}' }} }} }}\n",
        distinctive_secret("gwtoken")
    ))?;
    Ok((client, port))
}

/// A client pointed at a port held by an HTTP server that is not a gateway.
pub fn foreign_listener(version: &str) -> Result<(ClientHome, ForeignListener)> {
    let listener = ForeignListener::http()?;
    let client = ClientHome::new(version)?;
    client.write_config(&format!(
        "{{ gateway: {{ mode: 'local', port: {}, auth: {{ token: '{}' }} }} }}\n",
        listener.port(),
        distinctive_secret("gwtoken")
    ))?;
    Ok((client, listener))
}

/// What the real CLI of `version` prints for a shared-token mismatch from a loopback client.
/// 2026.9 words the hint for a local client; 2026.7 always names `gateway.remote.token`.
pub fn expected_token_mismatch(version: &str) -> &'static str {
    if version.starts_with("2026.7.") {
        "unauthorized: gateway token mismatch (set gateway.remote.token to match gateway.auth.token)"
    } else {
        "unauthorized: gateway token mismatch (use this gateway's gateway.auth.token or pair the device)"
    }
}

/// What the real CLI of `version` prints when nothing listens on `port`. 2026.9 names
/// ECONNREFUSED; 2026.7 reports the refused socket as an abnormal close.
pub fn expected_refused(version: &str, port: u16) -> String {
    if version.starts_with("2026.7.") {
        "gateway closed (1006 abnormal closure (no close frame)): no close reason".to_string()
    } else {
        format!("Gateway not reachable at ws://127.0.0.1:{port} (ECONNREFUSED).")
    }
}

/// What the real CLI of `version` prints when an HTTP server that is not a gateway holds the
/// port. 2026.7 cannot tell it from a dropped connection.
pub fn expected_foreign_http(version: &str) -> &'static str {
    if version.starts_with("2026.7.") {
        "gateway closed (1006 abnormal closure (no close frame)): no close reason"
    } else {
        "gateway rejected websocket upgrade (HTTP 200): not an openclaw gateway"
    }
}

/// The CLI's own device-token path (2026.9 recipe): the gateway's shared token lives only in
/// the gateway's environment, the host CLI's shell lacks it, and the CLI's device identity is
/// paired with its device token cached where that OpenClaw keeps it (`device_auth_tokens`, or
/// `identity/device-auth.json` up to 2026.7). The real CLI then authenticates with the cached
/// device token. Returns the CLI's device id.
pub fn cli_device_token_cached(gateway: &Gateway) -> Result<String> {
    if !gateway
        .env()
        .iter()
        .any(|(k, _)| k == "OPENCLAW_GATEWAY_TOKEN")
    {
        return Err(HarnessError::Setup(format!(
            "cli_device_token_cached needs a gateway started with {:?}",
            TokenSource::Env
        )));
    }
    // 2026.7 creates its identity file on first CLI use.
    let warm = gateway.openclaw_cli(&["gateway", "health"])?;
    if !warm.success() {
        return Err(HarnessError::Setup(format!(
            "the host CLI cannot reach its gateway:\n{warm}"
        )));
    }
    let identity = clawkit_core::openclaw::identity::load(gateway.state_dir())
        .map_err(|e| HarnessError::Setup(e.to_string()))?;
    let token = block_on(async {
        let mut opts = ConnectOptions::new(gateway.url());
        opts.credential = Credential::Token(gateway.token().to_string());
        opts.device = Some((identity.clone(), None));
        let conn = connect(&opts)
            .await
            .map_err(|v| HarnessError::Setup(format!("pairing the CLI identity failed: {v:?}")))?;
        let token = conn.hello.device_token.clone();
        conn.close().await;
        token.ok_or_else(|| HarnessError::Setup("the gateway issued no device token".into()))
    })?;
    write_cli_cache(gateway, identity.device_id(), &token)?;
    Ok(identity.device_id().to_string())
}

/// Rotates (or revokes) a device's operator token on the gateway, with the shared token, as
/// `openclaw devices rotate|revoke` does.
pub fn gateway_device_token(gateway: &Gateway, device_id: &str, revoke: bool) -> Result<()> {
    block_on(async {
        let mut opts = ConnectOptions::new(gateway.url());
        opts.credential = Credential::Token(gateway.token().to_string());
        let mut conn = connect(&opts)
            .await
            .map_err(|v| HarnessError::Setup(format!("admin connection failed: {v:?}")))?;
        let method = if revoke {
            "device.token.revoke"
        } else {
            "device.token.rotate"
        };
        conn.request(method, json!({"deviceId": device_id, "role": "operator"}))
            .await
            .map_err(|e| HarnessError::Setup(e.to_string()))?;
        conn.close().await;
        Ok(())
    })
}

/// A pending *repair* request: `identity` pairs with `operator.read`, then asks for
/// `operator.admin` from a browser origin, which the gateway holds for approval. Returns the
/// request id.
pub fn pending_repair(gateway: &Gateway, identity: &DeviceIdentity) -> Result<String> {
    block_on(async {
        let mut opts = ConnectOptions::new(gateway.url());
        opts.credential = Credential::Token(gateway.token().to_string());
        opts.scopes = vec!["operator.read".into()];
        opts.device = Some((identity.clone(), None));
        connect(&opts)
            .await
            .map_err(|v| HarnessError::Setup(format!("pairing failed: {v:?}")))?
            .close()
            .await;
        opts.scopes = vec!["operator.admin".into()];
        opts.origin = Some(format!("http://127.0.0.1:{}", gateway.port()));
        match connect(&opts).await {
            Err(clawkit_core::gateway::Verdict::PairingRequired {
                request_id: Some(id),
                ..
            }) => Ok(id),
            other => Err(HarnessError::Setup(format!(
                "expected a pending repair, got {:?}",
                other.err()
            ))),
        }
    })
}

fn block_on<T>(f: impl std::future::Future<Output = Result<T>>) -> Result<T> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| HarnessError::Setup(e.to_string()))?
        .block_on(f)
}

fn write_cli_cache(gateway: &Gateway, device_id: &str, token: &str) -> Result<()> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0);
    let legacy = gateway.state_dir().join("identity").join("device.json");
    if legacy.is_file() {
        let path = gateway
            .state_dir()
            .join("identity")
            .join("device-auth.json");
        let doc = json!({"version": 1, "deviceId": device_id, "tokens": {"operator": {
            "token": token, "role": "operator", "scopes": ["operator.admin"], "updatedAtMs": now}}});
        return std::fs::write(&path, doc.to_string()).map_err(|e| HarnessError::io(&path, e));
    }
    let db_path = gateway.state_dir().join("state").join("openclaw.sqlite");
    let db = rusqlite::Connection::open(&db_path)
        .map_err(|e| HarnessError::Setup(format!("{}: {e}", db_path.display())))?;
    db.busy_timeout(std::time::Duration::from_secs(5))
        .and_then(|_| {
            db.execute(
                "INSERT OR REPLACE INTO device_auth_tokens (device_id, role, token, scopes_json, updated_at_ms) VALUES (?1, 'operator', ?2, '[\"operator.admin\"]', ?3)",
                rusqlite::params![device_id, token, now],
            )
        })
        .map(|_| ())
        .map_err(|e| HarnessError::Setup(format!("{}: {e}", db_path.display())))
}

/// What the real CLI prints when its cached device token is stale.
pub const DEVICE_TOKEN_MISMATCH: &str =
    "unauthorized: device token mismatch (rotate/reissue device token)";
