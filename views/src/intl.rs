//! Dates and relative times through the browser's `Intl`, in the reader's language and time zone.
//!
//! `Intl` constructors throw on an unknown zone or tag; the bindings here catch that and fall back,
//! so a typo in `time-zone` never stops the widget.

use std::cell::OnceCell;

use js_sys::{Date, Object, Reflect};
use sitrep_shared::Timestamp;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = Intl, js_name = DateTimeFormat)]
    #[derive(Debug)]
    type DateFormat;
    #[wasm_bindgen(catch, constructor, js_namespace = Intl, js_class = "DateTimeFormat")]
    fn new(locale: &str, options: &Object) -> Result<DateFormat, JsValue>;
    #[wasm_bindgen(method, js_name = format)]
    fn format(this: &DateFormat, date: &Date) -> String;
    // Throws where `formatRange` is missing (caught: the range is then built from two formats).
    #[wasm_bindgen(catch, method, js_name = formatRange)]
    fn format_range(this: &DateFormat, start: &Date, end: &Date) -> Result<String, JsValue>;
    #[wasm_bindgen(method, js_name = resolvedOptions)]
    fn resolved_options(this: &DateFormat) -> Object;

    #[wasm_bindgen(js_namespace = Intl, js_name = NumberFormat)]
    #[derive(Debug)]
    type NumberFormat;
    #[wasm_bindgen(catch, constructor, js_namespace = Intl, js_class = "NumberFormat")]
    fn new(locale: &str, options: &Object) -> Result<NumberFormat, JsValue>;
    #[wasm_bindgen(method, js_name = format)]
    fn format(this: &NumberFormat, value: f64) -> String;

    #[wasm_bindgen(js_namespace = Intl, js_name = RelativeTimeFormat)]
    #[derive(Debug)]
    type RelativeFormat;
    #[wasm_bindgen(catch, constructor, js_namespace = Intl, js_class = "RelativeTimeFormat")]
    fn new(locale: &str, options: &Object) -> Result<RelativeFormat, JsValue>;
    #[wasm_bindgen(method, js_name = format)]
    fn format(this: &RelativeFormat, value: f64, unit: &str) -> String;
}

/// Formatters for one locale and zone, each built the first time it is used: the first `Intl`
/// constructor of a page loads the locale's data (tens of milliseconds), and the badge needs none.
#[derive(Debug)]
pub struct Formats {
    locale: String,
    zone: Option<String>,
    /// Each time says its zone ("14:05 CET"): the widget's. A page says it once (see [`Formats::for_page`]).
    zone_names: bool,
    date_time: OnceCell<Option<DateFormat>>,
    day: OnceCell<Option<DateFormat>>,
    relative: OnceCell<Option<RelativeFormat>>,
    clock: OnceCell<Option<DateFormat>>,
    local_day: OnceCell<Option<DateFormat>>,
    percent: OnceCell<Option<NumberFormat>>,
}

fn options(pairs: &[(&str, &str)]) -> Object {
    let object = Object::new();
    for (key, value) in pairs {
        // Setting a property on a fresh plain object cannot fail.
        let _ = Reflect::set(&object, &JsValue::from_str(key), &JsValue::from_str(value));
    }
    object
}

/// A `DateTimeFormat` for the locale and zone; without the zone, then without the locale, when they are invalid.
fn date_format(locale: &str, zone: Option<&str>, pairs: &[(&str, &str)]) -> Option<DateFormat> {
    let with_zone = |zone: &str| {
        let mut all = pairs.to_vec();
        all.push(("timeZone", zone));
        options(&all)
    };
    zone.and_then(|z| DateFormat::new(locale, &with_zone(z)).ok())
        .or_else(|| DateFormat::new(locale, &options(pairs)).ok())
        .or_else(|| DateFormat::new("en", &options(pairs)).ok())
}

/// The zone's canonical name in the host's IANA database (`europe/amsterdam` is `Europe/Amsterdam`),
/// or `None` when the database does not know it: whatever is keyed by a zone keys on this, so
/// spellings of one zone share one entry and made-up names share none.
pub fn canonical_zone(zone: &str) -> Option<String> {
    if zone.is_empty() || zone.len() > 64 {
        return None;
    }
    let format = DateFormat::new("en", &options(&[("timeZone", zone)])).ok()?;
    Reflect::get(&format.resolved_options(), &JsValue::from_str("timeZone")).ok()?.as_string()
}

impl Formats {
    /// Formatters for `locale` in `zone` (the browser's zone when `None` or unknown).
    pub fn new(locale: &str, zone: Option<&str>) -> Self {
        Self {
            locale: locale.to_owned(),
            zone: zone.map(str::to_owned),
            zone_names: true,
            date_time: OnceCell::new(),
            day: OnceCell::new(),
            relative: OnceCell::new(),
            clock: OnceCell::new(),
            local_day: OnceCell::new(),
            percent: OnceCell::new(),
        }
    }

