//! A healthy local install's [`Facts`], built in a temp dir without a gateway, a service manager
//! or the network, so the doctor's judging (checks, causes, plan) can be table-tested in
//! milliseconds. Each case starts from [`Install::healthy`] and changes one thing; the
//! gateway's answers are what a real gateway would say to the secrets the case sets up (the
//! real-gateway scenarios in `crates/clawkit/tests/it/doctor.rs` stay the contract).

use super::facts::{CliHandshake, Facts};
use super::setup::Setup;
use super::sources;
use super::{Diagnosis, conclude};
use crate::env::Env;
use crate::finding::{Finding, Kill, Severity, codes};
use crate::gateway::{DeviceIdentity, Verdict};
use crate::host::ProcessInfo;
use crate::host::ports::{Class, Owner, PortRow, PortsReport};
use crate::logscan::{EventKind, Group, GroupKey, Report};
use crate::openclaw::auth::{
    ClientMode, Secret, SecretKind, SecretOrigin, client_credentials, client_mode, client_url,
};
use crate::openclaw::config;
use crate::openclaw::install::{CliInstall, InstallPaths};
use crate::openclaw::state::{
    CachedToken, DeviceState, IssuedToken, LocalIdentity, PairedDevice, PendingRequest, Source,
};
use crate::openclaw::topology::Topology;
use crate::service::{Manager, ServiceDef};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

/// The gateway's shared secret in a healthy install.
pub const TOKEN: &str = "healthy-gateway-token-0123456789abcdef";
/// Another value, for every stale copy.
pub const STALE: &str = "stale-copy-token-fedcba9876543210aaaa";
const VERSION: &str = "2026.9.6";
const PORT: u16 = 18789;
const GATEWAY_PID: u32 = 4141;
const ZOMBIE_PID: u32 = 4242;
const NOW_MS: i64 = 1_800_000_000_000;
const DEVICE_TOKEN: &str = "device-token-cached-by-this-client-0001";

/// Who holds the gateway's port.
pub enum Port {
    /// This install's gateway.
    Own,
    /// Another install's gateway, checking `token`.
    Zombie { token: &'static str },
    /// Nothing.
    Down,
}

/// This client's cached operator token, as the gateway's records see it.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum DeviceToken {
    Current,
    Rotated,
    Revoked,
}

pub struct Install {
    dir: tempfile::TempDir,
    config: Value,
    raw_config: Option<String>,
    cli_config: Option<Value>,
    shell: Vec<(String, String)>,
    gateway_env: Vec<(String, String)>,
    port: Port,
    units: Vec<String>,
    docker_env: Option<String>,
    device: DeviceToken,
    identity: Option<DeviceIdentity>,
    pending_repair: bool,
    /// (gateway port, client, reason) of each group of logged auth failures.
    log: Vec<(u16, &'static str, &'static str)>,
    manager: Option<Manager>,
    cli_on_path: bool,
    set_up: bool,
}

impl Install {
    /// Token auth with a strong token in the config, the gateway running and reading it, the
    /// CLI on PATH at the gateway's version, this device paired with a current cached token,
    /// private files, a clean log, no service definition.
    pub fn healthy() -> Install {
        Install {
            dir: tempfile::tempdir().unwrap(),
            config: json!({"gateway": {"mode": "local", "port": PORT, "auth": {"token": TOKEN}}}),
            raw_config: None,
            cli_config: None,
            shell: Vec::new(),
            gateway_env: Vec::new(),
            port: Port::Own,
            units: Vec::new(),
            docker_env: None,
            device: DeviceToken::Current,
            identity: Some(DeviceIdentity::generate()),
            pending_repair: false,
            log: Vec::new(),
            manager: None,
            cli_on_path: true,
            set_up: true,
        }
    }

    /// Changes the config (`openclaw.json`, read by the gateway and, by default, the CLI).
    pub fn config(mut self, change: impl FnOnce(&mut Value)) -> Install {
        change(&mut self.config);
        self
    }

    /// Replaces the config file's text.
    pub fn config_text(mut self, text: &str) -> Install {
        self.raw_config = Some(text.to_string());
        self
    }

    /// The CLI reads `cli.json` (its shell's `OPENCLAW_CONFIG_PATH`); the gateway does not.
    pub fn cli_config(mut self, config: Value) -> Install {
        self.cli_config = Some(config);
        self
    }

