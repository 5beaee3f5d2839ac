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
use clawkit_core::explain::{Placeholders, document, how, local_evidence};
use std::io::{IsTerminal, Read, Write};

/// Inputs larger than this are cut (for whole logs, `clawkit logs` is the tool).
const MAX_INPUT: u64 = 64 * 1024 * 1024;

pub fn run(settings: &Settings, args: &ExplainArgs, out: &mut dyn Write) -> Result<ExitStatus> {
    let text = read_input(args)?;
    let hits = catalog::in_fix_order(catalog::scan(&text));
    let vars = Placeholders::new(&settings.target(), &text);
    if args.json {
        print_json(out, &document(&hits, &vars));
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
            for line in local_evidence(&settings.target()) {
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
