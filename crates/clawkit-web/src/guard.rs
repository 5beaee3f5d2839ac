//! Every request passes here before any route: the Host must name this server on loopback
//! (DNS rebinding), everything but the launch URL needs the session cookie, and a state change
//! must be a same-origin POST that carries the CSRF header. Refusals change nothing and say
//! why; every response gets the security headers.

use crate::session::Session;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};

/// Why a request was turned away.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub status: StatusCode,
    pub why: &'static str,
}

const fn refuse(status: StatusCode, why: &'static str) -> Refusal {
    Refusal { status, why }
}

/// The names this server answers to on `port`.
pub fn allowed_hosts(port: u16) -> [String; 3] {
    [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        format!("[::1]:{port}"),
    ]
}

fn get(headers: &HeaderMap, name: header::HeaderName) -> Option<&str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// Whether the request may reach routing.
pub fn check(
    method: &Method,
    path: &str,
    query: Option<&str>,
    headers: &HeaderMap,
    port: u16,
    session: &Session,
) -> Result<(), Refusal> {
    let host = get(headers, header::HOST).unwrap_or_default();
    if !allowed_hosts(port).iter().any(|h| h == host) {
        return Err(refuse(
            StatusCode::FORBIDDEN,
            "this server answers only to 127.0.0.1, localhost or [::1] on its own port",
        ));
    }
    let launching = method == Method::GET
        && path == "/"
        && query.is_some_and(|q| q.split('&').any(|kv| kv.starts_with("t=")));
    if launching {
        return Ok(());
    }
    if !session.has_cookie(get(headers, header::COOKIE)) {
        return Err(refuse(
            StatusCode::UNAUTHORIZED,
            "no session: open the link `clawkit web` printed (it works once), or run `clawkit web` again",
        ));
    }
    if method == Method::GET || method == Method::HEAD {
        return Ok(());
    }
    if method != Method::POST {
        return Err(refuse(StatusCode::METHOD_NOT_ALLOWED, "changes are POSTs"));
    }
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok())
        && site != "same-origin"
    {
        return Err(refuse(StatusCode::FORBIDDEN, "a cross-site request"));
    }
    if let Some(origin) = get(headers, header::ORIGIN)
        && origin != format!("http://{host}")
    {
        return Err(refuse(StatusCode::FORBIDDEN, "another origin"));
    }
    if !session.csrf_ok(headers.get("x-clawkit-csrf").and_then(|v| v.to_str().ok())) {
        return Err(refuse(
            StatusCode::FORBIDDEN,
            "missing or wrong X-Clawkit-Csrf: reload the page",
        ));
    }
    Ok(())
}

/// The headers every response carries.
pub fn secure(headers: &mut HeaderMap) {
    let set = |h: &mut HeaderMap, k: &'static str, v: &'static str| {
        h.insert(k, HeaderValue::from_static(v));
    };
    set(
        headers,
        "content-security-policy",
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
         connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    );
    set(headers, "x-frame-options", "DENY");
    set(headers, "x-content-type-options", "nosniff");
    set(headers, "cross-origin-resource-policy", "same-origin");
    set(headers, "cross-origin-opener-policy", "same-origin");
    set(headers, "referrer-policy", "no-referrer");
    set(headers, "cache-control", "no-store");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn each_rule_refuses_on_its_own() {
        let s = Session::new();
        let cookie = s.set_cookie().split(';').next().unwrap().to_string();
        let good = [
            ("host", "127.0.0.1:4000"),
            ("cookie", cookie.as_str()),
            ("sec-fetch-site", "same-origin"),
            ("origin", "http://127.0.0.1:4000"),
            ("x-clawkit-csrf", s.csrf.as_str()),
        ];
        let post = |h: &[(&'static str, &str)]| {
            check(&Method::POST, "/api/x", None, &headers(h), 4000, &s).map_err(|r| r.status)
        };
        assert_eq!(post(&good), Ok(()));
        let without = |k: &str| -> Vec<(&'static str, &str)> {
            good.iter().filter(|(n, _)| *n != k).cloned().collect()
        };
        let with = |k: &'static str, v: &'static str| -> Vec<(&'static str, &str)> {
            let mut h = without(k);
            h.push((k, v));
            h
        };
        assert_eq!(
            post(&with("host", "evil.test:4000")),
            Err(StatusCode::FORBIDDEN)
        );
        assert_eq!(
            post(&with("host", "127.0.0.1:4001")),
            Err(StatusCode::FORBIDDEN)
        );
        assert_eq!(post(&without("cookie")), Err(StatusCode::UNAUTHORIZED));
        assert_eq!(
            post(&with("sec-fetch-site", "cross-site")),
            Err(StatusCode::FORBIDDEN)
        );
        assert_eq!(
            post(&with("origin", "https://evil.test")),
            Err(StatusCode::FORBIDDEN)
        );
        assert_eq!(post(&without("x-clawkit-csrf")), Err(StatusCode::FORBIDDEN));
        let get = check(
            &Method::GET,
            "/",
            Some("t=abc"),
            &headers(&[("host", "localhost:4000")]),
            4000,
            &s,
        );
        assert_eq!(get, Ok(()), "the launch URL needs no cookie");
        let put = check(&Method::PUT, "/api/x", None, &headers(&good), 4000, &s);
        assert_eq!(
            put.map_err(|r| r.status),
            Err(StatusCode::METHOD_NOT_ALLOWED)
        );
    }
}
