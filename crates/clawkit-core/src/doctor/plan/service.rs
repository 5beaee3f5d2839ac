//! The service definition: remove the secrets baked into its environment (moving the gateway's
//! into the config first when the config has none), point it at the CLI's install after an
//! update it missed, set `KillMode=mixed`; then have its manager read it again and restart the
//! gateway so it runs what is now configured.

use super::{Action, Given, Phase, Plan};
use crate::doctor::checks::word;
use crate::doctor::subject::Subject;
use crate::finding::{Severity, codes};
use crate::openclaw::auth::{Secret, SecretKind, SecretOrigin};
use crate::openclaw::install::package_of;
use crate::service::{Manager, ServiceDef};
use std::path::{Path, PathBuf};

pub(super) fn definitions(given: &Given, plan: &mut Plan) {
    for (i, def) in given.f.services.iter().enumerate() {
        for kind in [SecretKind::Token, SecretKind::Password] {
            baked_secret(given, plan, i, def, kind);
        }
        if given.problem(&[codes::SERVICE_VERSION_DRIFT]).is_some() {
            repoint(given, plan, def);
        }
    }
}

/// The `kind` secret `def` carries in its environment, removed, when a check found it wrong.
fn baked_secret(given: &Given, plan: &mut Plan, i: usize, def: &ServiceDef, kind: SecretKind) {
    let Some(entry) = def
        .env(kind.env_var())
        .filter(|e| !e.value.trim().is_empty())
    else {
        return;
    };
    let about = Subject::ServiceSecret { def: i, kind };
    let Some((listed, _)) = given
        .judged()
        .find(|(x, s)| x.severity >= Severity::Warning && *s == Some(&about))
    else {
        return;
    };
    let baked = Secret::new(
        kind,
        SecretOrigin::Env {
            name: entry.key.clone(),
            scope: entry.origin.clone(),
        },
        entry.value.trim(),
    );
    if !given.config_sets(config_key(kind)) {
        move_to_config(given, plan, listed.code, &baked);
    }
    plan.change_service(
        listed.code,
        format!(
            "remove the {} copy {} from {} (the gateway reads the config)",
            kind.env_var(),
            baked.fingerprint(),
            entry.origin
        ),
        Action::FileSecret {
            file: origin_file(&entry.origin),
            old: baked,
            new: None,
        },
    );
}

/// Keeps the gateway's secret when the service carried the only copy: the config gets it first
/// (the gateway's own when clawkit knows it, else the service's).
fn move_to_config(given: &Given, plan: &mut Plan, fixes: &'static str, baked: &Secret) {
    let key = config_key(baked.kind);
    let value = given
        .secret
        .filter(|t| t.kind == baked.kind)
        .unwrap_or(baked)
        .clone();
    plan.add(
        Phase::AlignSecret,
        fixes,
        format!(
            "set {key} to the gateway's {} ({}), so the service need not carry it",
            word(&value),
            value.fingerprint()
        ),
        Action::ConfigSet {
            key: key.to_string(),
            secret: value,
        },
    );
}

/// The config key the gateway reads a `kind` secret from.
fn config_key(kind: SecretKind) -> &'static str {
    if kind == SecretKind::Password {
        "gateway.auth.password"
    } else {
        "gateway.auth.token"
    }
}

/// A definition left on an older install, pointed at the CLI's when the same entry exists there.
fn repoint(given: &Given, plan: &mut Plan, def: &ServiceDef) {
    let (Some(entry), Some(cli)) = (def.entry(), given.f.paths.cli.as_ref()) else {
        return;
    };
    let Some((old_dir, _)) = package_of(Path::new(entry)) else {
        return;
    };
    let (from, to) = (
        old_dir.display().to_string(),
        cli.package_dir.display().to_string(),
    );
    if !Path::new(&entry.replacen(&from, &to, 1)).exists() {
        return;
    }
    let file = origin_file(
        def.program_origin
            .as_deref()
            .unwrap_or(&def.path.display().to_string()),
    );
    plan.change_service(
        codes::SERVICE_VERSION_DRIFT,
        format!(
            "point {} at the CLI's install ({})",
            def.path.display(),
            cli.package_dir.display()
        ),
        Action::FileReplace { file, from, to },
    );
}

/// A unit's KillMode is one line: set it to what OpenClaw writes.
pub(super) fn kill_mode(given: &Given, plan: &mut Plan) {
    if !given.found(codes::SERVICE_KILL_MODE) {
        return;
    }
    for def in &given.f.services {
        if let Some((value, origin)) = def.setting("Service.KillMode")
            && value != "mixed"
        {
            plan.change_service(
                codes::SERVICE_KILL_MODE,
                format!(
                    "set KillMode=mixed in {origin} (the gateway drains before its children stop)"
                ),
                Action::FileReplace {
                    file: origin_file(origin),
                    from: format!("KillMode={value}"),
                    to: "KillMode=mixed".into(),
                },
            );
        }
    }
}

/// A changed definition is read again by its manager before the restart that uses it; a
/// gateway that runs an older version than the CLI restarts too.
pub(super) fn reload_and_restart(given: &Given, plan: &mut Plan) {
    let f = given.f;
    let changed = plan.service_changed();
    match f.manager {
        Some(Manager::Systemd) if changed => plan.add(
            Phase::Restart,
            codes::SERVICE_CHANGED,
            "reload the changed unit (systemctl --user daemon-reload)",
            Action::Reload,
        ),
        Some(_) if changed => plan.add(
            Phase::Manual,
            codes::SERVICE_CHANGED,
            "load the changed service definition",
            Action::Manual {
                command: "clawkit gateway install --force   # launchd and Task Scheduler read a definition when it is installed".into(),
            },
        ),
        _ => {}
    }
    let drifted = given.found(codes::GATEWAY_VERSION_DRIFT);
    if (changed || drifted) && f.gateway.is_some() && f.manager.is_some() {
        plan.add(
            Phase::Restart,
            codes::SERVICE_CHANGED,
            "restart the gateway so it runs what is now configured",
            Action::Restart,
        );
    }
}

/// The file named by an origin such as `/x/unit.service:12` or `/x/a.plist <key>K</key>`.
fn origin_file(origin: &str) -> PathBuf {
    let head = origin.split(" <key>").next().unwrap_or(origin);
    match head.rsplit_once(':') {
        Some((file, line)) if line.chars().all(|c| c.is_ascii_digit()) => PathBuf::from(file),
        _ => PathBuf::from(head),
    }
}

#[cfg(test)]
mod tests {
    use super::origin_file;
    use std::path::PathBuf;

    #[test]
    fn origin_files() {
        assert_eq!(
            origin_file("/u/x.service:12"),
            PathBuf::from("/u/x.service")
        );
        assert_eq!(
            origin_file("/u/a.plist <key>OPENCLAW_GATEWAY_TOKEN</key>"),
            PathBuf::from("/u/a.plist")
        );
        assert_eq!(
            origin_file("C:/x/gateway.cmd:3"),
            PathBuf::from("C:/x/gateway.cmd")
        );
    }
}
