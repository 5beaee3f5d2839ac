//! One look at the gateway: supervisor, process, port owners, readiness, version, boot id
//! and the audit of every service definition.

use super::{Live, this_gateway};
use crate::error::Error;
use crate::finding::codes;
use crate::finding::{Finding, Severity};
use crate::host::ProcessInfo;
use crate::host::ports::PortsReport;
use crate::openclaw::config::LoadedConfig;
use crate::service::manager::ServiceState;
use crate::service::{self, Manager, ServiceDef};
use crate::target::Target;
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct GatewayStatus {
    /// The manager and its state, when it has the gateway's service loaded.
    pub supervisor: Option<(Manager, ServiceState)>,
    pub manager_detected: Option<Manager>,
    pub gateway: Live,
    pub process: Option<ProcessInfo>,
    pub ports: PortsReport,
    pub services: Vec<ServiceView>,
    /// The port findings followed by every service audit finding.
    pub findings: Vec<Finding>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct ServiceView {
    pub definition: ServiceDef,
    pub findings: Vec<Finding>,
}

impl GatewayStatus {
    /// Up, accepted, this state dir's process, and nothing worse than information.
    pub fn healthy(&self) -> bool {
        let worst = crate::finding::worst(&self.findings);
        self.gateway.verdict.is_ok() && self.process.is_some() && worst <= Severity::Info
    }
}

pub async fn status(target: &Target) -> Result<GatewayStatus, Error> {
    super::local_only(target, "status")?;
    let config = target.load_config()?;
    let ports = crate::probe::inspect_ports(target, Duration::from_secs(2)).await?;
    let supervisor = super::restart::supervising(target).await;
    let gateway = Live::of_report(&ports).await;
    let (services, audit) = audit_services(target, &config);
    let mut findings: Vec<Finding> = ports.findings.clone();
    findings.extend(audit);
    Ok(GatewayStatus {
        supervisor,
        manager_detected: target.manager,
        gateway,
        process: this_gateway(&ports).cloned(),
        ports,
        services,
        findings,
    })
}

/// Every service definition of this install with its audit, and every finding (an
/// unreadable definition is one too).
pub(super) fn audit_services(
    target: &Target,
    config: &LoadedConfig,
) -> (Vec<ServiceView>, Vec<Finding>) {
    let mut views = Vec::new();
    let mut findings = Vec::new();
    for def in service::find(&target.paths) {
        match def {
            Ok(def) => {
                let audit = service::audit::audit(&def, &target.paths, config, &target.env);
                findings.extend(audit.iter().cloned());
                views.push(ServiceView {
                    definition: def,
                    findings: audit,
                });
            }
            Err(e) => findings.push(Finding::new(
                codes::SERVICE_FILE_UNREADABLE,
                Severity::Error,
                e,
            )),
        }
    }
    (views, findings)
}
