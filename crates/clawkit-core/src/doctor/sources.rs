//! Every place a shared secret is written down, on both sides, so the doctor can compare them
//! pair by pair with the secret the gateway actually checks: the running gateway's flags,
//! config and environment; the CLI's config keys and shell; the service definition; a Docker
//! `.env` / compose file.

use crate::env::Env;
use crate::openclaw::auth::{Credentials, Secret, SecretKind, SecretOrigin, gateway_credentials};
use crate::openclaw::config::LoadedConfig;
use crate::service::ServiceDef;
use std::fmt;
use std::path::{Path, PathBuf};

/// What the gateway checks, and how clawkit knows.
#[derive(Debug, Clone)]
pub struct GatewaySide {
    pub creds: Credentials,
    /// "the running gateway (pid 123)", "the service openclaw-gateway.service", "this shell".
    pub from: String,
    /// True when read from the running gateway process itself (not inferred).
    pub observed: bool,
    /// The gateway's config file, when it is not the one the CLI reads.
    pub config_path: Option<PathBuf>,
}

/// Where a copy of a secret lives, when clawkit can rewrite it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// A config key (written with `config set` / `config unset`).
    ConfigKey(String),
    /// A line-oriented file (an env file, a unit, a compose file, `gateway.cmd`, a plist).
    File(PathBuf),
    /// The shell's environment: only the user can change it.
    Shell,
    /// A command-line flag of a running process.
    Flag,
}

/// Who reads a client-side copy of a secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reader {
    /// The `openclaw` CLI (its config keys, its shell).
    Cli,
    /// The containers of a Docker setup (its `.env`, its compose files).
    Docker,
}

impl fmt::Display for Reader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Reader::Cli => "CLI",
            Reader::Docker => "docker",
        })
    }
}

/// One written-down copy of a secret.
#[derive(Debug, Clone)]
pub struct SecretCopy {
    pub secret: Secret,
    pub place: Place,
    pub reader: Reader,
}

/// `--token X`, `--token=X`, `--password X` in a gateway's command line.
pub fn flag_secrets(cmdline: &[String], whose: &str) -> Vec<Secret> {
    let mut out = Vec::new();
    let mut words = cmdline.iter().peekable();
    while let Some(w) = words.next() {
        for (flag, kind) in [
            ("--token", SecretKind::Token),
            ("--password", SecretKind::Password),
        ] {
            let value = if w == flag {
                words.peek().map(|v| v.to_string())
            } else {
                w.strip_prefix(&format!("{flag}=")).map(str::to_string)
            };
            if let Some(v) = value.filter(|v| !v.trim().is_empty()) {
                out.push(Secret::new(
                    kind,
                    SecretOrigin::Flag {
                        name: format!("{flag} in {whose}'s command line"),
                    },
                    v.trim(),
                ));
            }
        }
    }
    out
}

/// A running gateway as the doctor sees it: pid, command line, environment (when readable).
pub type GatewayProcess<'a> = (u32, &'a [String], Option<Vec<(String, String)>>);

/// The gateway's secret: from its process when visible (flags, environment), else from the
/// service that starts it, else from this shell (a gateway started by hand here).
pub fn gateway_side(
    config: &LoadedConfig,
    shell: &Env,
    process: Option<GatewayProcess<'_>>,
    service: Option<&ServiceDef>,
) -> GatewaySide {
    if let Some((pid, cmdline, Some(environ))) = process {
        let whose = format!("the gateway process (pid {pid})");
        let env = Env::from_pairs(environ);
        return GatewaySide {
            creds: gateway_credentials(config, &env, &whose, &flag_secrets(cmdline, &whose)),
            from: format!("the running gateway (pid {pid})"),
            observed: true,
            config_path: None,
        };
    }
    if let Some(def) = service {
        let env = Env::from_pairs(def.env.iter().map(|e| (e.key.clone(), e.value.clone())));
        let scope = format!("service {}", def.name);
        let mut creds =
            gateway_credentials(config, &env, &scope, &flag_secrets(&def.program, &scope));
        // The env entries know their file:line; say so.
        for s in creds.tokens.iter_mut().chain(creds.passwords.iter_mut()) {
            if let SecretOrigin::Env { name, .. } = &s.origin
                && let Some(e) = def.env(name)
            {
                s.origin = SecretOrigin::Env {
                    name: name.clone(),
                    scope: e.origin.clone(),
                };
            }
        }
        return GatewaySide {
            creds,
            from: format!("the service {} ({})", def.name, def.path.display()),
            observed: false,
            config_path: None,
        };
    }
    GatewaySide {
        creds: gateway_credentials(config, shell, "this shell", &[]),
        from: "this config and shell (no running gateway or service to read)".into(),
        observed: false,
        config_path: None,
    }
}

/// The secret-bearing variables a Docker setup in `dir` declares: `.env` and the compose files'
/// `environment:` entries (interpolations such as `${OPENCLAW_GATEWAY_TOKEN}` are the `.env`'s
/// value, not a copy of their own).
pub fn docker_copies(dir: &Path) -> Result<Vec<SecretCopy>, String> {
    if !dir.is_dir() {
        return Err(format!("--docker-dir {}: not a directory", dir.display()));
    }
    let mut out = Vec::new();
    for name in [
        ".env",
        "docker-compose.yml",
        "docker-compose.yaml",
        "compose.yml",
        "compose.yaml",
    ] {
        let path = dir.join(name);
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        for (i, line) in text.lines().enumerate() {
            for kind in [SecretKind::Token, SecretKind::Password] {
                let Some(value) = assigned_value(line, kind.env_var()) else {
                    continue;
                };
                out.push(SecretCopy {
                    secret: Secret::new(
                        kind,
                        SecretOrigin::Env {
                            name: kind.env_var().to_string(),
                            scope: format!("{}:{}", path.display(), i + 1),
                        },
                        value,
                    ),
                    place: Place::File(path.clone()),
                    reader: Reader::Docker,
                });
            }
        }
    }
    Ok(out)
}

