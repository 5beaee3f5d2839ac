//! A real `openclaw gateway run` on a free loopback port with a scratch home, waited on until
//! `/readyz` answers 200, stopped by PID when dropped.

use crate::client::{CliOutput, run_cli};
use crate::error::{HarnessError, Result};
use crate::install::{OpenClawInstall, ensure_openclaw, tail};
use crate::net::{gateway_port, http_get};
use crate::process::Spawned;
use crate::secret::distinctive_secret;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Environment every harness-run OpenClaw process gets: no LAN advertising, no channels, no
/// update checks or downloads, and the started PID stays the gateway.
pub(crate) const OFFLINE_ENV: &[(&str, &str)] = &[
    ("OPENCLAW_DISABLE_BONJOUR", "1"),
    ("OPENCLAW_SKIP_CHANNELS", "1"),
    ("OPENCLAW_NO_AUTO_UPDATE", "1"),
    ("OPENCLAW_OFFLINE", "1"),
    ("OPENCLAW_NO_RESPAWN", "1"),
    ("OPENCLAW_EXEC_SHELL_SNAPSHOT", "0"),
];

/// Where the gateway's shared token comes from (the gateway resolves `--token` >
/// `gateway.auth.token` > `OPENCLAW_GATEWAY_TOKEN`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TokenSource {
    /// `gateway.auth.token` in the config file (the usual install).
    #[default]
    Config,
    /// `gateway run --auth token --token <T>`.
    Flag,
    /// `OPENCLAW_GATEWAY_TOKEN` in the gateway's environment.
    Env,
}

/// How to start a gateway. Build with [`GatewayOptions::new`] and the chained setters.
#[derive(Debug, Clone)]
pub struct GatewayOptions {
    version: String,
    token: String,
    token_source: TokenSource,
    config_patch: Value,
    raw_config: Option<String>,
    env: Vec<(String, String)>,
    ready_timeout: Duration,
    wait_ready: bool,
    /// Run on another gateway's home and state dir (its config untouched), with its own
    /// port and temp dir.
    shared_home: Option<PathBuf>,
    /// A fixed port instead of a free one.
    port: Option<u16>,
}

impl GatewayOptions {
    pub fn new(version: &str) -> Self {
        let ready_timeout = std::env::var("CLAWKIT_TEST_GATEWAY_TIMEOUT")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(180);
        GatewayOptions {
            version: version.to_string(),
            token: distinctive_secret("gwtoken"),
            token_source: TokenSource::Config,
            config_patch: json!({}),
            raw_config: None,
            env: Vec::new(),
            ready_timeout: Duration::from_secs(ready_timeout),
            wait_ready: true,
            shared_home: None,
            port: None,
        }
    }

    /// Return as soon as the process is spawned, for tests that watch the gateway start.
    pub fn no_ready_wait(mut self) -> Self {
        self.wait_ready = false;
        self
    }

    /// A second gateway process for `other`'s state dir: same home and config, another port
    /// and temp dir (releases before 2026.9 keep their lock in the temp dir, so both run).
    pub fn same_state_as(mut self, other: &Gateway) -> Self {
        self.shared_home = Some(other.home.clone());
        self.token = other.token.clone();
        self
    }

    /// Run on the home of an existing install (its config untouched), on `port` — the one its
    /// config names — with `token` as the shared token the harness reports.
    pub fn on_home(mut self, home: &Path, port: u16, token: &str) -> Self {
        self.shared_home = Some(home.to_path_buf());
        self.port = Some(port);
        self.token = token.to_string();
        self
    }

    /// The shared token (default: a fresh distinctive secret).
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.token = token.into();
        self
    }

    pub fn token_source(mut self, source: TokenSource) -> Self {
        self.token_source = source;
        self
    }

    /// Deep-merged into the generated config (objects merge, `null` removes a key, everything
    /// else replaces).
    pub fn config_patch(mut self, patch: Value) -> Self {
        merge(&mut self.config_patch, patch);
        self
    }

    /// Write this JSON5 text as the config instead of the generated one. `{{PORT}}`,
    /// `{{TOKEN}}` and `{{LOG_FILE}}` are replaced before writing.
    pub fn raw_config(mut self, json5: impl Into<String>) -> Self {
        self.raw_config = Some(json5.into());
        self
    }

    /// An extra environment variable for the gateway (and for [`Gateway::openclaw_cli`]).
    pub fn env(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.env.push((key.into(), value.into()));
        self
    }
}

