//! `connect` against the fake: `hello-ok` and every refusal, as core's verdicts.

use super::raw;
use super::{connect_ok, options, verdict};
use clawkit_core::gateway::device::{check_token, issue_token};
use clawkit_core::gateway::{
    ClientRole, ConnectOptions, Credential, DeviceIdentity, RpcError, Verdict,
};
use clawkit_testkit::fake::{FakeGateway, FakeOptions, Mode};
use serde_json::json;
use std::time::Duration;

const CLI_TOKEN_MISMATCH: &str = "unauthorized: gateway token mismatch (use this gateway's gateway.auth.token or pair the device)";

#[tokio::test]
async fn hello_ok_carries_the_fakes_boot_id_version_and_policy() {
    let fake = FakeGateway::start(FakeOptions {
        server_version: Some("2026.9.9-fake".into()),
        uptime: Duration::from_secs(3600),
        tick_interval: Duration::from_secs(7),
        ..FakeOptions::default()
    });
    let conn = connect_ok(&fake).await;
    let hello = &conn.hello;
    assert_eq!(hello.boot_id, fake.boot_id());
    assert!(hello.boot_id.as_deref().is_some_and(|id| id.len() == 36));
    assert_eq!(hello.server_version.as_deref(), Some("2026.9.9-fake"));
    assert_eq!(hello.auth_method.as_deref(), Some("token"));
    assert_eq!(hello.auth_mode.as_deref(), Some("token"));
    assert_eq!(hello.role.as_deref(), Some("operator"));
    assert_eq!(hello.scopes, ["operator.admin"]);
    assert_eq!(hello.tick_interval_ms, Some(7000));
    assert!(hello.uptime_ms.is_some_and(|ms| ms >= 3_600_000));
    assert_eq!(hello.protocol, 4);
    conn.close().await;
}

#[tokio::test]
async fn a_2026_7_fake_reports_no_boot_id_and_no_auth_method() {
    let fake = FakeGateway::start(FakeOptions::v2026_7());
    let conn = connect_ok(&fake).await;
    assert_eq!(fake.boot_id(), None);
    assert_eq!(conn.hello.boot_id, None);
    assert_eq!(conn.hello.auth_method, None);
    assert_eq!(conn.hello.server_version.as_deref(), Some("2026.7.1"));
    conn.close().await;
}

#[tokio::test]
async fn a_wrong_token_is_the_real_gateway_token_mismatch() {
    let fake = FakeGateway::start(FakeOptions::default());
    let mut opts = options(&fake);
    opts.credential = Credential::Token("not-the-token".into());
    assert_eq!(
        verdict(&opts).await,
        Verdict::GatewayTokenMismatch {
            message: CLI_TOKEN_MISMATCH.into()
        }
    );
    opts.credential = Credential::None;
    assert_eq!(verdict(&opts).await.name(), "device identity required");
}

#[tokio::test]
async fn the_refusal_is_an_error_frame_then_close_1008_with_the_message() {
    let fake = FakeGateway::start(FakeOptions::default());
    let (mut ws, _) = raw::open(&fake).await;
    raw::send(&mut ws, raw::connect_frame(json!({"token": "wrong"}))).await;
    let res = raw::next_json(&mut ws).await;
    assert_eq!(res["id"], "c1");
    assert_eq!(res["ok"], false);
    assert_eq!(res["error"]["code"], "INVALID_REQUEST");
    assert_eq!(
        res["error"]["details"],
        json!({"code": "AUTH_TOKEN_MISMATCH", "authReason": "token_mismatch",
               "canRetryWithDeviceToken": false, "recommendedNextStep": "update_auth_credentials"})
    );
    assert_eq!(
        raw::close_frame(&mut ws).await,
        Some((1008, CLI_TOKEN_MISMATCH.into()))
    );
}

