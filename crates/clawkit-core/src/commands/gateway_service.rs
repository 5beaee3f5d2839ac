//! `clawkit gateway status|start|stop|restart|install`: the gateway through its service
//! manager when one runs it; for an unsupervised gateway, its own restart request (restart),
//! a verified SIGTERM (stop), and the exact command otherwise. Every change is confirmed by
//! watching the gateway: ready again, new boot id, port held by the right process.

use super::gateway_token::shared_secret;
use super::{print_json, say, say_finding};
use crate::cli::{GatewayCommand, ServiceArgs};
use crate::error::{Error, Result};
use crate::exit::ExitStatus;
use crate::finding::{Finding, Severity, codes};
use crate::gateway::{ConnectOptions, Verdict, connect};
use crate::host::kill::{Stopped, stop};
use crate::host::ports::{Class, PortsReport};
use crate::host::runner::{CommandRunner, SystemRunner};
use crate::host::{Host, ProcessInfo};
use crate::openclaw::auth::local_cli_credential;
use crate::service::{self, Action, Manager, manager::ServiceState};
use crate::settings::Settings;
use serde_json::{Value, json};
use std::io::{Read, Write};
use std::time::{Duration, Instant};

pub fn run(settings: &Settings, cmd: &GatewayCommand, out: &mut dyn Write) -> Result<ExitStatus> {
    let runner = SystemRunner;
    let ctx = Ctx {
        settings,
        runner: &runner,
        host: crate::host::system(),
        manager: Manager::detect(&runner),
    };
    match cmd {
        GatewayCommand::Token(t) => super::gateway_token::run(settings, t, out),
        GatewayCommand::Status(a) => ctx.status(a, out),
        GatewayCommand::Start(a) => ctx.start(a, out),
        GatewayCommand::Stop(a) => ctx.stop(a, out),
        GatewayCommand::Restart(a) => ctx.restart(a, out),
        GatewayCommand::Install { force, common } => ctx.install(*force, common, out),
    }
}

struct Ctx<'a> {
    settings: &'a Settings,
    runner: &'a dyn CommandRunner,
    host: Box<dyn Host>,
    manager: Option<Manager>,
}

/// The gateway as it was before a restart, to recognise the next boot: by its boot id, or —
/// for releases whose hello has none (2026.7) and which restart in-process — by a
/// `gateway ready` in its log after the request.
struct Before {
    boot_id: Option<String>,
    uptime_ms: Option<u64>,
    requested_at_ms: i64,
    log: Option<std::path::PathBuf>,
}

impl Before {
    fn of(settings: &Settings, boot_id: Option<String>, uptime_ms: Option<u64>) -> Before {
        let log = settings.load_config().ok().map(|c| {
            settings
                .paths
                .log_file(&c, &crate::openclaw::install::local_date())
                .value
        });
        Before {
            boot_id,
            uptime_ms,
            requested_at_ms: crate::logscan::now_ms(),
            log,
        }
    }

    /// Whether `live` is a later boot than this one.
    fn is_before(&self, live: &Live) -> bool {
        if let Some(old) = &self.boot_id {
            return live.boot_id.as_deref().is_some_and(|b| b != old);
        }
        let Some(log) = &self.log else {
            return true;
        };
        crate::logscan::scan_files(std::slice::from_ref(log), Some(self.requested_at_ms))
            .map(|r| {
                r.groups
                    .iter()
                    .any(|g| g.key.kind == crate::logscan::EventKind::Start)
            })
            .unwrap_or(false)
    }
}

/// The gateway as a client sees it right now.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct Live {
    ready: Option<bool>,
    verdict: Verdict,
    version: Option<String>,
    boot_id: Option<String>,
    uptime_ms: Option<u64>,
}

impl Live {
    /// What the port inspection's handshake already saw, plus `/readyz`: no second handshake.
    fn of(report: &PortsReport) -> Live {
        let ready = readyz(report.port);
        match &report.handshake {
            Some(h) => Live {
                ready,
                verdict: h.verdict.clone(),
                version: h.server_version.clone(),
                boot_id: h.boot_id.clone(),
                uptime_ms: h.uptime_ms,
            },
            None => Live {
                ready,
                verdict: Verdict::ConnectionRefused {
                    detail: format!("nothing listens on port {}", report.port),
                },
                version: None,
                boot_id: None,
                uptime_ms: None,
            },
        }
    }
}

