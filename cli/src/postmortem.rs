//! A postmortem written as a Markdown file (the layout is `args::POSTMORTEM_LAYOUT`), turned into
//! the write API's draft with every part kept: summary, sections, timeline with its precision,
//! impact window, action items, language. Whatever the mapping does not understand is an error
//! naming its line; nothing is dropped.
//!
//! Hand-written rather than a Markdown crate: the file is read line by line into a fixed layout,
//! and section bodies go to the edge verbatim, where `shared::markdown` is the one parser readers'
//! text goes through.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Timelike, Utc};
use chrono_tz::Tz;
use sitrep_shared::Timestamp;
use sitrep_shared::command::PostmortemDraft;
use sitrep_shared::postmortem::{ActionItem, ImpactWindow, Precision, Section, TimelineEntry};

use crate::when;

/// The draft a file describes; `zone` is the page's, for times written without one.
pub fn draft(text: &str, zone: Tz) -> Result<PostmortemDraft, Vec<String>> {
    let mut reader = Reader { errors: Vec::new(), zone, language: None, impact: (None, None), day: None };
    let lines: Vec<&str> = text.lines().collect();
    let body_start = reader.front_matter(&lines);
    let mut summary = Vec::new();
    let mut sections: Vec<(usize, String, Vec<&str>)> = Vec::new();
    let mut titled = false;
    for (n, line) in lines.iter().enumerate().skip(body_start) {
        let number = n + 1;
        if let Some(title) = line.strip_prefix("## ") {
            sections.push((number, title.trim().to_owned(), Vec::new()));
        } else if let Some((_, _, body)) = sections.last_mut() {
            body.push(line);
        } else if line.starts_with("# ") {
            if titled || summary.iter().any(|l: &&str| !l.trim().is_empty()) {
                reader.error(number, "a second `# ` title: sections start with `## `");
            }
            titled = true;
        } else {
            summary.push(line);
        }
    }
    let mut draft = PostmortemDraft {
        summary: summary.join("\n").trim().to_owned(),
        language: None,
        impact_window: None,
        sections: Vec::new(),
        action_items: Vec::new(),
        timeline: Vec::new(),
        timeline_after: None,
    };
    for (number, title, body) in sections {
        let lower = title.to_ascii_lowercase();
        let timeline_day = lower.strip_prefix("timeline").and_then(named_day);
        match lower.as_str() {
            _ if timeline_day.is_some() || lower == "timeline" => {
                if timeline_day.is_some() {
                    reader.day = timeline_day;
                }
                // Where the author put it among the sections.
                draft.timeline_after = u32::try_from(draft.sections.len()).ok();
                draft.timeline.extend(reader.timeline(number, &body));
            }
            "action items" => draft.action_items.extend(reader.action_items(number, &body)),
            "summary" if draft.summary.is_empty() => draft.summary = body.join("\n").trim().to_owned(),
            "summary" => reader.error(number, "a `## Summary` section and text before it: keep one"),
            "" => reader.error(number, "a section without a title"),
            _ => draft.sections.push(Section { title, body: body.join("\n").trim().to_owned() }),
        }
    }
    if draft.summary.is_empty() {
        reader.error(body_start + 1, "no summary: write a paragraph before the first `## ` section");
    }
    draft.language = reader.language.take();
    match reader.impact {
        (Some(start), Some(end)) => draft.impact_window = Some(ImpactWindow { start, end }),
        (None, None) => {}
        _ => reader.error(1, "impact_start and impact_end go together"),
    }
    if reader.errors.is_empty() { Ok(draft) } else { Err(reader.errors) }
}

struct Reader {
    errors: Vec<String>,
    zone: Tz,
    language: Option<String>,
    impact: (Option<Timestamp>, Option<Timestamp>),
    /// The day a time-only timeline line (`14:50 UTC: …`) falls on: the one the `## Timeline`
    /// heading names, else the last dated line's, else the impact's start.
    day: Option<NaiveDate>,
}

impl Reader {
    fn error(&mut self, line: usize, message: impl Into<String>) {
        self.errors.push(format!("line {line}: {}", message.into()));
    }

