//! `tgram://bot_token/chat_id`: the Telegram Bot API,
//! `POST https://api.telegram.org/bot{token}/sendMessage` with `{"chat_id", "text"}`
//! (answers `{"ok": true, …}`). The token (`123456:ABC…`) is the secret; its numeric bot id
//! stays visible. `?base=` replaces `https://api.telegram.org`.

use super::http::{self, Post};
use super::url::Parts;
use super::{ChannelError, MASK, Parsed, SendError};
use crate::alert::Alert;
use std::time::Duration;

#[derive(Clone)]
pub(crate) struct Telegram {
    url: String,
    chat: serde_json::Value,
}

pub(crate) fn parse(parts: &Parts, head: &str) -> Result<Parsed, ChannelError> {
    // Apprise accepts the token with or without the `bot` prefix of the API path.
    let token = parts
        .authority
        .strip_prefix("bot")
        .unwrap_or(&parts.authority)
        .to_string();
    let Some((bot_id, secret)) = token.split_once(':') else {
        return Err(ChannelError::invalid(
            head,
            "expected tgram://bot_token/chat_id, the bot token as BotFather gives it \
             (`123456789:AA…`)",
        ));
    };
    if bot_id.is_empty() || secret.is_empty() || !bot_id.chars().all(|c| c.is_ascii_digit()) {
        return Err(ChannelError::invalid(
            head,
            "the bot token must look like `123456789:AA…`",
        ));
    }
    let chat = match parts.segments.as_slice() {
        [chat] => chat.clone(),
        [] => {
            return Err(ChannelError::invalid(
                head,
                "the chat id is missing: tgram://bot_token/chat_id",
            ));
        }
        _ => {
            return Err(ChannelError::invalid(
                head,
                "one chat per URL (list one URL per chat, so a retry never repeats a message \
                 another chat already got)",
            ));
        }
    };
    let base = http::base(parts, head, "https://api.telegram.org")?;
    let chat_value = match chat.parse::<i64>() {
        Ok(n) => serde_json::Value::from(n),
        Err(_) => serde_json::Value::from(chat.clone()),
    };
    let mut masked = format!("tgram://{bot_id}:{MASK}/{chat}");
    if parts.param("base").is_some() {
        masked.push_str(&format!("?base={base}"));
    }
    Ok(Parsed {
        kind: super::Kind::Telegram(Telegram {
            url: format!("{base}/bot{token}/sendMessage"),
            chat: chat_value,
        }),
        masked,
        secrets: vec![token.clone(), secret.to_string()],
    })
}

impl Telegram {
    pub(crate) async fn send(&self, alert: &Alert, timeout: Duration) -> Result<(), SendError> {
        let text: String = format!("{}\n\n{}", super::title(alert), super::text(alert))
            .chars()
            .take(4096)
            .collect();
        let body = serde_json::json!({
            "chat_id": self.chat,
            "text": text,
            "disable_web_page_preview": true,
        });
        let answer = http::send(Post::json(self.url.clone(), &body), alert, timeout).await?;
        let ok = serde_json::from_str::<serde_json::Value>(&answer.body)
            .ok()
            .and_then(|v| v.get("ok").and_then(|ok| ok.as_bool()));
        match ok {
            Some(false) => Err(SendError::Permanent(format!(
                "Telegram refused the message: {}",
                answer.body.chars().take(200).collect::<String>()
            ))),
            _ => Ok(()),
        }
    }
}
