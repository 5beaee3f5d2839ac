//! Probe samples, tiered the way Uptime Kuma keeps its heartbeats: every WS ping the monitor
//! sends is a probe (answered, with its round trip, or not), summed per gateway into 10 s
//! buckets, and the same sums rolled into minutes, hours and days. Each tier is kept for a
//! set time, so a year of history stays a few thousand rows per gateway. The finest tier is
//! 10 s rather than every ping because a 1 s ping would be 86,400 rows per gateway per day
//! (86 million for a fleet of 1,000).
//!
//! The main loop adds pongs here (cheap, in memory); [`Samples::take_due`] hands over a
//! bucket once it closes and the store writes all four tiers in one transaction.

use rusqlite::{Connection, params};
use serde::Serialize;
use std::collections::HashMap;

/// One tier: its bucket width and how long it is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Tier {
    /// 10 s buckets, kept 24 h.
    Raw,
    /// kept 7 days.
    Minute,
    /// kept 90 days.
    Hour,
    /// kept 2 years.
    Day,
}

const MIN: i64 = 60_000;
const HOUR: i64 = 60 * MIN;
const DAY: i64 = 24 * HOUR;

impl Tier {
    pub const ALL: [Tier; 4] = [Tier::Raw, Tier::Minute, Tier::Hour, Tier::Day];

    pub fn width_ms(self) -> i64 {
        match self {
            Tier::Raw => 10_000,
            Tier::Minute => MIN,
            Tier::Hour => HOUR,
            Tier::Day => DAY,
        }
    }

    pub fn keep_ms(self) -> i64 {
        match self {
            Tier::Raw => DAY,
            Tier::Minute => 7 * DAY,
            Tier::Hour => 90 * DAY,
            Tier::Day => 730 * DAY,
        }
    }

    pub fn word(self) -> &'static str {
        match self {
            Tier::Raw => "raw",
            Tier::Minute => "minute",
            Tier::Hour => "hour",
            Tier::Day => "day",
        }
    }

    /// The finest tier that still holds everything since `since_ms` at `now_ms`.
    pub fn for_since(since_ms: i64, now_ms: i64) -> Tier {
        Tier::ALL
            .into_iter()
            .find(|t| now_ms - since_ms <= t.keep_ms())
            .unwrap_or(Tier::Day)
    }
}

/// Probes summed over a bucket.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Sums {
    /// Pings sent.
    pub probes: i64,
    /// Pings answered in time.
    pub answered: i64,
    pub sum_ms: i64,
    pub min_ms: Option<i64>,
    pub max_ms: Option<i64>,
}

impl Sums {
    pub fn answered(&mut self, rtt_ms: u64) {
        let rtt_ms = i64::try_from(rtt_ms).unwrap_or(i64::MAX);
        self.probes += 1;
        self.answered += 1;
        self.sum_ms += rtt_ms;
        self.min_ms = Some(self.min_ms.map_or(rtt_ms, |m| m.min(rtt_ms)));
        self.max_ms = Some(self.max_ms.map_or(rtt_ms, |m| m.max(rtt_ms)));
    }

    pub fn unanswered(&mut self) {
        self.probes += 1;
    }

    pub fn avg_ms(&self) -> Option<f64> {
        (self.answered > 0).then(|| self.sum_ms as f64 / self.answered as f64)
    }
}

/// The open 10 s bucket of every gateway.
#[derive(Debug, Default)]
pub struct Samples {
    start_ms: Option<i64>,
    open: HashMap<String, Sums>,
}

impl Samples {
    pub fn answered(&mut self, gateway: &str, rtt_ms: u64, now_ms: i64) {
        self.bucket(gateway, now_ms).answered(rtt_ms);
    }

    pub fn unanswered(&mut self, gateway: &str, now_ms: i64) {
        self.bucket(gateway, now_ms).unanswered();
    }

    fn bucket(&mut self, gateway: &str, now_ms: i64) -> &mut Sums {
        self.start_ms
            .get_or_insert_with(|| floor(now_ms, Tier::Raw));
        if !self.open.contains_key(gateway) {
            self.open.insert(gateway.to_string(), Sums::default());
        }
        self.open.get_mut(gateway).expect("just inserted")
    }

    /// The bucket's start and sums once it has closed at `now_ms` (a new one opens with the
    /// next probe).
    pub fn take_due(&mut self, now_ms: i64) -> Option<(i64, Vec<(String, Sums)>)> {
        let start = self.start_ms?;
        if now_ms < start + Tier::Raw.width_ms() {
            return None;
        }
        self.start_ms = None;
        Some((start, self.open.drain().collect()))
    }
}

fn floor(ms: i64, tier: Tier) -> i64 {
    ms - ms.rem_euclid(tier.width_ms())
}

pub(crate) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS sample (
    gateway TEXT NOT NULL, tier TEXT NOT NULL, start_ms INTEGER NOT NULL,
    probes INTEGER NOT NULL, answered INTEGER NOT NULL, sum_ms INTEGER NOT NULL,
    min_ms INTEGER, max_ms INTEGER,
    PRIMARY KEY (gateway, tier, start_ms)) WITHOUT ROWID;
";

