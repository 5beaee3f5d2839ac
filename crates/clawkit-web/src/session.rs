//! The browser's proof that it is the user's: loopback is not a user boundary (other local
//! users and processes reach 127.0.0.1 too). One 256-bit launch token goes into the URL clawkit
//! opens; redeemed once, within five minutes, it becomes an `HttpOnly; SameSite=Strict` cookie
//! with a name unique to this server, and every state change must also carry the per-run CSRF
//! value from the page (cookies are not port-isolated, so the header is what proves our origin).

use std::sync::Mutex;
use std::time::{Duration, Instant};
use subtle::ConstantTimeEq;

/// How long the launch URL stays good.
pub const LAUNCH_TTL: Duration = Duration::from_secs(300);

pub struct Session {
    launch: Mutex<Launch>,
    /// The cookie's name: `clawkit_<random>`, so two servers on one host never share one.
    pub cookie_name: String,
    cookie_value: String,
    /// The per-run CSRF value the page carries in a `<meta>` and sends as `X-Clawkit-Csrf`.
    pub csrf: String,
}

enum Launch {
    Unused { token: String, until: Instant },
    Used,
}

/// What presenting a launch token did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Redeemed {
    /// First use: set the cookie.
    Now,
    /// Right token, already redeemed: the link is dead.
    AlreadyUsed,
    Expired,
    Wrong,
}

/// 32 random bytes, hex.
pub fn random_hex() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the OS random source");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

impl Session {
    pub fn new() -> Session {
        Session::with_launch(random_hex(), Instant::now() + LAUNCH_TTL)
    }

    fn with_launch(token: String, until: Instant) -> Session {
        Session {
            launch: Mutex::new(Launch::Unused { token, until }),
            cookie_name: format!("clawkit_{}", &random_hex()[..12]),
            cookie_value: random_hex(),
            csrf: random_hex(),
        }
    }

    /// The launch token, for the URL clawkit opens (empty once redeemed).
    pub fn launch_token(&self) -> String {
        match &*self.launch.lock().unwrap_or_else(|p| p.into_inner()) {
            Launch::Unused { token, .. } => token.clone(),
            Launch::Used => String::new(),
        }
    }

    /// Redeems `token`; succeeds once.
    pub fn redeem(&self, token: &str) -> Redeemed {
        let mut launch = self.launch.lock().unwrap_or_else(|p| p.into_inner());
        match &*launch {
            Launch::Used => Redeemed::AlreadyUsed,
            Launch::Unused { token: t, .. } if !same(t, token) => Redeemed::Wrong,
            Launch::Unused { until, .. } if Instant::now() > *until => {
                *launch = Launch::Used;
                Redeemed::Expired
            }
            Launch::Unused { .. } => {
                *launch = Launch::Used;
                Redeemed::Now
            }
        }
    }

    /// The `Set-Cookie` value for a redeemed launch.
    pub fn set_cookie(&self) -> String {
        format!(
            "{}={}; HttpOnly; SameSite=Strict; Path=/",
            self.cookie_name, self.cookie_value
        )
    }

    /// Whether a `Cookie` header carries this session's cookie.
    pub fn has_cookie(&self, header: Option<&str>) -> bool {
        header.is_some_and(|h| {
            h.split(';').any(|pair| {
                pair.trim()
                    .split_once('=')
                    .is_some_and(|(k, v)| k == self.cookie_name && same(v, &self.cookie_value))
            })
        })
    }

    pub fn csrf_ok(&self, header: Option<&str>) -> bool {
        header.is_some_and(|h| same(h, &self.csrf))
    }
}

impl Default for Session {
    fn default() -> Self {
        Session::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_launch_token_works_once_and_never_after_it_expires() {
        let s = Session::new();
        let t = s.launch_token();
        assert_eq!(t.len(), 64, "256 bits, hex");
        assert_eq!(s.redeem("nope"), Redeemed::Wrong);
        assert_eq!(s.redeem(&t), Redeemed::Now);
        assert_eq!(s.redeem(&t), Redeemed::AlreadyUsed);
        assert_eq!(s.launch_token(), "");
        let old = Session::with_launch("a".repeat(64), Instant::now() - Duration::from_secs(1));
        assert_eq!(old.redeem(&"a".repeat(64)), Redeemed::Expired);
        assert_eq!(old.redeem(&"a".repeat(64)), Redeemed::AlreadyUsed);
    }

    #[test]
    fn the_cookie_is_this_servers_and_no_other() {
        let s = Session::new();
        let other = Session::new();
        let set = s.set_cookie();
        assert!(
            set.contains("HttpOnly") && set.contains("SameSite=Strict"),
            "{set}"
        );
        let pair = set.split(';').next().unwrap();
        assert!(s.has_cookie(Some(&format!("a=b; {pair}"))));
        assert!(!other.has_cookie(Some(pair)));
        assert!(!s.has_cookie(None));
        assert!(s.csrf_ok(Some(&s.csrf)) && !s.csrf_ok(Some(&other.csrf)) && !s.csrf_ok(None));
    }
}
