//! Validation that lists every problem at once, each with the path of the field at fault.
//!
//! Readers are tolerant; the store is not. What a page holds must pass [`validate`]:
//! ids are well formed and unique, timestamps never run backwards, statuses move only along
//! allowed transitions (reopening a closed incident is explicit: `reopened: true` on the update),
//! a maintenance window ends after it starts, every referenced component exists, and text fits
//! the limits below. Lengths are counted in characters (Unicode scalar values).

use std::collections::{HashMap, HashSet};

use crate::component::{Component, ComponentStatus};
use crate::incident::{Impact, Incident, IncidentStatus};
use crate::limits;
use crate::page::PageData;
use crate::postmortem::Postmortem;
use crate::wire::{ComponentId, Timestamp};

// The limits themselves live in one table, `crate::limits`; these are its names here.
/// Longest id: ids are `[A-Za-z0-9_-]`.
pub const MAX_ID: usize = limits::ID_CHARS;
/// Longest page, component, incident or section name.
pub const MAX_NAME: usize = limits::NAME_CHARS;
/// Longest component description.
pub const MAX_DESCRIPTION: usize = limits::DESCRIPTION_CHARS;
/// Longest update body.
pub const MAX_BODY: usize = limits::UPDATE_BODY_CHARS;
/// Longest postmortem summary.
pub const MAX_SUMMARY: usize = limits::POSTMORTEM_SUMMARY_CHARS;
/// Longest postmortem section body (all of a postmortem's texts together: `limits::POSTMORTEM_CHARS`).
pub const MAX_SECTION_BODY: usize = limits::POSTMORTEM_CHARS;
/// Longest action item or timeline entry.
pub const MAX_ITEM: usize = limits::ITEM_CHARS;
/// Most sections, action items or timeline entries in one postmortem.
pub const MAX_ITEMS: usize = limits::POSTMORTEM_ENTRIES;

pub use crate::problem::{Problem, ProblemCode};

/// Which lifecycle a status sequence follows.
pub use crate::incident::Kind as Lifecycle;

/// Whether an update may move `from` to `to`; `None` is the first update.
///
/// Open incident statuses may move freely among themselves (things get worse again); a maintenance
/// may go back from verifying to in progress. Leaving a closed status needs `reopened`.
pub fn transition_allowed(
    lifecycle: Lifecycle,
    from: Option<IncidentStatus>,
    to: IncidentStatus,
    reopened: bool,
) -> bool {
    use IncidentStatus::*;
    let valid_target = match lifecycle {
        Lifecycle::Incident => matches!(to, Investigating | Identified | Monitoring | Resolved),
        Lifecycle::Maintenance => matches!(to, Scheduled | InProgress | Verifying | Completed),
    };
    if !valid_target {
        return false;
    }
    let Some(from) = from else {
        // A backfilled incident may start resolved; a maintenance starts announced or under way.
        return !reopened && (lifecycle == Lifecycle::Incident || matches!(to, Scheduled | InProgress | Completed));
    };
    if from.is_closed() {
        return to == from || (to == Resolved && from == Postmortem) || (reopened && !to.is_closed());
    }
    if reopened {
        return false;
    }
    match lifecycle {
        Lifecycle::Incident => true,
        Lifecycle::Maintenance => match from {
            Scheduled => true,
            InProgress | Verifying => to != Scheduled,
            _ => false,
        },
    }
}

/// Every problem with the page data; empty when it is valid.
pub fn validate(data: &PageData) -> Vec<Problem> {
    let mut check = Checker::default();
    check.id("page.id", data.page.id.as_str());
    check.text("page.name", &data.page.name, 1, MAX_NAME);
    check.text("page.time_zone", &data.page.time_zone, 1, 64);
    if !data.page.url.is_empty() && !is_origin(&data.page.url) {
        check.fail(
            "page.url",
            ProblemCode::Invalid,
            format!(
                "must be an http or https origin such as https://status.example.com, at most {} characters",
                limits::PAGE_URL_CHARS
            ),
        );
    }

    let components: HashMap<&ComponentId, &Component> = data.components.iter().map(|c| (&c.id, c)).collect();
    let mut seen = HashSet::new();
    for (n, component) in data.components.iter().enumerate() {
        check.component(&format!("components[{n}]"), component, &components, &data.page.id.0, &mut seen);
    }
    if data.components.len() > limits::COMPONENTS {
        check.fail(
            "components".to_owned(),
            ProblemCode::TooLong,
            format!("a page has at most {} components and groups", limits::COMPONENTS),
        );
    }
    for (name, list, limit) in [
        ("incidents", &data.incidents, limits::OPEN_INCIDENTS),
        ("scheduled_maintenances", &data.scheduled_maintenances, limits::OPEN_MAINTENANCES),
    ] {
        let open = list.iter().filter(|e| !e.status.is_closed()).count();
        if open > limit {
            check.fail(name.to_owned(), ProblemCode::TooLong, format!("{open} are open; at most {limit} may be"));
        }
    }
    let mut event_ids = HashSet::new();
    let mut update_ids = HashSet::new();
    let lists = [
        (Lifecycle::Incident, "incidents", &data.incidents),
        (Lifecycle::Maintenance, "scheduled_maintenances", &data.scheduled_maintenances),
    ];
    for (lifecycle, name, list) in lists {
        for (n, incident) in list.iter().enumerate() {
            let path = format!("{name}[{n}]");
            if !event_ids.insert(&incident.id) {
                check.fail(
                    format!("{path}.id"),
                    ProblemCode::Duplicate,
                    format!("id {:?} is used twice", incident.id.0),
                );
            }
            check.incident(&path, lifecycle, incident, &components, &mut update_ids);
            let bytes = limits::event_bytes(incident);
            if bytes > limits::CLOSED_EVENT_BYTES {
                check.fail(
                    path,
                    ProblemCode::TooLong,
                    format!(
                        "{bytes} bytes stored; one incident or maintenance has at most {}",
                        limits::CLOSED_EVENT_BYTES
                    ),
                );
            }
        }
    }
    check.problems
}

