//! `clawkit gateway token status|rotate` on the failure users hit most: the CLI's cached
//! device token went stale after a rotation on the gateway.

use crate::util::{assert_no_secrets, clawkit_with_env, per_version, run};
use clawkit_testkit::scenario;
use clawkit_testkit::{Gateway, GatewayOptions, TokenSource};

/// Every device-token value cached or issued in this state dir, read raw (test-only).
fn device_tokens(state_dir: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    let db = state_dir.join("state/openclaw.sqlite");
    if let Ok(conn) =
        rusqlite::Connection::open_with_flags(&db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        && let Ok(mut stmt) = conn.prepare("SELECT token FROM device_auth_tokens")
    {
        out.extend(
            stmt.query_map([], |r| r.get::<_, String>(0))
                .unwrap()
                .flatten(),
        );
    }
    for file in ["identity/device-auth.json", "devices/paired.json"] {
        if let Ok(text) = std::fs::read_to_string(state_dir.join(file)) {
            let mut rest = text.as_str();
            while let Some(i) = rest.find("\"token\":\"") {
                rest = &rest[i + 9..];
                out.push(rest.split('"').next().unwrap().to_string());
            }
        }
    }
    out
}

per_version!(rotate_fixes_the_clis_stale_device_token, |version| {
    let gw = Gateway::start(GatewayOptions::new(version).token_source(TokenSource::Env)).unwrap();
    let device = scenario::cli_device_token_cached(&gw).unwrap();
    scenario::gateway_device_token(&gw, &device, false).unwrap();
    let no_secret = ["OPENCLAW_GATEWAY_TOKEN"];
    let broken = gw
        .openclaw_cli_without(&no_secret, &["gateway", "health"])
        .unwrap();
    assert!(
        broken.text().contains(scenario::DEVICE_TOKEN_MISMATCH),
        "{broken}"
    );
    let stale_tokens = device_tokens(gw.state_dir());

    // The gateway logged it: `clawkit logs` names the reason, the CLI client and its device.
    let logs = run(clawkit_with_env(gw.env())
        .args(["logs", "--json", "--file"])
        .arg(gw.log_file()));
    let groups = logs.json()["report"]["groups"].clone();
    assert!(
        groups
            .as_array()
            .unwrap()
            .iter()
            .any(|g| g["kind"] == "auth-failure"
                && g["reason"] == "device_token_mismatch"
                && g["client"] == "cli/cli"
                && g["device"] == true
                && g["gateway_port"] == gw.port()),
        "{logs}"
    );

    // status, in the CLI's own shell (no shared secret): names the stale cached token.
    let status = run(clawkit_with_env(&gw.env_without(&no_secret))
        .args(["gateway", "token", "status", "--json"]));
    assert_eq!(status.code, Some(1), "{status}");
    let doc = status.json();
    let human =
        run(clawkit_with_env(&gw.env_without(&no_secret)).args(["gateway", "token", "status"]));
    if version.starts_with("2026.7.") {
        // 2026.7's CLI drops the token the gateway refused: now it has no credential at all.
        assert_eq!(doc["cachedTokens"], serde_json::json!([]), "{doc:#}");
        assert_eq!(doc["clientAuth"], "none", "{doc:#}");
        assert!(human.stdout.contains("cannot authenticate"), "{human}");
    } else {
        let cached = &doc["cachedTokens"][0];
        assert_eq!(cached["deviceId"], device.as_str(), "{doc:#}");
        assert_eq!(cached["stale"], true, "{doc:#}");
        assert_eq!(cached["gatewayVerdict"], "device token mismatch", "{doc:#}");
        assert!(
            cached["reason"].as_str().unwrap().contains("rotat"),
            "{doc:#}"
        );
        assert_eq!(doc["clientAuth"], "stale-device-token", "{doc:#}");
        assert!(human.stdout.contains("STALE"), "{human}");
    }
    assert!(
        human.stdout.contains("clawkit gateway token rotate"),
        "{human}"
    );

    // rotate, where the shared token is at hand: fresh token cached and verified.
    let rotate = run(clawkit_with_env(gw.env()).args(["gateway", "token", "rotate"]));
    assert_eq!(rotate.code, Some(0), "{rotate}");
    assert!(
        rotate
            .stdout
            .contains("verified: the gateway accepts the new token"),
        "{rotate}"
    );
    let backup = rotate
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("backup: "))
        .unwrap();
    assert!(std::path::Path::new(backup).exists(), "{rotate}");

    // The real CLI, still without a shared secret, works again.
    let fixed = gw
        .openclaw_cli_without(&no_secret, &["gateway", "health"])
        .unwrap();
    assert!(fixed.success(), "{fixed}");
    // Without any shared secret, a working device token rotates itself in-band.
    let in_band =
        run(clawkit_with_env(&gw.env_without(&no_secret)).args(["gateway", "token", "rotate"]));
    assert_eq!(in_band.code, Some(0), "{in_band}");
    assert!(in_band.stdout.contains("rotated in-band"), "{in_band}");
    assert!(
        in_band
            .stdout
            .contains("verified: the gateway accepts the new token"),
        "{in_band}"
    );
    let still_fixed = gw
        .openclaw_cli_without(&no_secret, &["gateway", "health"])
        .unwrap();
    assert!(still_fixed.success(), "{still_fixed}");

    // The probe, as this device with its cached token and no shared secret, agrees.
    let as_device =
        run(clawkit_with_env(&gw.env_without(&no_secret))
            .args(["probe", "--as", "device", "--json"]));
    assert_eq!(as_device.json()["verdict"]["verdict"], "ok", "{as_device}");
    let after = run(clawkit_with_env(&gw.env_without(&no_secret))
        .args(["gateway", "token", "status", "--json"]));
    assert_eq!(after.json()["cachedTokens"][0]["stale"], false, "{after}");
    assert_eq!(after.json()["clientAuth"], "device-token", "{after}");

    let mut secrets = stale_tokens;
    secrets.extend(device_tokens(gw.state_dir()));
    secrets.push(gw.token().to_string());
    let all = format!(
        "{}{}{}{}{}",
        status.text(),
        human.text(),
        rotate.text(),
        after.text(),
        as_device.text(),
    ) + &in_band.text();
    assert_no_secrets(
        &all,
        &secrets.iter().map(String::as_str).collect::<Vec<_>>(),
    );
});