    /// Formatters for a whole page: every time in one zone, said once by the page (its
    /// [`Formats::zone_name`]), not beside each time.
    pub fn for_page(locale: &str, zone: Option<&str>) -> Self {
        Self { zone_names: false, ..Self::new(locale, zone) }
    }

    /// The zone the times are in, by its IANA name ("America/New_York").
    pub fn zone_name(&self) -> String {
        self.date_time_format()
            .and_then(|f| Reflect::get(&f.resolved_options(), &JsValue::from_str("timeZone")).ok())
            .and_then(|zone| zone.as_string())
            .unwrap_or_else(|| "UTC".to_owned())
    }

    fn date_time_format(&self) -> Option<&DateFormat> {
        self.date_time
            .get_or_init(|| {
                let mut pairs = vec![
                    ("year", "numeric"),
                    ("month", "short"),
                    ("day", "numeric"),
                    ("hour", "numeric"),
                    ("minute", "2-digit"),
                ];
                if self.zone_names {
                    pairs.push(("timeZoneName", "short"));
                }
                date_format(&self.locale, self.zone.as_deref(), &pairs)
            })
            .as_ref()
    }

    fn day_format(&self) -> Option<&DateFormat> {
        self.day
            .get_or_init(|| {
                date_format(&self.locale, Some("UTC"), &[("year", "numeric"), ("month", "short"), ("day", "numeric")])
            })
            .as_ref()
    }

    fn relative_format(&self) -> Option<&RelativeFormat> {
        self.relative
            .get_or_init(|| {
                RelativeFormat::new(&self.locale, &options(&[("numeric", "auto")]))
                    .ok()
                    .or_else(|| RelativeFormat::new("en", &options(&[("numeric", "auto")])).ok())
            })
            .as_ref()
    }

    /// Date and time with the zone, such as "23 Nov 2026, 14:05 CET".
    pub fn date_time(&self, at: Timestamp) -> String {
        let date = Date::new(&JsValue::from_f64(at.unix_millis() as f64));
        self.date_time_format().map_or_else(|| iso(at), |f| f.format(&date))
    }

    /// `end` after `start`: only its time when it is on the same day in the zone ("15:30 CET"),
    /// else the date and time, so a window does not repeat its date on both sides of the dash.
    pub fn time_after(&self, start: Timestamp, end: Timestamp) -> String {
        let local_day = self.local_day.get_or_init(|| {
            date_format(
                &self.locale,
                self.zone.as_deref(),
                &[("year", "numeric"), ("month", "numeric"), ("day", "numeric")],
            )
        });
        let clock = self.clock.get_or_init(|| {
            let mut pairs = vec![("hour", "numeric"), ("minute", "2-digit")];
            if self.zone_names {
                pairs.push(("timeZoneName", "short"));
            }
            date_format(&self.locale, self.zone.as_deref(), &pairs)
        });
        let date = |at: Timestamp| Date::new(&JsValue::from_f64(at.unix_millis() as f64));
        match (local_day, clock) {
            (Some(day), Some(clock)) if day.format(&date(start)) == day.format(&date(end)) => clock.format(&date(end)),
            _ => self.date_time(end),
        }
    }

    /// From `start` to `end` in the reader's words ("30 Nov 2026, 02:00–04:00 CET"), the date once
    /// when both are on one day: `Intl.DateTimeFormat.formatRange`, or two formats where it is missing.
    pub fn range(&self, start: Timestamp, end: Timestamp) -> String {
        let date = |at: Timestamp| Date::new(&JsValue::from_f64(at.unix_millis() as f64));
        self.date_time_format()
            .and_then(|f| f.format_range(&date(start), &date(end)).ok())
            .unwrap_or_else(|| format!("{} – {}", self.date_time(start), self.time_after(start, end)))
    }

    /// A fraction as a percentage in the reader's words ("99,99 %" in French), with up to two
    /// decimals, truncated (so 99.999% never reads as 100%); `fallback` where `Intl` is missing.
    pub fn percent(&self, fraction: f64, fallback: impl FnOnce(f64) -> String) -> String {
        let truncated = (fraction.clamp(0.0, 1.0) * 10_000.0).trunc() / 10_000.0;
        let format = self.percent.get_or_init(|| {
            let options = options(&[("style", "percent"), ("maximumFractionDigits", "2")]);
            NumberFormat::new(&self.locale, &options).ok().or_else(|| NumberFormat::new("en", &options).ok())
        });
        format.as_ref().map_or_else(|| fallback(fraction), |f| f.format(truncated))
    }

    /// A UTC day, such as "23 Nov 2026" (uptime days are UTC days).
    pub fn day(&self, date: chrono::NaiveDate) -> String {
        let millis = date.and_time(chrono::NaiveTime::MIN).and_utc().timestamp_millis();
        let js = Date::new(&JsValue::from_f64(millis as f64));
        self.day_format().map_or_else(|| iso_millis(millis).chars().take(10).collect(), |f| f.format(&js))
    }

