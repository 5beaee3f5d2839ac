//! The host backend macOS uses (`lsof` and `ps` through the command runner, no `/proc`), run
//! here against Linux's real `lsof` and `ps`, which take the same flags: a real gateway found
//! by its process title and port, its start time read, and a process stopped with the
//! start-time guard. What differs on macOS is the tools' build, not the questions asked.

use clawkit_core::host::kill::{Stopped, stop};
use clawkit_core::host::runner::SystemRunner;
use clawkit_core::host::{CommandHost, Host};
use clawkit_testkit::cross::ensure_lsof;
use clawkit_testkit::{V2026_9, shared_gateway};
use std::time::{Duration, Instant};

#[test]
fn the_lsof_and_ps_backend_finds_a_real_gateway_and_stops_a_process_safely() {
    ensure_lsof().unwrap();
    let gw = shared_gateway(V2026_9).unwrap();
    let host = CommandHost::new(Box::new(SystemRunner));

    let listeners = host.listeners().unwrap();
    assert!(
        listeners
            .iter()
            .any(|l| l.addr.port() == gw.port() && l.pid == Some(gw.pid())),
        "port {} owned by {} in {listeners:?}",
        gw.port(),
        gw.pid()
    );
    let found = host.gateways();
    let seen = found
        .iter()
        .find(|p| p.pid == gw.pid())
        .unwrap_or_else(|| panic!("gateway {} not among {found:?}", gw.pid()));
    assert_eq!(seen.uid, Some(host.uid()));
    let started = seen.started_at_ms.expect("ps gives the start time");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    assert!(started <= now && now - started < 86_400_000, "{seen:?}");

    let mut child = std::process::Command::new("sleep")
        .arg("60")
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    let target = loop {
        match host.process(child.id()) {
            Some(p) if p.cmdline == ["sleep", "60"] => break p,
            _ if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
            other => panic!("the child never ran sleep: {other:?}"),
        }
    };
    assert!(target.start_ticks.is_some(), "{target:?}");
    let waiter = std::thread::spawn(move || child.wait());
    let outcome = stop(&host, &target, false, Duration::from_secs(5)).unwrap();
    assert!(matches!(outcome, Stopped::Terminated { .. }), "{outcome:?}");
    assert!(waiter.join().unwrap().is_ok());
    assert!(host.process(target.pid).is_none());
}
