//! Where an OpenClaw install keeps its files and which ports it uses, resolved with the same
//! precedence OpenClaw applies (2026.9 `resolveEffectiveHomeDir`, `resolveStateDir`,
//! `resolveConfigPath`, `resolveGatewayPort`, `applyCliProfileEnv`). Every value carries the
//! source that decided it, so clawkit can say *why* it looked where it looked.

use super::config::LoadedConfig;
use crate::env::Env;
use sha2::{Digest, Sha256};
use std::fmt;
use std::path::{Path, PathBuf};

/// The base port when nothing else decides it.
pub const DEFAULT_GATEWAY_PORT: u16 = 18789;
/// `--dev` forces this port unless `OPENCLAW_GATEWAY_PORT` is set.
pub const DEV_GATEWAY_PORT: u16 = 19001;

/// A value and what decided it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved<T> {
    pub value: T,
    pub source: String,
}

impl<T> Resolved<T> {
    fn new(value: T, source: impl Into<String>) -> Self {
        Resolved {
            value,
            source: source.into(),
        }
    }
}

/// clawkit's global flags that select an OpenClaw install (same meaning as OpenClaw's).
#[derive(Debug, Clone, Default)]
pub struct InstallFlags {
    pub profile: Option<String>,
    pub dev: bool,
    pub state_dir: Option<PathBuf>,
    pub config: Option<PathBuf>,
}

#[derive(Debug, thiserror::Error)]
pub enum InstallError {
    #[error(
        "invalid profile name `{0}`: use letters, digits, `_` and `-` (up to 64, starting with a letter or digit)"
    )]
    BadProfile(String),
    #[error("--dev and --profile cannot be combined (--dev is --profile dev)")]
    DevWithProfile,
}

/// Applies clawkit's global flags to an environment the way OpenClaw's CLI applies its own
/// (`--profile` sets `OPENCLAW_PROFILE`, and the state dir and config path unless they were set
/// explicitly). The result is what every resolution below, and every `openclaw` process
/// clawkit starts, sees.
pub fn apply_flags(flags: &InstallFlags, env: &Env) -> Result<Env, InstallError> {
    let mut env = env.clone();
    if let Some(dir) = &flags.state_dir {
        env.set("OPENCLAW_STATE_DIR", &dir.display().to_string());
    }
    if let Some(path) = &flags.config {
        env.set("OPENCLAW_CONFIG_PATH", &path.display().to_string());
    }
    let profile = match (&flags.profile, flags.dev) {
        (Some(_), true) => return Err(InstallError::DevWithProfile),
        (Some(p), false) => Some(validate_profile(p)?),
        (None, true) => Some("dev".to_string()),
        (None, false) => None,
    };
    let Some(profile) = profile.filter(|p| p != "default") else {
        return Ok(env);
    };
    let home = effective_home(&env).value;
    if env.get("OPENCLAW_STATE_DIR").is_none() {
        env.set(
            "OPENCLAW_STATE_DIR",
            &home
                .join(format!(".openclaw-{profile}"))
                .display()
                .to_string(),
        );
    }
    if env.get("OPENCLAW_CONFIG_PATH").is_none() {
        let state = PathBuf::from(env.get("OPENCLAW_STATE_DIR").unwrap_or_default());
        env.set(
            "OPENCLAW_CONFIG_PATH",
            &state.join("openclaw.json").display().to_string(),
        );
    }
    env.set("OPENCLAW_PROFILE", &profile);
    if flags.dev && env.get("OPENCLAW_GATEWAY_PORT").is_none() {
        env.set("OPENCLAW_GATEWAY_PORT", &DEV_GATEWAY_PORT.to_string());
    }
    Ok(env)
}

/// OpenClaw's profile names: `^[a-z0-9][a-z0-9_-]{0,63}$`, case-insensitive, kept lowercase.
pub fn validate_profile(name: &str) -> Result<String, InstallError> {
    let lower = name.trim().to_ascii_lowercase();
    let ok = !lower.is_empty()
        && lower.len() <= 64
        && lower
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric())
        && lower
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if ok {
        Ok(lower)
    } else {
        Err(InstallError::BadProfile(name.to_string()))
    }
}

