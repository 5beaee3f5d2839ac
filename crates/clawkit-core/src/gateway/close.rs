//! What a close frame during the handshake means. The gateway closes a rejected handshake with
//! its error message as the close reason (1008, cut to the 123-byte limit), so a close that
//! arrives without the error frame still names the failure. The words below are the gateway's
//! own (its messages, its `details.code`s, and the `reason=` / `authReason` / `cause=` forms it
//! writes for the same failures): protocol facts, kept here so the client needs no error
//! catalog to read them.

use crate::verdict::Verdict;

/// The failures a close reason can name that clawkit acts on differently from a rejection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Named {
    GatewayToken,
    DeviceToken,
    Pairing,
}

/// The gateway's wordings, matched anywhere in the reason, ignoring ASCII case.
const WORDINGS: &[(&str, Named)] = &[
    ("gateway token mismatch", Named::GatewayToken),
    ("AUTH_TOKEN_MISMATCH", Named::GatewayToken),
    ("reason=token_mismatch", Named::GatewayToken),
    ("authReason=token_mismatch", Named::GatewayToken),
    ("\"authReason\":\"token_mismatch\"", Named::GatewayToken),
    ("device token mismatch", Named::DeviceToken),
    ("AUTH_DEVICE_TOKEN_MISMATCH", Named::DeviceToken),
    ("reason=device_token_mismatch", Named::DeviceToken),
    (
        "\"authReason\":\"device_token_mismatch\"",
        Named::DeviceToken,
    ),
    ("pairing required", Named::Pairing),
    ("PAIRING_REQUIRED", Named::Pairing),
    ("device pairing required", Named::Pairing),
    ("role upgrade pending approval", Named::Pairing),
    ("scope upgrade pending approval", Named::Pairing),
    ("device metadata change pending approval", Named::Pairing),
    ("cause=pairing-required", Named::Pairing),
    (
        "device identity changed and must be re-approved",
        Named::Pairing,
    ),
];

/// Close 1013: the gateway is still starting.
const TRY_AGAIN_LATER: u16 = 1013;

impl Verdict {
    /// The verdict for a close frame with `code` and `reason` received during the handshake.
    pub fn from_close(code: u16, reason: &str) -> Verdict {
        if code == TRY_AGAIN_LATER {
            return Verdict::Starting {
                retry_after_ms: None,
            };
        }
        let message = reason.to_string();
        match named(reason) {
            Some(Named::GatewayToken) => Verdict::GatewayTokenMismatch { message },
            Some(Named::DeviceToken) => Verdict::DeviceTokenMismatch { message },
            Some(Named::Pairing) => Verdict::PairingRequired {
                message,
                request_id: None,
                reason: None,
            },
            None => Verdict::Rejected {
                code: format!("close {code}"),
                detail_code: None,
                message,
            },
        }
    }
}

/// The failure named first in `reason` (the longest wording where two start at one place).
fn named(reason: &str) -> Option<Named> {
    let reason = reason.to_ascii_lowercase();
    WORDINGS
        .iter()
        .filter_map(|(words, named)| {
            let at = reason.find(&words.to_ascii_lowercase())?;
            Some((at, std::cmp::Reverse(words.len()), *named))
        })
        .min_by_key(|(at, longest, _)| (*at, *longest))
        .map(|(_, _, named)| named)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(code: u16, reason: &str) -> &'static str {
        Verdict::from_close(code, reason).name()
    }

    #[test]
    fn every_wording_names_its_failure() {
        for (words, named) in WORDINGS {
            let expected = match named {
                Named::GatewayToken => "gateway token mismatch",
                Named::DeviceToken => "device token mismatch",
                Named::Pairing => "pairing required",
            };
            let reason = format!("some prefix: {words} (and a suffix)");
            assert_eq!(name(1008, &reason), expected, "{reason}");
            assert_eq!(name(1008, &reason.to_uppercase()), expected, "{reason}");
        }
    }

    #[test]
    fn observed_close_reasons() {
        let cases = [
            (
                1008,
                "unauthorized: gateway token mismatch (use this gateway's gateway.auth.token or pair the device)",
                "gateway token mismatch",
            ),
            (
                1008,
                "unauthorized: device token mismatch (rotate/reissue device token)",
                "device token mismatch",
            ),
            (
                1008,
                "pairing required: device is not approved yet (requestId: 364af9a1-8515-4d86-bb83-04a051f7ea24)",
                "pairing required",
            ),
            (
                1008,
                "pairing required: device is asking for more scopes than currently approved",
                "pairing required",
            ),
            (1013, "gateway starting", "gateway starting"),
            (1008, "unauthorized: gateway token missing (x)", "rejected"),
            (
                1008,
                "unauthorized: device token scope mismatch (re-pair or approve scope upgrade)",
                "rejected",
            ),
            (4001, "gateway auth changed", "rejected"),
            (1002, "protocol mismatch", "rejected"),
            (1008, "", "rejected"),
        ];
        for (code, reason, expected) in cases {
            assert_eq!(name(code, reason), expected, "{code} {reason}");
        }
        assert_eq!(
            Verdict::from_close(4001, "client invalidated: device-pair-removed"),
            Verdict::Rejected {
                code: "close 4001".into(),
                detail_code: None,
                message: "client invalidated: device-pair-removed".into()
            }
        );
    }

    #[test]
    fn the_first_named_failure_wins() {
        assert_eq!(
            name(1008, "device token mismatch; pairing required"),
            "device token mismatch"
        );
        assert_eq!(
            name(1008, "pairing required after gateway token mismatch"),
            "pairing required"
        );
        // `device pairing required` starts before its `pairing required`.
        assert_eq!(name(1008, "x device pairing required"), "pairing required");
    }
}
