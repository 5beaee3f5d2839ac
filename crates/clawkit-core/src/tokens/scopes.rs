//! Which scopes a refreshed device token asks for, decided once for `gateway token rotate`, its
//! in-band variant and the doctor's refresh step.

use crate::openclaw::state::DeviceState;

/// What OpenClaw's own client asks for when it has nothing stored (`defaultScopes` in
/// `resolveGatewayConnectScopes`).
pub const DEFAULT_SCOPES: &[&str] = &["operator.admin"];

/// The scopes to request for `device_id`'s `role` token:
///
/// 1. the cached token's scopes: they are what this client connects with (OpenClaw's CLI
///    presents its stored scopes with its stored token), so the fresh token keeps working for
///    exactly what the client does now;
/// 2. else the scopes of the token the gateway issued to this paired device: the gateway
///    approved them, so asking for them neither widens the grant (which would need a repair
///    approval) nor narrows what the client could do; and the gateway hands back the device's
///    current token instead of minting one when it already covers them;
/// 3. else OpenClaw's client default ([`DEFAULT_SCOPES`]).
///
/// An empty list counts as absent at every step: a token for no scope is never what was meant.
pub fn choose_scopes(state: Option<&DeviceState>, device_id: &str, role: &str) -> Vec<String> {
    let cached = state.and_then(|s| {
        s.cached_tokens
            .iter()
            .find(|c| c.device_id == device_id && c.role == role)
            .map(|c| c.scopes.clone())
    });
    let issued = || {
        state
            .and_then(|s| s.paired_device(device_id))
            .and_then(|d| d.tokens.iter().find(|t| t.role == role))
            .map(|t| t.scopes.clone())
    };
    cached
        .filter(|s| !s.is_empty())
        .or_else(|| issued().filter(|s| !s.is_empty()))
        .unwrap_or_else(|| DEFAULT_SCOPES.iter().map(|s| s.to_string()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tokens::testing::{cached, issued, paired, state};

    fn strings(s: &[&str]) -> Vec<String> {
        s.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn the_cached_scopes_win() {
        let s = state(
            vec![cached("me", "operator", &["operator.read"])],
            vec![paired(
                "me",
                vec![issued("operator", &["operator.admin", "operator.pairing"])],
            )],
        );
        assert_eq!(
            choose_scopes(Some(&s), "me", "operator"),
            strings(&["operator.read"])
        );
    }

    #[test]
    fn without_a_cache_the_paired_tokens_scopes() {
        let scopes = ["operator.admin", "operator.pairing"];
        let s = state(
            vec![
                cached("me", "operator", &[]),
                cached("other", "operator", &["x"]),
            ],
            vec![paired(
                "me",
                vec![issued("node", &["n"]), issued("operator", &scopes)],
            )],
        );
        assert_eq!(choose_scopes(Some(&s), "me", "operator"), strings(&scopes));
    }

    #[test]
    fn else_openclaws_default() {
        let s = state(
            Vec::new(),
            vec![paired("me", vec![issued("operator", &[])])],
        );
        assert_eq!(
            choose_scopes(Some(&s), "me", "operator"),
            strings(DEFAULT_SCOPES)
        );
        assert_eq!(
            choose_scopes(Some(&s), "me", "node"),
            strings(DEFAULT_SCOPES)
        );
        assert_eq!(
            choose_scopes(None, "me", "operator"),
            strings(DEFAULT_SCOPES)
        );
    }
}
