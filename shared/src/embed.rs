//! What an embedded widget shows and when it asks again: every decision of the widget, pure.
//!
//! The widget parses its attributes into [`Options`], keeps a [`Feed`] of what it fetched, and asks
//! this module what to render ([`Scoped`], [`Headline`], [`banner`], [`upcoming`]) and when to poll
//! ([`Feed::next_delay_ms`]). It only fetches, stores and draws.

pub mod state;

use crate::component::{Component, ComponentStatus};
use crate::incident::{Impact, Incident, IncidentUpdate};
use crate::status::{self, Indicator};
use crate::uptime::ComponentUptime;
use crate::views::{PostmortemEntry, Summary};
use crate::wire::{ComponentId, Timestamp};

/// Default seconds between polls.
pub const DEFAULT_POLL_SECS: u32 = 60;
/// The shortest poll interval a page may ask for.
pub const MIN_POLL_SECS: u32 = 15;
/// The longest wait, also after many failures.
pub const MAX_DELAY_SECS: u32 = 600;
/// How many recent postmortems the full view lists unless told otherwise.
pub const DEFAULT_POSTMORTEMS: usize = 3;
/// How far ahead the maintenance notice looks.
pub const UPCOMING_DAYS: i64 = 7;
/// How many dismissals are remembered; older ones are forgotten first.
pub const MAX_DISMISSALS: usize = 50;
/// Data older than this many poll intervals is flagged as possibly out of date.
pub const STALE_AFTER_INTERVALS: i64 = 3;
/// How often relative times and the out-of-date check are refreshed on screen (milliseconds).
pub const TICK_MS: u32 = 30_000;
/// How long an answer serves another element's poll of the same edge without a request
/// (milliseconds): the edge's own read cache holds a copy about as long.
pub const SHARED_ANSWER_MS: u32 = 5_000;
/// How long a request may take before it is abandoned (milliseconds).
pub const TIMEOUT_MS: u32 = 10_000;

/// Which view an element renders.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum View {
    /// Indicator and text.
    #[default]
    Badge,
    /// The most severe active incident or maintenance, and upcoming maintenance.
    Banner,
    /// Components with uptime, incidents with their updates, maintenance, postmortems.
    Full,
}

/// Colour scheme.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Theme {
    /// Light.
    Light,
    /// Dark.
    Dark,
    /// The reader's `prefers-color-scheme`.
    #[default]
    Auto,
}

impl Theme {
    /// The CSS class of the theme.
    pub fn class(self) -> &'static str {
        match self {
            Self::Light => "light",
            Self::Dark => "dark",
            Self::Auto => "auto",
        }
    }
}

/// An element's settings, read from its attributes (or `mount`'s options). Bad values fall back
/// to the defaults: a typo in a customer's page must not take the widget down.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    /// Origin of the edge, without a trailing slash.
    pub src: String,
    /// The view.
    pub view: View,
    /// Only these components (a group stands for its children) and the incidents touching them; empty is all.
    pub components: Vec<ComponentId>,
    /// BCP 47 tag; `None` for the browser's languages.
    pub locale: Option<String>,
    /// IANA zone; `None` for the browser's.
    pub time_zone: Option<String>,
    /// The colour scheme.
    pub theme: Theme,
    /// Seconds between polls, at least [`MIN_POLL_SECS`].
    pub poll_secs: u32,
    /// How many recent postmortems the full view lists.
    pub postmortems: usize,
    /// `preview="incident"`: show a sample incident, rendered locally, and read nothing from the
    /// edge (a developer trying the banner publishes nothing).
    pub preview: bool,
    /// `reader="sitrep_reader_..."`: a private page's reader link (its token, or the whole link),
    /// sent with every read (`?reader=`); nothing read with it is kept in the host's storage.
    pub reader: Option<String>,
}

/// The most postmortems the full view lists.
pub const MAX_POSTMORTEMS: usize = 20;

impl Options {
    /// Reads the options through `get(attribute name)`; `default_src` is used when `src` is missing or not http(s).
    pub fn read(get: impl Fn(&str) -> Option<String>, default_src: &str) -> Self {
        Self::read_checked(get, default_src).0
    }

