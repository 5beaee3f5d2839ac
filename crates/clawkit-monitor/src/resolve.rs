//! From the config (or, with none, this install as the doctor resolves it) to what the
//! monitor watches: each gateway's endpoint with its secret, whether it runs here, and the
//! channels. The one place a secret is read from an environment variable or a file.

use crate::channel::Channel;
use crate::config::{GatewayEntry, MonitorConfig};
use crate::watch::{LocalSide, WatchTarget};
use clawkit_core::env::Env;
use clawkit_core::gateway::{ConnectOptions, Credential};
use clawkit_core::openclaw::auth::{as_credential, client_credentials};
use clawkit_core::openclaw::topology::{Endpoint, Topology};
use clawkit_core::target::Target;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    #[error("gateway `{gateway}`: {why}")]
    Gateway { gateway: String, why: String },
    #[error(transparent)]
    Channel(#[from] crate::channel::ChannelError),
    #[error("{0}")]
    Install(String),
}

/// What to watch, resolved.
#[derive(Debug, Clone)]
pub struct Watched {
    pub targets: Vec<WatchTarget>,
    pub channels: Vec<Channel>,
}

impl Watched {
    pub fn resolve(
        config: &MonitorConfig,
        extra_notify: &[String],
        target: &Target,
    ) -> Result<Watched, ResolveError> {
        let targets = if config.gateways.is_empty() {
            vec![this_install(target)?]
        } else {
            config
                .gateways
                .iter()
                .map(|g| from_entry(g, &target.env))
                .collect::<Result<_, _>>()?
        };
        let channels = config
            .notify
            .iter()
            .chain(extra_notify)
            .map(|u| Channel::parse(u))
            .collect::<Result<_, _>>()?;
        Ok(Watched { targets, channels })
    }
}

/// This install's gateway, reached as the CLI reaches it (local or remote mode).
fn this_install(target: &Target) -> Result<WatchTarget, ResolveError> {
    let config = target
        .load_config()
        .map_err(|e| ResolveError::Install(e.to_string()))?;
    let topology = Topology::of(&target.paths, &config, &target.env);
    let mut endpoint = topology.connect_options().ok_or_else(|| {
        ResolveError::Install(format!(
            "gateway.mode is remote but gateway.remote.url is not set in {}: clawkit config set gateway.remote.url wss://HOST:18789",
            config.path.display()
        ))
    })?;
    let creds = client_credentials(&config, &target.env, &topology.mode, &[]);
    endpoint.credential = as_credential(creds.effective(&creds.mode), &creds.mode);
    let local = topology.here.then(|| LocalSide {
        port: target.paths.port(&config, &target.env).value,
        log_file: Some(
            target
                .paths
                .log_file(&config, &clawkit_core::time::local_date())
                .value,
        ),
    });
    Ok(WatchTarget {
        name: install_name(target),
        endpoint,
        ping_every: Duration::from_secs(1),
        ping_deadline: Duration::from_secs(3),
        local,
    })
}

/// The name this install's gateway has in alerts: its profile, else `local`.
pub fn install_name(target: &Target) -> String {
    target
        .paths
        .profile
        .clone()
        .unwrap_or_else(|| "local".into())
}

fn from_entry(g: &GatewayEntry, env: &Env) -> Result<WatchTarget, ResolveError> {
    let bad = |why: String| ResolveError::Gateway {
        gateway: g.name.clone(),
        why,
    };
    let mut endpoint = ConnectOptions::new(g.url.clone());
    endpoint.tls_fingerprint = g.tls_fingerprint.clone();
    endpoint.credential = credential(g, env).map_err(bad)?;
    let duration = |s: &str| {
        clawkit_core::time::parse_duration_ms(s)
            .map(|ms| Duration::from_millis(ms as u64))
            .ok_or_else(|| bad(format!("`{s}` is not a duration")))
    };
    let loopback = Endpoint::parse(&g.url).is_some_and(|e| e.is_loopback());
    Ok(WatchTarget {
        name: g.name.clone(),
        ping_every: duration(&g.ping)?,
        ping_deadline: duration(&g.deadline)?,
        local: (loopback || g.log_file.is_some()).then(|| LocalSide {
            port: Endpoint::parse(&g.url).map_or(18789, |e| e.port_or_default()),
            log_file: g.log_file.clone(),
        }),
        endpoint,
    })
}

/// The entry's secret: inline, from an environment variable, or from a file (trimmed).
fn credential(g: &GatewayEntry, env: &Env) -> Result<Credential, String> {
    let from_env = |var: &String| {
        env.get(var)
            .map(str::to_string)
            .ok_or_else(|| format!("{var} is not set in the monitor's environment"))
    };
    if let Some(t) = &g.token {
        return Ok(Credential::Token(t.clone()));
    }
    if let Some(var) = &g.token_env {
        return from_env(var).map(Credential::Token);
    }
    if let Some(file) = &g.token_file {
        return std::fs::read_to_string(file)
            .map(|t| Credential::Token(t.trim().to_string()))
            .map_err(|e| format!("token_file {}: {e}", file.display()));
    }
    if let Some(p) = &g.password {
        return Ok(Credential::Password(p.clone()));
    }
    if let Some(var) = &g.password_env {
        return from_env(var).map(Credential::Password);
    }
    Ok(Credential::None)
}
