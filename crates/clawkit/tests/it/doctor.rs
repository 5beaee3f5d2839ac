//! `clawkit doctor`: one test per root cause that can be staged on Linux, each on a real
//! gateway: the named cause, the plan, `--fix --yes` leaving a healthy doctor and a working real
//! `openclaw` CLI, and `clawkit undo` restoring every changed file byte for byte.

use crate::util::{Run, assert_no_secrets, clawkit_with_env, per_version, run};
use clawkit_core::lifecycle;
use clawkit_core::openclaw::reload;
#[allow(unused_imports)]
use clawkit_testkit::{Gateway, GatewayOptions, TokenSource, V2026_9, distinctive_secret};
use serde_json::Value;
#[allow(unused_imports)]
use serde_json::json;
use std::path::{Path, PathBuf};

pub(crate) type Env = [(String, String)];

pub(crate) fn doctor(env: &Env, args: &[&str]) -> Run {
    run(clawkit_with_env(env).arg("doctor").args(args))
}

pub(crate) fn doctor_json(env: &Env, args: &[&str]) -> (Option<i32>, Value, Run) {
    let r = doctor(env, &[&["--json"], args].concat());
    (r.code, r.json(), r)
}

/// Codes of findings at warning level or above.
pub(crate) fn problems(doc: &Value) -> Vec<String> {
    doc["checks"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["findings"].as_array().unwrap().iter())
        .filter(|f| f["severity"] == "warning" || f["severity"] == "error")
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

pub(crate) fn cause<'a>(doc: &'a Value, code: &str) -> &'a Value {
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
    let look: Vec<&str> = extra
        .iter()
        .copied()
        .filter(|a| *a != "--approve-repairs")
        .collect();
    let (code, doc, after) = doctor_json(env, &look);
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

/// The end of a scenario: `--fix --yes` (with `extra`) leaves a healthy doctor, `after_fix`
/// checks the result (the real CLI works, files read as expected), then `clawkit undo` restores
/// `files` byte for byte. Returns what the fix and the undo printed, for the secret check.
fn heal_then_undo(env: &Env, extra: &[&str], files: &[&Path], after_fix: impl FnOnce()) -> String {
    let before = read_all(files);
    let fix = fix_to_healthy(env, extra);
    after_fix();
    let undo = undo_restores(env, files, &before);
    format!("{}{}", fix.text(), undo.text())
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

    // Without a terminal to ask on, --fix wants --yes and changes nothing.
    let refused = doctor(&env, &["--fix"]);
    assert_eq!(refused.code, Some(2), "{refused}");
    assert!(refused.stderr.contains("--fix --yes"), "{refused}");
    assert_eq!(read_all(&files), before);
    // The support bundle: parseable, private, every secret a fingerprint.
    let report = gw.state_dir().join("support.json");
    let bundle = doctor(&env, &["--report", report.to_str().unwrap()]);
    assert_eq!(bundle.code, Some(1), "{bundle}");
    let text = std::fs::read_to_string(&report).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    assert!(
        doc["report"]["maskedConfig"]
            .as_str()
            .unwrap()
            .contains("token: 'sha256:"),
        "{doc:#}"
    );
    assert_eq!(doc["causes"][0]["code"], "secret-mismatch");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&report).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert_no_secrets(&text, &[gw.token(), &stale]);

    let healed = heal_then_undo(&env, &[], &files, || {
        health_ok(&gw, &env);
        let edited = std::fs::read_to_string(&cli_config).unwrap();
        assert!(
            edited.starts_with("// the CLI's own config\n"),
            "comments survive:\n{edited}"
        );
    });
    assert_no_secrets(
        &format!("{}{}{healed}", r.text(), dry.text()),
        &[gw.token(), &stale],
    );
});

/// A gateway whose token lives only in its environment (a service's `Environment=`).
pub(crate) fn env_token_gateway(version: &str, patch: serde_json::Value) -> Gateway {
    Gateway::start(
        GatewayOptions::new(version)
            .token_source(TokenSource::Env)
            .config_patch(patch),
    )
    .unwrap()
}

// No gateway.auth.token; a stale gateway.remote.token is what the local CLI falls back to.
per_version!(wrong_remote_token, |version| {
    let stale = distinctive_secret("remote");
    let gw = env_token_gateway(version, json!({"gateway": {"remote": {"token": stale}}}));
    let shell = gw.env_without(&["OPENCLAW_GATEWAY_TOKEN"]);
    health_fails_with(&gw, &shell, "gateway token mismatch");
    let (code, doc, r) = doctor_json(&shell, &[]);
    assert_eq!(code, Some(1), "{r}");
    let c = cause(&doc, "secret-mismatch");
    let summary = c["summary"].as_str().unwrap();
    assert!(
        summary.contains("gateway.remote.token") && summary.contains("OPENCLAW_GATEWAY_TOKEN"),
        "names both sources: {summary}"
    );
    assert_eq!(
        plan_kinds(&doc),
        ["config-set", "verify"],
        "{:#}",
        doc["plan"]
    );
    assert!(
        doc["plan"][0]["command"]
            .as_str()
            .unwrap()
            .contains("gateway.remote.token")
    );
    let healed = heal_then_undo(&shell, &[], &[gw.config_path()], || health_ok(&gw, &shell));
    assert_no_secrets(&format!("{}{healed}", r.text()), &[gw.token(), &stale]);
});

