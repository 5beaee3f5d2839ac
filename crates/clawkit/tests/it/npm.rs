//! `npx clawkit`: the npm packages built by `npm/pack.mjs` from this build's binary, packed,
//! installed from the tarballs into an empty prefix with the registry out of reach
//! (`--offline`), then run through `npx` as an OpenClaw user would.

use std::path::{Path, PathBuf};
use std::process::Command;

fn npm() -> String {
    std::env::var("CLAWKIT_NPM").unwrap_or_else(|_| "npm".into())
}

/// PATH with the harness's Node 26 first (npm and npx run on it).
fn path_with_node() -> String {
    let node = clawkit_testkit::ensure_node().unwrap();
    format!(
        "{}:/usr/local/bin:/usr/bin:/bin",
        node.parent().unwrap().display()
    )
}

fn run(cmd: &mut Command) -> (Option<i32>, String) {
    let out = cmd.output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code(), text)
}

fn tarball(dir: &Path, prefix: &str) -> PathBuf {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| {
            let n = p.file_name().unwrap().to_string_lossy().into_owned();
            n.starts_with(prefix) && n.ends_with(".tgz")
        })
        .unwrap_or_else(|| panic!("no {prefix}*.tgz in {}", dir.display()))
}

#[test]
fn npx_clawkit_runs_the_packed_binary_installed_offline() {
    let path = path_with_node();
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let bin = assert_cmd::cargo::cargo_bin("clawkit");
    let out = tempfile::tempdir().unwrap();
    let (code, said) = run(Command::new("node")
        .env("PATH", &path)
        .arg(repo.join("npm/pack.mjs"))
        .arg(out.path())
        .arg(format!("linux-x64={}", bin.display())));
    assert_eq!(code, Some(0), "{said}");
    let launcher = tarball(out.path(), "clawkit-0");
    let linux = tarball(out.path(), "clawkit-linux-x64-");

    let prefix = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let (code, said) = run(Command::new(npm())
        .current_dir(prefix.path())
        .env("PATH", &path)
        .env("npm_config_cache", cache.path())
        .args(["install", "--offline", "--no-audit", "--no-fund"])
        .arg(&linux)
        .arg(&launcher));
    assert_eq!(code, Some(0), "{said}");

    let npx = |args: &[&str]| {
        run(Command::new("npx")
            .current_dir(prefix.path())
            .env("PATH", &path)
            .env("npm_config_cache", cache.path())
            .arg("--offline")
            .arg("clawkit")
            .args(args))
    };
    let (code, version) = npx(&["--version"]);
    assert_eq!(code, Some(0), "{version}");
    assert_eq!(version, format!("clawkit {}\n", env!("CARGO_PKG_VERSION")));
    let (code, explained) = npx(&["explain", "unauthorized: device token mismatch"]);
    assert_eq!(code, Some(0), "{explained}");
    assert!(explained.contains("device token mismatch"), "{explained}");
    // A failing run keeps its exit code through the launcher.
    let (code, usage) = npx(&["no-such-command"]);
    assert_eq!(code, Some(2), "{usage}");
}
