//! The doctor's evidence, gathered once from the modules that own each part: the config
//! loader, the port inspection, the service reader, the protocol client, the device state and
//! the log scanner. Nothing here judges; `checks` does. Only when this user has no install
//! of its own (`setup`) does it stop after the files: nothing listening or logging is theirs.
//! When the CLI's gateway runs elsewhere (remote mode, a URL to another host) the ports,
//! processes and log of this machine are not its: only the handshakes reach it.

use super::setup::Setup;
use super::sources::{self, GatewaySide, SecretCopy};
use crate::env::Env;
use crate::gateway::device::check_token;
use crate::gateway::{ConnectOptions, DeviceIdentity, Verdict, connect};
use crate::host::ProcessInfo;
use crate::host::ports::{Class, PortsReport};
use crate::logscan;
use crate::openclaw::auth::{
    ClientMode, Credentials, Secret, as_credential, client_credentials, client_mode,
};
use crate::openclaw::config::{self, LoadedConfig};
use crate::openclaw::install::InstallPaths;
use crate::openclaw::state::DeviceState;
use crate::openclaw::topology::Topology;
use crate::service::{self, Manager, ServiceDef};
use crate::target::Target;
use std::path::PathBuf;
use std::time::Duration;

/// What the doctor examines: owned, so a diagnosis can run in a spawned task (the web
/// doctor, the monitor) and be repeated after each fix.
#[derive(Debug, Clone)]
pub struct Inputs {
    pub target: Target,
    pub docker_dir: Option<PathBuf>,
    /// Bound for each handshake step.
    pub timeout: Duration,
}

/// What the local CLI sends, and the gateway's answer.
#[derive(Debug, Clone)]
pub struct CliHandshake {
    pub url: String,
    pub sent: Option<Secret>,
    pub verdict: Verdict,
    pub server_version: Option<String>,
    pub elapsed_ms: u64,
}

#[derive(Debug)]
pub struct Facts {
    pub paths: InstallPaths,
    /// Whether the state dir exists (an install never set up has none).
    pub state_dir_exists: bool,
    pub shell: Env,
    pub config: Result<LoadedConfig, config::ConfigError>,
    pub ports: Option<PortsReport>,
    pub services: Vec<ServiceDef>,
    pub service_errors: Vec<String>,
    pub manager: Option<Manager>,
    /// This state dir's running gateway.
    pub gateway: Option<ProcessInfo>,
    pub gateway_side: Option<GatewaySide>,
    pub client_mode: ClientMode,
    /// Where the CLI's gateway runs (`None` until the config was read).
    pub topology: Option<Topology>,
    pub client: Option<Credentials>,
    pub cli: Option<CliHandshake>,
    pub identity: Option<DeviceIdentity>,
    pub state: Result<DeviceState, String>,
    /// The gateway's verdict on this device's cached operator token.
    pub device_verdict: Option<Verdict>,
    pub docker: Vec<SecretCopy>,
    pub docker_error: Option<String>,
    pub log_file: Option<PathBuf>,
    pub log: Option<Result<logscan::Report, String>>,
    pub now_ms: i64,
}

impl Facts {
    /// Every secret value clawkit saw: what reports must never contain.
    pub fn secrets(&self) -> Vec<&Secret> {
        let mut out: Vec<&Secret> = Vec::new();
        if let Some(g) = &self.gateway_side {
            out.extend(g.creds.tokens.iter().chain(&g.creds.passwords));
        }
        if let Some(c) = &self.client {
            out.extend(c.tokens.iter().chain(&c.passwords));
        }
        out.extend(self.docker.iter().map(|c| &c.secret));
        if let Ok(s) = &self.state {
            out.extend(s.cached_tokens.iter().map(|c| &c.token));
            for d in &s.paired {
                out.extend(d.tokens.iter().filter_map(|t| t.token.as_ref()));
            }
        }
        out
    }

