//! The shared secret: the one the gateway checks, compared with every client-side copy (the
//! CLI's config keys and shell, a Docker setup), each judged by whether it is in effect.

use super::{Facts, is_secret_verdict, word};
use crate::doctor::sources::Place;
use crate::doctor::{Check, Group};
use crate::finding::{Finding, Severity, codes};
use crate::openclaw::auth::{AuthMode, ClientMode, Secret, SecretOrigin};

/// The secret the gateway checks under its auth mode, if known. In remote mode the local
/// config says nothing about the remote gateway's secret unless its process was read.
pub(in crate::doctor) fn gateway_secret(f: &Facts) -> Option<&Secret> {
    let g = f.gateway_side.as_ref()?;
    let known = g.observed || f.client_mode == ClientMode::Local;
    g.creds.effective(&g.creds.mode).filter(|_| known)
}

/// Every client-side copy of a shared secret, with where it lives.
pub(in crate::doctor) fn client_copies(f: &Facts) -> Vec<(&Secret, Place, &'static str)> {
    let mut out = Vec::new();
    if let Some(c) = &f.client {
        for s in c.tokens.iter().chain(&c.passwords) {
            let place = match &s.origin {
                SecretOrigin::Config { key, .. } => Place::ConfigKey(key.clone()),
                SecretOrigin::Env { .. } => Place::Shell,
                _ => Place::Flag,
            };
            out.push((s, place, "CLI"));
        }
    }
    for d in &f.docker {
        out.push((&d.secret, d.place.clone(), d.reader));
    }
    out
}

