//! Table tests of the doctor's judging: one built install per root cause the real-gateway
//! scenarios stage (crates/clawkit/tests/it/doctor.rs), each asserting the first cause, the
//! plan's kinds in order, and what the case is about. Every case also checks that the report
//! is not empty where something is expected, that every code is a `finding::codes` constant,
//! and that no cause explains the same failure twice.

use super::testing::{DeviceToken, Install, Port, STALE, TOKEN};
use super::{Action, Diagnosis, Phase};
use crate::finding::{Severity, codes};
use crate::service::Manager;
use serde_json::json;

struct Case {
    name: &'static str,
    install: Install,
    /// `causes[0].code`.
    cause: &'static str,
    /// The plan's step kinds, in order.
    plan: &'static [&'static str],
    /// What else this case is about.
    also: fn(&Diagnosis),
}

fn case(name: &'static str, install: Install, cause: &'static str) -> Case {
    Case {
        name,
        install,
        cause,
        plan: &[],
        also: |_| {},
    }
}

impl Case {
    fn plan(mut self, kinds: &'static [&'static str]) -> Case {
        self.plan = kinds;
        self
    }

    fn also(mut self, check: fn(&Diagnosis)) -> Case {
        self.also = check;
        self
    }
}

fn kinds(d: &Diagnosis) -> Vec<&'static str> {
    d.steps.iter().map(|s| s.kind()).collect()
}

fn has_cause(d: &Diagnosis, code: &str) -> bool {
    d.causes.iter().any(|c| c.code == code)
}

fn config_set_key(d: &Diagnosis) -> Option<&str> {
    d.steps.iter().find_map(|s| match &s.action {
        Action::ConfigSet { key, .. } => Some(key.as_str()),
        _ => None,
    })
}

fn manual_commands(d: &Diagnosis) -> Vec<&str> {
    d.steps
        .iter()
        .filter_map(|s| match &s.action {
            Action::Manual { command } => Some(command.as_str()),
            _ => None,
        })
        .collect()
}

/// What every diagnosis must satisfy, whatever the case.
fn assert_well_formed(name: &str, d: &Diagnosis) {
    assert!(!d.checks.is_empty(), "{name}: no check ran");
    for f in d.checks.iter().flat_map(|c| c.findings.iter()) {
        assert!(
            codes::ALL.contains(&f.code),
            "{name}: finding code {} is not in finding::codes",
            f.code
        );
    }
    for c in &d.causes {
        assert!(
            codes::ALL.contains(&c.code) || c.code == codes::UNEXPLAINED_FAILURE,
            "{name}: cause code {}",
            c.code
        );
        for (i, line) in c.explains.iter().enumerate() {
            assert!(
                !c.explains[..i].contains(line),
                "{name}: {} explains `{line}` twice",
                c.code
            );
        }
    }
    for (i, c) in d.causes.iter().enumerate() {
        assert_eq!(c.rank, i + 1, "{name}: ranks are 1..n");
    }
    for s in &d.steps {
        assert!(
            codes::ALL.contains(&s.fixes)
                || [codes::SERVICE_CHANGED, codes::VERIFY].contains(&s.fixes),
            "{name}: step fixes {}",
            s.fixes
        );
    }
}

fn run(case: Case) {
    let d = case.install.diagnose();
    let name = case.name;
    assert_well_formed(name, &d);
    assert!(!d.causes.is_empty(), "{name}: no cause\n{:#?}", d.checks);
    assert_eq!(d.causes[0].code, case.cause, "{name}: {:#?}", d.causes);
    assert!(!case.plan.is_empty(), "{name}: a case names its plan");
    assert_eq!(kinds(&d), case.plan, "{name}: {:#?}", d.steps);
    (case.also)(&d);
}

#[test]
fn healthy_install_has_no_problem_and_no_plan() {
    let d = Install::healthy().diagnose();
    assert_well_formed("healthy", &d);
    assert_eq!(d.checks.len(), 9, "every check ran: {:#?}", d.checks);
    let problems: Vec<_> = d
        .checks
        .iter()
        .flat_map(|c| c.findings.iter())
        .filter(|f| f.severity >= Severity::Warning)
        .collect();
    assert!(problems.is_empty(), "{problems:#?}");
    assert!(d.healthy());
    assert!(d.causes.is_empty(), "{:#?}", d.causes);
    assert!(d.steps.is_empty(), "{:#?}", d.steps);
    let seen: Vec<&str> = d
        .checks
        .iter()
        .flat_map(|c| c.findings.iter().map(|f| f.code))
        .collect();
    for code in [
        codes::OWN_GATEWAY,
        codes::SECRET_AGREES,
        codes::DEVICES_OK,
        codes::LOG_CLEAN,
        codes::SECURITY_OK,
    ] {
        assert!(seen.contains(&code), "{code} in {seen:?}");
    }
}

