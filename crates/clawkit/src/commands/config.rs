//! `clawkit config get|set|unset|path`.

use super::{print_json, say};
use crate::cli::ConfigCommand;
use crate::exit::ExitStatus;
use crate::settings::Settings;
use clawkit_core::error::Result;
use clawkit_core::fsx::backup_root;
use clawkit_core::openclaw::config::{
    EditPlan, LoadedConfig, NewValue, Node, plan_set, plan_unset,
};
use clawkit_core::openclaw::install::{DerivedPorts, current_uid};
use clawkit_core::secret::{fingerprint, is_secret_key};
use clawkit_core::time::local_date;
use serde_json::{Value, json};
use std::io::Write;

pub fn run(settings: &Settings, cmd: &ConfigCommand, out: &mut dyn Write) -> Result<ExitStatus> {
    match cmd {
        ConfigCommand::Get {
            key,
            show_secret,
            show_origin,
            json,
        } => get(settings, key, *show_secret, *show_origin, *json, out),
        ConfigCommand::Set {
            key,
            value,
            dry_run,
        } => {
            let config = settings.load_config()?;
            let plan = plan_set(&config, key, &NewValue::from_cli(value))?;
            write_plan(settings, &plan, *dry_run, out)
        }
        ConfigCommand::Unset { key, dry_run } => {
            let config = settings.load_config()?;
            match plan_unset(&config, key)? {
                Some(plan) => write_plan(settings, &plan, *dry_run, out),
                None => {
                    say!(
                        out,
                        "{key} is not set in {} (nothing to do)",
                        config.path.display()
                    );
                    Ok(ExitStatus::Success)
                }
            }
        }
        ConfigCommand::Path { json } => path(settings, *json, out),
    }
}

/// `value` with every secret-named key below `key` replaced by its fingerprint.
fn masked(key: &str, value: &Value) -> Value {
    match value {
        Value::String(s) if is_secret_key(key) => Value::String(fingerprint(s)),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), masked(&format!("{key}.{k}"), v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(|v| masked(key, v)).collect()),
        other => other.clone(),
    }
}

fn get(
    settings: &Settings,
    key: &str,
    show_secret: bool,
    show_origin: bool,
    as_json: bool,
    out: &mut dyn Write,
) -> Result<ExitStatus> {
    let config = settings.load_config()?;
    let parts: Vec<&str> = key.split('.').collect();
    let Some(node) = config.root.at(&parts) else {
        let mut err = std::io::stderr().lock();
        let _ = writeln!(
            err,
            "{key} is not set in {}{}",
            config.path.display(),
            if config.files.len() > 1 {
                " or the files it includes"
            } else {
                ""
            }
        );
        return Ok(ExitStatus::Problems);
    };
    let raw = node.to_value();
    let value = if show_secret {
        raw.clone()
    } else {
        masked(key, &raw)
    };
    let is_masked = value != raw;
    if as_json {
        let doc = json!({
            "key": key,
            "value": value,
            "masked": is_masked,
            "file": node.origin.file.as_ref(),
            "line": node.origin.line,
            "envVar": node.origin.env_var,
        });
        print_json(out, &doc);
        return Ok(ExitStatus::Success);
    }
    let text = match &value {
        Value::String(s) => s.clone(),
        other => serde_json::to_string_pretty(other).unwrap_or_default(),
    };
    let mut line = text;
    if is_masked {
        line.push_str("  (masked; --show-secret prints it)");
    }
    if show_origin {
        line.push_str(&format!("  ({})", node.origin));
    }
    say!(out, "{line}");
    Ok(ExitStatus::Success)
}

fn describe_value(key: &str, node: Option<&Node>) -> String {
    match node {
        None => "(unset)".into(),
        Some(n) => {
            let v = masked(key, &n.to_value());
            serde_json::to_string(&v).unwrap_or_default()
        }
    }
}