/// Every recorded time in `data` (when something happened, never a planned window or a scheduled
/// publication) that lies more than [`limits::CLOCK_SKEW_MS`] after `now`. An import checks this:
/// the writer never lets a stored time carry its clock past the real one, because an event that
/// starts "in the future" is not open yet and the page would read green through a real incident.
pub fn future_times(data: &PageData, now: Timestamp) -> Vec<Problem> {
    let limit = now.unix_millis().saturating_add(limits::CLOCK_SKEW_MS);
    let mut check = Checker::default();
    let mut at = |path: String, time: Option<Timestamp>| {
        if let Some(time) = time.filter(|t| t.unix_millis() > limit) {
            check.fail(
                path,
                ProblemCode::Invalid,
                format!(
                    "{time} is after the server's clock ({now}); recorded times may run at most {} s ahead",
                    limits::CLOCK_SKEW_MS / 1000
                ),
            );
        }
    };
    at("page.updated_at".to_owned(), Some(data.page.updated_at));
    for (n, component) in data.components.iter().enumerate() {
        at(format!("components[{n}].created_at"), Some(component.created_at));
        at(format!("components[{n}].updated_at"), Some(component.updated_at));
    }
    for (name, list) in [("incidents", &data.incidents), ("scheduled_maintenances", &data.scheduled_maintenances)] {
        for (n, event) in list.iter().enumerate() {
            let path = format!("{name}[{n}]");
            at(format!("{path}.created_at"), Some(event.created_at));
            at(format!("{path}.updated_at"), Some(event.updated_at));
            at(format!("{path}.monitoring_at"), event.monitoring_at);
            at(format!("{path}.resolved_at"), event.resolved_at);
            for (u, update) in event.incident_updates.iter().enumerate() {
                at(format!("{path}.incident_updates[{u}].created_at"), Some(update.created_at));
                at(format!("{path}.incident_updates[{u}].updated_at"), Some(update.updated_at));
            }
        }
    }
    check.problems
}

/// Whether `url` is an http(s) origin (`scheme://host[:port]`, a trailing `/` allowed) of at most
/// [`limits::PAGE_URL_CHARS`]: what a page's URL may be, since links in every document,
/// feed and notification start with it.
pub fn is_origin(url: &str) -> bool {
    let Some(rest) = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://")) else {
        return false;
    };
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    let (host, port) = match rest.rsplit_once(':') {
        Some((host, port)) if !host.ends_with(':') && !port.contains(']') => (host, Some(port)),
        _ => (rest, None),
    };
    let host_ok = if let Some(v6) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        !v6.is_empty() && v6.bytes().all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.')
    } else {
        !host.is_empty()
            && host.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            })
    };
    let port_ok = port.is_none_or(|p| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()));
    url.len() <= limits::PAGE_URL_CHARS && host_ok && port_ok
}

/// Every problem with the components alone (ids, names, groups), as after a component write.
pub fn validate_components(page_id: &str, components: &[Component]) -> Vec<Problem> {
    let mut check = Checker::default();
    let map: HashMap<&ComponentId, &Component> = components.iter().map(|c| (&c.id, c)).collect();
    let mut seen = HashSet::new();
    for (n, component) in components.iter().enumerate() {
        check.component(&format!("components[{n}]"), component, &map, page_id, &mut seen);
    }
    check.problems
}

