//! Uptime per component per day, computed from the component status changes in incident history.
//!
//! A day's uptime weights time in `major_outage` fully and time in `partial_outage` at 30%, as
//! Statuspage does; degraded performance and maintenance count as up. Days are UTC days. Days before
//! a component's `start_date` (or creation) have no figure: nothing was measured.

use std::collections::HashMap;

use chrono::{Days, NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};

use crate::component::ComponentStatus;
use crate::page::PageState;
use crate::status::Indicator;
use crate::wire::{ComponentId, Timestamp};

/// One recorded change of a component: when, from what (if known), to what.
type Change = (Timestamp, Option<ComponentStatus>, ComponentStatus);

/// Weight of partial outage time in the uptime figure.
pub const PARTIAL_OUTAGE_WEIGHT: f64 = 0.3;

/// One UTC day of one component.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DayUptime {
    /// The UTC day.
    #[serde(with = "crate::wire::date")]
    #[cfg_attr(feature = "schema", schemars(with = "NaiveDate"))]
    pub date: NaiveDate,
    /// Fraction up, 0 to 1; `None` before the component existed.
    pub uptime: Option<f64>,
    /// The worst status seen that day.
    pub worst: ComponentStatus,
    /// Seconds in major outage.
    pub major_outage_seconds: u32,
    /// Seconds in partial outage.
    pub partial_outage_seconds: u32,
    /// Seconds degraded.
    pub degraded_seconds: u32,
    /// Seconds under maintenance.
    pub maintenance_seconds: u32,
}

/// The days of one component, oldest first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ComponentUptime {
    /// The component.
    pub component_id: ComponentId,
    /// Uptime over the days that have a figure; `None` when none has.
    pub uptime: Option<f64>,
    /// One entry per day of the window.
    pub days: Vec<DayUptime>,
}

/// How many days `uptime.json` covers.
pub const WINDOW_DAYS: u32 = 90;

/// `/api/v2/uptime.json` (sitrep extension): every component's daily uptime over the window.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct UptimeDocument<'a> {
    /// The page.
    pub page: std::borrow::Cow<'a, crate::page::Page>,
    /// Days covered, ending today (UTC).
    pub days: u32,
    /// One entry per non-group component, in display order.
    pub components: Vec<ComponentUptime>,
}

impl DayUptime {
    /// Whether the day had an outage, however short (its bar is red or orange).
    pub fn had_outage(&self) -> bool {
        self.major_outage_seconds > 0
            || self.partial_outage_seconds > 0
            || matches!(self.worst, ComponentStatus::MajorOutage | ComponentStatus::PartialOutage)
    }
}

/// An uptime as readers see it: never 100% for a stretch with an outage, however short (a red bar
/// beside "100%" reads as a lie, and two decimals round a minute away); the data keeps its value.
pub fn shown(uptime: f64, had_outage: bool) -> f64 {
    if had_outage { uptime.min(0.9999) } else { uptime }
}

/// The uptime document at `now`.
pub fn document(state: &PageState, now: Timestamp) -> UptimeDocument<'_> {
    UptimeDocument {
        page: std::borrow::Cow::Borrowed(state.page()),
        days: WINDOW_DAYS,
        components: daily(state, now, WINDOW_DAYS),
    }
}

/// When the uptime figures next change without a write: in a minute while something is not
/// operational (today's figure falls as time passes), else at the next UTC midnight (a new day).
pub fn next_change(state: &PageState, now: Timestamp) -> Timestamp {
    let down = state.components().iter().any(|c| !c.group && !c.status.is_operational());
    let next_midnight = now.as_datetime().date_naive().succ_opt().map_or(now, midnight);
    if down {
        Timestamp::from_unix_millis(now.unix_millis() + 60_000).unwrap_or(next_midnight).min(next_midnight)
    } else {
        next_midnight
    }
}

