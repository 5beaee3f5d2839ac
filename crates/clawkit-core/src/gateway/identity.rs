//! Ed25519 device identities in OpenClaw's formats: the device id is the hex SHA-256 of the
//! raw public key, the public key travels as unpadded base64url, and the handshake signs the
//! v3 payload `v3|id|client|mode|role|scopes|signedAt|token|nonce|platform|deviceFamily`.
//! Where OpenClaw keeps a device's key is not protocol: see `openclaw::identity`.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::pkcs8::DecodePrivateKey;
use ed25519_dalek::{Signer, SigningKey};
use sha2::{Digest, Sha256};

/// A private key that is not an Ed25519 PKCS#8 PEM.
#[derive(Debug, thiserror::Error)]
#[error("the private key is not an Ed25519 PKCS#8 PEM ({0})")]
pub struct KeyError(String);

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

    /// The identity whose private key is `pem` (PKCS#8, v1 or v2).
    pub fn from_private_key_pem(pem: &str) -> Result<DeviceIdentity, KeyError> {
        SigningKey::from_pkcs8_pem(pem)
            .map(DeviceIdentity::from_signing_key)
            .map_err(|e| KeyError(e.to_string()))
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
        let back = DeviceIdentity::from_private_key_pem(&pem).unwrap();
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
