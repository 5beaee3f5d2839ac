//! No alert lost, none doubled: the outbox against fake receivers.
//!
//! The crash test runs the delivery loop in a child process — this test binary itself,
//! re-run with only [`outbox_worker_process`] selected and `CLAWKIT_OUTBOX_WORKER_DB` set —
//! and `kill -9`s it twice during the receiver's outage.

use crate::fakes::{self, FakeHttp, Request, status};
use crate::{alert, wait_until};
use clawkit_monitor::alert::AlertEvent;
use clawkit_monitor::channel::Channel;
use clawkit_monitor::outbox::{Outbox, OutboxError, RetryPolicy};
use clawkit_testkit::distinctive_secret;
use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const WORKER_DB: &str = "CLAWKIT_OUTBOX_WORKER_DB";
const WORKER_CHANNELS: &str = "CLAWKIT_OUTBOX_WORKER_CHANNELS";

/// Fast backoff so the outage sees many attempts.
fn quick() -> RetryPolicy {
    RetryPolicy {
        first: Duration::from_millis(20),
        cap: Duration::from_millis(100),
        give_up_after: Duration::from_secs(24 * 3600),
    }
}

/// Not a test of its own: the delivering process of the crash test. Without the env var it
/// does nothing.
#[test]
fn outbox_worker_process() {
    let Ok(db) = std::env::var(WORKER_DB) else {
        return;
    };
    let channels = Channel::parse_list(&std::env::var(WORKER_CHANNELS).unwrap()).unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut outbox = Outbox::open(db.as_ref()).unwrap().with_policy(quick());
        let wake = tokio::sync::Notify::new();
        let never = tokio_util::sync::CancellationToken::new();
        outbox
            .run(&channels, Duration::from_millis(50), &wake, &never, |_| {})
            .await
            .unwrap();
    });
}

/// A worker child; SIGKILLed (never left behind) when dropped.
struct Worker(Child);

