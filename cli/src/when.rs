//! Times and durations as operators write them: exact (RFC 3339), local to the page's zone, or
//! relative to now. Errors quote the flag and the value, and show the forms that work.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use sitrep_shared::Timestamp;

/// A time zone by its IANA name, with the error an operator can act on.
pub fn zone(name: &str) -> Result<Tz, String> {
    name.parse::<Tz>().map_err(|_| format!("{name:?} is not an IANA time zone (such as Europe/Amsterdam or Etc/UTC)"))
}

/// Parses the value of `flag`: `2026-11-30T02:00:00Z`, `2026-11-30T03:00+01:00`, `2026-11-30 02:00`
/// or `2026-11-30T02:00` (in `zone`), `+2h` (from `now`), `now`.
pub fn time(flag: &str, value: &str, zone: Tz, now: DateTime<Utc>) -> Result<Timestamp, String> {
    let text = value.trim();
    let parsed = if text.eq_ignore_ascii_case("now") {
        Some(now)
    } else if let Some(rest) = text.strip_prefix('+') {
        duration(rest).ok().map(|d| now + d)
    } else if let Some(exact) = exact(text) {
        Some(exact)
    } else {
        local(text).and_then(|naive| in_zone(naive, zone))
    };
    let Some(at) = parsed else {
        return Err(format!(
            "{flag} {value:?} is not a time: write 2026-11-30 02:00 (in {zone}), 2026-11-30T02:00:00Z, or +2h"
        ));
    };
    Timestamp::from_unix_millis(at.timestamp_millis()).ok_or_else(|| format!("{flag} {value:?} is out of range"))
}

/// RFC 3339, and the same with minutes only (`2026-11-30T03:00+01:00`, `2026-11-30 02:00Z`).
fn exact(text: &str) -> Option<DateTime<Utc>> {
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Some(at.with_timezone(&Utc));
    }
    let text = text.strip_suffix('Z').map_or_else(|| text.to_owned(), |t| format!("{t}+00:00"));
    ["%Y-%m-%dT%H:%M%:z", "%Y-%m-%d %H:%M%:z"]
        .iter()
        .find_map(|format| DateTime::parse_from_str(&text, format).ok())
        .map(|at| at.with_timezone(&Utc))
}

/// `2026-11-30 02:00`, `2026-11-30T02:00`, with optional seconds.
fn local(text: &str) -> Option<NaiveDateTime> {
    ["%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S"]
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())
}

/// A wall-clock time in `zone`; in a repeated hour (autumn), the first; in a skipped hour, none.
pub fn in_zone(naive: NaiveDateTime, zone: Tz) -> Option<DateTime<Utc>> {
    zone.from_local_datetime(&naive).earliest().map(|t| t.with_timezone(&Utc))
}

/// The start of a day in `zone`.
pub fn day_start(date: NaiveDate, zone: Tz) -> Option<DateTime<Utc>> {
    in_zone(date.and_time(NaiveTime::MIN), zone)
}

/// `90m`, `2h`, `1h30m`, `1d`, `45s`.
pub fn duration(text: &str) -> Result<Duration, String> {
    let fail = || format!("{text:?} is not a duration: write 90m, 2h, 1h30m or 1d");
    let mut total = Duration::zero();
    let mut digits = String::new();
    for c in text.trim().chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        let n: i64 = digits.parse().map_err(|_| fail())?;
        digits.clear();
        let part = match c {
            'd' => Duration::try_days(n),
            'h' => Duration::try_hours(n),
            'm' => Duration::try_minutes(n),
            's' => Duration::try_seconds(n),
            _ => None,
        };
        total = total.checked_add(&part.ok_or_else(fail)?).ok_or_else(fail)?;
    }
    if !digits.is_empty() || total <= Duration::zero() {
        return Err(fail());
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-29T12:00:00Z").unwrap().with_timezone(&Utc)
    }

    fn at(value: &str, zone_name: &str) -> Result<String, String> {
        time("--from", value, zone(zone_name).unwrap(), now()).map(|t| t.to_string())
    }

    #[test]
    fn exact_local_and_relative_times() {
        assert_eq!(at("2026-11-30T02:00:00Z", "Europe/Amsterdam").unwrap(), "2026-11-30T02:00:00.000Z");
        assert_eq!(at("2026-11-30T03:00+01:00", "Etc/UTC").unwrap(), "2026-11-30T02:00:00.000Z");
        assert_eq!(at("2026-11-30 02:00", "Europe/Amsterdam").unwrap(), "2026-11-30T01:00:00.000Z");
        assert_eq!(at("2026-11-30T02:00", "Asia/Tokyo").unwrap(), "2026-11-29T17:00:00.000Z");
        assert_eq!(at("+2h", "Asia/Tokyo").unwrap(), "2026-11-29T14:00:00.000Z");
        assert_eq!(at("+1h30m", "Etc/UTC").unwrap(), "2026-11-29T13:30:00.000Z");
        assert_eq!(at("now", "Etc/UTC").unwrap(), "2026-11-29T12:00:00.000Z");
    }

    #[test]
    fn a_bad_time_names_the_flag_the_value_and_the_forms() {
        let err = at("tomorrow", "Europe/Amsterdam").unwrap_err();
        assert_eq!(
            err,
            "--from \"tomorrow\" is not a time: write 2026-11-30 02:00 (in Europe/Amsterdam), 2026-11-30T02:00:00Z, or +2h"
        );
        // A wall-clock time that does not exist (the spring gap) is refused, not shifted.
        assert!(at("2026-03-29 02:30", "Europe/Amsterdam").is_err());
        assert!(zone("Mars/Olympus").unwrap_err().contains("IANA"));
    }

    #[test]
    fn durations() {
        assert_eq!(duration("90m").unwrap(), Duration::minutes(90));
        assert_eq!(duration("1h30m").unwrap(), Duration::minutes(90));
        assert_eq!(duration("1d").unwrap(), Duration::hours(24));
        for bad in ["", "90", "h", "2x", "0m", "-1h"] {
            assert!(duration(bad).is_err(), "{bad}");
        }
    }
}
