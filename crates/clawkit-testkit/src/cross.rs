//! Other platforms on this Linux machine: the Windows build of clawkit (rustup's
//! `x86_64-pc-windows-gnu` standard library, Debian's MinGW cross compiler), run under Debian's
//! Wine in a scratch prefix. Each piece is installed on first use, once, under a lock.

use crate::error::{HarnessError, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

pub const WINDOWS_TARGET: &str = "x86_64-pc-windows-gnu";

/// Installs what building for Windows needs: the target's standard library and MinGW.
pub fn ensure_windows_toolchain() -> Result<()> {
    let _lock = lock("windows-toolchain")?;
    let installed = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).contains(WINDOWS_TARGET))
        .unwrap_or(false);
    if !installed {
        eprintln!("clawkit-testkit: rustup target add {WINDOWS_TARGET} (once)");
        let (ok, said) = crate::install::run_tool(Command::new("rustup").args([
            "target",
            "add",
            WINDOWS_TARGET,
        ]))?;
        if !ok {
            return Err(HarnessError::Setup(format!(
                "`rustup target add {WINDOWS_TARGET}` failed, so the Windows build cannot be tested: {}",
                crate::install::tail(&said, 10)
            )));
        }
    }
    apt_once("x86_64-w64-mingw32-gcc", "gcc-mingw-w64-x86-64")
}

/// Debian's 64-bit Wine loader (package `wine64`), installed once.
pub fn ensure_wine() -> Result<PathBuf> {
    let _lock = lock("wine")?;
    apt_once("wine", "wine64")?;
    let wine64 = PathBuf::from("/usr/lib/wine/wine64");
    Ok(if wine64.exists() {
        wine64
    } else {
        PathBuf::from("/usr/bin/wine")
    })
}

/// Wine 8.0 (Debian 12) has no `bcryptprimitives.dll`, whose `ProcessPrng` Rust's standard
/// library calls on Windows 10 and later. For Wine only, the tests put a stand-in beside the
/// exe: a DLL built here with MinGW that forwards `ProcessPrng` to `RtlGenRandom`. Real
/// Windows has the DLL; the shipped binary is unchanged.
pub fn wine_prng_shim(exe_dir: &Path) -> Result<()> {
    let dll = exe_dir.join("bcryptprimitives.dll");
    if dll.exists() {
        return Ok(());
    }
    let src = exe_dir.join("bcryptprimitives-shim.c");
    let def = exe_dir.join("bcryptprimitives-shim.def");
    let write = |p: &Path, text: &str| std::fs::write(p, text).map_err(|e| HarnessError::io(p, e));
    write(
        &src,
        "#include <windows.h>\n#include <ntsecapi.h>\n\
         BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) { return RtlGenRandom(data, (ULONG)len); }\n",
    )?;
    write(&def, "LIBRARY bcryptprimitives\nEXPORTS\nProcessPrng\n")?;
    let (ok, said) = crate::install::run_tool(
        Command::new("x86_64-w64-mingw32-gcc")
            .args(["-shared", "-O2", "-o"])
            .arg(&dll)
            .arg(&src)
            .arg(&def)
            .arg("-ladvapi32"),
    )?;
    if ok {
        Ok(())
    } else {
        Err(HarnessError::Setup(format!(
            "building the Wine PRNG shim failed: {said}"
        )))
    }
}

/// `lsof`, which the macOS host backend asks; Debian's is run by the tests of that backend.
pub fn ensure_lsof() -> Result<()> {
    apt_once("lsof", "lsof")
}

/// `program` on PATH, else `apt-get install package`.
fn apt_once(program: &str, package: &str) -> Result<()> {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if found {
        return Ok(());
    }
    eprintln!("clawkit-testkit: installing Debian's {package} (once)");
    let _ = crate::install::run_tool(Command::new("apt-get").args(["update", "-qq"]));
    let (ok, said) = crate::install::run_tool(
        Command::new("apt-get")
            .args(["install", "-y", "-qq", package])
            .env("DEBIAN_FRONTEND", "noninteractive"),
    )?;
    if ok {
        Ok(())
    } else {
        Err(HarnessError::Setup(format!(
            "`apt-get install {package}` failed (it needs root and a Debian mirror): {}",
            crate::install::tail(&said, 10)
        )))
    }
}

fn lock(name: &str) -> Result<std::fs::File> {
    let root = crate::cache_root();
    std::fs::create_dir_all(&root).map_err(|e| HarnessError::io(&root, e))?;
    let path = root.join(format!("{name}.lock"));
    let file = std::fs::File::create(&path).map_err(|e| HarnessError::io(&path, e))?;
    file.lock().map_err(|e| HarnessError::io(&path, e))?;
    Ok(file)
}