// The shell exports a stale OPENCLAW_GATEWAY_TOKEN; the gateway's comes from its own
// environment. clawkit pins the right one in the config (read before the shell's) and leaves
// the shell to the user.
#[test]
fn shell_env_override() {
    let gw = env_token_gateway(V2026_9, json!({}));
    let stale = distinctive_secret("shell");
    let shell = env_with(&gw, &[("OPENCLAW_GATEWAY_TOKEN", &stale)]);
    health_fails_with(&gw, &shell, "gateway token mismatch");
    let (code, doc, r) = doctor_json(&shell, &[]);
    assert_eq!(code, Some(1), "{r}");
    let summary = cause(&doc, "secret-mismatch")["summary"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        summary.contains("OPENCLAW_GATEWAY_TOKEN (shell)"),
        "{summary}"
    );
    assert!(summary.contains("gateway process"), "{summary}");
    assert_eq!(
        plan_kinds(&doc),
        ["config-set", "verify", "manual"],
        "{:#}",
        doc["plan"]
    );
    assert!(
        doc["plan"][2]["command"]
            .as_str()
            .unwrap()
            .starts_with("unset OPENCLAW_GATEWAY_TOKEN")
    );
    let files = [gw.config_path()];
    let before = read_all(&files);
    // The shell still holds the stale copy: fixed, but one step stays the user's.
    let fix = doctor(&shell, &["--fix", "--yes"]);
    assert_eq!(fix.code, Some(1), "{fix}");
    assert!(
        fix.stdout.contains("still yours to do")
            && fix.stdout.contains("unset OPENCLAW_GATEWAY_TOKEN"),
        "{fix}"
    );
    health_ok(&gw, &shell);
    // After `unset` in a new shell: healthy.
    let clean = gw.env_without(&["OPENCLAW_GATEWAY_TOKEN"]);
    let (code, doc, _) = doctor_json(&clean, &[]);
    assert_eq!(code, Some(0), "{:?}", problems(&doc));
    health_ok(&gw, &clean);
    let undo = undo_restores(&clean, &files, &before);
    assert_no_secrets(
        &format!("{}{}{}", r.text(), fix.text(), undo.text()),
        &[gw.token(), &stale],
    );
}

// A Docker setup whose .env carries an old token: containers started from it are refused.
#[test]
fn docker_env_file_override() {
    let gw = env_token_gateway(V2026_9, json!({}));
    let stale = distinctive_secret("docker");
    let dir = gw.home().join("openclaw-docker");
    std::fs::create_dir_all(&dir).unwrap();
    let env_file = dir.join(".env");
    let compose = dir.join("docker-compose.yml");
    std::fs::write(
        &env_file,
        format!(
            "# gateway secrets\nOPENCLAW_GATEWAY_TOKEN={stale}\nOPENCLAW_IMAGE=openclaw:local\n"
        ),
    )
    .unwrap();
    std::fs::write(&compose, "services:\n  openclaw-cli:\n    image: ${OPENCLAW_IMAGE}\n    environment:\n      - OPENCLAW_GATEWAY_TOKEN=${OPENCLAW_GATEWAY_TOKEN}\n").unwrap();
    // What a container started from that directory sends.
    let container = |file: &Path| {
        let token = std::fs::read_to_string(file)
            .unwrap()
            .lines()
            .find_map(|l| {
                l.strip_prefix("OPENCLAW_GATEWAY_TOKEN=")
                    .map(str::to_string)
            })
            .unwrap();
        env_with(&gw, &[("OPENCLAW_GATEWAY_TOKEN", &token)])
    };
    health_fails_with(&gw, &container(&env_file), "gateway token mismatch");
    let docker = ["--docker-dir", dir.to_str().unwrap()];
    let (code, doc, r) = doctor_json(gw.env(), &docker);
    assert_eq!(code, Some(1), "{r}");
    let summary = cause(&doc, "secret-mismatch")["summary"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        summary.contains(&format!("{}:2", env_file.display())),
        "{summary}"
    );
    assert_eq!(
        plan_kinds(&doc),
        ["file-edit", "verify"],
        "{:#}",
        doc["plan"]
    );
    let files = [env_file.as_path(), compose.as_path(), gw.config_path()];
    let healed = heal_then_undo(gw.env(), &docker, &files, || {
        health_ok(&gw, &container(&env_file))
    });
    assert_no_secrets(&format!("{}{healed}", r.text()), &[gw.token(), &stale]);
}

// An old gateway of another install holds this install's port.
#[test]
fn zombie_gateway_on_the_port() {
    let zombie = Gateway::start(GatewayOptions::new(V2026_9)).unwrap();
    let mine = distinctive_secret("mine");
    let client = clawkit_testkit::ClientHome::new(V2026_9).unwrap();
    client
        .write_config(&format!(
            "{{ gateway: {{ mode: 'local', port: {}, auth: {{ token: '{mine}' }} }} }}\n",
            zombie.port()
        ))
        .unwrap();
    let (code, doc, r) = doctor_json(client.env(), &[]);
    assert_eq!(code, Some(1), "{r}");
    let c = cause(&doc, "zombie-gateway");
    assert_eq!(c["rank"], 1, "{:#}", doc["causes"]);
    assert!(
        c["explains"].to_string().contains("gateway token mismatch"),
        "{c:#}"
    );
    assert!(
        !doc["causes"].to_string().contains("gateway-secret-hidden"),
        "{:#}",
        doc["causes"]
    );
    assert_eq!(
        plan_kinds(&doc),
        ["stop-process", "verify", "manual"],
        "{:#}",
        doc["plan"]
    );
    let fix = doctor(client.env(), &["--fix", "--yes"]);
    assert_eq!(
        fix.code,
        Some(1),
        "the gateway is down now, which is the user's to start:\n{fix}"
    );
    // Stopped by SIGTERM, or — when a loaded machine slows its shutdown past the grace
    // period — by SIGKILL: either way it is gone.
    let said = format!("pid {}: ", zombie.pid());
    assert!(
        fix.stdout.contains(&format!("{said}stopped with SIGTERM"))
            || fix
                .stdout
                .contains(&format!("{said}ignored SIGTERM; killed with SIGKILL")),
        "{fix}"
    );
    assert!(!crate::util::alive(zombie.pid()), "the zombie is gone");
    assert!(
        fix.stdout.contains("still yours to do") && fix.stdout.contains("openclaw gateway run"),
        "{fix}"
    );
    // The user starts this install's gateway: healthy, and the real CLI works.
    let gw =
        Gateway::start(GatewayOptions::new(V2026_9).on_home(client.home(), zombie.port(), &mine))
            .unwrap();
    let (code, doc, after) = doctor_json(client.env(), &[]);
    assert_eq!(code, Some(0), "{:?}\n{after}", problems(&doc));
    assert!(client.openclaw(&["gateway", "health"]).unwrap().success());
    let undo = run(clawkit_with_env(client.env()).arg("undo"));
    assert!(
        undo.stdout
            .contains(&format!("not reverted: stopped pid {}", zombie.pid())),
        "{undo}"
    );
    drop(gw);
    assert_no_secrets(
        &format!("{}{}{}", r.text(), fix.text(), undo.text()),
        &[zombie.token(), &mine],
    );
}

