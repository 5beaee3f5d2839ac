//! Crash detection latency: `kill -9` of a real 2026.9.6 gateway on this machine → the first
//! sighting on the watcher's channel (the socket's EOF or the pidfd, whichever comes first),
//! over 20 fresh gateways. Prints p50/p95 of each; asserts nothing (the goal is p95 < 100 ms).
//!
//! `cargo bench -p clawkit-monitor --bench detect` (about 10 minutes: each run starts a gateway).

/// The benchmark itself: it drives real processes with Linux process control.
#[cfg(target_os = "linux")]
mod bench {

    use clawkit_core::gateway::{ConnectOptions, Credential};
    use clawkit_monitor::watch::{LocalSide, Observation, WatchTarget, watch};
    use clawkit_testkit::{Gateway, GatewayOptions, V2026_9};
    use std::time::{Duration, Instant};
    use tokio::sync::mpsc;
    use tokio_util::sync::CancellationToken;

    const RUNS: usize = 20;

    /// Milliseconds from the kill to the first sighting, to `Closed`, and to `ProcessExited`.
    struct Run {
        first: f64,
        closed: f64,
        exited: f64,
        rss_mib: u64,
    }

    pub fn main() {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a tokio runtime");
        let mut runs = Vec::new();
        for i in 0..RUNS {
            let gw = Gateway::start(GatewayOptions::new(V2026_9)).expect("a real gateway starts");
            let run = rt.block_on(measure(&gw));
            eprintln!(
                "run {:2}: first {:6.2} ms  closed {:6.2} ms  exited {:6.2} ms  (rss {} MiB)",
                i + 1,
                run.first,
                run.closed,
                run.exited,
                run.rss_mib
            );
            runs.push(run);
        }
        report("first sighting", runs.iter().map(|r| r.first).collect());
        report(
            "Closed{code: None}",
            runs.iter().map(|r| r.closed).collect(),
        );
        report("ProcessExited", runs.iter().map(|r| r.exited).collect());
        let rss: Vec<u64> = runs.iter().map(|r| r.rss_mib).collect();
        println!(
            "gateway RSS at kill: {}-{} MiB",
            rss.iter().min().unwrap_or(&0),
            rss.iter().max().unwrap_or(&0)
        );
    }

    async fn measure(gw: &Gateway) -> Run {
        let mut endpoint = ConnectOptions::new(gw.url());
        endpoint.credential = Credential::Token(gw.token().to_string());
        let target = WatchTarget {
            name: "bench".into(),
            endpoint,
            ping_every: Duration::from_secs(1),
            ping_deadline: Duration::from_secs(3),
            local: Some(LocalSide {
                port: gw.port(),
                log_file: None,
            }),
        };
        let (tx, mut rx) = mpsc::channel(64);
        let cancel = CancellationToken::new();
        let task = tokio::spawn(watch(target, tx, cancel.clone()));
        let connected = rx.recv().await.expect("a sighting");
        assert!(
            matches!(connected.what, Observation::Connected { .. }),
            "{connected:?}"
        );
        // Let the watcher open the pidfd and settle into its loop.
        tokio::time::sleep(Duration::from_millis(300)).await;
        let rss_mib = rss_kib(gw.pid()) / 1024;
        let killed = Instant::now();
        // SAFETY: kill(2) on the PID of the gateway this bench started.
        unsafe { libc::kill(gw.pid() as i32, libc::SIGKILL) };
        let (mut first, mut closed, mut exited) = (None, None, None);
        while closed.is_none() || exited.is_none() {
            let seen = rx.recv().await.expect("the watcher runs");
            let ms = killed.elapsed().as_secs_f64() * 1000.0;
            match seen.what {
                Observation::Closed { code: None, .. } => closed = closed.or(Some(ms)),
                Observation::ProcessExited { .. } => exited = exited.or(Some(ms)),
                _ => continue,
            }
            first = first.or(Some(ms));
        }
        cancel.cancel();
        let _ = task.await;
        Run {
            first: first.unwrap_or_default(),
            closed: closed.unwrap_or_default(),
            exited: exited.unwrap_or_default(),
            rss_mib,
        }
    }

    fn rss_kib(pid: u32) -> u64 {
        std::fs::read_to_string(format!("/proc/{pid}/status"))
            .ok()
            .and_then(|s| {
                s.lines()
                    .find_map(|l| l.strip_prefix("VmRSS:"))
                    .and_then(|v| v.split_whitespace().next()?.parse().ok())
            })
            .unwrap_or(0)
    }

    fn report(what: &str, mut ms: Vec<f64>) {
        ms.sort_by(f64::total_cmp);
        let at = |q: f64| ms[((ms.len() as f64 * q).ceil() as usize).clamp(1, ms.len()) - 1];
        println!(
            "{what:20} n={} p50 {:6.2} ms  p95 {:6.2} ms  max {:6.2} ms",
            ms.len(),
            at(0.50),
            at(0.95),
            at(1.0)
        );
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