/// Every problem with one incident or maintenance, checked against the page's components, as
/// after a write to it. Paths start with `path` (such as `incident`).
pub fn validate_event(kind: Lifecycle, path: &str, event: &Incident, components: &[Component]) -> Vec<Problem> {
    let mut check = Checker::default();
    let map: HashMap<&ComponentId, &Component> = components.iter().map(|c| (&c.id, c)).collect();
    let mut update_ids = HashSet::new();
    check.incident(path, kind, event, &map, &mut update_ids);
    check.problems
}

#[derive(Default)]
struct Checker {
    problems: Vec<Problem>,
}

impl Checker {
    fn fail(&mut self, path: impl Into<String>, code: ProblemCode, message: impl Into<String>) {
        self.problems.push(Problem { path: path.into(), code, message: message.into() });
    }

    fn id(&mut self, path: &str, id: &str) {
        if id.is_empty() {
            self.fail(path, ProblemCode::Missing, "id is required");
        } else if id.len() > MAX_ID {
            self.fail(path, ProblemCode::TooLong, format!("id is longer than {MAX_ID} characters"));
        } else if !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
            self.fail(path, ProblemCode::Invalid, "id may hold only letters, digits, '-' and '_'");
        }
    }

    fn text(&mut self, path: &str, text: &str, min: usize, max: usize) {
        // Count characters only up to the limit: a huge body costs no more than the limit to reject.
        let count = text.chars().take(max + 1).count();
        if count < min || text.trim().is_empty() && min > 0 {
            self.fail(path, ProblemCode::Missing, "text is required");
        } else if count > max {
            self.fail(path, ProblemCode::TooLong, format!("text is longer than {max} characters"));
        }
    }

    fn not_before(&mut self, path: &str, later: Option<Timestamp>, earlier: Option<Timestamp>, earlier_name: &str) {
        if let (Some(later), Some(earlier)) = (later, earlier)
            && later < earlier
        {
            self.fail(path, ProblemCode::Backwards, format!("{later} is before {earlier_name} ({earlier})"));
        }
    }

    fn language(&mut self, path: &str, tag: Option<&str>) {
        if let Some(tag) = tag
            && !is_language_tag(tag)
        {
            self.fail(
                path,
                ProblemCode::Invalid,
                format!("{tag:?} is not a BCP 47 language tag such as \"en\" or \"nl-NL\""),
            );
        }
    }

    fn component(
        &mut self,
        path: &str,
        component: &Component,
        components: &HashMap<&ComponentId, &Component>,
        page_id: &str,
        seen: &mut HashSet<ComponentId>,
    ) {
        self.id(&format!("{path}.id"), component.id.as_str());
        if !seen.insert(component.id.clone()) {
            self.fail(format!("{path}.id"), ProblemCode::Duplicate, format!("id {:?} is used twice", component.id.0));
        }
        if !component.page_id.0.is_empty() && component.page_id.0 != page_id {
            self.fail(format!("{path}.page_id"), ProblemCode::Inconsistent, "component belongs to another page");
        }
        self.text(&format!("{path}.name"), &component.name, 1, MAX_NAME);
        if let Some(description) = &component.description {
            self.text(&format!("{path}.description"), description, 0, MAX_DESCRIPTION);
        }
        if component.status == ComponentStatus::Unknown {
            self.fail(format!("{path}.status"), ProblemCode::Invalid, "unknown component status");
        }
        self.not_before(
            &format!("{path}.updated_at"),
            Some(component.updated_at),
            Some(component.created_at),
            "created_at",
        );
        if let Some(group_id) = &component.group_id {
            match components.get(group_id) {
                None => {
                    self.fail(format!("{path}.group_id"), ProblemCode::NotFound, format!("no group {:?}", group_id.0))
                }
                Some(group) if !group.group => {
                    self.fail(
                        format!("{path}.group_id"),
                        ProblemCode::Invalid,
                        format!("{:?} is not a group", group_id.0),
                    );
                }
                Some(group) if !group.components.contains(&component.id) => {
                    self.fail(
                        format!("{path}.group_id"),
                        ProblemCode::Inconsistent,
                        format!("group {:?} does not list this component", group_id.0),
                    );
                }
                Some(_) => {}
            }
            if component.group {
                self.fail(format!("{path}.group"), ProblemCode::Invalid, "a group cannot be inside another group");
            }
        }
        if !component.group && !component.components.is_empty() {
            self.fail(format!("{path}.components"), ProblemCode::Invalid, "only a group lists components");
        }
        for (n, child) in component.components.iter().enumerate() {
            match components.get(child) {
                None => self.fail(
                    format!("{path}.components[{n}]"),
                    ProblemCode::NotFound,
                    format!("no component {:?}", child.0),
                ),
                Some(c) if c.group_id.as_ref() != Some(&component.id) => self.fail(
                    format!("{path}.components[{n}]"),
                    ProblemCode::Inconsistent,
                    format!("component {:?} does not name this group as its group_id", child.0),
                ),
                Some(_) => {}
            }
        }
    }

    /// A component `event` names (at the path `path` makes): an open event must name one the page
    /// has; a closed one may name one removed since (its copy carries the name), by an id of the
    /// right form.
    fn named_component(
        &mut self,
        path: impl FnOnce() -> String,
        id: &ComponentId,
        event: &Incident,
        components: &HashMap<&ComponentId, &Component>,
    ) {
        if components.contains_key(id) {
            return;
        }
        if event.status.is_closed() {
            self.id(&path(), id.as_str());
        } else {
            self.fail(path(), ProblemCode::NotFound, format!("no component {:?}", id.0));
        }
    }

    fn incident<'a>(
        &mut self,
        path: &str,
        lifecycle: Lifecycle,
        incident: &'a Incident,
        components: &HashMap<&ComponentId, &Component>,
        update_ids: &mut HashSet<&'a str>,
    ) {
        self.id(&format!("{path}.id"), incident.id.as_str());
        self.text(&format!("{path}.name"), &incident.name, 1, MAX_NAME);
        let known_status = match lifecycle {
            Lifecycle::Incident => incident.status.is_incident_status(),
            Lifecycle::Maintenance => incident.status.is_maintenance_status(),
        };
        if !known_status {
            self.fail(
                format!("{path}.status"),
                ProblemCode::Invalid,
                format!("{} is not a status for this kind of event", incident.status.as_str()),
            );
        }
        match (lifecycle, incident.impact) {
            (_, Impact::Unknown) => self.fail(format!("{path}.impact"), ProblemCode::Invalid, "unknown impact"),
            (Lifecycle::Incident, Impact::Maintenance) => {
                self.fail(
                    format!("{path}.impact"),
                    ProblemCode::Invalid,
                    "impact \"maintenance\" is for scheduled maintenance only",
                );
            }
            _ => {}
        }
        match lifecycle {
            Lifecycle::Incident => {
                if incident.scheduled_for.is_some() || incident.scheduled_until.is_some() {
                    self.fail(
                        format!("{path}.scheduled_for"),
                        ProblemCode::Invalid,
                        "an incident has no maintenance window",
                    );
                }
            }
            Lifecycle::Maintenance => match (incident.scheduled_for, incident.scheduled_until) {
                (Some(start), Some(end)) if end <= start => {
                    self.fail(
                        format!("{path}.scheduled_until"),
                        ProblemCode::Backwards,
                        format!("window ends ({end}) before or when it starts ({start})"),
                    );
                }
                (Some(_), Some(_)) => {}
                (None, _) => self.fail(
                    format!("{path}.scheduled_for"),
                    ProblemCode::Missing,
                    "a maintenance needs a window start",
                ),
                (_, None) => self.fail(
                    format!("{path}.scheduled_until"),
                    ProblemCode::Missing,
                    "a maintenance needs a window end",
                ),
            },
        }
        self.not_before(
            &format!("{path}.updated_at"),
            Some(incident.updated_at),
            Some(incident.created_at),
            "created_at",
        );
        self.not_before(&format!("{path}.resolved_at"), incident.resolved_at, incident.started_at, "started_at");
        self.not_before(&format!("{path}.resolved_at"), incident.resolved_at, incident.monitoring_at, "monitoring_at");
        if incident.status.is_closed() && incident.resolved_at.is_none() {
            self.fail(format!("{path}.resolved_at"), ProblemCode::Missing, "a closed event needs resolved_at");
        }
        if incident.cancelled_at.is_some()
            && (lifecycle != Lifecycle::Maintenance || incident.status != IncidentStatus::Completed)
        {
            self.fail(
                format!("{path}.cancelled_at"),
                ProblemCode::Inconsistent,
                "only a completed maintenance can be cancelled",
            );
        }
        if !incident.status.is_closed() && incident.resolved_at.is_some() {
            self.fail(format!("{path}.resolved_at"), ProblemCode::Inconsistent, "an open event has no resolved_at");
        }
        for (n, component) in incident.components.iter().enumerate() {
            self.named_component(|| format!("{path}.components[{n}].id"), &component.id, incident, components);
        }
        self.updates(path, lifecycle, incident, components, update_ids);
        if let Some(postmortem) = &incident.postmortem {
            self.postmortem(&format!("{path}.postmortem"), postmortem, incident);
        }
        if incident.status == IncidentStatus::Postmortem && incident.published_postmortem().is_none() {
            self.fail(
                format!("{path}.status"),
                ProblemCode::Inconsistent,
                "status postmortem needs a published postmortem",
            );
        }
    }

    fn updates<'a>(
        &mut self,
        path: &str,
        lifecycle: Lifecycle,
        incident: &'a Incident,
        components: &HashMap<&ComponentId, &Component>,
        update_ids: &mut HashSet<&'a str>,
    ) {
        let updates = &incident.incident_updates;
        for (n, update) in updates.iter().enumerate() {
            let path = format!("{path}.incident_updates[{n}]");
            self.id(&format!("{path}.id"), update.id.as_str());
            if !update_ids.insert(update.id.as_str()) {
                self.fail(format!("{path}.id"), ProblemCode::Duplicate, format!("id {:?} is used twice", update.id.0));
            }
            if !update.incident_id.0.is_empty() && update.incident_id != incident.id {
                self.fail(
                    format!("{path}.incident_id"),
                    ProblemCode::Inconsistent,
                    "update belongs to another incident",
                );
            }
            self.text(&format!("{path}.body"), &update.body, 1, MAX_BODY);
            self.language(&format!("{path}.language"), update.language.as_deref());
            self.not_before(
                &format!("{path}.created_at"),
                Some(update.created_at),
                Some(incident.created_at),
                "the incident's created_at",
            );
            self.not_before(
                &format!("{path}.updated_at"),
                Some(update.updated_at),
                Some(update.created_at),
                "created_at",
            );
            // Newest first: each update is no earlier than the one listed after it.
            if let Some(older) = updates.get(n + 1) {
                self.not_before(
                    &format!("{path}.created_at"),
                    Some(update.created_at),
                    Some(older.created_at),
                    "the previous update",
                );
            }
            for (k, affected) in update.affected_components.iter().enumerate() {
                let apath = format!("{path}.affected_components[{k}]");
                match &affected.code {
                    None => self.fail(
                        format!("{apath}.code"),
                        ProblemCode::Missing,
                        "an affected component needs its id in code",
                    ),
                    Some(code) => self.named_component(|| format!("{apath}.code"), code, incident, components),
                }
                for (field, status) in [("old_status", affected.old_status), ("new_status", affected.new_status)] {
                    if status == Some(ComponentStatus::Unknown) {
                        self.fail(format!("{apath}.{field}"), ProblemCode::Invalid, "unknown component status");
                    }
                }
            }
        }
        // Transitions run oldest to newest.
        let mut previous = None;
        for (n, update) in updates.iter().enumerate().rev() {
            if !transition_allowed(lifecycle, previous, update.status, update.reopened) {
                let from = previous.map_or("the start", IncidentStatus::as_str);
                let hint = if previous.is_some_and(IncidentStatus::is_closed) {
                    " (reopening needs reopened: true)"
                } else {
                    ""
                };
                self.fail(
                    format!("{path}.incident_updates[{n}].status"),
                    ProblemCode::Transition,
                    format!("cannot move from {from} to {}{hint}", update.status.as_str()),
                );
            }
            previous = Some(update.status);
        }
        if let Some(latest) = updates.first() {
            let agrees = latest.status == incident.status
                || (incident.status == IncidentStatus::Postmortem && latest.status == IncidentStatus::Resolved);
            if !agrees {
                self.fail(
                    format!("{path}.status"),
                    ProblemCode::Inconsistent,
                    format!(
                        "status {} differs from the latest update's {}",
                        incident.status.as_str(),
                        latest.status.as_str()
                    ),
                );
            }
        }
    }

    fn postmortem(&mut self, path: &str, postmortem: &Postmortem, incident: &Incident) {
        // A revision is checked as a postmortem of its own; it has none itself and is never
        // published on its own.
        if let Some(revision) = &postmortem.revision {
            let at = format!("{path}.revision");
            if revision.revision.is_some() || revision.published_at.is_some() {
                self.fail(
                    at.clone(),
                    ProblemCode::Invalid,
                    "a revision has no revision and no published_at of its own",
                );
            }
            self.postmortem_text(&at, revision, incident);
        }
        self.postmortem_text(path, postmortem, incident);
    }

    fn postmortem_text(&mut self, path: &str, postmortem: &Postmortem, incident: &Incident) {
        self.text(&format!("{path}.summary"), &postmortem.summary, 0, MAX_SUMMARY);
        self.language(&format!("{path}.language"), postmortem.language.as_deref());
        self.not_before(
            &format!("{path}.published_at"),
            postmortem.published_at,
            Some(incident.created_at),
            "the incident's created_at",
        );
        if let Some(window) = postmortem.impact_window {
            self.not_before(&format!("{path}.impact_window.end"), Some(window.end), Some(window.start), "start");
        }
        for (name, count) in [
            ("sections", postmortem.sections.len()),
            ("action_items", postmortem.action_items.len()),
            ("timeline", postmortem.timeline.len()),
        ] {
            if count > MAX_ITEMS {
                self.fail(format!("{path}.{name}"), ProblemCode::TooLong, format!("more than {MAX_ITEMS} entries"));
            }
        }
        let total: usize = [postmortem.summary.as_str()]
            .into_iter()
            .chain(postmortem.sections.iter().flat_map(|s| [s.title.as_str(), s.body.as_str()]))
            .chain(postmortem.action_items.iter().map(|i| i.text.as_str()))
            .chain(postmortem.timeline.iter().map(|t| t.text.as_str()))
            .map(|text| text.chars().count())
            .sum();
        if total > limits::POSTMORTEM_CHARS {
            self.fail(
                path.to_owned(),
                ProblemCode::TooLong,
                format!("{total} characters in all; a postmortem has at most {}", limits::POSTMORTEM_CHARS),
            );
        }
        if postmortem.timeline_after.is_some_and(|n| n as usize > postmortem.sections.len()) {
            self.fail(
                format!("{path}.timeline_after"),
                ProblemCode::Invalid,
                format!("there are only {} sections to put the timeline after", postmortem.sections.len()),
            );
        }
        for (n, section) in postmortem.sections.iter().enumerate() {
            self.text(&format!("{path}.sections[{n}].title"), &section.title, 1, MAX_NAME);
            self.text(&format!("{path}.sections[{n}].body"), &section.body, 0, MAX_SECTION_BODY);
        }
        for (n, item) in postmortem.action_items.iter().enumerate() {
            self.text(&format!("{path}.action_items[{n}].text"), &item.text, 1, MAX_ITEM);
        }
        for (n, entry) in postmortem.timeline.iter().enumerate() {
            self.text(&format!("{path}.timeline[{n}].text"), &entry.text, 1, MAX_ITEM);
            if n > 0 {
                let before = postmortem.timeline[n - 1].at;
                self.not_before(
                    &format!("{path}.timeline[{n}].at"),
                    Some(entry.at),
                    Some(before),
                    "the previous entry",
                );
            }
        }
    }
}