    pub fn cli_version(&self) -> Option<&str> {
        self.paths.cli.as_ref().map(|c| c.version.as_str())
    }

    /// The gateway's version as it told us in an authenticated hello.
    pub fn gateway_version(&self) -> Option<&str> {
        self.cli
            .as_ref()
            .and_then(|c| c.server_version.as_deref())
            .or_else(|| {
                self.ports
                    .as_ref()
                    .and_then(|p| p.handshake.as_ref())
                    .and_then(|h| h.server_version.as_deref())
            })
    }
}

pub async fn gather(inputs: &Inputs) -> Facts {
    let local = inputs.clone();
    let mut facts = crate::blocking::blocking(move || read_local(&local)).await;
    // No install of this user's: whatever listens or logs belongs to someone else.
    if Setup::of(&facts).is_absent() {
        return facts;
    }
    let Ok(config) = &facts.config else {
        return facts;
    };
    let config = config.clone();
    let topology = Topology::of(&facts.paths, &config, &inputs.target.env);
    facts.topology = Some(topology.clone());
    if !topology.here {
        connect_and_read(inputs, &mut facts, &config, None, None, None).await;
        return facts;
    }
    let report = match crate::probe::inspect_ports(&inputs.target, inputs.timeout).await {
        Ok(report) => report,
        Err(_) => return facts,
    };
    let seen = inputs.target.host.clone();
    let this = report
        .ports
        .first()
        .into_iter()
        .flat_map(|r| r.owners.iter())
        .chain(report.gateways.iter())
        .find(|o| o.class == Class::ThisGateway)
        .and_then(|o| o.process.clone());
    let pid = this.as_ref().map(|g| g.pid);
    let environ = crate::blocking::blocking(move || pid.and_then(|p| seen.environ(p))).await;
    connect_and_read(inputs, &mut facts, &config, Some(report), this, environ).await;
    facts
}

/// Everything read from this machine's files before anything connects.
fn read_local(inputs: &Inputs) -> Facts {
    let paths = inputs.target.paths.clone();
    let env = &inputs.target.env;
    let config = config::load(&paths.config_path.value, env);
    let mut services = Vec::new();
    let mut service_errors = Vec::new();
    for s in service::find(&paths) {
        match s {
            Ok(def) => services.push(def),
            Err(e) => service_errors.push(e),
        }
    }
    let state_dir = paths.state_dir.value.clone();
    let state = DeviceState::read(&state_dir).map_err(|e| e.to_string());
    let identity = crate::openclaw::identity::load(&state_dir).ok();
    let (docker, docker_error) = match &inputs.docker_dir {
        Some(dir) => match sources::docker_copies(dir) {
            Ok(c) => (c, None),
            Err(e) => (Vec::new(), Some(e)),
        },
        None => (Vec::new(), None),
    };
    Facts {
        state_dir_exists: state_dir.is_dir(),
        paths,
        shell: env.clone(),
        config,
        ports: None,
        services,
        service_errors,
        manager: inputs.target.manager,
        gateway: None,
        gateway_side: None,
        client_mode: ClientMode::Local,
        topology: None,
        client: None,
        cli: None,
        identity,
        state,
        device_verdict: None,
        docker,
        docker_error,
        log_file: None,
        log: None,
        now_ms: crate::time::now_ms(),
    }
}

