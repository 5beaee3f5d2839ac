//! Groups classified events by what they share (kind, reason, client, device, peer, port),
//! with a count and the first and last time, for a human-sized report.

use super::classify::{AuthFailure, Classified, GroupKey};
use std::collections::BTreeMap;

#[derive(Debug, Clone, serde::Serialize)]
pub struct Group {
    #[serde(flatten)]
    pub key: GroupKey,
    pub count: u64,
    /// Milliseconds since the epoch; `None` when the lines carry no time.
    pub first_ms: Option<i64>,
    pub last_ms: Option<i64>,
}

/// Accumulates events into groups.
#[derive(Debug, Default)]
pub struct Aggregator {
    groups: BTreeMap<GroupKey, Stats>,
    /// Auth-failure groups found by the fast path, looked up by borrowed fields (there are
    /// few distinct ones, so a linear search beats building a key per line).
    auth: Vec<(AuthFailure<String>, Stats)>,
    pub(super) matched: u64,
    pub(super) unparsed: u64,
}

type Stats = (u64, Option<i64>, Option<i64>);

fn bump(stats: &mut Stats, time: Option<i64>) {
    stats.0 += 1;
    if let Some(t) = time {
        stats.1 = Some(stats.1.map_or(t, |f| f.min(t)));
        stats.2 = Some(stats.2.map_or(t, |l| l.max(t)));
    }
}

impl Aggregator {
    pub(super) fn add_auth(&mut self, auth: &AuthFailure<&str>, time: Option<i64>) {
        match self.auth.iter_mut().find(|(k, _)| k.same(auth)) {
            Some((_, stats)) => bump(stats, time),
            None => self.auth.push((auth.owned(), (1, time, time))),
        }
    }

    /// Counts one classified line, unless its event is older than `since_ms`.
    pub(super) fn add_classified(&mut self, line: Classified, since_ms: Option<i64>) {
        match line {
            Classified::Event(e) => {
                if since_ms.is_none_or(|since| e.time_ms.is_none_or(|t| t >= since)) {
                    self.add(e.key, e.time_ms);
                }
            }
            Classified::Counted => {}
            Classified::Unparsed => self.unparsed += 1,
        }
    }

    fn add(&mut self, key: GroupKey, time: Option<i64>) {
        bump(self.groups.entry(key).or_insert((0, None, None)), time);
    }

    /// Moves the fast-path groups into the keyed map.
    fn fold_auth(&mut self) {
        for (k, stats) in std::mem::take(&mut self.auth) {
            self.merge_one(k.key(), stats);
        }
    }

    fn merge_one(&mut self, key: GroupKey, (count, first, last): Stats) {
        let entry = self.groups.entry(key).or_insert((0, None, None));
        entry.0 += count;
        entry.1 = match (entry.1, first) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        entry.2 = match (entry.2, last) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
    }

    pub(super) fn merge(&mut self, mut other: Aggregator) {
        other.fold_auth();
        self.matched += other.matched;
        self.unparsed += other.unparsed;
        for (key, stats) in other.groups {
            self.merge_one(key, stats);
        }
    }

    pub fn finish(mut self) -> Vec<Group> {
        self.fold_auth();
        let mut groups: Vec<Group> = self
            .groups
            .into_iter()
            .map(|(key, (count, first_ms, last_ms))| Group {
                key,
                count,
                first_ms,
                last_ms,
            })
            .collect();
        groups.sort_by(|a, b| a.key.kind.cmp(&b.key.kind).then(b.count.cmp(&a.count)));
        groups
    }
}