// The CLI authenticates with its cached device token; the gateway rotated it, later revoked
// it. Both layouts: SQLite (2026.9) and identity/device-auth.json (2026.7).
per_version!(stale_then_revoked_device_token, |version| {
    use clawkit_testkit::scenario;
    let gw = env_token_gateway(version, json!({}));
    let device = scenario::cli_device_token_cached(&gw).unwrap();
    let shell = gw.env_without(&["OPENCLAW_GATEWAY_TOKEN"]);
    health_ok(&gw, &shell);
    scenario::gateway_device_token(&gw, &device, false).unwrap();
    health_fails_with(&gw, &shell, scenario::DEVICE_TOKEN_MISMATCH);

    // The doctor reads the gateway's shared secret from the gateway process's environment.
    let (code, doc, r) = doctor_json(&shell, &[]);
    assert_eq!(code, Some(1), "{r}");
    // 2026.7's CLI drops a token the gateway refused; 2026.9's keeps the stale one.
    let (stale_code, revoked_code) = if version == clawkit_testkit::V2026_7 {
        ("device-token-missing", "device-token-missing")
    } else {
        ("device-token-stale", "device-token-revoked")
    };
    let c = cause(&doc, stale_code);
    assert!(
        c["explains"].to_string().contains("device_token_mismatch"),
        "{c:#}"
    );
    assert_eq!(
        plan_kinds(&doc),
        ["refresh-device-token", "verify"],
        "{:#}",
        doc["plan"]
    );
    let fix = fix_to_healthy(&shell, &[]);
    health_ok(&gw, &shell);
    // Undo puts the cache back as it was (the stale token; for 2026.7 the emptied cache):
    // the real CLI fails as before.
    let undo = run(clawkit_with_env(&shell).arg("undo"));
    assert_eq!(undo.code, Some(0), "{undo}");
    let failing = health(&gw, &shell);
    assert!(!failing.success(), "{failing}");

    // Fixed again, then revoked on the gateway.
    fix_to_healthy(&shell, &[]);
    scenario::gateway_device_token(&gw, &device, true).unwrap();
    health_fails_with(&gw, &shell, scenario::DEVICE_TOKEN_MISMATCH);
    let (_, doc, revoked) = doctor_json(&shell, &[]);
    cause(&doc, revoked_code);
    let again = fix_to_healthy(&shell, &[]);
    health_ok(&gw, &shell);
    assert_no_secrets(
        &format!(
            "{}{}{}{}{}",
            r.text(),
            fix.text(),
            undo.text(),
            revoked.text(),
            again.text()
        ),
        &[gw.token()],
    );
});

// This client's identity was regenerated and asked for more access than it had: a repair
// request waits. Approving takes an explicit flag, even with --yes.
#[test]
fn pending_repair_request_for_this_device() {
    use clawkit_core::gateway::DeviceIdentity;
    let gw = Gateway::start(GatewayOptions::new(V2026_9)).unwrap();
    assert!(gw.openclaw_cli(&["gateway", "health"]).unwrap().success());
    let identity = DeviceIdentity::generate();
    clawkit_core::openclaw::identity::store(
        gw.state_dir(),
        &identity,
        &gw.state_dir().join("clawkit/backups"),
    )
    .unwrap();
    let request = clawkit_testkit::scenario::pending_repair(&gw, &identity).unwrap();
    let (code, doc, r) = doctor_json(gw.env(), &[]);
    assert_eq!(code, Some(1), "{r}");
    let c = cause(&doc, "device-repair-pending");
    assert!(c["evidence"].to_string().contains(&request), "{c:#}");
    assert_eq!(
        plan_kinds(&doc),
        ["approve-request", "verify"],
        "{:#}",
        doc["plan"]
    );
    let skipped = doctor(gw.env(), &["--fix", "--yes"]);
    assert_eq!(skipped.code, Some(1), "{skipped}");
    assert!(
        skipped
            .stdout
            .contains("skipped: approving needs --approve-repairs"),
        "{skipped}"
    );
    let fix = fix_to_healthy(gw.env(), &["--approve-repairs"]);
    let cli = gw.openclaw_cli(&["devices", "list", "--json"]).unwrap();
    assert!(
        !cli.stdout.contains(&request),
        "the real CLI still lists it:\n{cli}"
    );
    health_ok(&gw, gw.env());
    let undo = run(clawkit_with_env(gw.env()).arg("undo"));
    assert!(
        undo.stdout
            .contains("not reverted: approved pairing request"),
        "{undo}"
    );
    assert_no_secrets(
        &format!(
            "{}{}{}{}",
            r.text(),
            skipped.text(),
            fix.text(),
            undo.text()
        ),
        &[gw.token()],
    );
}

