//! The service audit: what in a service definition makes the supervised gateway differ from
//! what the CLI expects — an embedded or stale token, another port, another state dir, an
//! `ExecStart` left pointing at a removed or older OpenClaw — and restart policies known to
//! cause restart storms. A clean unit written by 2026.9.6 yields no finding.

use super::{ServiceDef, ServiceKind};
use crate::env::Env;
use crate::finding::{Finding, Severity, codes};
use crate::openclaw::auth::{SecretKind, gateway_credentials, local_cli_credential};
use crate::openclaw::config::LoadedConfig;
use crate::openclaw::install::{InstallPaths, package_of, version_at_least, version_triple};
use crate::secret::fingerprint;
use std::path::Path;

const REINSTALL: &str = "clawkit gateway install --force";

pub fn audit(
    def: &ServiceDef,
    paths: &InstallPaths,
    config: &LoadedConfig,
    env: &Env,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let at = |origin: &Option<String>| {
        origin
            .clone()
            .unwrap_or_else(|| def.path.display().to_string())
    };
    for p in &def.problems {
        out.push(
            Finding::new(codes::SERVICE_FILE_UNREADABLE, Severity::Error, p.clone())
                .next(REINSTALL),
        );
    }
    command(def, paths, &mut out, &at(&def.program_origin));
    port(def, paths, config, env, &mut out);
    secrets(def, config, env, &mut out);
    state_dir(def, paths, &mut out);
    policy(def, &mut out);
    out
}

fn command(def: &ServiceDef, paths: &InstallPaths, out: &mut Vec<Finding>, origin: &str) {
    let Some(runtime) = def.program.first() else {
        out.push(
            Finding::new(
                codes::SERVICE_COMMAND_MISSING,
                Severity::Error,
                format!("{} has no command to run", def.path.display()),
            )
            .next(REINSTALL),
        );
        return;
    };
    let runtime_missing = runtime.starts_with('/') && !Path::new(runtime).exists();
    if runtime_missing {
        out.push(
            Finding::new(
                codes::SERVICE_RUNTIME_MISSING,
                Severity::Error,
                format!("the service runs {runtime}, which does not exist (Node moved or was removed): the service cannot start"),
            )
            .evidence(origin.to_string())
            .next(REINSTALL),
        );
    }
    let Some(entry) = def.entry() else {
        return;
    };
    let entry_path = Path::new(entry);
    if !entry_path.exists() {
        out.push(
            Finding::new(
                codes::SERVICE_ENTRY_MISSING,
                Severity::Error,
                format!("the service runs {entry}, which no longer exists (OpenClaw was moved, removed or updated into another directory): the service cannot start"),
            )
            .evidence(origin.to_string())
            .next(REINSTALL),
        );
        return;
    }
    let (Some((_, service_version)), Some(cli)) = (package_of(entry_path), paths.cli.as_ref())
    else {
        return;
    };
    if service_version != cli.version {
        let older = version_at_least(&cli.version, version_triple(&service_version));
        out.push(
            Finding::new(
                codes::SERVICE_VERSION_DRIFT,
                if older { Severity::Error } else { Severity::Warning },
                format!(
                    "the service runs OpenClaw {service_version} but the `openclaw` CLI is {} ({}): {}",
                    cli.version,
                    cli.command.display(),
                    if older {
                        "the supervised gateway was not updated with the CLI (drift after an update)"
                    } else {
                        "the CLI is older than the gateway it manages"
                    }
                ),
            )
            .evidence(format!("{origin}: {entry}"))
            .next(REINSTALL),
        );
    }
}

fn port(
    def: &ServiceDef,
    paths: &InstallPaths,
    config: &LoadedConfig,
    env: &Env,
    out: &mut Vec<Finding>,
) {
    let expected = paths.port(config, env);
    let (service_port, origin) = match (def.port_flag(), def.env("OPENCLAW_GATEWAY_PORT")) {
        (Some(p), _) => (
            p,
            format!(
                "--port {p} in {}",
                def.program_origin.clone().unwrap_or_default()
            ),
        ),
        (None, Some(e)) => match crate::openclaw::install::parse_port_env(&e.value) {
            Some(p) => (p, format!("OPENCLAW_GATEWAY_PORT={p} at {}", e.origin)),
            None => return,
        },
        (None, None) => return,
    };
    if service_port != expected.value {
        out.push(
            Finding::new(
                codes::SERVICE_PORT_MISMATCH,
                Severity::Error,
                format!(
                    "the service starts the gateway on port {service_port}, but clients connect to port {} ({})",
                    expected.value, expected.source
                ),
            )
            .evidence(origin)
            .next(REINSTALL),
        );
    }
}

