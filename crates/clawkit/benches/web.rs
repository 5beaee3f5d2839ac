//! Benchmark: the web doctor's pages on a real healthy 2026.9.6 gateway, through a release
//! `clawkit web` on loopback: the first page, the assets, the tokens page, the report, and the
//! whole walkthrough stream (every check run) — beside what a user runs today for the same
//! answers: `openclaw doctor --non-interactive` and `openclaw dashboard --json` (the link
//! `clawkit dashboard` opens). Prints p50/p95 per request and the server's peak memory.
//!
//!     cargo bench -p clawkit --bench web [-- RUNS]

// Each benchmark uses part of what they share.
#[cfg(target_os = "linux")]
#[allow(dead_code)]
mod common;

/// The benchmark itself: it drives real processes with Linux process control.
#[cfg(target_os = "linux")]
mod bench {
    use super::common;

    use clawkit_testkit::{Gateway, GatewayOptions, V2026_9, WebDoctor};
    use std::time::Instant;

    fn percentiles(mut ms: Vec<f64>) -> (f64, f64) {
        ms.sort_by(|a, b| a.partial_cmp(b).unwrap());
        let at = |q: f64| ms[((ms.len() as f64 - 1.0) * q).round() as usize];
        (at(0.5), at(0.95))
    }

    pub fn main() {
        let runs = common::runs(50);
        let gw = Gateway::start(GatewayOptions::new(V2026_9)).expect("a real gateway");
        let bin = std::path::PathBuf::from(env!("CARGO_BIN_EXE_clawkit"));
        let began = Instant::now();
        let web = WebDoctor::start(&bin, gw.env()).expect("clawkit web");
        let up_ms = began.elapsed().as_secs_f64() * 1000.0;
        let session = web.log_in().expect("the launch link");
        println!(
            "real OpenClaw {V2026_9} gateway on port {}; clawkit web up (launch link printed) in {up_ms:.1} ms",
            gw.port()
        );
        println!(
            "{:<52} {:>9} {:>9} {:>6}",
            "request", "p50 (ms)", "p95 (ms)", "runs"
        );
        let cookie = [("Cookie", session.cookie.as_str())];
        for (label, path, n) in [
            ("GET / (first page, the walkthrough)", "/", runs),
            ("GET /assets/app.js", "/assets/app.js", runs),
            ("GET /explain", "/explain", runs),
            (
                "GET /tokens (every source, live verdict)",
                "/tokens",
                runs / 5,
            ),
            (
                "GET /report (the whole doctor, redacted)",
                "/report",
                runs / 5,
            ),
            (
                "GET /api/walk (every step streamed, to the end)",
                "/api/walk",
                runs / 5,
            ),
        ] {
            let times: Vec<f64> = (0..n.max(3))
                .map(|_| {
                    let t = Instant::now();
                    let r = web.request("GET", path, &cookie, "").expect("answer");
                    assert_eq!(r.status, 200, "{path}: {}", r.body);
                    if path == "/api/walk" {
                        assert!(r.body.contains("event: summary"), "{}", r.body);
                    }
                    t.elapsed().as_secs_f64() * 1000.0
                })
                .collect();
            let (p50, p95) = percentiles(times);
            println!("{label:<52} {p50:>9.1} {p95:>9.1} {:>6}", n.max(3));
        }
        if let Some(kib) = web.peak_rss_kib() {
            println!("clawkit web peak RSS: {:.1} MiB", kib as f64 / 1024.0);
        }
        println!();
        common::header();
        let install = gw.install();
        common::row("openclaw doctor --non-interactive", 3, &|| {
            common::openclaw(install, &["doctor", "--non-interactive"], gw.env())
        });
        common::row("openclaw dashboard --json", 3, &|| {
            common::openclaw(install, &["dashboard", "--json"], gw.env())
        });
        common::row("clawkit dashboard --print", 3, &|| {
            common::clawkit(&["dashboard", "--print"], gw.env())
        });
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
