//! The service definitions the gateway runs from, through the service audit. The audit's
//! findings about a secret in a definition's environment get that entry as their subject, so
//! the plan removes the entry each one is about.

use super::{Facts, Found, ON_THE_GATEWAY_HOST, elsewhere, in_container};
use crate::doctor::subject::Subject;
use crate::doctor::{Check, Group};
use crate::finding::{Finding, Severity, codes};
use crate::openclaw::auth::SecretKind;
use crate::openclaw::config::LoadedConfig;
use crate::service::ServiceDef;

pub(super) fn check(f: &Facts, config: &LoadedConfig) -> Check {
    let mut found = Found::default();
    if elsewhere(f).is_some() {
        found.push(
            Finding::new(
                codes::GATEWAY_ELSEWHERE,
                Severity::Info,
                if f.services.is_empty() {
                    "the gateway's service definition is on its host".to_string()
                } else {
                    format!(
                        "a gateway service is installed here ({}), but the CLI talks to the gateway on another host",
                        f.services[0].path.display()
                    )
                },
            )
            .next(ON_THE_GATEWAY_HOST),
        );
        return found.into_check("service", Group::Service, "Service definition");
    }
    for e in &f.service_errors {
        found.push(Finding::new(
            codes::SERVICE_FILE_UNREADABLE,
            Severity::Error,
            e.clone(),
        ));
    }
    for (i, def) in f.services.iter().enumerate() {
        let audit = crate::service::audit::audit(def, &f.paths, config, &f.shell);
        if audit.is_empty() {
            found.push(Finding::new(
                codes::SERVICE_OK,
                Severity::Ok,
                format!("{} {}: nothing wrong", def.name, def.path.display()),
            ));
        }
        let mut secrets = secret_entries(def).peekable();
        for finding in audit {
            match secrets.next_if(|_| codes::SERVICE_SECRET.contains(&finding.code)) {
                Some(kind) => found.push_about(finding, Subject::ServiceSecret { def: i, kind }),
                None => found.push(finding),
            }
        }
    }
    if f.services.is_empty() && f.service_errors.is_empty() {
        found.push(Finding::new(
            codes::SERVICE_NONE,
            Severity::Info,
            if in_container(f) {
                "no service definition here: the gateway runs in a container, which its restart policy keeps up"
            } else {
                "no service definition: the gateway is started by hand (or by something clawkit does not read)"
            },
        ));
    }
    found.into_check("service", Group::Service, "Service definition")
}

/// The kinds of shared secret `def` sets in its environment, in the order the audit reports
/// them: it makes one `codes::SERVICE_SECRET` finding per such entry, the token's first
/// (`service::audit::secrets`). The table test with a token and a password pins that order.
fn secret_entries(def: &ServiceDef) -> impl Iterator<Item = SecretKind> + '_ {
    [SecretKind::Token, SecretKind::Password]
        .into_iter()
        .filter(|kind| {
            def.env(kind.env_var())
                .is_some_and(|e| !e.value.trim().is_empty())
        })
}
