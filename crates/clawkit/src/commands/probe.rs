//! `clawkit probe`: one real handshake with the gateway (and `health` + `system.info` when
//! authenticated), with the credential the local CLI would use and where it came from.

use super::{print_json, runtime, say};
use crate::cli::{ProbeArgs, ProbeAs};
use crate::exit::ExitStatus;
use crate::settings::Settings;
use clawkit_core::error::Result;
use clawkit_core::gateway::Verdict;
use clawkit_core::probe::{As, Greeted, ProbeOutcome, ProbeRequest, probe};
use serde_json::{Value, json};
use std::io::Write;
use std::time::Duration;

pub fn run(settings: &Settings, args: &ProbeArgs, out: &mut dyn Write) -> Result<ExitStatus> {
    let req = ProbeRequest {
        url: args.url.clone(),
        secret: super::given_secret(&args.secret)?,
        r#as: match args.r#as {
            ProbeAs::Cli => As::Cli,
            ProbeAs::Device => As::Device,
            ProbeAs::Probe => As::Probe,
        },
        tls_fingerprint: args.tls_fingerprint.clone(),
        timeout: Duration::from_millis(args.timeout_ms),
    };
    let outcome = runtime()?.block_on(probe(&settings.target(), &req))?;
    match &outcome.result {
        Ok(greeted) => {
            render_ok(&outcome, greeted, args.json, out);
            Ok(ExitStatus::Success)
        }
        Err(verdict) => {
            render_refused(&outcome, verdict, args.json, out);
            Ok(ExitStatus::Problems)
        }
    }
}

fn render_ok(o: &ProbeOutcome, g: &Greeted, as_json: bool, out: &mut dyn Write) {
    let (hello, health, info) = (&g.hello, &g.health, &g.system);
    if as_json {
        let doc = json!({
            "schemaVersion": 1,
            "url": o.url,
            "verdict": Verdict::Ok,
            "elapsedMs": o.elapsed_ms,
            "hello": hello,
            "sent": o.sent,
            "health": {"ok": health.as_ref().map(|h| h["ok"].clone()).unwrap_or(Value::Null)},
            "system": info.as_ref().map(|i| json!({"pid": i["pid"], "port": i["port"], "uptimeMs": i["uptimeMs"], "processInstanceId": i["processInstanceId"]})),
        });
        print_json(out, &doc);
        return;
    }
    say!(out, "{}: ok in {} ms", o.url, hello.latency_ms);
    let pid = info.as_ref().and_then(|i| i["pid"].as_u64());
    say!(
        out,
        "  server   OpenClaw {}{}, up {}{}",
        hello.server_version.as_deref().unwrap_or("?"),
        hello
            .boot_id
            .as_deref()
            .map_or(String::new(), |b| format!(", boot {b}")),
        hello.uptime_ms.map_or("?".into(), human_duration),
        pid.map_or(String::new(), |p| format!(", pid {p}"))
    );
    say!(
        out,
        "  auth     {} as {} with {}; scopes {}",
        hello.auth_method.as_deref().unwrap_or("?"),
        hello.role.as_deref().unwrap_or("?"),
        o.sent.description,
        if hello.scopes.is_empty() {
            "(none)".into()
        } else {
            hello.scopes.join(", ")
        }
    );
    if let Some(h) = health {
        say!(
            out,
            "  health   {}",
            if h["ok"] == true { "ok" } else { "not ok" }
        );
    }
}

fn render_refused(o: &ProbeOutcome, verdict: &Verdict, as_json: bool, out: &mut dyn Write) {
    if as_json {
        let doc = json!({"schemaVersion": 1, "url": o.url, "verdict": verdict, "elapsedMs": o.elapsed_ms, "sent": o.sent});
        print_json(out, &doc);
        return;
    }
    say!(
        out,
        "{}: {} (after {} ms)",
        o.url,
        verdict.name(),
        o.elapsed_ms
    );
    if let Some(m) = verdict.message() {
        let who = match verdict {
            Verdict::ConnectionRefused { .. }
            | Verdict::NotAGateway { .. }
            | Verdict::Tls { .. } => "detail",
            _ => "the gateway said",
        };
        say!(out, "  {who}: {m}");
    }
    say!(out, "  sent: {}", o.sent.description);
    if let Some(next) = next_step(verdict) {
        say!(out, "  next: {next}");
    }
}

pub(crate) fn human_duration(ms: u64) -> String {
    let s = ms / 1000;
    match s {
        0..=59 => format!("{s}s"),
        60..=3599 => format!("{}m {}s", s / 60, s % 60),
        _ => format!("{}h {}m", s / 3600, s % 3600 / 60),
    }
}

fn next_step(v: &Verdict) -> Option<String> {
    let probe = match v {
        Verdict::Ok => return None,
        Verdict::ConnectionRefused { .. } => "Gateway not reachable (ECONNREFUSED)",
        Verdict::Timeout { .. } => "gateway timeout after",
        other => other.message().unwrap_or(other.name()),
    };
    let hit = clawkit_core::catalog::scan(probe).into_iter().next()?;
    Some(format!(
        "{} — `clawkit explain '{}'`",
        hit.entry.title, hit.entry.patterns[0]
    ))
}
