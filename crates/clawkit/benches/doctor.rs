//! Benchmark: `clawkit doctor` against `openclaw doctor --non-interactive` on the same healthy
//! real 2026.9.6 gateway, with no gateway running, and from a client in remote mode (its token
//! accepted, and stale), in one run; and `clawkit doctor` on a machine with no OpenClaw at all
//! (an empty HOME, no Node on PATH). Reports the median wall time (including process start) and
//! median peak memory of each.
//!
//!     cargo bench -p clawkit --bench doctor [-- RUNS]

// Each benchmark uses part of what they share.
#[cfg(target_os = "linux")]
#[allow(dead_code)]
mod common;

/// The benchmark itself: it drives real processes with Linux process control.
#[cfg(target_os = "linux")]
mod bench {
    use super::common;

    use clawkit_testkit::{ClientHome, Gateway, GatewayOptions, V2026_9, closed_port};

    pub fn main() {
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
        // A laptop in remote mode whose gateway.remote.url is the gateway's port.
        let remote = |token: &str| {
            let client = ClientHome::new(V2026_9).expect("a client home");
            client
            .write_config(&format!(
                "{{ gateway: {{ mode: 'remote', remote: {{ url: '{}', token: '{token}' }} }} }}\n",
                gw.url()
            ))
            .expect("config");
            client
        };
        let remote_ok = remote(gw.token());
        let remote_stale = remote("bench-stale-token-0123456789abcdef");
        println!(
            "real OpenClaw {V2026_9} gateway on port {}; clawkit {runs} runs, openclaw 3 (median)",
            gw.port()
        );
        common::header();
        for (label, env) in [
            ("healthy gateway", gw.env()),
            ("no gateway", down.env()),
            ("remote mode", remote_ok.env()),
            ("remote, stale token", remote_stale.env()),
        ] {
            common::row(&format!("clawkit doctor ({label})"), runs, &|| {
                common::clawkit(&["doctor"], env)
            });
            common::row(
                &format!("openclaw doctor --non-interactive ({label})"),
                3,
                &|| common::openclaw(install, &["doctor", "--non-interactive"], env),
            );
        }
        // No OpenClaw here: an empty HOME and a PATH without Node or openclaw.
        let empty = tempfile::tempdir().expect("a scratch home");
        let bare = [
            ("HOME".to_string(), empty.path().display().to_string()),
            ("PATH".to_string(), "/usr/bin:/bin".to_string()),
        ];
        common::row("clawkit doctor (no OpenClaw installed)", runs, &|| {
            common::clawkit(&["doctor"], &bare)
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
