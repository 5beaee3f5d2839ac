//! Each staged failure, observed through the real `openclaw` CLI of the same version: the
//! scenario helpers must reproduce exactly what users see, or every later test built on them
//! would prove nothing.

use crate::util::per_version;
use clawkit_testkit::scenario::{
    self, WrongTokenVia, expected_foreign_http, expected_refused, expected_token_mismatch,
};
use clawkit_testkit::{PortState, port_state, shared_gateway};

per_version!(matching_token_is_accepted, |version| {
    let gw = shared_gateway(version).unwrap();
    let client = scenario::matching_client(gw).unwrap();
    let out = client.openclaw(&["gateway", "health"]).unwrap();
    assert!(out.success(), "{out}");
    assert!(out.stdout.contains("OK"), "{out}");
});

fn assert_token_mismatch(version: &str, via: WrongTokenVia) {
    let gw = shared_gateway(version).unwrap();
    let (client, _wrong) = scenario::gateway_token_mismatch(gw, via).unwrap();
    let out = client.openclaw(&["gateway", "health"]).unwrap();
    assert_eq!(out.code, Some(1), "{out}");
    assert!(
        out.stderr.contains(expected_token_mismatch(version)),
        "{via:?}: expected `{}`\n{out}",
        expected_token_mismatch(version)
    );
}

per_version!(token_mismatch_via_client_config, |version| {
    assert_token_mismatch(version, WrongTokenVia::ClientConfig);
});

per_version!(token_mismatch_via_remote_token, |version| {
    assert_token_mismatch(version, WrongTokenVia::RemoteToken);
});

per_version!(token_mismatch_via_env_var, |version| {
    assert_token_mismatch(version, WrongTokenVia::EnvVar);
});

per_version!(gateway_down_is_connection_refused, |version| {
    let (client, port) = scenario::gateway_down(version).unwrap();
    assert_eq!(port_state(port), PortState::Refused);
    let out = client.openclaw(&["gateway", "health"]).unwrap();
    assert_eq!(out.code, Some(1), "{out}");
    let expected = expected_refused(version, port);
    assert!(
        out.text().contains(&expected),
        "expected `{expected}`\n{out}"
    );
});

per_version!(foreign_listener_is_not_a_gateway, |version| {
    let (client, listener) = scenario::foreign_listener(version).unwrap();
    assert_eq!(port_state(listener.port()), PortState::Accepting);
    let out = client.openclaw(&["gateway", "health"]).unwrap();
    assert_eq!(out.code, Some(1), "{out}");
    let expected = expected_foreign_http(version);
    assert!(
        out.text().contains(expected),
        "expected `{expected}`\n{out}"
    );
});

// The CLI's own device token: cached, working, then stale after a rotation on the gateway —
// the real CLI prints the exact error users report.
per_version!(
    cli_cached_device_token_goes_stale_after_rotate_and_revoke,
    |version| {
        use clawkit_testkit::{Gateway, GatewayOptions, TokenSource};
        let gw =
            Gateway::start(GatewayOptions::new(version).token_source(TokenSource::Env)).unwrap();
        let device = scenario::cli_device_token_cached(&gw).unwrap();
        let without = ["OPENCLAW_GATEWAY_TOKEN"];
        let ok = gw
            .openclaw_cli_without(&without, &["gateway", "health"])
            .unwrap();
        assert!(ok.success(), "the cached device token should work:\n{ok}");
        scenario::gateway_device_token(&gw, &device, false).unwrap();
        let stale = gw
            .openclaw_cli_without(&without, &["gateway", "health"])
            .unwrap();
        assert_eq!(stale.code, Some(1), "{stale}");
        assert!(
            stale.text().contains(scenario::DEVICE_TOKEN_MISMATCH),
            "{stale}"
        );

        // The same after a revoke: cache the current token again, revoke it on the gateway.
        scenario::cli_device_token_cached(&gw).unwrap();
        let ok = gw
            .openclaw_cli_without(&without, &["gateway", "health"])
            .unwrap();
        assert!(ok.success(), "{ok}");
        scenario::gateway_device_token(&gw, &device, true).unwrap();
        let revoked = gw
            .openclaw_cli_without(&without, &["gateway", "health"])
            .unwrap();
        assert!(
            revoked.text().contains(scenario::DEVICE_TOKEN_MISMATCH),
            "{revoked}"
        );
    }
);

// A device identity written by clawkit (PKCS#8 v1, where that OpenClaw reads it) is loaded by
// the real CLI's Node runtime, which signs the handshake with it: the CLI connects with its
// device token and no shared secret.
per_version!(
    the_real_cli_signs_with_an_identity_clawkit_wrote,
    |version| {
        use clawkit_core::gateway::DeviceIdentity;
        use clawkit_testkit::{Gateway, GatewayOptions, TokenSource};
        let gw =
            Gateway::start(GatewayOptions::new(version).token_source(TokenSource::Env)).unwrap();
        // Let the CLI create its own identity first, then replace it.
        assert!(gw.openclaw_cli(&["gateway", "health"]).unwrap().success());
        let written = DeviceIdentity::generate();
        let backup = clawkit_core::openclaw::identity::store(
            gw.state_dir(),
            &written,
            &gw.state_dir().join("clawkit/backups"),
        )
        .unwrap();
        assert!(backup.is_dir());
        let loaded = clawkit_core::openclaw::identity::load(gw.state_dir()).unwrap();
        assert_eq!(loaded.device_id(), written.device_id());
        let device = scenario::cli_device_token_cached(&gw).unwrap();
        assert_eq!(device, written.device_id());
        let out = gw
            .openclaw_cli_without(&["OPENCLAW_GATEWAY_TOKEN"], &["gateway", "health"])
            .unwrap();
        assert!(out.success(), "the CLI could not use clawkit's key:\n{out}");
    }
);