    /// [`Options::read`], and one sentence for each value it could not use: the attribute, the value,
    /// what it accepts and what it does instead (the widget logs each with `console.warn`, once).
    pub fn read_checked(get: impl Fn(&str) -> Option<String>, default_src: &str) -> (Self, Vec<String>) {
        let text = |name: &str| get(name).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
        let mut warnings = Vec::new();
        let mut refuse = |name: &str, value: &str, accepts: &str, instead: &str| {
            warnings.push(format!("sitrep: {name}=\"{value}\" is not {accepts}; {instead}."));
        };
        let src = match text("src") {
            Some(src) if is_http_origin(&src) => {
                // `src` is the edge's origin: a path after it (a pasted summary.json URL) would be
                // requested with the read API's paths appended to it.
                let origin = origin_of(&src);
                if origin.len() < src.trim_end_matches('/').len() {
                    refuse(
                        "src",
                        &src,
                        "an origin (scheme, host and port, no path)",
                        &format!("reading from {origin}"),
                    );
                }
                origin
            }
            Some(src) => {
                refuse("src", &src, "an http(s) origin", "reading from the origin widget.js came from");
                default_src.to_owned()
            }
            None => default_src.to_owned(),
        };
        let view = match text("view").as_deref() {
            None | Some("badge") => View::Badge,
            Some("banner") => View::Banner,
            Some("full") => View::Full,
            Some(other) => {
                refuse("view", other, "badge, banner or full", "showing the badge");
                View::Badge
            }
        };
        let theme = match text("theme").as_deref() {
            None | Some("auto") => Theme::Auto,
            Some("light") => Theme::Light,
            Some("dark") => Theme::Dark,
            Some(other) => {
                refuse("theme", other, "light, dark or auto", "following the background it sits on");
                Theme::Auto
            }
        };
        let poll_secs = match text("poll") {
            None => DEFAULT_POLL_SECS,
            Some(p) => match p.parse::<u32>() {
                Ok(secs) if (MIN_POLL_SECS..=MAX_DELAY_SECS).contains(&secs) => secs,
                Ok(secs) => {
                    let used = secs.clamp(MIN_POLL_SECS, MAX_DELAY_SECS);
                    refuse(
                        "poll",
                        &p,
                        &format!("between {MIN_POLL_SECS} and {MAX_DELAY_SECS} seconds"),
                        &format!("polling every {used} s"),
                    );
                    used
                }
                Err(_) => {
                    refuse("poll", &p, "a number of seconds", &format!("polling every {DEFAULT_POLL_SECS} s"));
                    DEFAULT_POLL_SECS
                }
            },
        };
        let postmortems = match text("postmortems") {
            None => DEFAULT_POSTMORTEMS,
            Some(p) => match p.parse::<usize>() {
                Ok(n) if n <= MAX_POSTMORTEMS => n,
                _ => {
                    let used = p.parse::<usize>().map_or(DEFAULT_POSTMORTEMS, |_| MAX_POSTMORTEMS);
                    refuse(
                        "postmortems",
                        &p,
                        &format!("a number from 0 to {MAX_POSTMORTEMS}"),
                        &format!("listing {used}"),
                    );
                    used
                }
            },
        };
        let preview = match text("preview").as_deref() {
            None => false,
            Some("incident") => true,
            Some(other) => {
                refuse("preview", other, "incident", "showing the live status");
                false
            }
        };
        let components =
            text("components").map(|list| component_filter(&list, crate::limits::COMPONENTS)).unwrap_or_default();
        let reader = text("reader").and_then(|value| match reader_token(&value) {
            Some(token) => Some(token.to_owned()),
            None => {
                refuse("reader", &value, "a reader link of a private page (sitrep page link)", "reading without one");
                None
            }
        });
        let options = Self {
            src: src.trim_end_matches('/').to_owned(),
            view,
            components,
            locale: text("locale"),
            time_zone: text("time-zone"),
            theme,
            poll_secs,
            postmortems,
            preview,
            reader,
        };
        (options, warnings)
    }

    /// The URL of a read API path on the edge (with the reader link, if any).
    pub fn url(&self, path: &str) -> String {
        match &self.reader {
            None => format!("{}{path}", self.src),
            Some(token) => {
                let sep = if path.contains('?') { '&' } else { '?' };
                format!("{}{path}{sep}reader={token}", self.src)
            }
        }
    }
}

/// The token of a reader link given as itself or as the whole link (`...?reader=TOKEN`): `None`
/// for anything else. Only letters, digits and `_` (a token needs no escaping in a URL), at most
/// 200 characters.
fn reader_token(value: &str) -> Option<&str> {
    let token = match value.split_once("reader=") {
        Some((_, rest)) => rest.split(['&', '#']).next().unwrap_or_default(),
        None => value,
    };
    let fits = token.starts_with("sitrep_reader_")
        && token.len() <= 200
        && token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    fits.then_some(token)
}

/// A `components` list (commas or spaces) as every reader of it keeps it: the distinct ids of at
/// most [`crate::limits::ID_CHARS`] characters, in their order, at most `cap` (the widget keeps as
/// many as a page has components, the badge [`crate::limits::COMPONENT_CHANGES`]). Whatever is
/// keyed by a filter (the edge's frames) can then key on all of it.
pub fn component_filter(list: &str, cap: usize) -> Vec<ComponentId> {
    let mut ids: Vec<ComponentId> = Vec::new();
    for id in list.split([',', ' ']).filter(|id| !id.is_empty() && id.chars().count() <= crate::limits::ID_CHARS) {
        if ids.len() == cap {
            break;
        }
        if !ids.iter().any(|known| known.as_str() == id) {
            ids.push(ComponentId::from(id));
        }
    }
    ids
}

fn is_http_origin(src: &str) -> bool {
    src.starts_with("https://") || src.starts_with("http://")
}

/// The page `preview="incident"` shows: one open incident, named and described in the reader's
/// words (`name`, `body`), begun ten minutes before `now`. Nothing in it comes from the edge.
pub fn preview_summary(page_name: &str, name: &str, body: &str, language: &str, now: Timestamp) -> Summary<'static> {
    use crate::incident::IncidentStatus;
    use crate::wire::UpdateId;
    let begun = Timestamp::from_unix_millis(now.unix_millis() - 600_000).unwrap_or(now);
    let id = crate::IncidentId::from("preview");
    let update = IncidentUpdate {
        id: UpdateId::from("preview-1"),
        incident_id: id.clone(),
        status: IncidentStatus::Identified,
        body: body.to_owned(),
        created_at: begun,
        updated_at: begun,
        display_at: Some(begun),
        affected_components: Vec::new(),
        language: Some(language.to_owned()),
        reopened: false,
        edited_at: None,
    };
    let incident = Incident {
        id,
        page_id: "preview".into(),
        name: name.to_owned(),
        status: IncidentStatus::Identified,
        impact: Impact::Major,
        started_at: Some(begun),
        created_at: begun,
        updated_at: begun,
        monitoring_at: None,
        resolved_at: None,
        shortlink: None,
        incident_updates: vec![update],
        components: Vec::new(),
        scheduled_for: None,
        scheduled_until: None,
        postmortem: None,
        cancelled_at: None,
        auto_transition: false,
    };
    let page = crate::Page {
        id: "preview".into(),
        name: page_name.to_owned(),
        url: String::new(),
        time_zone: String::new(),
        updated_at: begun,
    };
    Summary {
        page: std::borrow::Cow::Owned(page),
        status: Indicator::Major.into(),
        components: std::borrow::Cow::Owned(Vec::new()),
        incidents: vec![std::borrow::Cow::Owned(incident)],
        scheduled_maintenances: Vec::new(),
    }
}

/// `src` up to its host and port: `https://status.example.com/api/v2/summary.json` is
/// `https://status.example.com`.
fn origin_of(src: &str) -> String {
    let after_scheme = src.find("://").map_or(0, |at| at + 3);
    let end = src[after_scheme..].find(['/', '?', '#']).map_or(src.len(), |at| after_scheme + at);
    src[..end].to_owned()
}

