//! Benchmark: `clawkit probe` against `openclaw gateway probe` and `openclaw health`, and
//! `clawkit ports` / `clawkit gateway status` against `openclaw gateway status`, on the same
//! real 2026.9.6 gateway, in one run. Reports the median wall time (including process start)
//! and median peak memory of each.
//!
//!     cargo bench -p clawkit --bench probe [-- RUNS]

use clawkit_testkit::{Gateway, GatewayOptions, V2026_9};
use std::process::Command;
use std::time::Instant;

/// Runs `cmd` and returns (wall ms, peak RSS KiB, exit code).
#[allow(clippy::zombie_processes)] // reaped by wait4, which also gives us its rusage
fn measure(cmd: &mut Command) -> (f64, i64, i32) {
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

fn main() {
    let runs: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(15);
    let gw = Gateway::start(GatewayOptions::new(V2026_9)).expect("a real gateway");
    let gw = &gw;
    let clawkit = env!("CARGO_BIN_EXE_clawkit");
    let install = gw.install().clone();
    type Build<'a> = Box<dyn Fn() -> Command + 'a>;
    let clawkit_cmd = |args: &'static [&'static str]| -> Build {
        Box::new(move || {
            let mut c = Command::new(clawkit);
            c.args(args)
                .env_clear()
                .envs(gw.env().iter().map(|(k, v)| (k, v)));
            c
        })
    };
    let install = &install;
    let openclaw_cmd = |args: &'static [&'static str]| -> Build {
        Box::new(move || {
            let mut c = Command::new(&install.node);
            c.arg(&install.entry)
                .args(args)
                .env_clear()
                .envs(gw.env().iter().map(|(k, v)| (k, v)));
            c
        })
    };
    let contenders: Vec<(&str, Build)> = vec![
        ("clawkit probe", clawkit_cmd(&["probe"])),
        (
            "openclaw gateway probe",
            openclaw_cmd(&["gateway", "probe", "--json"]),
        ),
        ("openclaw health", openclaw_cmd(&["health", "--json"])),
        ("clawkit ports", clawkit_cmd(&["ports"])),
        (
            "clawkit gateway status",
            clawkit_cmd(&["gateway", "status"]),
        ),
        (
            "openclaw gateway status",
            openclaw_cmd(&["gateway", "status", "--json"]),
        ),
    ];
    println!(
        "real OpenClaw {V2026_9} gateway on port {}, {runs} runs each (median)",
        gw.port()
    );
    println!(
        "{:<26} {:>12} {:>14} {:>6}",
        "command", "wall (ms)", "peak RSS (MB)", "exit"
    );
    for (name, build) in &contenders {
        // The openclaw commands are slow: fewer runs keep the benchmark short.
        let n = if name.starts_with("clawkit") {
            runs
        } else {
            runs.min(5)
        };
        let samples: Vec<(f64, i64, i32)> = (0..n).map(|_| measure(&mut build())).collect();
        let wall = median(samples.iter().map(|s| s.0).collect());
        let rss = median(samples.iter().map(|s| s.1 as f64).collect()) / 1024.0;
        println!("{name:<26} {wall:>12.1} {rss:>14.1} {:>6}", samples[0].2);
    }
}
