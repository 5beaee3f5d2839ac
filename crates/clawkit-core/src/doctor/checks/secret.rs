//! The shared secret: the one the gateway checks, compared with every client-side copy (the
//! CLI's config keys and shell, a Docker setup), each judged by whether it is in effect. The
//! plan reads the same copies ([`client_copies`]) and the same judgement
//! ([`ClientCopy::mismatch_code`]), so the two cannot disagree on which copy is wrong.

use super::{Facts, elsewhere, is_secret_verdict, word};
use crate::doctor::sources::{GatewaySide, Place, Reader};
use crate::doctor::{Check, Group};
use crate::finding::{Finding, Severity, codes};
use crate::openclaw::auth::{AuthMode, ClientMode, Secret, SecretOrigin};
use crate::openclaw::topology::Topology;

const TITLE: &str = "The gateway's shared secret against every client source";

/// The secret the gateway checks under its auth mode, if known. In remote mode the local
/// config says nothing about the remote gateway's secret unless its process was read.
pub(in crate::doctor) fn gateway_secret(f: &Facts) -> Option<&Secret> {
    let g = f.gateway_side.as_ref()?;
    let known = g.observed || f.client_mode == ClientMode::Local;
    g.creds.effective(&g.creds.mode).filter(|_| known)
}

/// A client-side copy of a shared secret: where it lives, who reads it, whether the CLI sends
/// it now.
pub(in crate::doctor) struct ClientCopy<'a> {
    pub secret: &'a Secret,
    pub place: Place,
    pub reader: Reader,
    pub in_effect: bool,
}

impl ClientCopy<'_> {
    /// The code of a copy whose value is not the gateway's: in use (what the CLI sends, or a
    /// Docker setup's), else stale until the sources above it go.
    pub(in crate::doctor) fn mismatch_code(&self) -> &'static str {
        if self.in_effect || self.reader == Reader::Docker {
            codes::SECRET_MISMATCH
        } else {
            codes::SECRET_STALE_COPY
        }
    }
}

/// Every client-side copy of a shared secret, the CLI's in its precedence order.
pub(in crate::doctor) fn client_copies(f: &Facts) -> Vec<ClientCopy<'_>> {
    let sent = f.cli.as_ref().and_then(|c| c.sent.as_ref());
    let mut out = Vec::new();
    if let Some(c) = &f.client {
        for s in c.tokens.iter().chain(&c.passwords) {
            let place = match &s.origin {
                SecretOrigin::Config { key, .. } => Place::ConfigKey(key.clone()),
                SecretOrigin::Env { .. } => Place::Shell,
                _ => Place::Flag,
            };
            out.push(ClientCopy {
                secret: s,
                place,
                reader: Reader::Cli,
                in_effect: sent == Some(s),
            });
        }
    }
    for d in &f.docker {
        out.push(ClientCopy {
            secret: &d.secret,
            place: d.place.clone(),
            reader: d.reader,
            in_effect: false,
        });
    }
    out
}

pub(super) fn check(f: &Facts) -> Check {
    let mut v = Vec::new();
    if let Some(e) = &f.docker_error {
        v.push(Finding::new(
            codes::DOCKER_DIR_UNREADABLE,
            Severity::Error,
            e.clone(),
        ));
    }
    if let Some(t) = elsewhere(f) {
        v.extend(remote(f, t));
    } else if let Some(side) = &f.gateway_side {
        v.extend(against_gateway(f, side));
    }
    Check::new("shared-secret", Group::SharedSecret, TITLE, v)
}

/// A gateway on another host keeps its secret there: what the CLI sends is judged by the
/// gateway's own verdict, with where that secret is written down here.
fn remote(f: &Facts, t: &Topology) -> Option<Finding> {
    let url = t.url.as_deref().unwrap_or("?");
    let Some((cli, sent)) = f.cli.as_ref().and_then(|c| Some((c, c.sent.as_ref()?))) else {
        return Some(Finding::new(
            codes::GATEWAY_SECRET_UNKNOWN,
            Severity::Info,
            "the CLI sends no shared secret to the gateway elsewhere: it authenticates with this device's cached token (below)",
        ));
    };
    if is_secret_verdict(&cli.verdict) {
        return Some(
            Finding::new(
                codes::REMOTE_SECRET_REFUSED,
                Severity::Error,
                format!(
                    "the gateway at {url} refuses the {} the CLI sends: {sent}",
                    word(sent)
                ),
            )
            .evidence(format!(
                "live: the gateway answered `{}`",
                cli.verdict.name()
            ))
            .evidence(
                "the gateway's own secret is on its host (gateway.auth.token there), which clawkit cannot read from here",
            )
            .next(format!(
                "print the gateway's {w} on its host (there: clawkit config get gateway.auth.{w} --show-secret), then here: clawkit doctor --fix --{w} -   # and paste it",
                w = word(sent)
            )),
        );
    }
    Some(if cli.verdict.is_ok() {
        Finding::new(
            codes::REMOTE_SECRET_ACCEPTED,
            Severity::Ok,
            format!(
                "the gateway at {url} accepts the {} the CLI sends: {sent}",
                word(sent)
            ),
        )
    } else {
        Finding::new(
            codes::GATEWAY_SECRET_UNKNOWN,
            Severity::Info,
            format!(
                "the CLI sends the {} {sent}; the gateway elsewhere keeps its own on its host and gave no verdict on it (see the handshakes)",
                word(sent)
            ),
        )
    })
}

