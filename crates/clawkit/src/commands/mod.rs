//! One module per command: each takes resolved settings, calls the library, and renders.

mod completions;
mod config;
mod dashboard;
mod doctor;
mod explain;
mod gateway_service;
mod gateway_token;
mod logs;
mod monitor;
mod ports;
mod probe;
mod web;

use crate::cli::{Cli, Command, GatewayCommand};
use crate::exit::ExitStatus;
use crate::settings::Settings;
use clawkit_core::env::Env;
use clawkit_core::error::Result;
use std::io::Write;

pub fn dispatch(cli: &Cli, env: &Env, out: &mut dyn Write) -> Result<ExitStatus> {
    // Resolved only by the commands that look at an install (not completions, man).
    let settings = || Settings::resolve(&cli.install, env);
    match &cli.command {
        Command::Completions { shell } => completions::script(*shell, out),
        Command::Man => completions::man(out),
        Command::Config(cmd) => config::run(&settings()?, cmd, out),
        Command::Doctor(args) => doctor::run(&settings()?, args, cli.color.enabled(), out),
        Command::Undo(args) => doctor::undo(&settings()?, args, out),
        Command::Explain(args) => explain::run(&settings()?, args, out),
        Command::Logs(args) => logs::run(&settings()?, args, out),
        Command::Probe(args) => probe::run(&settings()?, args, out),
        Command::Gateway(cmd) => gateway(&settings()?, cmd, out),
        Command::Ports(args) => ports::run(&settings()?, args, out),
        // Within `monitor`, --config names the monitor's config: it resolves its own install.
        Command::Monitor(cmd) => monitor::run(&cli.install, env, cmd, out),
        Command::Web(args) => web::run(&settings()?, &cli.install, env, args, out),
        Command::Dashboard(args) => dashboard::run(&settings()?, env, args, out),
    }
}

fn gateway(settings: &Settings, cmd: &GatewayCommand, out: &mut dyn Write) -> Result<ExitStatus> {
    match cmd {
        GatewayCommand::Token(t) => gateway_token::run(settings, t, out),
        GatewayCommand::Status(a) => gateway_service::status(settings, a, out),
        GatewayCommand::Start(a) => gateway_service::start(settings, a, out),
        GatewayCommand::Stop(a) => gateway_service::stop(settings, a, out),
        GatewayCommand::Restart(a) => gateway_service::restart(settings, a, out),
        GatewayCommand::Install { force, common } => {
            gateway_service::install(settings, *force, common, out)
        }
    }
}

/// The single-threaded async runtime the network commands run on.
pub(crate) fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| {
            clawkit_core::error::Error::Usage(format!("cannot start the async runtime: {e}"))
        })
}

/// Writes to the output, ignoring a closed pipe (`clawkit ... | head` is fine).
macro_rules! say {
    ($out:expr, $($arg:tt)*) => {{
        let _ = writeln!($out, $($arg)*);
    }};
}
pub(crate) use say;

/// A typed outcome as a `--json` document: its fields plus `schemaVersion`.
pub(crate) fn versioned(body: &impl serde::Serialize) -> serde_json::Value {
    let mut doc = serde_json::to_value(body).unwrap_or_default();
    if let Some(fields) = doc.as_object_mut() {
        fields.insert("schemaVersion".into(), 1.into());
    }
    doc
}

/// The shared secret given with `--token`/`--password` (`None`: use the configured one).
pub(crate) fn given_secret(
    args: &crate::cli::SharedSecretArgs,
) -> Result<clawkit_core::gateway::Credential> {
    read_given(args.token.as_deref(), args.password.as_deref())
}

/// The secret given as `token` or `password`; `-` reads one line of standard input (the
/// value stays out of the process list and the shell history). The only place that reads it:
/// the engine gets the value.
pub(crate) fn read_given(
    token: Option<&str>,
    password: Option<&str>,
) -> Result<clawkit_core::gateway::Credential> {
    use clawkit_core::gateway::Credential;
    let (flag, value) = match (token, password) {
        (Some(t), _) => ("--token", t),
        (_, Some(p)) => ("--password", p),
        _ => return Ok(Credential::None),
    };
    let value = if value == "-" {
        read_secret_line(flag)?
    } else {
        value.to_string()
    };
    if value.trim().is_empty() {
        return Err(clawkit_core::error::Error::Usage(format!(
            "{flag} is empty: give the gateway's {} (or `-` and the value on standard input)",
            &flag[2..]
        )));
    }
    Ok(if flag == "--token" {
        Credential::Token(value)
    } else {
        Credential::Password(value)
    })
}

/// One line of standard input without its line ending (a prompt first on a terminal).
fn read_secret_line(flag: &str) -> Result<String> {
    use std::io::{BufRead, IsTerminal};
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        let mut err = std::io::stderr().lock();
        let _ = write!(
            err,
            "{flag} -: paste the gateway's {}, then Enter: ",
            &flag[2..]
        );
        let _ = err.flush();
    }
    let mut line = String::new();
    stdin
        .lock()
        .read_line(&mut line)
        .map_err(|e| clawkit_core::error::Error::io("<stdin>", e))?;
    Ok(line.trim_end_matches(['\n', '\r']).to_string())
}

/// Writes a `--json` document, pretty-printed (a closed pipe is ignored, as with `say!`).
pub(crate) fn print_json(out: &mut dyn Write, doc: &serde_json::Value) {
    say!(
        out,
        "{}",
        serde_json::to_string_pretty(doc).unwrap_or_default()
    );
}

fn mark(s: clawkit_core::finding::Severity) -> &'static str {
    use clawkit_core::finding::Severity;
    match s {
        Severity::Ok => "ok   ",
        Severity::Info => "info ",
        Severity::Warning => "warn ",
        Severity::Error => "ERROR",
    }
}

/// One finding as a line (`ERROR [code] summary`), with its evidence and next step.
pub(crate) fn say_finding(out: &mut dyn Write, f: &clawkit_core::finding::Finding, details: bool) {
    say!(out, "{} [{}] {}", mark(f.severity), f.code, f.summary);
    if details {
        for e in &f.evidence {
            say!(out, "        {e}");
        }
        if let Some(next) = &f.next {
            say!(out, "        next: {next}");
        }
    }
}
