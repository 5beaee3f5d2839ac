//! Exposure and hygiene: auth off, a weak secret, config and state dir readable by others.
//! This check asks the host who may read the files (mode bits, or the access list on Windows).

use super::{Facts, elsewhere, gateway_secret, word};
use crate::doctor::{Check, Group};
use crate::finding::{Finding, Severity, codes};
use crate::openclaw::auth::{AuthMode, Secret};
use crate::openclaw::config::{LoadedConfig, schema};

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

/// What the permission check could say about the config and state dir.
const PRIVACY: &str = if crate::host::privacy::CHECKED {
    "config and state dir private"
} else {
    "who else can read the config and state dir was not checked on this platform"
};

pub(super) fn check(f: &Facts, config: &LoadedConfig) -> Check {
    let bind = config.str("gateway.bind").unwrap_or("loopback");
    let mut v = Vec::new();
    if f.gateway_side.as_ref().map(|g| &g.creds.mode) == Some(&AuthMode::None) {
        v.push(no_auth(bind));
    }
    v.extend(gateway_secret(f).and_then(weak));
    v.extend(
        private_paths(f)
            .into_iter()
            .filter_map(|(path, want, code)| {
                let e = crate::host::privacy::exposure(&path, want)?;
                Some(
                    Finding::new(
                        code,
                        Severity::Warning,
                        format!(
                            "{} {}: other users can read the gateway's secrets",
                            path.display(),
                            e.how
                        ),
                    )
                    .next(e.fix),
                )
            }),
    );
    v.extend(cleartext(f));
    if v.is_empty() {
        v.push(Finding::new(
            codes::SECURITY_OK,
            Severity::Ok,
            format!("auth required, bind {bind}, {PRIVACY}"),
        ));
    }
    Check::new("security", Group::Security, "Exposure and hygiene", v)
}

/// A shared secret sent over `ws://` to another host: anyone on the path reads it.
fn cleartext(f: &Facts) -> Option<Finding> {
    let t = elsewhere(f)?;
    let e = t.endpoint()?;
    let sends = f.cli.as_ref().is_some_and(|c| c.sent.is_some());
    (sends && !e.secure && !e.is_loopback()).then(|| {
        Finding::new(
            codes::REMOTE_CLEARTEXT,
            Severity::Warning,
            format!(
                "the CLI sends its shared secret unencrypted to {} (ws://): anyone on the network path can read it",
                e.host
            ),
        )
        .next("use wss:// (gateway.tls on the gateway, gateway.remote.tlsFingerprint here), or an SSH tunnel: clawkit config set gateway.remote.transport ssh")
    })
}

/// Auth off: an error once the gateway listens beyond loopback.
fn no_auth(bind: &str) -> Finding {
    let exposed = bind != "loopback";
    let (code, severity, who) = if exposed {
        (
            codes::EXPOSED_WITHOUT_AUTH,
            Severity::Error,
            "anyone who can reach the port controls the assistant",
        )
    } else {
        (
            codes::AUTH_NONE,
            Severity::Warning,
            "any local process can control the assistant",
        )
    };
    Finding::new(
        code,
        severity,
        format!("gateway.auth.mode is none with gateway.bind {bind}: {who}"),
    )
    .next("clawkit config set gateway.auth.mode token")
}

/// A gateway secret that is short or a known example placeholder.
fn weak(s: &Secret) -> Option<Finding> {
    let placeholder = schema::KNOWN_WEAK_SECRETS.contains(&s.expose());
    (s.len() < 24 || placeholder).then(|| {
        Finding::new(
            codes::WEAK_SECRET,
            Severity::Warning,
            format!(
                "the gateway's {} is {} characters{}: guessable",
                word(s),
                s.len(),
                if placeholder { ", an example placeholder" } else { "" }
            ),
        )
        .evidence(s.to_string())
        .next("clawkit config set gateway.auth.token \"$(openssl rand -hex 32)\"   # then update each client")
    })
}