/// The summary limited to the components an element watches.
#[derive(Clone, Debug, PartialEq)]
pub struct Scoped<'a> {
    /// Components (not groups) to show, in display order.
    pub components: Vec<&'a Component>,
    /// Open incidents touching them, newest first.
    pub incidents: Vec<&'a Incident>,
    /// Maintenances touching them (upcoming and active).
    pub maintenances: Vec<&'a Incident>,
    /// No filter applies: none was given, or it names nothing the page knows.
    pub whole_page: bool,
}

/// The set of component ids a filter stands for: the ids themselves plus the children of groups;
/// `None` for the whole page, when there is no filter or it names nothing the page knows (filtering
/// to nothing would show "All Systems Operational" through any outage; the widget warns about the
/// ids, [`filter_warning`]). A `Vec`, not a set: filters name a handful of components, and the
/// widget pays for every hash map type.
fn watched(summary: &Summary<'_>, filter: &[ComponentId]) -> Option<Vec<ComponentId>> {
    if filter.iter().all(|id| !knows(summary, id)) {
        return None;
    }
    let mut ids: Vec<ComponentId> = filter.to_vec();
    for component in summary.components.iter() {
        let children = component.group.then_some(&component.components).filter(|_| filter.contains(&component.id));
        let in_group = component.group_id.as_ref().is_some_and(|g| filter.contains(g));
        for id in children.into_iter().flatten().chain(in_group.then_some(&component.id)) {
            if !ids.contains(id) {
                ids.push(id.clone());
            }
        }
    }
    Some(ids)
}

/// Whether the page has a component (or group) with this id.
fn knows(summary: &Summary<'_>, id: &ComponentId) -> bool {
    summary.components.iter().any(|c| &c.id == id)
}

/// The ids of `filter` the page does not know (a typo, a component since removed).
pub fn unknown_ids<'f>(summary: &Summary<'_>, filter: &'f [ComponentId]) -> Vec<&'f ComponentId> {
    filter.iter().filter(|id| !knows(summary, id)).collect()
}

/// What to tell the page's developer about a filter with ids the page does not know, if anything.
pub fn filter_warning(summary: &Summary<'_>, filter: &[ComponentId]) -> Option<String> {
    let unknown = unknown_ids(summary, filter);
    let list = unknown.iter().map(|id| id.as_str()).collect::<Vec<_>>().join(", ");
    match unknown.len() {
        0 => None,
        n if n == filter.len() => {
            Some(format!("sitrep: components= names no component of this page ({list}); showing the whole page."))
        }
        _ => Some(format!("sitrep: components= names components this page does not have ({list}); they are ignored.")),
    }
}

/// Limits the summary to `filter` (all when empty, or when it names nothing the page knows), at `now`.
pub fn scope<'a>(summary: &'a Summary<'_>, filter: &[ComponentId], now: Timestamp) -> Scoped<'a> {
    let ids = watched(summary, filter);
    let keep = |id: &ComponentId| ids.as_ref().is_none_or(|ids| ids.contains(id));
    let mut components: Vec<&Component> = summary
        .components
        .iter()
        .filter(|c| !c.group && keep(&c.id))
        .filter(|c| !c.only_show_if_degraded || !c.status.is_operational())
        .collect();
    // The group's id breaks ties, so two groups (or a group and a component) at one position never interleave.
    components.sort_by(|a, b| {
        let key = |c: &Component| (group_position(summary, c), c.group_id.clone(), c.position);
        key(a).cmp(&key(b))
    });
    let touching = |incident: &Incident| ids.as_ref().is_none_or(|ids| ids.iter().any(|id| incident.touches(id)));
    let incidents = summary
        .incidents
        .iter()
        .map(|i| &**i)
        .filter(|i| status::is_open_at(i, now) && !i.is_maintenance() && touching(i))
        .collect();
    let maintenances = summary
        .scheduled_maintenances
        .iter()
        .map(|m| &**m)
        .filter(|m| (status::is_active_at(m, now) || status::is_upcoming_at(m, now)) && touching(m))
        .collect();
    Scoped { components, incidents, maintenances, whole_page: ids.is_none() }
}

/// A component sorts with its group, groups in their order.
fn group_position(summary: &Summary<'_>, component: &Component) -> i64 {
    let group = component.group_id.as_ref().and_then(|g| summary.components.iter().find(|c| &c.id == g));
    group.map_or(component.position, |g| g.position)
}

/// The indicator an element shows: its scope's, and with no filter never better than the page's own
/// (which counts what a scope cannot see, such as an incident touching no component).
pub fn shown_indicator(summary: &Summary<'_>, filter: &[ComponentId], now: Timestamp) -> Indicator {
    let scoped = scope(summary, filter, now);
    let indicator = scoped.indicator(now);
    if scoped.whole_page { indicator.worst(summary.status.indicator) } else { indicator }
}

impl Scoped<'_> {
    /// The indicator of what is in scope at `now`, by the same rules as the page's status.
    pub fn indicator(&self, now: Timestamp) -> Indicator {
        let components = self.components.iter().map(|c| Indicator::of_component(c.status));
        let incidents = self.incidents.iter().map(|i| Indicator::of_open_incident(i.impact));
        let maintenance =
            self.maintenances.iter().any(|m| status::is_active_at(m, now)).then_some(Indicator::Maintenance);
        components.chain(incidents).chain(maintenance).fold(Indicator::None, Indicator::worst)
    }
}

/// What the headline says: the indicator only once it is confirmed, never a green from old data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Headline {
    /// Nothing fetched or stored yet.
    Checking,
    /// Nothing can be shown: no data and the last fetch failed.
    Unavailable,
    /// A confirmed indicator.
    Known(Indicator),
    /// Old data: its indicator is shown with a warning, except green, which is not shown unconfirmed.
    OutOfDate(Indicator),
    /// Old data said all was well; that is not confirmed now.
    Unconfirmed,
}

