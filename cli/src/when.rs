//! Times and durations as operators write them: exact (RFC 3339), local to the page's zone, or
//! relative to now. Errors quote the flag and the value, and show the forms that work.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use sitrep_shared::Timestamp;

/// A time zone by its IANA name, with the error an operator can act on.
pub fn zone(name: &str) -> Result<Tz, String> {
    name.parse::<Tz>().map_err(|_| format!("{name:?} is not an IANA time zone (such as Europe/Amsterdam or Etc/UTC)"))
}

/// Which day a bare clock time (`15:30`) is on: the next one (a window to come) or the last one
/// (when an incident began).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bias {
    Next,
    Last,
}

/// Parses the value of `flag`: `2026-11-30T02:00:00Z`, `2026-11-30T03:00+01:00`, `2026-11-30 02:00`
/// or `2026-11-30T02:00` (in `zone`), `15:30` (the next or the last in `zone`, by `bias`),
/// `today 15:30`, `tomorrow 03:00`, `yesterday 23:10`, `+2h` or `+30min` (from `now`), `now`.
pub fn time(flag: &str, value: &str, zone: Tz, now: DateTime<Utc>, bias: Bias) -> Result<Timestamp, String> {
    let text = value.trim();
    let lower = text.to_ascii_lowercase();
    let parsed = if lower == "now" {
        Some(now)
    } else if let Some(rest) = text.strip_prefix('+') {
        duration(rest).ok().map(|d| now + d)
    } else if let Some(exact) = exact(text) {
        Some(exact)
    } else if let Some(at) = local(text).and_then(|naive| in_zone(naive, zone)) {
        Some(at)
    } else {
        on_a_named_day(&lower, zone, now, bias)
    };
    let Some(at) = parsed else {
        return Err(format!("{flag} {value:?} is not a time: write {}", forms(zone, now)));
    };
    Timestamp::from_unix_millis(at.timestamp_millis()).ok_or_else(|| format!("{flag} {value:?} is out of range"))
}

/// The forms, with examples a day from `now` in `zone` (never a date in the past).
pub fn forms(zone: Tz, now: DateTime<Utc>) -> String {
    let tomorrow = (now + Duration::days(1)).with_timezone(&zone).date_naive();
    format!("{tomorrow} 02:00 (in {zone}), 15:30 (the next), tomorrow 03:00, +30m, +2h, now, or {tomorrow}T02:00:00Z")
}

/// `15:30`, `today 15:30`, `tomorrow 03:00`, `yesterday 23:10`, in `zone`.
fn on_a_named_day(lower: &str, zone: Tz, now: DateTime<Utc>, bias: Bias) -> Option<DateTime<Utc>> {
    let today = now.with_timezone(&zone).date_naive();
    let (day, clock) = match lower.split_once(' ') {
        Some(("today", clock)) => (Some(today), clock),
        Some(("tomorrow", clock)) => (today.succ_opt(), clock),
        Some(("yesterday", clock)) => (today.pred_opt(), clock),
        Some(_) => return None,
        None => (None, lower),
    };
    let clock = ["%H:%M", "%H:%M:%S"].iter().find_map(|f| NaiveTime::parse_from_str(clock.trim(), f).ok())?;
    if let Some(day) = day {
        return in_zone(day.and_time(clock), zone);
    }
    let at = in_zone(today.and_time(clock), zone)?;
    match bias {
        Bias::Next if at <= now => in_zone(today.succ_opt()?.and_time(clock), zone),
        Bias::Last if at > now => in_zone(today.pred_opt()?.and_time(clock), zone),
        _ => Some(at),
    }
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

/// `90m`, `2h`, `1h30m`, `1d`, `45s`, and the words people type: `30min`, `2 hours`, `1 day`.
pub fn duration(text: &str) -> Result<Duration, String> {
    let fail = || format!("{text:?} is not a duration: write 90m, 30min, 2h, 1h30m or 1d");
    let mut total = Duration::zero();
    let mut rest = text.trim();
    if rest.is_empty() {
        return Err(fail());
    }
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        let n: i64 = rest[..digits].parse().map_err(|_| fail())?;
        rest = rest[digits..].trim_start();
        let letters = rest.bytes().take_while(u8::is_ascii_alphabetic).count();
        let part = match rest[..letters].to_ascii_lowercase().as_str() {
            "d" | "day" | "days" => Duration::try_days(n),
            "h" | "hr" | "hrs" | "hour" | "hours" => Duration::try_hours(n),
            "m" | "min" | "mins" | "minute" | "minutes" => Duration::try_minutes(n),
            "s" | "sec" | "secs" | "second" | "seconds" => Duration::try_seconds(n),
            _ => None,
        };
        rest = rest[letters..].trim_start();
        total = total.checked_add(&part.ok_or_else(fail)?).ok_or_else(fail)?;
    }
    if total <= Duration::zero() {
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
        time("--from", value, zone(zone_name).unwrap(), now(), Bias::Next).map(|t| t.to_string())
    }

    /// Issue 26, item 11: `15:30`, `tomorrow 03:00` and `+30min` were refused.
    #[test]
    fn the_forms_people_type() {
        // Noon UTC is 13:00 in Amsterdam: 15:30 is still ahead today, 09:00 is tomorrow's.
        assert_eq!(at("15:30", "Europe/Amsterdam").unwrap(), "2026-11-29T14:30:00.000Z");
        assert_eq!(at("09:00", "Europe/Amsterdam").unwrap(), "2026-11-30T08:00:00.000Z");
        let last = time("--started", "09:00", zone("Europe/Amsterdam").unwrap(), now(), Bias::Last).unwrap();
        assert_eq!(last.to_string(), "2026-11-29T08:00:00.000Z", "when it began: the last 09:00");
        assert_eq!(at("tomorrow 03:00", "Europe/Amsterdam").unwrap(), "2026-11-30T02:00:00.000Z");
        assert_eq!(at("Today 15:30", "Etc/UTC").unwrap(), "2026-11-29T15:30:00.000Z");
        assert_eq!(at("yesterday 23:10", "Etc/UTC").unwrap(), "2026-11-28T23:10:00.000Z");
        assert_eq!(at("+30min", "Etc/UTC").unwrap(), "2026-11-29T12:30:00.000Z");
        assert_eq!(at("+2 hours", "Etc/UTC").unwrap(), "2026-11-29T14:00:00.000Z");
        assert_eq!(at("+1 day", "Etc/UTC").unwrap(), "2026-11-30T12:00:00.000Z");
        assert!(at("tomorrow", "Etc/UTC").is_err());
        assert!(at("someday 03:00", "Etc/UTC").is_err());
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
            "--from \"tomorrow\" is not a time: write 2026-11-30 02:00 (in Europe/Amsterdam), 15:30 (the next), \
             tomorrow 03:00, +30m, +2h, now, or 2026-11-30T02:00:00Z"
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
        assert_eq!(duration("30min").unwrap(), Duration::minutes(30));
        assert_eq!(duration("1 hour 15 minutes").unwrap(), Duration::minutes(75));
        for bad in ["", "90", "h", "2x", "0m", "-1h", "2 parsecs"] {
            assert!(duration(bad).is_err(), "{bad}");
        }
    }
}
