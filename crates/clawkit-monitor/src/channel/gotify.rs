//! `gotify://host[:port][/path]/token` and `gotifys://…`: Gotify's
//! `POST /message` with `X-Gotify-Key: <app token>` and `{"title", "message", "priority"}`.
//! The token is the secret. `?priority=0…10` overrides the priority.

use super::http::{self, Post};
use super::url::{Parts, encode_segment};
use super::{ChannelError, MASK, Parsed, SendError};
use crate::alert::{Alert, AlertEvent};
use std::time::Duration;

#[derive(Clone)]
pub(crate) struct Gotify {
    url: String,
    token: String,
    priority: Option<u8>,
}

pub(crate) fn parse(parts: &Parts, head: &str) -> Result<Parsed, ChannelError> {
    let (host, port) = parts.host_port(head)?;
    let Some((token, prefix)) = parts.segments.split_last() else {
        return Err(ChannelError::invalid(
            head,
            "the app token is missing: gotify://host/token",
        ));
    };
    let priority = match parts.param("priority") {
        None => None,
        Some(p) => Some(p.parse::<u8>().ok().filter(|p| *p <= 10).ok_or_else(|| {
            ChannelError::invalid(head, format!("priority `{p}`: expected 0–10"))
        })?),
    };
    let web = http::web_scheme(&parts.scheme, "gotifys");
    let hostport = match port {
        Some(p) => format!("{host}:{p}"),
        None => host,
    };
    let prefix: String = prefix
        .iter()
        .map(|s| format!("/{}", encode_segment(s)))
        .collect();
    let masked = format!("{}://{hostport}{prefix}/{MASK}", parts.scheme);
    Ok(Parsed {
        kind: super::Kind::Gotify(Gotify {
            url: format!("{web}://{hostport}{prefix}/message"),
            token: token.clone(),
            priority,
        }),
        masked,
        secrets: vec![token.clone()],
    })
}

impl Gotify {
    pub(crate) async fn send(&self, alert: &Alert, timeout: Duration) -> Result<(), SendError> {
        let priority = match alert.event {
            AlertEvent::Down => 8,
            AlertEvent::Up | AlertEvent::Restart | AlertEvent::Test => 4,
            _ => 6,
        };
        let body = serde_json::json!({
            "title": super::title(alert),
            "message": super::text(alert),
            "priority": self.priority.unwrap_or(priority),
            "extras": { "clawkit::alert": { "id": alert.id, "event": alert.event.word() } },
        });
        let mut post = Post::json(self.url.clone(), &body);
        post.headers
            .push(("X-Gotify-Key".into(), self.token.clone()));
        http::send(post, alert, timeout).await.map(|_| ())
    }
}