/// A running real gateway. Dropping it stops it.
pub struct Gateway {
    install: OpenClawInstall,
    _dir: tempfile::TempDir,
    home: PathBuf,
    state_dir: PathBuf,
    config_path: PathBuf,
    log_file: PathBuf,
    console_log: PathBuf,
    port: u16,
    token: String,
    env: Vec<(String, String)>,
    pid: u32,
    started_in: Duration,
    process: Mutex<Spawned>,
    /// The log file is another gateway's too: its `gateway ready` says nothing about this one.
    log_shared: bool,
}

impl Gateway {
    /// Install (if needed) and start a gateway; returns once `GET /readyz` answers 200.
    pub fn start(options: GatewayOptions) -> Result<Gateway> {
        let install = ensure_openclaw(&options.version)?;
        let dir = tempfile::Builder::new()
            .prefix("clawkit-gw-")
            .tempdir()
            .map_err(|e| HarnessError::io(std::env::temp_dir(), e))?;
        let home = options
            .shared_home
            .clone()
            .unwrap_or_else(|| dir.path().join("home"));
        let state_dir = home.join(".openclaw");
        let tmp = dir.path().join("tmp");
        let logs = dir.path().join("logs");
        for d in [&state_dir, &tmp, &logs] {
            fs::create_dir_all(d).map_err(|e| HarnessError::io(d, e))?;
        }
        let config_path = state_dir.join("openclaw.json");
        let log_file = match &options.shared_home {
            Some(_) => config_log_file(&config_path).unwrap_or_else(|| logs.join("gateway.log")),
            None => logs.join("gateway.log"),
        };
        let console_log = logs.join("console.log");
        let port = options.port.unwrap_or_else(gateway_port);

        let config = match &options.raw_config {
            Some(raw) => raw
                .replace("{{PORT}}", &port.to_string())
                .replace("{{TOKEN}}", &options.token)
                .replace("{{LOG_FILE}}", &log_file.display().to_string()),
            None => generated_config(&options, port, &log_file),
        };
        if options.shared_home.is_none() {
            // As OpenClaw's onboarding leaves them: config 0600 in a 0700 state dir.
            fs::write(&config_path, config).map_err(|e| HarnessError::io(&config_path, e))?;
            crate::private(&config_path, 0o600)?;
            crate::private(&state_dir, 0o700)?;
        }

        let mut env = base_env(&install, &home, &tmp);
        if options.token_source == TokenSource::Env {
            env.push(("OPENCLAW_GATEWAY_TOKEN".into(), options.token.clone()));
        }
        env.extend(options.env.iter().cloned());

        let console =
            fs::File::create(&console_log).map_err(|e| HarnessError::io(&console_log, e))?;
        let console_err = console
            .try_clone()
            .map_err(|e| HarnessError::io(&console_log, e))?;
        let mut cmd = Command::new(&install.node);
        cmd.arg(&install.entry)
            .args([
                "gateway",
                "run",
                "--allow-unconfigured",
                "--bind",
                "loopback",
            ])
            .args(["--port", &port.to_string()]);
        if options.token_source == TokenSource::Flag {
            cmd.args(["--auth", "token", "--token", &options.token]);
        }
        cmd.env_clear()
            .envs(env.iter().map(|(k, v)| (k, v)))
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .stdout(console)
            .stderr(console_err);
        let label = format!("openclaw {} gateway on port {port}", options.version);
        let process = Spawned::spawn(cmd, label)?;
        let pid = process.pid();
        let mut gateway = Gateway {
            install,
            _dir: dir,
            home,
            state_dir,
            config_path,
            log_file,
            console_log,
            port,
            token: options.token.clone(),
            env,
            pid,
            started_in: Duration::ZERO,
            process: Mutex::new(process),
            log_shared: options.shared_home.is_some(),
        };
        if options.wait_ready {
            gateway.started_in = gateway.wait_ready(options.ready_timeout)?;
        }
        Ok(gateway)
    }

