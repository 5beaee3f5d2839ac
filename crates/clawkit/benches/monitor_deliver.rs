//! Benchmark: how soon an operator hears of an outage. A real 2026.9.6 gateway watched by
//! `clawkit monitor run --notify json://…` (the receiver is a fake webhook consumer in this
//! process, named so); in one run:
//!
//! - `kill -9` → `down` received, RUNS times (default 20): p50/p95, beside the kernel's own
//!   floor (the bench's pidfd of the gateway turning readable: the process is gone);
//! - SIGSTOP → `down` received (a hung gateway: no pong within the 3 s deadline), 5 times;
//! - `openclaw health` run back to back as a poller (the fastest it can poll) → the first
//!   failing run ends, 5 times; and what 20 s / 60 s pollers need, computed from their
//!   intervals (on average half an interval, before any retry).
//!
//!     cargo bench -p clawkit --bench monitor_deliver [-- RUNS]   (about 15 minutes)

// Each benchmark uses part of what they share.
#[cfg(target_os = "linux")]
#[allow(dead_code)]
mod common;

/// The benchmark itself: it drives real processes with Linux process control.
#[cfg(target_os = "linux")]
mod bench {
    use super::common;

    #[allow(dead_code)] // the helpers are shared by every bench; this one uses a few
    use clawkit_testkit::{Gateway, GatewayOptions, V2026_9};
    use std::io::{BufRead, BufReader, Read, Write};
    use std::net::TcpListener;
    use std::process::{Child, Stdio};
    use std::sync::{Arc, Mutex};
    use std::time::{Duration, Instant};

    pub fn main() {
        let runs = common::runs(20);
        println!(
            "real OpenClaw {V2026_9} gateway, clawkit monitor run --notify json:// (fake receiver)"
        );
        let mut delivered = Vec::new();
        let mut floor = Vec::new();
        let mut rss = Vec::new();
        for i in 0..runs {
            let r = crash_run();
            eprintln!(
                "kill -9 run {:2}: process gone {:6.1} ms, `down` received {:6.1} ms (gateway RSS {} MiB)",
                i + 1,
                r.gone,
                r.delivered,
                r.rss_mib
            );
            floor.push(r.gone);
            delivered.push(r.delivered);
            rss.push(r.rss_mib);
        }
        let hung: Vec<f64> = (0..5).map(|_| hung_run()).collect();
        let health: Vec<(f64, f64)> = (0..5).map(|_| health_poll_run()).collect();
        println!(
            "gateway RSS at kill: {}-{} MiB",
            rss.iter().min().unwrap_or(&0),
            rss.iter().max().unwrap_or(&0)
        );
        println!(
            "{:<52} {:>4} {:>10} {:>10}",
            "from the fault to", "n", "p50 (ms)", "p95 (ms)"
        );
        row("kill -9: the process is gone (kernel, pidfd)", floor);
        row("kill -9: clawkit `down` received by the webhook", delivered);
        row("SIGSTOP: clawkit `down` received (3 s deadline)", hung);
        row(
            "kill -9: `openclaw health` back to back fails",
            health.iter().map(|h| h.0).collect(),
        );
        row(
            "  (one `openclaw health` run, healthy)",
            health.iter().map(|h| h.1).collect(),
        );
        println!(
            "{:<52} {:>4} {:>10}",
            "a 20 s poller (computed: half an interval)", "-", 10_000
        );
        println!(
            "{:<52} {:>4} {:>10}",
            "a 60 s poller (computed: half an interval)", "-", 30_000
        );
    }

    struct Crash {
        gone: f64,
        delivered: f64,
        rss_mib: u64,
    }

    /// One gateway, one monitor, one `kill -9`.
    fn crash_run() -> Crash {
        let gw = Gateway::start(GatewayOptions::new(V2026_9)).expect("a real gateway starts");
        let hook = Receiver::start();
        let dir = tempfile::tempdir().expect("a scratch dir");
        let monitor = Monitor::start(&gw, &hook, dir.path());
        let rss_mib = rss_kib(gw.pid()) / 1024;
        let pidfd = Pidfd::open(gw.pid());
        let killed = Instant::now();
        // SAFETY: kill(2) on the pid of the gateway this bench started.
        unsafe { libc::kill(gw.pid() as i32, libc::SIGKILL) };
        let gone = pidfd.wait_ms(killed);
        let delivered = hook.wait("down", killed, &monitor);
        Crash {
            gone,
            delivered,
            rss_mib,
        }
    }