/// The findings with `code` in a doctor document.
fn findings_with<'a>(doc: &'a Value, code: &str) -> Vec<&'a Value> {
    doc["checks"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["findings"].as_array().unwrap().iter())
        .filter(|f| f["code"] == code)
        .collect()
}

/// `clawkit probe` as `openclaw gateway probe` with a wrong token, `times` times, at `gw`.
fn refused_probes(gw: &Gateway, times: usize) {
    let url = format!("ws://127.0.0.1:{}", gw.port());
    let wrong = distinctive_secret("wrong");
    for _ in 0..times {
        let r = run(clawkit_with_env(gw.env())
            .args(["probe", "--as", "probe", "--url", &url, "--token", &wrong]));
        assert_ne!(r.code, Some(0), "a wrong token was accepted:\n{r}");
    }
}

/// Waits (at most 60 s) until `file` holds `n` auth-failure lines.
fn wait_for_failures(file: &Path, n: usize) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let text = std::fs::read_to_string(file).unwrap_or_default();
        let seen = text.matches("unauthorized conn=").count();
        if seen >= n {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{seen} of {n} auth failures logged in {}",
            file.display()
        );
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
}

// Two gateways (own ports and tokens) write one log file, as OpenClaw's default
// `/tmp/openclaw/openclaw-<date>.log` makes every gateway on a host do. A client with a wrong
// token is refused three times by the other gateway and twice by this one: this install's
// doctor reports its own two, once, with the port, and only counts the other's.
#[test]
fn shared_log_of_two_gateways() {
    let dir = tempfile::tempdir().unwrap();
    let shared = dir.path().join("openclaw-shared.log");
    let options =
        || GatewayOptions::new(V2026_9).config_patch(json!({"logging": {"file": shared}}));
    let (this, other) = std::thread::scope(|s| {
        let this = s.spawn(|| Gateway::start(options()).unwrap());
        let other = s.spawn(|| Gateway::start(options()).unwrap());
        (this.join().unwrap(), other.join().unwrap())
    });
    assert_ne!(this.token(), other.token());
    refused_probes(&other, 3);
    refused_probes(&this, 2);
    wait_for_failures(&shared, 5);

    let (code, doc, r) = doctor_json(this.env(), &[]);
    let own = findings_with(&doc, "log-auth-failures");
    assert_eq!(
        own.len(),
        1,
        "one finding per reason and client: {own:#?}\n{r}"
    );
    let summary = own[0]["summary"].as_str().unwrap();
    assert!(
        summary.starts_with("2× `token_mismatch`")
            && summary.contains(&format!("on port {}", this.port()))
            && !summary.contains(&other.port().to_string()),
        "{summary}"
    );
    let others = findings_with(&doc, "log-other-gateways");
    assert_eq!(others.len(), 1, "{:#}", doc["checks"]);
    let counted = others[0]["summary"].as_str().unwrap();
    assert!(counted.starts_with("3 auth failure(s)"), "{counted}");
    for c in doc["causes"].as_array().unwrap() {
        let explains: Vec<&str> = c["explains"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e.as_str().unwrap())
            .collect();
        let once: std::collections::BTreeSet<&str> = explains.iter().copied().collect();
        assert_eq!(
            explains.len(),
            once.len(),
            "an explains line repeats: {c:#}"
        );
        assert!(
            explains
                .iter()
                .all(|e| !e.contains(&other.port().to_string())),
            "{c:#}"
        );
    }
    // The probe's refusals still fail (the CLI works, so they are not settled): the one cause
    // is this gateway's, and the exit code says a problem was found.
    assert_eq!(code, Some(1), "{r}");
    let text = doctor(this.env(), &[]).text();
    let lines = |what: &str| text.lines().filter(|l| l.contains(what)).count();
    assert_eq!(
        lines("[log-auth-failures]"),
        1,
        "one per reason and client:\n{text}"
    );
    assert_eq!(
        lines(&other.port().to_string()),
        1,
        "only the shared-log line names the other gateway:\n{text}"
    );
    assert_eq!(
        lines("explains:"),
        0,
        "the unexplained failure is its own summary, not said again:\n{text}"
    );
    assert_no_secrets(
        &format!("{}{text}", r.text()),
        &[this.token(), other.token()],
    );
}

