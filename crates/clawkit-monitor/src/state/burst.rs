//! Client auth failures from the log, counted per client and reason: an alert when a burst
//! passes the threshold (at once for a peer that is not on loopback: someone out there is
//! guessing), then quiet for a cooldown so a client stuck on an old token is one alert, not
//! one per retry.

use super::policy::Policy;
use std::collections::HashMap;

#[derive(Debug, Default)]
pub struct Bursts {
    keys: HashMap<(String, String), Counter>,
}

#[derive(Debug, Default)]
struct Counter {
    /// (time, count) of the reports inside the window.
    window: Vec<(i64, u64)>,
    quiet_until_ms: i64,
    peers: Vec<String>,
}

/// A burst to alert about.
#[derive(Debug, Clone, PartialEq)]
pub struct Burst {
    pub client: String,
    pub reason: String,
    pub count: u64,
    pub peers: Vec<String>,
    pub remote_peer: bool,
}

impl Bursts {
    pub fn add(
        &mut self,
        p: &Policy,
        (client, reason): (&str, &str),
        peer: Option<&str>,
        count: u64,
        at_ms: i64,
    ) -> Option<Burst> {
        let c = self
            .keys
            .entry((client.to_string(), reason.to_string()))
            .or_default();
        c.window
            .retain(|(t, _)| at_ms - t < p.burst_window_ms as i64);
        c.window.push((at_ms, count));
        if let Some(peer) = peer.filter(|x| !c.peers.iter().any(|seen| seen == x)) {
            c.peers.push(peer.to_string());
        }
        let total: u64 = c.window.iter().map(|(_, n)| n).sum();
        let remote_peer = c.peers.iter().any(|x| !is_loopback(x));
        if at_ms < c.quiet_until_ms || (total < p.burst_failures && !remote_peer) {
            return None;
        }
        c.quiet_until_ms = at_ms + p.burst_cooldown_ms as i64;
        let burst = Burst {
            client: client.to_string(),
            reason: reason.to_string(),
            count: total,
            peers: std::mem::take(&mut c.peers),
            remote_peer,
        };
        c.window.clear();
        Some(burst)
    }
}

/// `127.0.0.1`, `::1`, `127.0.0.1:5555`, `[::1]:5555`, `localhost`.
fn is_loopback(peer: &str) -> bool {
    let host = peer
        .strip_prefix('[')
        .and_then(|p| p.split(']').next())
        .unwrap_or_else(|| match peer.matches(':').count() {
            1 => peer.split(':').next().unwrap_or(peer),
            _ => peer,
        });
    host == "localhost"
        || host == "::1"
        || host
            .parse::<std::net::Ipv4Addr>()
            .is_ok_and(|a| a.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_alerts_once_per_cooldown_and_a_remote_peer_at_once() {
        let p = Policy::default();
        let mut b = Bursts::default();
        let key = ("cli", "token_mismatch");
        for i in 0..4 {
            assert_eq!(b.add(&p, key, Some("127.0.0.1:4000"), 1, i), None);
        }
        let burst = b.add(&p, key, Some("127.0.0.1:4001"), 1, 5).unwrap();
        assert_eq!((burst.count, burst.remote_peer), (5, false));
        assert_eq!(b.add(&p, key, None, 50, 10), None, "cooling down");
        let later = p.burst_cooldown_ms as i64 + 10;
        assert_eq!(
            b.add(&p, key, None, 1, later),
            None,
            "the window starts over"
        );
        let remote = b
            .add(
                &p,
                ("webchat", "token_mismatch"),
                Some("203.0.113.9:5000"),
                1,
                0,
            )
            .unwrap();
        assert!(remote.remote_peer && remote.peers == ["203.0.113.9:5000"]);
        assert!(is_loopback("[::1]:80") && is_loopback("localhost") && !is_loopback("10.0.0.1"));
    }
}