    /// Reads the `---` block at the top, if any; returns the index of the first line after it.
    fn front_matter(&mut self, lines: &[&str]) -> usize {
        let first = lines.iter().position(|l| !l.trim().is_empty());
        if first.map(|n| lines[n].trim()) != Some("---") {
            return 0;
        }
        let start = first.unwrap_or(0) + 1;
        let Some(len) = lines[start..].iter().position(|l| l.trim() == "---") else {
            self.error(start, "the front matter's `---` is never closed");
            return lines.len();
        };
        let mut times = Vec::new();
        for (n, line) in lines[start..start + len].iter().enumerate() {
            let number = start + n + 1;
            if line.trim().is_empty() || line.trim_start().starts_with('#') {
                continue;
            }
            let Some((key, value)) = line.split_once(':') else {
                self.error(number, format!("{:?} is not `key: value`", line.trim()));
                continue;
            };
            let value = value.trim();
            match key.trim() {
                "language" => self.language = Some(value.to_owned()),
                "time_zone" => match when::zone(value) {
                    Ok(zone) => self.zone = zone,
                    Err(err) => self.error(number, err),
                },
                key @ ("impact_start" | "impact_end") => times.push((number, key, value)),
                other => self.error(
                    number,
                    format!("unknown key {other:?} (known: language, time_zone, impact_start, impact_end)"),
                ),
            }
        }
        // After the zone, wherever it was written.
        for (number, key, value) in times {
            match self.time(value) {
                Some((at, Precision::Minute)) if key == "impact_start" => {
                    self.impact.0 = Some(at);
                    self.day = self.day.or_else(|| named_day(value));
                }
                Some((at, Precision::Minute)) => self.impact.1 = Some(at),
                _ => self.error(number, format!("{key}: {value:?} is not a time such as 2020-12-09 11:28")),
            }
        }
        start + len + 1
    }

    /// A whole value that is a time (see [`parse_time`]).
    fn time(&self, text: &str) -> Option<(Timestamp, Precision)> {
        parse_time(text.trim(), self.zone)
    }

    /// The length of the longest time that starts `text`, if one does.
    fn time_len(&self, text: &str) -> Option<usize> {
        (10..=text.len())
            .rev()
            .filter(|&end| text.is_char_boundary(end))
            .find(|&end| parse_time(&text[..end], self.zone).is_some())
    }

    fn timeline(&mut self, heading: usize, body: &[&str]) -> Vec<TimelineEntry> {
        let mut entries: Vec<TimelineEntry> = Vec::new();
        for (n, line) in body.iter().enumerate() {
            let number = heading + n + 1;
            let trimmed = line.trim();
            if trimmed.is_empty() {
                continue;
            }
            let Some(item) = trimmed.strip_prefix("- ").or_else(|| trimmed.strip_prefix("* ")) else {
                match entries.last_mut() {
                    Some(last) if line.starts_with(' ') => {
                        last.text.push(' ');
                        last.text.push_str(trimmed);
                    }
                    _ => self.error(number, "a timeline line is `- 2020-12-09 11:28: what happened`"),
                }
                continue;
            };
            let item = item.trim();
            let dated = self.time_len(item).and_then(|end| Some((parse_time(&item[..end], self.zone)?, end)));
            let timed = || {
                let day = self.day?;
                let end = clock_len(item)?;
                Some((parse_time(&format!("{day} {}", &item[..end]), self.zone)?, end))
            };
            let Some(((at, precision), end)) = dated.or_else(timed) else {
                let hint = if clock_len(item).is_some() {
                    "; a time without a date needs the day: write it on the line above, in `## Timeline (2020-12-09)` or as impact_start"
                } else {
                    ""
                };
                self.error(number, format!("{item:?} does not start with a time such as 2020-12-09 11:28{hint}"));
                continue;
            };
            if dated.is_some() {
                self.day = named_day(item);
            }
            let rest = &item[end..];
            if !rest.is_empty() && !rest.starts_with([':', ' ', '-', '–', '—']) {
                self.error(number, format!("{item:?}: put `: ` between the time and the text"));
                continue;
            }
            let text = rest.trim_start_matches([':', ' ', '-', '–', '—']).trim();
            if text.is_empty() {
                self.error(number, "a timeline entry without text");
                continue;
            }
            if entries.last().is_some_and(|last| last.at > at) {
                self.error(number, "this moment is before the one above it: the timeline is oldest first");
                continue;
            }
            entries.push(TimelineEntry { at, precision, text: text.to_owned() });
        }
        entries
    }