    pub fn shell(mut self, key: &str, value: &str) -> Install {
        self.shell.push((key.into(), value.into()));
        self
    }

    /// The gateway's token lives only in its process environment (a service's
    /// `Environment=`), not in the config.
    pub fn token_in_gateway_env(mut self) -> Install {
        if let Some(gateway) = self.config["gateway"].as_object_mut() {
            gateway.remove("auth");
        }
        self.gateway_env
            .push(("OPENCLAW_GATEWAY_TOKEN".into(), TOKEN.into()));
        self
    }

    pub fn port(mut self, port: Port) -> Install {
        self.port = port;
        self
    }

    /// A systemd unit like OpenClaw 2026.9 writes, with `extra` lines in `[Service]`.
    pub fn unit(mut self, extra: &str) -> Install {
        self.units.push(extra.to_string());
        self
    }

    /// A Docker directory whose `.env` has this text.
    pub fn docker_env(mut self, text: &str) -> Install {
        self.docker_env = Some(text.to_string());
        self
    }

    pub fn device(mut self, token: DeviceToken) -> Install {
        self.device = token;
        self
    }

    /// A client that never connected: no device identity, no device state.
    pub fn fresh_client(mut self) -> Install {
        self.identity = None;
        self
    }

    /// This device has a repair request waiting.
    pub fn pending_repair(mut self) -> Install {
        self.pending_repair = true;
        self
    }

    /// Recent auth failures the gateway logged for `client` (`<id>/<mode>`) with `reason`.
    pub fn log_failure(self, client: &'static str, reason: &'static str) -> Install {
        self.log_failure_on(PORT, client, reason)
    }

    /// The same, logged by the gateway on `port` into the shared log file.
    pub fn log_failure_on(
        mut self,
        port: u16,
        client: &'static str,
        reason: &'static str,
    ) -> Install {
        self.log.push((port, client, reason));
        self
    }

    pub fn manager(mut self, manager: Manager) -> Install {
        self.manager = Some(manager);
        self
    }

    /// No `openclaw` on the CLI's `PATH`.
    pub fn without_cli(mut self) -> Install {
        self.cli_on_path = false;
        self
    }

    /// Never onboarded: no state dir and no config (no gateway, no device either).
    pub fn never_set_up(mut self) -> Install {
        self.set_up = false;
        self.port = Port::Down;
        self.identity = None;
        self
    }

    pub fn diagnose(&self) -> Diagnosis {
        conclude(self.facts())
    }

    fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    fn state_dir(&self) -> PathBuf {
        self.home().join(".openclaw")
    }

    /// What `doctor::gather` would find on such a machine.
    pub fn facts(&self) -> Facts {
        let shell = self.write_files();
        let mut paths = InstallPaths::resolve_without_cli(&shell);
        paths.cli = self.cli_on_path.then(|| self.cli_install());
        let config = config::load(&paths.config_path.value, &shell);
        let mut facts = Facts {
            state_dir_exists: self.state_dir().is_dir(),
            paths,
            shell,
            config,
            ports: None,
            services: self.services(),
            service_errors: Vec::new(),
            manager: self.manager,
            gateway: None,
            gateway_side: None,
            client_mode: ClientMode::Local,
            topology: None,
            client: None,
            cli: None,
            identity: self.identity.clone(),
            state: Ok(self.device_state()),
            device_verdict: None,
            docker: self.docker_copies(),
            docker_error: None,
            log_file: None,
            log: None,
            now_ms: NOW_MS,
        };
        // As in gather: without a config or an install of this user's, nothing is probed.
        if facts.config.is_ok() && !Setup::of(&facts).is_absent() {
            self.run_gateway(&mut facts);
        }
        facts
    }

    /// Writes the config (and the CLI's own, if any) with private modes; returns the CLI's shell.
    fn write_files(&self) -> Env {
        let mut shell = Env::from_pairs(self.install_vars());
        if self.set_up {
            self.write_config(&mut shell);
        }
        for (k, v) in &self.shell {
            shell.set(k, v);
        }
        shell
    }

    /// The state dir and config; the CLI's own config, pointed at by `shell`, if any.
    fn write_config(&self, shell: &mut Env) {
        let state_dir = self.state_dir();
        std::fs::create_dir_all(&state_dir).unwrap();
        set_mode(&state_dir, 0o700);
        let config_text = match &self.raw_config {
            Some(text) => text.clone(),
            None => serde_json::to_string_pretty(&self.config).unwrap(),
        };
        write_private(&state_dir.join("openclaw.json"), &config_text);
        if let Some(cli) = &self.cli_config {
            let path = state_dir.join("cli.json");
            write_private(&path, &serde_json::to_string_pretty(cli).unwrap());
            shell.set("OPENCLAW_CONFIG_PATH", &path.display().to_string());
        }
    }

