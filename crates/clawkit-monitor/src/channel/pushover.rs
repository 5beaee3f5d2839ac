//! `pover://user_key@app_token[/device]`: Pushover's
//! `POST https://api.pushover.net/1/messages.json`, form-encoded `token`, `user`, `title`,
//! `message`, `priority` (`device`, `timestamp`); answers `{"status": 1}`. Both keys are
//! secrets. `?priority=-2…1` overrides the priority; `?base=` replaces the API host.

use super::http::{self, Post};
use super::url::{Parts, encode_segment};
use super::{ChannelError, MASK, Parsed, SendError};
use crate::alert::{Alert, AlertEvent};
use std::time::Duration;

#[derive(Clone)]
pub(crate) struct Pushover {
    url: String,
    user: String,
    token: String,
    device: Option<String>,
    priority: Option<i8>,
}

pub(crate) fn parse(parts: &Parts, head: &str) -> Result<Parsed, ChannelError> {
    let (Some(user), token) = (&parts.user, &parts.authority) else {
        return Err(ChannelError::invalid(
            head,
            "expected pover://user_key@app_token",
        ));
    };
    if token.is_empty() {
        return Err(ChannelError::invalid(head, "the app token is missing"));
    }
    let device = match parts.segments.as_slice() {
        [] => None,
        [d] => Some(d.clone()),
        _ => {
            return Err(ChannelError::invalid(
                head,
                "one device per URL (list one URL per device)",
            ));
        }
    };
    let priority = match parts.param("priority") {
        None => None,
        Some(p) => Some(
            p.parse::<i8>()
                .ok()
                .filter(|p| (-2..=1).contains(p))
                .ok_or_else(|| {
                    ChannelError::invalid(
                        head,
                        format!(
                            "priority `{p}`: expected -2…1 (emergency priority 2 needs \
                             retry/expire and is not supported)"
                        ),
                    )
                })?,
        ),
    };
    let base = http::base(parts, head, "https://api.pushover.net")?;
    let mut masked = format!("pover://{MASK}@{MASK}");
    if let Some(d) = &device {
        masked.push_str(&format!("/{d}"));
    }
    if parts.param("base").is_some() {
        masked.push_str(&format!("?base={base}"));
    }
    Ok(Parsed {
        kind: super::Kind::Pushover(Pushover {
            url: format!("{base}/1/messages.json"),
            user: user.clone(),
            token: token.clone(),
            device,
            priority,
        }),
        masked,
        secrets: vec![user.clone(), token.clone()],
    })
}

impl Pushover {
    pub(crate) async fn send(&self, alert: &Alert, timeout: Duration) -> Result<(), SendError> {
        let priority = match alert.event {
            AlertEvent::Down => 1,
            AlertEvent::Up | AlertEvent::Restart | AlertEvent::Test => 0,
            _ => 0,
        };
        let mut form = vec![
            ("token", self.token.clone()),
            ("user", self.user.clone()),
            ("title", super::title(alert).chars().take(250).collect()),
            ("message", super::text(alert).chars().take(1024).collect()),
            ("priority", self.priority.unwrap_or(priority).to_string()),
        ];
        if let Ok(t) = alert.at.parse::<jiff::Timestamp>() {
            form.push(("timestamp", t.as_second().to_string()));
        }
        if let Some(d) = &self.device {
            form.push(("device", d.clone()));
        }
        let body: Vec<String> = form
            .iter()
            .map(|(k, v)| format!("{k}={}", encode_segment(v)))
            .collect();
        let post = Post {
            content_type: "application/x-www-form-urlencoded",
            body: body.join("&").into_bytes(),
            ..Post::json(self.url.clone(), &serde_json::Value::Null)
        };
        let answer = http::send(post, alert, timeout).await?;
        let status = serde_json::from_str::<serde_json::Value>(&answer.body)
            .ok()
            .and_then(|v| v.get("status").and_then(|s| s.as_i64()));
        match status {
            Some(1) | None => Ok(()),
            Some(_) => Err(SendError::Permanent(format!(
                "Pushover refused the message: {}",
                answer.body.chars().take(200).collect::<String>()
            ))),
        }
    }
}