fn write_plan(
    settings: &Settings,
    plan: &EditPlan,
    dry_run: bool,
    out: &mut dyn Write,
) -> Result<ExitStatus> {
    let key = &plan.key;
    let before = clawkit_core::openclaw::config::parse_text(&plan.snapshot.text, &plan.file)?;
    let after = clawkit_core::openclaw::config::parse_text(&plan.new_text, &plan.file)?;
    let in_file: Vec<&str> = plan.path_in_file.iter().map(String::as_str).collect();
    let old = describe_value(key, before.at(&in_file));
    let new = describe_value(key, after.at(&in_file));
    if !plan.changes_anything() {
        say!(
            out,
            "{key} is already {new} in {} (nothing to do)",
            plan.file.display()
        );
        return Ok(ExitStatus::Success);
    }
    if dry_run {
        say!(
            out,
            "would change {key}: {old} -> {new} in {}",
            plan.file.display()
        );
        say!(out, "(dry run: nothing was written)");
        return Ok(ExitStatus::Success);
    }
    let backup = plan.apply(&backup_root(&settings.paths.state_dir.value))?;
    say!(out, "{key}: {old} -> {new} in {}", plan.file.display());
    say!(out, "backup: {}", backup.display());
    if matches!(key.as_str(), "gateway.auth.token" | "gateway.auth.password") {
        say!(
            out,
            "a running gateway picks up a new secret in the same auth mode without a restart"
        );
    } else if key.starts_with("gateway.") && !key.starts_with("gateway.remote.") {
        say!(
            out,
            "a running gateway applies this after `openclaw gateway restart`"
        );
    }
    Ok(ExitStatus::Success)
}

fn path(settings: &Settings, as_json: bool, out: &mut dyn Write) -> Result<ExitStatus> {
    let config: LoadedConfig = settings.load_config()?;
    let p = &settings.paths;
    let port = p.port(&config, &settings.env);
    let ports = DerivedPorts::from_base(port.value);
    let log = p.log_file(&config, &local_date());
    let uid = current_uid();
    let cli = p.cli.clone();
    if as_json {
        let doc = json!({
            "home": {"path": p.home.value, "source": p.home.source},
            "profile": p.profile,
            "stateDir": {"path": p.state_dir.value, "source": p.state_dir.source},
            "config": {"path": p.config_path.value, "source": p.config_path.source, "exists": config.exists, "files": config.files},
            "port": {"port": port.value, "source": port.source},
            "derivedPorts": {"sandbox": ports.sandbox, "browserControl": ports.browser_control, "extensionRelay": ports.extension_relay, "cdpRange": [ports.cdp_range.0, ports.cdp_range.1]},
            "logFile": {"path": log.value, "source": log.source},
            "lockDir": p.lock_dir(uid),
            "configLock": p.config_lock_file(uid),
            "cli": cli.as_ref().map(|c| json!({"command": c.command, "package": c.package_dir, "version": c.version})),
        });
        print_json(out, &doc);
        return Ok(ExitStatus::Success);
    }
    let row = |out: &mut dyn Write, what: &str, value: String, source: &str| {
        say!(out, "{what:<12} {value}  ({source})");
    };
    row(
        out,
        "home",
        p.home.value.display().to_string(),
        &p.home.source,
    );
    if let Some(profile) = &p.profile {
        row(
            out,
            "profile",
            profile.clone(),
            "OPENCLAW_PROFILE / --profile",
        );
    }
    row(
        out,
        "state dir",
        p.state_dir.value.display().to_string(),
        &p.state_dir.source,
    );
    let exists = if config.exists {
        ""
    } else {
        ", does not exist yet"
    };
    row(
        out,
        "config",
        p.config_path.value.display().to_string(),
        &format!("{}{exists}", p.config_path.source),
    );
    for included in config.files.iter().skip(1) {
        say!(out, "{:<12} {}", "  includes", included.display());
    }
    row(out, "port", ports.to_string(), &port.source);
    row(
        out,
        "log file",
        log.value.display().to_string(),
        &log.source,
    );
    row(
        out,
        "lock dir",
        p.lock_dir(uid).display().to_string(),
        "<state dir>/tmp/openclaw-<uid>",
    );
    match cli {
        Some(c) => row(
            out,
            "openclaw",
            format!("{} ({})", c.version, c.command.display()),
            "PATH",
        ),
        None => say!(out, "{:<12} not found on PATH", "openclaw"),
    }
    Ok(ExitStatus::Success)
}