/// The gateway's side as its process shows it, the CLI's and this device's handshakes, and
/// the log; `report` (this machine's ports) only for a gateway that runs here.
async fn connect_and_read(
    inputs: &Inputs,
    facts: &mut Facts,
    config: &LoadedConfig,
    report: Option<PortsReport>,
    gateway: Option<ProcessInfo>,
    environ: Option<Vec<(String, String)>>,
) {
    let env = &inputs.target.env;
    // The gateway reads its own config: another file when its environment says so.
    let gateway_config = environ.as_ref().and_then(|e| {
        let env = Env::from_pairs(e.iter().cloned());
        let theirs = InstallPaths::of_environment(&env)?.config_path.value;
        (theirs != facts.paths.config_path.value)
            .then(|| config::load(&theirs, &env).ok())
            .flatten()
    });
    let process = gateway
        .as_ref()
        .map(|g| (g.pid, g.cmdline.as_slice(), environ));
    let mut gateway_side = sources::gateway_side(
        gateway_config.as_ref().unwrap_or(config),
        env,
        process,
        facts.services.first(),
    );
    gateway_side.config_path = gateway_config.as_ref().map(|c| c.path.clone());
    let mode = client_mode(config, env);
    let client = client_credentials(config, env, &mode, &[]);

    // The CLI's handshake: its URL (and TLS pin) and the secret it would send.
    let endpoint = facts.topology.as_ref().and_then(Topology::connect_options);
    let url = endpoint.as_ref().map(|e| e.url.clone());
    let auth_mode = gateway_side.creds.mode.clone();
    let sent = client.effective(&auth_mode).cloned();
    // The port inspection already made the CLI's local handshake: one failed attempt less
    // (the gateway slows every further one down).
    let reused = report
        .as_ref()
        .and_then(|r| r.handshake.as_ref())
        .filter(|h| {
            mode == ClientMode::Local && url.as_deref() == Some(h.url.as_str()) && sent.is_some()
        });
    let cli = match (&url, reused) {
        (Some(url), Some(h)) => Some(CliHandshake {
            url: url.clone(),
            sent,
            verdict: h.verdict.clone(),
            server_version: h.server_version.clone(),
            elapsed_ms: h.elapsed_ms,
        }),
        (Some(url), None) if sent.is_some() => {
            let mut opts = endpoint
                .clone()
                .unwrap_or_else(|| ConnectOptions::new(url.clone()));
            opts.timeout = inputs.timeout;
            opts.credential = as_credential(sent.as_ref(), &auth_mode);
            let started = std::time::Instant::now();
            let (verdict, server_version) = match connect(&opts).await {
                Ok(c) => {
                    let v = c.hello.server_version.clone();
                    c.close().await;
                    (Verdict::Ok, v)
                }
                Err(v) => (v, None),
            };
            Some(CliHandshake {
                url: url.clone(),
                sent,
                verdict,
                server_version,
                elapsed_ms: started.elapsed().as_millis() as u64,
            })
        }
        _ => None,
    };

    // This device with its cached token, as the CLI connects when it has no shared secret.
    let device_verdict = match (&facts.identity, &facts.state, &endpoint) {
        (Some(id), Ok(state), Some(base)) => {
            match state
                .cached_tokens
                .iter()
                .find(|c| c.device_id == id.device_id() && c.role == "operator")
            {
                Some(cached) => Some(
                    check_token(
                        &ConnectOptions {
                            timeout: inputs.timeout,
                            ..base.clone()
                        },
                        id,
                        cached.token.expose(),
                        &cached.role,
                        &cached.scopes,
                    )
                    .await,
                ),
                None => None,
            }
        }
        _ => None,
    };

    // The log of a gateway that runs elsewhere is on its host.
    let (log_file, log) = if report.is_some() {
        let log_file = facts
            .paths
            .log_file(
                gateway_config.as_ref().unwrap_or(config),
                &crate::time::local_date(),
            )
            .value;
        let since = facts.now_ms - 24 * 3600 * 1000;
        let scanned = log_file.clone();
        let log = crate::blocking::blocking(move || {
            scanned.is_file().then(|| {
                logscan::scan_files(&logscan::with_rotations(&scanned), Some(since))
                    .map_err(|e| e.to_string())
            })
        })
        .await;
        (Some(log_file), log)
    } else {
        (None, None)
    };

    facts.ports = report;
    facts.gateway = gateway;
    facts.gateway_side = Some(gateway_side);
    facts.client_mode = mode;
    facts.client = Some(client);
    facts.cli = cli;
    facts.device_verdict = device_verdict;
    facts.log_file = log_file;
    facts.log = log;
}
