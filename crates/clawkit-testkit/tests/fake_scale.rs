//! Many fakes in one process, as the monitor's tests will hold them: cheap to start and stop,
//! no thread per fake, and nothing left listening afterwards. Its own test binary, so the
//! thread count is not disturbed by other tests.
// Unix only: the harness, which is Unix-only. Windows builds are smoke-tested under Wine instead.
#![cfg(unix)]

use clawkit_core::gateway::{ConnectOptions, connect};
use clawkit_testkit::fake::{FakeGateway, FakeOptions};
use clawkit_testkit::{PortState, port_state};
use std::collections::HashSet;
use std::time::{Duration, Instant};

const FAKES: usize = 200;

fn threads() -> usize {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Threads:").map(|n| n.trim().parse().ok()))
                .flatten()
        })
        .unwrap_or(0)
}

#[test]
fn two_hundred_fakes_start_serve_and_stop_quickly_on_shared_threads() {
    // The first fake brings up the shared runtime; count threads after it.
    let first = FakeGateway::start(FakeOptions::default());
    let threads_before = threads();

    let started = Instant::now();
    let mut fakes: Vec<FakeGateway> = (1..FAKES)
        .map(|_| FakeGateway::start(FakeOptions::default()))
        .collect();
    fakes.push(first);
    let start_time = started.elapsed();
    assert!(
        threads() <= threads_before + 1,
        "{} threads after {FAKES} fakes, {threads_before} before",
        threads()
    );

    let ports: HashSet<u16> = fakes.iter().map(FakeGateway::port).collect();
    assert_eq!(ports.len(), FAKES);

    let client = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let served = Instant::now();
    let boots: HashSet<String> = client.block_on(async {
        let hellos = futures_util::future::join_all(fakes.iter().map(|fake| async {
            let mut opts = ConnectOptions::new(fake.url());
            opts.credential = fake.credential();
            let conn = connect(&opts).await.expect("every fake answers hello-ok");
            let boot = conn.hello.boot_id.clone().expect("a bootId");
            assert_eq!(Some(&boot), fake.boot_id().as_ref());
            conn.close().await;
            boot
        }))
        .await;
        hellos.into_iter().collect()
    });
    let serve_time = served.elapsed();
    assert_eq!(boots.len(), FAKES, "each fake has its own bootId");

    let stopped = Instant::now();
    drop(fakes);
    let stop_time = stopped.elapsed();
    for port in ports {
        assert_eq!(port_state(port), PortState::Refused, "port {port}");
    }
    eprintln!(
        "{FAKES} fakes: start {start_time:?}, {FAKES} handshakes {serve_time:?}, stop {stop_time:?}"
    );
    assert!(
        start_time < Duration::from_secs(2),
        "start took {start_time:?}"
    );
    assert!(
        stop_time < Duration::from_secs(2),
        "stop took {stop_time:?}"
    );
}
