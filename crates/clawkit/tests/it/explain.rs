//! `clawkit explain` on what real OpenClaw prints, on error frames, and on mixed inputs.

use crate::util::{clawkit, clawkit_with_env, per_version, run};
use clawkit_testkit::scenario;

fn explain_ids(input: &str) -> Vec<String> {
    let out = run(clawkit()
        .args(["explain", "--json", "-"])
        .write_stdin(input));
    out.json()["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_string())
        .collect()
}

per_version!(explains_the_real_cli_when_the_gateway_is_down, |version| {
    let (client, port) = scenario::gateway_down(version).unwrap();
    let out = client.openclaw(&["gateway", "health"]).unwrap();
    let ids = explain_ids(&out.text());
    let expected = if version.starts_with("2026.7.") {
        "connection-dropped"
    } else {
        "not-reachable"
    };
    assert_eq!(ids, [expected], "{out}");
    // The fix names this client's real port (from its config).
    let human = run(clawkit_with_env(client.env())
        .args(["explain", "-"])
        .write_stdin(out.text()));
    assert!(human.stdout.contains(&port.to_string()), "{human}");
});

per_version!(
    explains_the_real_cli_when_a_foreign_listener_holds_the_port,
    |version| {
        let (client, listener) = scenario::foreign_listener(version).unwrap();
        let out = client.openclaw(&["gateway", "health"]).unwrap();
        let expected = if version.starts_with("2026.7.") {
            "connection-dropped"
        } else {
            "not-a-gateway"
        };
        assert_eq!(explain_ids(&out.text()), [expected], "{out}");
        drop(listener);
    }
);

#[test]
fn explains_observed_error_frames() {
    // Verbatim frames from the reference's experiment log (2026.9.6).
    let cases = [
        (
            r#"{"code":"INVALID_REQUEST","message":"unauthorized: device token mismatch (rotate/reissue device token)","details":{"code":"AUTH_DEVICE_TOKEN_MISMATCH","authReason":"device_token_mismatch","canRetryWithDeviceToken":false,"recommendedNextStep":"update_auth_credentials"}}"#,
            "device-token-mismatch",
        ),
        (
            r#"{"code":"NOT_PAIRED","message":"pairing required: device is not approved yet","details":{"code":"PAIRING_REQUIRED","reason":"not-paired","requestId":"364af9a1-8515-4d86-bb83-04a051f7ea24"}}"#,
            "pairing-required",
        ),
        (
            r#"{"code":"INVALID_REQUEST","message":"unauthorized: device token scope mismatch (re-pair or approve scope upgrade)","details":{"code":"AUTH_SCOPE_MISMATCH","authReason":"scope_mismatch"}}"#,
            "scope-mismatch",
        ),
        (
            r#"{"code":"NOT_PAIRED","message":"device identity required","details":{"code":"DEVICE_IDENTITY_REQUIRED"}}"#,
            "device-identity-required",
        ),
        (
            r#"{"code":"INVALID_REQUEST","message":"origin not allowed (open the Control UI from the gateway host or allow it in gateway.controlUi.allowedOrigins)","details":{"code":"CONTROL_UI_ORIGIN_NOT_ALLOWED","reason":"origin not allowed"}}"#,
            "origin-not-allowed",
        ),
        (
            r#"{"code":"INVALID_REQUEST","message":"unauthorized: gateway token missing (use this gateway's gateway.auth.token or pair the device)","details":{"code":"AUTH_TOKEN_MISSING","authReason":"token_missing"}}"#,
            "gateway-token-missing",
        ),
        ("gateway starting; retry shortly", "gateway-starting"),
        (
            "unauthorized: gateway token mismatch (set gateway.remote.token to match gateway.auth.token)",
            "gateway-token-mismatch",
        ),
    ];
    for (input, id) in cases {
        assert_eq!(explain_ids(input), [id], "{input}");
    }
    // The pairing request id is lifted into the fix command.
    let out = run(clawkit().args(["explain", cases[1].0]));
    assert!(
        out.stdout
            .contains("devices approve 364af9a1-8515-4d86-bb83-04a051f7ea24"),
        "{out}"
    );
}

#[test]
fn several_errors_make_one_ordered_plan() {
    let input = "origin not allowed (open the Control UI from the gateway host or allow it in gateway.controlUi.allowedOrigins)\n\
                 unauthorized: device token mismatch (rotate/reissue device token)\n\
                 Gateway failed to start: another gateway instance is already listening on ws://127.0.0.1:28789 | listen EADDRINUSE\n\
                 unauthorized: gateway token mismatch (use this gateway's gateway.auth.token or pair the device)\n";
    let out = run(clawkit()
        .args(["explain", "--json", "-"])
        .write_stdin(input));
    let phases: Vec<String> = out.json()["plan"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["phase"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        phases,
        ["shared-secret", "restart", "device-tokens", "dashboard"],
        "{out}"
    );
    let human = run(clawkit().args(["explain", "-"]).write_stdin(input));
    assert!(human.stdout.contains("Plan, in this order:"), "{human}");
}

#[test]
fn unknown_text_is_said_to_be_unknown() {
    let out = run(clawkit().args(["explain", "the printer is on fire"]));
    assert_eq!(out.code, Some(1), "{out}");
    assert!(out.stdout.contains("does not recognise"), "{out}");
    assert_eq!(
        run(clawkit().args(["explain", "--json", "lp0 on fire"])).json()["recognized"],
        false
    );
}

#[test]
fn pasted_secrets_are_not_echoed() {
    let input = "open http://127.0.0.1:18789/#token=PLANTED-abcdef123456 -> unauthorized: gateway token mismatch (x)";
    let out = run(clawkit().args(["explain", input]));
    assert!(!out.text().contains("PLANTED-abcdef123456"), "{out}");
    assert!(out.stdout.contains("gateway-token-mismatch"), "{out}");
}

/// Both token errors, in either order: the gateway token first, and the guides' four steps —
/// align the shared secret, restart, refresh device tokens, a fresh dashboard handshake.
#[test]
fn both_token_errors_in_either_order_give_the_four_step_plan() {
    let gateway = "unauthorized: gateway token mismatch (set gateway.remote.token to match gateway.auth.token)";
    let device = "unauthorized: device token mismatch (rotate/reissue device token)";
    for input in [
        format!("{gateway}\n{device}\n"),
        format!("{device}\n{gateway}\n"),
    ] {
        assert_eq!(
            explain_ids(&input),
            ["gateway-token-mismatch", "device-token-mismatch"],
            "{input}"
        );
        let doc = run(clawkit()
            .args(["explain", "--json", "-"])
            .write_stdin(input.as_str()))
        .json();
        let plan: Vec<(String, serde_json::Value)> = doc["plan"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p["phase"].as_str().unwrap().to_string(),
                    p["errors"].clone(),
                )
            })
            .collect();
        assert_eq!(
            plan,
            [
                (
                    "shared-secret".into(),
                    serde_json::json!(["gateway-token-mismatch"])
                ),
                ("restart".into(), serde_json::json!([])),
                (
                    "device-tokens".into(),
                    serde_json::json!(["device-token-mismatch"])
                ),
                ("dashboard".into(), serde_json::json!([])),
            ],
            "{input}"
        );
        let dashboard = doc["plan"][3]["command"].as_str().unwrap();
        assert!(dashboard.contains("dashboard --no-open"), "{dashboard}");
        assert!(
            dashboard.contains("private (incognito) window"),
            "{dashboard}"
        );

        let human = run(clawkit().args(["explain", "-"]).write_stdin(input.as_str()));
        let text = &human.stdout;
        let at = |s: &str| text.find(s).unwrap_or_else(|| panic!("{s}:\n{human}"));
        assert!(
            at("1. gateway token mismatch") < at("2. device token mismatch"),
            "{human}"
        );
        let steps = [
            "  1. align the shared secret between the gateway and its clients (gateway-token-mismatch)",
            "  2. restart the gateway (and free its port)\n       $ clawkit gateway restart",
            "  3. refresh device tokens (device-token-mismatch)",
            "  4. open the dashboard in a private window (a fresh handshake)\n       $ openclaw dashboard --no-open",
        ];
        let places: Vec<usize> = steps.iter().map(|s| at(s)).collect();
        assert!(places.is_sorted(), "{human}");
        let plan_text = &text[at("Plan, in this order:")..];
        assert!(!plan_text.contains("\n  5. "), "four steps:\n{human}");
    }
}