/// Runs `cargo <args> --target x86_64-pc-windows-gnu --target-dir <target_dir>` in the
/// workspace (its own target dir, so the outer `cargo test` keeps its lock).
fn cargo_windows(workspace: &Path, target_dir: &Path, args: &[&str]) -> Result<String> {
    ensure_windows_toolchain()?;
    let out = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .current_dir(workspace)
        .args(args)
        .args(["--locked", "--target", WINDOWS_TARGET, "--target-dir"])
        .arg(target_dir)
        .output()
        .map_err(|e| HarnessError::io("cargo", e))?;
    if !out.status.success() {
        return Err(HarnessError::Setup(format!(
            "cargo {} for {WINDOWS_TARGET} failed:\n{}",
            args.join(" "),
            crate::install::tail(&String::from_utf8_lossy(&out.stderr), 40)
        )));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Builds `clawkit.exe` for Windows into `target_dir` and returns its path.
pub fn build_windows_clawkit(workspace: &Path, target_dir: &Path) -> Result<PathBuf> {
    cargo_windows(
        workspace,
        target_dir,
        &["build", "-p", "clawkit", "--bin", "clawkit"],
    )?;
    let exe = target_dir
        .join(WINDOWS_TARGET)
        .join("debug")
        .join("clawkit.exe");
    wine_prng_shim(exe.parent().unwrap_or(target_dir))?;
    Ok(exe)
}

/// Builds the unit tests of `package`'s library for Windows and returns the test program.
pub fn build_windows_unit_tests(
    workspace: &Path,
    target_dir: &Path,
    package: &str,
) -> Result<PathBuf> {
    let json = cargo_windows(
        workspace,
        target_dir,
        &[
            "test",
            "--no-run",
            "-p",
            package,
            "--lib",
            "--message-format=json",
        ],
    )?;
    let exe = json
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|m| m["profile"]["test"] == true)
        .find_map(|m| m["executable"].as_str().map(PathBuf::from))
        .ok_or_else(|| HarnessError::Setup(format!("cargo named no test program for {package}")))?;
    wine_prng_shim(exe.parent().unwrap_or(target_dir))?;
    Ok(exe)
}

/// A scratch Wine prefix: runs Windows programs with `WINEDEBUG=-all`.
pub struct WinePrefix {
    wine: PathBuf,
    prefix: tempfile::TempDir,
}

/// What a Windows program printed, and its exit code.
#[derive(Debug)]
pub struct WineRun {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl WinePrefix {
    /// A new prefix, created up front (`wineboot --init`, then waiting for its wineserver):
    /// the first program run in a fresh prefix would otherwise race its creation.
    pub fn new() -> Result<WinePrefix> {
        let w = WinePrefix {
            wine: ensure_wine()?,
            prefix: tempfile::tempdir().map_err(|e| HarnessError::io("tempdir", e))?,
        };
        w.command(Path::new("wineboot"))
            .arg("--init")
            .output()
            .map_err(|e| HarnessError::io(&w.wine, e))?;
        let server = w.wine.with_file_name("wineserver");
        let _ = Command::new(&server)
            .arg("-w")
            .env("WINEPREFIX", w.prefix.path().join("wine"))
            .status();
        Ok(w)
    }

    fn command(&self, exe: &Path) -> Command {
        let mut c = Command::new(&self.wine);
        c.arg(exe)
            .env_clear()
            .env("PATH", "/usr/bin:/bin")
            .env("HOME", self.prefix.path())
            .env("WINEPREFIX", self.prefix.path().join("wine"))
            .env("WINEARCH", "win64")
            .env("WINEDEBUG", "-all")
            .env("WINEDLLOVERRIDES", "mscoree,mshtml=");
        c
    }

    /// The Windows path Wine programs see for `path` (`Z:\…`).
    pub fn windows_path(&self, path: &Path) -> String {
        format!("Z:{}", path.display()).replace('/', "\\")
    }

    /// Runs `exe args…` with exactly `env` (plus Wine's own variables).
    pub fn run(&self, exe: &Path, args: &[&str], env: &[(&str, &str)]) -> Result<WineRun> {
        let out = self
            .command(exe)
            .args(args)
            .envs(env.iter().copied())
            .output()
            .map_err(|e| HarnessError::io(&self.wine, e))?;
        Ok(WineRun {
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).replace("\r\n", "\n"),
            stderr: String::from_utf8_lossy(&out.stderr).replace("\r\n", "\n"),
        })
    }
}
