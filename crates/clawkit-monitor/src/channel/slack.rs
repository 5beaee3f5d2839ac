//! `slack://[botname@]TokenA/TokenB/TokenC[/#channel]`: a Slack incoming webhook,
//! `POST https://hooks.slack.com/services/TokenA/TokenB/TokenC` with `{"text": …}` (Slack
//! answers `ok`). TokenC is the secret. `?base=` replaces `https://hooks.slack.com`.

use super::http::{self, Post};
use super::url::{Parts, encode_segment};
use super::{ChannelError, MASK, Parsed, SendError};
use crate::alert::Alert;
use std::time::Duration;

#[derive(Clone)]
pub(crate) struct Slack {
    url: String,
    username: Option<String>,
    channel: Option<String>,
}

pub(crate) fn parse(parts: &Parts, head: &str) -> Result<Parsed, ChannelError> {
    if parts.authority.starts_with("xox") {
        return Err(ChannelError::invalid(
            head,
            "bot tokens (xoxb-/xoxp-) are not supported; use an incoming webhook: \
             slack://TokenA/TokenB/TokenC",
        ));
    }
    let tokens: Vec<&String> = std::iter::once(&parts.authority)
        .chain(parts.segments.iter())
        .filter(|s| !s.starts_with('#') && !s.starts_with('@'))
        .collect();
    let channels: Vec<&String> = parts
        .segments
        .iter()
        .filter(|s| s.starts_with('#') || s.starts_with('@'))
        .collect();
    if tokens.len() != 3 || tokens.iter().any(|t| t.is_empty()) {
        return Err(ChannelError::invalid(
            head,
            "expected slack://TokenA/TokenB/TokenC (the three parts of the webhook URL \
             https://hooks.slack.com/services/TokenA/TokenB/TokenC)",
        ));
    }
    if channels.len() > 1 {
        return Err(ChannelError::invalid(
            head,
            "one #channel per URL (list one URL per channel, so a retry never repeats a \
             message another channel already got)",
        ));
    }
    let base = http::base(parts, head, "https://hooks.slack.com")?;
    let (a, b, c) = (tokens[0], tokens[1], tokens[2]);
    let mut masked = "slack://".to_string();
    if let Some(user) = &parts.user {
        masked.push_str(user);
        masked.push('@');
    }
    masked.push_str(&format!("{a}/{b}/{MASK}"));
    if let Some(ch) = channels.first() {
        masked.push('/');
        masked.push_str(ch);
    }
    if parts.param("base").is_some() {
        masked.push_str(&format!("?base={base}"));
    }
    Ok(Parsed {
        kind: super::Kind::Slack(Slack {
            url: format!(
                "{base}/services/{}/{}/{}",
                encode_segment(a),
                encode_segment(b),
                encode_segment(c)
            ),
            username: parts.user.clone(),
            channel: channels.first().map(|c| c.to_string()),
        }),
        masked,
        secrets: vec![c.clone()],
    })
}

impl Slack {
    pub(crate) async fn send(&self, alert: &Alert, timeout: Duration) -> Result<(), SendError> {
        let mut body = serde_json::json!({
            "text": format!("*{}*\n{}", super::title(alert), super::text(alert)),
        });
        if let Some(u) = &self.username {
            body["username"] = u.clone().into();
        }
        if let Some(c) = &self.channel {
            body["channel"] = c.clone().into();
        }
        http::send(Post::json(self.url.clone(), &body), alert, timeout)
            .await
            .map(|_| ())
    }
}