/// What the gateway checks, then each client copy of the same kind against it.
fn against_gateway(f: &Facts, side: &GatewaySide) -> Vec<Finding> {
    let mode = &side.creds.mode;
    if matches!(mode, AuthMode::None | AuthMode::TrustedProxy) {
        return vec![Finding::new(
            codes::SECRET_NOT_USED,
            Severity::Info,
            format!("the gateway runs with auth mode {mode:?}: no shared secret to compare"),
        )];
    }
    let Some(wanted) = gateway_secret(f) else {
        return vec![unknown(f, side)];
    };
    let mut v = Vec::new();
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
            "the gateway checks {} {wanted}; read from {}",
            word(wanted),
            side.from
        ),
    ));
    for copy in client_copies(f) {
        if copy.secret.kind == wanted.kind {
            v.push(compare(f, side, wanted, &copy));
        }
    }
    if f.client_mode == ClientMode::ExplicitUrl {
        v.push(Finding::new(
            codes::SECRET_EXPLICIT_URL,
            Severity::Info,
            "OPENCLAW_GATEWAY_URL is set: the CLI sends only OPENCLAW_GATEWAY_TOKEN/PASSWORD, never the config's secrets",
        ));
    }
    v
}

fn unknown(f: &Facts, side: &GatewaySide) -> Finding {
    let refused = f
        .cli
        .as_ref()
        .is_some_and(|c| is_secret_verdict(&c.verdict));
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
    .next("clawkit gateway token status")
}

/// One client copy against the secret the gateway checks, with both sides as evidence.
fn compare(f: &Facts, side: &GatewaySide, wanted: &Secret, copy: &ClientCopy) -> Finding {
    let (code, severity, summary) = if copy.secret.same_value(wanted) {
        agreeing(f, wanted, copy)
    } else {
        differing(f, wanted, copy)
    };
    let mut finding = Finding::new(code, severity, summary);
    if code == codes::GATEWAY_SECRET_HIDDEN {
        finding = finding.next("restart the gateway so it reads the config: stop it (clawkit gateway stop) and start it again without --token/--password, or fix that flag in its service definition");
    }
    if code == codes::SECRET_AGREES {
        return finding;
    }
    finding = finding
        .evidence(format!(
            "gateway side: {} {wanted}; read from {}",
            word(wanted),
            side.from
        ))
        .evidence(format!("{} side: {}", copy.reader, copy.secret));
    if let Some(c) = f.cli.as_ref().filter(|_| copy.in_effect) {
        finding = finding.evidence(format!(
            "live: the gateway answered the CLI's handshake with `{}`",
            c.verdict.name()
        ));
    }
    finding
}

/// A copy with the gateway's value: fine, unless the gateway refuses it (then it runs with
/// another secret). Only this install's own gateway's refusal says that: a zombie on the port
/// refuses with its own.
fn agreeing(f: &Facts, wanted: &Secret, copy: &ClientCopy) -> (&'static str, Severity, String) {
    let refused = copy.in_effect
        && f.gateway.is_some()
        && f.cli
            .as_ref()
            .is_some_and(|c| is_secret_verdict(&c.verdict));
    let s = copy.secret;
    if refused {
        (
            codes::GATEWAY_SECRET_HIDDEN,
            Severity::Error,
            format!(
                "the gateway refuses the {} it would read from {}: it runs with another one — a --token/--password flag (its command line is hidden by its process title) or a change it has not reloaded",
                word(s),
                wanted.origin
            ),
        )
    } else if copy.in_effect {
        (
            codes::SECRET_AGREES,
            Severity::Ok,
            format!(
                "the CLI sends the gateway's {} (from {})",
                word(s),
                s.origin
            ),
        )
    } else {
        (
            codes::SECRET_AGREES,
            Severity::Ok,
            format!("{} holds the gateway's {} too", s.origin, word(s)),
        )
    }
}

/// A copy with another value: what the CLI sends, what a Docker setup sets, or a stale copy.
fn differing(f: &Facts, wanted: &Secret, copy: &ClientCopy) -> (&'static str, Severity, String) {
    let s = copy.secret;
    let code = copy.mismatch_code();
    if copy.in_effect {
        let accepted = f.cli.as_ref().is_some_and(|c| c.verdict.is_ok());
        let severity = if accepted {
            Severity::Info
        } else {
            Severity::Error
        };
        let summary = format!(
            "the CLI sends {} {} from {}{}, but the gateway checks {} from {}",
            word(s),
            s.fingerprint(),
            s.origin,
            fallback_note(f, &copy.place),
            wanted.fingerprint(),
            wanted.origin
        );
        (code, severity, summary)
    } else if copy.reader == Reader::Docker {
        let summary = format!(
            "{} sets {} {} for the containers of that directory, but the gateway checks {}: they are refused (or, if they run the gateway, every other client is)",
            s.origin,
            word(s),
            s.fingerprint(),
            wanted.fingerprint()
        );
        (code, Severity::Error, summary)
    } else {
        let summary = format!(
            "{} holds another {} ({}); the CLI does not use it now, but it takes over as soon as {}",
            s.origin,
            word(s),
            s.fingerprint(),
            match copy.place {
                Place::Shell => "the config stops naming a token",
                _ => "the sources above it are removed",
            }
        );
        (code, Severity::Warning, summary)
    }
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
