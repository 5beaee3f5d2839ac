//! `alertmanager://host:port[/prefix]` and `alertmanagers://…` (HTTPS), with optional
//! `user:pass@` (Basic auth): Prometheus Alertmanager's `POST /api/v2/alerts`, so its
//! grouping, inhibition, silences, routing and HA take over for fleets.
//!
//! One alert per notification, with labels `alertname` (`OpenClawGateway<Event>`),
//! `gateway`, `incident`, `cause` and `severity`, and annotations `summary`, `next`, `id`.
//! A `down` fires with `startsAt` = its time and `endsAt` 24 h later (Alertmanager resolves
//! an alert whose `endsAt` passes, so a down is kept firing by its reminders, which post the
//! same labels again); an `up` posts the **same labels** (`alertname=OpenClawGatewayDown`, the
//! incident and cause of the down) with `endsAt` = its time, which resolves it. Events that do
//! not pair (restart, test, …) fire for one hour. Alertmanager identifies an alert by its
//! label set, so a retried post is idempotent.
//!
//! The labels of the resolve must equal those of the down: the `up` must carry the down's
//! `incident` and `cause`.

use super::http::{self, Post};
use super::url::{Parts, encode_segment};
use super::{ChannelError, MASK, Parsed, SendError};
use crate::alert::{Alert, AlertEvent, rfc3339};
use std::time::Duration;

#[derive(Clone)]
pub(crate) struct Alertmanager {
    url: String,
    basic: Option<(String, Option<String>)>,
}

pub(crate) fn parse(parts: &Parts, head: &str) -> Result<Parsed, ChannelError> {
    let (host, port) = parts.host_port(head)?;
    let web = http::web_scheme(&parts.scheme, "alertmanagers");
    let hostport = match port {
        Some(p) => format!("{host}:{p}"),
        None => format!("{host}:9093"),
    };
    let prefix: String = parts
        .segments
        .iter()
        .map(|s| format!("/{}", encode_segment(s)))
        .collect();
    let basic = parts.user.clone().map(|u| (u, parts.password.clone()));
    let mut masked = format!("{}://", parts.scheme);
    if let Some((u, p)) = &basic {
        masked.push_str(u);
        if p.is_some() {
            masked.push_str(&format!(":{MASK}"));
        }
        masked.push('@');
    }
    masked.push_str(&format!("{hostport}{prefix}"));
    Ok(Parsed {
        kind: super::Kind::Alertmanager(Alertmanager {
            url: format!("{web}://{hostport}{prefix}/api/v2/alerts"),
            basic,
        }),
        masked,
        secrets: parts.password.iter().cloned().collect(),
    })
}

/// `OpenClawGateway<Event>`; an `up` and a reminder name the `down` they belong to.
pub(crate) fn alertname(event: AlertEvent) -> String {
    let event = match event {
        AlertEvent::Up | AlertEvent::Reminder => AlertEvent::Down,
        e => e,
    };
    let camel: String = event
        .word()
        .split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect();
    format!("OpenClawGateway{camel}")
}

fn severity(event: AlertEvent) -> &'static str {
    match event {
        AlertEvent::Down | AlertEvent::Up | AlertEvent::Reminder => "critical",
        AlertEvent::Restart | AlertEvent::Test => "info",
        _ => "warning",
    }
}

const HOUR_MS: i64 = 3_600_000;

/// The `postableAlert` for `alert`.
pub(crate) fn payload(alert: &Alert) -> serde_json::Value {
    let at_ms = alert
        .at
        .parse::<jiff::Timestamp>()
        .map(|t| t.as_millisecond())
        .unwrap_or_else(|_| jiff::Timestamp::now().as_millisecond());
    let mut labels = serde_json::Map::new();
    labels.insert("alertname".into(), alertname(alert.event).into());
    labels.insert("gateway".into(), alert.gateway.clone().into());
    if let Some(i) = &alert.incident {
        labels.insert("incident".into(), i.clone().into());
    }
    if let Some(c) = &alert.cause {
        labels.insert("cause".into(), c.clone().into());
    }
    labels.insert("severity".into(), severity(alert.event).into());
    let mut annotations = serde_json::Map::new();
    annotations.insert("summary".into(), alert.summary.clone().into());
    if let Some(n) = &alert.next {
        annotations.insert("next".into(), n.clone().into());
    }
    annotations.insert("id".into(), alert.id.clone().into());
    annotations.insert("url".into(), alert.url.clone().into());
    let (starts, ends) = match alert.event {
        AlertEvent::Down => (at_ms, at_ms + 24 * HOUR_MS),
        AlertEvent::Reminder => (
            at_ms - alert.downtime_ms.unwrap_or(0) as i64,
            at_ms + 24 * HOUR_MS,
        ),
        AlertEvent::Up => {
            if let Some(ms) = alert.downtime_ms {
                annotations.insert("downtime_ms".into(), ms.to_string().into());
            }
            (at_ms - alert.downtime_ms.unwrap_or(0) as i64, at_ms)
        }
        _ => (at_ms, at_ms + HOUR_MS),
    };
    serde_json::json!([{
        "labels": labels,
        "annotations": annotations,
        "startsAt": rfc3339(starts),
        "endsAt": rfc3339(ends),
    }])
}

impl Alertmanager {
    pub(crate) async fn send(&self, alert: &Alert, timeout: Duration) -> Result<(), SendError> {
        let mut post = Post::json(self.url.clone(), &payload(alert));
        post.basic = self.basic.clone();
        http::send(post, alert, timeout).await.map(|_| ())
    }
}