#[tokio::test]
async fn a_password_gateway_checks_the_password() {
    let fake = FakeGateway::start(FakeOptions {
        secret: Credential::Password("pw-right".into()),
        ..FakeOptions::default()
    });
    assert_eq!(verdict(&options(&fake)).await, Verdict::Ok);
    let mut opts = options(&fake);
    opts.credential = Credential::Password("pw-wrong".into());
    assert_eq!(
        verdict(&opts).await,
        Verdict::PasswordMismatch {
            message:
                "unauthorized: gateway password mismatch (use this gateway's gateway.auth.password)"
                    .into()
        }
    );
}

#[tokio::test]
async fn device_tokens_are_issued_accepted_and_refused_like_the_real_ones() {
    let fake = FakeGateway::start(FakeOptions {
        device_tokens: vec!["listed-device-token".into()],
        ..FakeOptions::default()
    });
    let url = fake.url();
    let identity = DeviceIdentity::generate();
    let scopes = vec!["operator.admin".to_string()];
    let mut base = ConnectOptions::new(url.clone());
    base.timeout = Duration::from_secs(5);
    let issued = issue_token(&base, &identity, fake.credential(), "operator", &scopes)
        .await
        .expect("silent pairing issues a device token");
    assert_eq!(issued.len(), 43);
    let check = |token: String, identity: DeviceIdentity| {
        let (base, scopes) = (base.clone(), scopes.clone());
        async move { check_token(&base, &identity, &token, "operator", &scopes).await }
    };
    assert_eq!(check(issued.clone(), identity.clone()).await, Verdict::Ok);
    assert_eq!(
        check("listed-device-token".into(), DeviceIdentity::generate()).await,
        Verdict::Ok
    );
    assert_eq!(
        check("stale-token".into(), identity).await,
        Verdict::DeviceTokenMismatch {
            message: "unauthorized: device token mismatch (rotate/reissue device token)".into()
        }
    );
    // A token issued to one device is not another device's.
    assert_eq!(
        check(issued, DeviceIdentity::generate()).await.name(),
        "device token mismatch"
    );
}

#[tokio::test]
async fn without_silent_pairing_a_new_device_needs_approval() {
    let fake = FakeGateway::start(FakeOptions {
        auto_pair: false,
        ..FakeOptions::default()
    });
    let mut opts = options(&fake);
    opts.device = Some((DeviceIdentity::generate(), None));
    match verdict(&opts).await {
        Verdict::PairingRequired {
            message,
            request_id,
            reason,
        } => {
            assert_eq!(message, "pairing required: device is not approved yet");
            assert!(request_id.is_some_and(|id| id.len() == 36));
            assert_eq!(reason.as_deref(), Some("not-paired"));
        }
        other => panic!("expected pairing required, got {other:?}"),
    }
}

#[tokio::test]
async fn a_foreign_origin_is_refused_and_a_local_one_is_not() {
    let fake = FakeGateway::start(FakeOptions::default());
    let mut opts = options(&fake);
    opts.origin = Some("http://evil.example".into());
    assert_eq!(verdict(&opts).await.name(), "origin not allowed");
    opts.origin = Some(format!("http://127.0.0.1:{}", fake.port()));
    assert_eq!(verdict(&opts).await, Verdict::Ok);
}

#[tokio::test]
async fn a_probe_client_loses_its_scopes_without_a_device() {
    let fake = FakeGateway::start(FakeOptions::default());
    let mut opts = options(&fake);
    opts.client = ClientRole::Probe;
    let mut conn = clawkit_core::gateway::connect(&opts)
        .await
        .expect("hello-ok");
    assert!(conn.hello.scopes.is_empty());
    match conn.request("health", json!({})).await {
        Err(RpcError::Gateway { code, message, .. }) => {
            assert_eq!(
                (code.as_str(), message.as_str()),
                ("FORBIDDEN", "missing scope: operator.read")
            );
        }
        other => panic!("expected a missing-scope error, got {other:?}"),
    }
    conn.close().await;
}