// Retired break-glass settings: one the gateway ignores, one that makes the whole config
// invalid (added while the gateway runs, as an old guide would have it).
#[test]
fn retired_break_glass_keys() {
    let gw =
        Gateway::start(GatewayOptions::new(V2026_9).config_patch(
            json!({"gateway": {"controlUi": {"dangerouslyDisableDeviceAuth": true}}}),
        ))
        .unwrap();
    let text = std::fs::read_to_string(gw.config_path()).unwrap();
    let broken = text.replacen(
        "\"dangerouslyDisableDeviceAuth\": true",
        "\"dangerouslyDisableDeviceAuth\": true,\n      \"allowInsecureAuth\": true",
        1,
    );
    assert_ne!(broken, text);
    write_private(gw.config_path(), &broken);
    // The gateway starts its config watcher only after it reports ready: until it has judged
    // this write, the doctor's edits could land before the watcher and be read as one change.
    wait_logged(&gw, "config reload skipped (invalid config)");
    let (code, doc, r) = doctor_json(gw.env(), &[]);
    assert_eq!(code, Some(1), "{r}");
    let first = &doc["causes"][0];
    assert_eq!(first["code"], "config-retired-key", "{:#}", doc["causes"]);
    assert!(
        first["summary"]
            .as_str()
            .unwrap()
            .contains("allowInsecureAuth"),
        "{first:#}"
    );
    assert!(
        doc["causes"]
            .to_string()
            .contains("dangerouslyDisableDeviceAuth")
    );
    assert_eq!(
        plan_kinds(&doc),
        ["config-unset", "config-unset", "verify"],
        "{:#}",
        doc["plan"]
    );
    // Removing the keys makes the running gateway restart itself (or not) as OpenClaw's reload
    // rules say; `--fix` returns once the gateway that results is up, and it stays up.
    let expected = reload::expect(
        &[
            "gateway.controlUi.dangerouslyDisableDeviceAuth",
            "gateway.controlUi.allowInsecureAuth",
        ],
        reload::Settings {
            off: false,
            secret_auth: true,
        },
    )
    .unwrap();
    let files = [gw.config_path()];
    let before = read_all(&files);
    let boot = boot_id(gw.env());
    let fix_started = std::time::Instant::now();
    let fix = doctor(gw.env(), &["--fix", "--yes"]);
    assert_eq!(fix.code, Some(3), "the fix did not heal:\n{fix}");
    assert!(fix.text().contains(&expected.describe()), "{fix}");
    health_ok(&gw, gw.env());
    let after_fix = boot_id(gw.env());
    let reloads = reload_lines(gw.log_file());
    let restarted = fix
        .text()
        .contains("the gateway restarted itself and is ready");
    if reloads.contains("config change requires gateway restart") {
        assert!(
            restarted,
            "the gateway decided to restart; the fix did not wait for it:\n{fix}\n{reloads}"
        );
    }
    if restarted {
        assert_ne!(after_fix, boot, "no new boot:\n{fix}\n{reloads}");
    } else {
        assert!(
            fix.text().contains("clawkit gateway restart"),
            "no restart and no word why:\n{fix}\n{reloads}"
        );
    }
    // Past the time the gateway gets to decide: still the same boot, still working.
    std::thread::sleep(lifecycle::DECISION_BOUND.saturating_sub(fix_started.elapsed()));
    health_ok(&gw, gw.env());
    assert_eq!(
        boot_id(gw.env()),
        after_fix,
        "the gateway restarted after --fix returned:\n{fix}\n{}",
        reload_lines(gw.log_file())
    );
    let (code, doc, after) = doctor_json(gw.env(), &[]);
    assert_eq!(code, Some(0), "not healthy: {:?}\n{after}", problems(&doc));
    let text = std::fs::read_to_string(gw.config_path()).unwrap();
    assert!(
        !text.contains("allowInsecureAuth") && !text.contains("dangerouslyDisable"),
        "{text}"
    );
    let undo = undo_restores(gw.env(), &files, &before);
    let printed = format!("{}{}{}", r.text(), fix.text(), undo.text());
    assert_no_secrets(&printed, &[gw.token()]);
}

/// Waits until the gateway's own log has a line containing `needle` (a gateway that never
/// writes it fails the test after two minutes, with its log).
fn wait_logged(gw: &Gateway, needle: &str) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    loop {
        let log = std::fs::read_to_string(gw.log_file()).unwrap_or_default();
        if log.contains(needle) {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the gateway never logged `{needle}`:\n{log}"
        );
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
}

/// The `[reload]` lines of a gateway's log, for a failure message.
fn reload_lines(log: &Path) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("config change") || l.contains("config reload"))
        .collect();
    lines.join("\n")
}

/// The boot id of the gateway the CLI reaches (`None` when it does not answer).
fn boot_id(env: &Env) -> Option<String> {
    let r = run(clawkit_with_env(env).args(["probe", "--json"]));
    let doc = r.json();
    doc["hello"]["boot_id"].as_str().map(str::to_string)
}

/// Service definitions rendered by OpenClaw `version` into `gw`'s home, with `env`.
fn service_fixture(gw: &Gateway, version: &str, env: &[(&str, &str)]) -> Vec<PathBuf> {
    let install = clawkit_testkit::ensure_openclaw(version).unwrap();
    let files =
        clawkit_testkit::write_service_files(&install, gw.home(), gw.state_dir(), gw.port(), env)
            .unwrap();
    // Rendering runs OpenClaw's own code in the gateway's home, and the gateway may hand over
    // to a new process a moment later: start the scenario from one settled gateway.
    wait_ports_settled(gw.env());
    [Some(files.unit), files.plist, files.task_script]
        .into_iter()
        .flatten()
        .collect()
}

// `openclaw gateway install` of an older day baked a token into the unit (and the plist and
// gateway.cmd); the config has since been given another.
#[test]
fn unit_with_an_embedded_stale_token() {
    let gw = Gateway::start(GatewayOptions::new(V2026_9)).unwrap();
    let stale = distinctive_secret("baked");
    let files = service_fixture(&gw, V2026_9, &[]);
    // 2026.9 no longer embeds it: put the line back the way older installs wrote it.
    let unit = std::fs::read_to_string(&files[0]).unwrap();
    let baked = unit.replacen(
        "[Service]\n",
        &format!("[Service]\nEnvironment=OPENCLAW_GATEWAY_TOKEN={stale}\n"),
        1,
    );
    assert_ne!(baked, unit);
    std::fs::write(&files[0], baked).unwrap();
    let files = &files[..1];
    let (code, doc, r) = doctor_json(gw.env(), &[]);
    assert_eq!(code, Some(1), "{r}");
    cause(&doc, "service-token-stale");
    assert_eq!(
        plan_kinds(&doc),
        ["file-edit", "verify"],
        "{:#}",
        doc["plan"]
    );
    let refs: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
    let dry = doctor(gw.env(), &["--dry-run"]);
    assert!(
        dry.stdout
            .contains("-Environment=OPENCLAW_GATEWAY_TOKEN=sha256:"),
        "{dry}"
    );
    let healed = heal_then_undo(gw.env(), &[], &refs, || {
        assert_eq!(
            std::fs::read_to_string(&files[0]).unwrap(),
            unit,
            "the line is gone"
        );
        health_ok(&gw, gw.env());
    });
    assert_no_secrets(
        &format!("{}{}{healed}", r.text(), dry.text()),
        &[gw.token(), &stale],
    );
}