fn secrets(def: &ServiceDef, config: &LoadedConfig, env: &Env, out: &mut Vec<Finding>) {
    let gateway = gateway_credentials(config, &Env::default(), "config", &[]);
    let (cli_sends, cli_source) = local_cli_credential(config, env);
    for kind in [SecretKind::Token, SecretKind::Password] {
        let var = kind.env_var();
        let Some(entry) = def.env(var).filter(|e| !e.value.trim().is_empty()) else {
            continue;
        };
        let baked = entry.value.trim();
        let config_secret = match kind {
            SecretKind::Password => gateway.password(),
            _ => gateway.token(),
        }
        .filter(|s| matches!(s.origin, crate::openclaw::auth::SecretOrigin::Config { .. }));
        let what = if kind == SecretKind::Password {
            "password"
        } else {
            "token"
        };
        let evidence = format!("{var} = {} at {}", fingerprint(baked), entry.origin);
        let embedded = if kind == SecretKind::Password {
            codes::SERVICE_PASSWORD_EMBEDDED
        } else {
            codes::SERVICE_TOKEN_EMBEDDED
        };
        let finding = match config_secret {
            Some(c) if c.expose() == baked => Finding::new(
                embedded,
                Severity::Warning,
                format!(
                    "the service embeds the gateway {what} in {var}; it matches the config today but goes stale on the next rotation"
                ),
            ),
            Some(c) => Finding::new(
                codes::SERVICE_TOKEN_STALE,
                Severity::Warning,
                format!(
                    "the service's {var} differs from the config's {what} ({}): the gateway prefers the config, but the stale copy takes over as soon as the config loses its {what}",
                    c
                ),
            ),
            None => {
                let sent = cli_sends.value();
                if sent == Some(baked) {
                    Finding::new(
                        embedded,
                        Severity::Warning,
                        format!(
                            "the supervised gateway takes its {what} only from the service's {var} (the config has none); it matches what the CLI sends, but lives outside the config"
                        ),
                    )
                } else {
                    Finding::new(
                        codes::SERVICE_TOKEN_MISMATCH,
                        Severity::Error,
                        format!(
                            "the supervised gateway takes its {what} from the service's {var} (the config has none), and the CLI sends {}: every CLI call is refused with a {what} mismatch",
                            cli_source.clone().unwrap_or_else(|| format!("no {what}"))
                        ),
                    )
                }
            }
        };
        out.push(finding.evidence(evidence).next(REINSTALL));
    }
}

fn state_dir(def: &ServiceDef, paths: &InstallPaths, out: &mut Vec<Finding>) {
    let keys = [
        "HOME",
        "OPENCLAW_HOME",
        "OPENCLAW_STATE_DIR",
        "OPENCLAW_CONFIG_PATH",
        "OPENCLAW_PROFILE",
    ];
    if !keys.iter().any(|k| def.env(k).is_some())
        || def.kind == ServiceKind::ScheduledTask && def.env("HOME").is_none()
    {
        return;
    }
    let mut env = Env::from_pairs(
        keys.iter()
            .filter_map(|k| def.env(k).map(|e| (*k, e.value.clone()))),
    );
    if env.get("HOME").is_none() {
        env.set("HOME", &paths.home.value.display().to_string());
    }
    let Some(service) = InstallPaths::of_environment(&env) else {
        return;
    };
    let origins: Vec<String> = keys
        .iter()
        .filter_map(|k| {
            def.env(k)
                .map(|e| format!("{k}={} at {}", e.value, e.origin))
        })
        .collect();
    if service.state_dir.value != paths.state_dir.value
        || service.config_path.value != paths.config_path.value
    {
        let mut f = Finding::new(
            codes::SERVICE_STATE_DIR_MISMATCH,
            Severity::Error,
            format!(
                "the service's gateway uses {} (config {}), the CLI uses {} (config {}): they read different configs and pairing state",
                service.state_dir.value.display(),
                service.config_path.value.display(),
                paths.state_dir.value.display(),
                paths.config_path.value.display()
            ),
        );
        for o in origins {
            f = f.evidence(o);
        }
        out.push(f.next(REINSTALL));
    }
}