pub(super) fn check(f: &Facts) -> Check {
    let mut v = Vec::new();
    let title = "The gateway's shared secret against every client source";
    if let Some(e) = &f.docker_error {
        v.push(Finding::new(
            codes::DOCKER_DIR_UNREADABLE,
            Severity::Error,
            e.clone(),
        ));
    }
    let Some(side) = &f.gateway_side else {
        return Check::new("shared-secret", Group::SharedSecret, title, v);
    };
    let mode = &side.creds.mode;
    match mode {
        AuthMode::None | AuthMode::TrustedProxy => {
            v.push(Finding::new(
                codes::SECRET_NOT_USED,
                Severity::Info,
                format!("the gateway runs with auth mode {mode:?}: no shared secret to compare"),
            ));
            return Check::new("shared-secret", Group::SharedSecret, title, v);
        }
        _ => {}
    }
    let Some(truth) = gateway_secret(f) else {
        let refused = f
            .cli
            .as_ref()
            .is_some_and(|c| is_secret_verdict(&c.verdict));
        v.push(
            Finding::new(
                codes::GATEWAY_SECRET_UNKNOWN,
                if refused {
                    Severity::Warning
                } else {
                    Severity::Info
                },
                format!(
                    "clawkit cannot see which secret the gateway checks (read from {})",
                    side.from
                ),
            )
            .next("clawkit gateway token status"),
        );
        return Check::new("shared-secret", Group::SharedSecret, title, v);
    };
    if let Some(theirs) = &side.config_path {
        v.push(Finding::new(
            codes::CONFIG_DIFFERS,
            Severity::Info,
            format!(
                "the gateway reads {}, the CLI reads {}: their secrets are compared below",
                theirs.display(),
                f.paths.config_path.value.display()
            ),
        ));
    }
    v.push(Finding::new(
        codes::GATEWAY_SECRET,
        Severity::Ok,
        format!(
            "the gateway checks {} {}; read from {}",
            word(truth),
            truth,
            side.from
        ),
    ));
    let sent = f.cli.as_ref().and_then(|c| c.sent.as_ref());
    let accepted = f.cli.as_ref().is_some_and(|c| c.verdict.is_ok());
    for (copy, place, reader) in client_copies(f) {
        if copy.kind != truth.kind {
            continue;
        }
        let in_effect = reader == "CLI" && sent.is_some_and(|s| s == copy);
        let same = copy.same_value(truth);
        // Only this install's own gateway's refusal says something about its secret (a zombie
        // on the port refuses with its own).
        let refused = in_effect
            && f.gateway.is_some()
            && f.cli
                .as_ref()
                .is_some_and(|c| is_secret_verdict(&c.verdict));
        let (code, severity, summary) = match (same, in_effect, reader) {
            (true, true, _) if refused => (
                codes::GATEWAY_SECRET_HIDDEN,
                Severity::Error,
                format!(
                    "the gateway refuses the {} it would read from {}: it runs with another one — a --token/--password flag (its command line is hidden by its process title) or a change it has not reloaded",
                    word(copy),
                    truth.origin
                ),
            ),
            (true, true, _) => (
                codes::SECRET_AGREES,
                Severity::Ok,
                format!(
                    "the CLI sends the gateway's {} (from {})",
                    word(copy),
                    copy.origin
                ),
            ),
            (true, false, _) => (
                codes::SECRET_AGREES,
                Severity::Ok,
                format!("{} holds the gateway's {} too", copy.origin, word(copy)),
            ),
            (false, true, _) => (
                codes::SECRET_MISMATCH,
                if accepted {
                    Severity::Info
                } else {
                    Severity::Error
                },
                format!(
                    "the CLI sends {} {} from {}{}, but the gateway checks {} from {}",
                    word(copy),
                    copy.fingerprint(),
                    copy.origin,
                    fallback_note(f, &place),
                    truth.fingerprint(),
                    truth.origin
                ),
            ),
            (false, false, "docker") => (
                codes::SECRET_MISMATCH,
                Severity::Error,
                format!(
                    "{} sets {} {} for the containers of that directory, but the gateway checks {}: they are refused (or, if they run the gateway, every other client is)",
                    copy.origin,
                    word(copy),
                    copy.fingerprint(),
                    truth.fingerprint()
                ),
            ),
            (false, false, _) => (
                codes::SECRET_STALE_COPY,
                Severity::Warning,
                format!(
                    "{} holds another {} ({}); the CLI does not use it now, but it takes over as soon as {}",
                    copy.origin,
                    word(copy),
                    copy.fingerprint(),
                    match place {
                        Place::Shell => "the config stops naming a token",
                        _ => "the sources above it are removed",
                    }
                ),
            ),
        };
        let mut finding = Finding::new(code, severity, summary);
        if code == codes::GATEWAY_SECRET_HIDDEN {
            finding = finding.next("restart the gateway so it reads the config: stop it (clawkit gateway stop) and start it again without --token/--password, or fix that flag in its service definition");
        }
        if code != codes::SECRET_AGREES {
            finding = finding.evidence(format!(
                "gateway side: {} {}; read from {}",
                word(truth),
                truth,
                side.from
            ));
            finding = finding.evidence(format!("{reader} side: {copy}"));
            if let Some(c) = &f.cli
                && in_effect
            {
                finding = finding.evidence(format!(
                    "live: the gateway answered the CLI's handshake with `{}`",
                    c.verdict.name()
                ));
            }
        }
        v.push(finding);
    }
    if f.client_mode == ClientMode::ExplicitUrl {
        v.push(Finding::new(
            codes::SECRET_EXPLICIT_URL,
            Severity::Info,
            "OPENCLAW_GATEWAY_URL is set: the CLI sends only OPENCLAW_GATEWAY_TOKEN/PASSWORD, never the config's secrets",
        ));
    }
    Check::new("shared-secret", Group::SharedSecret, title, v)
}

/// Why a local-mode CLI ends up on `gateway.remote.*`: it is the last fallback.
fn fallback_note(f: &Facts, place: &Place) -> &'static str {
    match (place, &f.client_mode) {
        (Place::ConfigKey(k), ClientMode::Local) if k.starts_with("gateway.remote.") => {
            " (in local mode the CLI falls back to it: no gateway.auth secret in the config and none in the shell)"
        }
        _ => "",
    }
}
