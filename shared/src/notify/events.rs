//! The events a committed write produces, from the page before it and the change itself.
//!
//! Decided here once, so every subscriber of every kind is told the same story:
//!
//! - an incident: `incident.opened` when it first appears, `incident.resolved` when an update
//!   resolves it, `incident.updated` for any other update or edit readers can see;
//! - a maintenance: `maintenance.scheduled` when it is announced or its window moves,
//!   `maintenance.started` when it first goes in progress (not again after verifying),
//!   `maintenance.completed` when it completes, `maintenance.cancelled` when it is called off
//!   (Statuspage's JSON shows both as `completed`, a cancelled one with `cancelled_at`);
//! - `postmortem.published` when a postmortem becomes public; a draft produces nothing, and the
//!   incident carried by any event is the public one (never a draft);
//! - `component.status_changed` for each component whose status the write changed.
//!
//! An import produces none: it restores a page, it does not tell a story.

use serde::{Deserialize, Serialize};

use crate::command::Change;
use crate::postmortem::Postmortem;
use crate::{ComponentId, ComponentStatus, Incident, IncidentStatus, Kind, PageState, Timestamp};

/// What happened, as subscribers choose it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum EventType {
    #[serde(rename = "incident.opened")]
    IncidentOpened,
    #[serde(rename = "incident.updated")]
    IncidentUpdated,
    #[serde(rename = "incident.resolved")]
    IncidentResolved,
    #[serde(rename = "maintenance.scheduled")]
    MaintenanceScheduled,
    #[serde(rename = "maintenance.started")]
    MaintenanceStarted,
    #[serde(rename = "maintenance.completed")]
    MaintenanceCompleted,
    #[serde(rename = "maintenance.cancelled")]
    MaintenanceCancelled,
    #[serde(rename = "postmortem.published")]
    PostmortemPublished,
    #[serde(rename = "component.status_changed")]
    ComponentStatusChanged,
    // A test or mistaken incident or maintenance was deleted: gone from every public document.
    #[serde(rename = "incident.deleted")]
    IncidentDeleted,
    #[serde(rename = "maintenance.deleted")]
    MaintenanceDeleted,
}

impl EventType {
    /// Every type, in the order of the documentation.
    pub const ALL: [EventType; 11] = [
        Self::IncidentOpened,
        Self::IncidentUpdated,
        Self::IncidentResolved,
        Self::MaintenanceScheduled,
        Self::MaintenanceStarted,
        Self::MaintenanceCompleted,
        Self::MaintenanceCancelled,
        Self::PostmortemPublished,
        Self::ComponentStatusChanged,
        Self::IncidentDeleted,
        Self::MaintenanceDeleted,
    ];

    /// The wire name, such as `incident.opened`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::IncidentOpened => "incident.opened",
            Self::IncidentUpdated => "incident.updated",
            Self::IncidentResolved => "incident.resolved",
            Self::MaintenanceScheduled => "maintenance.scheduled",
            Self::MaintenanceStarted => "maintenance.started",
            Self::MaintenanceCompleted => "maintenance.completed",
            Self::MaintenanceCancelled => "maintenance.cancelled",
            Self::PostmortemPublished => "postmortem.published",
            Self::ComponentStatusChanged => "component.status_changed",
            Self::IncidentDeleted => "incident.deleted",
            Self::MaintenanceDeleted => "maintenance.deleted",
        }
    }
}

/// A component's status change.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct StatusChange {
    pub id: ComponentId,
    pub name: String,
    pub old_status: ComponentStatus,
    pub new_status: ComponentStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_id: Option<ComponentId>,
}

/// One event of a committed write.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Unique across every page and store, and the same on every retry: `evt_{stream}_{version}_{n}`
    /// (the `webhook-id`), where `stream` is the store's own random id (see [`is_stream`]).
    pub id: String,
    #[serde(rename = "type")]
    pub kind: EventType,
    /// When the write happened.
    pub at: Timestamp,
    /// The page version the write produced.
    pub version: u64,
    /// The incident or maintenance as readers see it after the write (none for a component's change).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incident: Option<Incident>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub component: Option<StatusChange>,
    /// The components it concerns, for subscriptions filtered by component.
    #[serde(default)]
    pub components: Vec<ComponentId>,
    /// For a component's change: the event of the same write that tells it too (an incident's or
    /// maintenance's, with its components and their statuses). A chat channel that gets that event
    /// leaves this one out (one message per write); webhooks get every event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub told_by: Option<EventType>,
}

