//! The command-line surface: what `--help` and `--version` promise.

use crate::util::clawkit;
use predicates::prelude::*;

#[test]
fn version_prints_name_and_crate_version() {
    clawkit()
        .arg("--version")
        .assert()
        .success()
        .stdout(format!("clawkit {}\n", env!("CARGO_PKG_VERSION")));
}

#[test]
fn help_lists_every_command() {
    let assert = clawkit().arg("--help").assert().success();
    let out = String::from_utf8(assert.get_output().stdout.clone()).unwrap();
    for family in [
        "doctor",
        "undo",
        "explain",
        "probe",
        "gateway",
        "config",
        "ports",
        "logs",
        "monitor",
        "web",
        "dashboard",
        "completions",
        "man",
    ] {
        assert!(
            out.lines().any(|l| l.trim_start().starts_with(family)),
            "--help does not list `{family}`:\n{out}"
        );
    }
    assert!(
        out.contains("2026.9.x") && out.contains("2026.7.x"),
        "{out}"
    );
}

#[test]
fn no_arguments_prints_usage_and_exits_2() {
    clawkit()
        .assert()
        .code(2)
        .stderr(predicate::str::contains("Usage: clawkit"));
}

/// The bash script loads in a real bash and completes the commands and a nested one; the
/// others are generated; none needs an OpenClaw install (an empty environment).
#[test]
fn completions_load_in_bash_and_complete_the_commands() {
    let script = clawkit()
        .env_clear()
        .args(["completions", "bash"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("clawkit.bash");
    std::fs::write(&file, script).unwrap();
    // Ask the completion function what follows `clawkit ` and `clawkit gateway token `.
    let probe = format!(
        "source {}; for line in 'clawkit ' 'clawkit gateway token '; do \
         COMP_WORDS=($line ''); COMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 )); COMP_LINE=\"$line\"; \
         COMP_POINT=${{#COMP_LINE}}; _clawkit clawkit '' \"${{COMP_WORDS[COMP_CWORD-1]}}\"; \
         echo \"${{COMPREPLY[*]}}\"; done",
        file.display()
    );
    let out = std::process::Command::new("bash")
        .args(["--norc", "-c", &probe])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let mut lines = text.lines();
    let top = lines.next().unwrap_or_default();
    for c in ["doctor", "web", "dashboard", "monitor", "completions"] {
        assert!(
            top.split(' ').any(|w| w == c),
            "`clawkit <TAB>` lacks {c}: {text}"
        );
    }
    let token = lines.next().unwrap_or_default();
    assert!(
        ["status", "rotate", "reset"]
            .iter()
            .all(|c| token.split(' ').any(|w| w == *c)),
        "`clawkit gateway token <TAB>`: {token}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for shell in ["zsh", "fish", "powershell", "elvish"] {
        let out = clawkit()
            .env_clear()
            .args(["completions", shell])
            .assert()
            .success();
        let text = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
        assert!(
            text.contains("dashboard") && text.contains("doctor"),
            "{shell}"
        );
    }
    clawkit()
        .args(["completions", "tcsh"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("possible values"));
}

#[test]
fn the_man_page_is_roff_for_every_command() {
    let out = clawkit().env_clear().arg("man").assert().success();
    let page = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(page.contains(".TH clawkit 1"), "{page:.400}");
    assert!(page.contains(".SH SYNOPSIS"), "{page:.400}");
    for c in [
        "doctor",
        "web",
        "dashboard",
        "monitor",
        "gateway",
        "completions",
    ] {
        assert!(
            page.contains(&format!("clawkit\\-{c}(1)")),
            "no {c} in:\n{page}"
        );
    }
}
