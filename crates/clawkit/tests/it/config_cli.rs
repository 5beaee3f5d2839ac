//! `clawkit config` against files and against OpenClaw's own validator.

use crate::util::{assert_no_secrets, clawkit_with_env, run};
use clawkit_testkit::{ClientHome, V2026_9};

#[test]
fn malformed_config_is_reported_with_file_and_line_and_left_alone() {
    let client = ClientHome::new(V2026_9).unwrap();
    let text = "{\n  gateway: {\n    port: 18789,,\n  }\n}\n";
    let path = client.write_config(text).unwrap();
    for args in [
        vec!["config", "get", "gateway.port"],
        vec!["config", "set", "gateway.port", "18790"],
        vec!["config", "unset", "gateway.port"],
    ] {
        let out = run(clawkit_with_env(client.env()).args(&args));
        assert_eq!(out.code, Some(2), "{args:?}: {out}");
        assert!(
            out.stderr.contains(&format!("{}:3:", path.display())),
            "{args:?}: {out}"
        );
        assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
    }
}

#[test]
fn values_openclaw_rejects_are_refused_and_the_file_is_untouched() {
    let client = ClientHome::new(V2026_9).unwrap();
    let text = "{ gateway: { mode: 'local', port: 18790 } }\n";
    let path = client.write_config(text).unwrap();
    for (key, value, openclaw_rejects) in [
        ("gateway.port", "70000", true),
        ("gateway.auth.mode", "magic", true),
        ("gateway.controlUi.allowInsecureAuth", "true", true),
        (
            "gateway.controlUi.dangerouslyDisableDeviceAuth",
            "true",
            false,
        ),
        ("gateway.auth.token", "__OPENCLAW_REDACTED__", false),
    ] {
        let out = run(clawkit_with_env(client.env()).args(["config", "set", key, value]));
        assert_eq!(out.code, Some(2), "{key}={value}: {out}");
        assert!(out.stderr.contains("refused"), "{out}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), text, "{key}");
        if openclaw_rejects {
            // The real validator agrees that such a config is invalid.
            let probe = ClientHome::new(V2026_9).unwrap();
            let parts: Vec<&str> = key.split('.').collect();
            let mut json = value.to_string();
            if value.parse::<f64>().is_err() && value != "true" {
                json = format!("'{value}'");
            }
            for p in parts.iter().rev() {
                json = format!("{{ {p}: {json} }}");
            }
            probe.write_config(&json).unwrap();
            let v = probe.openclaw(&["config", "validate"]).unwrap();
            assert_eq!(v.code, Some(1), "openclaw accepted {json}:\n{v}");
        }
    }
}

#[test]
fn set_goes_to_the_included_file_and_openclaw_reads_the_result() {
    let client = ClientHome::new(V2026_9).unwrap();
    let gw_part = client.state_dir().join("gateway.json5");
    let part_text = "// shared by all my machines\n{\n  mode: 'local',\n  auth: { token: 'PLANTED-old-token-123456' },\n}\n";
    std::fs::write(&gw_part, part_text).unwrap();
    let main_text = "{\n  gateway: { $include: './gateway.json5' },\n}\n";
    let main = client.write_config(main_text).unwrap();

    let out = run(clawkit_with_env(client.env()).args(["config", "set", "gateway.port", "23456"]));
    assert_eq!(out.code, Some(0), "{out}");
    assert_eq!(std::fs::read_to_string(&main).unwrap(), main_text);
    assert_eq!(
        std::fs::read_to_string(&gw_part).unwrap(),
        "// shared by all my machines\n{\n  mode: 'local',\n  auth: { token: 'PLANTED-old-token-123456' },\n  port: 23456,\n}\n"
    );
    let status = client
        .openclaw(&["gateway", "status", "--json", "--no-probe"])
        .unwrap();
    let json: serde_json::Value = serde_json::from_str(&status.stdout).unwrap();
    assert_eq!(json["gateway"]["port"], 23456, "{status}");

    let get = run(clawkit_with_env(client.env()).args([
        "config",
        "get",
        "gateway.auth.token",
        "--show-origin",
    ]));
    assert!(get.stdout.contains("gateway.json5:4"), "{get}");
    assert_no_secrets(&get.text(), &["PLANTED-old-token-123456"]);
    let shown = run(clawkit_with_env(client.env()).args([
        "config",
        "get",
        "gateway.auth.token",
        "--show-secret",
    ]));
    assert_eq!(shown.stdout.trim(), "PLANTED-old-token-123456");
}
