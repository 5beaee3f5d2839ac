//! `discord://[botname@]webhook_id/webhook_token`: a Discord webhook,
//! `POST https://discord.com/api/webhooks/{id}/{token}` with `{"content": …}` (≤ 2000
//! characters; Discord answers 204). The token is the secret. `?base=` replaces
//! `https://discord.com`.

use super::http::{self, Post};
use super::url::{Parts, encode_segment};
use super::{ChannelError, MASK, Parsed, SendError};
use crate::alert::Alert;
use std::time::Duration;

#[derive(Clone)]
pub(crate) struct Discord {
    url: String,
    username: Option<String>,
}

pub(crate) fn parse(parts: &Parts, head: &str) -> Result<Parsed, ChannelError> {
    let id = &parts.authority;
    let [token] = parts.segments.as_slice() else {
        return Err(ChannelError::invalid(
            head,
            "expected discord://webhook_id/webhook_token",
        ));
    };
    if id.is_empty() {
        return Err(ChannelError::invalid(head, "the webhook id is missing"));
    }
    let base = http::base(parts, head, "https://discord.com")?;
    let mut masked = "discord://".to_string();
    if let Some(user) = &parts.user {
        masked.push_str(&format!("{user}@"));
    }
    masked.push_str(&format!("{id}/{MASK}"));
    if parts.param("base").is_some() {
        masked.push_str(&format!("?base={base}"));
    }
    Ok(Parsed {
        kind: super::Kind::Discord(Discord {
            url: format!(
                "{base}/api/webhooks/{}/{}",
                encode_segment(id),
                encode_segment(token)
            ),
            username: parts.user.clone(),
        }),
        masked,
        secrets: vec![token.clone()],
    })
}

impl Discord {
    pub(crate) async fn send(&self, alert: &Alert, timeout: Duration) -> Result<(), SendError> {
        let content: String = format!("**{}**\n{}", super::title(alert), super::text(alert))
            .chars()
            .take(2000)
            .collect();
        let mut body = serde_json::json!({ "content": content });
        if let Some(u) = &self.username {
            body["username"] = u.clone().into();
        }
        http::send(Post::json(self.url.clone(), &body), alert, timeout)
            .await
            .map(|_| ())
    }
}