/// What a subscription's filter judges an event by, stored beside it: a claim after a restart
/// reads these few bytes per event instead of parsing whole events it does not want.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Indexed {
    #[serde(rename = "type")]
    pub kind: EventType,
    #[serde(default)]
    pub components: Vec<ComponentId>,
    /// The groups of those components when the event was written (a subscription to a group
    /// wants its children's events).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<ComponentId>,
    /// [`Event::told_by`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub told_by: Option<EventType>,
}

impl Indexed {
    /// The index entry of an event written on `page`.
    pub fn of(event: &Event, page: &PageState) -> Self {
        let mut groups: Vec<ComponentId> = event
            .components
            .iter()
            .filter_map(|id| page.components().iter().find(|c| &c.id == id)?.group_id.clone())
            .collect();
        groups.sort();
        groups.dedup();
        Self { kind: event.kind, components: event.components.clone(), groups, told_by: event.told_by }
    }
}

/// An event before it is numbered: its type, incident, component change and components.
type Found = (EventType, Option<Incident>, Option<StatusChange>, Vec<ComponentId>);

/// Whether `stream` is a store's stream id: 16 lowercase hex digits (64 random bits, made by the
/// store with its first event). Page versions restart when a store is recreated and two pages
/// count alike, so the versions alone would repeat ids that receivers deduplicate on.
pub fn is_stream(stream: &str) -> bool {
    stream.len() == 16 && stream.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The events of `change`, a write accepted against `before` that makes page `version`, in order:
/// events of incidents and maintenances first, then component changes; ids in `stream`.
pub fn events(before: &PageState, change: &Change, version: u64, stream: &str) -> Vec<Event> {
    if change.quiet {
        return Vec::new();
    }
    let at = change.at;
    let mut found: Vec<Found> = Vec::new();
    for (kind, after) in &change.events {
        let prior = before.find(&after.id).map(|(_, e)| e);
        let public = after.public_at(at).into_owned();
        let touched = after.touched_components();
        for kind in event_types(*kind, prior, after, at) {
            found.push((kind, Some(public.clone()), None, touched.clone()));
        }
    }
    // A deleted event, as readers last saw it (subscribers who were told of it hear it is gone).
    for (kind, gone) in &change.removed {
        let kind = match kind {
            Kind::Incident => EventType::IncidentDeleted,
            Kind::Maintenance => EventType::MaintenanceDeleted,
        };
        found.push((kind, Some(gone.public_at(at).into_owned()), None, gone.touched_components()));
    }
    for component in change.components.iter().flatten() {
        let Some(old) = before.components().iter().find(|c| c.id == component.id) else { continue };
        if old.status != component.status && !component.group {
            let change = StatusChange {
                id: component.id.clone(),
                name: component.name.clone(),
                old_status: old.status,
                new_status: component.status,
                group_id: component.group_id.clone(),
            };
            found.push((EventType::ComponentStatusChanged, None, Some(change), vec![component.id.clone()]));
        }
    }
    // A write that tells a story (an incident or maintenance event) tells its component changes in
    // it; not a deletion, whose message names nothing (its components going back are told apart).
    let story = found.iter().map(|(kind, ..)| *kind).find(|kind| {
        !matches!(kind, EventType::ComponentStatusChanged | EventType::IncidentDeleted | EventType::MaintenanceDeleted)
    });
    found
        .into_iter()
        .enumerate()
        .map(|(n, (kind, incident, component, components))| Event {
            id: format!("evt_{stream}_{version}_{n}"),
            kind,
            at,
            version,
            incident,
            component,
            components,
            told_by: story.filter(|_| kind == EventType::ComponentStatusChanged),
        })
        .collect()
}

fn event_types(kind: Kind, prior: Option<&Incident>, after: &Incident, at: Timestamp) -> Vec<EventType> {
    let public = |e: &Incident| e.postmortem.as_ref().is_some_and(|p| p.is_public_at(at));
    let Some(prior) = prior else {
        let mut types = vec![match kind {
            Kind::Incident => EventType::IncidentOpened,
            Kind::Maintenance => EventType::MaintenanceScheduled,
        }];
        if public(after) {
            types.push(EventType::PostmortemPublished);
        }
        return types;
    };
    let mut types = Vec::new();
    match kind {
        Kind::Incident => {
            let resolved = |s: IncidentStatus| matches!(s, IncidentStatus::Resolved | IncidentStatus::Postmortem);
            if resolved(after.status) && !resolved(prior.status) {
                types.push(EventType::IncidentResolved);
            } else if seen_differently(prior, after) {
                types.push(EventType::IncidentUpdated);
            }
        }
        Kind::Maintenance => {
            if after.status != prior.status {
                // Started once: back from verifying to in progress is the same work going on.
                match (prior.status, after.status) {
                    (IncidentStatus::Scheduled, IncidentStatus::InProgress | IncidentStatus::Verifying) => {
                        types.push(EventType::MaintenanceStarted);
                    }
                    (_, IncidentStatus::Completed) if after.cancelled_at.is_some() => {
                        types.push(EventType::MaintenanceCancelled);
                    }
                    (_, IncidentStatus::Completed) => types.push(EventType::MaintenanceCompleted),
                    (_, IncidentStatus::Scheduled) => types.push(EventType::MaintenanceScheduled),
                    _ => {}
                }
            } else if (after.scheduled_for, after.scheduled_until) != (prior.scheduled_for, prior.scheduled_until) {
                types.push(EventType::MaintenanceScheduled);
            }
        }
    }
    // Published for the first time, or a revision published over the text readers had.
    let text = |e: &Incident| e.postmortem.as_ref().map(|p| Postmortem { revision: None, ..p.clone() });
    if public(after) && (!public(prior) || text(prior) != text(after)) {
        types.push(EventType::PostmortemPublished);
    }
    types
}

/// Whether readers see the incident differently, leaving out its postmortem (a draft is not seen;
/// publishing has its own event) and the status publishing moves it to.
fn seen_differently(prior: &Incident, after: &Incident) -> bool {
    let core = |e: &Incident| {
        let status = if e.status == IncidentStatus::Postmortem { IncidentStatus::Resolved } else { e.status };
        (
            e.name.clone(),
            status,
            e.impact,
            e.incident_updates.clone(),
            e.components.iter().map(|c| (c.id.clone(), c.status)).collect::<Vec<_>>(),
        )
    };
    core(prior) != core(after)
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::command::{
        self, Cancellation, Command, ComponentChange, EventEdit, NewIncident, NewMaintenance, NewUpdate,
        PostmortemDraft,
    };
    use crate::testing::{at, page};
    use crate::{ComponentStatus, Impact};
    use IncidentStatus::*;

    const STREAM: &str = "00c0ffee00c0ffee";

    /// Applies a command and returns the types of the events it produced (and their ids).
    fn run(state: &mut PageState, command: Command, minute: i64, new_id: &str, version: u64) -> Vec<Event> {
        let change = command::apply(state, &command, at(minute), new_id).unwrap();
        let events = events(state, &change, version, STREAM);
        state.commit(&change);
        events
    }

    fn draft() -> PostmortemDraft {
        PostmortemDraft {
            summary: "DRAFTMARK".into(),
            language: None,
            impact_window: None,
            sections: vec![],
            action_items: vec![],
            timeline: vec![],
            timeline_after: None,
        }
    }

    fn types(events: &[Event]) -> Vec<EventType> {
        events.iter().map(|e| e.kind).collect()
    }

    fn down(id: &str) -> ComponentChange {
        ComponentChange { id: id.into(), status: ComponentStatus::MajorOutage }
    }

    /// Review 2, finding 9: ids were `evt_{version}_{n}`, so two pages (or a store recreated
    /// empty) sent the same `webhook-id` for different events and receivers dropped real ones.
    #[test]
    fn ids_differ_between_stores_at_the_same_version() {
        let state = PageState::new(page());
        let command = Command::OpenIncident(NewIncident {
            name: "API down".into(),
            status: None,
            impact: Some(Impact::Major),
            body: "Looking".into(),
            components: vec![],
            language: None,
            started_at: None,
        });
        let change = command::apply(&state, &command, at(1), "inc1").unwrap();
        let one = events(&state, &change, 2, "0000000000000001");
        let two = events(&state, &change, 2, "0000000000000002");
        assert_ne!(one[0].id, two[0].id);
        assert!(is_stream("0123456789abcdef"));
        for bad in ["", "0123456789ABCDEF", "0123456789abcde", "0123456789abcdef0", "0123456789abcdeg"] {
            assert!(!is_stream(bad), "{bad}");
        }
    }

    #[test]
    fn an_incident_tells_its_story() {
        use EventType::*;
        let mut state = PageState::new(page());
        let open = Command::OpenIncident(NewIncident {
            name: "API down".into(),
            status: None,
            impact: Some(Impact::Major),
            body: "Looking".into(),
            components: vec![down("api")],
            language: None,
            started_at: None,
        });
        let opened = run(&mut state, open, 1, "inc1", 2);
        assert_eq!(types(&opened), [IncidentOpened, ComponentStatusChanged]);
        assert_eq!(
            opened.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(),
            ["evt_00c0ffee00c0ffee_2_0", "evt_00c0ffee00c0ffee_2_1"]
        );
        assert_eq!(opened[0].components, ["api".into()]);
        let change = opened[1].component.as_ref().unwrap();
        assert_eq!(
            (change.old_status, change.new_status),
            (ComponentStatus::Operational, ComponentStatus::MajorOutage)
        );

        let identified = Command::PostUpdate("inc1".into(), NewUpdate::new(Identified, "Found it"));
        assert_eq!(types(&run(&mut state, identified, 2, "", 3)), [IncidentUpdated]);
        let edit = EventEdit { name: Some("API errors".into()), ..EventEdit::default() };
        assert_eq!(types(&run(&mut state, Command::Edit("inc1".into(), edit), 3, "", 4)), [IncidentUpdated]);
        let mut resolve = NewUpdate::new(Resolved, "Fixed");
        resolve.restore = true;
        let resolved = run(&mut state, Command::PostUpdate("inc1".into(), resolve), 4, "", 5);
        assert_eq!(types(&resolved), [IncidentResolved, ComponentStatusChanged]);

        // A draft is nothing; publishing is one event, whose incident carries the postmortem.
        let draft = draft();
        assert_eq!(run(&mut state, Command::WritePostmortem("inc1".into(), draft), 5, "", 6), []);
        let published = run(&mut state, Command::PublishPostmortem("inc1".into()), 6, "", 7);
        assert_eq!(types(&published), [PostmortemPublished]);
        assert!(published[0].incident.as_ref().unwrap().postmortem.is_some());
    }

    #[test]
    fn no_event_carries_a_draft() {
        let mut state = PageState::new(page());
        let open = Command::OpenIncident(NewIncident {
            name: "Slow".into(),
            status: None,
            impact: None,
            body: "Looking".into(),
            components: vec![],
            language: None,
            started_at: None,
        });
        run(&mut state, open, 1, "inc1", 2);
        let draft = draft();
        run(&mut state, Command::WritePostmortem("inc1".into(), draft), 2, "", 3);
        // An update after the draft was written: its event shows the incident without it.
        let update =
            run(&mut state, Command::PostUpdate("inc1".into(), NewUpdate::new(Monitoring, "Watching")), 3, "", 4);
        let text = serde_json::to_string(&update).unwrap();
        assert!(!text.contains("DRAFTMARK"), "{text}");
    }

    #[test]
    fn a_maintenance_is_scheduled_started_and_completed_or_cancelled() {
        use EventType::*;
        let mut state = PageState::new(page());
        let schedule = |name: &str| {
            Command::ScheduleMaintenance(NewMaintenance {
                name: name.into(),
                body: "Upgrading".into(),
                scheduled_for: at(60),
                scheduled_until: at(120),
                components: vec!["api".into()],
                impact: None,
                language: None,
                auto_transition: Some(false),
                record: None,
            })
        };
        assert_eq!(types(&run(&mut state, schedule("DB"), 1, "m1", 2)), [MaintenanceScheduled]);
        let moved = EventEdit { scheduled_until: Some(at(150)), ..EventEdit::default() };
        assert_eq!(types(&run(&mut state, Command::Edit("m1".into(), moved), 2, "", 3)), [MaintenanceScheduled]);
        let started = run(&mut state, Command::PostUpdate("m1".into(), NewUpdate::new(InProgress, "Begun")), 60, "", 4);
        assert_eq!(types(&started), [MaintenanceStarted, ComponentStatusChanged]);
        assert_eq!(
            started.iter().map(|e| e.told_by).collect::<Vec<_>>(),
            [None, Some(MaintenanceStarted)],
            "the start tells its components"
        );
        let verifying =
            run(&mut state, Command::PostUpdate("m1".into(), NewUpdate::new(Verifying, "Checking")), 70, "", 41);
        assert_eq!(types(&verifying), []);
        let again =
            run(&mut state, Command::PostUpdate("m1".into(), NewUpdate::new(InProgress, "More work")), 80, "", 42);
        assert_eq!(types(&again), [], "the same work going on is not a second start");
        let done = run(&mut state, Command::PostUpdate("m1".into(), NewUpdate::new(Completed, "Done")), 100, "", 5);
        assert_eq!(types(&done), [MaintenanceCompleted, ComponentStatusChanged]);

        run(&mut state, schedule("Other"), 101, "m2", 6);
        let cancel = Command::CancelMaintenance("m2".into(), Cancellation { body: "Postponed".into(), language: None });
        assert_eq!(types(&run(&mut state, cancel, 102, "", 7)), [MaintenanceCancelled]);
    }
}
