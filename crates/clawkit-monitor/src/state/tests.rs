//! Fake-clock tests of the state machine: each staged sequence of sightings, the alerts it
//! decides, and the ones it must not.

use super::*;
use crate::watch::Observation as O;
use clawkit_core::gateway::Verdict;

const T0: i64 = 1_764_374_400_000;
const MIN: i64 = 60_000;

fn tracker() -> Tracker {
    let mut t = Tracker::new(Policy::default());
    t.add("gw", "ws://127.0.0.1:28789", false);
    t
}

fn seen(at: i64, what: O) -> Seen {
    Seen {
        gateway: "gw".into(),
        at_ms: at,
        what,
    }
}

fn up(boot: &str) -> O {
    O::Connected {
        boot_id: Some(boot.into()),
        pid: Some(10),
        uptime_ms: Some(5),
        server_version: Some("2026.9.6".into()),
        latency_ms: 3,
    }
}

/// Feeds `steps` and returns every decided alert's event word (held ones marked `(held)`).
fn run(t: &mut Tracker, steps: &[(i64, O)]) -> Vec<Decided> {
    let mut out = Vec::new();
    for (at, what) in steps {
        out.extend(t.observe(&seen(*at, what.clone())));
        out.extend(t.tick(*at));
    }
    out
}

fn events(d: &[Decided]) -> Vec<String> {
    d.iter()
        .map(|x| {
            let w = x.alert.event.word().to_string();
            if x.held { format!("{w} (held)") } else { w }
        })
        .collect()
}

#[test]
fn a_crash_is_down_at_once_and_its_up_pairs_with_it() {
    let mut t = tracker();
    let d = run(
        &mut t,
        &[
            (T0, up("b1")),
            (
                T0 + 100,
                O::Closed {
                    code: None,
                    reason: String::new(),
                },
            ),
            (T0 + 102, O::ProcessExited { pid: 10 }),
            (
                T0 + 300,
                O::Unreachable {
                    detail: "connection refused".into(),
                },
            ),
            (T0 + 5_100, up("b2")),
        ],
    );
    assert_eq!(events(&d), ["down", "up"]);
    let (down, back) = (&d[0].alert, &d[1].alert);
    assert_eq!(down.cause.as_deref(), Some("gateway-crashed"));
    assert_eq!(down.incident, back.incident);
    assert_eq!(back.downtime_ms, Some(5_000));
    assert!(back.summary.contains("boot b2"), "{}", back.summary);
    assert_ne!(down.id, back.id);
}

#[test]
fn a_planned_restart_is_one_restart_with_both_boots() {
    let mut t = tracker();
    let d = run(
        &mut t,
        &[
            (T0, up("b1")),
            (
                T0 + 10,
                O::Shutdown {
                    reason: "gateway restarting".into(),
                    restart_expected_ms: Some(1_500),
                },
            ),
            (
                T0 + 12,
                O::Closed {
                    code: Some(1012),
                    reason: "service restart".into(),
                },
            ),
            (
                T0 + 50,
                O::Unreachable {
                    detail: "refused".into(),
                },
            ),
            (
                T0 + 900,
                O::Starting {
                    retry_after_ms: Some(500),
                },
            ),
            (T0 + 2_010, up("b2")),
        ],
    );
    assert_eq!(events(&d), ["restart"]);
    let r = &d[0].alert;
    assert_eq!(r.downtime_ms, Some(2_000));
    assert_eq!(r.details["oldBoot"]["boot_id"], "b1");
    assert_eq!(r.details["newBoot"]["boot_id"], "b2");
}

#[test]
fn a_2026_7_restart_keeps_pid_and_uptime_but_is_a_restart() {
    let mut t = tracker();
    let old = |uptime| O::Connected {
        boot_id: None,
        pid: Some(10),
        uptime_ms: Some(uptime),
        server_version: Some("2026.7.1".into()),
        latency_ms: 3,
    };
    let d = run(
        &mut t,
        &[
            (T0, old(60_000)),
            (
                T0 + 10,
                O::Shutdown {
                    reason: "gateway restarting".into(),
                    restart_expected_ms: Some(1_500),
                },
            ),
            (T0 + 3_000, old(63_000)),
        ],
    );
    assert_eq!(events(&d), ["restart"]);
}