    fn docker_copies(&self) -> Vec<sources::SecretCopy> {
        let Some(text) = &self.docker_env else {
            return Vec::new();
        };
        let dir = self.dir.path().join("docker");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(".env"), text).unwrap();
        sources::docker_copies(&dir).unwrap()
    }

    /// The live part: who holds the port, the gateway's side of the secret, and the answers to
    /// the CLI's and this device's handshakes.
    fn run_gateway(&self, facts: &mut Facts) {
        let Ok(cli_config) = &facts.config else {
            return;
        };
        let shell = &facts.shell;
        // The gateway reads openclaw.json; the CLI reads cli.json when the case gives it one.
        let gateway_config = self.cli_config.as_ref().and_then(|_| {
            let env = Env::from_pairs(self.gateway_environ());
            config::load(&self.state_dir().join("openclaw.json"), &env).ok()
        });
        let topology = Topology::of(&facts.paths, cli_config, shell);
        let gateway = (matches!(self.port, Port::Own) && topology.here).then(gateway_process);
        let process = gateway
            .as_ref()
            .map(|g| (g.pid, g.cmdline.as_slice(), Some(self.gateway_environ())));
        let reads = gateway_config.as_ref().unwrap_or(cli_config);
        let mut side = sources::gateway_side(reads, shell, process, facts.services.first());
        side.config_path = gateway_config.as_ref().map(|c| c.path.clone());
        let listener_checks = match self.port {
            Port::Own => side.creds.effective(&side.creds.mode).cloned(),
            Port::Zombie { token } => Some(secret(token)),
            Port::Down => None,
        };
        let mode = client_mode(cli_config, shell);
        let client = client_credentials(cli_config, shell, &mode, &[]);
        let url = client_url(&facts.paths, cli_config, shell, &mode);
        let sent = client.effective(&side.creds.mode).cloned();
        let reachable = url.is_some();
        facts.cli = url.zip(sent).map(|(url, sent)| {
            let verdict = self.answer(listener_checks.as_ref(), &sent);
            CliHandshake {
                url,
                server_version: verdict.is_ok().then(|| VERSION.into()),
                sent: Some(sent),
                verdict,
                elapsed_ms: 3,
            }
        });
        facts.device_verdict = (reachable && self.identity.is_some()).then(|| self.device_answer());
        facts.gateway_side = Some(side);
        facts.client_mode = mode;
        facts.client = Some(client);
        // As in gather: this machine's port, processes and log only for a gateway here.
        if topology.here {
            facts.ports = Some(self.ports_report(&facts.paths, gateway.as_ref()));
            facts.gateway = gateway;
            facts.log_file = Some(self.state_dir().join("logs/gateway.log"));
            facts.log = Some(Ok(self.log_report()));
        }
        facts.topology = Some(topology);
    }

    /// The variables that name this install: its home and state dir.
    fn install_vars(&self) -> Vec<(String, String)> {
        vec![
            ("HOME".to_string(), self.home().display().to_string()),
            (
                "OPENCLAW_STATE_DIR".to_string(),
                self.state_dir().display().to_string(),
            ),
        ]
    }

    /// The running gateway's environment: this install's, plus what the case adds.
    fn gateway_environ(&self) -> Vec<(String, String)> {
        let mut environ = self.install_vars();
        environ.extend(self.gateway_env.iter().cloned());
        environ
    }

    /// What the listener on the port answers to `sent`.
    fn answer(&self, checks: Option<&Secret>, sent: &Secret) -> Verdict {
        match (&self.port, checks) {
            (Port::Down, _) => Verdict::ConnectionRefused {
                detail: format!("127.0.0.1:{PORT}: connection refused"),
            },
            (_, Some(c)) if c.same_value(sent) => Verdict::Ok,
            _ => Verdict::GatewayTokenMismatch {
                message: "unauthorized: gateway token mismatch".into(),
            },
        }
    }

    /// What the gateway answers to this device's cached token.
    fn device_answer(&self) -> Verdict {
        match (&self.port, self.device) {
            (Port::Down, _) => Verdict::ConnectionRefused {
                detail: format!("127.0.0.1:{PORT}: connection refused"),
            },
            (Port::Own, DeviceToken::Current) => Verdict::Ok,
            _ => Verdict::DeviceTokenMismatch {
                message: "unauthorized: device token mismatch".into(),
            },
        }
    }

    fn cli_install(&self) -> CliInstall {
        let package_dir = self.dir.path().join("openclaw");
        std::fs::create_dir_all(package_dir.join("dist")).unwrap();
        std::fs::write(
            package_dir.join("package.json"),
            json!({"name": "openclaw", "version": VERSION}).to_string(),
        )
        .unwrap();
        std::fs::write(package_dir.join("dist/index.js"), "").unwrap();
        CliInstall {
            command: self.dir.path().join("bin/openclaw"),
            package_dir,
            version: VERSION.into(),
        }
    }

    fn services(&self) -> Vec<ServiceDef> {
        let dir = self.home().join(".config/systemd/user");
        std::fs::create_dir_all(&dir).unwrap();
        let entry = self.dir.path().join("openclaw/dist/index.js");
        self.units
            .iter()
            .map(|extra| {
                let path = dir.join("openclaw-gateway.service");
                std::fs::write(&path, unit_text(&entry, extra)).unwrap();
                crate::service::systemd::load(&path, "openclaw-gateway.service").unwrap()
            })
            .collect()
    }

    fn device_state(&self) -> DeviceState {
        let Some(identity) = &self.identity else {
            return DeviceState {
                identity: None,
                cached_tokens: Vec::new(),
                cached_source: Source::Missing,
                paired: Vec::new(),
                pending: Vec::new(),
                pairing_source: Source::Missing,
            };
        };
        let id = identity.device_id().to_string();
        let cached = secret_of(SecretKind::DeviceToken, DEVICE_TOKEN);
        let issued = IssuedToken {
            role: "operator".into(),
            scopes: vec!["operator.admin".into()],
            created_at_ms: Some(NOW_MS - 86_400_000),
            rotated_at_ms: (self.device == DeviceToken::Rotated).then_some(NOW_MS - 60_000),
            revoked_at_ms: (self.device == DeviceToken::Revoked).then_some(NOW_MS - 60_000),
            last_used_at_ms: None,
            token: Some(match self.device {
                DeviceToken::Rotated => secret_of(SecretKind::DeviceToken, STALE),
                _ => cached.clone(),
            }),
        };
        let db = self.state_dir().join("state/openclaw.sqlite");
        DeviceState {
            identity: Some(LocalIdentity {
                device_id: id.clone(),
                created_at_ms: Some(NOW_MS - 86_400_000),
                source: Source::Sqlite(db.clone()),
            }),
            cached_tokens: vec![CachedToken {
                device_id: id.clone(),
                role: "operator".into(),
                scopes: vec!["operator.admin".into()],
                updated_at_ms: Some(NOW_MS - 3_600_000),
                token: cached,
            }],
            cached_source: Source::Sqlite(db.clone()),
            paired: vec![PairedDevice {
                device_id: id.clone(),
                display_name: None,
                platform: Some("linux".into()),
                client_id: Some("cli".into()),
                client_mode: Some("cli".into()),
                roles: vec!["operator".into()],
                scopes: vec!["operator.admin".into()],
                approved_via: None,
                created_at_ms: Some(NOW_MS - 86_400_000),
                approved_at_ms: Some(NOW_MS - 86_400_000),
                last_seen_at_ms: None,
                tokens: vec![issued],
            }],
            pending: self
                .pending_repair
                .then(|| PendingRequest {
                    request_id: "repair-request-1".into(),
                    device_id: id,
                    client_id: Some("cli".into()),
                    client_mode: Some("cli".into()),
                    roles: vec!["operator".into()],
                    scopes: vec!["operator.admin".into(), "operator.pairing".into()],
                    is_repair: true,
                    silent: false,
                    ts_ms: Some(NOW_MS - 60_000),
                })
                .into_iter()
                .collect(),
            pairing_source: Source::Sqlite(db),
        }
    }

    fn ports_report(&self, paths: &InstallPaths, gateway: Option<&ProcessInfo>) -> PortsReport {
        let (owners, finding) = match self.port {
            Port::Own => (
                vec![owner(gateway.cloned(), Class::ThisGateway)],
                port_finding(
                    codes::OWN_GATEWAY,
                    Severity::Ok,
                    format!("port {PORT} is held by this state dir's gateway (pid {GATEWAY_PID})"),
                    Some(GATEWAY_PID),
                    None,
                ),
            ),
            Port::Zombie { .. } => (
                vec![owner(Some(zombie_process()), Class::OtherGateway)],
                port_finding(
                    codes::ZOMBIE_GATEWAY,
                    Severity::Error,
                    format!("port {PORT} is held by another OpenClaw gateway (pid {ZOMBIE_PID})"),
                    Some(ZOMBIE_PID),
                    Some(Kill::Gateway),
                ),
            ),
            Port::Down => (
                Vec::new(),
                port_finding(
                    codes::GATEWAY_DOWN,
                    Severity::Error,
                    format!(
                        "nothing listens on port {PORT} and no gateway runs for this state dir"
                    ),
                    None,
                    None,
                )
                .next("clawkit gateway start"),
            ),
        };
        PortsReport {
            state_dir: paths.state_dir.value.clone(),
            config_path: paths.config_path.value.clone(),
            port: PORT,
            port_rule: "gateway.port".into(),
            ports: vec![PortRow {
                port: PORT,
                role: "gateway",
                owners: owners.clone(),
            }],
            handshake: None,
            locks: Vec::new(),
            lock_errors: Vec::new(),
            gateways: owners,
            findings: vec![finding],
        }
    }

    fn log_report(&self) -> Report {
        let groups = self
            .log
            .iter()
            .map(|(port, client, reason)| Group {
                key: GroupKey {
                    kind: EventKind::AuthFailure,
                    reason: reason.to_string(),
                    client: client.to_string(),
                    device: Some(true),
                    peer: "127.0.0.1".into(),
                    gateway_port: Some(*port),
                },
                count: 3,
                first_ms: Some(NOW_MS - 600_000),
                last_ms: Some(NOW_MS - 60_000),
            })
            .collect();
        Report {
            files: vec![self.state_dir().join("logs/gateway.log")],
            bytes: 4096,
            matched_lines: 3 * self.log.len() as u64,
            unparsed_lines: 0,
            groups,
        }
    }
}

