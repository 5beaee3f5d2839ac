//! Supplying the right secret (issue 12, item 2): when clawkit cannot see the gateway's secret
//! (a gateway started with `--token`, a remote gateway), `doctor --fix --token <T|->` and
//! `gateway token rotate --token <T|->` put it to the real gateway first. A refused one
//! changes no file and writes no journal; an accepted one is stored where the CLI reads it
//! (comments kept, journalled, `clawkit undo` restores the bytes). The secrets never appear in
//! what clawkit prints or records.

use crate::doctor::{doctor_json, problems};
use crate::util::{Run, assert_no_secrets, clawkit_with_env, run};
use clawkit_testkit::{ClientHome, Gateway, GatewayOptions, TokenSource, V2026_9};
use clawkit_testkit::{closed_port, distinctive_secret};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

type Env = [(String, String)];

/// `clawkit <args>` with `stdin` on standard input.
fn with_stdin(env: &Env, args: &[&str], stdin: &str) -> Run {
    run(clawkit_with_env(env).args(args).write_stdin(stdin))
}

fn journal_files(state_dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(state_dir.join("clawkit").join("journal"))
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .collect()
}

/// Every journal file's text, for the secret check.
fn journal_text(state_dir: &Path) -> String {
    journal_files(state_dir)
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect()
}

/// A refused secret: exit 1, the refusal by fingerprint with the next command, and nothing
/// written (the config's bytes, no journal).
fn assert_refused_and_unchanged(r: &Run, config: &Path, before: &[u8], state_dir: &Path) {
    assert_eq!(r.code, Some(1), "{r}");
    assert!(
        r.stderr.contains("refused the token you gave (sha256:")
            && r.stderr.contains("no file changed"),
        "{r}"
    );
    assert!(
        r.stderr.contains("hint:") && r.stderr.contains("--token -"),
        "{r}"
    );
    assert_eq!(
        std::fs::read(config).unwrap(),
        before,
        "a refused secret changed the config"
    );
    assert!(
        journal_files(state_dir).is_empty(),
        "a refused secret wrote a journal: {:?}",
        journal_files(state_dir)
    );
}

/// Waits (at most 60 s) until the gateway accepts `token` again: a config edit can make a
/// 2026.9 gateway reload or restart itself a moment later.
fn wait_accepts(env: &Env, token: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while with_stdin(env, &["probe", "--token", "-"], token).code != Some(0) {
        assert!(Instant::now() < deadline, "the gateway did not come back");
        std::thread::sleep(Duration::from_millis(200));
    }
}

