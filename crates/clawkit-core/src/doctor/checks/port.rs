//! Who holds the gateway's ports: the port inspection's findings, as they are.

use super::Facts;
use crate::doctor::{Check, Group};

pub(super) fn check(f: &Facts) -> Check {
    let findings = f
        .ports
        .as_ref()
        .map(|p| p.findings.clone())
        .unwrap_or_default();
    Check::new(
        "port",
        Group::Port,
        "Who holds the gateway's ports",
        findings,
    )
}
