//! `clawkit monitor run|status|history|silence|test-alert`: resolve the monitor's config and
//! store, call `clawkit-monitor`, and render. Within `monitor`, the global --config names the
//! monitor's config file; the OpenClaw install comes from --profile/--state-dir and the
//! environment.

pub(crate) mod status;

use super::{print_json, runtime, say};
use crate::cli::{InstallArgs, MonitorArgs, MonitorCommand, MonitorRunArgs};
use crate::exit::ExitStatus;
use crate::settings::Settings;
use clawkit_core::env::Env;
use clawkit_core::error::{Error, Result};
use clawkit_core::time::{format_time_ms, now_ms, parse_duration_ms};
use clawkit_monitor::config::MonitorConfig;
use clawkit_monitor::notify_systemd::SystemdNotify;
use clawkit_monitor::resolve::Watched;
use clawkit_monitor::run::{RunEvent, RunPlan};
use clawkit_monitor::state::Silence;
use clawkit_monitor::store::Store;
use serde_json::json;
use std::io::Write;
use std::path::PathBuf;

/// How long without a heartbeat before `status` says the monitor is not running.
const STALE_MS: i64 = 10_000;

/// The install, the monitor config and where the store is.
struct Resolved {
    settings: Settings,
    config: MonitorConfig,
    db: PathBuf,
}

fn resolve(install: &InstallArgs, env: &Env, common: &MonitorArgs) -> Result<Resolved> {
    let explicit = install.config.clone();
    let settings = Settings::resolve(
        &InstallArgs {
            config: None,
            ..install.clone()
        },
        env,
    )?;
    let path = explicit.clone().unwrap_or_else(|| default_config_path(env));
    let config =
        MonitorConfig::load(&path, explicit.is_some()).map_err(|e| Error::Usage(e.to_string()))?;
    let db = common
        .db
        .clone()
        .or_else(|| config.state.clone())
        .unwrap_or_else(|| {
            settings
                .paths
                .state_dir
                .value
                .join("clawkit/monitor.sqlite")
        });
    Ok(Resolved {
        settings,
        config,
        db,
    })
}