fn os_home() -> PathBuf {
    std::env::home_dir().unwrap_or_else(|| PathBuf::from("/"))
}

fn expand_tilde(path: &str, home: &Path) -> PathBuf {
    if path == "~" {
        home.to_path_buf()
    } else if let Some(rest) = path.strip_prefix("~/") {
        home.join(rest)
    } else {
        PathBuf::from(path)
    }
}

/// `OPENCLAW_HOME` (tilde-expanded) > `HOME` > `USERPROFILE` > the OS account's home.
pub fn effective_home(env: &Env) -> Resolved<PathBuf> {
    let os = env.path("HOME").unwrap_or_else(os_home);
    if let Some(h) = env.get("OPENCLAW_HOME") {
        return Resolved::new(expand_tilde(h, &os), "env OPENCLAW_HOME");
    }
    if let Some(h) = env.get("HOME") {
        return Resolved::new(PathBuf::from(h), "env HOME");
    }
    if let Some(h) = env.get("USERPROFILE") {
        return Resolved::new(PathBuf::from(h), "env USERPROFILE");
    }
    Resolved::new(os_home(), "OS account home")
}

/// Everything about an install that does not need its config.
#[derive(Debug, Clone)]
pub struct InstallPaths {
    pub home: Resolved<PathBuf>,
    pub profile: Option<String>,
    pub state_dir: Resolved<PathBuf>,
    pub config_path: Resolved<PathBuf>,
    /// The `openclaw` on `PATH`, whose version decides version-dependent rules.
    pub cli: Option<CliInstall>,
}

impl InstallPaths {
    pub fn resolve(env: &Env) -> InstallPaths {
        let mut paths = InstallPaths::resolve_without_cli(env);
        paths.cli = find_cli(env);
        paths
    }

    /// The install another process (a running gateway, a service definition) uses, from its
    /// environment: its profile applied as OpenClaw applies `--profile`.
    pub fn of_environment(env: &Env) -> Option<InstallPaths> {
        let flags = InstallFlags {
            profile: env.get("OPENCLAW_PROFILE").map(str::to_string),
            ..InstallFlags::default()
        };
        let env = apply_flags(&flags, env).ok()?;
        Some(InstallPaths::resolve_without_cli(&env))
    }

    /// The paths alone, without looking for the `openclaw` CLI on `PATH` (for another
    /// process's environment, where only the state dir and config matter).
    pub fn resolve_without_cli(env: &Env) -> InstallPaths {
        let home = effective_home(env);
        let profile = env
            .get("OPENCLAW_PROFILE")
            .and_then(|p| validate_profile(p).ok())
            .filter(|p| p != "default");
        let state_dir = match env.get("OPENCLAW_STATE_DIR") {
            Some(dir) => Resolved::new(expand_tilde(dir, &home.value), "env OPENCLAW_STATE_DIR"),
            None => {
                let new = home.value.join(".openclaw");
                let legacy = home.value.join(".clawdbot");
                if new.exists() {
                    Resolved::new(new, "default ~/.openclaw")
                } else if legacy.exists() {
                    Resolved::new(legacy, "legacy ~/.clawdbot (no ~/.openclaw)")
                } else {
                    Resolved::new(new, "default ~/.openclaw")
                }
            }
        };
        let config_path = match env.get("OPENCLAW_CONFIG_PATH") {
            Some(p) => Resolved::new(expand_tilde(p, &home.value), "env OPENCLAW_CONFIG_PATH"),
            None => {
                let mut candidates = Vec::new();
                if env.get("OPENCLAW_STATE_DIR").is_some() {
                    candidates.push(state_dir.value.join("openclaw.json"));
                    candidates.push(state_dir.value.join("clawdbot.json"));
                }
                for dir in [".openclaw", ".clawdbot"] {
                    for name in ["openclaw.json", "clawdbot.json"] {
                        candidates.push(home.value.join(dir).join(name));
                    }
                }
                match candidates.into_iter().find(|c| c.is_file()) {
                    Some(found) => Resolved::new(found, "first existing config candidate"),
                    None => Resolved::new(
                        state_dir.value.join("openclaw.json"),
                        "default <state dir>/openclaw.json",
                    ),
                }
            }
        };
        InstallPaths {
            home,
            profile,
            state_dir,
            config_path,
            cli: None,
        }
    }