#[test]
fn the_monitors_own_refusals_in_the_log_are_not_client_failures() {
    let mut t = tracker();
    let refused = O::Refused {
        verdict: Verdict::GatewayTokenMismatch {
            message: "unauthorized: gateway token mismatch".into(),
        },
    };
    let own = |at: i64| {
        seen(
            at,
            O::ClientAuthFailures {
                client: "cli".into(),
                reason: "token_mismatch".into(),
                peer: Some("127.0.0.1:5000".into()),
                count: 10,
                first_ms: Some(at),
                last_ms: Some(at),
            },
        )
    };
    let mut d = run(&mut t, &[(T0, up("b1")), (T0 + 10, refused)]);
    d.extend(t.observe(&own(T0 + 1_000)));
    assert_eq!(events(&d), ["rejected"]);
}

#[test]
fn a_restart_shorter_than_any_poll_is_still_a_restart() {
    let mut t = tracker();
    let d = run(&mut t, &[(T0, up("b1")), (T0 + 800, up("b2"))]);
    assert_eq!(events(&d), ["restart"]);
}

#[test]
fn a_planned_stop_is_down_and_named_planned() {
    let mut t = tracker();
    let d = run(
        &mut t,
        &[
            (T0, up("b1")),
            (
                T0 + 10,
                O::Shutdown {
                    reason: "gateway stopping".into(),
                    restart_expected_ms: None,
                },
            ),
            (
                T0 + 11,
                O::Closed {
                    code: Some(1012),
                    reason: "service restart".into(),
                },
            ),
            (
                T0 + 40,
                O::Unreachable {
                    detail: "refused".into(),
                },
            ),
            (
                T0 + 31 * MIN,
                O::Starting {
                    retry_after_ms: None,
                },
            ),
            (T0 + 60 * MIN, up("b2")),
        ],
    );
    assert_eq!(events(&d), ["down", "reminder", "up"]);
    assert_eq!(d[0].alert.cause.as_deref(), Some("gateway-stopped"));
    assert_eq!(d[0].alert.details["planned"], true);
}

#[test]
fn a_restart_that_never_comes_back_is_down_after_the_grace() {
    let mut t = tracker();
    let p = Policy::default();
    let due = T0 + 10 + 1_500 + p.restart_grace_ms as i64;
    let d = run(
        &mut t,
        &[
            (T0, up("b1")),
            (
                T0 + 10,
                O::Shutdown {
                    reason: "gateway restarting".into(),
                    restart_expected_ms: Some(1_500),
                },
            ),
            (
                due - 1,
                O::Unreachable {
                    detail: "refused".into(),
                },
            ),
        ],
    );
    assert!(d.is_empty(), "{:?}", events(&d));
    let d = t.tick(due);
    assert_eq!(events(&d), ["down"]);
    assert_eq!(d[0].alert.cause.as_deref(), Some("restart-not-completed"));
    assert!(d[0].alert.summary.contains("122582"));
}

#[test]
fn a_hang_is_down() {
    let mut t = tracker();
    let d = run(
        &mut t,
        &[(T0, up("b1")), (T0 + 3_000, O::Hung { silent_ms: 3_000 })],
    );
    assert_eq!(events(&d), ["down"]);
    assert_eq!(d[0].alert.cause.as_deref(), Some("gateway-hung"));
}

#[test]
fn a_refused_handshake_is_one_rejected_until_accepted_again() {
    let mut t = tracker();
    let refused = O::Refused {
        verdict: Verdict::GatewayTokenMismatch {
            message: "unauthorized: gateway token mismatch".into(),
        },
    };
    let d = run(
        &mut t,
        &[
            (T0, up("b1")),
            (
                T0 + 5,
                O::Closed {
                    code: Some(4001),
                    reason: "gateway auth changed".into(),
                },
            ),
            (T0 + 20, refused.clone()),
            (T0 + 2_000, refused),
            (T0 + 9_000, up("b1")),
        ],
    );
    assert_eq!(events(&d), ["rejected", "up"]);
    assert_eq!(d[0].alert.cause.as_deref(), Some("gateway-token-mismatch"));
    assert_eq!(d[0].alert.incident, d[1].alert.incident);
    assert_eq!(t.is_up("gw"), Some(true));
}