    fn wait_ready(&self, timeout: Duration) -> Result<Duration> {
        let started = Instant::now();
        loop {
            if let Some(status) = self.lock_process().exited() {
                return Err(HarnessError::GatewayExited {
                    version: self.install.version.clone(),
                    pid: self.pid,
                    port: self.port,
                    status: status.to_string(),
                    console: self.console_log.clone(),
                    tail: self.console_tail(40),
                });
            }
            if let Ok((200, _)) = http_get(self.port, "/readyz", Duration::from_secs(2)) {
                return Ok(started.elapsed());
            }
            // A TLS gateway does not answer plain HTTP: its log says when it is ready.
            if !self.log_shared
                && std::fs::read_to_string(&self.log_file)
                    .is_ok_and(|l| l.contains("\"gateway ready\""))
            {
                return Ok(started.elapsed());
            }
            if started.elapsed() > timeout {
                return Err(HarnessError::GatewayTimeout {
                    version: self.install.version.clone(),
                    pid: self.pid,
                    port: self.port,
                    secs: timeout.as_secs(),
                    console: self.console_log.clone(),
                    tail: self.console_tail(40),
                });
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    fn lock_process(&self) -> std::sync::MutexGuard<'_, Spawned> {
        self.process
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
    }

    /// Stop now (SIGTERM, SIGKILL after 10 s); returns how long the gateway took to exit.
    pub fn stop(self) -> Duration {
        self.lock_process().stop(Duration::from_secs(10))
    }

    /// Run the real `openclaw` CLI as this gateway's own host would: same home, state dir,
    /// config and environment.
    pub fn openclaw_cli<S: AsRef<str>>(&self, args: &[S]) -> Result<CliOutput> {
        run_cli(&self.install, self.home.as_path(), &self.env, args)
    }

    /// The same, in a shell without the variables named in `unset` (for example a shell that
    /// lacks the gateway's `OPENCLAW_GATEWAY_TOKEN`).
    pub fn openclaw_cli_without<S: AsRef<str>>(
        &self,
        unset: &[&str],
        args: &[S],
    ) -> Result<CliOutput> {
        run_cli(
            &self.install,
            self.home.as_path(),
            &self.env_without(unset),
            args,
        )
    }

    /// The same, in a shell with exactly `env` (for a shell that differs from the gateway's in
    /// more than missing variables).
    pub fn openclaw_cli_env<S: AsRef<str>>(
        &self,
        env: &[(String, String)],
        args: &[S],
    ) -> Result<CliOutput> {
        run_cli(&self.install, self.home.as_path(), env, args)
    }

    /// The gateway host's environment minus `unset`.
    pub fn env_without(&self, unset: &[&str]) -> Vec<(String, String)> {
        self.env
            .iter()
            .filter(|(k, _)| !unset.contains(&k.as_str()))
            .cloned()
            .collect()
    }

    pub fn version(&self) -> &str {
        &self.install.version
    }
    pub fn install(&self) -> &OpenClawInstall {
        &self.install
    }
    pub fn port(&self) -> u16 {
        self.port
    }
    pub fn url(&self) -> String {
        format!("ws://127.0.0.1:{}", self.port)
    }
    pub fn pid(&self) -> u32 {
        self.pid
    }
    /// The shared token the gateway was given (whatever its [`TokenSource`]).
    pub fn token(&self) -> &str {
        &self.token
    }
    /// `HOME` of the gateway's scratch machine.
    pub fn home(&self) -> &Path {
        &self.home
    }
    /// `~/.openclaw` of that home.
    pub fn state_dir(&self) -> &Path {
        &self.state_dir
    }
    pub fn config_path(&self) -> &Path {
        &self.config_path
    }
    /// The JSON-lines log (`logging.file`; only with the generated config or `{{LOG_FILE}}`).
    pub fn log_file(&self) -> &Path {
        &self.log_file
    }
    /// The gateway's stdout and stderr.
    pub fn console_log(&self) -> &Path {
        &self.console_log
    }
    /// The environment the gateway runs with (after `env_clear`).
    pub fn env(&self) -> &[(String, String)] {
        &self.env
    }
    /// Time from spawn to `/readyz` 200.
    pub fn started_in(&self) -> Duration {
        self.started_in
    }

    pub fn console_tail(&self, lines: usize) -> String {
        tail(
            &fs::read_to_string(&self.console_log).unwrap_or_default(),
            lines,
        )
    }
}

/// One gateway per version shared by every test of this process that only reads from it.
/// Started on first use; stopped when the test process exits.
pub fn shared_gateway(version: &str) -> Result<&'static Gateway> {
    type Shared = HashMap<String, std::result::Result<&'static Gateway, String>>;
    static SHARED: Mutex<Option<Shared>> = Mutex::new(None);
    let mut shared = SHARED.lock().unwrap_or_else(|poison| poison.into_inner());
    let entry = shared
        .get_or_insert_with(HashMap::new)
        .entry(version.to_string())
        .or_insert_with(|| {
            Gateway::start(GatewayOptions::new(version))
                .map(|gw| {
                    // Never dropped: its process is stopped and its folder removed at exit.
                    crate::process::remove_at_exit(gw._dir.path());
                    &*Box::leak(Box::new(gw))
                })
                .map_err(|e| e.to_string())
        });
    entry.clone().map_err(HarnessError::Setup)
}

fn generated_config(options: &GatewayOptions, port: u16, log_file: &Path) -> String {
    let mut auth = json!({ "mode": "token" });
    if options.token_source == TokenSource::Config {
        auth["token"] = json!(options.token);
    }
    let mut config = json!({
        "gateway": { "mode": "local", "port": port, "bind": "loopback", "auth": auth },
        "logging": { "file": log_file },
    });
    merge(&mut config, options.config_patch.clone());
    serde_json::to_string_pretty(&config).expect("JSON serialises")
}

/// The environment of an OpenClaw process on a scratch machine.
pub(crate) fn base_env(
    install: &OpenClawInstall,
    home: &Path,
    tmp: &Path,
) -> Vec<(String, String)> {
    let node_bin = install.node.parent().unwrap_or(Path::new("/"));
    // `openclaw` on PATH, as a global npm install puts it there.
    let openclaw_bin = install.prefix.join("node_modules").join(".bin");
    let mut env = vec![
        (
            "PATH".to_string(),
            format!(
                "{}:{}:/usr/local/bin:/usr/bin:/bin",
                openclaw_bin.display(),
                node_bin.display()
            ),
        ),
        ("HOME".to_string(), home.display().to_string()),
        ("TMPDIR".to_string(), tmp.display().to_string()),
        ("LANG".to_string(), "C.UTF-8".to_string()),
        ("NO_COLOR".to_string(), "1".to_string()),
    ];
    env.extend(
        OFFLINE_ENV
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string())),
    );
    env
}

/// The `logging.file` of a config the harness wrote (plain JSON).
fn config_log_file(config: &Path) -> Option<PathBuf> {
    let text = fs::read_to_string(config).ok()?;
    let v: Value = serde_json::from_str(&text).ok()?;
    v["logging"]["file"].as_str().map(PathBuf::from)
}

/// Deep merge; a `null` in the patch removes that key.
fn merge(base: &mut Value, patch: Value) {
    match (base, patch) {
        (Value::Object(base), Value::Object(patch)) => {
            for (key, value) in patch {
                if value.is_null() {
                    base.remove(&key);
                } else {
                    merge(base.entry(key).or_insert(Value::Null), value);
                }
            }
        }
        (base, patch) => *base = patch,
    }
}