    /// The local gateway's WebSocket URL: loopback at [`InstallPaths::port`].
    pub fn local_url(&self, config: &LoadedConfig, env: &Env) -> String {
        format!("ws://127.0.0.1:{}", self.port(config, env).value)
    }

    /// The base port: `OPENCLAW_GATEWAY_PORT` > `gateway.port` > the profile's hashed port >
    /// 18789. (`gateway run --port` beats all of these for a gateway started by hand.)
    pub fn port(&self, config: &LoadedConfig, env: &Env) -> Resolved<u16> {
        if let Some(raw) = env.get("OPENCLAW_GATEWAY_PORT")
            && let Some(port) = parse_port_env(raw)
        {
            return Resolved::new(port, "env OPENCLAW_GATEWAY_PORT");
        }
        if let Some(node) = config.get("gateway.port")
            && let Some(port) = node
                .as_i64()
                .and_then(|p| u16::try_from(p).ok())
                .filter(|p| *p > 0)
        {
            return Resolved::new(port, format!("config gateway.port ({})", node.origin));
        }
        if let Some(profile) = &self.profile {
            if self.profile_names_ports_and_logs() {
                return Resolved::new(
                    profile_port(profile),
                    format!("profile `{profile}` (hashed)"),
                );
            }
            return Resolved::new(
                DEFAULT_GATEWAY_PORT,
                format!(
                    "default (OpenClaw {} has no per-profile port)",
                    self.cli_version()
                ),
            );
        }
        Resolved::new(DEFAULT_GATEWAY_PORT, "default")
    }

    /// `logging.file` > `/tmp/openclaw/openclaw[-<profile>]-<local date>.log`.
    pub fn log_file(&self, config: &LoadedConfig, today: &str) -> Resolved<PathBuf> {
        if let Some(node) = config.get("logging.file")
            && let Some(file) = node.as_str()
        {
            return Resolved::new(
                expand_tilde(file, &self.home.value),
                format!("config logging.file ({})", node.origin),
            );
        }
        let name = match &self.profile {
            Some(p) if self.profile_names_ports_and_logs() => format!("openclaw-{p}-{today}.log"),
            _ => format!("openclaw-{today}.log"),
        };
        Resolved::new(PathBuf::from("/tmp/openclaw").join(name), "default")
    }

    /// Whether this OpenClaw derives the port and log file name from the profile. 2026.7.1 does
    /// not (it uses 18789 and the plain log name); 2026.9.6 does. When no CLI is found, the
    /// newer rules apply.
    fn profile_names_ports_and_logs(&self) -> bool {
        self.cli
            .as_ref()
            .is_none_or(|c| version_at_least(&c.version, (2026, 8, 0)))
    }

    fn cli_version(&self) -> &str {
        self.cli.as_ref().map_or("?", |c| c.version.as_str())
    }

    /// `<state>/tmp/openclaw-<uid>/`, where 2026.9 gateways keep their lock files.
    pub fn lock_dir(&self, uid: u32) -> PathBuf {
        self.state_dir
            .value
            .join("tmp")
            .join(format!("openclaw-{uid}"))
    }

    /// `gateway.<sha256(config path)[:8]>.lock`: the per-config gateway lock.
    pub fn config_lock_file(&self, uid: u32) -> PathBuf {
        let digest = Sha256::digest(self.config_path.value.display().to_string().as_bytes());
        let hex: String = digest.iter().take(4).map(|b| format!("{b:02x}")).collect();
        self.lock_dir(uid).join(format!("gateway.{hex}.lock"))
    }
}

