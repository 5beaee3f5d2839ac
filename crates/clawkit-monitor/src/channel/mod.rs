//! Where alerts go: Apprise-style URLs (`json://`, `slack://`, `tgram://`, `mailto://`,
//! `alertmanager://`, …), each parsed into a channel that sends an [`Alert`] with its own
//! timeout and never through the gateway it watches.
//!
//! CONTRACT: `Channel::parse(url)` names the bad part of a bad URL (and never echoes a secret
//! doing so); `Channel::name()` is the URL with every secret masked as `****` — the only form
//! ever printed, logged or stored, and the key of the channel's outbox rows;
//! `Channel::send(&alert)` is one delivery attempt, bounded by the channel's timeout, whose
//! error text has every secret of the channel scrubbed. `send_all` sends one alert to every
//! channel in parallel.
//!
//! Supported URLs (`docs/monitor.md` has the table):
//!
//! | URL | sends |
//! |---|---|
//! | `json://[user:pass@]host[:port][/path]`, `jsons://…` | POST of the alert's JSON (`+Header=value` query pairs add headers) |
//! | `slack://TokenA/TokenB/TokenC[/#channel]` | Slack incoming webhook `hooks.slack.com/services/A/B/C` |
//! | `discord://webhook_id/webhook_token` | Discord webhook `discord.com/api/webhooks/id/token` |
//! | `tgram://bot_token/chat_id[/chat_id…]` | Telegram Bot API `sendMessage` |
//! | `ntfy://[user:pass@\|token@]host/topic`, `ntfys://…`, `ntfy://topic` (ntfy.sh) | ntfy JSON publish |
//! | `mailto://[user:pass@]host[:port]?to=…&from=…`, `mailtos://…[?mode=ssl]` | SMTP (STARTTLS on `mailtos`, implicit TLS with `mode=ssl`) |
//! | `gotify://host[:port][/path]/token`, `gotifys://…` | Gotify `POST /message` |
//! | `pover://user_key@app_token[/device]` | Pushover `messages.json` |
//! | `matrix://[user:]access_token@host/#room[:server]`, `matrixs://…`, `!room_id` too | Matrix client API `m.room.message` |
//! | `desktop://` (also `dbus://`, `gnome://`, `kde://`, `macosx://`) | a desktop notification |
//! | `alertmanager://host:port[/prefix]`, `alertmanagers://…` | Alertmanager `POST /api/v2/alerts` |
//!
//! Every URL takes `?timeout=SECONDS` (default 10; 30 for mail). The hosted services (Slack,
//! Discord, Telegram, Pushover) take `?base=http(s)://host[:port]` to send to another server
//! with the same API (a proxy, a compatible self-hosted service, or a test's local receiver).

mod alertmanager;
mod desktop;
mod discord;
mod gotify;
pub mod http;
mod json;
mod mail;
mod matrix;
mod ntfy;
mod pushover;
mod slack;
mod telegram;
pub(crate) mod url;

use crate::alert::{Alert, AlertEvent};
use std::time::Duration;

/// The mask that stands for a secret in [`Channel::name`].
pub const MASK: &str = "****";

/// A configured channel.
#[derive(Clone)]
pub struct Channel {
    masked: String,
    /// Every secret in the URL, for scrubbing error text. Never printed.
    secrets: Vec<String>,
    timeout: Duration,
    kind: Kind,
}

#[derive(Clone)]
enum Kind {
    Json(json::Json),
    Slack(slack::Slack),
    Discord(discord::Discord),
    Telegram(telegram::Telegram),
    Ntfy(ntfy::Ntfy),
    Mail(Box<mail::Mail>),
    Gotify(gotify::Gotify),
    Pushover(pushover::Pushover),
    Matrix(matrix::Matrix),
    Desktop(desktop::Desktop),
    Alertmanager(alertmanager::Alertmanager),
}

/// What a scheme's parser hands back.
pub(crate) struct Parsed {
    kind: Kind,
    masked: String,
    secrets: Vec<String>,
}

impl std::fmt::Debug for Channel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Channel").field(&self.masked).finish()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ChannelError {
    /// `url` is only the scheme (`slack://…`) or the masked URL: never a secret.
    #[error("{url}: {why}")]
    Invalid { url: String, why: String },
}

