//! What every token operation starts from: the gateway this client talks to (its URL and TLS
//! pin, as the CLI reaches it in its mode), this client's state dir, the admin shared secret, and this client's identity
//! and device state, read through the blocking door (they are SQLite and files).

use crate::error::Error;
use crate::gateway::{
    ConnectOptions, Connection, Credential, DeviceIdentity, RpcError, Verdict, connect,
};
use crate::openclaw::auth::admin_credential;
use crate::openclaw::config::LoadedConfig;
use crate::openclaw::state::{DeviceState, StateError};
use crate::openclaw::topology::Topology;
use crate::target::Target;
use std::path::PathBuf;
use std::time::Duration;

/// Bound for each handshake step of an admin action (the protocol client's own default).
pub(super) const HANDSHAKE: Duration = Duration::from_secs(5);

/// The client's gateway and state dir, with the config they were resolved from.
pub(super) struct Local {
    pub url: String,
    /// Where and how to connect (the URL, a TLS pin in remote mode).
    pub endpoint: ConnectOptions,
    /// Whether that gateway runs on this machine (its pairing state is files here).
    pub here: bool,
    pub state_dir: PathBuf,
    pub config: LoadedConfig,
}

impl Local {
    pub fn of(target: &Target) -> Result<Local, Error> {
        let config = target.load_config()?;
        let topology = Topology::of(&target.paths, &config, &target.env);
        let endpoint = topology.connect_options().ok_or_else(|| {
            Error::Usage(format!(
                "gateway.mode is remote but gateway.remote.url is not set in {}: clawkit config set gateway.remote.url wss://HOST:18789",
                config.path.display()
            ))
        })?;
        Ok(Local {
            url: endpoint.url.clone(),
            endpoint,
            here: topology.here,
            state_dir: target.paths.state_dir.value.clone(),
            config,
        })
    }

    /// Where to connect, with `timeout` for each step.
    pub fn options(&self, timeout: Duration) -> ConnectOptions {
        let mut opts = self.endpoint.clone();
        opts.timeout = timeout;
        opts
    }

    /// The gateway's shared secret for `what`: `given`, else this client's, else the gateway's.
    pub fn secret(
        &self,
        target: &Target,
        given: &Credential,
        what: &str,
    ) -> Result<Credential, Error> {
        Ok(admin_credential(&self.config, &target.env, given, what)?)
    }

    /// This client's device identity (the one place that loads it).
    pub async fn identity(&self) -> Result<DeviceIdentity, Error> {
        let dir = self.state_dir.clone();
        Ok(crate::blocking::blocking(move || crate::openclaw::identity::load(&dir)).await?)
    }

    /// This client's device identity; `None` when OpenClaw has not created one yet.
    pub async fn identity_if_any(&self) -> Result<Option<DeviceIdentity>, Error> {
        match self.identity().await {
            Ok(identity) => Ok(Some(identity)),
            Err(Error::Identity(crate::openclaw::identity::IdentityError::Missing { .. })) => {
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    /// Pairing and cached-token state as this host holds it.
    pub async fn device_state(&self) -> Result<DeviceState, StateError> {
        let dir = self.state_dir.clone();
        crate::blocking::blocking(move || DeviceState::read(&dir)).await
    }

    /// An admin connection with the shared secret.
    pub async fn admin(&self, secret: &Credential) -> Result<Connection, Error> {
        let mut opts = self.options(HANDSHAKE);
        opts.credential = secret.clone();
        connect(&opts).await.map_err(|v| refused(&self.url, &v))
    }
}

/// The gateway at `url` refused a connection: its verdict, in words the catalog recognises.
pub(super) fn refused(url: &str, v: &Verdict) -> Error {
    Error::Refused(format!(
        "the gateway at {url} refused: {}{}",
        v.name(),
        v.message().map(|m| format!(" ({m})")).unwrap_or_default()
    ))
}

/// The gateway refused a request on an open connection.
pub(super) fn rpc_refused(e: RpcError) -> Error {
    Error::Refused(format!("the gateway refused: {e}"))
}
