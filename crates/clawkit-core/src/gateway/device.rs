//! The two device-token exchanges several commands share: getting this device's current token
//! from the gateway with the shared secret, and asking the gateway whether a cached token is
//! still good.

use super::{ConnectOptions, Credential, DeviceIdentity, Verdict, connect};

/// Connects as `identity` with the shared secret: the gateway answers with the device's
/// current token (pairing it silently on loopback, or issuing one if needed).
/// `base` is where and how to connect (URL, TLS pin, bound).
pub async fn issue_token(
    base: &ConnectOptions,
    identity: &DeviceIdentity,
    shared: Credential,
    role: &str,
    scopes: &[String],
) -> Result<String, Verdict> {
    let mut opts = base.clone();
    opts.credential = shared;
    opts.role = role.to_string();
    opts.scopes = scopes.to_vec();
    opts.device = Some((identity.clone(), None));
    let conn = connect(&opts).await?;
    let token = conn.hello.device_token.clone();
    conn.close().await;
    token.ok_or_else(|| Verdict::Rejected {
        code: "NO_DEVICE_TOKEN".into(),
        detail_code: None,
        message: "the gateway accepted the connection but issued no device token".into(),
    })
}

/// The gateway's verdict on `token` presented by `identity` alone (no shared secret).
pub async fn check_token(
    base: &ConnectOptions,
    identity: &DeviceIdentity,
    token: &str,
    role: &str,
    scopes: &[String],
) -> Verdict {
    let mut opts = base.clone();
    opts.credential = Credential::None;
    opts.role = role.to_string();
    opts.scopes = scopes.to_vec();
    opts.device = Some((identity.clone(), Some(token.to_string())));
    match connect(&opts).await {
        Ok(c) => {
            c.close().await;
            Verdict::Ok
        }
        Err(v) => v,
    }
}