/// Whether an OpenClaw version string (`2026.9.6`, `2026.8.1-beta.1`) is at least `min`.
pub fn version_at_least(version: &str, min: (u32, u32, u32)) -> bool {
    version_triple(version) >= min
}

/// `2026.9.6` → `(2026, 9, 6)`; missing or non-numeric parts are 0.
pub fn version_triple(version: &str) -> (u32, u32, u32) {
    let mut parts = version
        .split(['.', '-'])
        .map(|p| p.parse::<u32>().unwrap_or(0));
    (
        parts.next().unwrap_or(0),
        parts.next().unwrap_or(0),
        parts.next().unwrap_or(0),
    )
}

/// `N`, `host:N` or `[v6]:N`.
pub fn parse_port_env(raw: &str) -> Option<u16> {
    let raw = raw.trim();
    let digits = match raw.rsplit_once(':') {
        Some((_, port)) => port,
        None => raw,
    };
    digits.parse::<u16>().ok().filter(|p| *p > 0)
}

/// `20000 + FNV-1a-32(profile) mod 40000`.
pub fn profile_port(profile: &str) -> u16 {
    let mut hash: u32 = 2_166_136_261;
    for b in profile.as_bytes() {
        hash ^= u32::from(*b);
        hash = hash.wrapping_mul(16_777_619);
    }
    (20_000 + hash % 40_000) as u16
}

/// The ports OpenClaw derives from the base port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DerivedPorts {
    pub base: u16,
    pub sandbox: u16,
    pub browser_control: u16,
    pub extension_relay: u16,
    pub cdp_range: (u16, u16),
}

impl DerivedPorts {
    pub fn from_base(base: u16) -> DerivedPorts {
        let at = |offset: u32| u16::try_from(u32::from(base) + offset).ok();
        let browser_control = at(2).unwrap_or(18791);
        let cdp_start = u32::from(browser_control) + 9;
        let cdp_range = if cdp_start + 99 > 65535 {
            (18800, 18899)
        } else {
            (cdp_start as u16, (cdp_start + 99) as u16)
        };
        DerivedPorts {
            base,
            sandbox: at(1).unwrap_or(base),
            browser_control,
            extension_relay: browser_control.saturating_add(8),
            cdp_range,
        }
    }
}

impl fmt::Display for DerivedPorts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} (sandbox {}, browser control {}, relay {}, CDP {}-{})",
            self.base,
            self.sandbox,
            self.browser_control,
            self.extension_relay,
            self.cdp_range.0,
            self.cdp_range.1
        )
    }
}

/// The `openclaw` CLI found on `PATH` and the package version behind it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CliInstall {
    pub command: PathBuf,
    pub package_dir: PathBuf,
    pub version: String,
}

/// The directories `find_cli` looks in for `openclaw`, in order: `PATH`'s.
pub fn cli_search_dirs(env: &Env) -> Vec<PathBuf> {
    env.raw("PATH")
        .map(|path| std::env::split_paths(path).collect())
        .unwrap_or_default()
}

pub fn find_cli(env: &Env) -> Option<CliInstall> {
    let command = cli_search_dirs(env)
        .into_iter()
        .map(|dir| dir.join("openclaw"))
        .find(|c| c.is_file())?;
    let real = std::fs::canonicalize(&command).ok()?;
    let (package_dir, version) = package_of(&real)?;
    Some(CliInstall {
        command,
        package_dir,
        version,
    })
}

/// The `openclaw` package directory containing `file`, and its version.
pub fn package_of(file: &Path) -> Option<(PathBuf, String)> {
    for dir in file.ancestors().skip(1) {
        let manifest = dir.join("package.json");
        if let Ok(text) = std::fs::read_to_string(&manifest)
            && let Ok(json) = serde_json::from_str::<serde_json::Value>(&text)
            && json["name"] == "openclaw"
        {
            return Some((dir.to_path_buf(), json["version"].as_str()?.to_string()));
        }
    }
    None
}

