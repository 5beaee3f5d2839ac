//! The monitor's config: `~/.config/clawkit/monitor.toml` (or `--config FILE`). It lists the
//! gateways to watch (URL, where their secret is, TLS pin), the channels, the thresholds, the
//! maintenance windows and the heartbeat URL. Secrets may be written inline, but `token_env`
//! and `token_file` keep them out of the file; every form is masked wherever it is shown.
//!
//! With no config the monitor watches this install's gateway as the doctor resolves it.

use crate::state::{Policy, Window};
use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MonitorConfig {
    /// Apprise-style channel URLs.
    #[serde(default)]
    pub notify: Vec<String>,
    /// The SQLite file (default: the state dir's `monitor.sqlite`).
    pub state: Option<PathBuf>,
    /// `127.0.0.1:PORT` for Prometheus `/metrics`.
    pub listen: Option<String>,
    /// Restart a crashed or hung local gateway (off by default).
    #[serde(default)]
    pub heal: bool,
    pub heartbeat: Option<Heartbeat>,
    #[serde(default)]
    pub policy: Policy,
    #[serde(default, rename = "gateway")]
    pub gateways: Vec<GatewayEntry>,
    #[serde(default)]
    pub maintenance: Vec<MaintenanceEntry>,
}

/// A dead man's switch: a URL pinged every `every` while the monitor runs.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Heartbeat {
    pub url: String,
    #[serde(default = "default_heartbeat_every")]
    pub every: String,
}

fn default_heartbeat_every() -> String {
    "60s".into()
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GatewayEntry {
    pub name: String,
    pub url: String,
    /// The shared token inline, in an environment variable, or in a file.
    pub token: Option<String>,
    pub token_env: Option<String>,
    pub token_file: Option<PathBuf>,
    pub password: Option<String>,
    pub password_env: Option<String>,
    pub tls_fingerprint: Option<String>,
    /// A gateway on this machine: its log is tailed for client auth failures.
    pub log_file: Option<PathBuf>,
    #[serde(default = "default_ping")]
    pub ping: String,
    #[serde(default = "default_deadline")]
    pub deadline: String,
}

fn default_ping() -> String {
    "1s".into()
}

fn default_deadline() -> String {
    "3s".into()
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MaintenanceEntry {
    pub gateway: Option<String>,
    /// `daily 02:00-04:00`, `Sun,Wed 23:30-00:30` (UTC).
    pub window: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{path}: {why}")]
    Read { path: PathBuf, why: String },
    #[error("{path}: {why}")]
    Invalid { path: PathBuf, why: String },
}

impl MonitorConfig {
    /// Reads and checks `path`; a missing file is an error only when `required`.
    pub fn load(path: &Path, required: bool) -> Result<MonitorConfig, ConfigError> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => {
                return Ok(MonitorConfig::default());
            }
            Err(e) => {
                return Err(ConfigError::Read {
                    path: path.into(),
                    why: e.to_string(),
                });
            }
        };
        let config: MonitorConfig = toml::from_str(&text).map_err(|e| ConfigError::Invalid {
            path: path.into(),
            why: toml_message(&e.to_string()),
        })?;
        config.check().map_err(|why| ConfigError::Invalid {
            path: path.into(),
            why,
        })?;
        Ok(config)
    }

    fn check(&self) -> Result<(), String> {
        let mut names = std::collections::HashSet::new();
        for g in &self.gateways {
            if !names.insert(g.name.as_str()) {
                return Err(format!("gateway `{}` is listed twice", g.name));
            }
            if !(g.url.starts_with("ws://") || g.url.starts_with("wss://")) {
                return Err(format!(
                    "gateway `{}`: url must start with ws:// or wss://",
                    g.name
                ));
            }
            for (what, v) in [("ping", &g.ping), ("deadline", &g.deadline)] {
                if clawkit_core::time::parse_duration_ms(v).is_none() {
                    return Err(format!(
                        "gateway `{}`: {what} `{v}` is not a duration like 1s or 2m",
                        g.name
                    ));
                }
            }
        }
        self.windows().map(|_| ())
    }

    /// The maintenance windows, parsed.
    pub fn windows(&self) -> Result<Vec<Window>, String> {
        self.maintenance
            .iter()
            .map(|m| Window::parse(m.gateway.clone(), &m.window))
            .collect()
    }
}

/// toml's error is several lines with a source excerpt: keep where, then what.
fn toml_message(text: &str) -> String {
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    let first = lines.next().unwrap_or_default();
    match lines.next_back() {
        Some(last) if last != first => format!("{first}: {last}"),
        _ => first.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<MonitorConfig, ConfigError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("monitor.toml");
        std::fs::write(&path, text).unwrap();
        MonitorConfig::load(&path, true)
    }

    #[test]
    fn a_fleet_config_reads_and_bad_ones_name_the_problem() {
        let c = load(
            r#"
notify = ["json://127.0.0.1:9/hook"]
listen = "127.0.0.1:9464"
[policy]
flap_boots = 4
[[gateway]]
name = "home"
url = "wss://home.example:443"
token_env = "HOME_TOKEN"
tls_fingerprint = "AB:CD"
[[maintenance]]
gateway = "home"
window = "Sun 02:00-04:00"
"#,
        )
        .unwrap();
        assert_eq!(c.gateways[0].ping, "1s");
        assert_eq!(c.policy.flap_boots, 4);
        assert_eq!(
            c.policy.restart_grace_ms,
            Policy::default().restart_grace_ms
        );
        assert_eq!(c.windows().unwrap().len(), 1);
        for (bad, says) in [
            ("[[gateway]]\nname='a'\nurl='http://x'", "ws://"),
            (
                "[[gateway]]\nname='a'\nurl='ws://x'\n[[gateway]]\nname='a'\nurl='ws://y'",
                "twice",
            ),
            (
                "[[gateway]]\nname='a'\nurl='ws://x'\nping='fast'",
                "duration",
            ),
            ("[[maintenance]]\nwindow='sometimes'", "maintenance window"),
            ("colour = 'red'", "unknown field"),
        ] {
            let e = load(bad).unwrap_err().to_string();
            assert!(e.contains(says) && e.contains("monitor.toml"), "{bad}: {e}");
        }
        let dir = tempfile::tempdir().unwrap();
        assert!(MonitorConfig::load(&dir.path().join("none.toml"), false).is_ok());
        assert!(MonitorConfig::load(&dir.path().join("none.toml"), true).is_err());
    }
}