#[test]
fn a_restart_loop_is_one_flapping_incident() {
    let mut t = tracker();
    let mut steps = vec![(T0, up("b0"))];
    for i in 1..=5 {
        steps.push((
            T0 + i * 20_000,
            O::Closed {
                code: None,
                reason: String::new(),
            },
        ));
        steps.push((T0 + i * 20_000 + 2_000, up(&format!("b{i}"))));
    }
    let d = run(&mut t, &steps);
    // The first crash and its recovery, the second crash... then the loop is one incident.
    let e = events(&d);
    assert_eq!(e.iter().filter(|x| *x == "flapping").count(), 1, "{e:?}");
    let after: Vec<&String> = e.iter().skip_while(|x| *x != "flapping").skip(1).collect();
    assert!(
        after.iter().all(|x| x.ends_with("(held)")),
        "nothing but held alerts inside the loop: {e:?}"
    );
    let end = t.tick(T0 + 5 * 20_000 + 2_000 + Policy::default().flap_window_ms as i64);
    assert_eq!(events(&end), ["up"]);
    assert!(end[0].alert.summary.contains("restart loop is over"));
}

#[test]
fn reminders_grow_then_repeat_at_the_cap() {
    let mut t = tracker();
    run(
        &mut t,
        &[(T0, up("b1")), (T0 + 1, O::Hung { silent_ms: 3_000 })],
    );
    let mut at = T0 + 1;
    let mut got = Vec::new();
    for _ in 0..(16 * 60) {
        at += MIN;
        for x in t.tick(at) {
            got.push((at - T0 - 1) / MIN);
            assert_eq!(x.alert.event, AlertEvent::Reminder);
        }
    }
    assert_eq!(got, [30, 150, 510, 870], "30 min, +2 h, +6 h, +6 h");
}

#[test]
fn a_silence_holds_the_down_and_its_up() {
    let mut t = tracker();
    t.quiet.silences.push(Silence {
        gateway: Some("gw".into()),
        until_ms: T0 + MIN,
        reason: "deploy".into(),
    });
    let d = run(
        &mut t,
        &[
            (T0, up("b1")),
            (T0 + 10, O::Hung { silent_ms: 3_000 }),
            (T0 + 2 * MIN, up("b2")),
        ],
    );
    assert_eq!(events(&d), ["down (held)", "up (held)"]);
}

#[test]
fn after_a_monitor_restart_an_open_incident_is_not_alerted_again() {
    let mut first = tracker();
    run(
        &mut first,
        &[
            (T0, up("b1")),
            (
                T0 + 10,
                O::Closed {
                    code: None,
                    reason: String::new(),
                },
            ),
        ],
    );
    let memos = first.memos();
    let json = serde_json::to_string(&memos).unwrap();

    // Still down when the monitor comes back: nothing new.
    let mut again = tracker();
    again.restore(serde_json::from_str(&json).unwrap());
    let d = run(
        &mut again,
        &[(
            T0 + 10 * MIN,
            O::Unreachable {
                detail: "refused".into(),
            },
        )],
    );
    assert!(d.is_empty(), "{:?}", events(&d));

    // Recovered while the monitor was dead: one up, with the true downtime.
    let mut later = tracker();
    later.restore(serde_json::from_str(&json).unwrap());
    let d = run(&mut later, &[(T0 + 20 * MIN, up("b2"))]);
    assert_eq!(events(&d), ["up"]);
    assert_eq!(d[0].alert.downtime_ms, Some((20 * MIN - 10) as u64));
    assert_eq!(d[0].alert.incident, memos[0].incidents[0].id.clone().into());
}

#[test]
fn a_fleet_losing_contact_together_is_one_monitor_offline() {
    let mut t = Tracker::new(Policy::default());
    for n in ["a", "b", "c"] {
        t.add(n, &format!("wss://{n}.example"), true);
    }
    let lost = |g: &str, at: i64| Seen {
        gateway: g.into(),
        at_ms: at,
        what: O::Hung { silent_ms: 3_000 },
    };
    let mut d = Vec::new();
    for (i, g) in ["a", "b", "c"].iter().enumerate() {
        d.extend(t.observe(&lost(g, T0 + i as i64 * 100)));
    }
    assert!(t.tick(T0 + 500).is_empty(), "held for company");
    d.extend(t.tick(T0 + 2_300));
    assert_eq!(events(&d), ["monitor-offline"]);

    // One remote gateway alone: down, after the hold.
    let mut one = Tracker::new(Policy::default());
    one.add("a", "wss://a.example", true);
    one.add("b", "wss://b.example", true);
    one.observe(&Seen {
        gateway: "b".into(),
        at_ms: T0,
        what: up("x"),
    });
    one.observe(&lost("a", T0));
    assert_eq!(events(&one.tick(T0 + 2_000)), ["down"]);
}

