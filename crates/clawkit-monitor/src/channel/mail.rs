//! `mailto://[user:pass@]host[:port]?to=a@x,b@y&from=me@x` and `mailtos://…`: e-mail over
//! SMTP with lettre (rustls on `ring`, webpki roots).
//!
//! `mailto` talks plain SMTP (port 25), as Apprise's `mailto` does; `mailtos` requires
//! STARTTLS (port 587), or implicit TLS with `?mode=ssl` (port 465, also chosen for an explicit
//! port 465). `user:pass` logs in (PLAIN/LOGIN); the password is the secret. Without `to`, the
//! mail goes to `from`; without `from`, to `user@host` (user if it already holds an `@`).
//! One SMTP transaction carries every recipient, so a retry never repeats part of a send.

use super::url::Parts;
use super::{ChannelError, MASK, Parsed, SendError};
use crate::alert::Alert;
use lettre::message::{Mailbox, header::ContentType};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::time::Duration;

#[derive(Clone)]
pub(crate) struct Mail {
    host: String,
    port: u16,
    security: Security,
    credentials: Option<(String, String)>,
    from: Mailbox,
    to: Vec<Mailbox>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Security {
    Plain,
    StartTls,
    Implicit,
}

pub(crate) fn parse(parts: &Parts, head: &str) -> Result<Parsed, ChannelError> {
    let (host, port) = parts.host_port(head)?;
    let host = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    let security = match (parts.scheme.as_str(), parts.param("mode"), port) {
        ("mailto", None, _) => Security::Plain,
        ("mailto", Some(m), _) => {
            return Err(ChannelError::invalid(
                head,
                format!("mode `{m}` needs mailtos:// (mailto:// is plain SMTP)"),
            ));
        }
        (_, Some("ssl"), _) | (_, None, Some(465)) => Security::Implicit,
        (_, Some("starttls") | None, _) => Security::StartTls,
        (_, Some(m), _) => {
            return Err(ChannelError::invalid(
                head,
                format!("mode `{m}`: expected ssl or starttls"),
            ));
        }
    };
    let port = port.unwrap_or(match security {
        Security::Plain => 25,
        Security::StartTls => 587,
        Security::Implicit => 465,
    });
    let mailbox = |what: &str, s: &str| -> Result<Mailbox, ChannelError> {
        s.trim()
            .parse::<Mailbox>()
            .map_err(|e| ChannelError::invalid(head, format!("{what} `{}`: {e}", s.trim())))
    };
    let default_from = parts.user.as_ref().map(|u| {
        if u.contains('@') {
            u.clone()
        } else {
            format!("{u}@{host}")
        }
    });
    let from_text = parts
        .param("from")
        .map(str::to_string)
        .or(default_from)
        .ok_or_else(|| {
            ChannelError::invalid(
                head,
                "no sender: give ?from=you@example.org (or a user@ in the URL)",
            )
        })?;
    let from = mailbox("from", &from_text)?;
    let to_text = parts
        .param("to")
        .map(str::to_string)
        .unwrap_or_else(|| from_text.clone());
    let to = to_text
        .split(',')
        .filter(|s| !s.trim().is_empty())
        .map(|s| mailbox("to", s))
        .collect::<Result<Vec<_>, _>>()?;
    if to.is_empty() {
        return Err(ChannelError::invalid(head, "no recipient in ?to="));
    }
    let credentials = match (&parts.user, &parts.password) {
        (Some(u), Some(p)) => Some((u.clone(), p.clone())),
        _ => None,
    };
    let mut masked = format!("{}://", parts.scheme);
    if let Some(u) = &parts.user {
        masked.push_str(&u.replace('@', "%40"));
        if parts.password.is_some() {
            masked.push_str(&format!(":{MASK}"));
        }
        masked.push('@');
    }
    masked.push_str(&format!("{host}:{port}?to={to_text}&from={from_text}"));
    if security == Security::Implicit {
        masked.push_str("&mode=ssl");
    }
    Ok(Parsed {
        kind: super::Kind::Mail(Box::new(Mail {
            host,
            port,
            security,
            credentials,
            from,
            to,
        })),
        masked,
        secrets: parts.password.iter().cloned().collect(),
    })
}

impl Mail {
    pub(crate) async fn send(&self, alert: &Alert, timeout: Duration) -> Result<(), SendError> {
        let permanent = |e: String| SendError::Permanent(e);
        let mut builder = Message::builder()
            .from(self.from.clone())
            .subject(super::title(alert))
            .message_id(Some(format!("<{}@clawkit.monitor>", alert.id)))
            .header(ContentType::TEXT_PLAIN);
        for to in &self.to {
            builder = builder.to(to.clone());
        }
        let message = builder
            .body(super::text(alert))
            .map_err(|e| permanent(format!("cannot build the mail: {e}")))?;
        let tls = || {
            TlsParameters::new(self.host.clone())
                .map_err(|e| permanent(format!("TLS setup for {}: {e}", self.host)))
        };
        let mut transport =
            AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(self.host.as_str())
                .port(self.port)
                .timeout(Some(timeout));
        transport = match self.security {
            Security::Plain => transport.tls(Tls::None),
            Security::StartTls => transport.tls(Tls::Required(tls()?)),
            Security::Implicit => transport.tls(Tls::Wrapper(tls()?)),
        };
        if let Some((user, pass)) = &self.credentials {
            transport = transport.credentials(Credentials::new(user.clone(), pass.clone()));
        }
        let result = transport.build().send(message).await;
        match result {
            Ok(_) => Ok(()),
            Err(e) => {
                let text = format!("SMTP {}:{}: {}", self.host, self.port, chain(&e));
                // A 5xx reply is permanent; 4xx replies, refused connections and timeouts are
                // worth another try.
                if e.is_permanent() {
                    Err(SendError::Permanent(text))
                } else {
                    Err(SendError::Transient(text))
                }
            }
        }
    }
}

fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let more = s.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = s.source();
    }
    text
}