// The unit still starts 2026.7.1 while the CLI on PATH is 2026.9.6 (an update that missed the
// service): clawkit points the unit at the CLI's install.
#[test]
fn unit_left_on_an_older_openclaw() {
    let gw = Gateway::start(GatewayOptions::new(V2026_9)).unwrap();
    let files = service_fixture(&gw, clawkit_testkit::V2026_7, &[]);
    let (code, doc, r) = doctor_json(gw.env(), &[]);
    assert_eq!(code, Some(1), "{r}");
    let c = cause(&doc, "service-version-drift");
    assert!(c["summary"].as_str().unwrap().contains("2026.7.1"), "{c:#}");
    assert_eq!(
        plan_kinds(&doc),
        ["file-edit", "file-edit", "verify"],
        "{:#}",
        doc["plan"]
    );
    let refs: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
    let healed = heal_then_undo(gw.env(), &[], &refs, || {
        let unit = std::fs::read_to_string(&files[0]).unwrap();
        assert!(unit.contains("KillMode=mixed"), "{unit}");
        assert!(
            unit.contains("openclaw-2026.9.6") && !unit.contains("openclaw-2026.7.1"),
            "{unit}"
        );
    });
    assert_no_secrets(&format!("{}{healed}", r.text()), &[gw.token()]);
}

// Both errors at once: a stale remote token for the shared secret and a rotated device
// token. The plan aligns the secret first, then refreshes the device token with it.
#[test]
fn both_errors_at_once() {
    use clawkit_testkit::scenario;
    let gw = env_token_gateway(V2026_9, json!({}));
    let device = scenario::cli_device_token_cached(&gw).unwrap();
    scenario::gateway_device_token(&gw, &device, false).unwrap();
    let stale = distinctive_secret("remote");
    let text = std::fs::read_to_string(gw.config_path()).unwrap();
    let mut config: Value = serde_json::from_str(&text).unwrap();
    config["gateway"]["remote"] = json!({"token": stale});
    write_private(
        gw.config_path(),
        &serde_json::to_string_pretty(&config).unwrap(),
    );
    let shell = gw.env_without(&["OPENCLAW_GATEWAY_TOKEN"]);
    let (code, doc, r) = doctor_json(&shell, &[]);
    assert_eq!(code, Some(1), "{r}");
    assert_eq!(
        doc["causes"][0]["code"], "secret-mismatch",
        "{:#}",
        doc["causes"]
    );
    cause(&doc, "device-token-stale");
    assert_eq!(
        plan_kinds(&doc),
        ["config-set", "refresh-device-token", "verify"],
        "{:#}",
        doc["plan"]
    );
    let healed = heal_then_undo(&shell, &[], &[gw.config_path()], || health_ok(&gw, &shell));
    assert_no_secrets(&format!("{}{healed}", r.text()), &[gw.token(), &stale]);
}

// SIGKILL at points spread over `--fix`: every file is always the old or the new version and
// parses, and the journal lets `clawkit undo` put the old one back.
#[test]
fn killed_mid_fix_leaves_old_or_new_files_and_an_undoable_journal() {
    let gw =
        Gateway::start(GatewayOptions::new(V2026_9).config_patch(
            json!({"gateway": {"controlUi": {"dangerouslyDisableDeviceAuth": true}}}),
        ))
        .unwrap();
    let stale = distinctive_secret("baked");
    let unit_path = service_fixture(&gw, V2026_9, &[]).remove(0);
    let unit = std::fs::read_to_string(&unit_path).unwrap();
    std::fs::write(
        &unit_path,
        unit.replacen(
            "[Service]\n",
            &format!("[Service]\nEnvironment=OPENCLAW_GATEWAY_TOKEN={stale}\n"),
            1,
        ),
    )
    .unwrap();
    let files = [gw.config_path(), unit_path.as_path()];
    let old = read_all(&files);
    // The complete fix once, for the "new" versions.
    fix_to_healthy(gw.env(), &[]);
    let new = read_all(&files);
    assert_ne!(old, new);
    undo_restores(gw.env(), &files, &old);

    // Each run dies by SIGKILL at an exact place of `--fix` (a failpoint of the debug build):
    // after each journal write, right after each file's backup, right after each replacement.
    let mut outputs = String::new();
    let mut undone = 0;
    let points: Vec<String> = (1..=8)
        .map(|n| format!("journal-saved:{n}"))
        .chain((1..=2).map(|n| format!("file-backed-up:{n}")))
        .chain((1..=2).map(|n| format!("file-replaced:{n}")))
        .collect();
    for point in &points {
        wait_ready(gw.env());
        let r = run(clawkit_with_env(gw.env())
            .args(["doctor", "--fix", "--yes"])
            .env("CLAWKIT_FAILPOINT", point));
        assert_eq!(r.code, None, "{point}: the run was not killed there:\n{r}");
        let changed = check_old_or_new(&files, &old, &new, point, gw.config_path());
        let undo = run(clawkit_with_env(gw.env()).arg("undo"));
        outputs.push_str(&undo.text());
        if undo.code == Some(2) {
            assert!(undo.stderr.contains("nothing to undo"), "{point}: {undo}");
            assert!(
                !changed,
                "{point}: a file changed but undo had nothing: {undo}"
            );
        } else {
            assert_eq!(undo.code, Some(0), "{point}: {undo}");
            undone += 1;
        }
        if point.starts_with("file-replaced") {
            assert!(
                changed,
                "{point}: killed after a replacement, yet nothing changed"
            );
        }
        assert_eq!(read_all(&files), old, "{point}, then undo:\n{undo}");
    }
    // One kill at a moment no failpoint chose, as a smoke test of the real signal path.
    wait_ready(gw.env());
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("clawkit"))
        .args(["doctor", "--fix", "--yes"])
        .env_clear()
        .envs(gw.env().iter().map(|(k, v)| (k, v)))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(80));
    let _ = child.kill();
    let _ = child.wait();
    check_old_or_new(&files, &old, &new, "a timed kill", gw.config_path());
    let _ = run(clawkit_with_env(gw.env()).arg("undo"));
    assert_eq!(read_all(&files), old, "a timed kill, then undo");
    assert!(undone > 0, "no kill landed after a change");
    // Nothing clawkit keeps (journals, backups' manifests) holds the secrets.
    let mut kept = String::new();
    for entry in walk(&gw.state_dir().join("clawkit")) {
        if entry
            .file_name()
            .is_some_and(|n| n != "openclaw.json" && n != "openclaw-gateway.service")
        {
            kept.push_str(&String::from_utf8_lossy(&std::fs::read(&entry).unwrap()));
        }
    }
    assert!(kept.contains("\"schemaVersion\""), "journals are there");
    assert_no_secrets(&format!("{outputs}{kept}"), &[gw.token()]);
}

