//! One gateway's share of a log that several gateways write (OpenClaw's default
//! `/tmp/openclaw/openclaw-<date>.log` is every gateway's on the host). Its lines carry no pid
//! or port of their own; a connection's line names the port it reached (`peer=…->…:<port>`),
//! which is how events are told apart. Within the gateway's share, groups that differ only in
//! the client's address or device flag are folded into one per kind, reason and client.

use super::aggregate::Group;
use super::classify::{EventKind, GroupKey};
use std::collections::{BTreeMap, BTreeSet};

/// The groups of one gateway, and which gateway ports wrote the log.
#[derive(Debug, Clone, Default)]
pub struct GatewayShare {
    /// Folded groups of `kind`: one per reason and client, most frequent first.
    pub groups: Vec<Group>,
    /// Every gateway port seen in the log's connection lines, this one included.
    pub ports: BTreeSet<u16>,
    /// Events of `kind` that reached another gateway (left out of `groups`).
    pub others: u64,
}

impl GatewayShare {
    /// Whether connection lines of more than one gateway are in the log.
    pub fn shared(&self) -> bool {
        self.ports.len() > 1
    }
}

/// The groups of `kind` that belong to the gateway on `port` (every group when the port is
/// unknown). An event without a port is kept only while the log shows no other gateway
/// (there is then no one else to blame).
pub fn share_of(groups: &[Group], kind: EventKind, port: Option<u16>) -> GatewayShare {
    let ports: BTreeSet<u16> = groups
        .iter()
        .filter_map(|g| g.key.gateway_port)
        .chain(port)
        .collect();
    let alone = ports.len() <= 1;
    let mut folded: BTreeMap<(String, String), Group> = BTreeMap::new();
    let mut others = 0;
    for g in groups.iter().filter(|g| g.key.kind == kind) {
        let mine = match (port, g.key.gateway_port) {
            (None, _) => true,
            (Some(this), Some(p)) => p == this,
            (Some(_), None) => alone,
        };
        if !mine {
            others += g.count;
            continue;
        }
        let slot = (g.key.reason.clone(), g.key.client.clone());
        match folded.get_mut(&slot) {
            Some(acc) => fold(acc, g),
            None => {
                folded.insert(slot, g.clone());
            }
        }
    }
    let mut groups: Vec<Group> = folded.into_values().collect();
    groups.sort_by_key(|g| std::cmp::Reverse(g.count));
    GatewayShare {
        groups,
        ports,
        others,
    }
}

/// Adds `g` to `acc`: counts add, times widen, differing addresses and device flags blur.
fn fold(acc: &mut Group, g: &Group) {
    acc.count += g.count;
    acc.first_ms = widen(acc.first_ms, g.first_ms, i64::min);
    acc.last_ms = widen(acc.last_ms, g.last_ms, i64::max);
    blur(&mut acc.key, &g.key);
}

fn widen(a: Option<i64>, b: Option<i64>, pick: fn(i64, i64) -> i64) -> Option<i64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(pick(a, b)),
        (a, b) => a.or(b),
    }
}

fn blur(acc: &mut GroupKey, other: &GroupKey) {
    if acc.peer != other.peer {
        acc.peer = "several addresses".into();
    }
    if acc.device != other.device {
        acc.device = None;
    }
    if acc.gateway_port != other.gateway_port {
        acc.gateway_port = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(reason: &str, peer: &str, port: Option<u16>, count: u64, at: (i64, i64)) -> Group {
        Group {
            key: GroupKey {
                kind: EventKind::AuthFailure,
                reason: reason.into(),
                client: "cli/cli".into(),
                device: Some(false),
                peer: peer.into(),
                gateway_port: port,
            },
            count,
            first_ms: Some(at.0),
            last_ms: Some(at.1),
        }
    }

    #[test]
    fn other_gateways_events_are_left_out_and_counted() {
        let groups = [
            group("token_mismatch", "127.0.0.1", Some(100), 2, (10, 20)),
            group("token_mismatch", "127.0.0.1", Some(200), 7, (5, 50)),
        ];
        let share = share_of(&groups, EventKind::AuthFailure, Some(100));
        assert_eq!(share.groups.len(), 1);
        assert_eq!(share.groups[0].count, 2);
        assert_eq!(share.others, 7);
        assert_eq!(share.ports, BTreeSet::from([100, 200]));
        assert!(share.shared());
    }

    #[test]
    fn one_group_per_reason_and_client_with_summed_counts_and_widened_times() {
        let mut ipv6 = group("token_mismatch", "::1", Some(100), 3, (5, 15));
        ipv6.key.device = Some(true);
        let groups = [
            group("token_mismatch", "127.0.0.1", Some(100), 2, (10, 20)),
            ipv6,
            group("token_missing", "127.0.0.1", Some(100), 1, (30, 30)),
        ];
        let share = share_of(&groups, EventKind::AuthFailure, Some(100));
        let reasons: Vec<_> = share.groups.iter().map(|g| g.key.reason.as_str()).collect();
        assert_eq!(reasons, ["token_mismatch", "token_missing"]);
        let g = &share.groups[0];
        assert_eq!((g.count, g.first_ms, g.last_ms), (5, Some(5), Some(20)));
        assert_eq!(g.key.peer, "several addresses");
        assert_eq!(g.key.device, None);
        assert!(!share.shared());
    }

    #[test]
    fn portless_events_are_this_gateways_only_when_no_other_wrote_the_log() {
        let alone = [group("token_mismatch", "?", None, 4, (1, 2))];
        assert_eq!(
            share_of(&alone, EventKind::AuthFailure, Some(100)).groups[0].count,
            4
        );
        let shared = [
            group("token_mismatch", "?", None, 4, (1, 2)),
            group("token_missing", "127.0.0.1", Some(200), 1, (1, 2)),
        ];
        let share = share_of(&shared, EventKind::AuthFailure, Some(100));
        assert!(share.groups.is_empty());
        assert_eq!(share.others, 5);
    }

    #[test]
    fn an_unknown_port_keeps_every_group() {
        let groups = [
            group("token_mismatch", "127.0.0.1", Some(100), 2, (10, 20)),
            group("token_mismatch", "127.0.0.1", Some(200), 7, (5, 50)),
        ];
        let share = share_of(&groups, EventKind::AuthFailure, None);
        assert_eq!(
            (share.groups.len(), share.groups[0].count, share.others),
            (1, 9, 0)
        );
    }

    #[test]
    fn other_kinds_are_not_counted() {
        let mut close = group("pairing-required (code 1008)", "::1", Some(200), 9, (1, 2));
        close.key.kind = EventKind::Close;
        let share = share_of(&[close], EventKind::AuthFailure, Some(100));
        assert_eq!((share.groups.len(), share.others), (0, 0));
        assert!(
            share.shared(),
            "a close still shows another gateway writes the log"
        );
    }
}