impl Headline {
    /// The headline for an indicator given whether the data is out of date.
    pub fn of(indicator: Option<Indicator>, out_of_date: bool, failed: bool) -> Self {
        match (indicator, out_of_date) {
            (None, _) if failed => Self::Unavailable,
            (None, _) => Self::Checking,
            (Some(indicator), false) => Self::Known(indicator),
            (Some(Indicator::None), true) => Self::Unconfirmed,
            (Some(indicator), true) => Self::OutOfDate(indicator),
        }
    }

    /// The indicator to colour by; `None` for the neutral states.
    pub fn indicator(self) -> Option<Indicator> {
        match self {
            Self::Known(i) | Self::OutOfDate(i) => Some(i),
            _ => None,
        }
    }
}

/// What the banner shows.
#[derive(Clone, Debug, PartialEq)]
pub struct Banner<'a> {
    /// The incident or maintenance.
    pub incident: &'a Incident,
    /// Its latest update.
    pub latest: Option<&'a IncidentUpdate>,
    /// Identifies this incident at this update, for dismissals: a new update has a new key.
    pub key: BannerKey,
    /// Critical incidents cannot be dismissed.
    pub dismissible: bool,
}

/// Identifies a banner at one update.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct BannerKey(pub String);

impl BannerKey {
    /// `prefix`, the event's id and its latest update (or, without one, its last edit): a new update is a new key.
    fn at_latest_update(prefix: &str, event: &Incident) -> Self {
        let update =
            event.latest_update().map_or_else(|| event.updated_at.unix_millis().to_string(), |u| u.id.to_string());
        Self(format!("{prefix}{}@{update}", event.id))
    }

    /// The key of an upcoming-maintenance notice, dismissed apart from the banner.
    pub fn notice(maintenance: &Incident) -> Self {
        Self::at_latest_update("notice:", maintenance)
    }
}

/// The banner at `now`: the most severe open incident (latest activity breaks ties), else an active maintenance.
pub fn banner<'a>(scoped: &Scoped<'a>, now: Timestamp) -> Option<Banner<'a>> {
    let incident = scoped
        .incidents
        .iter()
        .max_by_key(|i| (Indicator::of_open_incident(i.impact).severity(), i.last_activity()))
        .or_else(|| {
            scoped.maintenances.iter().filter(|m| status::is_active_at(m, now)).max_by_key(|m| m.last_activity())
        })?;
    let latest = incident.latest_update();
    let key = BannerKey::at_latest_update("", incident);
    let dismissible = incident.impact != Impact::Critical || incident.is_maintenance();
    Some(Banner { incident, latest, key, dismissible })
}

/// Maintenance announced to start within [`UPCOMING_DAYS`] of `now`, soonest first.
pub fn upcoming<'a>(scoped: &Scoped<'a>, now: Timestamp) -> Vec<&'a Incident> {
    let horizon = now.as_datetime() + chrono::Duration::days(UPCOMING_DAYS);
    let mut list: Vec<&Incident> = scoped
        .maintenances
        .iter()
        .copied()
        .filter(|m| status::is_upcoming_at(m, now))
        .filter(|m| m.scheduled_for.is_some_and(|s| s.as_datetime() <= horizon))
        .collect();
    list.sort_by_key(|m| m.scheduled_for);
    list
}

/// Published postmortems of incidents touching the watched components, at most `limit`.
///
/// Entries carry the components their incident touched; an entry without any (an older edge) is kept
/// only when no filter applies. An entry that is not public at `now` (a draft an older or broken
/// edge let through) is never shown: the same rule as every public document.
pub fn postmortems<'a>(
    entries: &'a [PostmortemEntry<'_>],
    summary: &Summary<'_>,
    filter: &[ComponentId],
    limit: usize,
    now: Timestamp,
) -> Vec<&'a PostmortemEntry<'a>> {
    let ids = watched(summary, filter);
    entries
        .iter()
        .filter(|e| e.postmortem.is_public_at(now))
        .filter(|e| ids.as_ref().is_none_or(|ids| e.component_ids.iter().any(|id| ids.contains(id))))
        .take(limit)
        .collect()
}

/// Uptime rows of the components in scope, in their order.
pub fn uptime_of<'a>(rows: &'a [ComponentUptime], component: &ComponentId) -> Option<&'a ComponentUptime> {
    rows.iter().find(|row| &row.component_id == component)
}

/// One row of a components list: a component outside any group, or a group standing for its
/// children in scope (shown as one row with their worst status, opened to show them).
#[derive(Clone, Debug, PartialEq)]
pub enum Row<'a> {
    /// A component that belongs to no group (or whose group the page does not have).
    Component(&'a Component),
    /// A group and its children in scope, in their order.
    Group {
        /// The group itself.
        group: &'a Component,
        /// Its children in scope.
        children: Vec<&'a Component>,
        /// The worst status among them (a group's own stored status is not trusted).
        status: ComponentStatus,
    },
}

/// The worse of two component statuses, by what they mean to a reader (`Indicator::of_component`).
pub fn worse(a: ComponentStatus, b: ComponentStatus) -> ComponentStatus {
    let rank = |s: ComponentStatus| Indicator::of_component(s).severity();
    if rank(b) > rank(a) { b } else { a }
}

/// The components in scope as rows, groups folded: `scope` already sorts children beside each other.
pub fn rows<'a>(summary: &'a Summary<'_>, scoped: &Scoped<'a>) -> Vec<Row<'a>> {
    let mut rows: Vec<Row<'a>> = Vec::new();
    for &component in &scoped.components {
        let group = component.group_id.as_ref().and_then(|g| summary.components.iter().find(|c| &c.id == g && c.group));
        match (group, rows.last_mut()) {
            (Some(group), Some(Row::Group { group: last, children, status })) if last.id == group.id => {
                children.push(component);
                *status = worse(*status, component.status);
            }
            (Some(group), _) => rows.push(Row::Group { group, children: vec![component], status: component.status }),
            (None, _) => rows.push(Row::Component(component)),
        }
    }
    rows
}

