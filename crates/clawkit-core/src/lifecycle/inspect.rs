//! Who holds the ports before and after a lifecycle change, and which of them is this
//! install's gateway.

use crate::host::ProcessInfo;
use crate::host::ports::{Class, PortsReport};

/// The process of this state dir's gateway holding the base port, if any.
pub fn this_gateway(report: &PortsReport) -> Option<&ProcessInfo> {
    report.ports.first().and_then(|row| {
        row.owners
            .iter()
            .find(|o| o.class == Class::ThisGateway)
            .and_then(|o| o.process.as_ref())
    })
}
