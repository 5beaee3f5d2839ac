//! `clawkit probe` and the protocol client against real gateways: every verdict the real
//! gateway (or a real non-gateway) can produce here, and agreement with the real CLI.

use crate::util::{assert_no_secrets, clawkit_with_env, per_version, run};
use clawkit_core::gateway::{ConnectOptions, Credential, DeviceIdentity, Verdict, connect};
use clawkit_testkit::scenario::{self, WrongTokenVia, expected_token_mismatch};
use clawkit_testkit::{ForeignListener, shared_gateway};
use serde_json::json;

fn probe_json(env: &[(String, String)], extra: &[&str]) -> serde_json::Value {
    let mut args = vec!["probe", "--json"];
    args.extend(extra);
    let out = run(clawkit_with_env(env).args(&args));
    assert!(matches!(out.code, Some(0 | 1)), "{out}");
    out.json()
}

per_version!(probe_ok_on_the_gateway_host, |version| {
    let gw = shared_gateway(version).unwrap();
    let doc = probe_json(gw.env(), &[]);
    assert_eq!(doc["verdict"]["verdict"], "ok", "{doc:#}");
    assert_eq!(doc["hello"]["server_version"], version);
    if version.starts_with("2026.7.") {
        // 2026.7 has no boot id in hello-ok: restarts show as a new pid and a smaller uptime.
        assert!(doc["hello"]["boot_id"].is_null(), "{doc:#}");
    } else {
        assert!(
            doc["hello"]["boot_id"]
                .as_str()
                .is_some_and(|b| b.len() >= 32),
            "{doc:#}"
        );
    }
    assert!(doc["hello"]["uptime_ms"].as_u64().is_some(), "{doc:#}");
    assert!(
        doc["hello"]["scopes"]
            .as_array()
            .unwrap()
            .contains(&json!("operator.admin"))
    );
    assert_eq!(doc["system"]["pid"], gw.pid());
    assert!(
        doc["sent"]["description"]
            .as_str()
            .unwrap()
            .contains("gateway.auth.token"),
        "{doc:#}"
    );
    // As `openclaw gateway probe` connects (client openclaw-probe): authenticated, no scopes.
    let as_probe = probe_json(gw.env(), &["--as", "probe"]);
    assert_eq!(as_probe["verdict"]["verdict"], "ok", "{as_probe:#}");
    let human = run(clawkit_with_env(gw.env()).arg("probe"));
    assert_eq!(human.code, Some(0), "{human}");
    assert!(human.stdout.contains(": ok in "), "{human}");
    assert_no_secrets(&format!("{doc}{}", human.text()), &[gw.token()]);
});

per_version!(
    probe_agrees_with_the_cli_on_every_wrong_token_source,
    |version| {
        let gw = shared_gateway(version).unwrap();
        for via in WrongTokenVia::ALL {
            let (client, wrong) = scenario::gateway_token_mismatch(gw, via).unwrap();
            let out = run(clawkit_with_env(client.env()).args(["probe", "--json"]));
            assert_eq!(out.code, Some(1), "{via:?}: {out}");
            let doc = out.json();
            assert_eq!(
                doc["verdict"]["verdict"], "gateway-token-mismatch",
                "{via:?}: {doc:#}"
            );
            // The gateway's words are the ones the real CLI prints for the same setup.
            assert_eq!(
                doc["verdict"]["message"],
                expected_token_mismatch(version),
                "{via:?}"
            );
            let source = doc["sent"]["description"].as_str().unwrap();
            let expected_source = match via {
                WrongTokenVia::ClientConfig => "gateway.auth.token",
                WrongTokenVia::RemoteToken => "gateway.remote.token",
                WrongTokenVia::EnvVar => "OPENCLAW_GATEWAY_TOKEN",
            };
            assert!(source.contains(expected_source), "{via:?}: {source}");
            let human = run(clawkit_with_env(client.env()).arg("probe"));
            assert_no_secrets(
                &format!("{}{}", out.text(), human.text()),
                &[&wrong, gw.token()],
            );
        }
    }
);

