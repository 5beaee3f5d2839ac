//! The one parser every scheme shares: Apprise's `schema://[user[:pass]@]authority[/seg…][?k=v&…]`.
//!
//! Not the `url` crate: Apprise URLs are not WHATWG URLs. A Telegram bot token has a colon in
//! the "host" (`tgram://123456:ABC/chat`), Slack and Matrix put `#channel` in the path where a
//! URL has its fragment, and hosts such as webhook ids are case-sensitive. So the parser only
//! splits; each scheme decides what the authority and the segments mean.

use super::ChannelError;

/// A split Apprise URL. Every part is percent-decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Parts {
    /// Lower-cased.
    pub scheme: String,
    pub user: Option<String>,
    pub password: Option<String>,
    /// Everything between `@` (or `://`) and the first `/`: a host, `host:port`, or a token.
    pub authority: String,
    /// Non-empty path segments.
    pub segments: Vec<String>,
    /// Query pairs in order; keys lower-cased except `+Header` keys.
    pub query: Vec<(String, String)>,
}

impl Parts {
    pub fn parse(url: &str) -> Result<Parts, ChannelError> {
        let url = url.trim();
        let Some((scheme, rest)) = url.split_once("://") else {
            return Err(ChannelError::invalid(
                url_head(url),
                "expected `scheme://…` (an Apprise-style URL such as `json://host:port/path`)",
            ));
        };
        let scheme = scheme.to_ascii_lowercase();
        if scheme.is_empty()
            || !scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '+')
        {
            return Err(ChannelError::invalid(
                url_head(url),
                "the scheme may hold only letters and digits",
            ));
        }
        let (before_query, query) = match rest.split_once('?') {
            Some((a, q)) => (a, Some(q)),
            None => (rest, None),
        };
        let (authority_part, path) = match before_query.find('/') {
            Some(i) => (&before_query[..i], &before_query[i + 1..]),
            None => (before_query, ""),
        };
        let (userinfo, authority) = match authority_part.rfind('@') {
            Some(i) => (Some(&authority_part[..i]), &authority_part[i + 1..]),
            None => (None, authority_part),
        };
        let (user, password) = match userinfo {
            None => (None, None),
            Some(info) => match info.split_once(':') {
                Some((u, p)) => (non_empty(decode(u)), non_empty(decode(p))),
                None => (non_empty(decode(info)), None),
            },
        };
        let segments = path
            .split('/')
            .filter(|s| !s.is_empty())
            .map(decode)
            .collect();
        let query = query
            .unwrap_or("")
            .split('&')
            .filter(|kv| !kv.is_empty())
            .map(|kv| {
                let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
                // `+` means a space in a query value, but a leading `+` on a key is Apprise's
                // "add this HTTP header" marker.
                let k = if let Some(header) = k.strip_prefix('+') {
                    format!("+{}", decode(header))
                } else {
                    decode(k).to_ascii_lowercase()
                };
                (k, decode(&v.replace('+', " ")))
            })
            .collect();
        Ok(Parts {
            scheme,
            user,
            password,
            authority: decode(authority),
            segments,
            query,
        })
    }

    /// The last value of query key `key` (lower-case), if given and non-empty.
    pub fn param(&self, key: &str) -> Option<&str> {
        self.query
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }

    /// The authority as `host[:port]` (IPv6 in brackets allowed).
    pub fn host_port(&self, url: &str) -> Result<(String, Option<u16>), ChannelError> {
        let a = self.authority.as_str();
        if a.is_empty() {
            return Err(ChannelError::invalid(url_head(url), "the host is missing"));
        }
        let (host, port) = if let Some(rest) = a.strip_prefix('[') {
            let Some((host, after)) = rest.split_once(']') else {
                return Err(ChannelError::invalid(
                    url_head(url),
                    "unclosed `[` in the host",
                ));
            };
            (format!("[{host}]"), after.strip_prefix(':'))
        } else {
            match a.rsplit_once(':') {
                Some((h, p)) => (h.to_string(), Some(p)),
                None => (a.to_string(), None),
            }
        };
        let port = match port {
            None | Some("") => None,
            Some(p) => Some(p.parse::<u16>().ok().filter(|p| *p != 0).ok_or_else(|| {
                ChannelError::invalid(url_head(url), format!("`{p}` is not a port number"))
            })?),
        };
        if host.is_empty() {
            return Err(ChannelError::invalid(url_head(url), "the host is missing"));
        }
        Ok((host, port))
    }
}

/// `scheme://…`: the part of a URL that may be shown before it is understood (never a secret).
pub(crate) fn url_head(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, _)) => format!("{}://…", scheme.to_ascii_lowercase()),
        None => "(not a URL)".to_string(),
    }
}

fn non_empty(s: String) -> Option<String> {
    (!s.is_empty()).then_some(s)
}

/// Percent-decoding; malformed escapes stay as they are.
pub(crate) fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = |b: u8| (b as char).to_digit(16);
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Percent-encoding of one path segment (RFC 3986 unreserved characters stay).
pub(crate) fn encode_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apprise_shapes_split_where_each_scheme_expects() {
        let p = Parts::parse("tgram://123456:AbC-dEf/-100200").unwrap();
        assert_eq!(p.authority, "123456:AbC-dEf");
        assert_eq!(p.segments, ["-100200"]);

        let p = Parts::parse("slack://T1/B2/c3/#ops").unwrap();
        assert_eq!((p.authority.as_str(), p.segments.len()), ("T1", 3));
        assert_eq!(p.segments[2], "#ops");

        let p = Parts::parse("mailtos://me%40x.org:p%40ss@smtp.x.org:587?to=a@b.c&From=me@x.org")
            .unwrap();
        assert_eq!(p.user.as_deref(), Some("me@x.org"));
        assert_eq!(p.password.as_deref(), Some("p@ss"));
        assert_eq!(p.host_port("").unwrap(), ("smtp.x.org".into(), Some(587)));
        assert_eq!(p.param("from"), Some("me@x.org"));

        let p = Parts::parse("json://[::1]:8080/hook?+X-Token=abc").unwrap();
        assert_eq!(p.host_port("").unwrap(), ("[::1]".into(), Some(8080)));
        assert_eq!(p.query[0], ("+X-Token".into(), "abc".into()));

        assert!(
            Parts::parse("json://h:99999/")
                .unwrap()
                .host_port("json://h:99999/")
                .is_err()
        );
        assert!(Parts::parse("no-scheme").is_err());
        assert_eq!(decode("a%2Fb%zz%4"), "a/b%zz%4");
    }
}
