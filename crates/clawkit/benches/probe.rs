//! Benchmark: `clawkit probe` against `openclaw gateway probe` and `openclaw health`, and
//! `clawkit ports` / `clawkit gateway status` against `openclaw gateway status`, on the same
//! real 2026.9.6 gateway, in one run. Reports the median wall time (including process start)
//! and median peak memory of each.
//!
//!     cargo bench -p clawkit --bench probe [-- RUNS]

// Each benchmark uses part of what they share.
#[cfg(target_os = "linux")]
#[allow(dead_code)]
mod common;

/// The benchmark itself: it drives real processes with Linux process control.
#[cfg(target_os = "linux")]
mod bench {
    use super::common;

    use clawkit_testkit::{Gateway, GatewayOptions, V2026_9};

    pub fn main() {
        let runs = common::runs(15);
        let gw = Gateway::start(GatewayOptions::new(V2026_9)).expect("a real gateway");
        let env = gw.env();
        let install = gw.install();
        println!(
            "real OpenClaw {V2026_9} gateway on port {}, {runs} runs each (median)",
            gw.port()
        );
        common::header();
        // The openclaw commands are slow: fewer runs keep the benchmark short.
        let slow = runs.min(5);
        common::row("clawkit probe", runs, &|| common::clawkit(&["probe"], env));
        common::row("openclaw gateway probe", slow, &|| {
            common::openclaw(install, &["gateway", "probe", "--json"], env)
        });
        common::row("openclaw health", slow, &|| {
            common::openclaw(install, &["health", "--json"], env)
        });
        common::row("clawkit ports", runs, &|| common::clawkit(&["ports"], env));
        common::row("clawkit gateway status", runs, &|| {
            common::clawkit(&["gateway", "status"], env)
        });
        common::row("openclaw gateway status", slow, &|| {
            common::openclaw(install, &["gateway", "status", "--json"], env)
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
