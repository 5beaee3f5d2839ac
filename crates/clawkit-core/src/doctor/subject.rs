//! What a finding is about, in types, for the code that acts on findings: the plan and the
//! cause ranking (next, the monitor's alerts). The JSON says the same in words, so none of
//! this is serialized, and nothing downstream reads a summary or an evidence line to learn it.
//!
//! A [`Check`](super::Check) carries its findings' subjects. They belong on `Finding` itself
//! once nothing builds findings as struct literals (host/ports.rs still does).

use crate::gateway::Verdict;
use crate::openclaw::auth::SecretKind;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    /// The `kind` shared secret that `Facts::services[def]` sets in the gateway's environment.
    ServiceSecret { def: usize, kind: SecretKind },
    /// Auth failures the gateway logged for one client.
    LogClient {
        client: ClientKind,
        refusal: Refusal,
    },
}

/// What a connection was refused for: the failures a cause can explain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The shared secret (the gateway's token or password).
    SharedSecret,
    /// The client's device token.
    DeviceToken,
    /// The device is not paired, or its repair waits for approval.
    Pairing,
    /// Anything else: nothing listens, not a gateway, a timeout, a scope.
    Other,
}

impl Refusal {
    pub fn of_verdict(v: &Verdict) -> Refusal {
        match v {
            Verdict::GatewayTokenMismatch { .. }
            | Verdict::GatewayTokenMissing { .. }
            | Verdict::PasswordMismatch { .. }
            | Verdict::PasswordMissing { .. } => Refusal::SharedSecret,
            Verdict::DeviceTokenMismatch { .. } => Refusal::DeviceToken,
            Verdict::PairingRequired { .. } => Refusal::Pairing,
            _ => Refusal::Other,
        }
    }

    /// From the `reason` OpenClaw logs with an auth failure (`token_mismatch`,
    /// `password_missing`, `device_token_mismatch`, `pairing_required`, …). An auth failure
    /// that names neither a device token nor pairing is about the shared secret.
    pub fn of_log_reason(reason: &str) -> Refusal {
        if reason.contains("device_token") {
            Refusal::DeviceToken
        } else if reason.contains("pairing") {
            Refusal::Pairing
        } else {
            Refusal::SharedSecret
        }
    }
}

/// Which client an OpenClaw client id names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientKind {
    Cli,
    /// The browser Control UI (webchat).
    ControlUi,
    Probe,
    Node,
    CompanionApp,
    Other,
}

impl ClientKind {
    /// From the log's `<client id>/<mode>` (`cli/cli`, `openclaw-control-ui/webchat`).
    pub fn of_log_client(client: &str) -> ClientKind {
        match client.split('/').next().unwrap_or(client) {
            "cli" => ClientKind::Cli,
            "openclaw-control-ui" | "webchat-ui" | "webchat" => ClientKind::ControlUi,
            "openclaw-probe" => ClientKind::Probe,
            "node-host" | "openclaw-node" | "node" => ClientKind::Node,
            "openclaw-macos" | "openclaw-ios" | "openclaw-android" => ClientKind::CompanionApp,
            _ => ClientKind::Other,
        }
    }

    pub fn words(self) -> &'static str {
        match self {
            ClientKind::Cli => "the openclaw CLI",
            ClientKind::ControlUi => "the Control UI (a browser)",
            ClientKind::Probe => "a gateway probe",
            ClientKind::Node => "a device node",
            ClientKind::CompanionApp => "a companion app",
            ClientKind::Other => "a client",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_clients_and_reasons() {
        assert_eq!(ClientKind::of_log_client("cli/cli"), ClientKind::Cli);
        assert_eq!(
            ClientKind::of_log_client("openclaw-control-ui/webchat"),
            ClientKind::ControlUi
        );
        assert_eq!(ClientKind::of_log_client("?/?"), ClientKind::Other);
        assert_eq!(
            Refusal::of_log_reason("device_token_mismatch"),
            Refusal::DeviceToken
        );
        assert_eq!(Refusal::of_log_reason("pairing_required"), Refusal::Pairing);
        assert_eq!(
            Refusal::of_log_reason("token_mismatch"),
            Refusal::SharedSecret
        );
    }
}