#[test]
fn status_on_a_healthy_gateway_host_finds_nothing_wrong() {
    let gw = clawkit_testkit::shared_gateway(clawkit_testkit::V2026_9).unwrap();
    let out = run(clawkit_with_env(gw.env()).args(["gateway", "token", "status", "--json"]));
    let doc = out.json();
    assert_eq!(doc["live"]["verdict"], "ok", "{doc:#}");
    assert_eq!(doc["agreeInConfig"], true, "{doc:#}");
    assert_no_secrets(&out.text(), &[gw.token()]);
}

#[test]
fn rotating_another_device_withholds_its_token_and_says_what_to_do() {
    let gw = clawkit_testkit::shared_gateway(clawkit_testkit::V2026_9).unwrap();
    // A second device, paired silently on loopback.
    let rt = crate::util::runtime();
    let other = clawkit_core::gateway::DeviceIdentity::generate();
    rt.block_on(async {
        let mut o = clawkit_core::gateway::ConnectOptions::new(gw.url());
        o.credential = clawkit_core::gateway::Credential::Token(gw.token().to_string());
        o.device = Some((other.clone(), None));
        clawkit_core::gateway::connect(&o)
            .await
            .unwrap()
            .close()
            .await;
    });
    let out = run(clawkit_with_env(gw.env()).args([
        "gateway",
        "token",
        "rotate",
        "--device",
        other.device_id(),
    ]));
    assert_eq!(out.code, Some(0), "{out}");
    assert!(out.stdout.contains("private window"), "{out}");
    assert_no_secrets(&out.text(), &[gw.token()]);
}

per_version!(
    reset_unpairs_everything_and_the_cli_pairs_again,
    |version| {
        let gw =
            Gateway::start(GatewayOptions::new(version).token_source(TokenSource::Env)).unwrap();
        let device = scenario::cli_device_token_cached(&gw).unwrap();
        // A second paired device and a pending request from a browser origin.
        let rt = crate::util::runtime();
        rt.block_on(async {
            use clawkit_core::gateway::{ConnectOptions, Credential, DeviceIdentity, connect};
            let mut other = ConnectOptions::new(gw.url());
            other.credential = Credential::Token(gw.token().to_string());
            other.device = Some((DeviceIdentity::generate(), None));
            connect(&other).await.unwrap().close().await;
            other.device = Some((DeviceIdentity::generate(), None));
            other.origin = Some(format!("http://127.0.0.1:{}", gw.port()));
            assert!(
                connect(&other).await.is_err(),
                "a pending request was expected"
            );
        });
        let no_secret = ["OPENCLAW_GATEWAY_TOKEN"];

        // rotate --all: the other paired device is rotated on the gateway, this client refreshed.
        let all = run(clawkit_with_env(gw.env()).args(["gateway", "token", "rotate", "--all"]));
        assert_eq!(all.code, Some(0), "{all}");
        assert!(
            all.stdout.contains("1 other device(s) must reconnect"),
            "{all}"
        );
        assert!(
            all.stdout
                .contains("verified: the gateway accepts the new token"),
            "{all}"
        );
        let after_all = gw
            .openclaw_cli_without(&no_secret, &["gateway", "health"])
            .unwrap();
        assert!(after_all.success(), "{after_all}");

        // Without --yes and without a terminal, nothing happens.
        let refused = run(clawkit_with_env(gw.env()).args(["gateway", "token", "reset"]));
        assert_eq!(refused.code, Some(2), "{refused}");
        assert!(refused.stderr.contains("--yes"), "{refused}");
        let still = gw
            .openclaw_cli_without(&no_secret, &["gateway", "health"])
            .unwrap();
        assert!(
            still.success(),
            "reset without --yes changed something:\n{still}"
        );

        let reset =
            run(clawkit_with_env(gw.env()).args(["gateway", "token", "reset", "--yes", "--json"]));
        assert_eq!(reset.code, Some(0), "{reset}");
        let doc = reset.json();
        assert!(doc["removed"].as_array().unwrap().len() >= 2, "{doc:#}");
        assert!(doc["rejectedPending"].as_u64().unwrap() >= 1, "{doc:#}");
        assert_eq!(doc["remaining"], 0, "{doc:#}");
        assert!(
            std::path::Path::new(doc["backup"].as_str().unwrap()).is_dir(),
            "{doc:#}"
        );
        assert!(
            doc["removed"].to_string().contains(&device[..12]),
            "{doc:#}"
        );

        // The CLI has nothing to authenticate with now...
        let gone = gw
            .openclaw_cli_without(&no_secret, &["gateway", "health"])
            .unwrap();
        assert_eq!(gone.code, Some(1), "{gone}");
        // ...until it pairs again.
        let repair = run(clawkit_with_env(gw.env()).args(["gateway", "token", "rotate"]));
        assert_eq!(repair.code, Some(0), "{repair}");
        let back = gw
            .openclaw_cli_without(&no_secret, &["gateway", "health"])
            .unwrap();
        assert!(back.success(), "{back}");
        assert_no_secrets(
            &format!("{}{}{}", refused.text(), reset.text(), repair.text()),
            &[gw.token()],
        );
    }
);

