//! `clawkit gateway token status|rotate|reset`: the commands OpenClaw's guides name but
//! OpenClaw does not have. Each runs one `clawkit_core::tokens` operation with the terminal's
//! observer and approver, and renders its outcome as text or `--json`.

use super::{given_secret, print_json, runtime, say, versioned};
use crate::cli::TokenCommand;
use crate::exit::ExitStatus;
use crate::settings::Settings;
use crate::term::{ProgressPrinter, TerminalApprover, interactive};
use clawkit_core::error::{Error, Result};
use clawkit_core::event::{Cancel, NullObserver, Observer};
use clawkit_core::openclaw::state::short_device_id;
use clawkit_core::time::format_time_ms;
use clawkit_core::tokens::{
    self, Adopted, OtherRotated, Refreshed, ResetDone, ResetOutcome, RotateRequest, Rotated,
    Rotation, SecretRow, TokenStatus,
};
use std::io::Write;
use std::time::Duration;

pub fn run(settings: &Settings, cmd: &TokenCommand, out: &mut dyn Write) -> Result<ExitStatus> {
    let target = settings.target();
    let rt = runtime()?;
    let cancel = Cancel::new();
    match cmd {
        TokenCommand::Status { json } => {
            let status = rt.block_on(tokens::status(&target, Duration::from_secs(3)))?;
            if *json {
                print_json(out, &versioned(&status));
            } else {
                render_status(&status, out);
            }
            Ok(success_unless(status.problems()))
        }
        TokenCommand::Rotate {
            device,
            all,
            role,
            secret,
            json,
        } => {
            let req = RotateRequest {
                device: device.clone(),
                all: *all,
                role: role.clone(),
                secret: given_secret(secret)?,
            };
            let _ = out.flush();
            let obs: &mut dyn Observer = if *json {
                &mut NullObserver
            } else {
                &mut ProgressPrinter
            };
            let rotation = rt.block_on(tokens::rotate(&target, &req, obs, &cancel))?;
            render_rotation(&rotation, *json, out);
            Ok(success_unless(!rotation.rotated.accepted()))
        }
        TokenCommand::Reset { yes, secret, json } => {
            let interactive = interactive();
            let mut approver = TerminalApprover {
                assume_yes: *yes,
                interactive,
            };
            let _ = out.flush();
            let secret = given_secret(secret)?;
            let outcome = rt.block_on(tokens::reset(
                &target,
                &secret,
                &mut NullObserver,
                &mut approver,
                &cancel,
            ))?;
            match outcome {
                ResetOutcome::Declined { paired, pending } if !interactive => {
                    Err(Error::Usage(format!(
                        "this removes {paired} paired device(s) and {pending} pending request(s); each must pair again. Run again with --yes to confirm"
                    )))
                }
                ResetOutcome::Declined { .. } => {
                    say!(out, "nothing changed");
                    Ok(ExitStatus::Success)
                }
                ResetOutcome::Reset(done) => {
                    render_reset(&done, *json, out);
                    Ok(success_unless(done.remaining > 0))
                }
            }
        }
    }
}

/// 0 when the command did what was asked, 1 when something the gateway decides is wrong.
fn success_unless(problems: bool) -> ExitStatus {
    if problems {
        ExitStatus::Problems
    } else {
        ExitStatus::Success
    }
}

fn when(ms: Option<i64>) -> String {
    ms.map_or_else(|| "-".into(), |m| format!("{} UTC", format_time_ms(m)))
}

fn render_status(s: &TokenStatus, out: &mut dyn Write) {
    say!(
        out,
        "Shared secret ({:?} mode), gateway {}",
        s.auth_mode,
        s.url
    );
    if s.gateway_here {
        render_side(out, "gateway", &s.gateway);
    } else {
        say!(
            out,
            "  gateway    on another host: its secret and pairings are there (run `clawkit gateway token status` on it); its live verdict is below"
        );
    }
    render_side(out, &s.client.side, &s.client.secrets);
    match s.agree_in_config {
        Some(true) => say!(
            out,
            "  config     the CLI sends the token this config gives the gateway"
        ),
        Some(false) => say!(
            out,
            "  config     MISMATCH: the CLI sends a different secret than this config gives the gateway"
        ),
        None => {}
    }
    render_live(s, out);
    say!(out, "Devices");
    render_devices(s, out);
    if s.client_auth == tokens::ClientAuth::None {
        say!(
            out,
            "PROBLEM: this client has no shared secret and no cached device token: the CLI cannot authenticate (OpenClaw 2026.7 drops a token the gateway refused)"
        );
    }
    if s.needs_rotate() {
        say!(
            out,
            "next: clawkit gateway token rotate   # fetch a fresh token for this client and verify it"
        );
    }
}

fn render_side(out: &mut dyn Write, label: &str, rows: &[SecretRow]) {
    if rows.is_empty() {
        say!(out, "  {label:<10} (none)");
    }
    for (i, r) in rows.iter().enumerate() {
        say!(
            out,
            "  {:<10} {}  {}{}",
            if i == 0 { label } else { "" },
            r.fingerprint,
            r.source,
            if r.in_effect {
                "   <- in effect"
            } else {
                "   (not used: a source above wins)"
            }
        );
    }
}

fn render_live(s: &TokenStatus, out: &mut dyn Write) {
    match &s.live {
        Some(l) if l.verdict.is_ok() => say!(
            out,
            "  live       accepted by the gateway (OpenClaw {}, {} ms)",
            l.server_version.as_deref().unwrap_or("?"),
            l.latency_ms.unwrap_or_default()
        ),
        Some(l) => say!(
            out,
            "  live       {}{}",
            l.verdict.name(),
            l.verdict
                .message()
                .map(|m| format!(": {m}"))
                .unwrap_or_default()
        ),
        None => say!(
            out,
            "  live       no shared secret here: the CLI connects with its cached device token (below)"
        ),
    }
}

