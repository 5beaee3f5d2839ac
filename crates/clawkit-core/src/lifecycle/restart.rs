//! Restart and verify: through the supervisor, or by the gateway's own restart request when
//! nothing supervises it. Done means ready again, from a new boot, on the right process.

use super::{BootMark, Live, Waits, live, this_gateway, wait_ready};
use crate::error::Error;
use crate::event::{Cancel, Event, Observer};
use crate::finding::codes;
use crate::finding::{Finding, Severity};
use crate::gateway::{ConnectOptions, Credential, connect};
use crate::host::ports::PortsReport;
use crate::openclaw::auth::admin_credential;
use crate::service::manager::ServiceState;
use crate::service::{Action, Manager};
use crate::target::Target;
use serde::Serialize;
use serde_json::{Value, json};

/// How a restart went.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum Restarted {
    Supervised(Box<SupervisedChange>),
    Requested(Box<SelfRestart>),
}

impl Restarted {
    /// One line for how it went.
    pub fn summary(&self) -> String {
        match self {
            Restarted::Supervised(c) => c.summary("restarted"),
            Restarted::Requested(s) => s.summary(),
        }
    }

    /// Problems seen after the change (a zombie, a listener that is not the supervisor's).
    pub fn problems(&self) -> &[Finding] {
        match self {
            Restarted::Supervised(s) => &s.problems,
            Restarted::Requested(r) => &r.problems,
        }
    }
}

/// A start or restart through the service manager, after it settled.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SupervisedChange {
    pub manager: Manager,
    pub service: ServiceState,
    pub gateway: Live,
    pub waited_ms: u64,
    pub problems: Vec<Finding>,
}

impl SupervisedChange {
    /// "`verb` `unit` via Systemd: ready in 1.2 s, boot …, main pid …".
    pub fn summary(&self, verb: &str) -> String {
        format!(
            "{verb} {} via {:?}: ready in {:.1} s, boot {}, main pid {}",
            self.service.name,
            self.manager,
            self.waited_ms as f64 / 1000.0,
            self.gateway.boot_id.as_deref().unwrap_or("?"),
            self.service.main_pid.map_or("?".into(), |p| p.to_string())
        )
    }
}

impl SelfRestart {
    pub fn summary(&self) -> String {
        format!(
            "restarted: boot {} → {} in {:.1} s; port {} held by pid {}",
            self.old_boot_id.as_deref().unwrap_or("?"),
            self.boot_id.as_deref().unwrap_or("?"),
            self.waited_ms as f64 / 1000.0,
            self.port,
            self.pid.map_or("?".into(), |p| p.to_string())
        )
    }
}

/// An unsupervised gateway that restarted itself on request.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SelfRestart {
    pub ack: Value,
    pub old_boot_id: Option<String>,
    pub boot_id: Option<String>,
    pub uptime_ms_before: Option<u64>,
    pub uptime_ms: Option<u64>,
    pub pid_before: u32,
    pub pid: Option<u32>,
    pub port: u16,
    pub waited_ms: u64,
    pub problems: Vec<Finding>,
    #[serde(skip)]
    pub report: PortsReport,
}

/// Restarts the gateway of `target` and waits until a new boot is ready. `secret` is the
/// shared secret to ask an unsupervised gateway with (`Credential::None`: this client's).
pub async fn restart(
    target: &Target,
    secret: &Credential,
    waits: Waits,
    obs: &mut dyn Observer,
    cancel: &Cancel,
) -> Result<Restarted, Error> {
    super::local_only(target, "restart")?;
    let dir = target.paths.state_dir.value.clone();
    crate::blocking::blocking(move || {
        super::intent::announce(&dir, "clawkit (gateway restart or doctor --fix)")
    })
    .await;
    if let Some((manager, _)) = supervising(target).await {
        let before = live(target, waits.handshake).await?;
        let mark = BootMark::of(target, before.boot_id, before.uptime_ms);
        perform(target, manager, Action::Restart).await?;
        obs.on(Event::Progress {
            message: format!("{manager:?} restarted the service"),
        });
        let change = settled(target, manager, Some(&mark), waits, obs, cancel).await?;
        return Ok(Restarted::Supervised(Box::new(change)));
    }
    request_restart(target, secret, waits, obs, cancel)
        .await
        .map(|r| Restarted::Requested(Box::new(r)))
}

