//! `json://[user:pass@]host[:port][/path]` and `jsons://…`: one POST of the alert's JSON
//! (the documented payload, `crate::alert::Alert`) per notification. `+Header=value` query
//! pairs add request headers (Apprise's convention); their values are treated as secrets.

use super::http::{self, Post};
use super::url::{Parts, encode_segment};
use super::{ChannelError, MASK, Parsed, SendError};
use crate::alert::Alert;
use std::time::Duration;

#[derive(Clone)]
pub(crate) struct Json {
    url: String,
    headers: Vec<(String, String)>,
    basic: Option<(String, Option<String>)>,
}

pub(crate) fn parse(parts: &Parts, head: &str) -> Result<Parsed, ChannelError> {
    let (host, port) = parts.host_port(head)?;
    let web = http::web_scheme(&parts.scheme, "jsons");
    let path: Vec<String> = parts.segments.iter().map(|s| encode_segment(s)).collect();
    let path = path.join("/");
    let hostport = match port {
        Some(p) => format!("{host}:{p}"),
        None => host.clone(),
    };
    let headers: Vec<(String, String)> = parts
        .query
        .iter()
        .filter_map(|(k, v)| k.strip_prefix('+').map(|h| (h.to_string(), v.clone())))
        .collect();
    for (name, _) in &headers {
        if reqwest::header::HeaderName::from_bytes(name.as_bytes()).is_err() {
            return Err(ChannelError::invalid(
                head,
                format!("`+{name}` is not a valid HTTP header name"),
            ));
        }
    }
    let basic = parts
        .user
        .clone()
        .map(|u| (u, parts.password.clone()))
        .or_else(|| parts.password.clone().map(|p| (String::new(), Some(p))));
    let mut masked = format!("{}://", parts.scheme);
    if let Some((user, pass)) = &basic {
        masked.push_str(user);
        if pass.is_some() {
            masked.push(':');
            masked.push_str(MASK);
        }
        masked.push('@');
    }
    masked.push_str(&hostport);
    masked.push('/');
    masked.push_str(&path);
    if !headers.is_empty() {
        let shown: Vec<String> = headers
            .iter()
            .map(|(k, _)| format!("+{k}={MASK}"))
            .collect();
        masked.push('?');
        masked.push_str(&shown.join("&"));
    }
    let mut secrets: Vec<String> = headers.iter().map(|(_, v)| v.clone()).collect();
    secrets.extend(parts.password.clone());
    Ok(Parsed {
        kind: super::Kind::Json(Json {
            url: format!("{web}://{hostport}/{path}"),
            headers,
            basic,
        }),
        masked,
        secrets,
    })
}

impl Json {
    pub(crate) async fn send(&self, alert: &Alert, timeout: Duration) -> Result<(), SendError> {
        let body = serde_json::to_value(alert).map_err(|e| SendError::Permanent(e.to_string()))?;
        let mut post = Post::json(self.url.clone(), &body);
        post.headers = self.headers.clone();
        post.basic = self.basic.clone();
        http::send(post, alert, timeout).await.map(|_| ())
    }
}
