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
        "doctor", "undo", "explain", "probe", "gateway", "config", "ports", "logs",
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
