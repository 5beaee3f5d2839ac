//! The crate's one clock and its time formats, so every module agrees on what "now" is and
//! how a log time reads, and no module does calendar arithmetic (or calls libc) by hand.
//!
//! A time is an `i64` of milliseconds since the Unix epoch: the unit OpenClaw uses in its
//! protocol (`ts`) and the one clawkit stores. The calendar work is [`jiff`]'s. This module is a
//! leaf: it imports nothing from the crate.

use jiff::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::TimeZone;

/// Now, in milliseconds since the epoch.
pub fn now_ms() -> i64 {
    Timestamp::now().as_millisecond()
}

/// An RFC 3339 time as OpenClaw writes it → milliseconds since the epoch.
///
/// Accepts `YYYY-MM-DDTHH:MM:SS`, an optional fraction (only milliseconds are kept, the rest
/// is cut), then `Z`, an offset such as `+02:00`, or nothing (read as UTC): the log's `time`
/// (`2026-11-22T01:47:22.075+00:00`), its `_meta.date` (`...Z`) and the console's prefix.
/// Anything else, including impossible dates (`2026-02-30`), is `None`.
pub fn parse_time_ms(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    // The shape gate keeps out the looser forms jiff would also read (a space for `T`,
    // `20261122T…`, a bare date), which never occur in a log and would make a console line's
    // first word look like a time.
    if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' {
        return None;
    }
    let ts = if has_offset(s.get(19..)?) {
        s.parse::<Timestamp>().ok()?
    } else {
        let civil: DateTime = s.parse().ok()?;
        civil.to_zoned(TimeZone::UTC).ok()?.timestamp()
    };
    Some(ts.as_millisecond())
}

/// Whether what follows the seconds (a fraction, then the zone) names a zone.
fn has_offset(after_seconds: &str) -> bool {
    let zone = match after_seconds.strip_prefix('.') {
        Some(fraction) => fraction.trim_start_matches(|c: char| c.is_ascii_digit()),
        None => after_seconds,
    };
    !zone.is_empty()
}

/// `YYYY-MM-DD HH:MM:SS` in UTC, for tables. A time outside the years -9999..=9999 is shown as
/// its number of milliseconds.
pub fn format_time_ms(ms: i64) -> String {
    match Timestamp::from_millisecond(ms) {
        Ok(ts) => ts.strftime("%Y-%m-%d %H:%M:%S").to_string(),
        Err(_) => ms.to_string(),
    }
}

/// `90s`, `30m`, `2h`, `7d`, `1w` (also `sec`, `min`) → milliseconds; `None` for anything else
/// or on overflow.
pub fn parse_duration_ms(s: &str) -> Option<i64> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit())?;
    let (n, unit) = s.split_at(split);
    let n: i64 = n.parse().ok()?;
    let unit_ms = match unit {
        "s" | "sec" => 1_000,
        "m" | "min" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        "w" => 7 * 86_400_000,
        _ => return None,
    };
    n.checked_mul(unit_ms)
}

/// Today's date (`YYYY-MM-DD`) in the host's time zone, as OpenClaw names its daily log file.
/// The zone is found as libc finds it (`TZ`, then `/etc/localtime`); UTC if neither says.
pub fn local_date() -> String {
    date_in(Timestamp::now(), &TimeZone::system())
}