impl Worker {
    fn start(db: &std::path::Path, channels: &str) -> Worker {
        let child = Command::new(std::env::current_exe().unwrap())
            .args([
                "outbox::outbox_worker_process",
                "--exact",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(WORKER_DB, db)
            .env(WORKER_CHANNELS, channels)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        Worker(child)
    }

    /// `kill -9`.
    fn kill9(mut self) {
        self.0.kill().unwrap();
        self.0.wait().unwrap();
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A fake JSON webhook with an outage switch that counts accepted deliveries per alert id.
struct Receiver {
    fake: FakeHttp,
    outage: Arc<AtomicBool>,
    attempts: Arc<AtomicUsize>,
    accepted: Arc<Mutex<HashMap<String, usize>>>,
}

impl Receiver {
    fn start() -> Receiver {
        let outage = Arc::new(AtomicBool::new(true));
        let attempts = Arc::new(AtomicUsize::new(0));
        let accepted = Arc::new(Mutex::new(HashMap::new()));
        let (o, n, a) = (outage.clone(), attempts.clone(), accepted.clone());
        let check = fakes::json_webhook("/alerts");
        let fake = FakeHttp::start("json webhook with an outage", move |req: &Request| {
            n.fetch_add(1, Ordering::SeqCst);
            if o.load(Ordering::SeqCst) {
                return status(503, "outage");
            }
            let answer = check(req);
            if answer.0 == 200 {
                let id = req.json()["id"].as_str().unwrap().to_string();
                *a.lock().unwrap().entry(id).or_insert(0) += 1;
            }
            answer
        });
        Receiver {
            fake,
            outage,
            attempts,
            accepted,
        }
    }

    fn attempts(&self) -> usize {
        self.attempts.load(Ordering::SeqCst)
    }
}

#[test]
fn an_outage_and_two_kill_9s_deliver_each_alert_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("monitor.sqlite");
    let rx = Receiver::start();
    let url = format!("json://127.0.0.1:{}/alerts", rx.fake.port);
    let channels = vec![Channel::parse(&url).unwrap()];

    // The state machine decides three alerts; they are written before anything is sent.
    let ids = ["out-down", "out-up", "out-restart"];
    {
        let mut outbox = Outbox::open(&db).unwrap();
        outbox
            .enqueue(&alert(ids[0], AlertEvent::Down, "inc-a"), &channels)
            .unwrap();
        outbox
            .enqueue(&alert(ids[1], AlertEvent::Up, "inc-a"), &channels)
            .unwrap();
        outbox
            .enqueue(&alert(ids[2], AlertEvent::Restart, "inc-b"), &channels)
            .unwrap();
        assert_eq!(outbox.pending().unwrap(), 3);
    }

    // The receiver is down; the delivering process is killed twice while it retries.
    for _ in 0..2 {
        let before = rx.attempts();
        let worker = Worker::start(&db, &url);
        wait_until("the worker to retry during the outage", || {
            rx.attempts() >= before + 4
        });
        worker.kill9();
    }
    assert!(rx.accepted.lock().unwrap().is_empty());

    // The receiver recovers; a fresh process delivers everything.
    let worker = Worker::start(&db, &url);
    rx.outage.store(false, Ordering::SeqCst);
    let outbox = Outbox::open(&db).unwrap();
    wait_until("every alert to be delivered", || {
        outbox.pending().unwrap() == 0
    });
    worker.kill9();

    let accepted = rx.accepted.lock().unwrap().clone();
    for id in ids {
        assert_eq!(accepted.get(id), Some(&1), "{id}: {accepted:?}");
    }
    assert_eq!(accepted.len(), 3, "{accepted:?}");
    let rows = outbox.rows().unwrap();
    assert!(
        rows.iter()
            .all(|r| r.delivered_at.is_some() && r.gave_up_at.is_none()),
        "{rows:#?}"
    );
    // The down and the restart were retried across the kills; the up waited for its down.
    let down = rows.iter().find(|r| r.alert_id == "out-down").unwrap();
    assert!(down.attempts >= 3, "{down:?}");
    let order: Vec<String> = rx
        .fake
        .requests()
        .into_iter()
        .filter(|(_, s)| *s == 200)
        .map(|(r, _)| r.json()["id"].as_str().unwrap().to_string())
        .collect();
    let pos = |id: &str| order.iter().position(|x| x == id).unwrap();
    assert!(pos("out-down") < pos("out-up"), "{order:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_permanent_failure_is_reported_once_through_the_other_channels() {
    let dir = tempfile::tempdir().unwrap();
    let broken = FakeHttp::start("json webhook that refuses", |_: &Request| {
        status(400, "bad hook")
    });
    let good = FakeHttp::start("json webhook", fakes::json_webhook("/ok"));
    let channels = vec![
        Channel::parse(&format!("json://127.0.0.1:{}/broken", broken.port)).unwrap(),
        Channel::parse(&format!("json://127.0.0.1:{}/ok", good.port)).unwrap(),
    ];
    let mut outbox = Outbox::open(&dir.path().join("o.sqlite")).unwrap();
    outbox
        .enqueue_at(&alert("p-1", AlertEvent::Down, "inc-p"), &channels, 1_000)
        .unwrap();

    let step = outbox.deliver_due(&channels, 1_000).await.unwrap();
    assert_eq!(step.delivered.len(), 1, "{step:?}");
    assert_eq!(step.undeliverable.len(), 1, "{step:?}");
    assert!(step.undeliverable[0].2.contains("400"), "{step:?}");
    assert_eq!(step.reports.len(), 1, "{step:?}");
    for t in [1_001, 60_000, 10_000_000] {
        outbox.deliver_due(&channels, t).await.unwrap();
    }

    assert_eq!(
        broken.requests().len(),
        1,
        "no retry after a permanent failure"
    );
    let got: Vec<serde_json::Value> = good.requests().iter().map(|(r, _)| r.json()).collect();
    assert_eq!(got.len(), 2, "the alert and one report: {got:#?}");
    let report = &got[1];
    assert_eq!(report["event"], "undeliverable");
    assert_eq!(report["details"]["alert_id"], "p-1");
    assert_eq!(report["details"]["channel"], channels[0].name());
    assert_eq!(report["incident"], "inc-p");
    let rows = outbox.rows().unwrap();
    let failed = rows
        .iter()
        .find(|r| r.channel == channels[0].name())
        .unwrap();
    assert!(failed.gave_up_at.is_some() && failed.reported, "{failed:?}");
    assert_eq!(outbox.pending().unwrap(), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_channel_down_for_a_day_backs_off_then_gives_up_and_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let down = FakeHttp::start("json webhook in a long outage", |_: &Request| {
        status(503, "down")
    });
    let good = FakeHttp::start("json webhook", fakes::json_webhook("/ok"));
    let channels = vec![
        Channel::parse(&format!("json://127.0.0.1:{}/down", down.port)).unwrap(),
        Channel::parse(&format!("json://127.0.0.1:{}/ok", good.port)).unwrap(),
    ];
    let mut outbox = Outbox::open(&dir.path().join("o.sqlite")).unwrap();
    let t0 = 1_000_000;
    outbox
        .enqueue_at(&alert("d-1", AlertEvent::Down, "inc-d"), &channels, t0)
        .unwrap();

    let step = outbox.deliver_due(&channels, t0).await.unwrap();
    assert_eq!(
        (step.delivered.len(), step.retrying.len()),
        (1, 1),
        "{step:?}"
    );
    let row = |o: &Outbox| {
        o.rows()
            .unwrap()
            .into_iter()
            .find(|r| r.channel == channels[0].name())
            .unwrap()
    };
    assert_eq!(row(&outbox).next_at, t0 + 1_000, "first retry after 1 s");
    // Not due yet: nothing is sent.
    assert!(
        outbox
            .deliver_due(&channels, t0 + 999)
            .await
            .unwrap()
            .is_empty()
    );
    outbox.deliver_due(&channels, t0 + 1_000).await.unwrap();
    assert_eq!(row(&outbox).next_at, t0 + 1_000 + 2_000, "then 2 s");

    // The outage persists: the delay doubles up to its 10-minute cap.
    let mut t = t0 + 3_000;
    for _ in 0..10 {
        outbox.deliver_due(&channels, t).await.unwrap();
        t = row(&outbox).next_at;
    }
    let r = row(&outbox);
    assert_eq!(r.attempts, 12);
    outbox.deliver_due(&channels, t).await.unwrap();
    assert_eq!(row(&outbox).next_at - t, 600_000, "capped at 10 min");

    // A day after it was written, the next failure gives up and reports it through `good`.
    let end = t0 + 24 * 3_600_000 - 1;
    let step = outbox.deliver_due(&channels, end).await.unwrap();
    assert_eq!(step.undeliverable.len(), 1, "{step:?}");
    assert!(
        step.undeliverable[0]
            .2
            .contains("gave up after 14 attempts"),
        "{step:?}"
    );
    outbox.deliver_due(&channels, end + 1).await.unwrap();
    let reports: Vec<serde_json::Value> = good
        .requests()
        .iter()
        .map(|(r, _)| r.json())
        .filter(|b| b["event"] == "undeliverable")
        .collect();
    assert_eq!(reports.len(), 1, "{reports:#?}");
    assert!(
        reports[0]["summary"].as_str().unwrap().contains("503"),
        "{reports:#?}"
    );
    assert_eq!(down.requests().len(), 14);
}

#[tokio::test(flavor = "multi_thread")]
async fn enqueue_is_idempotent_and_nothing_secret_reaches_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let secret = distinctive_secret("hook");
    // A server that echoes the token-bearing path in its error body.
    let echo = FakeHttp::start("echoing server (fake)", |req: &Request| {
        (500, "text/plain", format!("cannot serve {}", req.target))
    });
    let channels = vec![
        Channel::parse(&format!("slack://T1/B2/{secret}?base={}", echo.base())).unwrap(),
        Channel::parse(&format!("gotify://127.0.0.1:{}/{secret}x", echo.port)).unwrap(),
    ];
    let path = dir.path().join("o.sqlite");
    let mut outbox = Outbox::open(&path).unwrap();
    let a = alert("s-1", AlertEvent::Down, "inc-s");
    assert_eq!(outbox.enqueue_at(&a, &channels, 5).unwrap(), 2);
    assert_eq!(
        outbox.enqueue_at(&a, &channels, 6).unwrap(),
        0,
        "the same alert id is not doubled"
    );
    assert!(
        outbox.rows().unwrap().iter().all(|r| r.attempts == 0),
        "written before any send"
    );
    let step = outbox.deliver_due(&channels, 5).await.unwrap();
    assert_eq!(step.retrying.len(), 2, "{step:?}");
    assert!(
        step.retrying
            .iter()
            .all(|(_, _, e)| e.contains("cannot serve") && !e.contains(&secret))
    );

    let twice = vec![channels[0].clone(), channels[0].clone()];
    assert!(matches!(
        outbox.enqueue(&a, &twice),
        Err(OutboxError::DuplicateChannel(_))
    ));
    assert!(matches!(
        outbox.enqueue(&a, &[]),
        Err(OutboxError::NoChannels)
    ));
    drop(outbox);

    for file in std::fs::read_dir(dir.path()).unwrap() {
        let file = file.unwrap().path();
        let bytes = std::fs::read(&file).unwrap();
        let hay = String::from_utf8_lossy(&bytes);
        assert!(
            !hay.contains(&secret),
            "{} holds the secret",
            file.display()
        );
    }
}