#[test]
fn another_gateways_failures_in_a_shared_log_are_not_this_gateways() {
    let d = Install::healthy()
        .log_failure_on(28889, "cli/cli", "token_mismatch")
        .log_failure_on(28890, "openclaw-control-ui/webchat", "token_missing")
        .diagnose();
    assert_well_formed("shared log", &d);
    assert!(d.healthy(), "{:#?}", d.checks);
    let log: Vec<_> = d
        .checks
        .iter()
        .flat_map(|c| c.findings.iter())
        .filter(|f| f.code.starts_with("log-"))
        .collect();
    let found: Vec<&str> = log.iter().map(|f| f.code).collect();
    assert_eq!(
        found,
        [codes::LOG_OTHER_GATEWAYS, codes::LOG_CLEAN],
        "{log:#?}"
    );
    assert!(
        log[0].summary.starts_with("6 auth failure(s)")
            && log[0].summary.contains("ports 18789, 28889, 28890"),
        "{log:#?}"
    );
}

#[test]
fn one_finding_per_reason_and_client_naming_the_port_of_a_shared_log() {
    let d = Install::healthy()
        .log_failure("openclaw-control-ui/webchat", "token_mismatch")
        .log_failure("openclaw-control-ui/webchat", "token_mismatch")
        .log_failure_on(28889, "openclaw-control-ui/webchat", "token_mismatch")
        .diagnose();
    assert_well_formed("shared log", &d);
    let failures: Vec<_> = d
        .checks
        .iter()
        .flat_map(|c| c.findings.iter())
        .filter(|f| f.code == codes::LOG_AUTH_FAILURES)
        .collect();
    assert_eq!(failures.len(), 1, "{failures:#?}");
    assert!(
        failures[0].summary.starts_with("6× `token_mismatch`")
            && failures[0].summary.contains("on port 18789"),
        "{failures:#?}"
    );
}

#[test]
fn stale_cli_config_token() {
    run(case(
        "stale CLI config token",
        Install::healthy().cli_config(
            json!({"gateway": {"mode": "local", "port": 18789, "auth": {"token": STALE}}}),
        ),
        codes::SECRET_MISMATCH,
    )
    .plan(&["config-set", "verify"])
    .also(|d| {
        let summary = &d.causes[0].summary;
        assert!(
            summary.contains("cli.json") && summary.contains("openclaw.json"),
            "{summary}"
        );
        assert!(
            d.causes[0]
                .explains
                .iter()
                .any(|e| e.contains("gateway token mismatch")),
            "{:#?}",
            d.causes[0]
        );
        assert_eq!(config_set_key(d), Some("gateway.auth.token"));
    }));
}

#[test]
fn stale_remote_token() {
    run(case(
        "stale gateway.remote.token",
        Install::healthy()
            .token_in_gateway_env()
            .config(|c| c["gateway"]["remote"] = json!({"token": STALE})),
        codes::SECRET_MISMATCH,
    )
    .plan(&["config-set", "verify"])
    .also(|d| {
        let summary = &d.causes[0].summary;
        assert!(
            summary.contains("gateway.remote.token") && summary.contains("OPENCLAW_GATEWAY_TOKEN"),
            "names both sources: {summary}"
        );
        assert_eq!(config_set_key(d), Some("gateway.remote.token"));
    }));
}

#[test]
fn remote_mode_with_a_stale_remote_token() {
    run(case(
        "remote mode, stale gateway.remote.token",
        Install::healthy().config(|c| {
            c["gateway"]["mode"] = json!("remote");
            c["gateway"]["remote"] = json!({"url": "wss://gw.example:443", "token": STALE});
        }),
        codes::REMOTE_SECRET_REFUSED,
    )
    .plan(&["manual"])
    .also(|d| {
        let c = &d.causes[0];
        assert!(
            c.summary.contains("gateway.remote.token") && c.summary.contains("openclaw.json:"),
            "names the key and its file:line: {}",
            c.summary
        );
        let codes_seen: Vec<&str> = d
            .checks
            .iter()
            .flat_map(|c| c.findings.iter().map(|f| f.code))
            .collect();
        for absent in [codes::GATEWAY_DOWN, codes::OWN_GATEWAY, codes::LOG_CLEAN] {
            assert!(!codes_seen.contains(&absent), "{absent}: {codes_seen:?}");
        }
        assert!(codes_seen.contains(&codes::GATEWAY_ELSEWHERE));
        assert!(
            d.steps
                .iter()
                .any(|s| matches!(&s.action, Action::Manual { command } if command.contains("--fix --token -"))),
            "says how to give the gateway's token"
        );
    }));
}

