//! `clawkit explain`: names every known OpenClaw error in a text (a line, a CLI dump, a JSON
//! error frame, a log file), which side is wrong, the likely causes, and the exact commands for
//! this machine, then one ordered plan when several errors appear together. Errors and plan
//! are in fix order (`catalog::plan`), whatever order the text had them in.

use super::{print_json, say};
use crate::cli::ExplainArgs;
use crate::exit::ExitStatus;
use crate::settings::Settings;
use clawkit_core::catalog::{self, Hit, Phase, PlanStep};
use clawkit_core::error::{Error, Result};
use clawkit_core::openclaw::auth::{client_credentials, client_mode, gateway_credentials};
use clawkit_core::time::local_date;
use serde_json::json;
use std::io::{IsTerminal, Read, Write};

/// Inputs larger than this are cut (for whole logs, `clawkit logs` is the tool).
const MAX_INPUT: u64 = 64 * 1024 * 1024;

pub fn run(settings: &Settings, args: &ExplainArgs, out: &mut dyn Write) -> Result<ExitStatus> {
    let text = read_input(args)?;
    let hits = catalog::in_fix_order(catalog::scan(&text));
    let vars = Placeholders::new(settings, &text);
    if args.json {
        print_json(out, &to_json(&hits, &vars));
    } else {
        render(&hits, &vars, settings, out);
    }
    Ok(if hits.is_empty() {
        ExitStatus::Problems
    } else {
        ExitStatus::Success
    })
}

fn read_input(args: &ExplainArgs) -> Result<String> {
    if let Some(file) = &args.file {
        let f = std::fs::File::open(file).map_err(|e| Error::io(file, e))?;
        let mut bytes = Vec::new();
        f.take(MAX_INPUT)
            .read_to_end(&mut bytes)
            .map_err(|e| Error::io(file, e))?;
        return Ok(String::from_utf8_lossy(&bytes).into_owned());
    }
    match args.text.as_deref() {
        Some(text) if text != "-" => Ok(text.to_string()),
        _ => {
            let stdin = std::io::stdin();
            if stdin.is_terminal() {
                return Err(Error::Usage(
                    "give the error text as an argument, with --file FILE, or on standard input (`... 2>&1 | clawkit explain`)".into(),
                ));
            }
            let mut bytes = Vec::new();
            stdin
                .lock()
                .take(MAX_INPUT)
                .read_to_end(&mut bytes)
                .map_err(|e| Error::io("<stdin>", e))?;
            Ok(String::from_utf8_lossy(&bytes).into_owned())
        }
    }
}

/// Values filled into the catalog's fix commands.
struct Placeholders {
    oc: String,
    ck: String,
    config: String,
    port: String,
    state_dir: String,
    log: String,
    request_id: Option<String>,
    device_id: Option<String>,
}

impl Placeholders {
    fn new(settings: &Settings, text: &str) -> Placeholders {
        let profile = settings
            .paths
            .profile
            .as_ref()
            .map(|p| format!(" --profile {p}"))
            .unwrap_or_default();
        let config = settings.load_config().ok();
        let (port, log) = match &config {
            Some(c) => (
                settings.paths.port(c, &settings.env).value.to_string(),
                settings
                    .paths
                    .log_file(c, &local_date())
                    .value
                    .display()
                    .to_string(),
            ),
            None => ("<port>".into(), "<log file>".into()),
        };
        Placeholders {
            oc: format!("openclaw{profile}"),
            ck: format!("clawkit{profile}"),
            config: settings.paths.config_path.value.display().to_string(),
            port,
            state_dir: settings.paths.state_dir.value.display().to_string(),
            log,
            request_id: value_after(text, "requestId", |c| c.is_ascii_hexdigit() || c == '-'),
            device_id: value_after(text, "deviceId", |c| c.is_ascii_hexdigit())
                .or_else(|| value_after(text, "device=", |c| c.is_ascii_hexdigit())),
        }
    }

    fn fill(&self, template: &str) -> String {
        template
            .replace("{oc}", &self.oc)
            .replace("{ck}", &self.ck)
            .replace("{config}", &self.config)
            .replace("{port}", &self.port)
            .replace("{state_dir}", &self.state_dir)
            .replace("{log}", &self.log)
            .replace(
                "{request_id}",
                self.request_id.as_deref().unwrap_or("<requestId>"),
            )
            .replace(
                "{device_id}",
                self.device_id.as_deref().unwrap_or("<deviceId>"),
            )
    }
}

/// The first value after `key` (skipping `":= ` and quotes) made of `allowed` characters.
fn value_after(text: &str, key: &str, allowed: impl Fn(char) -> bool) -> Option<String> {
    let mut rest = text;
    while let Some(pos) = rest.find(key) {
        let after = &rest[pos + key.len()..];
        let trimmed = after.trim_start_matches(['"', ':', '=', ' ', '\'']);
        let value: String = trimmed.chars().take_while(|c| allowed(*c)).collect();
        if value.len() >= 8 {
            return Some(value);
        }
        rest = after;
    }
    None
}