/// A BCP 47 tag's shape: a 2-3 letter language, then subtags of 1-8 letters or digits.
fn is_language_tag(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let language_ok =
        parts.next().is_some_and(|p| (2..=3).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphabetic()));
    language_ok && parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::incident::IncidentStatus::{
        Completed, Identified, InProgress, Investigating, Monitoring, Resolved, Scheduled, Verifying,
    };
    use crate::postmortem::{ImpactWindow, Section};
    use crate::testing::{affected, at, component, incident, maintenance, page};

    /// Review 2, finding 1: an import may not carry recorded times past the server's clock; planned
    /// windows may lie ahead, and a minute of skew is tolerated.
    #[test]
    fn an_import_from_a_clock_ahead_is_refused_by_field() {
        let mut data = page();
        data.incidents.push(incident("i", Impact::Major, 10, &[Investigating, Identified, Resolved]));
        data.scheduled_maintenances.push(maintenance("m", 0, (600, 700), &[Scheduled]));
        assert_eq!(future_times(&data, at(20)), vec![], "planned windows are not recorded times");
        data.page.updated_at = at(21);
        assert_eq!(future_times(&data, at(20)), vec![], "a minute of skew is tolerated");
        data.page.updated_at = at(140);
        data.incidents[0].incident_updates[2].created_at = at(140);
        let paths: Vec<String> = future_times(&data, at(20)).into_iter().map(|p| p.path).collect();
        assert_eq!(paths, ["page.updated_at", "incidents[0].incident_updates[2].created_at"]);
    }

    /// Review 2, finding 11: `javascript:` and very long URLs passed as a page's URL and were
    /// copied into every feed entry and shortlink.
    #[test]
    fn a_page_url_is_an_http_origin_of_bounded_length() {
        for good in ["https://status.example.com", "http://127.0.0.1:8787", "https://[::1]:8787/", "http://localhost"] {
            assert!(is_origin(good), "{good}");
        }
        let long = format!("https://{}.example.com", "a.".repeat(100));
        for bad in [
            "javascript:alert(1)",
            "https://",
            "https://status.example.com/path",
            "https://a b.example.com",
            "https://status.example.com:",
            "https://user@status.example.com",
            "https://status.example.com?x=1",
            "ftp://status.example.com",
            long.as_str(),
        ] {
            assert!(!is_origin(bad), "{bad}");
        }
    }

    /// Applies `change` to a valid page and checks exactly these (path, code) problems come back.
    fn check(change: impl FnOnce(&mut PageData), expected: &[(&str, ProblemCode)]) {
        let mut data = page();
        data.incidents.push(incident("i", Impact::Major, 10, &[Investigating, Identified, Resolved]));
        data.scheduled_maintenances.push(maintenance(
            "m",
            0,
            (60, 120),
            &[Scheduled, InProgress, Verifying, InProgress, Completed],
        ));
        assert_eq!(validate(&data), vec![], "the base page must be valid");
        change(&mut data);
        let got: Vec<(String, ProblemCode)> = validate(&data).into_iter().map(|p| (p.path, p.code)).collect();
        let expected: Vec<(String, ProblemCode)> = expected.iter().map(|(p, c)| ((*p).to_owned(), *c)).collect();
        assert_eq!(got, expected);
    }

    #[test]
    fn ids_are_unique_and_well_formed() {
        check(|d| d.components[1].id = d.components[0].id.clone(), &[("components[1].id", ProblemCode::Duplicate)]);
        check(|d| d.components[0].id.0 = "a b".into(), &[("components[0].id", ProblemCode::Invalid)]);
        let rename = |d: &mut PageData| {
            d.incidents[0].id.0 = "m".into();
            d.incidents[0].incident_updates.iter_mut().for_each(|u| u.incident_id.0 = "m".into());
        };
        check(rename, &[("scheduled_maintenances[0].id", ProblemCode::Duplicate)]);
        check(
            |d| d.incidents[0].id.0 = "j".into(),
            &[
                ("incidents[0].incident_updates[0].incident_id", ProblemCode::Inconsistent),
                ("incidents[0].incident_updates[1].incident_id", ProblemCode::Inconsistent),
                ("incidents[0].incident_updates[2].incident_id", ProblemCode::Inconsistent),
            ],
        );
        check(
            |d| d.incidents[0].incident_updates[1].id = d.incidents[0].incident_updates[0].id.clone(),
            &[("incidents[0].incident_updates[1].id", ProblemCode::Duplicate)],
        );
        check(
            |d| d.page.id.0 = String::new(),
            &[
                ("page.id", ProblemCode::Missing),
                ("components[0].page_id", ProblemCode::Inconsistent),
                ("components[1].page_id", ProblemCode::Inconsistent),
            ],
        );
    }

    #[test]
    fn every_problem_is_listed_at_once() {
        check(
            |d| {
                d.page.name = " ".into();
                d.components[0].name = "x".repeat(MAX_NAME + 1);
                d.incidents[0].incident_updates[0].body = String::new();
            },
            &[
                ("page.name", ProblemCode::Missing),
                ("components[0].name", ProblemCode::TooLong),
                ("incidents[0].incident_updates[0].body", ProblemCode::Missing),
            ],
        );
    }

    #[test]
    fn timestamps_never_run_backwards() {
        check(|d| d.components[0].updated_at = at(-1), &[("components[0].updated_at", ProblemCode::Backwards)]);
        check(
            |d| d.incidents[0].incident_updates[2].created_at = at(100),
            &[
                ("incidents[0].incident_updates[1].created_at", ProblemCode::Backwards),
                ("incidents[0].incident_updates[2].updated_at", ProblemCode::Backwards),
            ],
        );
        check(|d| d.incidents[0].resolved_at = Some(at(0)), &[("incidents[0].resolved_at", ProblemCode::Backwards)]);
        check(
            |d| d.scheduled_maintenances[0].scheduled_until = Some(at(60)),
            &[("scheduled_maintenances[0].scheduled_until", ProblemCode::Backwards)],
        );
    }

    #[test]
    fn reopening_is_explicit() {
        let reopen = |d: &mut PageData, reopened: bool| {
            d.incidents[0] = incident("i", Impact::Major, 10, &[Investigating, Resolved, Investigating]);
            d.incidents[0].incident_updates[0].reopened = reopened;
        };
        check(|d| reopen(d, false), &[("incidents[0].incident_updates[0].status", ProblemCode::Transition)]);
        check(|d| reopen(d, true), &[]);
    }

    #[test]
    fn transitions() {
        use Lifecycle::{Incident as I, Maintenance as M};
        let cases = [
            (I, None, Investigating, false, true),
            (I, None, Resolved, false, true),
            (I, None, Scheduled, false, false),
            (I, Some(Monitoring), Investigating, false, true),
            (I, Some(Resolved), Resolved, false, true),
            (I, Some(Resolved), Monitoring, false, false),
            (I, Some(Resolved), Monitoring, true, true),
            (I, Some(Identified), Monitoring, true, false),
            (M, None, Scheduled, false, true),
            (M, None, Verifying, false, false),
            (M, Some(Verifying), InProgress, false, true),
            (M, Some(InProgress), Scheduled, false, false),
            (M, Some(Completed), InProgress, false, false),
            (M, Some(Completed), InProgress, true, true),
            (M, Some(Scheduled), Resolved, false, false),
        ];
        for (lifecycle, from, to, reopened, allowed) in cases {
            assert_eq!(
                transition_allowed(lifecycle, from, to, reopened),
                allowed,
                "{lifecycle:?} {from:?} -> {to:?} reopened={reopened}"
            );
        }
    }

    #[test]
    fn status_agrees_with_the_latest_update() {
        check(
            |d| d.incidents[0].status = Monitoring,
            &[
                ("incidents[0].resolved_at", ProblemCode::Inconsistent),
                ("incidents[0].status", ProblemCode::Inconsistent),
            ],
        );
        check(
            |d| d.incidents[0].status = IncidentStatus::Postmortem,
            &[("incidents[0].status", ProblemCode::Inconsistent)],
        );
        check(
            |d| {
                d.incidents[0].status = IncidentStatus::Postmortem;
                d.incidents[0].postmortem = Some(Postmortem {
                    published_at: Some(at(500)),
                    summary: "what happened".into(),
                    language: Some("en".into()),
                    impact_window: Some(ImpactWindow { start: at(10), end: at(12) }),
                    sections: vec![Section { title: "Cause".into(), body: "A *bad* deploy.".into() }],
                    action_items: vec![],
                    timeline: vec![],
                    timeline_after: None,
                    revision: None,
                });
            },
            &[],
        );
        // Review 2, finding 14: an imported revision is held to the same rules, and never nests.
        check(
            |d| {
                d.incidents[0].status = IncidentStatus::Postmortem;
                let mut revision = crate::testing::published_postmortem(at(500));
                revision.published_at = None;
                revision.summary = "x".repeat(MAX_SUMMARY + 1);
                revision.revision = Some(Box::new(crate::testing::published_postmortem(at(500))));
                let mut published = crate::testing::published_postmortem(at(500));
                published.revision = Some(Box::new(revision));
                d.incidents[0].postmortem = Some(published);
            },
            &[
                ("incidents[0].postmortem.revision", ProblemCode::Invalid),
                ("incidents[0].postmortem.revision.summary", ProblemCode::TooLong),
            ],
        );
    }

    #[test]
    fn kinds_keep_their_own_statuses_and_windows() {
        check(|d| d.incidents[0].impact = Impact::Maintenance, &[("incidents[0].impact", ProblemCode::Invalid)]);
        check(
            |d| d.scheduled_maintenances[0].scheduled_until = None,
            &[("scheduled_maintenances[0].scheduled_until", ProblemCode::Missing)],
        );
        check(|d| d.incidents[0].scheduled_for = Some(at(0)), &[("incidents[0].scheduled_for", ProblemCode::Invalid)]);
        check(
            |d| d.scheduled_maintenances[0].incident_updates[0].status = Resolved,
            &[
                ("scheduled_maintenances[0].incident_updates[0].status", ProblemCode::Transition),
                ("scheduled_maintenances[0].status", ProblemCode::Inconsistent),
            ],
        );
    }

    #[test]
    fn referenced_components_exist() {
        let open = |d: &mut PageData| d.incidents[0] = incident("i", Impact::Major, 10, &[Investigating]);
        check(
            |d| {
                open(d);
                d.incidents[0].incident_updates[0].affected_components.push(affected(
                    "nope",
                    ComponentStatus::Operational,
                    ComponentStatus::MajorOutage,
                ))
            },
            &[("incidents[0].incident_updates[0].affected_components[0].code", ProblemCode::NotFound)],
        );
        check(
            |d| {
                open(d);
                d.incidents[0].components.push(component("ghost", ComponentStatus::Operational))
            },
            &[("incidents[0].components[0].id", ProblemCode::NotFound)],
        );
        // A closed event may name a component removed since (its copy carries the name), by an id
        // of the right form.
        check(
            |d| d.incidents[0].components.push(component("not an id", ComponentStatus::Operational)),
            &[("incidents[0].components[0].id", ProblemCode::Invalid)],
        );
        check(
            |d| {
                d.incidents[0].components.push(component("ghost", ComponentStatus::Operational));
                d.incidents[0].incident_updates[0].affected_components.push(affected(
                    "ghost",
                    ComponentStatus::Operational,
                    ComponentStatus::MajorOutage,
                ));
            },
            &[],
        );
        check(
            |d| d.components[0].group_id = Some(ComponentId::from("web")),
            &[("components[0].group_id", ProblemCode::Invalid)],
        );
        check(
            |d| {
                d.components[1].group = true;
                d.components[1].components = vec![ComponentId::from("api")];
                d.components[0].group_id = Some(ComponentId::from("web"));
            },
            &[],
        );
    }

    #[test]
    fn language_tags_are_checked() {
        check(|d| d.incidents[0].incident_updates[0].language = Some("nl".into()), &[]);
        check(|d| d.incidents[0].incident_updates[0].language = Some("nl-NL".into()), &[]);
        check(
            |d| d.incidents[0].incident_updates[0].language = Some("dutch!".into()),
            &[("incidents[0].incident_updates[0].language", ProblemCode::Invalid)],
        );
    }

    #[test]
    fn huge_text_is_rejected_without_counting_all_of_it() {
        check(
            |d| d.incidents[0].incident_updates[0].body = "x".repeat(2_000_000),
            &[("incidents[0].incident_updates[0].body", ProblemCode::TooLong), ("incidents[0]", ProblemCode::TooLong)],
        );
    }
}