// The gateway runs with `--token` (its process title hides it) and its config holds a stale
// one: clawkit cannot see the secret the gateway checks, the user gives it on standard input.
#[test]
fn doctor_stores_a_given_token_for_a_gateway_started_with_token() {
    let stale = distinctive_secret("stalecfg");
    let gw = Gateway::start(
        GatewayOptions::new(V2026_9)
            .token_source(TokenSource::Flag)
            .raw_config(format!(
                "// the gateway's config: its token is stale\n{{\n  gateway: {{\n    mode: 'local',\n    port: {{{{PORT}}}},\n    bind: 'loopback',\n    auth: {{ mode: 'token', token: '{stale}' }}, // rotated since\n  }},\n  logging: {{ file: '{{{{LOG_FILE}}}}' }},\n}}\n"
            )),
    )
    .unwrap();
    let env = gw.env();
    let config = gw.config_path();
    let state_dir = gw.state_dir();
    let before = std::fs::read(config).unwrap();
    let wrong = distinctive_secret("wrongguess");

    // A wrong guess: refused, nothing written.
    let refused = with_stdin(
        env,
        &["doctor", "--fix", "--yes", "--token", "-"],
        &format!("{wrong}\n"),
    );
    assert_refused_and_unchanged(&refused, config, &before, state_dir);

    // The right one in a dry run: accepted, planned with a masked value, nothing written.
    let dry = with_stdin(env, &["doctor", "--dry-run", "--token", "-"], gw.token());
    assert_eq!(dry.code, Some(1), "{dry}");
    let fp = clawkit_core::secret::fingerprint(gw.token());
    assert!(
        dry.stdout
            .contains(&format!("the token you gave ({fp}): accepted")),
        "{dry}"
    );
    assert!(
        dry.stdout
            .contains("set gateway.auth.token to the token you gave"),
        "{dry}"
    );
    assert!(
        dry.stdout.contains(&format!("token: '{fp}'")),
        "the diff masks it:\n{dry}"
    );
    assert_eq!(
        std::fs::read(config).unwrap(),
        before,
        "a dry run wrote something"
    );

    // The fix: verified, stored, healthy afterwards.
    let fix = with_stdin(
        env,
        &["doctor", "--fix", "--yes", "--token", "-"],
        &format!("{}\n", gw.token()),
    );
    assert_eq!(fix.code, Some(3), "{fix}");
    let edited = std::fs::read_to_string(config).unwrap();
    assert!(
        edited.starts_with("// the gateway's config: its token is stale\n"),
        "{edited}"
    );
    assert!(
        edited.contains("// rotated since"),
        "comments kept:\n{edited}"
    );
    assert!(
        edited.contains(gw.token()) && !edited.contains(&stale),
        "{edited}"
    );
    wait_accepts(env, gw.token());
    let (code, doc, after) = doctor_json(env, &[]);
    assert_eq!(code, Some(0), "{:?}\n{after}", problems(&doc));
    let journals = journal_text(state_dir);
    assert!(journals.contains("config-set"), "{journals}");

    // Undo puts the bytes back.
    let undo = run(clawkit_with_env(env).arg("undo"));
    assert_eq!(undo.code, Some(0), "{undo}");
    assert_eq!(
        std::fs::read(config).unwrap(),
        before,
        "undo did not restore:\n{undo}"
    );

    let secrets = [gw.token(), stale.as_str(), wrong.as_str()];
    assert_no_secrets(
        &format!(
            "{}{}{}{}{}{journals}",
            refused.text(),
            dry.text(),
            fix.text(),
            after.text(),
            undo.text()
        ),
        &secrets,
    );

    // rotate, with a wrong token: refused before anything is written.
    wait_accepts(env, gw.token());
    let state_before = read_tree(state_dir);
    let rotate_wrong = with_stdin(env, &["gateway", "token", "rotate", "--token", "-"], &wrong);
    assert_eq!(rotate_wrong.code, Some(1), "{rotate_wrong}");
    assert!(
        rotate_wrong
            .stderr
            .contains("refused the token you gave (sha256:")
            && rotate_wrong.stderr.contains("no file changed"),
        "{rotate_wrong}"
    );
    assert_eq!(std::fs::read(config).unwrap(), before);
    assert_eq!(
        read_tree(state_dir),
        state_before,
        "a refused rotate changed the state dir"
    );
    assert_no_secrets(&rotate_wrong.text(), &secrets);

    // rotate with the right one: stored where the CLI reads it (journalled), then this
    // client's device token is fetched with it as before.
    if clawkit_core::openclaw::identity::load(state_dir).is_err() {
        let identity = clawkit_core::gateway::DeviceIdentity::generate();
        clawkit_core::openclaw::identity::store(
            state_dir,
            &identity,
            &state_dir.join("clawkit/backups"),
        )
        .unwrap();
    }
    let config_before_rotate = std::fs::read(config).unwrap();
    let rotate = with_stdin(
        env,
        &["gateway", "token", "rotate", "--token", "-"],
        gw.token(),
    );
    assert_eq!(rotate.code, Some(0), "{rotate}");
    assert!(
        rotate.stdout.contains(&format!(
            "the gateway accepts the secret you gave ({fp}): stored in gateway.auth.token"
        )),
        "{rotate}"
    );
    assert!(rotate.stdout.contains("undo: clawkit undo "), "{rotate}");
    assert!(
        rotate
            .stdout
            .contains("verified: the gateway accepts the new token"),
        "{rotate}"
    );
    let stored = std::fs::read_to_string(config).unwrap();
    assert!(
        stored.contains(gw.token()) && stored.contains("// rotated since"),
        "{stored}"
    );
    let journals = journal_text(state_dir);
    assert_no_secrets(&format!("{}{journals}", rotate.text()), &secrets);
    let undo = run(clawkit_with_env(env).arg("undo"));
    assert_eq!(undo.code, Some(0), "{undo}");
    assert_eq!(
        std::fs::read(config).unwrap(),
        config_before_rotate,
        "{undo}"
    );
}