#[test]
fn shell_token_override() {
    run(case(
        "OPENCLAW_GATEWAY_TOKEN in the shell",
        Install::healthy()
            .token_in_gateway_env()
            .shell("OPENCLAW_GATEWAY_TOKEN", STALE),
        codes::SECRET_MISMATCH,
    )
    .plan(&["config-set", "verify", "manual"])
    .also(|d| {
        let summary = &d.causes[0].summary;
        assert!(
            summary.contains("OPENCLAW_GATEWAY_TOKEN (shell)"),
            "{summary}"
        );
        assert!(summary.contains("gateway process"), "{summary}");
        assert_eq!(config_set_key(d), Some("gateway.auth.token"));
        assert!(
            manual_commands(d)[0].starts_with("unset OPENCLAW_GATEWAY_TOKEN"),
            "{:#?}",
            d.steps
        );
    }));
}

#[test]
fn docker_env_file_override() {
    run(case(
        "a Docker .env with an old token",
        Install::healthy()
            .token_in_gateway_env()
            .shell("OPENCLAW_GATEWAY_TOKEN", TOKEN)
            .docker_env(&format!(
                "# gateway secrets\nOPENCLAW_GATEWAY_TOKEN={STALE}\nOPENCLAW_IMAGE=openclaw:local\n"
            )),
        codes::SECRET_MISMATCH,
    )
    .plan(&["file-edit", "verify"])
    .also(|d| {
        let summary = &d.causes[0].summary;
        assert!(summary.contains(".env:2"), "{summary}");
        assert!(
            matches!(&d.steps[0].action, Action::FileSecret { file, new: Some(_), .. } if file.ends_with(".env")),
            "{:#?}",
            d.steps[0]
        );
    }));
}

#[test]
fn zombie_gateway_on_the_port() {
    run(case(
        "another install's gateway holds the port",
        Install::healthy().fresh_client().port(Port::Zombie {
            token: "the-zombie-gateway-token-0000000000",
        }),
        codes::ZOMBIE_GATEWAY,
    )
    .plan(&["stop-process", "verify", "manual"])
    .also(|d| {
        assert!(
            d.causes[0]
                .explains
                .iter()
                .any(|e| e.contains("gateway token mismatch")),
            "{:#?}",
            d.causes[0]
        );
        assert!(
            !has_cause(d, codes::GATEWAY_SECRET_HIDDEN),
            "{:#?}",
            d.causes
        );
        assert!(
            manual_commands(d)[0].starts_with("openclaw gateway run"),
            "start this install's gateway: {:#?}",
            d.steps
        );
    }));
}

#[test]
fn stale_device_token() {
    run(case(
        "the gateway rotated this device's token",
        Install::healthy()
            .token_in_gateway_env()
            .device(DeviceToken::Rotated)
            .log_failure("cli/cli", "device_token_mismatch"),
        codes::DEVICE_TOKEN_STALE,
    )
    .plan(&["refresh-device-token", "verify"])
    .also(|d| {
        assert!(
            d.causes[0]
                .explains
                .iter()
                .any(|e| e.contains("device_token_mismatch")),
            "the log's failures are explained: {:#?}",
            d.causes[0]
        );
    }));
}

#[test]
fn revoked_device_token() {
    run(case(
        "the gateway revoked this device's token",
        Install::healthy()
            .token_in_gateway_env()
            .device(DeviceToken::Revoked)
            .log_failure("cli/cli", "device_token_mismatch"),
        codes::DEVICE_TOKEN_REVOKED,
    )
    .plan(&["refresh-device-token", "verify"]));
}

#[test]
fn pending_repair_needs_approval() {
    run(case(
        "this device's repair request waits",
        Install::healthy().pending_repair(),
        codes::DEVICE_REPAIR_PENDING,
    )
    .plan(&["approve-request", "verify"])
    .also(|d| {
        assert!(
            d.causes[0].evidence.iter().any(|e| e.contains("repair-request-1")),
            "{:#?}",
            d.causes[0]
        );
        let approve = &d.steps[0];
        assert_eq!(approve.phase, Phase::Approve);
        assert!(approve.needs_approval(), "even --yes asks first: {approve:#?}");
        assert!(!d.steps[1].needs_approval());
        assert!(
            matches!(&approve.action, Action::Approve { request_id, .. } if request_id == "repair-request-1"),
            "{approve:#?}"
        );
    }));
}

