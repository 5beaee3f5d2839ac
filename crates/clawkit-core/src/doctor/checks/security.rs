//! Exposure and hygiene: auth off, a weak secret, config and state dir readable by others.
//! This check reads the files' modes itself (the facts do not carry them).

use super::{Facts, gateway_secret, word};
use crate::doctor::{Check, Group};
use crate::finding::{Finding, Severity, codes};
use crate::openclaw::auth::AuthMode;
use crate::openclaw::config::{LoadedConfig, schema};
use std::os::unix::fs::PermissionsExt;

/// The files OpenClaw keeps private, the mode it gives them, and the finding when they are not.
pub(in crate::doctor) fn private_paths(f: &Facts) -> [(std::path::PathBuf, u32, &'static str); 2] {
    [
        (
            f.paths.config_path.value.clone(),
            0o600,
            codes::CONFIG_PERMISSIONS,
        ),
        (
            f.paths.state_dir.value.clone(),
            0o700,
            codes::STATE_DIR_PERMISSIONS,
        ),
    ]
}

pub(super) fn check(f: &Facts, config: &LoadedConfig) -> Check {
    let mut v = Vec::new();
    let mode = f.gateway_side.as_ref().map(|g| g.creds.mode.clone());
    let bind = config.str("gateway.bind").unwrap_or("loopback");
    if mode == Some(AuthMode::None) {
        let exposed = bind != "loopback";
        v.push(
            Finding::new(
                if exposed {
                    codes::EXPOSED_WITHOUT_AUTH
                } else {
                    codes::AUTH_NONE
                },
                if exposed {
                    Severity::Error
                } else {
                    Severity::Warning
                },
                format!(
                    "gateway.auth.mode is none with gateway.bind {bind}: {}",
                    if exposed {
                        "anyone who can reach the port controls the assistant"
                    } else {
                        "any local process can control the assistant"
                    }
                ),
            )
            .next("clawkit config set gateway.auth.mode token"),
        );
    }
    if let Some(s) = gateway_secret(f) {
        let weak = s.len() < 24 || schema::KNOWN_WEAK_SECRETS.contains(&s.expose());
        if weak {
            v.push(
                Finding::new(
                    codes::WEAK_SECRET,
                    Severity::Warning,
                    format!("the gateway's {} is {} characters{}: guessable", word(s), s.len(), if schema::KNOWN_WEAK_SECRETS.contains(&s.expose()) { ", an example placeholder" } else { "" }),
                )
                .evidence(s.to_string())
                .next("clawkit config set gateway.auth.token \"$(openssl rand -hex 32)\"   # then update each client"),
            );
        }
    }
    for (path, want, code) in private_paths(f) {
        if let Ok(meta) = std::fs::metadata(&path) {
            let mode = meta.permissions().mode() & 0o777;
            if mode & 0o077 != 0 {
                v.push(
                    Finding::new(
                        code,
                        Severity::Warning,
                        format!(
                            "{} is mode {mode:o}: other users can read the gateway's secrets",
                            path.display()
                        ),
                    )
                    .next(format!("chmod {want:o} {}", path.display())),
                );
            }
        }
    }
    if v.is_empty() {
        v.push(Finding::new(
            codes::SECURITY_OK,
            Severity::Ok,
            format!("auth required, bind {bind}, config and state dir private"),
        ));
    }
    Check::new("security", Group::Security, "Exposure and hygiene", v)
}
