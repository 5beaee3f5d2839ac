//! Ed25519 device identities in OpenClaw's formats: the device id is the hex SHA-256 of the
//! raw public key, the public key travels as unpadded base64url, and the handshake signs the
//! v3 payload `v3|id|client|mode|role|scopes|signedAt|token|nonce|platform|deviceFamily`.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::pkcs8::DecodePrivateKey;
use ed25519_dalek::{Signer, SigningKey};
use rusqlite::OptionalExtension;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    #[error("{path}: no device identity there (OpenClaw creates it on first use)")]
    Missing { path: PathBuf },
    #[error("{path}: {message}")]
    Invalid { path: PathBuf, message: String },
}

/// A device key pair. `Debug` shows only the device id.
#[derive(Clone)]
pub struct DeviceIdentity {
    key: SigningKey,
    device_id: String,
}

impl std::fmt::Debug for DeviceIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DeviceIdentity({})", self.device_id)
    }
}

impl DeviceIdentity {
    pub fn from_signing_key(key: SigningKey) -> DeviceIdentity {
        let device_id = Sha256::digest(key.verifying_key().as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        DeviceIdentity { key, device_id }
    }

    /// A fresh random identity (for a new device).
    pub fn generate() -> DeviceIdentity {
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed).expect("the OS random source works");
        DeviceIdentity::from_signing_key(SigningKey::from_bytes(&seed))
    }

    /// The local identity of an OpenClaw state dir: `identity/device.json` (<= 2026.7) or the
    /// `primary` row of `device_identities` (2026.8+).
    pub fn load_local(state_dir: &Path) -> Result<DeviceIdentity, IdentityError> {
        let json_path = state_dir.join("identity").join("device.json");
        if json_path.is_file() {
            let invalid = |message: String| IdentityError::Invalid {
                path: json_path.clone(),
                message,
            };
            let text = std::fs::read_to_string(&json_path).map_err(|e| invalid(e.to_string()))?;
            let v: serde_json::Value = serde_json::from_str(&text)
                .map_err(|e| invalid(format!("not valid JSON ({e})")))?;
            let pem = v["privateKeyPem"]
                .as_str()
                .ok_or_else(|| invalid("no privateKeyPem".into()))?;
            return Self::from_pem(pem, &json_path);
        }
        let db_path = state_dir.join("state").join("openclaw.sqlite");
        if !db_path.is_file() {
            return Err(IdentityError::Missing { path: db_path });
        }
        let invalid = |e: rusqlite::Error| IdentityError::Invalid {
            path: db_path.clone(),
            message: e.to_string(),
        };
        let db = rusqlite::Connection::open_with_flags(
            &db_path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(invalid)?;
        db.busy_timeout(std::time::Duration::from_millis(500))
            .map_err(invalid)?;
        let pem: Option<String> = db
            .query_row(
                "SELECT private_key_pem FROM device_identities WHERE identity_key = 'primary'",
                [],
                |r| r.get(0),
            )
            .optional()
            .map_err(invalid)?;
        match pem {
            Some(pem) => Self::from_pem(&pem, &db_path),
            None => Err(IdentityError::Missing { path: db_path }),
        }
    }

    fn from_pem(pem: &str, path: &Path) -> Result<DeviceIdentity, IdentityError> {
        SigningKey::from_pkcs8_pem(pem)
            .map(DeviceIdentity::from_signing_key)
            .map_err(|e| IdentityError::Invalid {
                path: path.to_path_buf(),
                message: format!("the private key is not an Ed25519 PKCS#8 PEM ({e})"),
            })
    }

    pub fn device_id(&self) -> &str {
        &self.device_id
    }

    /// The private key as Node writes it: PKCS#8 **v1** PEM (Node/OpenSSL 3.0 refuse the v2
    /// form ed25519-dalek writes by default).
    pub fn private_key_pem(&self) -> String {
        use ed25519_dalek::pkcs8::EncodePrivateKey;
        ed25519_dalek::ed25519::pkcs8::KeypairBytes {
            secret_key: self.key.to_bytes(),
            public_key: None,
        }
        .to_pkcs8_pem(ed25519_dalek::pkcs8::spki::der::pem::LineEnding::LF)
        .expect("an Ed25519 key encodes")
        .to_string()
    }

    /// The public key as an SPKI PEM.
    pub fn public_key_pem(&self) -> String {
        use ed25519_dalek::pkcs8::EncodePublicKey;
        self.key
            .verifying_key()
            .to_public_key_pem(ed25519_dalek::pkcs8::spki::der::pem::LineEnding::LF)
            .expect("an Ed25519 key encodes")
    }

    /// Makes this the local device identity of `state_dir`, where that OpenClaw reads it
    /// (2026.9: the `primary` row of `device_identities`; 2026.7: `identity/device.json`,
    /// mode 0600), after backing up the device state under `backup_root`. Returns the backup.
    pub fn store_local(
        &self,
        state_dir: &Path,
        backup_root: &Path,
    ) -> Result<PathBuf, IdentityError> {
        let invalid = |path: &Path, message: String| IdentityError::Invalid {
            path: path.to_path_buf(),
            message,
        };
        let backup = crate::openclaw::state::backup_device_state(state_dir, backup_root)
            .map_err(|e| invalid(state_dir, e.to_string()))?;
        let now = crate::time::now_ms();
        let json_path = state_dir.join("identity").join("device.json");
        if json_path.is_file() {
            std::fs::copy(&json_path, backup.join("identity__device.json"))
                .map_err(|e| invalid(&json_path, e.to_string()))?;
            let doc = serde_json::json!({
                "version": 1,
                "deviceId": self.device_id,
                "publicKeyPem": self.public_key_pem(),
                "privateKeyPem": self.private_key_pem(),
                "createdAtMs": now,
            });
            let snapshot = crate::fsx::Snapshot::read(&json_path)
                .map_err(|e| invalid(&json_path, e.to_string()))?;
            crate::fsx::replace(&snapshot, &doc.to_string())
                .map_err(|e| invalid(&json_path, e.to_string()))?;
            return Ok(backup);
        }
        let db_path = state_dir.join("state").join("openclaw.sqlite");
        let db =
            rusqlite::Connection::open(&db_path).map_err(|e| invalid(&db_path, e.to_string()))?;
        db.busy_timeout(std::time::Duration::from_secs(5))
            .and_then(|_| {
                db.execute(
                    "INSERT OR REPLACE INTO device_identities (identity_key, device_id, public_key_pem, private_key_pem, created_at_ms, updated_at_ms) VALUES ('primary', ?1, ?2, ?3, ?4, ?4)",
                    rusqlite::params![self.device_id, self.public_key_pem(), self.private_key_pem(), now],
                )
            })
            .map_err(|e| invalid(&db_path, e.to_string()))?;
        Ok(backup)
    }

    /// The raw public key, unpadded base64url.
    pub fn public_key(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.key.verifying_key().as_bytes())
    }

