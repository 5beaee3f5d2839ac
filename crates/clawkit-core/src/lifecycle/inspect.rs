//! The port inspection of a target, as the lifecycle steps use it before and after a change.

use crate::error::Error;
use crate::host::ProcessInfo;
use crate::host::ports::{self, Class, Inputs, PortsReport};
use crate::target::Target;
use std::time::Duration;

/// Who holds this install's ports now, with the supervisor's main pid as of now.
pub async fn inspect_ports(target: &Target, handshake: Duration) -> Result<PortsReport, Error> {
    let config = target.load_config()?;
    let probe = target.clone();
    let supervisor = crate::blocking::blocking(move || probe.supervisor()).await;
    let inputs = Inputs {
        paths: &target.paths,
        config: &config,
        env: &target.env,
        host: target.host.as_ref(),
        supervisor,
        handshake_timeout: handshake,
    };
    Ok(ports::inspect(&inputs).await)
}

/// The process of this state dir's gateway holding the base port, if any.
pub fn this_gateway(report: &PortsReport) -> Option<&ProcessInfo> {
    report.ports.first().and_then(|row| {
        row.owners
            .iter()
            .find(|o| o.class == Class::ThisGateway)
            .and_then(|o| o.process.as_ref())
    })
}