#[test]
fn probe_verdicts_for_down_foreign_and_hung_ports() {
    let version = clawkit_testkit::V2026_9;
    let (client, _port) = scenario::gateway_down(version).unwrap();
    assert_eq!(
        probe_json(client.env(), &[])["verdict"]["verdict"],
        "connection-refused"
    );

    let (client, listener) = scenario::foreign_listener(version).unwrap();
    let doc = probe_json(client.env(), &[]);
    assert_eq!(doc["verdict"]["verdict"], "not-a-gateway", "{doc:#}");
    assert!(
        doc["verdict"]["detail"]
            .as_str()
            .unwrap()
            .contains("HTTP 200"),
        "{doc:#}"
    );
    drop(listener);

    let hung = ForeignListener::silent().unwrap();
    let url = format!("ws://127.0.0.1:{}", hung.port());
    let out = run(clawkit_with_env(client.env()).args([
        "probe",
        "--json",
        "--timeout-ms",
        "400",
        "--url",
        &url,
        "--token",
        "x",
    ]));
    let doc = out.json();
    assert!(
        matches!(
            doc["verdict"]["verdict"].as_str(),
            Some("timeout" | "not-a-gateway")
        ),
        "{doc:#}"
    );
}

per_version!(probe_without_any_credential, |version| {
    let gw = shared_gateway(version).unwrap();
    let client = clawkit_testkit::ClientHome::new(version).unwrap();
    client
        .write_config(&format!(
            "{{ gateway: {{ mode: 'local', port: {} }} }}",
            gw.port()
        ))
        .unwrap();
    let doc = probe_json(client.env(), &[]);
    assert_eq!(
        doc["verdict"]["verdict"], "device-identity-required",
        "{doc:#}"
    );
    // With a signed device but no credential at all, the gateway names the missing token.
    let rt = crate::util::runtime();
    rt.block_on(async {
        let mut opts = ConnectOptions::new(gw.url());
        opts.device = Some((DeviceIdentity::generate(), None));
        assert!(
            matches!(
                connect(&opts).await,
                Err(Verdict::GatewayTokenMissing { .. })
            ),
            "expected gateway token missing"
        );
    });
});

// The device-token path on the real gateway: silent pairing on loopback issues a device
// token, the token works, a server-side rotation makes the old one fail with exactly the
// error users see, and a revoked token fails the same way.
per_version!(device_token_verdicts_after_rotate_and_revoke, |version| {
    let gw = shared_gateway(version).unwrap();
    let url = gw.url();
    let rt = crate::util::runtime();
    rt.block_on(async {
        let identity = DeviceIdentity::generate();
        let mut pair = ConnectOptions::new(&url);
        pair.credential = Credential::Token(gw.token().to_string());
        pair.device = Some((identity.clone(), None));
        let conn = connect(&pair).await.expect("silent loopback pairing");
        let token = conn
            .hello
            .device_token
            .clone()
            .expect("a device token was issued");
        conn.close().await;

        let mut as_device = ConnectOptions::new(&url);
        as_device.device = Some((identity.clone(), Some(token.clone())));
        let conn = connect(&as_device)
            .await
            .expect("the fresh device token works");
        if !version.starts_with("2026.7.") {
            // (2026.7's hello-ok does not report the auth method.)
            assert_eq!(conn.hello.auth_method.as_deref(), Some("device-token"));
        }
        conn.close().await;

        // Rotate on the gateway with the shared token (as `openclaw devices rotate` does).
        let mut admin = connect(&ConnectOptions {
            device: None,
            ..pair.clone()
        })
        .await
        .unwrap();
        let rotated = admin
            .request(
                "device.token.rotate",
                json!({"deviceId": identity.device_id(), "role": "operator"}),
            )
            .await
            .unwrap();
        assert!(
            rotated["token"].is_null(),
            "a cross-device rotation must not echo the token"
        );
        match connect(&as_device).await {
            Err(Verdict::DeviceTokenMismatch { message }) => {
                assert_eq!(
                    message,
                    "unauthorized: device token mismatch (rotate/reissue device token)"
                )
            }
            Err(other) => panic!("expected device token mismatch, got {other:?}"),
            Ok(_) => panic!("the rotated-away token still works"),
        }

        // Reconnecting with the shared token returns the current token; then revoke it.
        let conn = connect(&pair).await.unwrap();
        let current = conn.hello.device_token.clone().expect("current token");
        assert_ne!(current, token);
        conn.close().await;
        admin
            .request(
                "device.token.revoke",
                json!({"deviceId": identity.device_id(), "role": "operator"}),
            )
            .await
            .unwrap();
        admin.close().await;
        let mut revoked = ConnectOptions::new(&url);
        revoked.device = Some((identity.clone(), Some(current)));
        assert!(matches!(
            connect(&revoked).await,
            Err(Verdict::DeviceTokenMismatch { .. })
        ));
    });
});