// A paired device asking for more than it was approved for, from a browser origin, leaves a
// pending *repair* request; status shows it with the approve command, and the real CLI lists
// the same request.
#[test]
fn status_shows_a_pending_repair_request_the_cli_also_sees() {
    use clawkit_core::gateway::{ConnectOptions, Credential, DeviceIdentity, connect};
    let gw = clawkit_testkit::shared_gateway(clawkit_testkit::V2026_9).unwrap();
    let identity = DeviceIdentity::generate();
    let rt = crate::util::runtime();
    let request_id = clawkit_testkit::scenario::pending_repair(gw, &identity).unwrap();
    let status = run(clawkit_with_env(gw.env()).args(["gateway", "token", "status", "--json"]));
    let doc = status.json();
    let pending = doc["pending"].as_array().unwrap();
    let ours = pending
        .iter()
        .find(|p| p["requestId"] == request_id.as_str())
        .unwrap_or_else(|| panic!("{request_id} not in {doc:#}"));
    assert_eq!(ours["repair"], true, "{doc:#}");
    assert_eq!(ours["deviceId"], identity.device_id());
    let human = run(clawkit_with_env(gw.env()).args(["gateway", "token", "status"]));
    assert!(
        human
            .stdout
            .contains(&format!("openclaw devices approve {request_id}")),
        "{human}"
    );
    let cli = gw.openclaw_cli(&["devices", "list", "--json"]).unwrap();
    assert!(
        cli.stdout.contains(&request_id),
        "the real CLI does not list it:\n{cli}"
    );

    // Approving it over RPC (device.pair.approve) lets the device in with the new scope.
    rt.block_on(async {
        let mut admin = ConnectOptions::new(gw.url());
        admin.credential = Credential::Token(gw.token().to_string());
        let mut conn = connect(&admin).await.unwrap();
        conn.request(
            "device.pair.approve",
            serde_json::json!({"requestId": request_id}),
        )
        .await
        .unwrap();
        conn.close().await;
        let mut again = ConnectOptions::new(gw.url());
        again.credential = Credential::Token(gw.token().to_string());
        again.device = Some((identity.clone(), None));
        again.origin = Some(format!("http://127.0.0.1:{}", gw.port()));
        let conn = connect(&again).await.expect("approved");
        assert!(conn.hello.scopes.contains(&"operator.admin".to_string()));
        conn.close().await;
    });
}

#[test]
fn a_refusing_gateway_is_exit_1_with_the_next_step() {
    let gw = clawkit_testkit::shared_gateway(clawkit_testkit::V2026_9).unwrap();
    let wrong = clawkit_testkit::distinctive_secret("wrongtoken");
    let out =
        run(clawkit_with_env(gw.env()).args(["gateway", "token", "rotate", "--token", &wrong]));
    assert_eq!(out.code, Some(1), "{out}");
    // The given token is put to the gateway before anything else happens.
    assert!(
        out.stderr.contains("refused the token you gave (sha256:")
            && out.stderr.contains("gateway token mismatch")
            && out.stderr.contains("no file changed"),
        "{out}"
    );
    assert!(
        out.stderr.contains("hint:")
            && out
                .stderr
                .contains("clawkit gateway token rotate --token -"),
        "{out}"
    );
    assert_no_secrets(&out.text(), &[&wrong, gw.token()]);
}
