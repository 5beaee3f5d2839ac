//! Benchmark: what `clawkit monitor run` costs with many gateways held open and pinged every
//! second. The gateways are FAKES (clawkit-testkit's fake gateway, many listeners in this
//! process): a thousand real OpenClaw gateways do not fit on one machine. The monitor runs as
//! its own process; its RSS and CPU are read from /proc.
//!
//!     cargo bench -p clawkit --bench monitor_scale [-- SECONDS]   (default 60 per fleet size)

#[allow(dead_code)] // the helpers are shared by every bench; this one uses a few
mod common;

use clawkit_core::gateway::Credential;
use clawkit_testkit::fake::{FakeGateway, FakeOptions};
use std::fmt::Write as _;
use std::time::{Duration, Instant};

fn main() {
    raise_fd_limit();
    let secs = common::runs(60) as u64;
    println!("fake gateways (named so), 1 s WS pings, {secs} s measured after a 20 s warm-up");
    println!(
        "{:<12} {:>14} {:>14} {:>16}",
        "gateways", "RSS (MiB)", "CPU (% core)", "connections"
    );
    for n in [10, 1_000] {
        measure(n, Duration::from_secs(secs));
    }
}

fn measure(n: usize, window: Duration) {
    let token = "bench-fleet-token-0123456789abcdef0123";
    let fakes: Vec<FakeGateway> = (0..n)
        .map(|_| {
            FakeGateway::start(FakeOptions {
                secret: Credential::Token(token.into()),
                ..FakeOptions::default()
            })
        })
        .collect();
    let dir = tempfile::tempdir().expect("a scratch dir");
    let mut config = String::new();
    for (i, f) in fakes.iter().enumerate() {
        let _ = writeln!(
            config,
            "[[gateway]]\nname = \"fake-{i}\"\nurl = \"{}\"\ntoken = \"{token}\"\n",
            f.url()
        );
    }
    let path = dir.path().join("fleet.toml");
    std::fs::write(&path, config).expect("the fleet config");
    let env = [("HOME".to_string(), dir.path().display().to_string())];
    let mut child = common::clawkit(
        &[
            "monitor",
            "run",
            "--config",
            path.to_str().unwrap_or_default(),
            "--db",
            dir.path().join("m.sqlite").to_str().unwrap_or_default(),
        ],
        &env,
    )
    .stdout(std::process::Stdio::null())
    .stderr(std::process::Stdio::null())
    .spawn()
    .expect("clawkit monitor run");
    let pid = child.id();
    std::thread::sleep(Duration::from_secs(20));
    let (cpu0, t0) = (cpu_ticks(pid), Instant::now());
    std::thread::sleep(window);
    let (cpu1, elapsed) = (cpu_ticks(pid), t0.elapsed());
    let rss = rss_mib(pid);
    let held: usize = fakes.iter().map(FakeGateway::connections).sum();
    let _ = child.kill();
    let _ = child.wait();
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64;
    let cpu = 100.0 * (cpu1 - cpu0) as f64 / hz / elapsed.as_secs_f64();
    println!("{n:<12} {rss:>14.1} {cpu:>14.2} {held:>16}");
}

/// A thousand listeners and sockets here, a thousand sockets in the monitor (which inherits
/// the limit): lift the soft limit on open files to the hard one.
fn raise_fd_limit() {
    let mut l = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut l) == 0 {
            l.rlim_cur = l.rlim_max;
            libc::setrlimit(libc::RLIMIT_NOFILE, &l);
        }
    }
}

/// utime + stime of `pid`, in clock ticks.
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let after = stat.rsplit(')').next().unwrap_or_default();
    let fields: Vec<&str> = after.split_whitespace().collect();
    let at = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    at(11) + at(12)
}

fn rss_mib(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}