per_version!(
    pairing_required_for_a_new_device_with_a_browser_origin,
    |version| {
        let gw = shared_gateway(version).unwrap();
        let rt = crate::util::runtime();
        rt.block_on(async {
            let mut opts = ConnectOptions::new(gw.url());
            opts.credential = Credential::Token(gw.token().to_string());
            opts.device = Some((DeviceIdentity::generate(), None));
            opts.origin = Some(format!("http://127.0.0.1:{}", gw.port()));
            match connect(&opts).await {
                Err(Verdict::PairingRequired {
                    request_id, reason, ..
                }) => {
                    assert!(request_id.is_some_and(|r| !r.is_empty()));
                    assert_eq!(reason.as_deref(), Some("not-paired"));
                }
                Err(other) => panic!("expected pairing required, got {other:?}"),
                Ok(_) => panic!("a new browser-origin device was admitted without pairing"),
            }
            opts.origin = Some("http://evil.example".into());
            assert!(matches!(
                connect(&opts).await,
                Err(Verdict::OriginNotAllowed { .. })
            ));
        });
    }
);

per_version!(protocol_mismatch_verdict, |version| {
    let gw = shared_gateway(version).unwrap();
    let rt = crate::util::runtime();
    rt.block_on(async {
        let mut opts = ConnectOptions::new(gw.url());
        opts.credential = Credential::Token(gw.token().to_string());
        opts.protocols = Some((5, 6));
        assert!(matches!(
            connect(&opts).await,
            Err(Verdict::ProtocolMismatch { .. })
        ));
    });
});

#[test]
fn scope_mismatch_verdict_for_a_read_only_device() {
    let gw = shared_gateway(clawkit_testkit::V2026_9).unwrap();
    let rt = crate::util::runtime();
    rt.block_on(async {
        let identity = DeviceIdentity::generate();
        let mut pair = ConnectOptions::new(gw.url());
        pair.credential = Credential::Token(gw.token().to_string());
        pair.scopes = vec!["operator.read".into()];
        pair.device = Some((identity.clone(), None));
        let conn = connect(&pair)
            .await
            .expect("silent pairing with read scope");
        let token = conn.hello.device_token.clone().expect("device token");
        conn.close().await;
        let mut wants_admin = ConnectOptions::new(gw.url());
        wants_admin.device = Some((identity, Some(token)));
        match connect(&wants_admin).await {
            Err(Verdict::ScopeMismatch { message }) => {
                assert_eq!(
                    message,
                    "unauthorized: device token scope mismatch (re-pair or approve scope upgrade)"
                )
            }
            other => panic!("expected scope mismatch, got {:?}", other.err()),
        }
    });
}

// Password mode with the failed-auth limiter on for loopback: ok, missing, mismatch, and then
// the lockout.
#[test]
fn password_and_rate_limit_verdicts() {
    use clawkit_testkit::{Gateway, GatewayOptions, distinctive_secret};
    let password = distinctive_secret("gwpass");
    let gw = Gateway::start(GatewayOptions::new(clawkit_testkit::V2026_9).config_patch(json!({
        "gateway": {"auth": {"mode": "password", "token": null, "password": password,
            "rateLimit": {"exemptLoopback": false, "maxAttempts": 2, "windowMs": 60000, "lockoutMs": 60000}}}
    })))
    .unwrap();
    let rt = crate::util::runtime();
    rt.block_on(async {
        let mut opts = ConnectOptions::new(gw.url());
        opts.credential = Credential::Password(password.clone());
        connect(&opts)
            .await
            .expect("the right password")
            .close()
            .await;
        opts.credential = Credential::None;
        let missing = connect(&opts).await.err();
        assert!(
            matches!(
                missing,
                Some(Verdict::PasswordMissing { .. } | Verdict::DeviceIdentityRequired { .. })
            ),
            "{missing:?}"
        );
        opts.credential = Credential::Password("wrong-password-123".into());
        let mut seen = Vec::new();
        for _ in 0..6 {
            let v = connect(&opts)
                .await
                .err()
                .expect("a wrong password is refused");
            let limited = matches!(v, Verdict::RateLimited { .. });
            seen.push(v);
            if limited {
                break;
            }
        }
        assert!(
            matches!(seen[0], Verdict::PasswordMismatch { .. }),
            "{seen:?}"
        );
        assert!(
            matches!(seen.last(), Some(Verdict::RateLimited { .. })),
            "{seen:?}"
        );
    });
    // The probe command says the same, and prints neither password.
    let out = run(clawkit_with_env(gw.env()).args(["probe", "--password", "wrong-password-123"]));
    assert_eq!(out.code, Some(1), "{out}");
    assert!(
        out.stdout.contains("rate limited") || out.stdout.contains("password mismatch"),
        "{out}"
    );
    assert_no_secrets(&out.text(), &[&password, "wrong-password-123"]);
}