    fn action_items(&mut self, heading: usize, body: &[&str]) -> Vec<ActionItem> {
        let mut items: Vec<ActionItem> = Vec::new();
        for (n, line) in body.iter().enumerate() {
            let number = heading + n + 1;
            let trimmed = line.trim();
            if trimmed.is_empty() {
                continue;
            }
            let item = trimmed.strip_prefix("- ").or_else(|| trimmed.strip_prefix("* "));
            let parsed = item.and_then(|item| {
                let item = item.trim_start();
                let done = match item.get(..3) {
                    Some("[x]" | "[X]") => true,
                    Some("[ ]") => false,
                    _ => return None,
                };
                Some(ActionItem { text: item[3..].trim().to_owned(), done })
            });
            match parsed {
                Some(item) if !item.text.is_empty() => items.push(item),
                Some(_) => self.error(number, "an action item without text"),
                None => match items.last_mut() {
                    Some(last) if item.is_none() && line.starts_with(' ') => {
                        last.text.push(' ');
                        last.text.push_str(trimmed);
                    }
                    _ => self.error(number, "an action item is `- [ ] to do` or `- [x] done`"),
                },
            }
        }
        items
    }
}

/// The first `YYYY-MM-DD` in `text`, if any.
fn named_day(text: &str) -> Option<NaiveDate> {
    (0..text.len().saturating_sub(9))
        .filter(|&at| text.is_char_boundary(at) && text.is_char_boundary(at + 10))
        .find_map(|at| NaiveDate::parse_from_str(&text[at..at + 10], "%Y-%m-%d").ok())
}

/// The length of the longest clock time (`14:50`, `~21:00`, `14:50 UTC`, `14:50+01:00`) that starts
/// `text`, if one does.
fn clock_len(text: &str) -> Option<usize> {
    (4..=text.len().min(16))
        .rev()
        .filter(|&end| text.is_char_boundary(end))
        .find(|&end| parse_time(&format!("2000-01-01 {}", &text[..end]), Tz::UTC).is_some())
}

/// `2020-12-09`, `2020-12-09 11:28`, `2020-12-09T11:28`, `2020-12-09 ~21:00`, each optionally
/// followed by `Z`, ` UTC` or an offset such as `+01:00`.
fn parse_time(text: &str, zone: Tz) -> Option<(Timestamp, Precision)> {
    let (date, rest) = (text.get(..10)?, text.get(10..)?);
    let date = NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()?;
    // After the date: nothing, or a space or `T` and then a clock.
    let after = if rest.is_empty() { "" } else { rest.strip_prefix([' ', 'T'])? };
    let (clock, explicit) = split_zone(after);
    let clock = clock.trim_end();
    if clock.is_empty() && !rest.is_empty() {
        return None;
    }
    let (time, precision) = if clock.is_empty() {
        (None, Precision::Day)
    } else if let Some(rough) = clock.strip_prefix('~') {
        (Some(NaiveTime::parse_from_str(rough, "%H:%M").ok()?), Precision::Hour)
    } else {
        (Some(NaiveTime::parse_from_str(clock, "%H:%M").ok()?), Precision::Minute)
    };
    let time = time.map(|t| if precision == Precision::Hour { t.with_minute(0).unwrap_or(t) } else { t });
    let utc: DateTime<Utc> = match (time, explicit) {
        (Some(time), Some(offset)) => {
            let naive = NaiveDateTime::new(date, time);
            DateTime::from_naive_utc_and_offset(naive - chrono::Duration::seconds(i64::from(offset)), Utc)
        }
        (Some(time), None) => when::in_zone(NaiveDateTime::new(date, time), zone)?,
        (None, None) => when::day_start(date, zone)?,
        (None, Some(_)) => return None,
    };
    Some((Timestamp::from_unix_millis(utc.timestamp_millis())?, precision))
}