/// Uptime of every non-group component for the `days` UTC days ending with `now`'s (today counts up to `now`).
pub fn daily(state: &PageState, now: Timestamp, days: u32) -> Vec<ComponentUptime> {
    let mut changes: HashMap<&ComponentId, Vec<Change>> = HashMap::new();
    for event in state.all_events() {
        for update in &event.incident_updates {
            for affected in &update.affected_components {
                if let (Some(code), Some(new)) = (&affected.code, affected.new_status) {
                    changes.entry(code).or_default().push((update.shown_at(), affected.old_status, new));
                }
            }
        }
    }
    let today = now.as_datetime().date_naive();
    let first_day = today.checked_sub_days(Days::new(u64::from(days.saturating_sub(1)))).unwrap_or(today);
    state
        .components()
        .iter()
        .filter(|c| !c.group)
        .map(|component| {
            let mut list = changes.remove(&component.id).unwrap_or_default();
            list.sort_by_key(|(at, _, _)| *at);
            let since = component.start_date.unwrap_or_else(|| component.created_at.as_datetime().date_naive());
            one_component(component.id.clone(), &list, since, first_day, today, now)
        })
        .collect()
}

fn one_component(
    component_id: ComponentId,
    changes: &[Change],
    since: NaiveDate,
    first_day: NaiveDate,
    today: NaiveDate,
    now: Timestamp,
) -> ComponentUptime {
    let mut days: Vec<DayUptime> = first_day
        .iter_days()
        .take_while(|d| *d <= today)
        .map(|date| DayUptime {
            date,
            uptime: None,
            worst: ComponentStatus::Operational,
            major_outage_seconds: 0,
            partial_outage_seconds: 0,
            degraded_seconds: 0,
            maintenance_seconds: 0,
        })
        .collect();
    let window_start = midnight(first_day);
    // The status at the window's start: the last change before it, else what the first change came from.
    let before = changes.iter().rev().find(|(at, _, _)| *at <= window_start);
    let mut status = match (before, changes.first()) {
        (Some((_, _, new)), _) => *new,
        (None, Some((_, Some(old), _))) => *old,
        _ => ComponentStatus::Operational,
    };
    let mut from = window_start;
    for (at, _, new) in changes.iter().filter(|(at, _, _)| *at > window_start && *at <= now) {
        add_span(&mut days, first_day, from, *at, status);
        from = *at;
        status = *new;
    }
    add_span(&mut days, first_day, from, now, status);

    let mut total_weighted = 0.0;
    let mut total_seconds = 0.0;
    for day in days.iter_mut().filter(|d| d.date >= since) {
        let elapsed = if day.date == today { seconds_between(midnight(today), now) } else { 86_400.0 };
        if elapsed <= 0.0 {
            continue;
        }
        let down = f64::from(day.major_outage_seconds) + PARTIAL_OUTAGE_WEIGHT * f64::from(day.partial_outage_seconds);
        day.uptime = Some((1.0 - down / elapsed).clamp(0.0, 1.0));
        total_weighted += down;
        total_seconds += elapsed;
    }
    let uptime = (total_seconds > 0.0).then(|| (1.0 - total_weighted / total_seconds).clamp(0.0, 1.0));
    ComponentUptime { component_id, uptime, days }
}

/// Adds the span [from, to) in `status` to the days it covers.
fn add_span(days: &mut [DayUptime], first_day: NaiveDate, mut from: Timestamp, to: Timestamp, status: ComponentStatus) {
    while from < to {
        let date = from.as_datetime().date_naive();
        let next_midnight = date.succ_opt().map_or(to, midnight);
        let end = next_midnight.min(to);
        let index = usize::try_from((date - first_day).num_days()).ok();
        if let Some(day) = index.and_then(|n| days.get_mut(n)) {
            // Whole seconds within one day always fit in u32.
            let seconds = seconds_between(from, end) as u32;
            match status {
                ComponentStatus::MajorOutage => day.major_outage_seconds += seconds,
                ComponentStatus::PartialOutage => day.partial_outage_seconds += seconds,
                ComponentStatus::DegradedPerformance | ComponentStatus::Unknown => day.degraded_seconds += seconds,
                ComponentStatus::UnderMaintenance => day.maintenance_seconds += seconds,
                ComponentStatus::Operational => {}
            }
            // The same order as the page indicator: maintenance < degraded < partial < major.
            if Indicator::of_component(status).severity() > Indicator::of_component(day.worst).severity() {
                day.worst = status;
            }
        }
        from = end;
    }
}