/// `$XDG_CONFIG_HOME/clawkit/monitor.toml`, else `~/.config/clawkit/monitor.toml`.
fn default_config_path(env: &Env) -> PathBuf {
    let base = env
        .get("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(|| env.get("HOME").map(|h| PathBuf::from(h).join(".config")))
        .unwrap_or_else(|| PathBuf::from(".config"));
    base.join("clawkit/monitor.toml")
}

/// The store `monitor status` reads when given no --db (the web doctor's monitor page).
pub(crate) fn default_db(install: &InstallArgs, env: &Env) -> Result<PathBuf> {
    let install = InstallArgs {
        config: None,
        ..install.clone()
    };
    Ok(resolve(&install, env, &MonitorArgs { db: None })?.db)
}

fn open_store(db: &std::path::Path) -> Result<Store> {
    Store::open(db).map_err(|e| Error::Usage(format!("the monitor's store: {e}")))
}

/// Opens the store read-only for `status` and `history`: they never create the file or its
/// schema, so they cannot race a monitor that is starting on the same database.
fn read_store(db: &std::path::Path) -> Result<Store> {
    Store::reader(db).map_err(|e| Error::Usage(format!("the monitor's store: {e}")))
}

pub fn run(
    install: &InstallArgs,
    env: &Env,
    cmd: &MonitorCommand,
    out: &mut dyn Write,
) -> Result<ExitStatus> {
    match cmd {
        MonitorCommand::Run(args) => run_monitor(install, env, args, out),
        MonitorCommand::Status { common, json } => {
            status::status(&resolve(install, env, common)?, *json, out)
        }
        MonitorCommand::History {
            common,
            since,
            gateway,
            json,
        } => history(
            &resolve(install, env, common)?,
            since,
            gateway.as_deref(),
            *json,
            out,
        ),
        MonitorCommand::Silence {
            duration,
            gateway,
            reason,
            common,
        } => silence(
            &resolve(install, env, common)?,
            duration,
            gateway,
            reason,
            out,
        ),
        MonitorCommand::Install { common } => install_service(install, env, common, out),
        MonitorCommand::TestAlert { common, notify } => {
            test_alert(&resolve(install, env, common)?, notify, out)
        }
    }
}

fn watched(r: &Resolved, notify: &[String]) -> Result<Watched> {
    Watched::resolve(&r.config, notify, &r.settings.target())
        .map_err(|e| Error::Usage(e.to_string()))
}

fn run_monitor(
    install: &InstallArgs,
    env: &Env,
    args: &MonitorRunArgs,
    out: &mut dyn Write,
) -> Result<ExitStatus> {
    let r = resolve(install, env, &args.common)?;
    let watched = watched(&r, &args.notify)?;
    if watched.channels.is_empty() {
        say!(
            out,
            "note: no channel configured: alerts are recorded (clawkit monitor history) but not sent; add --notify URL or `notify = [...]` in the monitor config"
        );
    }
    let windows = r.config.windows().map_err(Error::Usage)?;
    let plan = RunPlan {
        watched,
        state: r.db.clone(),
        policy: r.config.policy.clone(),
        windows,
        listen: args.listen.clone().or_else(|| r.config.listen.clone()),
        install: r.config.gateways.is_empty().then(|| {
            let t = r.settings.target();
            (clawkit_monitor::resolve::install_name(&t), t)
        }),
        heal: args.heal || r.config.heal,
        heartbeat: heartbeat(&r.config)?,
        systemd: SystemdNotify {
            socket: env.get("NOTIFY_SOCKET").map(str::to_string),
            watchdog_usec: env.get("WATCHDOG_USEC").and_then(|u| u.parse().ok()),
        },
    };
    let rt = runtime()?;
    let cancel = tokio_util::sync::CancellationToken::new();
    let stop = cancel.clone();
    rt.spawn(async move {
        shutdown_signal().await;
        stop.cancel();
    });
    say!(out, "clawkit monitor: store {}", r.db.display());
    let mut print = |e: RunEvent| render_event(&e, out);
    rt.block_on(clawkit_monitor::run::run(plan, &mut print, cancel))
        .map_err(|e| Error::Usage(e.to_string()))?;
    Ok(ExitStatus::Success)
}

/// The config's dead man's switch, with its interval parsed.
fn heartbeat(c: &MonitorConfig) -> Result<Option<(String, std::time::Duration)>> {
    let Some(h) = &c.heartbeat else {
        return Ok(None);
    };
    let ms = parse_duration_ms(&h.every)
        .filter(|ms| *ms > 0)
        .ok_or_else(|| {
            Error::Usage(format!(
                "heartbeat.every `{}`: expected a duration like 60s",
                h.every
            ))
        })?;
    Ok(Some((
        h.url.clone(),
        std::time::Duration::from_millis(ms as u64),
    )))
}

/// Ctrl-C (Windows has no SIGTERM for a console program).
#[cfg(not(unix))]
async fn shutdown_signal() {
    let _ = tokio::signal::ctrl_c().await;
}

/// SIGTERM or SIGINT.
#[cfg(unix)]
async fn shutdown_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    match (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) {
        (Ok(mut term), Ok(mut int)) => {
            tokio::select! {
                _ = term.recv() => {}
                _ = int.recv() => {}
            }
        }
        _ => std::future::pending::<()>().await,
    }
}

fn render_event(e: &RunEvent, out: &mut dyn Write) {
    match e {
        RunEvent::Watching { gateway, url } => say!(out, "watching {gateway} at {url}"),
        RunEvent::Seen(_) => {}
        RunEvent::Decided(d) => say!(
            out,
            "{} {} {}: {}{}",
            d.alert.at,
            d.alert.event.word(),
            d.alert.gateway,
            d.alert.summary,
            if d.held { " (held: silenced)" } else { "" }
        ),
        RunEvent::Delivery(line) | RunEvent::Trouble(line) => say!(out, "{line}"),
    }
}