impl ChannelError {
    pub(crate) fn invalid(url: impl Into<String>, why: impl Into<String>) -> Self {
        ChannelError::Invalid {
            url: url.into(),
            why: why.into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// Worth retrying: a timeout, a refused connection, a 5xx, a 408 or 429.
    #[error("{0}")]
    Transient(String),
    /// Will not work by retrying (a 4xx other than 408/429, a bad address, no desktop).
    #[error("{0}")]
    Permanent(String),
}

impl SendError {
    pub fn is_transient(&self) -> bool {
        matches!(self, SendError::Transient(_))
    }

    fn map(self, f: impl Fn(String) -> String) -> SendError {
        match self {
            SendError::Transient(m) => SendError::Transient(f(m)),
            SendError::Permanent(m) => SendError::Permanent(f(m)),
        }
    }
}

impl Channel {
    pub fn parse(url: &str) -> Result<Channel, ChannelError> {
        let parts = url::Parts::parse(url)?;
        Channel::from_parts(url, &parts).map_err(|ChannelError::Invalid { url, why }| {
            // A value echoed in the reason may be a token typed into the wrong place: mask
            // every part of the URL long enough to be one.
            let mut why = why;
            let pieces = [&parts.authority]
                .into_iter()
                .chain(parts.user.iter())
                .chain(parts.password.iter())
                .chain(parts.segments.iter())
                .chain(parts.query.iter().map(|(_, v)| v));
            for piece in pieces {
                if piece.len() >= 6 {
                    why = why.replace(piece.as_str(), MASK);
                }
            }
            ChannelError::Invalid { url, why }
        })
    }

    fn from_parts(url: &str, parts: &url::Parts) -> Result<Channel, ChannelError> {
        let head = url::url_head(url);
        let parsed = match parts.scheme.as_str() {
            "json" | "jsons" => json::parse(parts, &head)?,
            "slack" => slack::parse(parts, &head)?,
            "discord" => discord::parse(parts, &head)?,
            "tgram" => telegram::parse(parts, &head)?,
            "ntfy" | "ntfys" => ntfy::parse(parts, &head)?,
            "mailto" | "mailtos" => mail::parse(parts, &head)?,
            "gotify" | "gotifys" => gotify::parse(parts, &head)?,
            "pover" => pushover::parse(parts, &head)?,
            "matrix" | "matrixs" => matrix::parse(parts, &head)?,
            "desktop" | "dbus" | "gnome" | "kde" | "macosx" => desktop::parse(parts, &head)?,
            "alertmanager" | "alertmanagers" => alertmanager::parse(parts, &head)?,
            other => {
                return Err(ChannelError::invalid(
                    head,
                    format!(
                        "unknown scheme `{other}`; clawkit sends to json(s), slack, discord, \
                         tgram, ntfy(s), mailto(s), gotify(s), pover, matrix(s), desktop and \
                         alertmanager(s)"
                    ),
                ));
            }
        };
        let default_timeout = match parsed.kind {
            Kind::Mail(_) => 30,
            _ => 10,
        };
        let timeout = match parts.param("timeout") {
            None => Duration::from_secs(default_timeout),
            Some(t) => t
                .parse::<f64>()
                .ok()
                .filter(|t| t.is_finite() && *t > 0.0 && *t <= 600.0)
                .map(Duration::from_secs_f64)
                .ok_or_else(|| {
                    ChannelError::invalid(
                        &parsed.masked,
                        format!("timeout `{t}` is not a number of seconds (0 < t ≤ 600)"),
                    )
                })?,
        };
        let mut secrets: Vec<String> = parsed
            .secrets
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect();
        // Longest first, so a secret that contains another is scrubbed whole.
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        secrets.dedup();
        Ok(Channel {
            masked: parsed.masked,
            secrets,
            timeout,
            kind: parsed.kind,
        })
    }

    /// Several URLs separated by commas, spaces or newlines (Apprise's list form).
    pub fn parse_list(urls: &str) -> Result<Vec<Channel>, ChannelError> {
        urls.split(|c: char| c == ',' || c.is_whitespace())
            .filter(|u| !u.is_empty())
            .map(Channel::parse)
            .collect()
    }

    /// The URL with secrets masked.
    pub fn name(&self) -> &str {
        &self.masked
    }

    /// The scheme's kind, for grouping in `status` (`json`, `slack`, `mail`, …).
    pub fn kind(&self) -> &'static str {
        match self.kind {
            Kind::Json(_) => "json",
            Kind::Slack(_) => "slack",
            Kind::Discord(_) => "discord",
            Kind::Telegram(_) => "telegram",
            Kind::Ntfy(_) => "ntfy",
            Kind::Mail(_) => "mail",
            Kind::Gotify(_) => "gotify",
            Kind::Pushover(_) => "pushover",
            Kind::Matrix(_) => "matrix",
            Kind::Desktop(_) => "desktop",
            Kind::Alertmanager(_) => "alertmanager",
        }
    }

    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// One delivery attempt, bounded by the channel's timeout.
    pub async fn send(&self, alert: &Alert) -> Result<(), SendError> {
        let attempt = async {
            match &self.kind {
                Kind::Json(c) => c.send(alert, self.timeout).await,
                Kind::Slack(c) => c.send(alert, self.timeout).await,
                Kind::Discord(c) => c.send(alert, self.timeout).await,
                Kind::Telegram(c) => c.send(alert, self.timeout).await,
                Kind::Ntfy(c) => c.send(alert, self.timeout).await,
                Kind::Mail(c) => c.send(alert, self.timeout).await,
                Kind::Gotify(c) => c.send(alert, self.timeout).await,
                Kind::Pushover(c) => c.send(alert, self.timeout).await,
                Kind::Matrix(c) => c.send(alert, self.timeout).await,
                Kind::Desktop(c) => c.send(alert, self.timeout).await,
                Kind::Alertmanager(c) => c.send(alert, self.timeout).await,
            }
        };
        let result = match tokio::time::timeout(self.timeout, attempt).await {
            Ok(result) => result,
            Err(_) => Err(SendError::Transient(format!(
                "no answer within {:.1} s",
                self.timeout.as_secs_f64()
            ))),
        };
        result.map_err(|e| e.map(|m| self.scrub(&m)))
    }

    /// `text` with every secret of this channel (and its percent-encoded form) masked.
    pub fn scrub(&self, text: &str) -> String {
        let mut out = text.to_string();
        for secret in &self.secrets {
            out = out.replace(secret.as_str(), MASK);
            let encoded = url::encode_segment(secret);
            if encoded != *secret {
                out = out.replace(encoded.as_str(), MASK);
            }
        }
        out
    }
}

/// Sends `alert` to every channel at once, each with its own timeout; results in the order of
/// `channels`.
pub async fn send_all(channels: &[Channel], alert: &Alert) -> Vec<Result<(), SendError>> {
    futures_util::future::join_all(channels.iter().map(|c| c.send(alert))).await
}

/// The title a person sees first: `local is down`.
pub(crate) fn title(alert: &Alert) -> String {
    let what = match alert.event {
        AlertEvent::Down => "is down",
        AlertEvent::Up => "is back up",
        AlertEvent::Restart => "restarted",
        AlertEvent::Flapping => "keeps restarting",
        AlertEvent::AuthFailures => "sees authentication failures",
        AlertEvent::Rejected => "rejects the monitor",
        AlertEvent::Reminder => "is still down",
        AlertEvent::MonitorOffline => "cannot be watched: the monitor is offline",
        AlertEvent::Test => "test alert",
        AlertEvent::Undeliverable => "alert could not be delivered",
    };
    format!("OpenClaw gateway {} {what}", alert.gateway)
}

/// The plain-text body every text channel sends: the summary, then one fact a line.
pub(crate) fn text(alert: &Alert) -> String {
    let mut out = alert.summary.clone();
    if let Some(cause) = &alert.cause {
        out.push_str(&format!("\ncause: {cause}"));
    }
    if let Some(ms) = alert.downtime_ms {
        out.push_str(&format!("\ndowntime: {}", human_ms(ms)));
    }
    if let Some(next) = &alert.next {
        out.push_str(&format!("\nnext: {next}"));
    }
    out.push_str(&format!("\ngateway: {} ({})", alert.gateway, alert.url));
    out.push_str(&format!("\nat: {}", alert.at));
    if let Some(incident) = &alert.incident {
        out.push_str(&format!("\nincident: {incident}"));
    }
    out.push_str(&format!("\nalert id: {}", alert.id));
    out
}

fn human_ms(ms: u64) -> String {
    let s = ms / 1000;
    match s {
        0 => format!("{ms} ms"),
        1..=59 => format!("{:.1} s", ms as f64 / 1000.0),
        60..=3599 => format!("{} min {} s", s / 60, s % 60),
        _ => format!("{} h {} min", s / 3600, (s % 3600) / 60),
    }
}

/// Is this event bad news (for priorities and colours)?
pub(crate) fn is_trouble(event: AlertEvent) -> bool {
    !matches!(
        event,
        AlertEvent::Up | AlertEvent::Restart | AlertEvent::Test
    )
}

#[cfg(test)]
mod tests;
