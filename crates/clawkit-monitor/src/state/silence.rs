//! Silences (`clawkit monitor silence 30m [--gateway NAME]`) and maintenance windows from the
//! config: while one covers a gateway its alerts are recorded but not sent, and the recovery
//! of an incident whose alert was held back is held back too.

use serde::{Deserialize, Serialize};

/// A silence until a time, for one gateway or all.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Silence {
    pub gateway: Option<String>,
    pub until_ms: i64,
    pub reason: String,
}

/// A recurring window in UTC: `start`..`end` as minutes of the day (an `end` before `start`
/// crosses midnight), on `days` (0 = Monday; empty: every day).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Window {
    pub gateway: Option<String>,
    pub days: Vec<u8>,
    pub start_min: u16,
    pub end_min: u16,
}

impl Window {
    /// `"Sun 02:00-04:00"`, `"daily 23:30-00:30"`, `"Mon,Tue 09:00-09:15"`.
    pub fn parse(gateway: Option<String>, text: &str) -> Result<Window, String> {
        let bad = || {
            format!(
                "maintenance window `{text}`: expected e.g. `daily 02:00-04:00` or `Sun,Wed 23:30-00:30` (UTC)"
            )
        };
        let (days, span) = text.trim().split_once(' ').ok_or_else(bad)?;
        let days = match days {
            "daily" => Vec::new(),
            list => list
                .split(',')
                .map(|d| weekday(d).ok_or_else(bad))
                .collect::<Result<Vec<u8>, String>>()?,
        };
        let (a, b) = span.trim().split_once('-').ok_or_else(bad)?;
        Ok(Window {
            gateway,
            days,
            start_min: minute_of_day(a).ok_or_else(bad)?,
            end_min: minute_of_day(b).ok_or_else(bad)?,
        })
    }

    fn covers(&self, at_ms: i64) -> bool {
        let minutes = at_ms.div_euclid(60_000);
        let minute = minutes.rem_euclid(24 * 60) as u16;
        // 1970-01-01 was a Thursday (3, counting Monday as 0).
        let day = (minutes.div_euclid(24 * 60) + 3).rem_euclid(7) as u8;
        let (inside, day_of_start) = if self.start_min <= self.end_min {
            (minute >= self.start_min && minute < self.end_min, day)
        } else if minute >= self.start_min {
            (true, day)
        } else {
            (minute < self.end_min, (day + 6) % 7)
        };
        inside && (self.days.is_empty() || self.days.contains(&day_of_start))
    }
}

fn weekday(d: &str) -> Option<u8> {
    let names = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    let d = d.trim().to_ascii_lowercase();
    names.iter().position(|n| d.starts_with(n)).map(|p| p as u8)
}

fn minute_of_day(t: &str) -> Option<u16> {
    let (h, m) = t.trim().split_once(':')?;
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60).then_some(h * 60 + m)
}

/// Every silence and window in force.
#[derive(Debug, Clone, Default)]
pub struct Quiet {
    pub silences: Vec<Silence>,
    pub windows: Vec<Window>,
}

impl Quiet {
    /// Whether alerts about `gateway` are held back at `at_ms`.
    pub fn holds(&self, gateway: &str, at_ms: i64) -> bool {
        let about = |g: &Option<String>| g.as_deref().is_none_or(|g| g == gateway);
        self.silences
            .iter()
            .any(|s| about(&s.gateway) && at_ms < s.until_ms)
            || self
                .windows
                .iter()
                .any(|w| about(&w.gateway) && w.covers(at_ms))
    }

    /// Drops the silences that ended before `now_ms`.
    pub fn expire(&mut self, now_ms: i64) {
        self.silences.retain(|s| s.until_ms > now_ms);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-11-29 was a Sunday.
    const SUNDAY_MIDNIGHT: i64 = 1_795_910_400_000;
    const MIN: i64 = 60_000;

    #[test]
    fn windows_cover_their_days_and_cross_midnight() {
        let w = Window::parse(None, "Sun 02:00-04:00").unwrap();
        assert!(w.covers(SUNDAY_MIDNIGHT + 150 * MIN));
        assert!(!w.covers(SUNDAY_MIDNIGHT + 250 * MIN));
        assert!(!w.covers(SUNDAY_MIDNIGHT + (24 * 60 + 150) * MIN), "Monday");
        let night = Window::parse(None, "Sat 23:30-00:30").unwrap();
        assert!(night.covers(SUNDAY_MIDNIGHT - 10 * MIN), "Saturday 23:50");
        assert!(
            night.covers(SUNDAY_MIDNIGHT + 10 * MIN),
            "Sunday 00:10 belongs to Saturday's window"
        );
        assert!(!night.covers(SUNDAY_MIDNIGHT + 40 * MIN));
        let daily = Window::parse(None, "daily 09:00-09:15").unwrap();
        assert!(daily.covers(SUNDAY_MIDNIGHT + (3 * 24 * 60 + 9 * 60 + 5) * MIN));
        for bad in [
            "Sun",
            "Funday 01:00-02:00",
            "daily 25:00-26:00",
            "daily 9-10",
        ] {
            assert!(Window::parse(None, bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn silences_hold_their_gateway_until_they_end() {
        let mut q = Quiet {
            silences: vec![Silence {
                gateway: Some("a".into()),
                until_ms: 1_000,
                reason: "deploy".into(),
            }],
            windows: Vec::new(),
        };
        assert!(q.holds("a", 999) && !q.holds("b", 999) && !q.holds("a", 1_000));
        q.expire(1_000);
        assert!(q.silences.is_empty());
    }
}
