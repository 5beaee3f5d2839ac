//! What the benchmarks share: timing one process with its peak memory, medians, and running
//! clawkit and the real `openclaw` CLI with the same environment.

use clawkit_testkit::OpenClawInstall;
use std::process::Command;
use std::time::Instant;

/// Runs `cmd` and returns (wall ms, peak RSS KiB, exit code).
#[allow(clippy::zombie_processes)] // reaped by wait4, which also gives us its rusage
pub fn measure(cmd: &mut Command) -> (f64, i64, i32) {
    let started = Instant::now();
    let child = cmd
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn");
    let mut status = 0;
    // SAFETY: rusage is plain data we own; wait4 reaps our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::wait4(child.id() as i32, &mut status, 0, &mut usage) };
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    (ms, usage.ru_maxrss, libc::WEXITSTATUS(status))
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

/// The first argument that is a number: how many runs (default `default`).
pub fn runs(default: usize) -> usize {
    std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(default)
}

pub fn clawkit(args: &[&str], env: &[(String, String)]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_clawkit"));
    c.args(args)
        .env_clear()
        .envs(env.iter().map(|(k, v)| (k, v)));
    c
}

pub fn openclaw(install: &OpenClawInstall, args: &[&str], env: &[(String, String)]) -> Command {
    let mut c = Command::new(&install.node);
    c.arg(&install.entry)
        .args(args)
        .env_clear()
        .envs(env.iter().map(|(k, v)| (k, v)));
    c
}

pub fn header() {
    println!(
        "{:<52} {:>12} {:>14} {:>6}",
        "command", "wall (ms)", "peak RSS (MB)", "exit"
    );
}

/// Runs `build()` `n` times and prints the medians.
pub fn row(name: &str, n: usize, build: &dyn Fn() -> Command) {
    let samples: Vec<(f64, i64, i32)> = (0..n).map(|_| measure(&mut build())).collect();
    let wall = median(samples.iter().map(|s| s.0).collect());
    let rss = median(samples.iter().map(|s| s.1 as f64).collect()) / 1024.0;
    println!("{name:<52} {wall:>12.1} {rss:>14.1} {:>6}", samples[0].2);
}
