//! `ntfy://topic` (ntfy.sh), `ntfy://host[:port]/topic`, `ntfys://…` (HTTPS), with
//! `user:pass@` (Basic auth), `token@` / `:token@` / `?token=` (a `tk_…` access token,
//! Bearer). Sends ntfy's JSON publish: `POST /` with `{"topic", "title", "message",
//! "priority", "tags"}`. `?priority=1…5|min|low|default|high|max` overrides the priority.

use super::http::{self, Post};
use super::url::Parts;
use super::{ChannelError, MASK, Parsed, SendError};
use crate::alert::{Alert, AlertEvent};
use std::time::Duration;

#[derive(Clone)]
pub(crate) struct Ntfy {
    url: String,
    topic: String,
    basic: Option<(String, Option<String>)>,
    bearer: Option<String>,
    priority: Option<u8>,
}

pub(crate) fn parse(parts: &Parts, head: &str) -> Result<Parsed, ChannelError> {
    let web = http::web_scheme(&parts.scheme, "ntfys");
    let (hostport, topic) = match parts.segments.as_slice() {
        [] => {
            // ntfy://topic: the public server, always HTTPS.
            if !valid_topic(&parts.authority) {
                return Err(ChannelError::invalid(
                    head,
                    "expected ntfy://topic or ntfy://host/topic (a topic is 1–64 of A–Z a–z 0–9 _ -)",
                ));
            }
            (None, parts.authority.clone())
        }
        [topic] => {
            let (host, port) = parts.host_port(head)?;
            if !valid_topic(topic) {
                return Err(ChannelError::invalid(
                    head,
                    format!("`{topic}` is not an ntfy topic (1–64 of A–Z a–z 0–9 _ -)"),
                ));
            }
            let hostport = match port {
                Some(p) => format!("{host}:{p}"),
                None => host,
            };
            (Some(hostport), topic.clone())
        }
        _ => {
            return Err(ChannelError::invalid(
                head,
                "one topic per URL (list one URL per topic, so a retry never repeats a message \
                 another topic already got)",
            ));
        }
    };
    let url = match &hostport {
        None => "https://ntfy.sh/".to_string(),
        Some(hp) => format!("{web}://{hp}/"),
    };
    // Authentication, Apprise's and shoutrrr's forms.
    let mut basic = None;
    let mut bearer = parts.param("token").map(str::to_string);
    match (&parts.user, &parts.password) {
        (Some(u), None) if u.starts_with("tk_") => bearer = Some(u.clone()),
        (None, Some(p)) => bearer = Some(p.clone()),
        (Some(u), p) => basic = Some((u.clone(), p.clone())),
        (None, None) => {}
    }
    let priority = match parts.param("priority") {
        None => None,
        Some(p) => Some(priority(p).ok_or_else(|| {
            ChannelError::invalid(head, format!("priority `{p}`: expected 1–5 or min…max"))
        })?),
    };
    let mut masked = format!("{}://", parts.scheme);
    if let Some((user, pass)) = &basic {
        masked.push_str(user);
        if pass.is_some() {
            masked.push_str(&format!(":{MASK}"));
        }
        masked.push('@');
    } else if bearer.is_some() {
        masked.push_str(&format!("{MASK}@"));
    }
    match &hostport {
        None => masked.push_str(&topic),
        Some(hp) => masked.push_str(&format!("{hp}/{topic}")),
    }
    let mut secrets: Vec<String> = bearer.iter().cloned().collect();
    secrets.extend(parts.password.clone());
    Ok(Parsed {
        kind: super::Kind::Ntfy(Ntfy {
            url,
            topic,
            basic,
            bearer,
            priority,
        }),
        masked,
        secrets,
    })
}

fn valid_topic(t: &str) -> bool {
    (1..=64).contains(&t.len())
        && t.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

fn priority(p: &str) -> Option<u8> {
    match p.to_ascii_lowercase().as_str() {
        "1" | "min" => Some(1),
        "2" | "low" => Some(2),
        "3" | "default" => Some(3),
        "4" | "high" => Some(4),
        "5" | "max" | "urgent" => Some(5),
        _ => None,
    }
}

impl Ntfy {
    pub(crate) async fn send(&self, alert: &Alert, timeout: Duration) -> Result<(), SendError> {
        let (priority, tag) = match alert.event {
            AlertEvent::Down => (5, "rotating_light"),
            AlertEvent::Up => (3, "white_check_mark"),
            AlertEvent::Restart | AlertEvent::Test => (3, "information_source"),
            _ => (4, "warning"),
        };
        let body = serde_json::json!({
            "topic": self.topic,
            "title": super::title(alert),
            "message": super::text(alert),
            "priority": self.priority.unwrap_or(priority),
            "tags": [tag, "clawkit"],
        });
        let mut post = Post::json(self.url.clone(), &body);
        post.basic = self.basic.clone();
        post.bearer = self.bearer.clone();
        http::send(post, alert, timeout).await.map(|_| ())
    }
}