    /// Signs the v3 payload; returns the unpadded base64url signature.
    #[allow(clippy::too_many_arguments)]
    pub fn sign_v3(
        &self,
        client_id: &str,
        mode: &str,
        role: &str,
        scopes: &[String],
        signed_at_ms: i64,
        token: &str,
        nonce: &str,
        platform: &str,
        device_family: &str,
    ) -> String {
        let payload = format!(
            "v3|{}|{client_id}|{mode}|{role}|{}|{signed_at_ms}|{token}|{nonce}|{}|{}",
            self.device_id,
            scopes.join(","),
            platform.trim().to_ascii_lowercase(),
            device_family.trim().to_ascii_lowercase(),
        );
        URL_SAFE_NO_PAD.encode(self.key.sign(payload.as_bytes()).to_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::{Signature, Verifier};

    #[test]
    fn pem_round_trip_is_pkcs8_v1() {
        let id = DeviceIdentity::generate();
        let pem = id.private_key_pem();
        assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----"));
        // v1: no public key field, so the DER is exactly 48 bytes.
        let b64: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        assert_eq!(
            base64::engine::general_purpose::STANDARD
                .decode(b64)
                .unwrap()
                .len(),
            48
        );
        let back = DeviceIdentity::from_pem(&pem, Path::new("x")).unwrap();
        assert_eq!(back.device_id(), id.device_id());
        assert!(
            id.public_key_pem()
                .starts_with("-----BEGIN PUBLIC KEY-----")
        );
    }

    #[test]
    fn device_id_and_signature_follow_openclaw() {
        let id = DeviceIdentity::generate();
        let raw = URL_SAFE_NO_PAD.decode(id.public_key()).unwrap();
        assert_eq!(raw.len(), 32);
        let expect: String = Sha256::digest(&raw)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(id.device_id(), expect);
        let sig = id.sign_v3(
            "cli",
            "cli",
            "operator",
            &["operator.admin".into()],
            5,
            "tok",
            "n",
            "Linux",
            "",
        );
        let sig = Signature::from_slice(&URL_SAFE_NO_PAD.decode(sig).unwrap()).unwrap();
        let payload = format!(
            "v3|{}|cli|cli|operator|operator.admin|5|tok|n|linux|",
            id.device_id()
        );
        id.key
            .verifying_key()
            .verify(payload.as_bytes(), &sig)
            .unwrap();
    }
}