/// What this machine's config says about the shared secret, for token errors.
fn local_evidence(settings: &Settings) -> Vec<String> {
    let Ok(config) = settings.load_config() else {
        return vec![format!(
            "this machine: the config {} could not be read (run `clawkit config path`)",
            settings.paths.config_path.value.display()
        )];
    };
    let mode = client_mode(&config, &settings.env);
    let client = client_credentials(&config, &settings.env, &mode, &[]);
    let gateway = gateway_credentials(&config, &settings.env, "this shell", &[]);
    let mut lines = Vec::new();
    match client.token() {
        Some(t) => lines.push(format!("this machine: the {} sends {t}", client.side)),
        None => lines.push(format!(
            "this machine: the {} has no shared token",
            client.side
        )),
    }
    if let Some(t) = gateway.token() {
        let verdict = match client.token() {
            Some(c) if c.same_value(t) => "the same token",
            Some(_) => "a DIFFERENT token",
            None => "a token the CLI does not send",
        };
        lines.push(format!(
            "this machine: a gateway using this config and environment would check {t} — {verdict}"
        ));
    }
    lines
}

fn render(hits: &[Hit], vars: &Placeholders, settings: &Settings, out: &mut dyn Write) {
    if hits.is_empty() {
        say!(
            out,
            "clawkit does not recognise this as an OpenClaw gateway error ({} known errors).",
            catalog::CATALOG.len()
        );
        say!(
            out,
            "If it came from OpenClaw, please report the text; for a gateway log try `clawkit logs --file <log>`."
        );
        return;
    }
    for (n, hit) in hits.iter().enumerate() {
        let e = hit.entry;
        say!(
            out,
            "{}. {}  [{}, {}]",
            n + 1,
            e.title,
            e.id,
            e.kind.label()
        );
        let times = if hit.count > 1 {
            format!(", {} matches", hit.count)
        } else {
            String::new()
        };
        say!(out, "   seen: line {}{times}: {}", hit.line, hit.excerpt);
        say!(out, "   wrong side: {}", e.wrong_side);
        say!(out, "   likely causes:");
        for (i, cause) in e.causes.iter().enumerate() {
            say!(out, "     {}. {}", i + 1, vars.fill(cause));
        }
        if matches!(e.phase, Phase::SharedSecret) {
            for line in local_evidence(settings) {
                say!(out, "   {line}");
            }
        }
        say!(out, "   fix:");
        for fix in e.fixes {
            say!(out, "     $ {}", vars.fill(fix));
        }
        say!(out, "");
    }
    let plan = catalog::plan(hits);
    if plan.len() > 1 {
        say!(out, "Plan, in this order:");
        for (i, step) in plan.iter().enumerate() {
            render_step(i + 1, step, vars, out);
        }
        say!(out, "  then verify: {} gateway health", vars.oc);
    }
}

/// "2. restart the gateway (and free its port)": the errors it fixes, else how to do it.
fn render_step(n: usize, step: &PlanStep, vars: &Placeholders, out: &mut dyn Write) {
    let title = step.phase.title();
    if step.errors.is_empty() {
        say!(out, "  {n}. {title}");
    } else {
        say!(out, "  {n}. {title} ({})", step.errors.join(", "));
    }
    if let Some(how) = how(step, vars) {
        say!(out, "       $ {how}");
    }
}

/// The command of a step no error calls for (the error's own fixes are listed above it).
fn how(step: &PlanStep, vars: &Placeholders) -> Option<String> {
    step.errors
        .is_empty()
        .then(|| step.phase.how())
        .flatten()
        .map(|h| vars.fill(h))
}

fn to_json(hits: &[Hit], vars: &Placeholders) -> serde_json::Value {
    json!({
        "schemaVersion": 1,
        "recognized": !hits.is_empty(),
        "errors": hits.iter().map(|h| json!({
            "id": h.entry.id,
            "kind": h.entry.kind,
            "phase": h.entry.phase,
            "title": h.entry.title,
            "line": h.line,
            "count": h.count,
            "excerpt": h.excerpt,
            "wrongSide": h.entry.wrong_side,
            "causes": h.entry.causes.iter().map(|c| vars.fill(c)).collect::<Vec<_>>(),
            "fixes": h.entry.fixes.iter().map(|f| vars.fill(f)).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "requestId": vars.request_id,
        "deviceId": vars.device_id,
        "plan": catalog::plan(hits).iter().map(|s| json!({
            "phase": s.phase, "title": s.phase.title(), "errors": s.errors, "command": how(s, vars),
        })).collect::<Vec<_>>(),
    })
}