/// Every file is either its old or its new version, and the config parses. Returns whether
/// any file is new.
fn check_old_or_new(
    files: &[&Path],
    old: &[Option<Vec<u8>>],
    new: &[Option<Vec<u8>>],
    when: &str,
    config: &Path,
) -> bool {
    let now = read_all(files);
    for (i, f) in files.iter().enumerate() {
        assert!(
            now[i] == old[i] || now[i] == new[i],
            "{when}: {} is neither the old nor the new version",
            f.display()
        );
    }
    let text = String::from_utf8(now[0].clone().unwrap()).unwrap();
    clawkit_core::openclaw::config::parse_text(&text, config)
        .unwrap_or_else(|e| panic!("{when}: the config does not parse: {e}"));
    now != old
}

/// Waits (at most 60 s, two clean looks in a row) until `clawkit ports` finds this state
/// dir's gateway alone on its port.
fn wait_ports_settled(env: &Env) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let mut clean = 0;
    while clean < 2 {
        let r = run(clawkit_with_env(env).arg("ports"));
        clean = if r.code == Some(0) { clean + 1 } else { 0 };
        assert!(
            std::time::Instant::now() < deadline,
            "the gateway did not settle on its port:\n{r}"
        );
        std::thread::sleep(std::time::Duration::from_millis(300));
    }
}