/// Adds one closed 10 s bucket to every tier, and drops what each tier no longer keeps.
pub(crate) fn write(
    db: &mut Connection,
    start_ms: i64,
    sums: &[(String, Sums)],
) -> rusqlite::Result<()> {
    let tx = db.transaction()?;
    {
        let mut add = tx.prepare_cached(
            "INSERT INTO sample (gateway, tier, start_ms, probes, answered, sum_ms, min_ms, max_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
             ON CONFLICT(gateway, tier, start_ms) DO UPDATE SET
               probes = probes + excluded.probes, answered = answered + excluded.answered,
               sum_ms = sum_ms + excluded.sum_ms,
               min_ms = CASE WHEN min_ms IS NULL OR excluded.min_ms < min_ms THEN excluded.min_ms ELSE min_ms END,
               max_ms = CASE WHEN max_ms IS NULL OR excluded.max_ms > max_ms THEN excluded.max_ms ELSE max_ms END",
        )?;
        for (gateway, s) in sums {
            for tier in Tier::ALL {
                add.execute(params![
                    gateway,
                    tier.word(),
                    floor(start_ms, tier),
                    s.probes,
                    s.answered,
                    s.sum_ms,
                    s.min_ms,
                    s.max_ms
                ])?;
            }
        }
        let mut prune =
            tx.prepare_cached("DELETE FROM sample WHERE tier = ?1 AND start_ms < ?2")?;
        for tier in Tier::ALL {
            prune.execute(params![tier.word(), start_ms - tier.keep_ms()])?;
        }
    }
    tx.commit()
}

/// One stored bucket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Bucket {
    pub start_ms: i64,
    #[serde(flatten)]
    pub sums: Sums,
}

/// The buckets of `gateway` in `tier` since `since_ms`, oldest first.
pub(crate) fn read(
    db: &Connection,
    gateway: &str,
    tier: Tier,
    since_ms: i64,
) -> rusqlite::Result<Vec<Bucket>> {
    let mut q = db.prepare_cached(
        "SELECT start_ms, probes, answered, sum_ms, min_ms, max_ms FROM sample
         WHERE gateway = ?1 AND tier = ?2 AND start_ms >= ?3 ORDER BY start_ms",
    )?;
    let rows = q.query_map(params![gateway, tier.word(), since_ms], |r| {
        Ok(Bucket {
            start_ms: r.get(0)?,
            sums: Sums {
                probes: r.get(1)?,
                answered: r.get(2)?,
                sum_ms: r.get(3)?,
                min_ms: r.get(4)?,
                max_ms: r.get(5)?,
            },
        })
    })?;
    rows.collect()
}

/// All buckets of `rows` summed into one.
pub fn total(rows: &[Bucket]) -> Sums {
    rows.iter().fold(Sums::default(), |mut t, b| {
        t.probes += b.sums.probes;
        t.answered += b.sums.answered;
        t.sum_ms += b.sums.sum_ms;
        t.min_ms = [t.min_ms, b.sums.min_ms].into_iter().flatten().min();
        t.max_ms = [t.max_ms, b.sums.max_ms].into_iter().flatten().max();
        t
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: i64 = 1_764_374_400_000; // a midnight, UTC

    #[test]
    fn a_bucket_closes_after_10_s_and_sums_its_probes() {
        let mut s = Samples::default();
        s.answered("gw", 4, T0 + 1_000);
        s.answered("gw", 10, T0 + 2_000);
        s.unanswered("gw", T0 + 3_000);
        s.answered("other", 7, T0 + 3_500);
        assert_eq!(s.take_due(T0 + 9_999), None);
        let (start, mut sums) = s.take_due(T0 + 10_000).expect("closed");
        sums.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(start, T0);
        let gw = sums[0].1;
        assert_eq!(
            (gw.probes, gw.answered, gw.min_ms, gw.max_ms),
            (3, 2, Some(4), Some(10))
        );
        assert_eq!(gw.avg_ms(), Some(7.0));
        assert_eq!(s.take_due(T0 + 30_000), None, "nothing since");
        s.answered("gw", 1, T0 + 31_000);
        assert_eq!(s.take_due(T0 + 40_000).map(|b| b.0), Some(T0 + 30_000));
    }

    #[test]
    fn buckets_roll_up_into_every_tier_and_old_ones_are_dropped() {
        let mut db = Connection::open_in_memory().unwrap();
        db.execute_batch(SCHEMA).unwrap();
        let sums = |rtt: u64| {
            let mut s = Sums::default();
            s.answered(rtt);
            s.unanswered();
            vec![("gw".to_string(), s)]
        };
        // Two 10 s buckets in one minute, one in the next, then one a day and a half later.
        write(&mut db, T0, &sums(5)).unwrap();
        write(&mut db, T0 + 10_000, &sums(9)).unwrap();
        write(&mut db, T0 + MIN, &sums(2)).unwrap();
        let minutes = read(&db, "gw", Tier::Minute, 0).unwrap();
        assert_eq!(minutes.len(), 2);
        assert_eq!((minutes[0].sums.probes, minutes[0].sums.answered), (4, 2));
        assert_eq!(
            (minutes[0].sums.min_ms, minutes[0].sums.max_ms),
            (Some(5), Some(9))
        );
        let hour = read(&db, "gw", Tier::Hour, 0).unwrap();
        assert_eq!(hour.len(), 1);
        assert_eq!(total(&hour).sum_ms, 16);
        let later = T0 + DAY + 12 * HOUR;
        write(&mut db, later, &sums(3)).unwrap();
        assert_eq!(
            read(&db, "gw", Tier::Raw, 0).unwrap().len(),
            1,
            "raw buckets older than 24 h are gone"
        );
        assert_eq!(
            read(&db, "gw", Tier::Minute, 0).unwrap().len(),
            3,
            "minutes stay 7 days"
        );
        assert_eq!(read(&db, "gw", Tier::Day, 0).unwrap().len(), 2);
        assert_eq!(Tier::for_since(later - HOUR, later), Tier::Raw);
        assert_eq!(Tier::for_since(later - 3 * DAY, later), Tier::Minute);
        assert_eq!(Tier::for_since(later - 30 * DAY, later), Tier::Hour);
        assert_eq!(Tier::for_since(0, later), Tier::Day);
    }
}
