//! `clawkit doctor`: one test per root cause that can be staged on Linux, each on a real
//! gateway: the named cause, the plan, `--fix --yes` leaving a healthy doctor and a working real
//! `openclaw` CLI, and `clawkit undo` restoring every changed file byte for byte.

use crate::util::{Run, assert_no_secrets, clawkit_with_env, per_version, run};
#[allow(unused_imports)]
use clawkit_testkit::{Gateway, GatewayOptions, TokenSource, V2026_9, distinctive_secret};
use serde_json::Value;
#[allow(unused_imports)]
use serde_json::json;
use std::path::Path;

type Env = [(String, String)];

fn doctor(env: &Env, args: &[&str]) -> Run {
    run(clawkit_with_env(env).arg("doctor").args(args))
}

fn doctor_json(env: &Env, args: &[&str]) -> (Option<i32>, Value, Run) {
    let r = doctor(env, &[&["--json"], args].concat());
    (r.code, r.json(), r)
}

/// Codes of findings at warning level or above.
fn problems(doc: &Value) -> Vec<String> {
    doc["checks"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["findings"].as_array().unwrap().iter())
        .filter(|f| f["severity"] == "warning" || f["severity"] == "error")
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

fn cause<'a>(doc: &'a Value, code: &str) -> &'a Value {
    doc["causes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == code)
        .unwrap_or_else(|| panic!("no cause {code} in {:#}", doc["causes"]))
}

fn plan_kinds(doc: &Value) -> Vec<String> {
    doc["plan"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["kind"].as_str().unwrap().to_string())
        .collect()
}

fn read_all(files: &[&Path]) -> Vec<Option<Vec<u8>>> {
    files.iter().map(|p| std::fs::read(p).ok()).collect()
}

/// `--fix --yes`, then a healthy doctor; returns the fix run's output.
fn fix_to_healthy(env: &Env, extra: &[&str]) -> Run {
    let r = doctor(env, &[&["--fix", "--yes"], extra].concat());
    assert_eq!(r.code, Some(3), "the fix did not heal:\n{r}");
    let (code, doc, after) = doctor_json(env, extra);
    assert_eq!(
        code,
        Some(0),
        "not healthy after the fix: {:?}\n{after}",
        problems(&doc)
    );
    assert_eq!(doc["healthy"], true);
    r
}

/// `clawkit undo` puts every file back as it was.
fn undo_restores(env: &Env, files: &[&Path], before: &[Option<Vec<u8>>]) -> Run {
    let r = run(clawkit_with_env(env).arg("undo"));
    assert_eq!(r.code, Some(0), "{r}");
    assert_eq!(
        &read_all(files),
        before,
        "undo did not restore the files:\n{r}"
    );
    r
}

fn health(gw: &Gateway, env: &Env) -> clawkit_testkit::CliOutput {
    gw.openclaw_cli_env(env, &["gateway", "health"]).unwrap()
}

fn health_ok(gw: &Gateway, env: &Env) {
    let out = health(gw, env);
    assert!(out.success(), "the real CLI still fails:\n{out}");
}

fn health_fails_with(gw: &Gateway, env: &Env, text: &str) {
    let out = health(gw, env);
    assert!(
        !out.success() && out.text().contains(text),
        "expected `{text}`:\n{out}"
    );
}

/// The gateway's environment plus `extra`.
fn env_with(gw: &Gateway, extra: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut env = gw.env_without(&extra.iter().map(|(k, _)| *k).collect::<Vec<_>>());
    env.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    env
}

/// Writes a private JSON5 file.
fn write_private(path: &Path, text: &str) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
}

#[test]
fn healthy_gateway_has_no_finding() {
    let gw = Gateway::start(GatewayOptions::new(V2026_9)).unwrap();
    let (code, doc, r) = doctor_json(gw.env(), &[]);
    assert_eq!(code, Some(0), "{:?}\n{r}", problems(&doc));
    assert_eq!(doc["schemaVersion"], 1);
    assert!(doc["causes"].as_array().unwrap().is_empty(), "{doc:#}");
    assert!(doc["plan"].as_array().unwrap().is_empty(), "{doc:#}");
    assert_eq!(doc["versions"]["gateway"], V2026_9);
    let human = doctor(gw.env(), &[]);
    assert_eq!(human.code, Some(0), "{human}");
    assert!(
        human.stdout.contains("healthy: no problem found"),
        "{human}"
    );
    assert!(human.stdout.contains("[own-gateway]"), "{human}");
    assert!(
        !human.stdout.contains("\x1b["),
        "no colour when not a terminal"
    );
    // --fix on a healthy install changes nothing and needs no confirmation.
    let fix = doctor(gw.env(), &["--fix"]);
    assert_eq!(fix.code, Some(0), "{fix}");
    assert_no_secrets(
        &format!("{}{}{}", r.text(), human.text(), fix.text()),
        &[gw.token()],
    );
}

// The CLI's shell names another config file (OPENCLAW_CONFIG_PATH) whose token is stale; the
// gateway reads the default config.
per_version!(wrong_client_config_token, |version| {
    let gw = Gateway::start(GatewayOptions::new(version)).unwrap();
    let stale = distinctive_secret("stale");
    let cli_config = gw.state_dir().join("cli.json");
    write_private(
        &cli_config,
        &format!(
            "// the CLI's own config\n{{\n  gateway: {{\n    mode: 'local',\n    port: {},\n    auth: {{ token: '{stale}' }},\n  }},\n}}\n",
            gw.port()
        ),
    );
    let env = env_with(
        &gw,
        &[("OPENCLAW_CONFIG_PATH", cli_config.to_str().unwrap())],
    );
    health_fails_with(&gw, &env, "gateway token mismatch");
    let (code, doc, r) = doctor_json(&env, &[]);
    assert_eq!(code, Some(1), "{r}");
    let c = cause(&doc, "secret-mismatch");
    assert_eq!(c["rank"], 1, "{:#}", doc["causes"]);
    let summary = c["summary"].as_str().unwrap();
    assert!(
        summary.contains("cli.json") && summary.contains("openclaw.json"),
        "{summary}"
    );
    assert!(
        c["explains"].to_string().contains("gateway token mismatch"),
        "{c:#}"
    );
    assert_eq!(
        plan_kinds(&doc),
        ["config-set", "verify"],
        "{:#}",
        doc["plan"]
    );

    let files = [cli_config.as_path(), gw.config_path()];
    let before = read_all(&files);
    let dry = doctor(&env, &["--dry-run"]);
    assert_eq!(dry.code, Some(1), "{dry}");
    assert!(
        dry.stdout.contains("@@ -") && dry.stdout.contains("+    auth: { token: 'sha256:"),
        "{dry}"
    );
    assert_eq!(read_all(&files), before, "a dry run wrote something");

    let fix = fix_to_healthy(&env, &[]);
    health_ok(&gw, &env);
    let edited = std::fs::read_to_string(&cli_config).unwrap();
    assert!(
        edited.starts_with("// the CLI's own config\n"),
        "comments survive:\n{edited}"
    );
    let undo = undo_restores(&env, &files, &before);
    assert_no_secrets(
        &format!("{}{}{}{}", r.text(), dry.text(), fix.text(), undo.text()),
        &[gw.token(), &stale],
    );
});