impl Ctx<'_> {
    fn port(&self) -> Result<u16> {
        let config = self.settings.load_config()?;
        Ok(self.settings.paths.port(&config, &self.settings.env).value)
    }

    fn inspect(&self) -> Result<PortsReport> {
        super::ports::inspect(self.settings, self.host.as_ref(), 2000)
    }

    /// The supervisor's state, when a manager runs and knows the service.
    fn supervised(&self) -> Option<(Manager, ServiceState)> {
        let m = self.manager?;
        let state = m.state(self.runner, &self.settings.paths);
        state.loaded.then_some((m, state))
    }

    fn own_gateway(report: &PortsReport) -> Option<&ProcessInfo> {
        report.ports.first().and_then(|row| {
            row.owners
                .iter()
                .find(|o| o.class == Class::ThisGateway)
                .and_then(|o| o.process.as_ref())
        })
    }

    fn live(&self, timeout: Duration) -> Result<Live> {
        let config = self.settings.load_config()?;
        let port = self.settings.paths.port(&config, &self.settings.env).value;
        let mut opts = ConnectOptions::new(format!("ws://127.0.0.1:{port}"));
        opts.timeout = timeout;
        opts.credential = local_cli_credential(&config, &self.settings.env).0;
        let ready = readyz(port);
        let greeted = super::runtime()?.block_on(async {
            match connect(&opts).await {
                Ok(c) => {
                    let h = c.hello.clone();
                    c.close().await;
                    Ok(h)
                }
                Err(v) => Err(v),
            }
        });
        Ok(match greeted {
            Ok(h) => Live {
                ready,
                verdict: Verdict::Ok,
                version: h.server_version,
                boot_id: h.boot_id,
                uptime_ms: h.uptime_ms,
            },
            Err(v) => Live {
                ready,
                verdict: v,
                version: None,
                boot_id: None,
                uptime_ms: None,
            },
        })
    }

    /// Polls until `/readyz` says ready and a handshake shows a gateway other than `before`:
    /// a new boot id, or (for releases whose hello has none) a smaller uptime.
    fn wait_ready(&self, before: Option<&Before>, wait: Duration) -> Result<(Live, u64)> {
        let started = Instant::now();
        loop {
            let live = self.live(Duration::from_secs(2))?;
            let restarted = before.is_none_or(|b| b.is_before(&live));
            if live.ready == Some(true) && live.verdict.is_ok() && restarted {
                return Ok((live, started.elapsed().as_millis() as u64));
            }
            if started.elapsed() >= wait {
                let why = match (&live.ready, &live.verdict) {
                    (Some(true), Verdict::Ok) => "it still reports the old boot id".to_string(),
                    (Some(true), v) => format!("it is up but refuses the CLI: {}", v.name()),
                    (Some(false), _) => "/readyz still answers 503 (starting or failing)".into(),
                    (None, v) => format!("nothing answers on its port ({})", v.name()),
                };
                return Err(Error::Refused(format!(
                    "the gateway was not ready within {} s: {why}. Look at the log: clawkit logs --since 10m",
                    wait.as_secs()
                )));
            }
            std::thread::sleep(Duration::from_millis(250));
        }
    }

    fn status(&self, args: &ServiceArgs, out: &mut dyn Write) -> Result<ExitStatus> {
        let config = self.settings.load_config()?;
        let report = self.inspect()?;
        let supervised = self.supervised();
        let live = Live::of(&report);
        let mut findings: Vec<Finding> = report.findings.clone();
        let mut services = Vec::new();
        for def in service::find(&self.settings.paths) {
            match def {
                Ok(def) => {
                    let audit = service::audit::audit(
                        &def,
                        &self.settings.paths,
                        &config,
                        &self.settings.env,
                    );
                    findings.extend(audit.iter().cloned());
                    services.push(json!({"definition": def, "findings": audit}));
                }
                Err(e) => findings.push(Finding::new(
                    codes::SERVICE_FILE_UNREADABLE,
                    Severity::Error,
                    e,
                )),
            }
        }
        let own = Self::own_gateway(&report);
        let healthy = live.verdict.is_ok() && own.is_some();
        let worst = findings
            .iter()
            .map(|f| f.severity)
            .max()
            .unwrap_or(Severity::Ok);
        if args.json {
            print_json(
                out,
                &json!({
                    "schemaVersion": 1,
                    "supervisor": supervised.as_ref().map(|(m, s)| json!({"manager": m, "state": s})),
                    "managerDetected": self.manager,
                    "gateway": live,
                    "pid": own.map(|p| p.pid),
                    "ports": report,
                    "services": services,
                    "findings": findings,
                }),
            );
        } else {
            say!(
                out,
                "Gateway for {}",
                self.settings.paths.state_dir.value.display()
            );
            match &supervised {
                Some((m, s)) => say!(
                    out,
                    "  supervisor  {:?} {}: {}{}",
                    m,
                    s.name,
                    s.state,
                    s.main_pid
                        .map(|p| format!(", main pid {p}"))
                        .unwrap_or_default()
                ),
                None => say!(
                    out,
                    "  supervisor  none ({})",
                    match self.manager {
                        Some(m) => format!("{m:?} runs, but no gateway service is loaded"),
                        None => "no service manager runs on this machine".into(),
                    }
                ),
            }
            match own {
                Some(p) => say!(
                    out,
                    "  process     pid {} ({}), started {}",
                    p.pid,
                    p.user.clone().unwrap_or_default(),
                    p.started_at_ms
                        .map(|t| format!("{} UTC", crate::logscan::format_time_ms(t)))
                        .unwrap_or("?".into())
                ),
                None => say!(
                    out,
                    "  process     no gateway of this state dir holds port {}",
                    report.port
                ),
            }
            say!(
                out,
                "  port        {} ({}){}",
                report.port,
                report.port_rule,
                match live.ready {
                    Some(true) => ", /readyz ready",
                    Some(false) => ", /readyz NOT ready",
                    None => "",
                }
            );
            say!(
                out,
                "  handshake   {}{}{}{}",
                live.verdict.name(),
                live.version
                    .as_deref()
                    .map(|v| format!(", OpenClaw {v}"))
                    .unwrap_or_default(),
                live.boot_id
                    .as_deref()
                    .map(|b| format!(", boot {b}"))
                    .unwrap_or_default(),
                live.uptime_ms
                    .map(|u| format!(", up {}", super::probe::human_duration(u)))
                    .unwrap_or_default()
            );
            say!(
                out,
                "  services    {}",
                if services.is_empty() {
                    "no service definition installed (`clawkit gateway install`)".to_string()
                } else {
                    services
                        .iter()
                        .map(|s| s["definition"]["path"].as_str().unwrap_or("?").to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                }
            );
            let shown: Vec<&Finding> = findings
                .iter()
                .filter(|f| f.severity > Severity::Ok)
                .collect();
            if !shown.is_empty() {
                say!(out, "");
            }
            for f in shown {
                say_finding(out, f, true);
            }
        }
        Ok(if healthy && worst <= Severity::Info {
            ExitStatus::Success
        } else {
            ExitStatus::Problems
        })
    }

    fn start(&self, args: &ServiceArgs, out: &mut dyn Write) -> Result<ExitStatus> {
        let report = self.inspect()?;
        if let Some(p) = Self::own_gateway(&report) {
            let live = Live::of(&report);
            say!(
                out,
                "the gateway already runs (pid {}, port {}, boot {})",
                p.pid,
                report.port,
                live.boot_id.as_deref().unwrap_or("?")
            );
            return Ok(ExitStatus::Success);
        }
        if let Some(blocker) = report
            .findings
            .iter()
            .find(|f| codes::PORT_TAKEN.contains(&f.code))
        {
            return Err(Error::Refused(format!(
                "port {} is taken: {}. Free it first: {}",
                report.port,
                blocker.summary,
                blocker.next.as_deref().unwrap_or("clawkit ports")
            )));
        }
        let Some((manager, _)) = self.supervised() else {
            return Err(Error::Refused(format!(
                "no service manager runs a gateway service here, so clawkit cannot start it in the background. Run it in the foreground: `openclaw gateway run --port {}`, or install a service: `clawkit gateway install`",
                report.port
            )));
        };
        manager
            .perform(self.runner, Action::Start, &self.settings.paths)
            .map_err(Error::Refused)?;
        self.after_change(manager, None, args, "started", out)
    }

    fn stop(&self, args: &ServiceArgs, out: &mut dyn Write) -> Result<ExitStatus> {
        if let Some((manager, _)) = self.supervised() {
            manager
                .perform(self.runner, Action::Stop, &self.settings.paths)
                .map_err(Error::Refused)?;
            let port = self.port()?;
            wait_port_free(
                self.host.as_ref(),
                port,
                Duration::from_secs(args.wait_secs),
            );
            let report = self.inspect()?;
            self.render_outcome(args, out, "stopped", json!({"manager": manager}), &report);
            return Ok(ExitStatus::Success);
        }
        let report = self.inspect()?;
        let Some(p) = Self::own_gateway(&report).cloned() else {
            say!(
                out,
                "no gateway of this state dir is running (port {} {})",
                report.port,
                if report.ports.first().is_some_and(|r| r.owners.is_empty()) {
                    "is free"
                } else {
                    "is held by another process: see `clawkit ports`"
                }
            );
            return Ok(ExitStatus::Success);
        };
        // Unsupervised: the verified gateway of this state dir, stopped like `kill -TERM`.
        let outcome = stop(
            self.host.as_ref(),
            &p,
            true,
            Duration::from_secs(args.wait_secs.max(1)),
        )
        .map_err(|e| Error::Refused(e.to_string()))?;
        wait_port_free(self.host.as_ref(), report.port, Duration::from_secs(5));
        let after = self.inspect()?;
        let how = match outcome {
            Stopped::Terminated { after_ms } => {
                format!("stopped pid {} with SIGTERM in {after_ms} ms", p.pid)
            }
            Stopped::Killed { after_ms } => {
                format!("pid {} ignored SIGTERM; killed after {after_ms} ms", p.pid)
            }
            Stopped::AlreadyGone => format!("pid {} had already exited", p.pid),
        };
        self.render_outcome(args, out, &how, json!({"pid": p.pid}), &after);
        Ok(ExitStatus::Success)
    }

    fn restart(&self, args: &ServiceArgs, out: &mut dyn Write) -> Result<ExitStatus> {
        let wait = Duration::from_secs(args.wait_secs);
        if let Some((manager, _)) = self.supervised() {
            let live = self.live(Duration::from_secs(2))?;
            let before = Before::of(self.settings, live.boot_id, live.uptime_ms);
            manager
                .perform(self.runner, Action::Restart, &self.settings.paths)
                .map_err(Error::Refused)?;
            return self.after_change(manager, Some(before), args, "restarted", out);
        }
        // Unsupervised: ask the gateway to restart itself.
        let report = self.inspect()?;
        let Some(p) = Self::own_gateway(&report).cloned() else {
            return Err(Error::Refused(format!(
                "no gateway of this state dir is running on port {}, and no service manager runs one: start it with `openclaw gateway run --port {}` (see `clawkit ports`)",
                report.port, report.port
            )));
        };
        let config = self.settings.load_config()?;
        let shared = shared_secret(
            self.settings,
            &config,
            &None,
            &None,
            "restarting an unsupervised gateway",
        )?;
        let mut opts = ConnectOptions::new(format!("ws://127.0.0.1:{}", report.port));
        opts.credential = shared;
        let (old_boot, ack) = super::runtime()?.block_on(async {
            let mut conn = connect(&opts).await.map_err(|v| {
                Error::Refused(format!(
                    "the gateway refused the restart request's connection: {}{}",
                    v.name(),
                    v.message().map(|m| format!(" ({m})")).unwrap_or_default()
                ))
            })?;
            let boot = Before::of(
                self.settings,
                conn.hello.boot_id.clone(),
                conn.hello.uptime_ms,
            );
            let ack = conn
                .request(
                    "gateway.restart.request",
                    json!({"reason": "clawkit gateway restart", "skipDeferral": true}),
                )
                .await
                .map_err(|e| {
                    Error::Refused(format!(
                        "the gateway did not accept the restart request: {e}"
                    ))
                })?;
            conn.close().await;
            Ok::<_, Error>((boot, ack))
        })?;
        let (live, waited) = self.wait_ready(Some(&old_boot), wait)?;
        let old_uptime = old_boot.uptime_ms;
        let old_boot = old_boot.boot_id;
        let after = self.inspect()?;
        let now = Self::own_gateway(&after).cloned();
        let mut doc = json!({
            "how": "gateway.restart.request",
            "ack": ack,
            "oldBootId": old_boot,
            "bootId": live.boot_id,
            "uptimeMsBefore": old_uptime,
            "uptimeMs": live.uptime_ms,
            "pidBefore": p.pid,
            "pid": now.as_ref().map(|p| p.pid),
            "port": after.port,
            "waitedMs": waited,
        });
        let zombies: Vec<&Finding> = after
            .findings
            .iter()
            .filter(|f| f.severity >= Severity::Warning)
            .collect();
        doc["problems"] = json!(zombies);
        if args.json {
            print_json(
                out,
                &json!({"schemaVersion": 1, "restart": doc, "report": after}),
            );
        } else {
            say!(
                out,
                "restarted: boot {} → {} in {:.1} s; port {} held by pid {}",
                old_boot.as_deref().unwrap_or("?"),
                live.boot_id.as_deref().unwrap_or("?"),
                waited as f64 / 1000.0,
                after.port,
                now.as_ref().map_or("?".into(), |p| p.pid.to_string())
            );
            for z in &zombies {
                say_finding(out, z, false);
            }
        }
        Ok(if zombies.is_empty() {
            ExitStatus::Success
        } else {
            ExitStatus::Problems
        })
    }

    /// After a supervisor start/restart: ready, new boot, and the port held by its main pid.
    fn after_change(
        &self,
        manager: Manager,
        before: Option<Before>,
        args: &ServiceArgs,
        verb: &str,
        out: &mut dyn Write,
    ) -> Result<ExitStatus> {
        let (live, waited) =
            self.wait_ready(before.as_ref(), Duration::from_secs(args.wait_secs))?;
        let state = manager.state(self.runner, &self.settings.paths);
        let report = self.inspect()?;
        let holder = report
            .ports
            .first()
            .and_then(|r| r.owners.iter().find_map(|o| o.pid));
        let mut problems: Vec<Finding> = report
            .findings
            .iter()
            .filter(|f| f.severity >= Severity::Warning)
            .cloned()
            .collect();
        if let (Some(main), Some(h)) = (state.main_pid, holder)
            && main != h
            && !problems
                .iter()
                .any(|f| f.code == codes::NOT_SUPERVISOR_MAIN_PID)
        {
            problems.push(Finding::new(
                codes::NOT_SUPERVISOR_MAIN_PID,
                Severity::Error,
                format!(
                    "port {} is held by pid {h}, not by {}'s main pid {main}",
                    report.port, state.name
                ),
            ));
        }
        if args.json {
            print_json(
                out,
                &json!({"schemaVersion": 1, verb: true, "manager": manager, "service": state, "gateway": live, "waitedMs": waited, "problems": problems}),
            );
        } else {
            say!(
                out,
                "{verb} {} via {:?}: ready in {:.1} s, boot {}, main pid {}",
                state.name,
                manager,
                waited as f64 / 1000.0,
                live.boot_id.as_deref().unwrap_or("?"),
                state.main_pid.map_or("?".into(), |p| p.to_string())
            );
            for p in &problems {
                say_finding(out, p, false);
            }
        }
        Ok(if problems.is_empty() {
            ExitStatus::Success
        } else {
            ExitStatus::Problems
        })
    }

    fn render_outcome(
        &self,
        args: &ServiceArgs,
        out: &mut dyn Write,
        what: &str,
        extra: Value,
        report: &PortsReport,
    ) {
        if args.json {
            print_json(
                out,
                &json!({"schemaVersion": 1, "outcome": what, "detail": extra, "report": report}),
            );
        } else {
            say!(
                out,
                "{what}; port {} is {}",
                report.port,
                if report.ports.first().is_some_and(|r| r.owners.is_empty()) {
                    "free"
                } else {
                    "still held: see `clawkit ports`"
                }
            );
        }
    }

    fn install(&self, force: bool, args: &ServiceArgs, out: &mut dyn Write) -> Result<ExitStatus> {
        let cli = self.settings.paths.cli.as_ref().ok_or_else(|| {
            Error::Usage("`openclaw` is not on PATH; install it (npm install -g openclaw) or put it on PATH, then run this again".into())
        })?;
        let command = cli.command.display().to_string();
        let mut argv = vec!["gateway", "install"];
        if force {
            argv.push("--force");
        }
        let port = self.port()?.to_string();
        argv.extend(["--port", port.as_str()]);
        let env: Vec<(&str, &str)> = [
            "OPENCLAW_STATE_DIR",
            "OPENCLAW_CONFIG_PATH",
            "OPENCLAW_PROFILE",
            "OPENCLAW_HOME",
            "HOME",
        ]
        .iter()
        .filter_map(|k| self.settings.env.get(k).map(|v| (*k, v)))
        .collect();
        let result = self
            .runner
            .run(&command, &argv, &env, Duration::from_secs(180))
            .map_err(|e| Error::Usage(format!("{command} could not run: {e}")))?;
        let config = self.settings.load_config()?;
        let mut findings = Vec::new();
        let mut found = Vec::new();
        for def in service::find(&self.settings.paths) {
            match def {
                Ok(def) => {
                    findings.extend(service::audit::audit(
                        &def,
                        &self.settings.paths,
                        &config,
                        &self.settings.env,
                    ));
                    found.push(def.path.display().to_string());
                }
                Err(e) => findings.push(Finding::new(
                    codes::SERVICE_FILE_UNREADABLE,
                    Severity::Error,
                    e,
                )),
            }
        }
        let ran = format!("{command} {}", argv.join(" "));
        if args.json {
            print_json(
                out,
                &json!({"schemaVersion": 1, "ran": ran, "exitCode": result.code, "openclawSaid": (!result.success()).then(|| crate::secret::redact_text(&result.reason())), "services": found, "findings": findings}),
            );
        } else {
            say!(
                out,
                "ran: {ran} → exit {}",
                result.code.map_or("?".into(), |c| c.to_string())
            );
            if !result.success() {
                say!(
                    out,
                    "  openclaw said: {}",
                    crate::secret::redact_text(&result.reason())
                );
            }
            if found.is_empty() {
                say!(out, "  no service definition was written");
            }
            for f in &found {
                say!(out, "  service definition: {f}");
            }
            for f in &findings {
                say_finding(out, f, false);
            }
            if result.success() && findings.is_empty() && !found.is_empty() {
                say!(out, "  audit: clean");
            }
        }
        Ok(
            if result.success()
                && !found.is_empty()
                && findings.iter().all(|f| f.severity < Severity::Warning)
            {
                ExitStatus::Success
            } else {
                ExitStatus::Problems
            },
        )
    }
}

/// `GET /readyz` on loopback: `Some(true)` on 200, `Some(false)` on another status, `None`
/// when nothing answers HTTP.
fn readyz(port: u16) -> Option<bool> {
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    let mut s = std::net::TcpStream::connect_timeout(&addr, Duration::from_secs(1)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    s.write_all(
        format!("GET /readyz HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n")
            .as_bytes(),
    )
    .ok()?;
    let mut head = [0u8; 64];
    let n = s.read(&mut head).ok()?;
    let line = String::from_utf8_lossy(&head[..n]);
    let code = line.split_whitespace().nth(1)?;
    line.starts_with("HTTP/").then(|| code == "200")
}

fn wait_port_free(host: &dyn Host, port: u16, bound: Duration) {
    let deadline = Instant::now() + bound;
    while Instant::now() < deadline {
        let held = host
            .listeners()
            .map(|l| l.iter().any(|l| l.addr.port() == port))
            .unwrap_or(false);
        if !held {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}