fn policy(def: &ServiceDef, out: &mut Vec<Finding>) {
    match def.kind {
        ServiceKind::Systemd => {
            match def.setting("Service.Restart") {
                None | Some(("no", _)) => out.push(
                    Finding::new(codes::SERVICE_NO_RESTART, Severity::Warning, "the unit does not restart the gateway when it crashes (Restart= is missing or no)")
                        .evidence(def.path.display().to_string())
                        .next(REINSTALL),
                ),
                _ => {}
            }
            let prevents_78 = def
                .setting("Service.RestartPreventExitStatus")
                .is_some_and(|(v, _)| v.split_whitespace().any(|c| c == "78"));
            let restarts = def
                .setting("Service.Restart")
                .is_some_and(|(v, _)| v != "no");
            if restarts && !prevents_78 {
                out.push(
                    Finding::new(
                        codes::SERVICE_RESTART_STORM,
                        Severity::Warning,
                        "the unit restarts the gateway even on exit 78 (another gateway owns the state dir): while a zombie holds it, systemd restarts the gateway every few seconds forever",
                    )
                    .evidence(format!("{}: no RestartPreventExitStatus=78", def.path.display()))
                    .next(REINSTALL),
                );
            }
            if let Some((v, o)) = def.setting("Service.RestartSec")
                && systemd_secs(v).is_some_and(|s| s < 1.0)
                && restarts
            {
                out.push(
                    Finding::new(codes::SERVICE_RESTART_STORM, Severity::Warning, format!("RestartSec={v} restarts a failing gateway without pause (OpenClaw uses 5s)"))
                        .evidence(o.to_string())
                        .next(REINSTALL),
                );
            }
            match def.setting("Service.KillMode") {
                Some(("mixed", _)) => {}
                other => out.push(
                    Finding::new(
                        codes::SERVICE_KILL_MODE,
                        Severity::Warning,
                        format!(
                            "KillMode={} does not let the gateway drain before its children are stopped (OpenClaw requires mixed)",
                            other.map_or("control-group (default)", |(v, _)| v)
                        ),
                    )
                    .evidence(other.map_or(def.path.display().to_string(), |(_, o)| o.to_string()))
                    .next(REINSTALL),
                ),
            }
            let stop = def
                .setting("Service.TimeoutStopSec")
                .and_then(|(v, _)| systemd_secs(v))
                .unwrap_or(90.0);
            if stop > 0.0 && stop < 330.0 {
                out.push(
                    Finding::new(codes::SERVICE_STOP_TIMEOUT, Severity::Info, format!("TimeoutStopSec is {stop}s; the gateway's drain needs 330s or it is killed mid-shutdown"))
                        .evidence(def.path.display().to_string())
                        .next(REINSTALL),
                );
            }
        }
        ServiceKind::Launchd => {
            let keep_alive = def.setting("KeepAlive").map(|(v, _)| v);
            if keep_alive != Some("true") {
                out.push(
                    Finding::new(
                        codes::SERVICE_NO_RESTART,
                        Severity::Warning,
                        "the launch agent does not keep the gateway alive (KeepAlive is not true)",
                    )
                    .evidence(def.path.display().to_string())
                    .next(REINSTALL),
                );
            }
            if let Some((v, o)) = def.setting("ThrottleInterval")
                && v.parse::<i64>().is_ok_and(|t| t < 10)
            {
                out.push(
                    Finding::new(codes::SERVICE_RESTART_STORM, Severity::Warning, format!("ThrottleInterval={v}: launchd restarts a failing gateway every {v}s (OpenClaw uses 10)"))
                        .evidence(o.to_string())
                        .next(REINSTALL),
                );
            }
        }
        ServiceKind::ScheduledTask => {}
    }
}

/// systemd time spans: `5`, `5s`, `300ms`, `5min`, `1h`, `infinity` (→ None).
fn systemd_secs(v: &str) -> Option<f64> {
    let v = v.trim();
    if v == "infinity" {
        return None;
    }
    let split = v
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(v.len());
    let (num, unit) = v.split_at(split);
    let n: f64 = num.parse().ok()?;
    Some(match unit.trim() {
        "" | "s" | "sec" => n,
        "ms" | "msec" => n / 1000.0,
        "m" | "min" => n * 60.0,
        "h" | "hr" => n * 3600.0,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_spans() {
        assert_eq!(systemd_secs("5"), Some(5.0));
        assert_eq!(systemd_secs("330"), Some(330.0));
        assert_eq!(systemd_secs("100ms"), Some(0.1));
        assert_eq!(systemd_secs("5min"), Some(300.0));
        assert_eq!(systemd_secs("infinity"), None);
    }
}