/// Splits a trailing zone (`Z`, ` UTC`, `+01:00`) off a clock time: (clock, offset in seconds).
fn split_zone(rest: &str) -> (&str, Option<i32>) {
    if let Some(clock) = rest.strip_suffix('Z').or_else(|| rest.strip_suffix(" UTC")) {
        return (clock, Some(0));
    }
    let Some(cut) = rest.len().checked_sub(6).filter(|&cut| rest.is_char_boundary(cut)) else { return (rest, None) };
    let (clock, offset) = rest.split_at(cut);
    let digits = |a: &u8, b: &u8| a.is_ascii_digit() && b.is_ascii_digit();
    let sign = match offset.as_bytes() {
        [b'+', h1, h2, b':', m1, m2] if digits(h1, h2) && digits(m1, m2) => 1,
        [b'-', h1, h2, b':', m1, m2] if digits(h1, h2) && digits(m1, m2) => -1,
        _ => return (rest, None),
    };
    match (offset[1..3].parse::<i32>(), offset[4..6].parse::<i32>()) {
        (Ok(hours), Ok(minutes)) => (clock, Some(sign * (hours * 3600 + minutes * 60))),
        _ => (rest, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc() -> Tz {
        when::zone("Etc/UTC").unwrap()
    }

    const FULL: &str = "---
language: en
time_zone: Europe/Amsterdam
impact_start: 2020-12-09 12:28
impact_end: 2020-12-09T17:38Z
---
# Chat events were not delivered

A rolling deploy dropped 66% of chat message events.

We are sorry.

## Timeline
- 2020-12-09 12:28: The rolling deploy starts.
- 2020-12-09 ~22:10 — Around ten, queues back up
  in Singapore.
- 2020-12-10: Backfill finished.

## What went wrong
A **bad** deploy.

- one

## Action items
- [x] Roll back automatically.
- [ ] Canary deploys
  per region.
";

    #[test]
    fn every_part_is_kept() {
        let got = draft(FULL, utc()).unwrap();
        assert_eq!(got.summary, "A rolling deploy dropped 66% of chat message events.\n\nWe are sorry.");
        assert_eq!(got.language.as_deref(), Some("en"));
        let window = got.impact_window.unwrap();
        assert_eq!(
            (window.start.to_string(), window.end.to_string()),
            ("2020-12-09T11:28:00.000Z".into(), "2020-12-09T17:38:00.000Z".into())
        );
        let timeline: Vec<(String, Precision, &str)> =
            got.timeline.iter().map(|e| (e.at.to_string(), e.precision, e.text.as_str())).collect();
        assert_eq!(
            timeline,
            [
                ("2020-12-09T11:28:00.000Z".into(), Precision::Minute, "The rolling deploy starts."),
                ("2020-12-09T21:00:00.000Z".into(), Precision::Hour, "Around ten, queues back up in Singapore."),
                ("2020-12-09T23:00:00.000Z".into(), Precision::Day, "Backfill finished."),
            ]
        );
        assert_eq!(
            got.sections,
            [Section { title: "What went wrong".into(), body: "A **bad** deploy.\n\n- one".into() }]
        );
        let items: Vec<(&str, bool)> = got.action_items.iter().map(|a| (a.text.as_str(), a.done)).collect();
        assert_eq!(items, [("Roll back automatically.", true), ("Canary deploys per region.", false)]);
    }

    /// Issue 26, item 4: the timeline moved after every section; the author's place is kept.
    #[test]
    fn the_timeline_keeps_its_place_among_the_sections() {
        let text = "Summary.\n\n## What happened\nA deploy.\n\n## Timeline\n- 2020-12-09 11:28: Deploy.\n\n## What went well\nAlerts.\n";
        let draft = draft(text, utc()).unwrap();
        assert_eq!(draft.timeline_after, Some(1));
        let postmortem = draft.postmortem(None);
        let (before, after) = postmortem.around_timeline();
        assert_eq!((before[0].title.as_str(), after[0].title.as_str()), ("What happened", "What went well"));
        assert_eq!(super::draft("Summary.\n\n## Cause\nx\n", utc()).unwrap().timeline_after, None);
    }

    /// Issue 26, item 4: `14:50 UTC: …`, the natural way to write a one-day incident, was refused.
    #[test]
    fn time_only_lines_fall_on_the_day_the_timeline_names() {
        let times = |text: &str| -> Vec<String> {
            draft(text, utc()).unwrap().timeline.into_iter().map(|e| e.at.to_string()).collect()
        };
        let after_a_date =
            "Summary.\n\n## Timeline\n- 2020-12-09 11:28: Deploy.\n- 14:50 UTC: Rolled back.\n- ~16:00: Quiet.\n";
        assert_eq!(
            times(after_a_date),
            ["2020-12-09T11:28:00.000Z", "2020-12-09T14:50:00.000Z", "2020-12-09T16:00:00.000Z"]
        );
        let in_the_heading = "Summary.\n\n## Timeline (2021-03-04)\n- 09:15+01:00: Alerts.\n- 10:00: Fixed.\n";
        assert_eq!(times(in_the_heading), ["2021-03-04T08:15:00.000Z", "2021-03-04T10:00:00.000Z"]);
        let from_the_impact = "---\nimpact_start: 2022-05-06 08:00\nimpact_end: 2022-05-06 09:00\n---\nSummary.\n\n## Timeline\n- 08:00: Down.\n";
        assert_eq!(times(from_the_impact), ["2022-05-06T08:00:00.000Z"]);
        let nothing_names_it = "Summary.\n\n## Timeline\n- 14:50 UTC: Rolled back.\n";
        let errors = draft(nothing_names_it, utc()).unwrap_err();
        assert!(errors[0].starts_with("line 4:") && errors[0].contains("needs the day"), "{errors:?}");
    }

    #[test]
    fn what_is_not_understood_is_an_error_naming_its_line() {
        let bad = "---\nlanguage: en\nauthor: me\nimpact_start: soon\n---\nSummary.\n\n## Timeline\n- yesterday: it broke\nloose text\n\n## Action items\n- fix it\n- [ ]\n";
        let errors = draft(bad, utc()).unwrap_err();
        assert_eq!(
            errors,
            [
                "line 3: unknown key \"author\" (known: language, time_zone, impact_start, impact_end)",
                "line 4: impact_start: \"soon\" is not a time such as 2020-12-09 11:28",
                "line 9: \"yesterday: it broke\" does not start with a time such as 2020-12-09 11:28",
                "line 10: a timeline line is `- 2020-12-09 11:28: what happened`",
                "line 13: an action item is `- [ ] to do` or `- [x] done`",
                "line 14: an action item without text",
            ]
        );
        assert_eq!(
            draft("## Cause\nx\n", utc()).unwrap_err(),
            ["line 1: no summary: write a paragraph before the first `## ` section"]
        );
        assert!(draft("---\nlanguage: en\n", utc()).unwrap_err()[0].contains("never closed"));
        let spaced = "Summary.\n\n## Timeline\n- 2020-12-09 11:28 +01:00 Deploy.\n- 2020-12-10 The backfill ended.\n";
        let timeline: Vec<(String, String)> =
            draft(spaced, utc()).unwrap().timeline.into_iter().map(|e| (e.at.to_string(), e.text)).collect();
        assert_eq!(
            timeline,
            [
                ("2020-12-09T10:28:00.000Z".to_owned(), "Deploy.".to_owned()),
                ("2020-12-10T00:00:00.000Z".to_owned(), "The backfill ended.".to_owned()),
            ]
        );
        for odd in ["- 2020-12-09 11:28 ++1:00 x", "- 2020-12-09T x"] {
            let text = format!("Summary.\n\n## Timeline\n{odd}\n");
            let parsed = draft(&text, utc());
            assert!(parsed.unwrap_err()[0].contains("put `: ` between the time and the text"), "{odd}");
        }
        let unordered = "Summary.\n\n## Timeline\n- 2020-12-09 13:30: Reported.\n- 2020-12-09 ~13:00: Began.\n";
        assert_eq!(
            draft(unordered, utc()).unwrap_err(),
            ["line 5: this moment is before the one above it: the timeline is oldest first"]
        );
        let half = "---\nimpact_start: 2020-12-09 11:28\n---\nSummary.\n";
        assert_eq!(draft(half, utc()).unwrap_err(), ["line 1: impact_start and impact_end go together"]);
    }
}