/// A finding of the port inspection about `pid` on the gateway's port.
fn port_finding(
    code: &'static str,
    severity: Severity,
    summary: String,
    pid: Option<u32>,
    kill: Option<Kill>,
) -> Finding {
    let mut finding = Finding::new(code, severity, summary);
    finding.pid = pid;
    finding.port = Some(PORT);
    finding.kill = kill;
    finding
}

/// A unit as OpenClaw 2026.9 writes it (nothing for the audit to say), plus `extra`.
fn unit_text(entry: &Path, extra: &str) -> String {
    format!(
        "[Unit]\nDescription=OpenClaw Gateway\n\n[Service]\n{extra}ExecStart=/bin/sh {} gateway run\nRestart=always\nRestartSec=5\nRestartPreventExitStatus=78\nKillMode=mixed\nTimeoutStopSec=330\n\n[Install]\nWantedBy=default.target\n",
        entry.display()
    )
}

fn secret(value: &str) -> Secret {
    secret_of(SecretKind::Token, value)
}

fn secret_of(kind: SecretKind, value: &str) -> Secret {
    Secret::new(
        kind,
        SecretOrigin::Flag {
            name: "test".into(),
        },
        value,
    )
}

fn gateway_process() -> ProcessInfo {
    process(GATEWAY_PID)
}

fn zombie_process() -> ProcessInfo {
    process(ZOMBIE_PID)
}

fn process(pid: u32) -> ProcessInfo {
    ProcessInfo {
        pid,
        ppid: Some(1),
        uid: Some(1000),
        user: Some("me".into()),
        name: "openclaw-gatewa".into(),
        cmdline: vec!["openclaw-gateway".into()],
        exe: None,
        start_ticks: Some(100),
        started_at_ms: Some(NOW_MS - 3_600_000),
    }
}

fn owner(process: Option<ProcessInfo>, class: Class) -> Owner {
    Owner {
        addrs: vec![format!("127.0.0.1:{PORT}").parse().unwrap()],
        pid: process.as_ref().map(|p| p.pid),
        uid: Some(1000),
        process,
        class,
        state_dir: None,
        state_dir_from: None,
    }
}

fn write_private(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
    set_mode(path, 0o600);
}

fn set_mode(path: &Path, mode: u32) {
    crate::fsx::set_mode(path, mode).unwrap();
}
