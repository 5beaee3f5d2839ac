//! One real gateway per version, living through what users go through: clients fail with the
//! wrong token, `clawkit logs` and `clawkit explain` name it, `clawkit config set` rotates the
//! token in a hand-written JSON5 config, OpenClaw accepts the edit, and the new token works.

use crate::util::{assert_no_secrets, clawkit_with_env, per_version, run};
use clawkit_testkit::scenario::{self, WrongTokenVia};
use clawkit_testkit::{Gateway, GatewayOptions, distinctive_secret};
use std::os::unix::fs::PermissionsExt;
use std::time::{Duration, Instant};

const CONFIG: &str = r#"// my gateway — edited by hand, keep my comments
{
  gateway: {
    mode: 'local',
    port: {{PORT}}, // chosen by the harness
    bind: 'loopback',
    auth: {
      mode: 'token',
      token: '{{TOKEN}}', // rotate me
    },
  },
  logging: { file: '{{LOG_FILE}}' },
}
"#;

per_version!(
    gateway_life_wrong_tokens_logged_explained_and_rotated,
    |version| {
        let gw = Gateway::start(GatewayOptions::new(version).raw_config(CONFIG)).unwrap();
        std::fs::set_permissions(gw.config_path(), std::fs::Permissions::from_mode(0o600)).unwrap();
        let old_token = gw.token().to_string();
        let mut planted = vec![old_token.clone()];

        // 1. Three clients with a wrong token, each through a different source.
        let mut failures = Vec::new();
        for via in WrongTokenVia::ALL {
            let (client, wrong) = scenario::gateway_token_mismatch(&gw, via).unwrap();
            planted.push(wrong);
            let out = client.openclaw(&["gateway", "health"]).unwrap();
            assert_eq!(out.code, Some(1), "{out}");
            failures.push((client, out));
        }

        // 2. `clawkit logs` reads the real log: three token mismatches from the CLI, no device,
        //    on this gateway's port.
        let logs = run(clawkit_with_env(gw.env())
            .args(["logs", "--json", "--file"])
            .arg(gw.log_file()));
        assert_eq!(logs.code, Some(1), "{logs}");
        let report = logs.json();
        let groups = report["report"]["groups"].as_array().unwrap();
        let auth: Vec<_> = groups
            .iter()
            .filter(|g| g["kind"] == "auth-failure")
            .collect();
        assert_eq!(auth.len(), 1, "{logs}");
        assert_eq!(auth[0]["reason"], "token_mismatch");
        assert_eq!(auth[0]["client"], "cli/cli");
        assert_eq!(auth[0]["device"], false);
        assert_eq!(auth[0]["peer"], "127.0.0.1");
        assert_eq!(auth[0]["gateway_port"], gw.port());
        assert_eq!(auth[0]["count"], 3);
        assert!(groups.iter().any(|g| g["kind"] == "start"), "{logs}");
        let human = run(clawkit_with_env(gw.env())
            .args(["logs", "--file"])
            .arg(gw.log_file()));
        assert!(human.stdout.contains("token_mismatch"), "{human}");
        assert_no_secrets(
            &format!("{}{}", logs.text(), human.text()),
            &planted.iter().map(String::as_str).collect::<Vec<_>>(),
        );

        // 3. `clawkit explain` on what the real CLI printed, run on that client's machine.
        for (client, out) in &failures {
            let explained = run(clawkit_with_env(client.env())
                .args(["explain", "--json", "-"])
                .write_stdin(out.text()));
            assert_eq!(explained.code, Some(0), "{explained}");
            let doc = explained.json();
            assert_eq!(
                doc["errors"][0]["id"], "gateway-token-mismatch",
                "{explained}"
            );
            let human = run(clawkit_with_env(client.env())
                .args(["explain"])
                .arg(out.text()));
            assert!(human.stdout.contains("this machine: the CLI"), "{human}");
            assert_no_secrets(
                &format!("{}{}", explained.text(), human.text()),
                &planted.iter().map(String::as_str).collect::<Vec<_>>(),
            );
        }

        // 4. Rotate the token with clawkit, on the gateway's own host.
        let new_token = distinctive_secret("rotated");
        planted.push(new_token.clone());
        let before = std::fs::read_to_string(gw.config_path()).unwrap();
        let set = run(clawkit_with_env(gw.env()).args([
            "config",
            "set",
            "gateway.auth.token",
            &new_token,
        ]));
        assert_eq!(set.code, Some(0), "{set}");
        assert_no_secrets(
            &set.text(),
            &planted.iter().map(String::as_str).collect::<Vec<_>>(),
        );
        let after = std::fs::read_to_string(gw.config_path()).unwrap();
        assert_eq!(
            after,
            before.replace(&old_token, &new_token),
            "only the token may change"
        );
        assert_eq!(
            std::fs::metadata(gw.config_path())
                .unwrap()
                .permissions()
                .mode()
                & 0o777,
            0o600
        );
        let backup_line = set
            .stdout
            .lines()
            .find(|l| l.starts_with("backup: "))
            .unwrap();
        let backup = std::fs::read_to_string(backup_line.trim_start_matches("backup: ")).unwrap();
        assert_eq!(backup, before);

        // 5. OpenClaw itself accepts the edited file.
        let valid = gw.openclaw_cli(&["config", "validate"]).unwrap();
        assert!(valid.success(), "{valid}");

        // 6. The running gateway hot-reloads it: the new token works, the old one is refused.
        let get = run(clawkit_with_env(gw.env()).args(["config", "get", "gateway.auth.token"]));
        assert!(get.stdout.starts_with("sha256:"), "{get}");
        assert_no_secrets(
            &get.text(),
            &planted.iter().map(String::as_str).collect::<Vec<_>>(),
        );
        let fresh = scenario::matching_client_with_token(&gw, &new_token).unwrap();
        let started = Instant::now();
        loop {
            let out = fresh.openclaw(&["gateway", "health"]).unwrap();
            if out.success() {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "new token never accepted:\n{out}"
            );
            std::thread::sleep(Duration::from_millis(500));
        }
        let stale = scenario::matching_client_with_token(&gw, &old_token).unwrap();
        let out = stale.openclaw(&["gateway", "health"]).unwrap();
        assert_eq!(out.code, Some(1), "the old token still works:\n{out}");
        assert!(
            out.stderr
                .contains(scenario::expected_token_mismatch(version)),
            "{out}"
        );
    }
);
