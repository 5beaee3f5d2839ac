//! The service audit on the definitions real OpenClaw releases write (rendered by their own
//! dist code), and on the 2026.2-era unit with an embedded token from the internals doc.

use crate::util::{assert_no_secrets, clawkit_with_env, run};
use clawkit_testkit::{
    ClientHome, V2026_7, V2026_9, distinctive_secret, ensure_openclaw, gateway_port,
    write_service_files,
};
use serde_json::Value;

/// A client install with `gateway.port` = `port` (and a token unless `None`).
fn install(port: u16, token: Option<&str>) -> ClientHome {
    let client = ClientHome::new(V2026_9).unwrap();
    let auth = token.map_or(String::new(), |t| format!(", auth: {{ token: \"{t}\" }}"));
    client
        .write_config(&format!("{{ gateway: {{ port: {port}{auth} }} }}"))
        .unwrap();
    client
}

fn render(client: &ClientHome, version: &str, port: u16) -> clawkit_testkit::ServiceFiles {
    let install = ensure_openclaw(version).unwrap();
    write_service_files(&install, client.home(), &client.state_dir(), port, &[]).unwrap()
}

/// `gateway status --json`: the service definitions found and the audit's findings.
fn audit(env: &[(String, String)]) -> (Value, Vec<Value>, String) {
    let r = run(clawkit_with_env(env).args(["gateway", "status", "--json"]));
    let doc = r.json();
    let findings = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"].as_str().unwrap().starts_with("service-"))
        .cloned()
        .collect();
    (doc["services"].clone(), findings, r.text())
}

fn codes(findings: &[Value]) -> Vec<&str> {
    findings
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect()
}

#[test]
fn clean_units_written_by_2026_9_6_have_no_finding() {
    let port = gateway_port();
    let client = install(port, Some(&distinctive_secret("cfgtok")));
    let files = render(&client, V2026_9, port);
    assert!(files.plist.is_some() && files.task_script.is_some());
    let (services, findings, text) = audit(client.env());
    let kinds: Vec<&str> = services
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["definition"]["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        vec!["systemd", "launchd", "scheduled-task"],
        "{text}"
    );
    assert!(
        findings.is_empty(),
        "a clean unit says nothing: {findings:#?}"
    );
    let unit = &services[0]["definition"];
    assert!(
        unit["program"].to_string().contains("dist/index.js"),
        "{unit:#}"
    );
}

#[test]
fn port_pinned_in_the_unit_differs_from_the_config() {
    let port = gateway_port();
    let client = install(port, Some("t"));
    render(&client, V2026_9, port + 7);
    let (_, findings, _) = audit(client.env());
    let f = findings
        .iter()
        .filter(|f| f["code"] == "service-port-mismatch")
        .collect::<Vec<_>>();
    // The unit, the plist and the task script each pin the other port.
    assert_eq!(f.len(), 3, "{findings:#?}");
    let summary = f[0]["summary"].as_str().unwrap();
    assert!(
        summary.contains(&format!(
            "starts the gateway on port {}, but clients connect to port {port}",
            port + 7
        )),
        "{summary}"
    );
    assert!(
        f[0]["evidence"][0]
            .as_str()
            .unwrap()
            .contains("openclaw-gateway.service:")
    );
}

#[test]
fn exec_start_left_on_an_older_or_removed_openclaw() {
    let port = gateway_port();
    let client = install(port, Some("t"));
    // Rendered by 2026.7.1 while the CLI on PATH is 2026.9.6: an update that missed the service.
    let files = render(&client, V2026_7, port);
    let (_, findings, _) = audit(client.env());
    let drift = findings
        .iter()
        .find(|f| f["code"] == "service-version-drift")
        .unwrap_or_else(|| panic!("{findings:#?}"));
    assert_eq!(drift["severity"], "error");
    assert!(
        drift["summary"]
            .as_str()
            .unwrap()
            .contains("runs OpenClaw 2026.7.1 but the `openclaw` CLI is 2026.9.6"),
        "{drift:#}"
    );
    // The package directory it names is gone.
    let unit = std::fs::read_to_string(&files.unit).unwrap();
    let install = ensure_openclaw(V2026_7).unwrap();
    let gone = unit.replace(
        &install.prefix.display().to_string(),
        "/opt/removed-openclaw",
    );
    std::fs::write(&files.unit, gone).unwrap();
    let (_, findings, _) = audit(client.env());
    let missing = findings
        .iter()
        .find(|f| f["code"] == "service-entry-missing")
        .unwrap_or_else(|| panic!("{findings:#?}"));
    assert!(
        missing["summary"]
            .as_str()
            .unwrap()
            .contains("/opt/removed-openclaw/node_modules/openclaw/dist/index.js")
    );
}

/// The unit 2026.2.23–2026.3.2 wrote: `OPENCLAW_GATEWAY_TOKEN` baked into `Environment=`
/// (internals doc §9), with the policy of the time.
fn legacy_unit(home: &std::path::Path, port: u16, token: &str) -> String {
    let install = ensure_openclaw(V2026_9).unwrap();
    format!(
        "[Unit]\nDescription=OpenClaw Gateway\nAfter=network-online.target\nWants=network-online.target\n\n[Service]\nExecStart={node} {entry} gateway --port {port}\nRestart=always\nRestartSec=5\nKillMode=process\nEnvironment=HOME={home}\nEnvironment=OPENCLAW_GATEWAY_PORT={port}\nEnvironment=OPENCLAW_GATEWAY_TOKEN={token}\nEnvironment=OPENCLAW_SERVICE_MARKER=openclaw\n\n[Install]\nWantedBy=default.target\n",
        node = install.node.display(),
        entry = install
            .prefix
            .join("node_modules/openclaw/dist/index.js")
            .display(),
        home = home.display(),
    )
}