/// The manager and the service's state, when one runs and has the gateway's service loaded.
pub(super) async fn supervising(target: &Target) -> Option<(Manager, ServiceState)> {
    let manager = target.manager?;
    let t = target.clone();
    let state = crate::blocking::blocking(move || manager.state(t.runner.as_ref(), &t.paths)).await;
    state.loaded.then_some((manager, state))
}

pub(super) async fn perform(
    target: &Target,
    manager: Manager,
    action: Action,
) -> Result<(), Error> {
    let t = target.clone();
    crate::blocking::blocking(move || manager.perform(t.runner.as_ref(), action, &t.paths))
        .await
        .map_err(Error::from)
}

/// After a supervisor start/restart: ready, a new boot, and the port held by the service's
/// main pid — asked afresh, since the restart changed it.
pub(super) async fn settled(
    target: &Target,
    manager: Manager,
    before: Option<&BootMark>,
    waits: Waits,
    obs: &mut dyn Observer,
    cancel: &Cancel,
) -> Result<SupervisedChange, Error> {
    let (gateway, waited_ms) = wait_ready(target, before, waits.ready, obs, cancel).await?;
    let t = target.clone();
    let service =
        crate::blocking::blocking(move || manager.state(t.runner.as_ref(), &t.paths)).await;
    let report = crate::probe::inspect_ports(target, waits.handshake).await?;
    let mut problems = serious(&report);
    let holder = report
        .ports
        .first()
        .and_then(|r| r.owners.iter().find_map(|o| o.pid));
    if let (Some(main), Some(h)) = (service.main_pid, holder)
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
                report.port, service.name
            ),
        ));
    }
    Ok(SupervisedChange {
        manager,
        service,
        gateway,
        waited_ms,
        problems,
    })
}

pub(super) fn serious(report: &PortsReport) -> Vec<Finding> {
    report
        .findings
        .iter()
        .filter(|f| f.severity >= Severity::Warning)
        .cloned()
        .collect()
}

async fn request_restart(
    target: &Target,
    secret: &Credential,
    waits: Waits,
    obs: &mut dyn Observer,
    cancel: &Cancel,
) -> Result<SelfRestart, Error> {
    let report = crate::probe::inspect_ports(target, waits.handshake).await?;
    let Some(before) = this_gateway(&report).cloned() else {
        return Err(Error::Refused(format!(
            "no gateway of this state dir is running on port {}, and no service manager runs one: start it with `openclaw gateway run --port {}` (see `clawkit ports`)",
            report.port, report.port
        )));
    };
    let config = target.load_config()?;
    let shared = admin_credential(
        &config,
        &target.env,
        secret,
        "restarting an unsupervised gateway",
    )?;
    let mut opts = ConnectOptions::new(format!("ws://127.0.0.1:{}", report.port));
    opts.credential = shared;
    let mut conn = connect(&opts).await.map_err(|v| {
        Error::Refused(format!(
            "the gateway refused the restart request's connection: {}{}",
            v.name(),
            v.message().map(|m| format!(" ({m})")).unwrap_or_default()
        ))
    })?;
    let mark = BootMark::of(target, conn.hello.boot_id.clone(), conn.hello.uptime_ms);
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
    obs.on(Event::Progress {
        message: "the gateway accepted the restart request".into(),
    });
    let (live, waited_ms) = wait_ready(target, Some(&mark), waits.ready, obs, cancel).await?;
    let after = crate::probe::inspect_ports(target, waits.handshake).await?;
    Ok(SelfRestart {
        ack,
        old_boot_id: mark.boot_id,
        boot_id: live.boot_id,
        uptime_ms_before: mark.uptime_ms,
        uptime_ms: live.uptime_ms,
        pid_before: before.pid,
        pid: this_gateway(&after).map(|p| p.pid),
        port: after.port,
        waited_ms,
        problems: serious(&after),
        report: after,
    })
}
