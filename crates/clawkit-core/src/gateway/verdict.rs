//! Every outcome of a connection attempt, as one type: what the gateway (or the network) said,
//! in words clawkit can act on.

use serde::Serialize;
use serde_json::Value;

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

    /// Maps a handshake error frame (`res.error`) to a verdict, by `details.code` first (the
    /// stable key), then the top-level code.
    pub fn from_error(error: &Value) -> Verdict {
        let message = error["message"].as_str().unwrap_or("").to_string();
        let code = error["code"].as_str().unwrap_or("").to_string();
        let details = &error["details"];
        let detail_code = details["code"].as_str().map(str::to_string);
        let retry = error["retryAfterMs"]
            .as_u64()
            .or_else(|| details["retryAfterMs"].as_u64());
        match detail_code.as_deref() {
            Some("AUTH_TOKEN_MISMATCH") => Verdict::GatewayTokenMismatch { message },
            Some("AUTH_TOKEN_MISSING" | "AUTH_TOKEN_NOT_CONFIGURED") => {
                Verdict::GatewayTokenMissing { message }
            }
            Some("AUTH_PASSWORD_MISMATCH") => Verdict::PasswordMismatch { message },
            Some("AUTH_PASSWORD_MISSING" | "AUTH_PASSWORD_NOT_CONFIGURED") => {
                Verdict::PasswordMissing { message }
            }
            Some("AUTH_DEVICE_TOKEN_MISMATCH") => Verdict::DeviceTokenMismatch { message },
            Some("AUTH_SCOPE_MISMATCH") => Verdict::ScopeMismatch { message },
            Some("DEVICE_IDENTITY_REQUIRED" | "CONTROL_UI_DEVICE_IDENTITY_REQUIRED") => {
                Verdict::DeviceIdentityRequired { message }
            }
            Some("PAIRING_REQUIRED") => Verdict::PairingRequired {
                message,
                request_id: details["requestId"].as_str().map(str::to_string),
                reason: details["reason"].as_str().map(str::to_string),
            },
            Some("CONTROL_UI_ORIGIN_NOT_ALLOWED") => Verdict::OriginNotAllowed { message },
            Some("AUTH_RATE_LIMITED") => Verdict::RateLimited {
                message,
                retry_after_ms: retry,
            },
            Some("PROTOCOL_MISMATCH") => Verdict::ProtocolMismatch { message },
            _ if code == "UNAVAILABLE" => Verdict::Starting {
                retry_after_ms: retry,
            },
            _ if message.starts_with("protocol mismatch") => Verdict::ProtocolMismatch { message },
            _ => Verdict::Rejected {
                code,
                detail_code,
                message,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn observed_frames_map_to_verdicts() {
        let cases = [
            (
                json!({"code":"INVALID_REQUEST","message":"unauthorized: gateway token mismatch (x)","details":{"code":"AUTH_TOKEN_MISMATCH"}}),
                "gateway token mismatch",
            ),
            (
                json!({"code":"INVALID_REQUEST","message":"unauthorized: device token mismatch (rotate/reissue device token)","details":{"code":"AUTH_DEVICE_TOKEN_MISMATCH"}}),
                "device token mismatch",
            ),
            (
                json!({"code":"NOT_PAIRED","message":"device identity required","details":{"code":"DEVICE_IDENTITY_REQUIRED"}}),
                "device identity required",
            ),
            (
                json!({"code":"UNAVAILABLE","message":"gateway starting; retry shortly","retryable":true,"retryAfterMs":500}),
                "gateway starting",
            ),
            (
                json!({"code":"INVALID_REQUEST","message":"protocol mismatch","details":{"code":"PROTOCOL_MISMATCH"}}),
                "protocol mismatch",
            ),
            (json!({"code":"X","message":"something new"}), "rejected"),
        ];
        for (frame, name) in cases {
            assert_eq!(Verdict::from_error(&frame).name(), name, "{frame}");
        }
        let pairing = Verdict::from_error(
            &json!({"code":"NOT_PAIRED","message":"pairing required: device is not approved yet","details":{"code":"PAIRING_REQUIRED","reason":"not-paired","requestId":"r-1"}}),
        );
        assert_eq!(
            pairing,
            Verdict::PairingRequired {
                message: "pairing required: device is not approved yet".into(),
                request_id: Some("r-1".into()),
                reason: Some("not-paired".into())
            }
        );
    }
}