fn render_devices(s: &TokenStatus, out: &mut dyn Write) {
    match &s.local_device {
        Some(id) => say!(out, "  this client  device {id}"),
        None => say!(out, "  this client  no device identity yet"),
    }
    if let Some(e) = &s.state_error {
        say!(out, "  state        unreadable: {e}");
    }
    for c in &s.cached_tokens {
        say!(
            out,
            "  cached       {} token {} for {} (cached {}){}{}",
            c.role,
            c.fingerprint,
            short_device_id(&c.device_id),
            when(c.cached_at),
            c.reason
                .map(|r| format!("  STALE: {r}"))
                .unwrap_or_default(),
            c.gateway_verdict
                .as_ref()
                .map(|v| format!("  [gateway: {}]", v.name()))
                .unwrap_or_default(),
        );
    }
    for d in &s.paired {
        say!(
            out,
            "  paired       {} {} roles {} (approved {})",
            short_device_id(&d.device_id),
            d.client,
            serde_json::to_string(&d.roles).unwrap_or_default(),
            d.approved_via.as_deref().unwrap_or("?")
        );
        for t in &d.tokens {
            say!(
                out,
                "               {} token: created {}, rotated {}, revoked {}, last used {}",
                t.role,
                when(t.created_at),
                when(t.rotated_at),
                when(t.revoked_at),
                when(t.last_used_at)
            );
        }
    }
    if !s.older_browsers.is_empty() {
        say!(
            out,
            "  browsers     {} older Control UI device(s): each private window or fresh profile pairs a new one. Remove the ones you no longer use:",
            s.older_browsers.len()
        );
        for id in &s.older_browsers {
            say!(out, "               openclaw devices remove {id}");
        }
    }
    for p in &s.pending {
        say!(
            out,
            "  pending      {} for {}{}  -> openclaw devices approve {}",
            p.request_id,
            short_device_id(&p.device_id),
            if p.repair {
                " (REPAIR: the device's key changed)"
            } else {
                ""
            },
            p.request_id
        );
    }
}

fn render_rotation(r: &Rotation, as_json: bool, out: &mut dyn Write) {
    if as_json {
        print_json(out, &versioned(r));
        return;
    }
    if let Some(a) = &r.adopted {
        render_adopted(a, out);
    }
    match &r.rotated {
        Rotated::Own(own) => render_refreshed(own, out),
        Rotated::All { others, own } => {
            say!(
                out,
                "{} other device(s) must reconnect with the gateway token to get their new one",
                others.len()
            );
            render_refreshed(own, out);
        }
        Rotated::Other(other) => render_other(other, out),
    }
}

/// The secret the user gave: accepted (or this would not run), and where it went.
fn render_adopted(a: &Adopted, out: &mut dyn Write) {
    match (&a.key, &a.journal) {
        (Some(key), Some(id)) => {
            say!(
                out,
                "the gateway accepts the secret you gave ({}): stored in {key}",
                a.fingerprint
            );
            if let Some(backup) = &a.backup {
                say!(out, "backup: {}", backup.display());
            }
            say!(out, "journal: {id}   (undo: clawkit undo {id})");
        }
        _ => say!(
            out,
            "the gateway accepts the secret you gave ({}){}",
            a.fingerprint,
            a.note
                .as_deref()
                .map(|n| format!(": {n}"))
                .unwrap_or_default()
        ),
    }
}

fn render_refreshed(r: &Refreshed, out: &mut dyn Write) {
    say!(
        out,
        "device {} ({}): {}: {} -> {}",
        r.device_id,
        r.role,
        r.how.words(),
        r.old.as_deref().unwrap_or("(none)"),
        r.new
    );
    say!(out, "backup: {}", r.cached.backup().display());
    if r.accepted() {
        say!(out, "verified: the gateway accepts the new token");
    } else {
        say!(
            out,
            "verified: the gateway still refuses it: {}",
            r.verified.name()
        );
    }
}

fn render_other(o: &OtherRotated, out: &mut dyn Write) {
    say!(
        out,
        "device {} ({}): token rotated on the gateway at {}",
        o.device_id,
        o.role,
        when(o.rotated_at_ms)
    );
    say!(
        out,
        "that device's old token is now refused; it gets the new one on its next connection with the shared token:"
    );
    say!(
        out,
        "  - the openclaw CLI on that machine: configure the gateway token (openclaw config set gateway.remote.token ...), or run `clawkit gateway token rotate` there"
    );
    say!(
        out,
        "  - the Control UI: open http://127.0.0.1:{}/ in a private window and paste the gateway token in its settings",
        o.port
    );
}

fn render_reset(done: &ResetDone, as_json: bool, out: &mut dyn Write) {
    if as_json {
        print_json(out, &versioned(done));
        return;
    }
    say!(
        out,
        "removed {} paired device(s), rejected {} pending request(s), cleared {} cached token(s) here",
        done.removed.len(),
        done.rejected_pending,
        done.cleared_cached_tokens
    );
    say!(out, "backup: {}", done.backup.display());
    if !done.removed.is_empty() {
        say!(
            out,
            "these must pair again (reconnect with the gateway token; approve with `openclaw devices approve <requestId>` where asked):"
        );
        for d in &done.removed {
            say!(out, "  {d}");
        }
    }
    say!(
        out,
        "this client: `clawkit gateway token rotate` pairs it again and caches its new token"
    );
}