fn history(
    r: &Resolved,
    since: &str,
    gateway: Option<&str>,
    json: bool,
    out: &mut dyn Write,
) -> Result<ExitStatus> {
    let back = parse_duration_ms(since).ok_or_else(|| {
        Error::Usage(format!(
            "--since {since}: expected a duration like 30m, 24h, 7d"
        ))
    })?;
    let store = read_store(&r.db)?;
    let past = store
        .history(now_ms() - back, gateway)
        .map_err(|e| Error::Usage(e.to_string()))?;
    if json {
        print_json(out, &json!({"since": since, "alerts": past}));
    } else if past.is_empty() {
        say!(out, "no alert in the last {since}");
    } else {
        for p in &past {
            say!(
                out,
                "{} {:<14} {:<12} {}{}",
                p.alert.at,
                p.alert.event.word(),
                p.alert.gateway,
                p.alert.summary,
                if p.held { " (held)" } else { "" }
            );
        }
    }
    Ok(ExitStatus::Success)
}

fn silence(
    r: &Resolved,
    duration: &str,
    gateway: &Option<String>,
    reason: &str,
    out: &mut dyn Write,
) -> Result<ExitStatus> {
    let ms = parse_duration_ms(duration)
        .ok_or_else(|| Error::Usage(format!("{duration}: expected a duration like 30m, 2h, 1d")))?;
    let until_ms = now_ms() + ms;
    open_store(&r.db)?
        .add_silence(&Silence {
            gateway: gateway.clone(),
            until_ms,
            reason: reason.to_string(),
        })
        .map_err(|e| Error::Usage(e.to_string()))?;
    say!(
        out,
        "alerts {} held back until {} UTC ({reason}); they are still recorded: clawkit monitor history",
        gateway
            .as_deref()
            .map_or("for every gateway".to_string(), |g| format!("for {g}")),
        format_time_ms(until_ms)
    );
    Ok(ExitStatus::Success)
}

fn install_service(
    install: &InstallArgs,
    env: &Env,
    common: &MonitorArgs,
    out: &mut dyn Write,
) -> Result<ExitStatus> {
    let r = resolve(install, env, common)?;
    let target = r.settings.target();
    let manager = target.manager.ok_or_else(|| {
        Error::Usage("no service manager here (a systemd user session, launchd or Task Scheduler): run `clawkit monitor run` under your own supervisor".into())
    })?;
    let exe = std::env::current_exe()
        .map_err(|e| Error::Usage(format!("cannot tell where clawkit is installed: {e}")))?;
    let config_dir = default_config_path(env)
        .parent()
        .and_then(|p| p.parent())
        .map(PathBuf::from)
        .unwrap_or_default();
    let plan = clawkit_monitor::install::InstallPlan {
        manager,
        exe,
        config: install.config.clone(),
        home: env.get("HOME").map(PathBuf::from).unwrap_or_default(),
        config_dir,
        state_dir: r.settings.paths.state_dir.value.clone(),
    };
    let done = clawkit_monitor::install::install(&plan, target.runner.as_ref())
        .map_err(|e| Error::Usage(e.to_string()))?;
    say!(
        out,
        "wrote {} (undo: clawkit undo {})",
        done.file.display(),
        done.journal
    );
    for c in &done.ran {
        say!(out, "ran   {c}");
    }
    match &done.failed {
        Some(why) => {
            say!(out, "FAILED {why}
  the service file is in place; start it by hand once the manager works, or run `clawkit monitor run`");
            Ok(ExitStatus::Problems)
        }
        None => {
            say!(
                out,
                "the monitor runs as a service now: clawkit monitor status"
            );
            Ok(ExitStatus::Success)
        }
    }
}

fn test_alert(r: &Resolved, notify: &[String], out: &mut dyn Write) -> Result<ExitStatus> {
    let watched = watched(r, notify)?;
    if watched.channels.is_empty() {
        return Err(Error::Usage(
            "no channel to test: add --notify URL, or `notify = [...]` in the monitor config"
                .into(),
        ));
    }
    let (name, url) = watched
        .targets
        .first()
        .map_or(("monitor".into(), String::new()), |t| {
            (t.name.clone(), t.endpoint.url.clone())
        });
    let alert = clawkit_monitor::run::test_alert(&name, &url, now_ms());
    let rt = runtime()?;
    let mut failed = 0;
    for c in &watched.channels {
        match rt.block_on(c.send(&alert)) {
            Ok(()) => say!(out, "ok      {}", c.name()),
            Err(e) => {
                failed += 1;
                say!(out, "FAILED  {}: {e}", c.name());
            }
        }
    }
    Ok(if failed == 0 {
        ExitStatus::Success
    } else {
        ExitStatus::Problems
    })
}
