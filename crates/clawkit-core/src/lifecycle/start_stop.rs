//! Start and stop: through the supervisor when one has the service; an unsupervised gateway
//! is stopped with a verified SIGTERM and never started in the background by clawkit.

use super::restart::{perform, settled, supervising};
use super::{Live, SupervisedChange, Waits, this_gateway, wait_port_free};
use crate::error::Error;
use crate::event::{Cancel, Event, Observer};
use crate::finding::codes;
use crate::host::kill::{Stopped, stop as stop_process};
use crate::host::ports::PortsReport;
use crate::service::{Action, Manager};
use crate::target::Target;
use serde::Serialize;
use std::time::Duration;

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase", tag = "outcome")]
pub enum Started {
    /// This state dir's gateway was already running.
    AlreadyRunning {
        pid: u32,
        port: u16,
        boot_id: Option<String>,
    },
    Supervised(Box<SupervisedChange>),
}

/// Starts the gateway through its supervisor. Refuses when the port is taken or nothing
/// supervises it, naming what to run instead.
pub async fn start(
    target: &Target,
    waits: Waits,
    obs: &mut dyn Observer,
    cancel: &Cancel,
) -> Result<Started, Error> {
    super::local_only(target, "start")?;
    let report = crate::probe::inspect_ports(target, waits.handshake).await?;
    if let Some(p) = this_gateway(&report) {
        let live = Live::of_report(&report).await;
        return Ok(Started::AlreadyRunning {
            pid: p.pid,
            port: report.port,
            boot_id: live.boot_id,
        });
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
    let Some((manager, _)) = supervising(target).await else {
        return Err(Error::Refused(format!(
            "no service manager runs a gateway service here, so clawkit cannot start it in the background. Run it in the foreground: `openclaw gateway run --port {}`, or install a service: `clawkit gateway install`",
            report.port
        )));
    };
    perform(target, manager, Action::Start).await?;
    obs.on(Event::Progress {
        message: format!("{manager:?} started the service"),
    });
    Ok(Started::Supervised(Box::new(
        settled(target, manager, None, waits, obs, cancel).await?,
    )))
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase", tag = "how")]
pub enum StopOutcome {
    Supervised {
        manager: Manager,
        #[serde(skip)]
        report: PortsReport,
    },
    Signalled {
        pid: u32,
        #[serde(skip)]
        how: Stopped,
        #[serde(skip)]
        report: PortsReport,
    },
    /// No gateway of this state dir was running; `free` says whether the port is.
    NotRunning { port: u16, free: bool },
}

/// Stops the gateway: the supervisor's stop, else a verified SIGTERM (SIGKILL after the
/// wait), then waits for the port to be released.
pub async fn stop(
    target: &Target,
    waits: Waits,
    obs: &mut dyn Observer,
) -> Result<StopOutcome, Error> {
    super::local_only(target, "stop")?;
    if let Some((manager, _)) = supervising(target).await {
        perform(target, manager, Action::Stop).await?;
        let port = target.paths.port(&target.load_config()?, &target.env).value;
        wait_port_free(target.host.clone(), port, waits.ready).await;
        let report = crate::probe::inspect_ports(target, waits.handshake).await?;
        return Ok(StopOutcome::Supervised { manager, report });
    }
    let report = crate::probe::inspect_ports(target, waits.handshake).await?;
    let Some(p) = this_gateway(&report).cloned() else {
        return Ok(StopOutcome::NotRunning {
            port: report.port,
            free: report.ports.first().is_some_and(|r| r.owners.is_empty()),
        });
    };
    obs.on(Event::Progress {
        message: format!("stopping pid {} with SIGTERM", p.pid),
    });
    let host = target.host.clone();
    let grace = waits.ready.max(Duration::from_secs(1));
    let victim = p.clone();
    let how = crate::blocking::blocking(move || stop_process(host.as_ref(), &victim, true, grace))
        .await
        .map_err(|e| Error::Refused(e.to_string()))?;
    wait_port_free(target.host.clone(), report.port, Duration::from_secs(5)).await;
    let report = crate::probe::inspect_ports(target, waits.handshake).await?;
    Ok(StopOutcome::Signalled {
        pid: p.pid,
        how,
        report,
    })
}
