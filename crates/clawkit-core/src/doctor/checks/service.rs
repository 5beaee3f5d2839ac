//! The service definitions the gateway runs from, through the service audit.

use super::Facts;
use crate::doctor::{Check, Group};
use crate::finding::{Finding, Severity, codes};
use crate::openclaw::config::LoadedConfig;

pub(super) fn check(f: &Facts, config: &LoadedConfig) -> Check {
    let mut v = Vec::new();
    for e in &f.service_errors {
        v.push(Finding::new(
            codes::SERVICE_FILE_UNREADABLE,
            Severity::Error,
            e.clone(),
        ));
    }
    for def in &f.services {
        let found = crate::service::audit::audit(def, &f.paths, config, &f.shell);
        if found.is_empty() {
            v.push(Finding::new(
                codes::SERVICE_OK,
                Severity::Ok,
                format!("{} {}: nothing wrong", def.name, def.path.display()),
            ));
        }
        v.extend(found);
    }
    if f.services.is_empty() && f.service_errors.is_empty() {
        v.push(Finding::new(
            codes::SERVICE_NONE,
            Severity::Info,
            "no service definition: the gateway is started by hand (or by something clawkit does not read)",
        ));
    }
    Check::new("service", Group::Service, "Service definition", v)
}