/// A group's uptime: per day the mean of its children's figures and their worst status, overall
/// the mean of their overall figures; `None` when no child has a row.
pub fn group_uptime(rows: &[ComponentUptime], group: &Component, children: &[&Component]) -> Option<ComponentUptime> {
    let found: Vec<&ComponentUptime> = children.iter().filter_map(|c| uptime_of(rows, &c.id)).collect();
    let first = found.first()?;
    let mean = |values: &mut dyn Iterator<Item = f64>| {
        let (sum, count) = values.fold((0.0, 0u32), |(sum, count), v| (sum + v, count + 1));
        (count > 0).then(|| sum / f64::from(count))
    };
    let days = (0..first.days.len())
        .map(|index| {
            let day = found.iter().filter_map(|row| row.days.get(index));
            let mut combined = first.days[index].clone();
            combined.uptime = mean(&mut day.clone().filter_map(|d| d.uptime));
            combined.worst = day.clone().map(|d| d.worst).fold(ComponentStatus::Operational, worse);
            combined.major_outage_seconds = day.clone().map(|d| d.major_outage_seconds).max().unwrap_or(0);
            combined.partial_outage_seconds = day.clone().map(|d| d.partial_outage_seconds).max().unwrap_or(0);
            combined.degraded_seconds = day.clone().map(|d| d.degraded_seconds).max().unwrap_or(0);
            combined.maintenance_seconds = day.map(|d| d.maintenance_seconds).max().unwrap_or(0);
            combined
        })
        .collect();
    let uptime = mean(&mut found.iter().filter_map(|row| row.uptime));
    Some(ComponentUptime { component_id: group.id.clone(), uptime, days })
}

/// Dismissed banners, oldest first, remembered across page loads as one line per key.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Dismissals(Vec<String>);

impl Dismissals {
    /// Reads what [`Dismissals::store`] wrote; anything else yields none.
    pub fn load(text: &str) -> Self {
        Self(text.lines().filter(|l| !l.is_empty()).take(MAX_DISMISSALS).map(str::to_owned).collect())
    }

    /// The stored form.
    pub fn store(&self) -> String {
        self.0.join("\n")
    }

    /// Whether the banner at this update was dismissed.
    pub fn contains(&self, key: &BannerKey) -> bool {
        self.0.iter().any(|k| k == &key.0)
    }

    /// Remembers a dismissal, forgetting the oldest beyond [`MAX_DISMISSALS`].
    pub fn insert(&mut self, key: &BannerKey) {
        if !self.contains(key) {
            self.0.push(key.0.replace('\n', " "));
        }
        let excess = self.0.len().saturating_sub(MAX_DISMISSALS);
        self.0.drain(..excess);
    }
}

/// What happened to the last fetch of the summary.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// A new document arrived; `stale` when the edge flagged it (`X-Sitrep-Stale`).
    Fresh {
        /// The edge served its last good copy.
        stale: bool,
    },
    /// `304 Not Modified`: what we have is current.
    NotModified {
        /// The edge flagged it stale.
        stale: bool,
    },
    /// Network error, timeout, error status, bad or oversized body.
    Failed,
}

/// The polling state of one element: when data last arrived and how fetches have gone since.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Feed {
    /// When the edge last confirmed the data (a 200 or a 304); `None` if never in this page load.
    pub confirmed_at: Option<Timestamp>,
    /// When the data we hold was fetched (possibly in an earlier page load, from storage).
    pub fetched_at: Option<Timestamp>,
    /// The edge's last answer said its store was unreachable.
    pub edge_stale: bool,
    /// Failures since the last success.
    pub failures: u32,
}

impl Feed {
    /// Starts from data stored by an earlier page load, fetched at `fetched_at`.
    pub fn from_storage(fetched_at: Option<Timestamp>) -> Self {
        Self { fetched_at, ..Self::default() }
    }

    /// Applies the outcome of a fetch finished at `now`.
    pub fn record(&mut self, outcome: Outcome, now: Timestamp) {
        match outcome {
            Outcome::Fresh { stale } | Outcome::NotModified { stale } => {
                self.confirmed_at = Some(now);
                self.fetched_at = Some(now);
                self.edge_stale = stale;
                self.failures = 0;
            }
            Outcome::Failed => self.failures = self.failures.saturating_add(1),
        }
    }

    /// Whether to warn that the data may be out of date: flagged by the edge, or not confirmed
    /// within [`STALE_AFTER_INTERVALS`] poll intervals.
    pub fn out_of_date(&self, now: Timestamp, poll_secs: u32) -> bool {
        let limit = i64::from(poll_secs) * 1000 * STALE_AFTER_INTERVALS;
        self.edge_stale || self.fetched_at.is_none_or(|at| now.unix_millis() - at.unix_millis() > limit)
    }

    /// Milliseconds until the next poll: the interval after a success, doubling with each failure
    /// up to [`MAX_DELAY_SECS`]; ±20% jitter from `unit` in `[0, 1)` so widgets do not poll in step.
    pub fn next_delay_ms(&self, poll_secs: u32, unit: f64) -> u64 {
        let base = u64::from(poll_secs.max(MIN_POLL_SECS)) * 1000;
        let cap = u64::from(MAX_DELAY_SECS.max(poll_secs)) * 1000;
        let backoff = base.saturating_mul(1u64 << self.failures.saturating_sub(1).min(16)).min(cap);
        let jitter = 0.8 + 0.4 * unit.clamp(0.0, 1.0);
        (backoff as f64 * jitter) as u64
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use std::borrow::Cow;

    use super::*;
    use crate::incident::IncidentStatus::*;
    use crate::testing::{affected, at, component, incident, maintenance, page, update};

    fn summary(components: Vec<Component>, incidents: Vec<Incident>, maintenances: Vec<Incident>) -> Summary<'static> {
        let data = page();
        Summary {
            page: Cow::Owned(data.page),
            status: Indicator::None.into(),
            components: Cow::Owned(components),
            incidents: incidents.into_iter().map(Cow::Owned).collect(),
            scheduled_maintenances: maintenances.into_iter().map(Cow::Owned).collect(),
        }
    }