/// The literal value assigned to `var` on this line (`VAR=v`, `export VAR="v"`, `- VAR=v`,
/// `VAR: v`), if any.
fn assigned_value(line: &str, var: &str) -> Option<String> {
    let t = line.trim_start();
    if t.starts_with('#') {
        return None;
    }
    let t = t.strip_prefix("- ").unwrap_or(t);
    let t = t.strip_prefix("export ").unwrap_or(t).trim_start();
    let t = t.trim_start_matches(['"', '\'']);
    let rest = t.strip_prefix(var)?;
    let rest = rest.trim_start_matches(['"', '\'']).trim_start();
    let rest = rest
        .strip_prefix('=')
        .or_else(|| rest.strip_prefix(':'))?
        .trim();
    let value = rest
        .split(" #")
        .next()
        .unwrap_or("")
        .trim()
        .trim_matches(['"', '\'']);
    (!value.is_empty() && !value.contains("${")).then(|| value.to_string())
}

/// `text` with the line(s) that assign `secret` to its variable removed (a plist's `<key>` line
/// goes with its `<string>`). `None` when a line carries more than that one assignment.
pub fn remove_assignment(text: &str, secret: &Secret) -> Option<String> {
    let value = secret.expose();
    let var = secret.kind.env_var();
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let mut out = String::with_capacity(text.len());
    let mut removed = false;
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if line.contains(value) {
            let trimmed = line.trim();
            let is_plist = trimmed == format!("<string>{value}</string>");
            if is_plist {
                if out.trim_end().ends_with(&format!("<key>{var}</key>")) {
                    let cut = out.trim_end().len() - format!("<key>{var}</key>").len();
                    let keep = out[..cut].rfind('\n').map_or(0, |n| n + 1);
                    out.truncate(keep);
                }
            } else {
                // Only a line whose whole content is this one assignment.
                let bare = trimmed
                    .trim_start_matches("Environment=")
                    .trim_start_matches("set ")
                    .trim_start_matches("export ")
                    .trim_start_matches("- ")
                    .trim_matches(['"', '\'']);
                if bare != format!("{var}={value}") && bare != format!("{var}: {value}") {
                    return None;
                }
            }
            removed = true;
            i += 1;
            continue;
        }
        out.push_str(line);
        i += 1;
    }
    removed.then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_values_and_interpolations() {
        let v = |l| assigned_value(l, "OPENCLAW_GATEWAY_TOKEN");
        assert_eq!(v("OPENCLAW_GATEWAY_TOKEN=abc123"), Some("abc123".into()));
        assert_eq!(
            v("export OPENCLAW_GATEWAY_TOKEN=\"abc\""),
            Some("abc".into())
        );
        assert_eq!(v("      - OPENCLAW_GATEWAY_TOKEN=xyz"), Some("xyz".into()));
        assert_eq!(v("  OPENCLAW_GATEWAY_TOKEN: 'q1'"), Some("q1".into()));
        assert_eq!(
            v("  OPENCLAW_GATEWAY_TOKEN: ${OPENCLAW_GATEWAY_TOKEN}"),
            None
        );
        assert_eq!(v("# OPENCLAW_GATEWAY_TOKEN=old"), None);
        assert_eq!(v("OPENCLAW_GATEWAY_TOKENS=x"), None);
    }

    #[test]
    fn removes_only_whole_assignments() {
        let s = Secret::new(
            SecretKind::Token,
            SecretOrigin::Flag { name: "t".into() },
            "tok123456",
        );
        let unit = "[Service]\nEnvironment=HOME=/h\nEnvironment=OPENCLAW_GATEWAY_TOKEN=tok123456\nExecStart=/x\n";
        assert_eq!(
            remove_assignment(unit, &s).unwrap(),
            "[Service]\nEnvironment=HOME=/h\nExecStart=/x\n"
        );
        let quoted = "Environment=\"OPENCLAW_GATEWAY_TOKEN=tok123456\"\n";
        assert_eq!(remove_assignment(quoted, &s).unwrap(), "");
        let shared = "Environment=A=1 OPENCLAW_GATEWAY_TOKEN=tok123456\n";
        assert_eq!(remove_assignment(shared, &s), None);
        let plist = "<dict>\n    <key>OPENCLAW_GATEWAY_TOKEN</key>\n    <string>tok123456</string>\n    <key>HOME</key>\n</dict>\n";
        assert_eq!(
            remove_assignment(plist, &s).unwrap(),
            "<dict>\n    <key>HOME</key>\n</dict>\n"
        );
        let cmd = "@echo off\r\nset \"OPENCLAW_GATEWAY_TOKEN=tok123456\"\r\nnode x\r\n";
        assert_eq!(
            remove_assignment(cmd, &s).unwrap(),
            "@echo off\r\nnode x\r\n"
        );
    }

    #[test]
    fn flags_in_a_command_line() {
        let cmd: Vec<String> = [
            "node",
            "x.js",
            "gateway",
            "run",
            "--token",
            "abc",
            "--password=pw1",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let s = flag_secrets(&cmd, "pid 1");
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].expose(), "abc");
        assert_eq!(s[1].kind, SecretKind::Password);
    }
}