fn write_unit(client: &ClientHome, text: &str) -> std::path::PathBuf {
    let dir = client.home().join(".config/systemd/user");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("openclaw-gateway.service");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn embedded_token_that_the_cli_does_not_send() {
    let port = gateway_port();
    let baked = distinctive_secret("bakedtok");
    let shell = distinctive_secret("shelltok");
    // The config has no token: the supervised gateway's token is the unit's.
    let mut client = install(port, None);
    client.set_env("OPENCLAW_GATEWAY_TOKEN", &shell);
    write_unit(&client, &legacy_unit(client.home(), port, &baked));
    let (_, findings, text) = audit(client.env());
    let f = findings
        .iter()
        .find(|f| f["code"] == "service-token-mismatch")
        .unwrap_or_else(|| panic!("{findings:#?}"));
    assert_eq!(f["severity"], "error");
    let all = f.to_string();
    assert!(all.contains("OPENCLAW_GATEWAY_TOKEN = sha256:"), "{all}");
    assert!(
        all.contains("openclaw-gateway.service:13"),
        "file:line of the Environment= line: {all}"
    );
    assert!(
        all.contains("the CLI sends sha256:")
            && all.contains("from OPENCLAW_GATEWAY_TOKEN (shell)"),
        "{all}"
    );
    // The era's KillMode=process and missing RestartPreventExitStatus=78 are named too.
    let c = codes(&findings);
    assert!(
        c.contains(&"service-kill-mode") && c.contains(&"service-restart-storm"),
        "{c:?}"
    );
    assert_no_secrets(&text, &[&baked, &shell]);
}

#[test]
fn embedded_token_equal_to_or_stale_against_the_config() {
    let port = gateway_port();
    let token = distinctive_secret("cfgtok");
    let client = install(port, Some(&token));
    let unit = write_unit(&client, &legacy_unit(client.home(), port, &token));
    let (_, findings, _) = audit(client.env());
    assert!(
        codes(&findings).contains(&"service-token-embedded"),
        "{findings:#?}"
    );

    let stale = distinctive_secret("oldtok");
    std::fs::write(&unit, legacy_unit(client.home(), port, &stale)).unwrap();
    let (_, findings, text) = audit(client.env());
    let f = findings
        .iter()
        .find(|f| f["code"] == "service-token-stale")
        .unwrap_or_else(|| panic!("{findings:#?}"));
    assert!(
        f["summary"]
            .as_str()
            .unwrap()
            .contains("gateway.auth.token"),
        "{f:#}"
    );
    assert_no_secrets(&text, &[&token, &stale]);
}

#[test]
fn drop_ins_and_environment_files_are_read_with_their_origin() {
    let port = gateway_port();
    let client = install(port, Some("cfg"));
    let files = render(&client, V2026_9, port);
    // An operator drop-in loosening the policy, and an environment file carrying a token.
    let dropin = files.unit.with_extension("service.d");
    std::fs::create_dir_all(&dropin).unwrap();
    std::fs::write(
        dropin.join("override.conf"),
        "[Service]\nKillMode=process\nRestartSec=100ms\n",
    )
    .unwrap();
    let env_file = client.state_dir().join("gateway.systemd.env");
    let secret = distinctive_secret("envfiletok");
    std::fs::write(
        &env_file,
        format!("# generated\nOPENCLAW_GATEWAY_TOKEN={secret}\n"),
    )
    .unwrap();
    let unit = std::fs::read_to_string(&files.unit).unwrap();
    std::fs::write(
        &files.unit,
        unit.replace(
            "[Install]",
            &format!("EnvironmentFile=-{}\n\n[Install]", env_file.display()),
        ),
    )
    .unwrap();
    let (_, findings, text) = audit(client.env());
    let unit_findings: Vec<&Value> = findings
        .iter()
        .filter(|f| {
            f.to_string().contains("override.conf") || f.to_string().contains("gateway.systemd.env")
        })
        .collect();
    let c: Vec<&str> = unit_findings
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(c.contains(&"service-kill-mode"), "{findings:#?}");
    assert!(c.contains(&"service-restart-storm"), "{findings:#?}");
    assert!(c.contains(&"service-token-stale"), "{findings:#?}");
    assert!(text.contains("gateway.systemd.env:2"), "{text}");
    assert_no_secrets(&text, &[&secret]);
}

#[test]
fn unreadable_and_garbage_definitions_are_named_not_fatal() {
    let port = gateway_port();
    let client = install(port, Some("t"));
    let plist = client
        .home()
        .join("Library/LaunchAgents/ai.openclaw.gateway.plist");
    std::fs::create_dir_all(plist.parent().unwrap()).unwrap();
    std::fs::write(&plist, "<plist><dict><key>Label</key>\0\0 garbage").unwrap();
    write_unit(
        &client,
        "\u{0}\u{1}not a unit at all\n[Service\nExecStart\n",
    );
    let r = run(clawkit_with_env(client.env()).args(["gateway", "status"]));
    assert_eq!(r.code, Some(1), "{r}");
    assert!(r.stdout.contains("ai.openclaw.gateway.plist"), "{r}");
    assert!(r.stdout.contains("[service-command-missing]"), "{r}");
    assert!(!r.stderr.contains("panicked"), "{r}");
}
