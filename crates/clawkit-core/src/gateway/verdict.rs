//! How the gateway's handshake error frames (`res.error`) become a [`Verdict`]: the gateway's
//! `details.code` vocabulary, as observed on real gateways.

use crate::verdict::Verdict;
use serde_json::Value;

impl Verdict {
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
