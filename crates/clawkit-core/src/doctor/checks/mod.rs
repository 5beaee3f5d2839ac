//! The checks: each turns one part of the facts into findings with evidence, one file per
//! group of the flowchart. They judge, they do not plan; `plan` decides what to do about them.
//! They read the facts only, except where a file says otherwise (`service` runs the service
//! audit, `security` reads file modes).

mod config;
mod devices;
mod handshake;
mod install;
mod log;
mod port;
mod secret;
mod security;
mod service;

pub(super) use config::retired_keys;
pub(super) use secret::{client_copies, gateway_secret};
pub(super) use security::private_paths;

use super::Check;
use super::facts::Facts;
use crate::gateway::Verdict;
use crate::openclaw::auth::Secret;

pub fn run(f: &Facts) -> Vec<Check> {
    let mut out = vec![install::check(f)];
    let config = match &f.config {
        Ok(c) => c,
        Err(e) => {
            out.push(config::invalid(e));
            return out;
        }
    };
    out.push(config::check(config));
    out.push(port::check(f));
    out.push(service::check(f, config));
    out.push(secret::check(f));
    out.push(handshake::check(f));
    out.push(devices::check(f));
    out.push(log::check(f));
    out.push(security::check(f, config));
    out
}

fn word(s: &Secret) -> &'static str {
    match s.kind {
        crate::openclaw::auth::SecretKind::Password => "password",
        _ => "token",
    }
}

pub(super) fn is_secret_verdict(v: &Verdict) -> bool {
    matches!(
        v,
        Verdict::GatewayTokenMismatch { .. }
            | Verdict::GatewayTokenMissing { .. }
            | Verdict::PasswordMismatch { .. }
            | Verdict::PasswordMissing { .. }
    )
}

/// Whether the CLI authenticates with its device token (it has no shared secret).
pub(super) fn cli_uses_device_token(f: &Facts) -> bool {
    f.cli.is_none()
}

/// A device id shortened for a sentence.
pub(super) fn short(id: &str) -> String {
    if id.len() > 16 {
        format!("{}…", &id[..12])
    } else {
        id.to_string()
    }
}
