//! Benchmark: what `clawkit monitor run` costs with many gateways held open and pinged every
//! second. The gateways are FAKES (clawkit-testkit's fake gateway, many listeners in this
//! process): a thousand real OpenClaw gateways do not fit on one machine. The monitor runs as
//! its own process; its RSS and CPU are read from /proc.
//!
//!     cargo bench -p clawkit --bench monitor_scale [-- SECONDS]   (default 60 per fleet size)
//!     cargo bench -p clawkit --bench monitor_scale -- soak [SECONDS]  (10 gateways, default 3600 s,
//!                                                          a sample every 5 minutes)

// Each benchmark uses part of what they share.
#[cfg(target_os = "linux")]
#[allow(dead_code)]
mod common;

/// The benchmark itself: it drives real processes with Linux process control.
#[cfg(target_os = "linux")]
mod bench {
    use super::common;

    #[allow(dead_code)] // the helpers are shared by every bench; this one uses a few
    use clawkit_core::gateway::Credential;
    use clawkit_testkit::fake::{FakeGateway, FakeOptions};
    use std::fmt::Write as _;
    use std::time::{Duration, Instant};

    pub fn main() {
        raise_fd_limit();
        if std::env::args().any(|a| a == "soak") {
            return soak(Duration::from_secs(common::runs(3600) as u64));
        }
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

    /// Ten gateways for `total`: RSS and CPU of each 5-minute slice, then the spread of RSS.
    fn soak(total: Duration) {
        let slice = Duration::from_secs(300).min(total);
        println!(
            "soak: 10 fake gateways (named so), 1 s WS pings, {total:?}, a sample per {slice:?}"
        );
        println!("{:>8} {:>12} {:>14}", "minute", "RSS (MiB)", "CPU (% core)");
        let mut fleet = Fleet::start(10);
        let started = Instant::now();
        let mut rss = Vec::new();
        while started.elapsed() < total {
            let cpu = fleet.cpu_over(slice);
            let now = rss_mib(fleet.pid());
            rss.push(now);
            let minute = started.elapsed().as_secs() / 60;
            println!("{minute:>8} {now:>12.1} {cpu:>14.2}");
        }
        let (lo, hi) = rss
            .iter()
            .fold((f64::MAX, 0.0f64), |(lo, hi), &r| (lo.min(r), hi.max(r)));
        println!(
            "RSS over the soak: {lo:.1}-{hi:.1} MiB (first {:.1}, last {:.1}); connections held {}",
            rss.first().unwrap_or(&0.0),
            rss.last().unwrap_or(&0.0),
            fleet.connections()
        );
    }

    fn measure(n: usize, window: Duration) {
        let mut fleet = Fleet::start(n);
        let cpu = fleet.cpu_over(window);
        let rss = rss_mib(fleet.pid());
        let held = fleet.connections();
        println!("{n:<12} {rss:>14.1} {cpu:>14.2} {held:>16}");
    }

    /// `n` fake gateways and one `clawkit monitor run` watching them, warmed up for 20 s.
    struct Fleet {
        fakes: Vec<FakeGateway>,
        child: std::process::Child,
        _dir: tempfile::TempDir,
    }

    impl Fleet {
        fn start(n: usize) -> Fleet {
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
            let child = common::clawkit(
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
            std::thread::sleep(Duration::from_secs(20));
            Fleet {
                fakes,
                child,
                _dir: dir,
            }
        }

        fn pid(&self) -> u32 {
            self.child.id()
        }

        fn connections(&self) -> usize {
            self.fakes.iter().map(FakeGateway::connections).sum()
        }

        /// The monitor's CPU over the next `window`, in % of one core.
        fn cpu_over(&mut self, window: Duration) -> f64 {
            let (cpu0, t0) = (cpu_ticks(self.pid()), Instant::now());
            std::thread::sleep(window);
            let (cpu1, elapsed) = (cpu_ticks(self.pid()), t0.elapsed());
            let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64;
            100.0 * (cpu1 - cpu0) as f64 / hz / elapsed.as_secs_f64()
        }
    }

    impl Drop for Fleet {
        fn drop(&mut self) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
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
}

#[cfg(target_os = "linux")]
fn main() {
    bench::main()
}

#[cfg(not(target_os = "linux"))]
fn main() {
    eprintln!(
        "this benchmark drives real OpenClaw gateways with Linux process control: run it on Linux"
    );
}