    /// How long ago (or until) `at` is from `now`, such as "12 minutes ago" or "in 3 days".
    pub fn relative(&self, at: Timestamp, now: Timestamp) -> String {
        let seconds = (at.unix_millis() - now.unix_millis()) as f64 / 1000.0;
        let (value, unit) = relative_unit(seconds);
        self.relative_format().map_or_else(|| format!("{} {unit}", value as i64), |f| f.format(value, unit))
    }
}

/// RFC 3339 in UTC with milliseconds, through the browser (chrono's formatting stays out of the widget).
pub fn iso(at: Timestamp) -> String {
    iso_millis(at.unix_millis())
}

fn iso_millis(millis: i64) -> String {
    String::from(Date::new(&JsValue::from_f64(millis as f64)).to_iso_string())
}

/// The largest unit that keeps the number readable, rounded toward zero.
pub fn relative_unit(seconds: f64) -> (f64, &'static str) {
    let abs = seconds.abs();
    let (divisor, unit) = if abs < 60.0 {
        (1.0, "second")
    } else if abs < 3600.0 {
        (60.0, "minute")
    } else if abs < 86_400.0 {
        (3600.0, "hour")
    } else if abs < 30.0 * 86_400.0 {
        (86_400.0, "day")
    } else if abs < 365.0 * 86_400.0 {
        (30.0 * 86_400.0, "month")
    } else {
        (365.0 * 86_400.0, "year")
    };
    ((seconds / divisor).trunc(), unit)
}

#[cfg(test)]
mod tests {
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    fn ts(text: &str) -> Timestamp {
        Timestamp::parse(text).unwrap()
    }

    #[test]
    fn formats_in_the_given_zone_and_language() {
        let f = Formats::new("en-GB", Some("Europe/Amsterdam"));
        let text = f.date_time(ts("2024-01-16T09:55:00Z"));
        assert!(text.contains("10:55"), "{text}");
        assert!(text.contains("CET") || text.contains("GMT+1"), "the zone is shown: {text}");
        let window = f.time_after(ts("2024-01-16T09:55:00Z"), ts("2024-01-16T11:00:00Z"));
        assert!(window.contains("12:00") && !window.contains("2024"), "same day: the time only: {window}");
        let overnight = f.time_after(ts("2024-01-16T09:55:00Z"), ts("2024-01-17T11:00:00Z"));
        assert!(overnight.contains("2024"), "another day keeps its date: {overnight}");
        let range = f.range(ts("2024-01-16T09:55:00Z"), ts("2024-01-16T11:00:00Z"));
        assert!(range.contains("10:55") && range.contains("12:00"), "{range}");
        assert_eq!(range.matches("2024").count(), 1, "one day, one date: {range}");
        let tokyo = Formats::new("ja", Some("Asia/Tokyo")).date_time(ts("2024-01-16T09:55:00Z"));
        assert!(tokyo.contains("18:55") && tokyo.contains("2024"), "{tokyo}");
    }

    #[test]
    fn a_bad_zone_or_tag_falls_back_instead_of_throwing() {
        let f = Formats::new("not a tag!!", Some("Mars/Olympus"));
        assert!(!f.date_time(ts("2024-01-16T09:55:00Z")).is_empty());
        assert!(!f.relative(ts("2024-01-16T09:55:00Z"), ts("2024-01-16T10:07:00Z")).is_empty());
    }

    #[test]
    fn relative_times_read_naturally() {
        let f = Formats::new("en", None);
        assert_eq!(f.relative(ts("2024-01-16T09:55:00Z"), ts("2024-01-16T10:07:00Z")), "12 minutes ago");
        assert_eq!(f.relative(ts("2024-01-19T10:07:00Z"), ts("2024-01-16T10:07:00Z")), "in 3 days");
        let nl = Formats::new("nl", None);
        assert_eq!(nl.relative(ts("2024-01-16T09:55:00Z"), ts("2024-01-16T10:07:00Z")), "12 minuten geleden");
        assert_eq!(relative_unit(-30.0), (-30.0, "second"));
    }

    #[test]
    fn percentages_read_the_readers_way_and_never_round_up_to_whole() {
        let never = |_: f64| String::from("fallback");
        assert_eq!(Formats::new("en", None).percent(0.9999, never), "99.99%");
        assert_eq!(Formats::new("nl", None).percent(0.9999, never), "99,99%");
        assert_eq!(Formats::new("ja", None).percent(0.125, never), "12.5%");
        assert_eq!(Formats::new("en", None).percent(0.99999, never), "99.99%", "truncated, not 100%");
        assert_eq!(Formats::new("en", None).percent(1.0, never), "100%");
    }
}
