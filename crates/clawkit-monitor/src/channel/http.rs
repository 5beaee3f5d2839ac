//! The HTTP side every web channel shares: one client (rustls on the `ring` provider with
//! webpki-roots, clawkit-core's TLS config — never aws-lc-rs or OpenSSL), one POST helper that
//! adds the idempotency key and sorts failures into transient and permanent, and the `?base=`
//! override.

use super::{ChannelError, SendError, url::Parts};
use crate::alert::Alert;
use std::sync::OnceLock;
use std::time::Duration;

/// The shared client: HTTP/1.1, no redirects (a webhook that redirects is misconfigured, and a
/// redirect must not carry a token elsewhere), no cookies.
fn client() -> Result<&'static reqwest::Client, SendError> {
    static CLIENT: OnceLock<Result<reqwest::Client, String>> = OnceLock::new();
    CLIENT
        .get_or_init(|| {
            let tls = clawkit_core::gateway::tls::client_config(None)?;
            reqwest::Client::builder()
                .use_preconfigured_tls((*tls).clone())
                .redirect(reqwest::redirect::Policy::none())
                .connect_timeout(Duration::from_secs(10))
                .user_agent(concat!("clawkit-monitor/", env!("CARGO_PKG_VERSION")))
                .build()
                .map_err(|e| format!("cannot build the HTTP client: {e}"))
        })
        .as_ref()
        .map_err(|e| SendError::Permanent(e.clone()))
}

/// `https://default` or the URL's `?base=` (scheme and authority, optional path prefix),
/// without a trailing slash.
pub(crate) fn base(parts: &Parts, head: &str, default: &str) -> Result<String, ChannelError> {
    match parts.param("base") {
        None => Ok(default.to_string()),
        Some(b) => {
            let ok = (b.starts_with("http://") || b.starts_with("https://"))
                && b.split_once("://")
                    .is_some_and(|(_, rest)| !rest.is_empty());
            if !ok {
                return Err(ChannelError::invalid(
                    head,
                    format!("base `{b}` must be an http:// or https:// URL"),
                ));
            }
            Ok(b.trim_end_matches('/').to_string())
        }
    }
}

/// `http` or `https` for a scheme pair such as `json`/`jsons`.
pub(crate) fn web_scheme(scheme: &str, secure: &str) -> &'static str {
    if scheme == secure { "https" } else { "http" }
}

/// One request.
pub(crate) struct Post<'a> {
    pub method: reqwest::Method,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub basic: Option<(String, Option<String>)>,
    pub bearer: Option<String>,
    pub content_type: &'a str,
    pub body: Vec<u8>,
}

impl<'a> Post<'a> {
    pub fn json(url: String, body: &serde_json::Value) -> Post<'a> {
        Post {
            method: reqwest::Method::POST,
            url,
            headers: Vec::new(),
            basic: None,
            bearer: None,
            content_type: "application/json",
            body: serde_json::to_vec(body).unwrap_or_default(),
        }
    }
}

/// What came back when the request was accepted (2xx).
pub(crate) struct Answer {
    pub body: String,
}

/// Sends `post` with `Idempotency-Key: <alert id>`; 2xx is success, 408/429/5xx and network
/// errors are transient, every other status is permanent.
pub(crate) async fn send(
    post: Post<'_>,
    alert: &Alert,
    timeout: Duration,
) -> Result<Answer, SendError> {
    let mut req = client()?
        .request(post.method, &post.url)
        .timeout(timeout)
        .header("Content-Type", post.content_type)
        .header("Idempotency-Key", &alert.id);
    for (k, v) in &post.headers {
        req = req.header(k.as_str(), v.as_str());
    }
    if let Some((user, pass)) = &post.basic {
        req = req.basic_auth(user, pass.as_ref());
    }
    if let Some(token) = &post.bearer {
        req = req.bearer_auth(token);
    }
    let resp = req.body(post.body).send().await.map_err(network)?;
    let status = resp.status();
    let body = resp.text().await.unwrap_or_default();
    if status.is_success() {
        return Ok(Answer { body });
    }
    let snippet: String = body.trim().chars().take(200).collect();
    let msg = if snippet.is_empty() {
        format!("HTTP {status}")
    } else {
        format!("HTTP {status}: {snippet}")
    };
    let code = status.as_u16();
    if code == 408 || code == 429 || status.is_server_error() {
        Err(SendError::Transient(msg))
    } else {
        Err(SendError::Permanent(msg))
    }
}

/// A dead man's switch ping (healthchecks style): `GET url`, any 2xx is fine.
pub async fn ping(url: &str, timeout: Duration) -> Result<(), SendError> {
    let resp = client()?
        .get(url)
        .timeout(timeout)
        .send()
        .await
        .map_err(network)?;
    if resp.status().is_success() {
        Ok(())
    } else {
        Err(SendError::Transient(format!("HTTP {}", resp.status())))
    }
}

/// A request that got no HTTP answer. The URL is stripped (it may hold a token); the source
/// chain says why (reqwest's own text is only "error sending request").
fn network(e: reqwest::Error) -> SendError {
    let builder = e.is_builder();
    let timeout = e.is_timeout();
    let e = e.without_url();
    let mut text = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        let more = s.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = s.source();
    }
    if timeout {
        text.push_str(" (timed out)");
    }
    if builder {
        SendError::Permanent(text)
    } else {
        SendError::Transient(text)
    }
}
