//! A client whose gateway runs elsewhere: its own HOME in remote mode, `gateway.remote.url`
//! at a real gateway's loopback port (as an SSH tunnel's local end would be). The doctor,
//! `gateway token status` and `probe` use that URL, examine no local port, service or log,
//! and name the stale `gateway.remote.token` with its fingerprint and file:line.

use crate::doctor::{Env, cause, doctor_json};
use crate::util::{Run, assert_no_secrets, clawkit_with_env, run};
use clawkit_testkit::{ClientHome, Gateway, GatewayOptions, V2026_9, distinctive_secret};
use serde_json::Value;

fn remote_client(url: &str, token: &str) -> ClientHome {
    let client = ClientHome::new(V2026_9).unwrap();
    client
        .write_config(&format!(
            "// a laptop that talks to its gateway elsewhere\n{{\n  gateway: {{\n    mode: 'remote',\n    remote: {{\n      url: '{url}',\n      token: '{token}',\n    }},\n  }},\n}}\n"
        ))
        .unwrap();
    client
}

/// Every finding code in the document.
fn codes(doc: &Value) -> Vec<String> {
    doc["checks"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["findings"].as_array().unwrap().iter())
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

fn token_status(env: &Env) -> Run {
    run(clawkit_with_env(env).args(["gateway", "token", "status"]))
}

#[test]
fn remote_mode_blames_the_remote_token() {
    let gw = Gateway::start(GatewayOptions::new(V2026_9)).unwrap();
    let stale = distinctive_secret("remote");
    let client = remote_client(&gw.url(), &stale);
    let (code, doc, r) = doctor_json(client.env(), &[]);
    assert_eq!(code, Some(1), "{r}");
    assert_eq!(doc["topology"]["mode"], "remote", "{:#}", doc["topology"]);
    assert_eq!(doc["topology"]["here"], false);
    let first = &doc["causes"][0];
    assert_eq!(
        first["code"], "remote-secret-refused",
        "{:#}",
        doc["causes"]
    );
    let summary = first["summary"].as_str().unwrap();
    let fingerprint = &clawkit_core::secret::fingerprint(&stale);
    assert!(
        summary.contains(fingerprint)
            && summary.contains("gateway.remote.token")
            && summary.contains(&format!("{}:", client.config_path().display())),
        "names the token by fingerprint and file:line: {summary}"
    );
    assert!(
        first["explains"]
            .to_string()
            .contains("gateway token mismatch"),
        "{first:#}"
    );
    let found = codes(&doc);
    assert!(
        !found
            .iter()
            .any(|c| c == "gateway-down" || c == "log-clean"),
        "this machine's port and log are not the remote gateway's: {found:?}"
    );
    for expected in ["gateway-elsewhere", "log-elsewhere"] {
        assert!(found.iter().any(|c| c == expected), "{expected}: {found:?}");
    }
    let status = token_status(client.env());
    assert!(
        status.stdout.contains(&gw.url()) && !status.stdout.contains("connection refused"),
        "token status uses the remote URL:\n{status}"
    );
    assert!(status.stdout.contains("gateway token mismatch"), "{status}");
    let probe = run(clawkit_with_env(client.env()).args(["probe", "--json"]));
    assert_eq!(probe.json()["url"], gw.url(), "{probe}");
    let human = run(clawkit_with_env(client.env()).arg("doctor"));
    assert!(
        human.stdout.contains("clawkit doctor --fix --token -"),
        "says how to supply the gateway's token:\n{human}"
    );
    assert_no_secrets(
        &format!(
            "{}{}{}{}",
            r.text(),
            status.text(),
            probe.text(),
            human.text()
        ),
        &[&stale, gw.token()],
    );

    // The right token: healthy, as the gateway's verdict says.
    let good = remote_client(&gw.url(), gw.token());
    let (code, doc, ok) = doctor_json(good.env(), &[]);
    assert_eq!(code, Some(0), "{ok}");
    assert!(
        codes(&doc).iter().any(|c| c == "remote-secret-accepted"),
        "{ok}"
    );
    assert_no_secrets(&ok.text(), &[gw.token()]);
}

#[test]
fn remote_gateway_down_is_unreachable_not_local_gateway_down() {
    let port = clawkit_testkit::closed_port();
    let token = distinctive_secret("tunnel");
    let client = remote_client(&format!("ws://127.0.0.1:{port}"), &token);
    let (code, doc, r) = doctor_json(client.env(), &[]);
    assert_eq!(code, Some(1), "{r}");
    let c = cause(&doc, "gateway-unreachable");
    assert_eq!(c["rank"], 1, "{:#}", doc["causes"]);
    assert!(
        c["summary"].as_str().unwrap().contains("tunnel"),
        "a loopback URL in remote mode is a tunnel's local end: {c:#}"
    );
    assert!(!codes(&doc).iter().any(|c| c == "gateway-down"), "{r}");
    // This machine has no gateway of its own in remote mode: the lifecycle commands say where
    // to run them (before touching any local port).
    let mut said = String::new();
    for verb in ["status", "restart", "start"] {
        let r = run(clawkit_with_env(client.env()).args(["gateway", verb]));
        assert_eq!(r.code, Some(2), "{r}");
        assert!(
            r.stderr.contains("remote mode")
                && r.stderr.contains(&format!("clawkit gateway {verb}"))
                && r.stderr.contains("clawkit probe"),
            "{r}"
        );
        said.push_str(&r.text());
    }
    assert_no_secrets(&format!("{}{said}", r.text()), &[&token]);
}
