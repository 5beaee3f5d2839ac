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

/// Replaces every secret value it was given by its fingerprint, then redacts assigned
/// secrets by key ([`redact_text`]). Built once per operation from every secret it saw, and
/// applied by every sink: terminal, event stream, report, history.
#[derive(Clone, Default)]
pub struct Redactor {
    values: Vec<String>,
}

impl Redactor {
    pub fn new<S: AsRef<str>>(values: impl IntoIterator<Item = S>) -> Redactor {
        let mut values: Vec<String> = values
            .into_iter()
            .map(|v| v.as_ref().to_string())
            .filter(|v| !v.is_empty())
            .collect();
        // Longest first, so a secret that contains another is replaced whole.
        values.sort_by_key(|v| std::cmp::Reverse(v.len()));
        values.dedup();
        Redactor { values }
    }

    pub fn redact(&self, text: &str) -> String {
        let mut out = text.to_string();
        for v in &self.values {
            if out.contains(v.as_str()) {
                out = out.replace(v.as_str(), &fingerprint(v));
            }
        }
        redact_text(&out)
    }
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Redactor({} secrets)", self.values.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redactor_replaces_known_values_and_assigned_ones() {
        let r = Redactor::new(["s3cret-value-1", "s3cret-value-12"]);
        let out = r.redact("a s3cret-value-12 b s3cret-value-1 token=abcdefgh");
        assert!(!out.contains("s3cret-value-1"), "{out}");
        assert!(out.contains(&fingerprint("s3cret-value-12")), "{out}");
        assert!(out.contains(&fingerprint("s3cret-value-1")), "{out}");
        assert!(!out.contains("abcdefgh"), "{out}");
    }

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

/// `text` with the value after every `token`/`password`/`secret` key (`k=v`, `k: v`,
/// `"k":"v"`, URL `#token=`) replaced by its fingerprint, so echoing a pasted line never
/// repeats a credential.
pub fn redact_text(text: &str) -> String {
    const KEYS: &[&str] = &[
        "token", "password", "secret", "Token", "Password", "Secret", "TOKEN", "PASSWORD",
    ];
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    'scan: while !rest.is_empty() {
        for key in KEYS {
            if let Some(after) = rest.strip_prefix(key) {
                let sep_len = after
                    .char_indices()
                    .take_while(|(_, c)| matches!(c, '"' | '\'' | ':' | '=' | ' '))
                    .map(|(i, c)| i + c.len_utf8())
                    .last()
                    .unwrap_or(0);
                let sep = &after[..sep_len];
                let has_assign = sep.contains(':') || sep.contains('=');
                let value: String = after[sep_len..]
                    .chars()
                    .take_while(|c| {
                        c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '~' | '+' | '/')
                    })
                    .collect();
                let already = after[sep_len..].starts_with("sha256:");
                if has_assign && value.len() >= 6 && !already {
                    out.push_str(key);
                    out.push_str(sep);
                    out.push_str(&fingerprint(&value));
                    rest = &after[sep_len + value.len()..];
                    continue 'scan;
                }
            }
        }
        let c = rest.chars().next().expect("non-empty");
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

#[cfg(test)]
mod redact_tests {
    use super::*;

    #[test]
    fn redacts_assigned_secrets_only() {
        let line = r#"url http://h/#token=abcDEF123456 cfg {"token":"s3cr3t-value"} auth: { password: 'hunter22' } gateway token mismatch"#;
        let out = redact_text(line);
        for secret in ["abcDEF123456", "s3cr3t-value", "hunter22"] {
            assert!(!out.contains(secret), "{out}");
        }
        assert!(out.contains("gateway token mismatch"));
        assert_eq!(
            redact_text("device token mismatch (rotate/reissue device token)"),
            "device token mismatch (rotate/reissue device token)"
        );
    }
}
