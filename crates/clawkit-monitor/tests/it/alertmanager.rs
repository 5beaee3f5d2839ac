//! A **real** Alertmanager (Debian's `prometheus-alertmanager`, installed on first use by
//! clawkit-testkit, started on a free loopback port) receives a `down`, shows the alert
//! firing, then receives the `up` and resolves it.

use crate::{alert, wait_until_async};
use clawkit_monitor::alert::AlertEvent;
use clawkit_monitor::channel::Channel;
use clawkit_testkit::Alertmanager;

async fn alerts(am: &Alertmanager) -> Vec<serde_json::Value> {
    // reqwest is built without a crypto provider: give it clawkit's (ring) TLS config.
    let tls = clawkit_core::gateway::tls::client_config(None).unwrap();
    let client = reqwest::Client::builder()
        .use_preconfigured_tls((*tls).clone())
        .build()
        .unwrap();
    let text = client
        .get(format!("{}/api/v2/alerts", am.base()))
        .send()
        .await
        .expect("GET /api/v2/alerts")
        .text()
        .await
        .unwrap();
    serde_json::from_str::<Vec<serde_json::Value>>(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

fn ours(list: &[serde_json::Value]) -> Option<serde_json::Value> {
    list.iter()
        .find(|a| {
            a["labels"]["alertname"] == "OpenClawGatewayDown" && a["labels"]["incident"] == "inc-am"
        })
        .cloned()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_real_alertmanager_fires_on_down_and_resolves_on_up() {
    let am = Alertmanager::start().unwrap_or_else(|e| panic!("{e}"));
    let c = Channel::parse(&format!("alertmanager://127.0.0.1:{}", am.port)).unwrap();
    let now = clawkit_monitor::alert::rfc3339(clawkit_monitor::outbox::now_ms());
    let down = clawkit_monitor::alert::Alert {
        at: now.clone(),
        ..alert("am-down", AlertEvent::Down, "inc-am")
    };
    c.send(&down)
        .await
        .unwrap_or_else(|e| panic!("{e}\n{}", am.log()));
    // Posting the same alert again (an at-least-once retry) changes nothing: same labels.
    c.send(&down).await.unwrap();

    let am_ref = &am;
    wait_until_async("the alert to be active in Alertmanager", || async move {
        ours(&alerts(am_ref).await).is_some_and(|a| a["status"]["state"] == "active")
    })
    .await;
    let fired = ours(&alerts(&am).await);
    let fired = fired.unwrap();
    assert_eq!(fired["labels"]["gateway"], "local");
    assert_eq!(fired["labels"]["cause"], "crash");
    assert_eq!(fired["labels"]["severity"], "critical");
    assert_eq!(fired["annotations"]["summary"], "gateway local down (test)");
    assert_eq!(fired["annotations"]["next"], "clawkit doctor");
    let count = alerts(&am)
        .await
        .iter()
        .filter(|a| a["labels"]["incident"] == "inc-am")
        .count();
    assert_eq!(count, 1, "a retried post is one alert");

    let up = clawkit_monitor::alert::Alert {
        at: clawkit_monitor::alert::rfc3339(clawkit_monitor::outbox::now_ms()),
        downtime_ms: Some(1_000),
        ..alert("am-up", AlertEvent::Up, "inc-am")
    };
    c.send(&up).await.unwrap();
    // Alertmanager lists only unresolved alerts; resolved, ours leaves the list.
    wait_until_async("the alert to be resolved", || async move {
        ours(&alerts(am_ref).await).is_none()
    })
    .await;
}