#[test]
fn a_restart_clawkit_performs_is_recorded_not_sent() {
    let mut t = tracker();
    t.observe(&seen(T0, up("b1")));
    t.expect_restart("gw", T0 + MIN, "clawkit doctor --fix");
    let d = run(
        &mut t,
        &[
            (
                T0 + 10,
                O::Shutdown {
                    reason: "gateway restarting".into(),
                    restart_expected_ms: Some(1_500),
                },
            ),
            (T0 + 2_000, up("b2")),
        ],
    );
    assert_eq!(events(&d), ["restart (held)"]);
    assert_eq!(d[0].alert.details["plannedBy"], "clawkit doctor --fix");
}

#[test]
fn client_failures_alert_per_burst() {
    let mut t = tracker();
    let fail = |at: i64, peer: &str| {
        seen(
            at,
            O::ClientAuthFailures {
                client: "cli".into(),
                reason: "token_mismatch".into(),
                peer: Some(peer.into()),
                count: 2,
                first_ms: Some(at),
                last_ms: Some(at),
            },
        )
    };
    let mut d = Vec::new();
    for i in 0..5 {
        d.extend(t.observe(&fail(T0 + i * 1_000, "127.0.0.1:5000")));
    }
    assert_eq!(events(&d), ["auth-failures"]);
    let a = &d[0].alert;
    assert_eq!(
        (a.details["count"].as_u64(), a.cause.as_deref()),
        (Some(6), Some("token-mismatch"))
    );
    assert!(a.next.as_deref().unwrap().starts_with("clawkit explain"));
}

fn readiness(ready: bool, failing: &[&str]) -> O {
    O::Readiness {
        ready,
        failing: failing.iter().map(|f| f.to_string()).collect(),
    }
}

#[test]
fn a_gateway_not_ready_for_long_is_down_and_ready_again_is_up() {
    let mut t = tracker();
    let d = run(
        &mut t,
        &[
            (T0, up("b1")),
            (T0 + 1_000, readiness(false, &["agent-database:main"])),
            (
                T0 + 20_000,
                readiness(false, &["agent-database:main", "plugin-reload"]),
            ),
            (
                T0 + 30_999,
                readiness(false, &["agent-database:main", "plugin-reload"]),
            ),
        ],
    );
    assert_eq!(events(&d), Vec::<String>::new(), "not yet 30 s");
    let down = t.tick(T0 + 31_000);
    assert_eq!(events(&down), ["down"]);
    let a = &down[0].alert;
    assert_eq!(a.cause.as_deref(), Some("gateway-not-ready"));
    assert!(
        a.summary
            .contains("503 for 30.0 s (failing: agent-database:main, plugin-reload)"),
        "{}",
        a.summary
    );
    assert_eq!(t.is_up("gw"), Some(true), "the socket is still held");
    assert!(t.tick(T0 + 40_000).is_empty(), "one down, not one per tick");
    let back = run(&mut t, &[(T0 + 61_000, readiness(true, &[]))]);
    assert_eq!(events(&back), ["up"]);
    assert_eq!(back[0].alert.incident, a.incident);
    assert_eq!(back[0].alert.downtime_ms, Some(30_000));
}

#[test]
fn a_short_not_ready_spell_is_no_alert_and_a_crash_while_not_ready_is_not_lost() {
    let mut t = tracker();
    let quick = run(
        &mut t,
        &[
            (T0, up("b1")),
            (T0 + 1_000, readiness(false, &["plugin-reload"])),
            (T0 + 6_000, readiness(true, &[])),
            (T0 + 60_000, O::Hung { silent_ms: 3_000 }),
        ],
    );
    assert_eq!(events(&quick), ["down"], "only the hang");
    assert_eq!(quick[0].alert.cause.as_deref(), Some("gateway-hung"));
}
