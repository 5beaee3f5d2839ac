//! Who holds the gateway's ports: the port inspection's findings, as they are; for a gateway
//! on another host, that this machine's ports are not its.

use super::{Facts, ON_THE_GATEWAY_HOST, elsewhere};
use crate::doctor::{Check, Group};
use crate::finding::{Finding, Severity, codes};

pub(super) fn check(f: &Facts) -> Check {
    let findings = match elsewhere(f) {
        Some(t) => {
            let mut x = Finding::new(
                codes::GATEWAY_ELSEWHERE,
                Severity::Info,
                format!(
                    "the CLI talks to the {}: its port, service, process and log are on that host, not this machine",
                    t.describe()
                ),
            );
            if t.endpoint().is_some_and(|e| e.is_loopback()) {
                x = x.evidence(
                    "the URL is this machine's loopback: the local end of a tunnel (SSH, a proxy) or another install's gateway",
                );
            }
            vec![x.next(ON_THE_GATEWAY_HOST)]
        }
        None => f
            .ports
            .as_ref()
            .map(|p| p.findings.clone())
            .unwrap_or_default(),
    };
    Check::new(
        "port",
        Group::Port,
        "Who holds the gateway's ports",
        findings,
    )
}
