//! How clawkit shows a secret it did not generate: a short fingerprint, never the value.

use sha2::{Digest, Sha256};

/// `sha256:` and the first 12 hex digits of the SHA-256 of `secret`. Two sources with the same
/// fingerprint hold the same secret; the fingerprint does not reveal it.
pub fn fingerprint(secret: &str) -> String {
    let digest = Sha256::digest(secret.as_bytes());
    let hex: String = digest.iter().take(6).map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

/// Whether a config key (dot path) holds a secret by OpenClaw's naming.
pub fn is_secret_key(dot_path: &str) -> bool {
    let last = dot_path.rsplit('.').next().unwrap_or(dot_path);
    let lower = last.to_ascii_lowercase();
    [
        "token",
        "password",
        "secret",
        "apikey",
        "api_key",
        "privatekey",
        "bottoken",
        "webhooksecret",
    ]
    .iter()
    .any(|s| lower == *s || lower.ends_with(s))
        && !lower.ends_with("fingerprint")
}

/// The shape of a secret without its content: fingerprint and length.
pub fn describe(secret: &str) -> String {
    format!("{} ({} chars)", fingerprint(secret), secret.chars().count())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_is_stable_and_short() {
        assert_eq!(fingerprint("abc"), "sha256:ba7816bf8f01");
        assert_ne!(fingerprint("abc"), fingerprint("abd"));
    }

    #[test]
    fn secret_keys_by_name() {
        for key in [
            "gateway.auth.token",
            "gateway.remote.password",
            "channels.telegram.botToken",
            "x.apiKey",
        ] {
            assert!(is_secret_key(key), "{key}");
        }
        for key in [
            "gateway.remote.tlsFingerprint",
            "gateway.port",
            "gateway.auth.mode",
        ] {
            assert!(!is_secret_key(key), "{key}");
        }
    }
}