    /// SIGSTOP: the gateway keeps the socket and answers nothing.
    fn hung_run() -> f64 {
        let gw = Gateway::start(GatewayOptions::new(V2026_9)).expect("a real gateway starts");
        let hook = Receiver::start();
        let dir = tempfile::tempdir().expect("a scratch dir");
        let monitor = Monitor::start(&gw, &hook, dir.path());
        let stopped = Instant::now();
        // SAFETY: kill(2) on the pid of the gateway this bench started.
        unsafe { libc::kill(gw.pid() as i32, libc::SIGSTOP) };
        let ms = hook.wait("down", stopped, &monitor);
        eprintln!("SIGSTOP run: `down` received {ms:.0} ms");
        unsafe { libc::kill(gw.pid() as i32, libc::SIGCONT) };
        ms
    }

    /// `openclaw health` in a loop with no pause; the gateway killed at an arbitrary point of a
    /// run. Returns (kill → the first failing run ends, a healthy run's duration).
    fn health_poll_run() -> (f64, f64) {
        let gw = Gateway::start(GatewayOptions::new(V2026_9)).expect("a real gateway starts");
        let health = || -> (bool, Instant) {
            let ok = common::openclaw(gw.install(), &["health", "--json"], gw.env())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success());
            (ok, Instant::now())
        };
        let t = Instant::now();
        let (ok, _) = health();
        assert!(ok, "`openclaw health` fails against a healthy gateway");
        let one = t.elapsed().as_secs_f64() * 1000.0;
        let killer = {
            let pid = gw.pid();
            // Somewhere inside the next run, not always at its start.
            let after = Duration::from_millis(200 + (nanos() % 1_000) as u64);
            std::thread::spawn(move || {
                std::thread::sleep(after);
                let at = Instant::now();
                // SAFETY: kill(2) on the pid of the gateway this bench started.
                unsafe { libc::kill(pid as i32, libc::SIGKILL) };
                at
            })
        };
        let ended = loop {
            let (ok, ended) = health();
            if !ok {
                break ended;
            }
        };
        let killed = killer.join().expect("the killer thread");
        let ms = ended.duration_since(killed).as_secs_f64() * 1000.0;
        eprintln!(
            "openclaw health poll: failure seen {ms:.0} ms after the kill (one run {one:.0} ms)"
        );
        (ms, one)
    }

    fn row(what: &str, mut ms: Vec<f64>) {
        ms.sort_by(f64::total_cmp);
        let at = |q: f64| ms[((ms.len() as f64 * q).ceil() as usize).clamp(1, ms.len()) - 1];
        println!(
            "{what:<52} {:>4} {:>10.1} {:>10.1}",
            ms.len(),
            at(0.5),
            at(0.95)
        );
    }

    fn nanos() -> u128 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos())
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

    /// The bench's own pidfd of the gateway: readable once the process has exited.
    struct Pidfd(i32);

    impl Pidfd {
        fn open(pid: u32) -> Pidfd {
            // SAFETY: pidfd_open(2) on a pid this bench started; the fd is closed on drop.
            let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid as libc::pid_t, 0) } as i32;
            assert!(fd >= 0, "pidfd_open");
            Pidfd(fd)
        }

        fn wait_ms(&self, since: Instant) -> f64 {
            let mut p = libc::pollfd {
                fd: self.0,
                events: libc::POLLIN,
                revents: 0,
            };
            // SAFETY: one valid pollfd.
            unsafe { libc::poll(&mut p, 1, 30_000) };
            since.elapsed().as_secs_f64() * 1000.0
        }
    }

    impl Drop for Pidfd {
        fn drop(&mut self) {
            // SAFETY: our own fd.
            unsafe { libc::close(self.0) };
        }
    }

    /// A fake webhook consumer (named so): when each event's POST was fully read.
    struct Receiver {
        port: u16,
        got: Arc<Mutex<Vec<(String, Instant)>>>,
    }

    impl Receiver {
        fn start() -> Receiver {
            let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
            let port = listener.local_addr().expect("its address").port();
            let got = Arc::new(Mutex::new(Vec::new()));
            let g = got.clone();
            std::thread::spawn(move || {
                for stream in listener.incoming().flatten() {
                    let g = g.clone();
                    std::thread::spawn(move || serve(stream, &g));
                }
            });
            Receiver { port, got }
        }

        /// Milliseconds from `since` to the arrival of the first `event` (panics after 60 s).
        fn wait(&self, event: &str, since: Instant, monitor: &Monitor) -> f64 {
            loop {
                if let Some((_, at)) = self
                    .got
                    .lock()
                    .expect("lock")
                    .iter()
                    .find(|(e, _)| e == event)
                {
                    return at.duration_since(since).as_secs_f64() * 1000.0;
                }
                assert!(
                    since.elapsed() < Duration::from_secs(60),
                    "no `{event}` within 60 s; the monitor said:\n{}",
                    monitor.output()
                );
                std::thread::sleep(Duration::from_millis(1));
            }
        }
    }

    fn serve(stream: std::net::TcpStream, got: &Mutex<Vec<(String, Instant)>>) {
        let mut reader = BufReader::new(stream);
        let (mut length, mut line) = (0, String::new());
        while reader.read_line(&mut line).is_ok_and(|n| n > 0) {
            let l = line.trim_end().to_ascii_lowercase();
            if l.is_empty() {
                break;
            }
            if let Some(v) = l.strip_prefix("content-length:") {
                length = v.trim().parse().unwrap_or(0);
            }
            line.clear();
        }
        let mut body = vec![0; length];
        let _ = reader.read_exact(&mut body);
        let at = Instant::now();
        if let Ok(v) = serde_json::from_slice::<serde_json::Value>(&body) {
            let event = v["event"].as_str().unwrap_or_default().to_string();
            got.lock().expect("lock").push((event, at));
        }
        let _ = reader
            .get_mut()
            .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    }

    /// `clawkit monitor run` watching `gw` (as its install's CLI would), until dropped.
    struct Monitor {
        child: Child,
        out: std::path::PathBuf,
    }

    impl Monitor {
        fn start(gw: &Gateway, hook: &Receiver, dir: &std::path::Path) -> Monitor {
            let db = dir.join("monitor.sqlite");
            let out = dir.join("monitor.out");
            let file = std::fs::File::create(&out).expect("the monitor's output file");
            let notify = format!("json://127.0.0.1:{}/hook", hook.port);
            let db_arg = db.to_str().unwrap_or_default();
            let child = common::clawkit(
                &["monitor", "run", "--db", db_arg, "--notify", &notify],
                gw.env(),
            )
            .stdout(file.try_clone().expect("a second handle"))
            .stderr(file)
            .spawn()
            .expect("clawkit monitor run");
            let m = Monitor { child, out };
            m.wait_up(gw, db_arg);
            // Let the watcher open the pidfd and settle into its loop.
            std::thread::sleep(Duration::from_millis(500));
            m
        }

        fn wait_up(&self, gw: &Gateway, db: &str) {
            let start = Instant::now();
            loop {
                let out = common::clawkit(&["monitor", "status", "--json", "--db", db], gw.env())
                    .output()
                    .expect("clawkit monitor status");
                let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
                if v["gateways"]
                    .as_array()
                    .is_some_and(|g| g.iter().any(|g| g["up"] == true))
                {
                    return;
                }
                assert!(
                    start.elapsed() < Duration::from_secs(60),
                    "the monitor never saw the gateway up:\n{}",
                    self.output()
                );
                std::thread::sleep(Duration::from_millis(100));
            }
        }

        fn output(&self) -> String {
            std::fs::read_to_string(&self.out).unwrap_or_default()
        }
    }

    impl Drop for Monitor {
        fn drop(&mut self) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
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