/// The real user id of this process. Windows has no uids: there it is 0, and whose process
/// or file it is stays the OS's own access check.
pub fn current_uid() -> u32 {
    #[cfg(unix)]
    // SAFETY: getuid has no preconditions.
    return unsafe { libc::getuid() };
    #[cfg(not(unix))]
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Env {
        Env::from_pairs(pairs.iter().map(|(k, v)| (*k, *v)))
    }

    #[test]
    fn profile_port_matches_openclaw() {
        // Observed from `openclaw --profile work gateway status --json`.
        assert_eq!(profile_port("work"), 41984);
    }

    #[test]
    fn home_precedence() {
        let e = env(&[
            ("OPENCLAW_HOME", "/oc"),
            ("HOME", "/h"),
            ("USERPROFILE", "/u"),
        ]);
        assert_eq!(effective_home(&e).value, PathBuf::from("/oc"));
        let e = env(&[("OPENCLAW_HOME", "~/x"), ("HOME", "/h")]);
        assert_eq!(effective_home(&e).value, PathBuf::from("/h/x"));
        let e = env(&[("OPENCLAW_HOME", "undefined"), ("HOME", "/h")]);
        assert_eq!(effective_home(&e).value, PathBuf::from("/h"));
        let e = env(&[("HOME", "  "), ("USERPROFILE", "/u")]);
        assert_eq!(effective_home(&e).value, PathBuf::from("/u"));
    }

    #[test]
    fn flags_apply_like_openclaws_profile_env() {
        let base = env(&[("HOME", "/h")]);
        let flags = InstallFlags {
            profile: Some("Work".into()),
            ..Default::default()
        };
        let e = apply_flags(&flags, &base).unwrap();
        assert_eq!(e.get("OPENCLAW_STATE_DIR"), Some("/h/.openclaw-work"));
        assert_eq!(
            e.get("OPENCLAW_CONFIG_PATH"),
            Some("/h/.openclaw-work/openclaw.json")
        );
        assert_eq!(e.get("OPENCLAW_PROFILE"), Some("work"));

        // An explicit state dir is kept; the config follows it.
        let with_state = env(&[("HOME", "/h"), ("OPENCLAW_STATE_DIR", "/s")]);
        let e = apply_flags(&flags, &with_state).unwrap();
        assert_eq!(e.get("OPENCLAW_STATE_DIR"), Some("/s"));
        assert_eq!(e.get("OPENCLAW_CONFIG_PATH"), Some("/s/openclaw.json"));

        let dev = InstallFlags {
            dev: true,
            ..Default::default()
        };
        let e = apply_flags(&dev, &base).unwrap();
        assert_eq!(e.get("OPENCLAW_GATEWAY_PORT"), Some("19001"));
        assert_eq!(e.get("OPENCLAW_STATE_DIR"), Some("/h/.openclaw-dev"));

        let both = InstallFlags {
            dev: true,
            profile: Some("x".into()),
            ..Default::default()
        };
        assert!(matches!(
            apply_flags(&both, &base),
            Err(InstallError::DevWithProfile)
        ));
        let bad = InstallFlags {
            profile: Some("-x".into()),
            ..Default::default()
        };
        assert!(matches!(
            apply_flags(&bad, &base),
            Err(InstallError::BadProfile(_))
        ));
        let default = InstallFlags {
            profile: Some("default".into()),
            ..Default::default()
        };
        assert_eq!(
            apply_flags(&default, &base)
                .unwrap()
                .get("OPENCLAW_STATE_DIR"),
            None
        );

        // clawkit's own --state-dir/--config flags win over the environment.
        let explicit = InstallFlags {
            state_dir: Some("/flag-state".into()),
            config: Some("/flag.json".into()),
            ..Default::default()
        };
        let e = apply_flags(&explicit, &with_state).unwrap();
        assert_eq!(e.get("OPENCLAW_STATE_DIR"), Some("/flag-state"));
        assert_eq!(e.get("OPENCLAW_CONFIG_PATH"), Some("/flag.json"));
    }

    #[test]
    fn state_dir_and_config_candidates() {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().display().to_string();
        let e = env(&[("HOME", &home)]);
        // Nothing exists: ~/.openclaw and its openclaw.json.
        let p = InstallPaths::resolve(&e);
        assert_eq!(p.state_dir.value, dir.path().join(".openclaw"));
        assert_eq!(
            p.config_path.value,
            dir.path().join(".openclaw/openclaw.json")
        );
        // Only the legacy dir exists: it is used, and an existing clawdbot.json is found.
        std::fs::create_dir_all(dir.path().join(".clawdbot")).unwrap();
        let p = InstallPaths::resolve(&e);
        assert_eq!(p.state_dir.value, dir.path().join(".clawdbot"));
        assert_eq!(
            p.config_path.value,
            dir.path().join(".clawdbot/openclaw.json")
        );
        std::fs::write(dir.path().join(".clawdbot/clawdbot.json"), "{}").unwrap();
        assert_eq!(
            InstallPaths::resolve(&e).config_path.value,
            dir.path().join(".clawdbot/clawdbot.json")
        );
        // ~/.openclaw wins once it exists.
        std::fs::create_dir_all(dir.path().join(".openclaw")).unwrap();
        assert_eq!(
            InstallPaths::resolve(&e).state_dir.value,
            dir.path().join(".openclaw")
        );
        // OPENCLAW_CONFIG_PATH beats every candidate.
        let e = env(&[("HOME", &home), ("OPENCLAW_CONFIG_PATH", "/x/y.json")]);
        assert_eq!(
            InstallPaths::resolve(&e).config_path.value,
            PathBuf::from("/x/y.json")
        );
    }

    #[test]
    fn port_precedence() {
        let dir = tempfile::tempdir().unwrap();
        let cfg_path = dir.path().join("openclaw.json");
        std::fs::write(&cfg_path, "{ gateway: { port: 3456 } }").unwrap();
        let cfg = super::super::config::load(&cfg_path, &Env::default()).unwrap();
        let empty =
            super::super::config::load(&dir.path().join("none.json"), &Env::default()).unwrap();
        let paths = |pairs: &[(&str, &str)]| InstallPaths::resolve(&env(pairs));
        let e = env(&[("OPENCLAW_GATEWAY_PORT", "[::1]:4567")]);
        assert_eq!(paths(&[]).port(&cfg, &e).value, 4567);
        assert_eq!(paths(&[]).port(&cfg, &Env::default()).value, 3456);
        let mut p = paths(&[("OPENCLAW_PROFILE", "work")]);
        assert_eq!(p.port(&empty, &Env::default()).value, 41984);
        // OpenClaw 2026.7 has no hashed profile port.
        p.cli = Some(CliInstall {
            command: "/x/openclaw".into(),
            package_dir: "/x".into(),
            version: "2026.7.1".into(),
        });
        assert_eq!(p.port(&empty, &Env::default()).value, 18789);
        assert!(version_at_least("2026.10.0", (2026, 8, 0)));
        assert!(!version_at_least("2026.7.35", (2026, 8, 0)));
        assert_eq!(paths(&[]).port(&empty, &Env::default()).value, 18789);
        assert_eq!(
            paths(&[])
                .port(&empty, &env(&[("OPENCLAW_GATEWAY_PORT", "x")]))
                .value,
            18789
        );
    }

    #[test]
    fn derived_ports() {
        let d = DerivedPorts::from_base(18789);
        assert_eq!(
            (d.sandbox, d.browser_control, d.extension_relay),
            (18790, 18791, 18799)
        );
        assert_eq!(d.cdp_range, (18800, 18899));
        assert_eq!(DerivedPorts::from_base(65500).cdp_range, (18800, 18899));
    }

    #[test]
    fn log_file_names() {
        let dir = tempfile::tempdir().unwrap();
        let empty =
            super::super::config::load(&dir.path().join("none.json"), &Env::default()).unwrap();
        let p = InstallPaths::resolve(&env(&[("HOME", "/h"), ("OPENCLAW_PROFILE", "work")]));
        assert_eq!(
            p.log_file(&empty, "2026-11-22").value,
            PathBuf::from("/tmp/openclaw/openclaw-work-2026-11-22.log")
        );
    }
}