/// Waits (at most 60 s) until the gateway answers a probe: a config edit makes a 2026.9
/// gateway restart itself a moment later.
fn wait_ready(env: &Env) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while run(clawkit_with_env(env).arg("probe")).code != Some(0) {
        assert!(
            std::time::Instant::now() < deadline,
            "the gateway did not come back"
        );
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

// Bad input is named, never a panic: a config that does not parse, a state database that is
// not one, and no gateway at all.
#[test]
fn bad_input_is_named() {
    let client = clawkit_testkit::ClientHome::new(V2026_9).unwrap();
    let port = clawkit_testkit::closed_port();
    let secret = distinctive_secret("cfg");
    client
        .write_config(&format!(
            "{{\n  gateway: {{ port: {port}, auth: {{ token: '{secret}' }},\n  oops\n}}\n"
        ))
        .unwrap();
    let (code, doc, r) = doctor_json(client.env(), &[]);
    assert_eq!(code, Some(1), "{r}");
    let c = cause(&doc, "config-invalid");
    let evidence = c["evidence"].to_string();
    assert!(
        evidence.contains("openclaw.json:"),
        "names file and line: {evidence}"
    );

    client
        .write_config(&format!(
            "{{ gateway: {{ port: {port}, auth: {{ token: '{secret}' }} }} }}\n"
        ))
        .unwrap();
    let db = client.state_dir().join("state").join("openclaw.sqlite");
    std::fs::create_dir_all(db.parent().unwrap()).unwrap();
    std::fs::write(&db, b"this is not a database, it is garbage \x00\x01").unwrap();
    let (code, doc, r2) = doctor_json(client.env(), &[]);
    assert_eq!(code, Some(1), "{r2}");
    assert_eq!(
        doc["causes"][0]["code"], "gateway-down",
        "{:#}",
        doc["causes"]
    );
    let devices = doc["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "devices")
        .unwrap();
    assert_eq!(
        devices["findings"][0]["code"], "device-state-unreadable",
        "{devices:#}"
    );
    assert!(
        devices.to_string().contains("openclaw.sqlite"),
        "{devices:#}"
    );
    let human = doctor(client.env(), &[]);
    assert!(
        human.stdout.contains("openclaw gateway run"),
        "says how to start it:\n{human}"
    );
    assert_no_secrets(
        &format!("{}{}{}", r.text(), r2.text(), human.text()),
        &[&secret],
    );
}

// On a terminal: colour, and a question before each step that a "n" declines.
#[test]
fn on_a_terminal_each_step_is_asked() {
    use std::os::unix::fs::PermissionsExt;
    let client = clawkit_testkit::ClientHome::new(V2026_9).unwrap();
    let config = client
        .write_config(&format!(
            "{{ gateway: {{ port: {}, auth: {{ token: '{}' }} }} }}\n",
            clawkit_testkit::closed_port(),
            distinctive_secret("tty")
        ))
        .unwrap();
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o644)).unwrap();
    // A terminal as a person has one: colour allowed (no NO_COLOR) and a TERM that has it.
    let env: Vec<(String, String)> = client
        .env()
        .iter()
        .filter(|(k, _)| k != "NO_COLOR" && k != "TERM")
        .cloned()
        .chain([("TERM".to_string(), "xterm-256color".to_string())])
        .collect();
    let bin = assert_cmd::cargo::cargo_bin("clawkit");
    let on_tty = |answer: &str| {
        use std::io::Write;
        let mut child = std::process::Command::new("script")
            .args([
                "-qec",
                &format!("{} doctor --fix", bin.display()),
                "/dev/null",
            ])
            .env_clear()
            .envs(env.iter().map(|(k, v)| (k, v)))
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("util-linux `script` gives clawkit a terminal");
        child
            .stdin
            .take()
            .unwrap()
            .write_all(answer.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let mode = || std::fs::metadata(&config).unwrap().permissions().mode() & 0o777;
    let declined = on_tty("n\n");
    assert!(declined.contains("apply this step? [y/N]"), "{declined}");
    assert!(
        declined.contains("\x1b["),
        "colour on a terminal:\n{declined}"
    );
    assert!(declined.contains("skipped"), "{declined}");
    assert_eq!(mode(), 0o644, "a declined step changed the file");
    let accepted = on_tty("y\n");
    assert!(accepted.contains("done: "), "{accepted}");
    assert_eq!(mode(), 0o600);
    let undo = run(clawkit_with_env(client.env()).arg("undo"));
    assert!(undo.stdout.contains("mode 644 again"), "{undo}");
    assert_eq!(mode(), 0o644);
}

/// A machine where this user has no OpenClaw: the one error says so, with where clawkit looked
/// and the command that installs or sets it up; nothing else is an error, and no gateway (nor
/// the shared log in /tmp/openclaw, written by other users' gateways) is examined.
mod no_openclaw {
    use super::*;

    /// The findings of any check but `install`.
    fn other_findings(doc: &Value) -> Vec<Value> {
        doc["checks"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["id"] != "install")
            .flat_map(|c| c["findings"].as_array().unwrap().clone())
            .collect()
    }

    fn assert_only_cause(doc: &Value, code: &str, command: &str) {
        assert_eq!(problems(doc), [code], "{doc:#}");
        assert_eq!(doc["causes"].as_array().unwrap().len(), 1, "{doc:#}");
        assert_eq!(doc["causes"][0]["code"], code);
        assert!(other_findings(doc).is_empty(), "{doc:#}");
        assert_eq!(plan_kinds(doc), ["manual"]);
        assert_eq!(doc["plan"][0]["command"], command);
    }

    #[test]
    fn nothing_installed() {
        let home = tempfile::tempdir().unwrap();
        let env: Vec<(String, String)> = [
            ("HOME", home.path().display().to_string()),
            ("PATH", "/usr/bin:/bin".to_string()),
            ("NO_COLOR", "1".to_string()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        let (code, doc, r) = doctor_json(&env, &[]);
        assert_eq!(code, Some(1), "{r}");
        assert_only_cause(
            &doc,
            "openclaw-not-installed",
            "npm install -g openclaw && openclaw onboard",
        );
        let evidence = doc["causes"][0]["evidence"].to_string();
        let state_dir = home.path().join(".openclaw");
        for said in [
            "no `openclaw` in any PATH directory: /usr/bin, /bin",
            &format!("state dir {} does not exist", state_dir.display()),
            "default ~/.openclaw",
            &format!("config {}", state_dir.join("openclaw.json").display()),
            "clawkit --profile <name> doctor",
        ] {
            assert!(evidence.contains(said), "{said} in {evidence}");
        }

        let human = doctor(&env, &[]);
        assert_eq!(human.code, Some(1), "{human}");
        for said in [
            "ERROR [openclaw-not-installed] OpenClaw is not installed or set up for this user",
            "$ npm install -g openclaw && openclaw onboard",
            "1 error(s), 0 warning(s)",
        ] {
            assert!(human.stdout.contains(said), "{said}:\n{human}");
        }
        for never in ["gateway-down", "device-token-missing", "Gateway log"] {
            assert!(!human.stdout.contains(never), "{never}:\n{human}");
        }
        assert!(!state_dir.exists(), "the doctor created nothing");
    }

    #[test]
    fn cli_installed_but_never_set_up() {
        let client = clawkit_testkit::ClientHome::new(V2026_9).unwrap();
        std::fs::remove_dir_all(client.state_dir()).unwrap();
        let (code, doc, r) = doctor_json(client.env(), &[]);
        assert_eq!(code, Some(1), "{r}");
        assert_only_cause(&doc, "openclaw-not-set-up", "openclaw onboard");
        let summary = doc["causes"][0]["summary"].as_str().unwrap();
        assert!(
            summary.contains(&format!("OpenClaw {V2026_9} is installed")),
            "{summary}"
        );
        // The command it names is the real CLI's.
        let help = client.openclaw(&["onboard", "--help"]).unwrap();
        assert!(help.success(), "{}", help.text());
    }
}