/// SHA-256 of the first certificate in a PEM file.
fn pem_fingerprint(path: &std::path::Path) -> String {
    use base64::Engine;
    use sha2::{Digest, Sha256};
    let text = std::fs::read_to_string(path).unwrap();
    let b64: String = text
        .lines()
        .skip_while(|l| !l.starts_with("-----BEGIN CERTIFICATE"))
        .skip(1)
        .take_while(|l| !l.starts_with("-----END"))
        .collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap();
    Sha256::digest(der)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

// wss:// against a real gateway serving its own auto-generated certificate: trusted only by
// its pinned fingerprint; a wrong pin and no pin are told apart.
#[test]
fn tls_gateway_pin_verdicts() {
    use clawkit_testkit::{Gateway, GatewayOptions};
    let gw = Gateway::start(
        GatewayOptions::new(clawkit_testkit::V2026_9)
            .config_patch(json!({"gateway": {"tls": {"enabled": true, "autoGenerate": true}}})),
    )
    .unwrap();
    let cert = gw.state_dir().join("gateway/tls/gateway-cert.pem");
    assert!(
        cert.is_file(),
        "the gateway generated no certificate at {}",
        cert.display()
    );
    let pin = pem_fingerprint(&cert);
    let url = format!("wss://127.0.0.1:{}", gw.port());
    let probe = |extra: &[&str]| {
        let mut args = vec!["probe", "--json", "--url", &url, "--token", gw.token()];
        args.extend(extra);
        run(clawkit_with_env(gw.env()).args(&args))
    };
    let ok = probe(&["--tls-fingerprint", &format!("sha256:{pin}")]);
    assert_eq!(ok.json()["verdict"]["verdict"], "ok", "{ok}");
    let wrong = probe(&["--tls-fingerprint", &"ab".repeat(32)]);
    let doc = wrong.json();
    assert_eq!(doc["verdict"]["verdict"], "tls-pin-mismatch", "{wrong}");
    assert_eq!(doc["verdict"]["actual"], pin.as_str(), "{wrong}");
    let unpinned = probe(&[]);
    assert_eq!(unpinned.json()["verdict"]["verdict"], "tls", "{unpinned}");
    assert_no_secrets(
        &format!("{}{}{}", ok.text(), wrong.text(), unpinned.text()),
        &[gw.token()],
    );
}

// A gateway that is still starting answers 1013 / UNAVAILABLE before it is ready: connecting
// from the moment the port opens shows the verdict at least once before "ok".
#[test]
fn starting_verdict_while_the_gateway_boots() {
    use clawkit_testkit::{Gateway, GatewayOptions, PortState, port_state};
    let gw = Gateway::start(GatewayOptions::new(clawkit_testkit::V2026_9).no_ready_wait()).unwrap();
    let rt = crate::util::runtime();
    let seen = rt.block_on(async {
        let mut opts = ConnectOptions::new(gw.url());
        opts.credential = Credential::Token(gw.token().to_string());
        let mut seen = Vec::new();
        let started = std::time::Instant::now();
        while started.elapsed() < std::time::Duration::from_secs(180) {
            if port_state(gw.port()) != PortState::Accepting {
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                continue;
            }
            match connect(&opts).await {
                Ok(c) => {
                    c.close().await;
                    seen.push("ok".to_string());
                    break;
                }
                Err(v) => seen.push(v.name().to_string()),
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        seen
    });
    assert_eq!(seen.last().map(String::as_str), Some("ok"), "{seen:?}");
    assert!(
        seen.iter().any(|v| v == "gateway starting"),
        "never saw the starting verdict: {seen:?}"
    );
}