#[tokio::test]
async fn starting_is_verdict_starting_with_the_real_retry_hint() {
    let fake = FakeGateway::start(FakeOptions {
        mode: Mode::Starting,
        ..FakeOptions::default()
    });
    assert_eq!(
        verdict(&options(&fake)).await,
        Verdict::Starting {
            retry_after_ms: Some(500)
        }
    );
    // A wrong token makes no difference: startup is checked first.
    let mut opts = options(&fake);
    opts.credential = Credential::Token("wrong".into());
    assert_eq!(verdict(&opts).await.name(), "gateway starting");
    fake.set_mode(Mode::Up);
    assert_eq!(verdict(&options(&fake)).await, Verdict::Ok);
}

#[tokio::test]
async fn starting_closes_with_1013_after_the_unavailable_frame() {
    let fake = FakeGateway::start(FakeOptions {
        mode: Mode::Starting,
        ..FakeOptions::default()
    });
    let (mut ws, _) = raw::open(&fake).await;
    raw::send(&mut ws, raw::connect_frame(json!({}))).await;
    let res = raw::next_json(&mut ws).await;
    assert_eq!(res["error"]["code"], "UNAVAILABLE");
    assert_eq!(res["error"]["details"]["reason"], "startup-sidecars");
    assert_eq!(
        raw::close_frame(&mut ws).await,
        Some((1013, "gateway starting".into()))
    );
}

#[tokio::test]
async fn hung_accepts_tcp_and_times_out_in_the_connect_phase() {
    let fake = FakeGateway::start(FakeOptions {
        mode: Mode::Hung,
        ..FakeOptions::default()
    });
    assert_eq!(
        clawkit_testkit::port_state(fake.port()),
        clawkit_testkit::PortState::Accepting
    );
    let mut opts = options(&fake);
    opts.timeout = Duration::from_millis(300);
    assert_eq!(
        verdict(&opts).await,
        Verdict::Timeout {
            phase: "connect".into(),
            after_ms: 300
        }
    );
    fake.set_mode(Mode::Up);
    assert_eq!(verdict(&options(&fake)).await, Verdict::Ok);
}

#[tokio::test]
async fn hostile_first_frames_close_only_that_socket() {
    let fake = FakeGateway::start(FakeOptions::default());
    let (mut bystander, _) = raw::hello(&fake).await;

    let (mut ws, _) = raw::open(&fake).await;
    raw::send(&mut ws, "{this is not json".into()).await;
    assert_eq!(raw::close_frame(&mut ws).await, None);

    let (mut ws, _) = raw::open(&fake).await;
    raw::request(&mut ws, "h1", "health").await;
    let res = raw::next_json(&mut ws).await;
    let first_must_be_connect = "invalid handshake: first request must be connect";
    assert_eq!(res["error"]["message"], first_must_be_connect);
    assert_eq!(
        raw::close_frame(&mut ws).await,
        Some((1008, first_must_be_connect.into()))
    );

    let (mut ws, _) = raw::open(&fake).await;
    raw::send(
        &mut ws,
        json!({"type": "req", "id": "c", "method": "connect", "params": {"client": 3}}).to_string(),
    )
    .await;
    let res = raw::next_json(&mut ws).await;
    assert!(
        res["error"]["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("invalid connect params: ")),
        "{res}"
    );
    assert_eq!(raw::close_frame(&mut ws).await.map(|c| c.0), Some(1008));

    let (mut ws, _) = raw::open(&fake).await;
    raw::send(&mut ws, "x".repeat(70_000)).await;
    assert_eq!(raw::close_frame(&mut ws).await.map(|c| c.0), Some(1009));

    raw::request(&mut bystander, "h2", "health").await;
    let res = raw::next_json(&mut bystander).await;
    assert_eq!(
        (res["id"].as_str(), res["ok"].as_bool()),
        (Some("h2"), Some(true))
    );
}