fn date_in(ts: Timestamp, tz: &TimeZone) -> String {
    tz.to_datetime(ts).date().strftime("%Y-%m-%d").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-11-22 01:47:22.075 UTC.
    const T: i64 = 1_795_312_042_075;

    #[test]
    fn times_round_trip() {
        let ms = parse_time_ms("2026-11-22T02:31:34.412+00:00").unwrap();
        assert_eq!(format_time_ms(ms), "2026-11-22 02:31:34");
        assert_eq!(parse_time_ms("2026-11-22T03:31:34.412+01:00"), Some(ms));
        assert_eq!(parse_time_ms("2026-11-22T02:31:34.412Z"), Some(ms));
        assert_eq!(parse_time_ms("not a time"), None);
        assert_eq!(parse_duration_ms("30m"), Some(1_800_000));
        assert_eq!(parse_duration_ms("7x"), None);
    }

    #[test]
    fn reads_the_log_time_formats() {
        // The JSON line's `time`, `_meta.date`, and the console prefix.
        assert_eq!(parse_time_ms("2026-11-22T01:47:22.075+00:00"), Some(T));
        assert_eq!(parse_time_ms("2026-11-22T01:47:22.075Z"), Some(T));
        assert_eq!(parse_time_ms("2026-11-22T01:47:22.075"), Some(T));
        assert_eq!(parse_time_ms("2026-11-22T01:47:22Z"), Some(T - 75));
        assert_eq!(parse_time_ms("2026-11-22T01:47:22"), Some(T - 75));
    }

    #[test]
    fn applies_offsets() {
        assert_eq!(parse_time_ms("2026-11-22T03:47:22.075+02:00"), Some(T));
        assert_eq!(parse_time_ms("2026-11-21T20:17:22.075-05:30"), Some(T));
        // Across midnight and a year boundary.
        assert_eq!(
            parse_time_ms("2027-01-01T00:30:00+01:00"),
            parse_time_ms("2026-12-31T23:30:00Z")
        );
    }

    #[test]
    fn keeps_milliseconds_of_any_fraction() {
        let base = T - 75;
        assert_eq!(parse_time_ms("2026-11-22T01:47:22.5Z"), Some(base + 500));
        assert_eq!(parse_time_ms("2026-11-22T01:47:22.07Z"), Some(base + 70));
        assert_eq!(parse_time_ms("2026-11-22T01:47:22.075999Z"), Some(T));
        assert_eq!(
            parse_time_ms("2026-11-22T01:47:22.075999999+00:00"),
            Some(T)
        );
    }

    #[test]
    fn rejects_what_is_not_such_a_time() {
        for bad in [
            "",
            "not a time",
            "2026-11-22",
            "2026-11-22 01:47:22Z",
            "20261122T014722Z",
            "2026-13-01T00:00:00Z",
            "2026-02-30T00:00:00Z",
            "2026-11-22T24:00:01Z",
            "2026-11-22T01:47:22+99:00",
            "2026-11-22T01:47:22 ",
            "2026-11-22T01:47:22.075+00:00junk",
            "2026-11-22T01:4é:22Z",
            "\u{1b}[33m2026-11-22T01:47:22Z",
        ] {
            assert_eq!(parse_time_ms(bad), None, "{bad:?}");
        }
        assert!(
            parse_time_ms("2028-02-29T00:00:00Z").is_some(),
            "a leap day"
        );
    }

    #[test]
    fn formats_utc_for_tables() {
        assert_eq!(format_time_ms(T), "2026-11-22 01:47:22");
        assert_eq!(format_time_ms(0), "1970-01-01 00:00:00");
        assert_eq!(format_time_ms(-1), "1969-12-31 23:59:59");
        assert_eq!(format_time_ms(i64::MAX), i64::MAX.to_string());
        let ms = parse_time_ms("2026-11-22T02:31:34.412+00:00").unwrap();
        assert_eq!(format_time_ms(ms), "2026-11-22 02:31:34");
    }

    #[test]
    fn reads_durations() {
        assert_eq!(parse_duration_ms("90s"), Some(90_000));
        assert_eq!(parse_duration_ms("30m"), Some(1_800_000));
        assert_eq!(parse_duration_ms("2h"), Some(7_200_000));
        assert_eq!(parse_duration_ms("7d"), Some(604_800_000));
        assert_eq!(parse_duration_ms("1w"), Some(604_800_000));
        assert_eq!(parse_duration_ms(" 5min "), Some(300_000));
        assert_eq!(parse_duration_ms("10sec"), Some(10_000));
        for bad in [
            "",
            "30",
            "m",
            "-5m",
            "7x",
            "1.5h",
            "2 h",
            "99999999999999999w",
        ] {
            assert_eq!(parse_duration_ms(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn local_date_follows_the_zone() {
        let ts =
            Timestamp::from_millisecond(parse_time_ms("2026-11-22T22:30:00Z").unwrap()).unwrap();
        assert_eq!(date_in(ts, &TimeZone::UTC), "2026-11-22");
        let paris_summer = TimeZone::fixed(jiff::tz::offset(2));
        assert_eq!(date_in(ts, &paris_summer), "2026-11-23");
        let new_york = TimeZone::fixed(jiff::tz::offset(-5));
        let early = Timestamp::from_millisecond(T).unwrap();
        assert_eq!(date_in(early, &new_york), "2026-11-21");
        let today = local_date();
        assert!(today.parse::<jiff::civil::Date>().is_ok(), "{today}");
    }

    #[test]
    fn now_is_now() {
        let before = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis() as i64;
        let now = now_ms();
        assert!(now >= before && now - before < 5_000, "{before} {now}");
    }
}