    /// Issue 28: a private page's widget sends its reader link with every read, given as the token
    /// or as the whole link; anything else is said and not sent.
    #[test]
    fn a_reader_link_goes_with_every_read() {
        let token = format!("sitrep_reader_internal_3_0_1800000000_{}", "ab".repeat(32));
        let o = options(&[("reader", &token)]);
        assert_eq!(
            o.url("/api/v2/summary.json"),
            format!("https://status.example.com/api/v2/summary.json?reader={token}")
        );
        assert_eq!(
            o.url("/embed/frame?view=full"),
            format!("https://status.example.com/embed/frame?view=full&reader={token}")
        );
        let link = format!("https://internal.example/?reader={token}");
        assert_eq!(options(&[("reader", &link)]).reader.as_deref(), Some(token.as_str()));
        for bad in ["x", "sitrep_reader_a b", "sitrep_reader_<script>", "https://x/?reader=other"] {
            let (o, warnings) =
                Options::read_checked(|name| (name == "reader").then(|| bad.to_owned()), "https://status.example.com");
            assert_eq!(o.reader, None, "{bad}");
            assert_eq!(warnings.len(), 1, "{bad}");
            assert_eq!(o.url("/a"), "https://status.example.com/a");
        }
    }

    fn options(pairs: &[(&str, &str)]) -> Options {
        Options::read(
            |name| pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| (*v).to_owned()),
            "https://status.example.com",
        )
    }

    #[test]
    fn options_fall_back_to_defaults_on_bad_values() {
        let o = options(&[("view", "huge"), ("theme", "purple"), ("poll", "-3"), ("src", "javascript:alert(1)")]);
        assert_eq!(o.view, View::Badge);
        assert_eq!(o.theme, Theme::Auto);
        assert_eq!(o.poll_secs, DEFAULT_POLL_SECS);
        assert_eq!(o.src, "https://status.example.com");
        let o = options(&[("poll", "1"), ("src", "http://127.0.0.1:8787/"), ("components", "a, b,c")]);
        assert_eq!(o.poll_secs, MIN_POLL_SECS);
        assert_eq!(o.src, "http://127.0.0.1:8787");
        assert_eq!(o.url("/api/v2/summary.json"), "http://127.0.0.1:8787/api/v2/summary.json");
        assert_eq!(o.components, vec![ComponentId::from("a"), "b".into(), "c".into()]);
        assert_eq!(options(&[("poll", "100000")]).poll_secs, MAX_DELAY_SECS);
        // Issue 26, item 8: a src with a path requested /api/v2/summary.json/api/v2/summary.json.
        let (o, warnings) = Options::read_checked(
            |name| (name == "src").then(|| "https://status.example.com/api/v2/summary.json".to_owned()),
            "https://default.example",
        );
        assert_eq!(o.url("/api/v2/summary.json"), "https://status.example.com/api/v2/summary.json");
        assert_eq!(
            warnings,
            [
                "sitrep: src=\"https://status.example.com/api/v2/summary.json\" is not an origin (scheme, host and port, \
              no path); reading from https://status.example.com."
            ]
        );
        let preview = |value: &str| {
            let value = value.to_owned();
            Options::read_checked(move |name| (name == "preview").then(|| value.clone()), "https://x.example")
        };
        assert!(preview("incident").0.preview);
        let (o, warnings) = preview("outage");
        assert!(!o.preview);
        assert_eq!(warnings, ["sitrep: preview=\"outage\" is not incident; showing the live status."]);
        let sample = preview_summary("Acme", "Example", "Nothing published.", "en", crate::testing::at(60));
        assert_eq!((sample.incidents.len(), sample.status.indicator), (1, Indicator::Major));
        assert_eq!(sample.incidents[0].incident_updates[0].body, "Nothing published.");
        let (o, warnings) = Options::read_checked(|name| (name == "src").then(|| "http://[::1]:8787/".to_owned()), "x");
        assert_eq!((o.src.as_str(), warnings.len()), ("http://[::1]:8787", 0), "a trailing slash is no path");
    }

    fn grouped() -> Vec<Component> {
        let mut group = component("us", ComponentStatus::Operational);
        group.group = true;
        group.position = 1;
        group.components = vec!["us-api".into(), "us-web".into()];
        let mut api = component("us-api", ComponentStatus::MajorOutage);
        api.group_id = Some("us".into());
        let mut web = component("us-web", ComponentStatus::Operational);
        web.group_id = Some("us".into());
        web.position = 1;
        let mut eu = component("eu", ComponentStatus::Operational);
        eu.position = 0;
        vec![group, api, web, eu]
    }

    #[test]
    fn a_filter_keeps_its_components_group_children_and_touching_incidents() {
        let mut touching = incident("t", Impact::Major, 0, &[Investigating]);
        touching.incident_updates[0].affected_components =
            vec![affected("us-api", ComponentStatus::Operational, ComponentStatus::MajorOutage)];
        let elsewhere = incident("e", Impact::Critical, 0, &[Investigating]);
        let s = summary(grouped(), vec![touching, elsewhere], vec![]);

        let all = scope(&s, &[], at(10));
        assert_eq!(all.components.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(), ["eu", "us-api", "us-web"]);
        assert_eq!(all.incidents.len(), 2);
        assert_eq!(all.indicator(at(10)), Indicator::Critical);

        let eu = scope(&s, &["eu".into()], at(10));
        assert_eq!(eu.components.len(), 1);
        assert!(eu.incidents.is_empty());
        assert_eq!(eu.indicator(at(10)), Indicator::None);

        let us = scope(&s, &["us".into()], at(10));
        assert_eq!(us.components.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(), ["us-api", "us-web"]);
        assert_eq!(us.incidents.iter().map(|i| i.id.as_str()).collect::<Vec<_>>(), ["t"]);
        assert_eq!(us.indicator(at(10)), Indicator::Critical, "us-api is in major outage");
    }

    #[test]
    fn banner_prefers_the_most_severe_incident_over_maintenance_and_rekeys_on_update() {
        let minor = incident("minor", Impact::Minor, 0, &[Investigating, Identified]);
        let major = incident("major", Impact::Major, 5, &[Investigating]);
        let active = maintenance("m", 0, (0, 100), &[InProgress]);
        let s = summary(vec![], vec![minor.clone(), major.clone()], vec![active.clone()]);
        let b = banner(&scope(&s, &[], at(20)), at(20)).map(|b| (b.incident.id.as_str().to_owned(), b.key));
        let (id, first_key) = b.unwrap();
        assert_eq!(id, "major");

        let mut updated = major;
        updated.incident_updates.push(update("u2", "major", Identified, at(30)));
        let s2 = summary(vec![], vec![minor, updated], vec![active.clone()]);
        let second_key = banner(&scope(&s2, &[], at(40)), at(40)).unwrap().key;
        assert_ne!(first_key, second_key, "a new update must show a dismissed banner again");

        let only_maintenance = summary(vec![], vec![], vec![active]);
        let b = banner(&scope(&only_maintenance, &[], at(20)), at(20)).unwrap();
        assert_eq!(b.incident.id.as_str(), "m");
        assert!(b.dismissible);
        let scheduled = summary(vec![], vec![], vec![maintenance("w", 0, (0, 100), &[Scheduled])]);
        assert!(banner(&scope(&scheduled, &[], at(50)), at(50)).is_some(), "inside its window");
        assert!(banner(&scope(&scheduled, &[], at(200)), at(200)).is_none(), "the window is over");
    }

    #[test]
    fn critical_incidents_cannot_be_dismissed() {
        let s = summary(vec![], vec![incident("c", Impact::Critical, 0, &[Investigating])], vec![]);
        assert!(!banner(&scope(&s, &[], at(1)), at(1)).unwrap().dismissible);
    }

    #[test]
    fn upcoming_lists_only_the_next_seven_days_soonest_first() {
        let week = 7 * 24 * 60;
        let later = maintenance("later", 0, (week + 60, week + 120), &[Scheduled]);
        let soon = maintenance("soon", 0, (120, 180), &[Scheduled]);
        let sooner = maintenance("sooner", 0, (60, 90), &[Scheduled]);
        let s = summary(vec![], vec![], vec![later, soon, sooner]);
        let list = upcoming(&scope(&s, &[], at(10)), at(10));
        assert_eq!(list.iter().map(|m| m.id.as_str()).collect::<Vec<_>>(), ["sooner", "soon"]);
    }

    #[test]
    fn dismissals_round_trip_and_stay_bounded() {
        let mut d = Dismissals::default();
        for n in 0..MAX_DISMISSALS + 5 {
            d.insert(&BannerKey(format!("i@{n}")));
        }
        let loaded = Dismissals::load(&d.store());
        assert_eq!(loaded, d);
        assert!(!loaded.contains(&BannerKey("i@0".into())), "the oldest are forgotten");
        assert!(loaded.contains(&BannerKey(format!("i@{}", MAX_DISMISSALS + 4))));
        assert_eq!(Dismissals::load("garbage\n\n"), Dismissals(vec!["garbage".into()]));
    }

    #[test]
    fn headline_never_shows_unconfirmed_green() {
        assert_eq!(Headline::of(None, true, false), Headline::Checking);
        assert_eq!(Headline::of(None, true, true), Headline::Unavailable);
        assert_eq!(Headline::of(Some(Indicator::None), false, false), Headline::Known(Indicator::None));
        assert_eq!(Headline::of(Some(Indicator::None), true, true), Headline::Unconfirmed);
        assert_eq!(Headline::of(Some(Indicator::Major), true, true), Headline::OutOfDate(Indicator::Major));
        assert_eq!(Headline::Unconfirmed.indicator(), None);
    }

    #[test]
    fn feed_goes_out_of_date_after_three_intervals_or_when_flagged() {
        let mut feed = Feed::default();
        assert!(feed.out_of_date(at(0), 60), "nothing fetched yet");
        feed.record(Outcome::Fresh { stale: false }, at(0));
        assert!(!feed.out_of_date(at(3), 60));
        assert!(feed.out_of_date(at(4), 60), "four minutes is over three 60 s intervals");
        feed.record(Outcome::NotModified { stale: true }, at(4));
        assert!(feed.out_of_date(at(4), 60), "the edge said its store is unreachable");
        feed.record(Outcome::Failed, at(5));
        feed.record(Outcome::Failed, at(6));
        assert_eq!(feed.failures, 2);
        assert_eq!(feed.confirmed_at, Some(at(4)), "a failure keeps the last confirmation");
        let stored = Feed::from_storage(Some(at(0)));
        assert!(!stored.out_of_date(at(1), 60) && stored.confirmed_at.is_none());
    }

    #[test]
    fn delays_jitter_within_twenty_percent_and_back_off_to_a_cap() {
        let mut feed = Feed::default();
        assert_eq!(feed.next_delay_ms(60, 0.0), 48_000);
        assert_eq!(feed.next_delay_ms(60, 1.0), 72_000);
        assert_eq!(feed.next_delay_ms(5, 0.5), 15_000, "the minimum interval holds");
        let mut last = 0;
        for _ in 0..30 {
            feed.record(Outcome::Failed, at(0));
            let delay = feed.next_delay_ms(60, 0.5);
            assert!(delay >= last, "backoff never shrinks while failing");
            last = delay;
        }
        assert_eq!(last, u64::from(MAX_DELAY_SECS) * 1000);
        feed.record(Outcome::Fresh { stale: false }, at(1));
        assert_eq!(feed.next_delay_ms(60, 0.5), 60_000, "success resets the backoff");
    }
    #[test]
    fn groups_are_one_row_with_their_worst_child() {
        let s = summary(grouped(), vec![], vec![]);
        let all = scope(&s, &[], at(10));
        let rows = rows(&s, &all);
        assert_eq!(rows.len(), 2, "{rows:?}");
        assert!(matches!(rows[0], Row::Component(c) if c.id.as_str() == "eu"));
        let Row::Group { group, children, status } = &rows[1] else { panic!("{rows:?}") };
        assert_eq!(group.id.as_str(), "us");
        assert_eq!(children.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(), ["us-api", "us-web"]);
        assert_eq!(*status, ComponentStatus::MajorOutage, "the group's own status says operational");
        let only_web = scope(&s, &["us-web".into()], at(10));
        assert!(
            matches!(&rows_of(&s, &only_web)[..], [Row::Group { children, status: ComponentStatus::Operational, .. }] if children.len() == 1)
        );
    }

    #[test]
    fn a_filter_of_unknown_ids_is_no_filter_never_a_green() {
        let mut outage = incident("o", Impact::Major, 0, &[Investigating]);
        outage.incident_updates[0].affected_components =
            vec![affected("us-api", ComponentStatus::Operational, ComponentStatus::MajorOutage)];
        let mut s = summary(grouped(), vec![outage], vec![]);
        s.status = Indicator::Major.into();
        let typo: Vec<ComponentId> = vec!["nope".into(), "also-nope".into()];
        assert_eq!(unknown_ids(&s, &typo).len(), 2);
        assert_eq!(shown_indicator(&s, &typo, at(10)), shown_indicator(&s, &[], at(10)), "the whole page's");
        assert_ne!(shown_indicator(&s, &typo, at(10)), Indicator::None, "never green through the outage");
        assert_eq!(scope(&s, &typo, at(10)), scope(&s, &[], at(10)));
        // One known id among typos: the filter stands, the typo matches nothing.
        let mixed: Vec<ComponentId> = vec!["eu".into(), "nope".into()];
        assert_eq!(unknown_ids(&s, &mixed), [&ComponentId::from("nope")]);
        assert_eq!(shown_indicator(&s, &mixed, at(10)), Indicator::None, "eu is fine");
        assert_eq!(
            filter_warning(&s, &typo).as_deref(),
            Some("sitrep: components= names no component of this page (nope, also-nope); showing the whole page.")
        );
        assert_eq!(
            filter_warning(&s, &mixed).as_deref(),
            Some("sitrep: components= names components this page does not have (nope); they are ignored.")
        );
        assert_eq!(filter_warning(&s, &["us".into()]), None, "a group is a component of the page");
        let mut entry: PostmortemEntry<'static> = PostmortemEntry {
            incident_id: "o".into(),
            name: "o".into(),
            impact: Impact::Major,
            started_at: None,
            resolved_at: None,
            postmortem: std::borrow::Cow::Owned(crate::testing::published_postmortem(at(0))),
            component_ids: vec!["us-api".into()],
        };
        assert_eq!(postmortems(std::slice::from_ref(&entry), &s, &typo, 3, at(10)).len(), 1, "postmortems too");
        entry.component_ids = vec!["eu".into()];
        assert_eq!(postmortems(std::slice::from_ref(&entry), &s, &["us".into()], 3, at(10)).len(), 0);
    }

    #[test]
    fn every_value_an_element_cannot_use_is_named_with_what_it_accepts() {
        let read = |pairs: &[(&str, &str)]| {
            let pairs: Vec<(String, String)> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
            Options::read_checked(
                move |name| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()),
                "https://status.example.com",
            )
        };
        let (good, none) = read(&[("view", "full"), ("theme", "dark"), ("poll", "30"), ("postmortems", "5")]);
        assert!(none.is_empty(), "{none:?}");
        assert_eq!((good.view, good.theme, good.poll_secs, good.postmortems), (View::Full, Theme::Dark, 30, 5));
        let (bad, warnings) = read(&[
            ("view", "huge"),
            ("theme", "purple"),
            ("poll", "5"),
            ("postmortems", "many"),
            ("src", "javascript:alert(1)"),
        ]);
        assert_eq!((bad.view, bad.theme, bad.poll_secs, bad.postmortems), (View::Badge, Theme::Auto, 15, 3));
        assert_eq!(bad.src, "https://status.example.com");
        assert_eq!(
            warnings,
            [
                "sitrep: src=\"javascript:alert(1)\" is not an http(s) origin; reading from the origin widget.js came from.",
                "sitrep: view=\"huge\" is not badge, banner or full; showing the badge.",
                "sitrep: theme=\"purple\" is not light, dark or auto; following the background it sits on.",
                "sitrep: poll=\"5\" is not between 15 and 600 seconds; polling every 15 s.",
                "sitrep: postmortems=\"many\" is not a number from 0 to 20; listing 3.",
            ]
        );
        assert_eq!(read(&[("postmortems", "99")]).0.postmortems, MAX_POSTMORTEMS);
        assert_eq!(
            read(&[("poll", "soon")]).1,
            ["sitrep: poll=\"soon\" is not a number of seconds; polling every 60 s."]
        );
    }

    fn rows_of<'a>(s: &'a Summary<'_>, scoped: &Scoped<'a>) -> Vec<Row<'a>> {
        rows(s, scoped)
    }

    #[test]
    fn a_groups_uptime_is_the_mean_of_its_children_and_their_worst_day() {
        use crate::uptime::DayUptime;
        let day = |uptime: Option<f64>, worst| DayUptime {
            date: chrono::NaiveDate::default(),
            uptime,
            worst,
            major_outage_seconds: 0,
            partial_outage_seconds: 0,
            degraded_seconds: 0,
            maintenance_seconds: 0,
        };
        let row = |id: &str, days: Vec<DayUptime>, uptime| ComponentUptime { component_id: id.into(), uptime, days };
        let uptime = vec![
            row(
                "us-api",
                vec![day(Some(0.5), ComponentStatus::MajorOutage), day(None, ComponentStatus::Operational)],
                Some(0.5),
            ),
            row(
                "us-web",
                vec![day(Some(1.0), ComponentStatus::Operational), day(Some(1.0), ComponentStatus::Operational)],
                Some(1.0),
            ),
        ];
        let components = grouped();
        let children: Vec<&Component> = components[1..3].iter().collect();
        let combined = group_uptime(&uptime, &components[0], &children).unwrap();
        assert_eq!(combined.component_id.as_str(), "us");
        assert_eq!(combined.uptime, Some(0.75));
        assert_eq!(combined.days[0].uptime, Some(0.75));
        assert_eq!(combined.days[0].worst, ComponentStatus::MajorOutage);
        assert_eq!(combined.days[1].uptime, Some(1.0), "a day without a figure does not count as down");
        assert!(group_uptime(&[], &components[0], &children).is_none());
    }
}
