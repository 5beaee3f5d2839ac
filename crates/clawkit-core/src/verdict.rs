//! Every outcome of a connection attempt, as one type: what the gateway (or the network) said,
//! in words clawkit can act on.
//!
//! A leaf of its own, not part of `gateway`, because the machine layer (`host::ports`), the
//! error catalog and the doctor all judge by it without needing the protocol client. How
//! frames and close reasons become verdicts is protocol knowledge and stays in `gateway`
//! (`gateway/verdict.rs`, `gateway/close.rs`); `gateway::Verdict` re-exports this type.

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "verdict", rename_all = "kebab-case")]
pub enum Verdict {
    /// Authenticated; `hello-ok` received.
    Ok,
    /// Nothing listens at the address.
    ConnectionRefused {
        detail: String,
    },
    /// Something answered, but not as an OpenClaw gateway (an HTTP reply, or a WebSocket that
    /// never sent `connect.challenge`).
    NotAGateway {
        detail: String,
    },
    /// The gateway is up but still starting (close 1013 / `UNAVAILABLE`).
    Starting {
        retry_after_ms: Option<u64>,
    },
    GatewayTokenMismatch {
        message: String,
    },
    GatewayTokenMissing {
        message: String,
    },
    PasswordMismatch {
        message: String,
    },
    PasswordMissing {
        message: String,
    },
    DeviceTokenMismatch {
        message: String,
    },
    ScopeMismatch {
        message: String,
    },
    DeviceIdentityRequired {
        message: String,
    },
    PairingRequired {
        message: String,
        request_id: Option<String>,
        reason: Option<String>,
    },
    OriginNotAllowed {
        message: String,
    },
    RateLimited {
        message: String,
        retry_after_ms: Option<u64>,
    },
    ProtocolMismatch {
        message: String,
    },
    TlsPinMismatch {
        expected: String,
        actual: String,
    },
    Tls {
        detail: String,
    },
    Timeout {
        phase: String,
        after_ms: u64,
    },
    /// Any other rejection, with the gateway's code and message.
    Rejected {
        code: String,
        detail_code: Option<String>,
        message: String,
    },
}

impl Verdict {
    pub fn is_ok(&self) -> bool {
        matches!(self, Verdict::Ok)
    }

    /// A short name for tables and logs.
    pub fn name(&self) -> &'static str {
        match self {
            Verdict::Ok => "ok",
            Verdict::ConnectionRefused { .. } => "connection refused",
            Verdict::NotAGateway { .. } => "not a gateway",
            Verdict::Starting { .. } => "gateway starting",
            Verdict::GatewayTokenMismatch { .. } => "gateway token mismatch",
            Verdict::GatewayTokenMissing { .. } => "gateway token missing",
            Verdict::PasswordMismatch { .. } => "gateway password mismatch",
            Verdict::PasswordMissing { .. } => "gateway password missing",
            Verdict::DeviceTokenMismatch { .. } => "device token mismatch",
            Verdict::ScopeMismatch { .. } => "scope mismatch",
            Verdict::DeviceIdentityRequired { .. } => "device identity required",
            Verdict::PairingRequired { .. } => "pairing required",
            Verdict::OriginNotAllowed { .. } => "origin not allowed",
            Verdict::RateLimited { .. } => "rate limited",
            Verdict::ProtocolMismatch { .. } => "protocol mismatch",
            Verdict::TlsPinMismatch { .. } => "TLS certificate pin mismatch",
            Verdict::Tls { .. } => "TLS error",
            Verdict::Timeout { .. } => "timeout",
            Verdict::Rejected { .. } => "rejected",
        }
    }

    /// The gateway's (or the network's) own words, when there are any.
    pub fn message(&self) -> Option<&str> {
        match self {
            Verdict::GatewayTokenMismatch { message }
            | Verdict::GatewayTokenMissing { message }
            | Verdict::PasswordMismatch { message }
            | Verdict::PasswordMissing { message }
            | Verdict::DeviceTokenMismatch { message }
            | Verdict::ScopeMismatch { message }
            | Verdict::DeviceIdentityRequired { message }
            | Verdict::PairingRequired { message, .. }
            | Verdict::OriginNotAllowed { message }
            | Verdict::RateLimited { message, .. }
            | Verdict::ProtocolMismatch { message }
            | Verdict::Rejected { message, .. } => Some(message),
            Verdict::ConnectionRefused { detail }
            | Verdict::NotAGateway { detail }
            | Verdict::Tls { detail } => Some(detail),
            _ => None,
        }
    }
}