/// What a rotate could write in a state dir: clawkit's own files (journal, backups, lock) and
/// this client's cached device tokens (by fingerprint), but not the gateway's moving parts.
fn read_tree(state_dir: &Path) -> (Vec<(PathBuf, Vec<u8>)>, Vec<String>) {
    fn walk(dir: &Path, out: &mut Vec<(PathBuf, Vec<u8>)>) {
        for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else if let Ok(bytes) = std::fs::read(&p) {
                out.push((p, bytes));
            }
        }
    }
    let mut files = Vec::new();
    walk(&state_dir.join("clawkit"), &mut files);
    files.sort();
    let cached = clawkit_core::openclaw::state::DeviceState::read(state_dir)
        .map(|s| {
            s.cached_tokens
                .iter()
                .map(|c| c.token.fingerprint())
                .collect()
        })
        .unwrap_or_default();
    (files, cached)
}

// A client of a remote gateway (`gateway.mode = "remote"`) whose `gateway.remote.token` is
// stale: clawkit on the client cannot read the gateway's secret; the user gives it on the
// command line (the argv path, once).
#[test]
fn doctor_stores_a_given_token_for_a_remote_gateway() {
    let gw = Gateway::start(GatewayOptions::new(V2026_9)).unwrap();
    let stale = distinctive_secret("staleremote");
    let client = ClientHome::new(V2026_9).unwrap();
    // The client's own local port is a closed one: nothing of the test gateway's and never
    // 18789.
    let config = client
        .write_config(&format!(
            "// this laptop talks to the gateway on another machine\n{{\n  gateway: {{\n    mode: 'remote',\n    port: {},\n    remote: {{\n      url: 'ws://127.0.0.1:{}', // the gateway host\n      token: '{stale}',\n    }},\n  }},\n}}\n",
            closed_port(),
            gw.port()
        ))
        .unwrap();
    let env = client.env();
    let before = std::fs::read(&config).unwrap();
    let wrong = distinctive_secret("wrongremote");

    let refused = run(clawkit_with_env(env).args(["doctor", "--fix", "--yes", "--token", &wrong]));
    assert_refused_and_unchanged(&refused, &config, &before, &client.state_dir());

    let fix = run(clawkit_with_env(env).args(["doctor", "--fix", "--yes", "--token", gw.token()]));
    let edited = std::fs::read_to_string(&config).unwrap();
    assert!(
        edited.starts_with("// this laptop talks to the gateway on another machine\n")
            && edited.contains("// the gateway host"),
        "comments kept:\n{edited}\n{fix}"
    );
    assert!(
        edited.contains(gw.token()) && !edited.contains(&stale),
        "{edited}\n{fix}"
    );
    // Healed: the gateway accepts what the CLI sends now, and nothing local is blamed.
    assert_eq!(fix.code, Some(3), "{fix}");
    let (code, doc, after) = doctor_json(env, &[]);
    assert_eq!(code, Some(0), "{:?}\n{after}", problems(&doc));
    let probe = run(clawkit_with_env(env).arg("probe"));
    assert_eq!(probe.code, Some(0), "{probe}");
    let journals = journal_text(&client.state_dir());
    assert!(journals.contains("gateway.remote.token"), "{journals}");

    let undo = run(clawkit_with_env(env).arg("undo"));
    assert_eq!(undo.code, Some(0), "{undo}");
    assert_eq!(
        std::fs::read(&config).unwrap(),
        before,
        "undo did not restore:\n{undo}"
    );
    assert_no_secrets(
        &format!(
            "{}{}{}{}{}{journals}",
            refused.text(),
            fix.text(),
            after.text(),
            probe.text(),
            undo.text()
        ),
        &[gw.token(), stale.as_str(), wrong.as_str()],
    );
}