fn midnight(date: NaiveDate) -> Timestamp {
    Timestamp::from_datetime(date.and_time(NaiveTime::MIN).and_utc())
}

fn seconds_between(from: Timestamp, to: Timestamp) -> f64 {
    (to.unix_millis() - from.unix_millis()) as f64 / 1000.0
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::incident::{Impact, IncidentStatus::*};
    use crate::testing::{affected, incident, page, ts};
    use ComponentStatus::*;

    #[test]
    fn outage_time_is_counted_on_the_days_it_covers() {
        let mut data = page();
        data.components[0].start_date = NaiveDate::from_ymd_opt(2023, 1, 1);
        let mut i = incident("i", Impact::Major, 0, &[Investigating, Identified, Resolved]);
        // Major outage from 2024-01-02T23:00Z to 2024-01-03T01:00Z, then partial for 10 hours.
        let u = &mut i.incident_updates;
        u[2].display_at = Some(ts("2024-01-02T23:00:00Z"));
        u[2].affected_components.push(affected("api", Operational, MajorOutage));
        u[1].display_at = Some(ts("2024-01-03T01:00:00Z"));
        u[1].affected_components.push(affected("api", MajorOutage, PartialOutage));
        u[0].display_at = Some(ts("2024-01-03T11:00:00Z"));
        u[0].affected_components.push(affected("api", PartialOutage, Operational));
        data.incidents.push(i);
        let state = PageState::new(data);
        let result = daily(&state, ts("2024-01-04T12:00:00Z"), 4);
        let api = &result[0];
        assert_eq!(api.component_id.0, "api");
        let days: Vec<_> = api
            .days
            .iter()
            .map(|d| (d.date.to_string(), d.major_outage_seconds, d.partial_outage_seconds, d.worst))
            .collect();
        assert_eq!(
            days,
            [
                ("2024-01-01".to_owned(), 0, 0, Operational),
                ("2024-01-02".to_owned(), 3_600, 0, MajorOutage),
                ("2024-01-03".to_owned(), 3_600, 36_000, MajorOutage),
                ("2024-01-04".to_owned(), 0, 0, Operational),
            ]
        );
        let day3 = api.days[2].uptime.unwrap();
        assert!((day3 - (1.0 - (3_600.0 + 0.3 * 36_000.0) / 86_400.0)).abs() < 1e-9, "{day3}");
        assert_eq!(api.days[3].uptime, Some(1.0));
        // The web component had no changes: fully up, but only since it was created (2024-01-01).
        assert_eq!(result[1].uptime, Some(1.0));
    }

    #[test]
    fn days_before_a_component_existed_have_no_figure() {
        let state = PageState::new(page());
        let result = daily(&state, ts("2024-01-02T06:00:00Z"), 90);
        assert_eq!(result[0].days.len(), 90);
        assert!(result[0].days[..88].iter().all(|d| d.uptime.is_none()));
        assert_eq!(result[0].days[88].uptime, Some(1.0));
    }

    /// Issue 26, item 2: "100% uptime" was printed beside a red bar for today.
    #[test]
    fn an_outage_never_reads_as_a_whole_hundred() {
        assert_eq!(shown(0.999_999, true), 0.9999);
        assert_eq!(shown(1.0, true), 0.9999);
        assert_eq!(shown(1.0, false), 1.0);
        assert_eq!(shown(0.95, true), 0.95);
    }
}
