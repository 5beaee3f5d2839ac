//! The command-line surface: what `--help` and `--version` promise, and that commands which
//! are not built yet do not pretend to exist.

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
fn help_lists_built_commands_and_planned_families() {
    let assert = clawkit().arg("--help").assert().success();
    let out = String::from_utf8(assert.get_output().stdout.clone()).unwrap();
    assert!(
        out.contains("Planned command families (not available yet):"),
        "{out}"
    );
    for family in [
        "doctor", "explain", "probe", "gateway", "config", "ports", "logs",
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

#[test]
fn planned_commands_are_refused_not_faked() {
    for planned in clawkit_core::PLANNED_COMMANDS.iter().map(|(name, _)| *name) {
        // "gateway start|stop|..." -> try `clawkit gateway start`, and so on.
        let words: Vec<&str> = planned.split(' ').collect();
        for last in words.last().unwrap().split('|') {
            let mut args: Vec<&str> = words[..words.len() - 1].to_vec();
            args.push(last);
            clawkit()
                .args(&args)
                .assert()
                .code(2)
                .stderr(predicate::str::contains(format!(
                    "unrecognized subcommand '{last}'"
                )));
        }
    }
}