#[test]
fn retired_break_glass_keys() {
    run(case(
        "retired break-glass keys",
        Install::healthy().config(|c| {
            c["gateway"]["controlUi"] =
                json!({"dangerouslyDisableDeviceAuth": true, "allowInsecureAuth": true})
        }),
        codes::CONFIG_RETIRED_KEY,
    )
    .plan(&["config-unset", "config-unset", "verify"])
    .also(|d| {
        assert!(
            d.causes[0].summary.contains("allowInsecureAuth"),
            "the key that invalidates the config comes first: {:#?}",
            d.causes
        );
        assert!(
            d.causes
                .iter()
                .any(|c| c.summary.contains("dangerouslyDisableDeviceAuth"))
        );
    }));
}

#[test]
fn unit_with_a_baked_in_token() {
    run(case(
        "a unit that carries an old token",
        Install::healthy().unit(&format!("Environment=OPENCLAW_GATEWAY_TOKEN={STALE}\n")),
        codes::SERVICE_TOKEN_STALE,
    )
    .plan(&["file-edit", "verify"])
    .also(|d| {
        let step = &d.steps[0];
        assert_eq!(step.fixes, codes::SERVICE_TOKEN_STALE);
        assert!(
            matches!(&step.action, Action::FileSecret { file, new: None, .. } if file.ends_with("openclaw-gateway.service")),
            "{step:#?}"
        );
    }));
}

#[test]
fn unit_with_a_baked_in_token_under_systemd_is_reloaded_and_restarted() {
    run(case(
        "a unit that carries an old token, run by systemd",
        Install::healthy()
            .manager(Manager::Systemd)
            .unit(&format!("Environment=OPENCLAW_GATEWAY_TOKEN={STALE}\n")),
        codes::SERVICE_TOKEN_STALE,
    )
    .plan(&["file-edit", "reload-units", "restart", "verify"])
    .also(|d| {
        assert_eq!(d.steps[1].fixes, codes::SERVICE_CHANGED);
        assert_eq!(d.steps[2].fixes, codes::SERVICE_CHANGED);
    }));
}

#[test]
fn unit_with_a_token_and_a_password_fixes_each_with_its_own_finding() {
    run(case(
        "a unit that carries the token and a password",
        Install::healthy().unit(&format!(
            "Environment=OPENCLAW_GATEWAY_TOKEN={TOKEN}\nEnvironment=OPENCLAW_GATEWAY_PASSWORD=a-password-only-the-unit-has\n"
        )),
        codes::SERVICE_TOKEN_MISMATCH,
    )
    .plan(&["config-set", "file-edit", "file-edit", "verify"])
    .also(|d| {
        let removals: Vec<(&str, &str)> = d
            .steps
            .iter()
            .filter_map(|s| match &s.action {
                Action::FileSecret { old, new: None, .. } => Some((old.kind.env_var(), s.fixes)),
                _ => None,
            })
            .collect();
        assert_eq!(
            removals,
            [
                ("OPENCLAW_GATEWAY_TOKEN", codes::SERVICE_TOKEN_EMBEDDED),
                ("OPENCLAW_GATEWAY_PASSWORD", codes::SERVICE_TOKEN_MISMATCH),
            ]
        );
    }));
}

#[test]
fn both_errors_at_once() {
    run(case(
        "a stale remote token and a rotated device token",
        Install::healthy()
            .token_in_gateway_env()
            .device(DeviceToken::Rotated)
            .config(|c| c["gateway"]["remote"] = json!({"token": STALE})),
        codes::SECRET_MISMATCH,
    )
    .plan(&["config-set", "refresh-device-token", "verify"])
    .also(|d| assert!(has_cause(d, codes::DEVICE_TOKEN_STALE), "{:#?}", d.causes)));
}

#[test]
fn broken_config() {
    run(case(
        "a config that does not parse",
        Install::healthy()
            .config_text("{\n  gateway: { port: 18789, auth: { token: 'x' },\n  oops\n}\n"),
        codes::CONFIG_INVALID,
    )
    .plan(&["manual"])
    .also(|d| {
        assert!(
            d.causes[0]
                .evidence
                .iter()
                .any(|e| e.contains("openclaw.json:")),
            "names file and line: {:#?}",
            d.causes[0]
        );
    }));
}

