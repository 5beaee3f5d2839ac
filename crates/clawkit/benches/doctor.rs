//! Benchmark: `clawkit doctor` against `openclaw doctor --non-interactive` on the same healthy
//! real 2026.9.6 gateway, and with no gateway running, in one run. Reports the median wall time
//! (including process start) and median peak memory of each.
//!
//!     cargo bench -p clawkit --bench doctor [-- RUNS]

mod common;

use clawkit_testkit::{ClientHome, Gateway, GatewayOptions, V2026_9, closed_port};

fn main() {
    let runs = common::runs(15);
    let gw = Gateway::start(GatewayOptions::new(V2026_9)).expect("a real gateway");
    let install = gw.install();
    // No gateway: an install whose gateway is not running.
    let down = ClientHome::new(V2026_9).expect("a client home");
    down.write_config(&format!(
        "{{ gateway: {{ mode: 'local', port: {}, auth: {{ token: 'bench-token-0123456789abcdef0123' }} }} }}\n",
        closed_port()
    ))
    .expect("config");
    println!(
        "real OpenClaw {V2026_9} gateway on port {}; clawkit {runs} runs, openclaw 3 (median)",
        gw.port()
    );
    common::header();
    for (label, env) in [("healthy gateway", gw.env()), ("no gateway", down.env())] {
        common::row(&format!("clawkit doctor ({label})"), runs, &|| {
            common::clawkit(&["doctor"], env)
        });
        common::row(
            &format!("openclaw doctor --non-interactive ({label})"),
            3,
            &|| common::openclaw(install, &["doctor", "--non-interactive"], env),
        );
    }
}