#[test]
fn gateway_down() {
    run(case(
        "no gateway runs",
        Install::healthy().fresh_client().port(Port::Down),
        codes::GATEWAY_DOWN,
    )
    .plan(&["manual"])
    .also(|d| {
        assert!(
            d.causes[0]
                .explains
                .iter()
                .any(|e| e.contains("connection refused")),
            "{:#?}",
            d.causes[0]
        );
        assert!(
            manual_commands(d)[0].starts_with("openclaw gateway run"),
            "{:#?}",
            d.steps
        );
    }));
}

#[test]
fn control_ui_with_an_old_token_is_told_to_paste_the_new_one() {
    run(case(
        "the Control UI sends an old token",
        Install::healthy().log_failure("openclaw-control-ui/webchat", "token_mismatch"),
        codes::UNEXPLAINED_FAILURE,
    )
    .plan(&["manual"])
    .also(|d| {
        assert_eq!(d.steps[0].fixes, codes::LOG_AUTH_FAILURES);
        assert!(
            manual_commands(d)[0].contains("private window"),
            "{:#?}",
            d.steps
        );
        assert!(
            d.causes[0].summary.contains("Control UI"),
            "{:#?}",
            d.causes
        );
    }));
}

#[test]
fn a_cli_failure_in_the_log_that_now_works_is_settled() {
    let d = Install::healthy()
        .log_failure("cli/cli", "token_mismatch")
        .diagnose();
    assert_well_formed("settled log", &d);
    let log: Vec<_> = d
        .checks
        .iter()
        .flat_map(|c| c.findings.iter())
        .filter(|f| f.code == codes::LOG_AUTH_FAILURES)
        .collect();
    assert_eq!(log.len(), 1, "{:#?}", d.checks);
    assert_eq!(log[0].severity, Severity::Info);
    assert!(d.healthy() && d.causes.is_empty() && d.steps.is_empty());
}

/// The findings at warning level or above.
fn problem_codes(d: &Diagnosis) -> Vec<&'static str> {
    d.checks
        .iter()
        .flat_map(|c| c.findings.iter())
        .filter(|f| f.severity >= Severity::Warning)
        .map(|f| f.code)
        .collect()
}

#[test]
fn no_openclaw_at_all() {
    run(case(
        "no CLI, no state dir, no config",
        Install::healthy()
            .without_cli()
            .never_set_up()
            .log_failure("cli/cli", "token_mismatch"),
        codes::OPENCLAW_NOT_INSTALLED,
    )
    .plan(&["manual"])
    .also(|d| {
        assert_eq!(problem_codes(d), [codes::OPENCLAW_NOT_INSTALLED]);
        assert_eq!(d.causes.len(), 1, "{:#?}", d.causes);
        assert_eq!(
            manual_commands(d),
            ["npm install -g openclaw && openclaw onboard"]
        );
        let evidence = d.causes[0].evidence.join("\n");
        for said in ["PATH", "state dir", "does not exist", "config", "--profile"] {
            assert!(evidence.contains(said), "{said} in {evidence}");
        }
    }));
}

#[test]
fn cli_installed_but_never_set_up() {
    run(case(
        "the CLI on PATH, no state dir, no config",
        Install::healthy().never_set_up(),
        codes::OPENCLAW_NOT_SET_UP,
    )
    .plan(&["manual"])
    .also(|d| {
        assert_eq!(problem_codes(d), [codes::OPENCLAW_NOT_SET_UP]);
        assert_eq!(manual_commands(d), ["openclaw onboard"]);
    }));
}

#[test]
fn set_up_but_cli_not_on_path_is_examined_as_usual() {
    let d = Install::healthy().without_cli().diagnose();
    assert_well_formed("no CLI on PATH", &d);
    assert_eq!(d.checks.len(), 9, "every check ran: {:#?}", d.checks);
    assert_eq!(problem_codes(&d), [codes::CLI_MISSING]);
    let missing = &d.checks[0].findings[0];
    assert!(
        missing.summary.contains("state or config exists"),
        "{missing:#?}"
    );
}

#[test]
fn never_set_up_profile_is_onboarded_with_its_profile() {
    let d = Install::healthy()
        .never_set_up()
        .shell("OPENCLAW_PROFILE", "work")
        .diagnose();
    assert_eq!(d.causes[0].code, codes::OPENCLAW_NOT_SET_UP);
    assert_eq!(manual_commands(&d), ["openclaw --profile work onboard"]);
}
