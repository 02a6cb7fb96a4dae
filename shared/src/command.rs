//! Operator commands: the write API's request bodies, and how each turns into a change of a page.
//!
//! [`apply`] never mutates: it reads the state, builds the new versions of what the command
//! touches, validates them (all problems at once, by field path) and returns a [`Change`] that the
//! store persists and then commits with [`PageState::upsert`]. So a failed write changes nothing,
//! and a write costs what it touches, not the length of history.

use serde::{Deserialize, Serialize};

use crate::component::{Component, ComponentStatus};
use crate::incident::{AffectedComponent, Impact, Incident, IncidentStatus, IncidentUpdate, Kind};
use crate::page::{Page, PageState};
use crate::postmortem::{ActionItem, ImpactWindow, Postmortem, Section, TimelineEntry};
use crate::validate::{Problem, ProblemCode, transition_allowed, validate_components, validate_event};
use crate::wire::{ComponentId, IncidentId, Timestamp, UpdateId};

/// A component's new status, as part of an update.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ComponentChange {
    /// The component.
    pub id: ComponentId,
    /// Its new status.
    pub status: ComponentStatus,
}

/// Whether a request body is a JSON object. serde reads a struct from an array too (`[null, null]`
/// is a valid `ComponentEdit`), which the API documents as objects only: check this first.
pub fn is_json_object(body: &[u8]) -> bool {
    body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{')
}

/// `POST /api/v2/admin/incidents`: open an incident with its first update.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct NewIncident {
    /// Title.
    #[cfg_attr(feature = "schema", schemars(pattern(r"\S")))]
    pub name: String,
    /// First status (default `investigating`).
    #[serde(default)]
    pub status: Option<IncidentStatus>,
    /// Impact (default `minor`).
    #[serde(default)]
    pub impact: Option<Impact>,
    /// First update's text.
    #[cfg_attr(feature = "schema", schemars(pattern(r"\S")))]
    pub body: String,
    /// Component status changes.
    #[serde(default)]
    pub components: Vec<ComponentChange>,
    /// BCP 47 tag of the body.
    #[serde(default)]
    pub language: Option<String>,
    /// When the impact began (default now).
    #[serde(default)]
    pub started_at: Option<Timestamp>,
}

/// `POST /api/v2/admin/incidents/{id}/updates` (and maintenances): post an update.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct NewUpdate {
    /// New status.
    pub status: IncidentStatus,
    /// Text.
    #[cfg_attr(feature = "schema", schemars(pattern(r"\S")))]
    pub body: String,
    /// Component status changes (for maintenance, default: under maintenance while in progress,
    /// operational when completed).
    #[serde(default)]
    pub components: Vec<ComponentChange>,
    /// New impact, if it changed.
    #[serde(default)]
    pub impact: Option<Impact>,
    /// BCP 47 tag of the body.
    #[serde(default)]
    pub language: Option<String>,
    /// Required to move a resolved or completed event back to an open status.
    #[serde(default)]
    pub reopen: bool,
    /// Posts an update that would otherwise be refused as a repeat: a second closing update, or
    /// one identical to the latest.
    #[serde(default)]
    pub force: bool,
    /// With a closing status and no `components`: put back what the event still holds (what it
    /// last set and no other open event holds), decided by the store on its own state.
    #[serde(default)]
    pub restore: bool,
}

impl NewUpdate {
    /// An update with a status and text, everything else at its default (no component changes,
    /// impact unchanged, no reopen, force or restore).
    pub fn new(status: IncidentStatus, body: impl Into<String>) -> Self {
        Self {
            status,
            body: body.into(),
            components: vec![],
            impact: None,
            language: None,
            reopen: false,
            force: false,
            restore: false,
        }
    }
}

/// `POST /api/v2/admin/maintenances/{id}/cancel`: call a maintenance off. It becomes `completed`
/// (what Statuspage clients understand) with `cancelled_at` set, and its components go back to
/// operational if the work had begun.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Cancellation {
    /// Why, for readers. Empty or left out: a sentence saying it was cancelled, in the
    /// announcement's language (or `language`'s).
    #[serde(default)]
    pub body: String,
    /// BCP 47 tag of the body.
    #[serde(default)]
    pub language: Option<String>,
}

/// `PATCH /api/v2/admin/page`: the page's own settings; what is left out stays as it is.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PageEdit {
    /// The name readers see.
    #[serde(default)]
    pub name: Option<String>,
    /// The status page's own origin (links in feeds and messages are built from it); "" for none.
    #[serde(default)]
    pub url: Option<String>,
    /// IANA zone for times written without one.
    #[serde(default)]
    pub time_zone: Option<String>,
}

/// `PATCH /api/v2/admin/incidents/{id}` (and maintenances): edit without posting an update.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct EventEdit {
    /// New title.
    #[serde(default)]
    pub name: Option<String>,
    /// New impact.
    #[serde(default)]
    pub impact: Option<Impact>,
    /// When the impact began.
    #[serde(default)]
    pub started_at: Option<Timestamp>,
    /// New window start (maintenance).
    #[serde(default)]
    pub scheduled_for: Option<Timestamp>,
    /// New window end (maintenance).
    #[serde(default)]
    pub scheduled_until: Option<Timestamp>,
    /// Turn the automatic moves at the window's edges on or off (maintenance).
    #[serde(default)]
    pub auto_transition: Option<bool>,
}

/// `PUT /api/v2/admin/incidents/{id}/postmortem`: write or replace the postmortem (a draft until published).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PostmortemDraft {
    /// One or two sentences.
    #[serde(default)]
    pub summary: String,
    /// BCP 47 tag.
    #[serde(default)]
    pub language: Option<String>,
    /// When users were affected.
    #[serde(default)]
    pub impact_window: Option<ImpactWindow>,
    /// Sections in the safe Markdown subset.
    #[serde(default)]
    pub sections: Vec<Section>,
    /// Follow-up actions.
    #[serde(default)]
    pub action_items: Vec<ActionItem>,
    /// Key moments, oldest first.
    #[serde(default)]
    pub timeline: Vec<TimelineEntry>,
    /// Where the timeline goes: after this many sections (none: after them all).
    #[serde(default)]
    pub timeline_after: Option<u32>,
}

impl PostmortemDraft {
    /// The postmortem this draft writes, published at `published_at` (none: a draft).
    pub fn postmortem(&self, published_at: Option<Timestamp>) -> Postmortem {
        Postmortem {
            published_at,
            summary: self.summary.clone(),
            language: self.language.clone(),
            impact_window: self.impact_window,
            sections: self.sections.clone(),
            action_items: self.action_items.clone(),
            timeline: self.timeline.clone(),
            timeline_after: self.timeline_after,
            revision: None,
        }
    }
}

/// `POST /api/v2/admin/maintenances`: announce a maintenance window.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct NewMaintenance {
    /// Title.
    #[cfg_attr(feature = "schema", schemars(pattern(r"\S")))]
    pub name: String,
    /// Announcement text.
    #[cfg_attr(feature = "schema", schemars(pattern(r"\S")))]
    pub body: String,
    /// Window start.
    pub scheduled_for: Timestamp,
    /// Window end.
    pub scheduled_until: Timestamp,
    /// Components the work touches.
    #[serde(default)]
    pub components: Vec<ComponentId>,
    /// Impact (default `maintenance`).
    #[serde(default)]
    pub impact: Option<Impact>,
    /// BCP 47 tag of the body.
    #[serde(default)]
    pub language: Option<String>,
    /// Move to `in_progress` when the window opens and to `completed` when it closes, setting and
    /// restoring the components (default true).
    #[serde(default)]
    pub auto_transition: Option<bool>,
    /// A window that is already over, added to the history as completed: it touches no component
    /// and notifies nobody (refused for a window that has not ended).
    #[serde(default)]
    pub record: Option<bool>,
}

/// `POST /api/v2/admin/components`: add a component or group.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct NewComponent {
    /// Name.
    #[cfg_attr(feature = "schema", schemars(pattern(r"\S")))]
    pub name: String,
    /// One line.
    #[serde(default)]
    pub description: Option<String>,
    /// Status (default operational).
    #[serde(default)]
    pub status: Option<ComponentStatus>,
    /// The group it belongs to.
    #[serde(default)]
    pub group_id: Option<ComponentId>,
    /// True for a group.
    #[serde(default)]
    pub group: bool,
    /// Hidden while operational.
    #[serde(default)]
    pub only_show_if_degraded: bool,
}

/// `PATCH /api/v2/admin/components/{id}`: edit a component.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ComponentEdit {
    /// New name.
    #[serde(default)]
    pub name: Option<String>,
    /// New description.
    #[serde(default)]
    pub description: Option<String>,
    /// New status (outside any incident).
    #[serde(default)]
    pub status: Option<ComponentStatus>,
    /// Hidden while operational.
    #[serde(default)]
    pub only_show_if_degraded: Option<bool>,
}

/// `PUT /api/v2/admin/components/order`: every component id, in the new display order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ComponentOrder {
    /// All ids, each once.
    pub ids: Vec<ComponentId>,
}

/// The answer to an accepted write: the page's new version, what it acted on, the event and the
/// components it changed (an import answers with the version only).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WriteReply {
    /// The page version the write made.
    pub version: u64,
    /// The id it created or acted on.
    #[serde(default)]
    pub id: String,
    /// One line, as in the audit log.
    #[serde(default)]
    pub summary: String,
    /// The event's new version, if it wrote one.
    #[serde(default)]
    pub incident: Option<Incident>,
    /// The components it changed, if any.
    #[serde(default)]
    pub components: Option<Vec<Component>>,
}

/// The body of every refused request.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ErrorReply {
    /// What went wrong.
    pub error: ErrorDetail,
}

/// What went wrong with a request.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ErrorDetail {
    /// A stable code, such as `invalid` or `not_found`.
    pub code: String,
    /// One sentence.
    pub message: String,
    /// Every problem with the request's fields (for `invalid`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<Problem>,
}

/// The component changes that close `event`: each component it touched goes back to operational
/// if it still has the status `event` last gave it (a maintenance's components: under maintenance),
/// unless another open event in `open` holds it (an open incident, a maintenance under way: that
/// one is not over). Groups follow their components; a maintenance that never began restores
/// nothing.
pub fn restored_on_close(event: &Incident, components: &[Component], open: &[&Incident]) -> Vec<ComponentChange> {
    if event.is_maintenance() && event.status == IncidentStatus::Scheduled {
        return vec![];
    }
    let holds = |other: &&&Incident| {
        other.id != event.id
            && !other.status.is_closed()
            && !(other.is_maintenance() && other.status == IncidentStatus::Scheduled)
    };
    let held: Vec<ComponentId> = open.iter().filter(holds).flat_map(|o| o.touched_components()).collect();
    // Updates are newest first: the first record is the last status this event set.
    let last_set = |id: &ComponentId| {
        let records = event.incident_updates.iter().flat_map(|u| &u.affected_components);
        records.filter(|a| a.code.as_ref() == Some(id)).find_map(|a| a.new_status)
    };
    event
        .touched_components()
        .into_iter()
        .filter_map(|id| components.iter().find(|c| c.id == id))
        .filter(|c| !c.group && c.status != ComponentStatus::Operational && !held.contains(&c.id))
        .filter(|c| match last_set(&c.id) {
            Some(set) => set == c.status,
            None => event.is_maintenance() && c.status == ComponentStatus::UnderMaintenance,
        })
        .map(|c| ComponentChange { id: c.id.clone(), status: ComponentStatus::Operational })
        .collect()
}

/// What an operator asks for.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// Open an incident.
    OpenIncident(NewIncident),
    /// Post an update to an incident or maintenance.
    PostUpdate(IncidentId, NewUpdate),
    /// Edit an incident or maintenance.
    Edit(IncidentId, EventEdit),
    /// Fix the text of one of its updates (a typo, a wrong word): the update keeps its time and
    /// place, its `updated_at` says when it was edited, and the audit log keeps the change.
    EditUpdate(IncidentId, UpdateId, UpdateEdit),
    /// Write the postmortem.
    WritePostmortem(IncidentId, PostmortemDraft),
    /// Publish the postmortem.
    PublishPostmortem(IncidentId),
    /// Announce a maintenance.
    ScheduleMaintenance(NewMaintenance),
    /// Call a maintenance off.
    CancelMaintenance(IncidentId, Cancellation),
    /// Add a component.
    CreateComponent(NewComponent),
    /// Edit a component.
    EditComponent(ComponentId, ComponentEdit),
    /// Reorder components.
    ReorderComponents(ComponentOrder),
    /// Remove a component from the page: gone from every document, page, badge and uptime bar.
    /// The history keeps it: closed incidents and maintenances that named it still name it
    /// (their copies carry its name). Refused while an open incident or maintenance (scheduled
    /// included) lists it, and for a group that still has components.
    RemoveComponent(ComponentId),
    /// The page's name, URL or time zone.
    EditPage(PageEdit),
    /// Delete a test or mistaken incident or maintenance: gone from every public document, page,
    /// feed and uptime bar; the components it still holds go back to operational; the audit log
    /// keeps the record and subscribers get a `*.deleted` event.
    Delete(IncidentId),
}

/// What a command changes, ready to persist and commit.
#[derive(Clone, Debug, PartialEq)]
pub struct Change {
    /// New versions of the events it touches.
    pub events: Vec<(Kind, Incident)>,
    /// The new components, when they changed.
    pub components: Option<Vec<Component>>,
    /// When it happened (the page's new `updated_at`).
    pub at: Timestamp,
    /// One line for the audit log, such as "opened incident abc".
    pub summary: String,
    /// The id the command created or acted on.
    pub target: String,
    /// Events it deletes, as they were (their last version, for the `*.deleted` event).
    pub removed: Vec<(Kind, Incident)>,
    /// Tells subscribers nothing (a maintenance recorded after its window).
    pub quiet: bool,
    /// The page's new settings, when they changed (every document shows them).
    pub page: Option<Page>,
}

/// `PATCH incidents/{id}/updates/{update}`: an update's new text.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct UpdateEdit {
    pub body: String,
}

/// Why a command was refused; nothing changed.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ApplyError {
    /// The id names nothing.
    #[error("no {0} with id {1:?}")]
    NotFound(&'static str, String),
    /// The command breaks the model's rules.
    #[error("{} problem(s) with the request", .0.len())]
    Invalid(Vec<Problem>),
}

/// Turns a command into a change of `state` at `now`; `new_id` names whatever it creates.
pub fn apply(state: &PageState, command: &Command, now: Timestamp, new_id: &str) -> Result<Change, ApplyError> {
    let now = writer_clock(state.page().updated_at, now);
    let change = match command {
        Command::OpenIncident(new) => open_incident(state, new, now, new_id),
        Command::PostUpdate(id, update) => post_update(state, id, update, now, false),
        Command::Edit(id, edit) => edit_event(state, id, edit, now),
        Command::EditUpdate(id, update, edit) => edit_update(state, id, update, edit, now),
        Command::WritePostmortem(id, draft) => write_postmortem(state, id, draft, now),
        Command::PublishPostmortem(id) => publish_postmortem(state, id, now),
        Command::ScheduleMaintenance(new) => schedule(state, new, now, new_id),
        Command::CancelMaintenance(id, cancel) => cancel_maintenance(state, id, cancel, now),
        Command::CreateComponent(new) => create_component(state, new, now, new_id),
        Command::EditComponent(id, edit) => edit_component(state, id, edit, now),
        Command::ReorderComponents(order) => reorder(state, order, now),
        Command::RemoveComponent(id) => remove_component(state, id, now),
        Command::Delete(id) => delete_event(state, id, now),
        Command::EditPage(edit) => edit_page(state, edit, now),
    }?;
    let problems = crate::limits::check_change(state, &change.events, change.components.as_deref());
    if !problems.is_empty() {
        return Err(ApplyError::Invalid(problems));
    }
    Ok(change)
}

/// The time a write happens: never before the page's last change (clocks of two machines differ by
/// a little), but a stored time more than [`limits::CLOCK_SKEW_MS`] ahead of the real clock (an
/// import from a machine whose clock ran ahead) never carries the writer's clock with it.
pub fn writer_clock(last_change: Timestamp, now: Timestamp) -> Timestamp {
    if last_change.unix_millis() <= now.unix_millis().saturating_add(crate::limits::CLOCK_SKEW_MS) {
        now.max(last_change)
    } else {
        now
    }
}

fn problem(path: impl Into<String>, code: ProblemCode, message: impl Into<String>) -> Problem {
    Problem { path: path.into(), code, message: message.into() }
}

fn find<'a>(state: &'a PageState, id: &IncidentId) -> Result<(Kind, &'a Incident), ApplyError> {
    state.find(id).ok_or_else(|| ApplyError::NotFound("incident or maintenance", id.0.clone()))
}

/// Applies component status changes at `now`: the new component list and the affected records.
fn change_components(
    components: &[Component],
    changes: &[ComponentChange],
    now: Timestamp,
    problems: &mut Vec<Problem>,
) -> (Vec<Component>, Vec<AffectedComponent>) {
    let mut next = components.to_vec();
    let mut affected = Vec::new();
    for (n, change) in changes.iter().enumerate() {
        let Some(component) = next.iter_mut().find(|c| c.id == change.id) else {
            problems.push(problem(
                format!("components[{n}].id"),
                ProblemCode::NotFound,
                format!("no component {:?}", change.id.0),
            ));
            continue;
        };
        if change.status == ComponentStatus::Unknown {
            problems.push(problem(format!("components[{n}].status"), ProblemCode::Invalid, "unknown component status"));
            continue;
        }
        if component.group {
            problems.push(problem(
                format!("components[{n}].id"),
                ProblemCode::Invalid,
                "a group's status follows its components",
            ));
            continue;
        }
        affected.push(AffectedComponent {
            code: Some(component.id.clone()),
            name: component.name.clone(),
            old_status: Some(component.status),
            new_status: Some(change.status),
        });
        component.status = change.status;
        component.updated_at = now;
    }
    (next, affected)
}

/// Refuses a request that lists more than [`crate::limits::COMPONENT_CHANGES`] components. Only
/// what a request lists counts: a resolve or a completed maintenance that restores every component
/// it touched is never refused for that.
fn check_listed(count: usize, problems: &mut Vec<Problem>) {
    let limit = crate::limits::COMPONENT_CHANGES;
    if count > limit {
        problems.push(problem(
            "components",
            ProblemCode::TooLong,
            format!("at most {limit} components in one request"),
        ));
    }
}

/// The incident's copies of its components, refreshed from the page, plus newly affected ones. A
/// component removed from the page since keeps the event's last copy: history goes on naming it
/// (and an event that would be open again with it is refused by validation).
fn component_copies(event: &Incident, affected: &[AffectedComponent], components: &[Component]) -> Vec<Component> {
    let mut ids: Vec<&ComponentId> = event.components.iter().map(|c| &c.id).collect();
    for code in affected.iter().filter_map(|a| a.code.as_ref()) {
        if !ids.contains(&code) {
            ids.push(code);
        }
    }
    let copy = |id: &ComponentId| {
        let current = components.iter().find(|c| &c.id == id);
        current.or_else(|| event.components.iter().find(|c| &c.id == id)).cloned()
    };
    ids.into_iter().filter_map(copy).collect()
}

/// Validates the new version of an event against `components` (the page's, after the change) and
/// packs the change; `changed` is set when the command changed components too.
fn finish(
    kind: Kind,
    event: Incident,
    components: &[Component],
    changed: Option<Vec<Component>>,
    mut problems: Vec<Problem>,
    now: Timestamp,
    summary: String,
) -> Result<Change, ApplyError> {
    let path = match kind {
        Kind::Incident => "incident",
        Kind::Maintenance => "maintenance",
    };
    // The request-level transition check (path `status`) already speaks of what was sent.
    let reported = problems.iter().any(|p| p.code == ProblemCode::Transition);
    problems.extend(
        validate_event(kind, path, &event, components)
            .into_iter()
            .filter(|p| !(reported && p.code == ProblemCode::Transition)),
    );
    if !problems.is_empty() {
        return Err(ApplyError::Invalid(problems));
    }
    let target = event.id.0.clone();
    Ok(Change {
        events: vec![(kind, event)],
        components: changed,
        at: now,
        summary,
        target,
        removed: vec![],
        quiet: false,
        page: None,
    })
}

fn new_update(
    event_id: &IncidentId,
    n: usize,
    status: IncidentStatus,
    body: &str,
    language: &Option<String>,
    now: Timestamp,
) -> IncidentUpdate {
    IncidentUpdate {
        id: UpdateId(format!("{event_id}-u{n}")),
        incident_id: event_id.clone(),
        status,
        body: body.to_owned(),
        created_at: now,
        updated_at: now,
        display_at: Some(now),
        affected_components: vec![],
        language: language.clone(),
        reopened: false,
        edited_at: None,
    }
}

fn open_incident(state: &PageState, new: &NewIncident, now: Timestamp, new_id: &str) -> Result<Change, ApplyError> {
    let mut problems = Vec::new();
    check_listed(new.components.len(), &mut problems);
    let (components, affected) = change_components(state.components(), &new.components, now, &mut problems);
    let id = IncidentId(new_id.to_owned());
    let status = new.status.unwrap_or(IncidentStatus::Investigating);
    let mut update = new_update(&id, 1, status, &new.body, &new.language, now);
    update.affected_components = affected;
    let mut incident = Incident {
        id: id.clone(),
        page_id: state.page().id.clone(),
        name: new.name.clone(),
        status,
        impact: new.impact.unwrap_or(Impact::Minor),
        started_at: Some(new.started_at.unwrap_or(now).min(now)),
        created_at: now,
        updated_at: now,
        monitoring_at: (status == IncidentStatus::Monitoring).then_some(now),
        resolved_at: status.is_closed().then_some(now),
        shortlink: state.page().incident_url(&id),
        incident_updates: vec![],
        components: vec![],
        scheduled_for: None,
        scheduled_until: None,
        postmortem: None,
        cancelled_at: None,
        auto_transition: false,
    };
    incident.components = component_copies(&incident, &update.affected_components, &components);
    incident.incident_updates.push(update);
    let summary = format!("opened incident {id} ({})", status.as_str());
    let changed = (!new.components.is_empty()).then(|| components.clone());
    finish(Kind::Incident, incident, &components, changed, problems, now, summary)
}

/// Posts `new`; `cancel` marks a maintenance called off with it.
fn post_update(
    state: &PageState,
    id: &IncidentId,
    new: &NewUpdate,
    now: Timestamp,
    cancel: bool,
) -> Result<Change, ApplyError> {
    let (kind, current) = find(state, id)?;
    let mut problems = Vec::new();
    let now = current.incident_updates.iter().map(|u| u.created_at).fold(now, Timestamp::max);
    let previous = current.latest_update().map(|u| u.status).or(Some(current.status));
    if !transition_allowed(kind, previous, new.status, new.reopen) {
        let hint = if previous.is_some_and(IncidentStatus::is_closed) { " (send reopen: true to reopen)" } else { "" };
        problems.push(problem(
            "status",
            ProblemCode::Transition,
            format!(
                "cannot move from {} to {}{hint}",
                previous.map_or("the start", IncidentStatus::as_str),
                new.status.as_str()
            ),
        ));
    }
    if !new.force {
        problems.extend(repeat(current, previous, new));
    }
    if !new.status.is_closed() {
        check_listed(new.components.len(), &mut problems);
    }
    let mut changes = new.components.clone();
    if changes.is_empty() {
        // Statuspage's behaviour: a maintenance's components go under maintenance while it runs.
        // Closing puts back what the event still holds (see `restored_on_close`): always for a
        // maintenance, for an incident when asked (`restore`).
        if kind == Kind::Maintenance && new.status == IncidentStatus::InProgress {
            changes = current
                .components
                .iter()
                .filter_map(|c| state.components().iter().find(|p| p.id == c.id))
                .filter(|c| c.status != ComponentStatus::UnderMaintenance && !c.group)
                .map(|c| ComponentChange { id: c.id.clone(), status: ComponentStatus::UnderMaintenance })
                .collect();
        } else if new.status.is_closed() && (kind == Kind::Maintenance || new.restore) {
            let open: Vec<&Incident> = state.open_incidents().chain(state.open_maintenances()).collect();
            changes = restored_on_close(current, state.components(), &open);
        }
    }
    let (components, affected) = change_components(state.components(), &changes, now, &mut problems);
    let mut event = current.clone();
    let mut update = new_update(id, event.incident_updates.len() + 1, new.status, &new.body, &new.language, now);
    update.affected_components = affected;
    update.reopened = new.reopen;
    event.status = if event.status == IncidentStatus::Postmortem && new.status == IncidentStatus::Resolved {
        IncidentStatus::Postmortem
    } else {
        new.status
    };
    if let Some(impact) = new.impact {
        event.impact = impact;
    }
    event.updated_at = now;
    if new.status == IncidentStatus::Monitoring && event.monitoring_at.is_none() {
        event.monitoring_at = Some(now);
    }
    if new.status.is_closed() {
        event.resolved_at = event.resolved_at.or(Some(now));
    } else {
        event.resolved_at = None;
        event.cancelled_at = None;
    }
    event.components = component_copies(&event, &update.affected_components, &components);
    event.incident_updates.insert(0, update);
    let mut summary = format!("posted {} update to {id}", new.status.as_str());
    if cancel {
        event.cancelled_at = Some(now);
        // Called off before it began: it never started, so its window does not bound the close.
        if event.scheduled_for.is_some_and(|start| start > now) {
            event.started_at = None;
        }
        summary = format!("cancelled maintenance {id}");
    }
    let changed = (!changes.is_empty()).then(|| components.clone());
    finish(kind, event, &components, changed, problems, now, summary)
}

/// Why an update would only repeat what readers already see: a second closing update (a second
/// "resolved" is a second notification that it is over), or the latest update again word for word.
fn repeat(current: &Incident, previous: Option<IncidentStatus>, new: &NewUpdate) -> Option<Problem> {
    let latest = current.latest_update()?;
    let previous = previous?;
    if previous.is_closed() && new.status.is_closed() && !new.reopen {
        let status = if previous == IncidentStatus::Postmortem { IncidentStatus::Resolved } else { previous };
        return Some(problem(
            "status",
            ProblemCode::Duplicate,
            format!(
                "{} is already {}; another {} update would tell readers again (force: true to post it anyway)",
                current.id,
                status.as_str(),
                new.status.as_str()
            ),
        ));
    }
    let unchanged_impact = new.impact.is_none_or(|impact| impact == current.impact);
    if latest.status == new.status
        && latest.body.trim() == new.body.trim()
        && new.components.is_empty()
        && unchanged_impact
    {
        return Some(problem(
            "body",
            ProblemCode::Duplicate,
            "this update repeats the latest one word for word (force: true to post it anyway)",
        ));
    }
    None
}

fn edit_event(state: &PageState, id: &IncidentId, edit: &EventEdit, now: Timestamp) -> Result<Change, ApplyError> {
    let (kind, current) = find(state, id)?;
    let mut event = current.clone();
    let mut problems = Vec::new();
    if kind == Kind::Incident && (edit.scheduled_for.is_some() || edit.scheduled_until.is_some()) {
        problems.push(problem("scheduled_for", ProblemCode::Invalid, "an incident has no maintenance window"));
    }
    if let Some(name) = &edit.name {
        event.name = name.clone();
    }
    if let Some(impact) = edit.impact {
        event.impact = impact;
    }
    if let Some(started) = edit.started_at {
        event.started_at = Some(started);
    }
    if kind == Kind::Incident && edit.auto_transition.is_some() {
        problems.push(problem("auto_transition", ProblemCode::Invalid, "an incident has no maintenance window"));
    }
    if kind == Kind::Maintenance {
        if (edit.scheduled_for.is_some() || edit.scheduled_until.is_some()) && current.status.is_closed() {
            problems.push(problem(
                "scheduled_for",
                ProblemCode::Inconsistent,
                format!("{id} is {}: its window cannot move any more", current.status.as_str()),
            ));
        }
        if edit.scheduled_for.is_some() && current.status != IncidentStatus::Scheduled {
            problems.push(problem(
                "scheduled_for",
                ProblemCode::Inconsistent,
                format!("{id} has begun: only the end of its window can move"),
            ));
        }
        event.scheduled_for = edit.scheduled_for.or(event.scheduled_for);
        event.scheduled_until = edit.scheduled_until.or(event.scheduled_until);
        if edit.scheduled_for.is_some() && event.status == IncidentStatus::Scheduled {
            event.started_at = event.scheduled_for;
        }
        event.auto_transition = edit.auto_transition.unwrap_or(event.auto_transition);
    }
    event.updated_at = now;
    let summary = format!("edited {id}");
    finish(kind, event, state.components(), None, problems, now, summary)
}

fn edit_update(
    state: &PageState,
    id: &IncidentId,
    update_id: &UpdateId,
    edit: &UpdateEdit,
    now: Timestamp,
) -> Result<Change, ApplyError> {
    let (kind, current) = find(state, id)?;
    let mut event = current.clone();
    let Some(update) = event.incident_updates.iter_mut().find(|u| u.id == *update_id) else {
        return Err(ApplyError::NotFound("update", update_id.0.clone()));
    };
    let mut problems = Vec::new();
    if edit.body.trim().is_empty() {
        problems.push(problem("body", ProblemCode::Missing, "an update needs its text; post another to take it back"));
    }
    if update.body == edit.body {
        problems.push(problem("body", ProblemCode::Inconsistent, "the text is already this"));
    }
    update.body = edit.body.clone();
    update.updated_at = now;
    update.edited_at = Some(now);
    event.updated_at = now;
    let summary = format!("edited the text of update {update_id} of {id}");
    finish(kind, event, state.components(), None, problems, now, summary)
}

fn write_postmortem(
    state: &PageState,
    id: &IncidentId,
    draft: &PostmortemDraft,
    now: Timestamp,
) -> Result<Change, ApplyError> {
    let (kind, current) = find(state, id)?;
    let mut event = current.clone();
    let text = |published_at| draft.postmortem(published_at);
    // Readers already have a published postmortem: what is written now is a private revision,
    // public only once it is published (never at once, and never without its event).
    let summary = match event.postmortem.as_mut() {
        Some(published) if published.is_public_at(now) => {
            published.revision = Some(Box::new(text(None)));
            format!("wrote a revision of the published postmortem of {id}")
        }
        _ => {
            let published_at = current.postmortem.as_ref().and_then(|p| p.published_at);
            event.postmortem = Some(text(published_at));
            format!("wrote the postmortem of {id}")
        }
    };
    event.updated_at = now;
    finish(kind, event, state.components(), None, vec![], now, summary)
}

fn publish_postmortem(state: &PageState, id: &IncidentId, now: Timestamp) -> Result<Change, ApplyError> {
    let (kind, current) = find(state, id)?;
    let mut problems = Vec::new();
    let mut event = current.clone();
    let mut republished = false;
    match event.postmortem.as_mut() {
        None => problems.push(problem("postmortem", ProblemCode::Missing, "write the postmortem before publishing it")),
        // A revision replaces the published text; the postmortem keeps its first publication.
        Some(p) if p.is_public_at(now) && p.revision.is_some() => {
            if let Some(revision) = p.revision.take() {
                *p = Postmortem { published_at: p.published_at, revision: None, ..*revision };
                republished = true;
            }
        }
        Some(p) => p.published_at = Some(now),
    }
    if !event.status.is_closed() {
        problems.push(problem(
            "status",
            ProblemCode::Inconsistent,
            "publish the postmortem once the event is resolved or completed",
        ));
    }
    if event.status == IncidentStatus::Resolved {
        event.status = IncidentStatus::Postmortem;
    }
    event.updated_at = now;
    let summary = if republished {
        format!("published the revision of the postmortem of {id}")
    } else {
        format!("published the postmortem of {id}")
    };
    finish(kind, event, state.components(), None, problems, now, summary)
}

fn schedule(state: &PageState, new: &NewMaintenance, now: Timestamp, new_id: &str) -> Result<Change, ApplyError> {
    let mut problems = Vec::new();
    check_listed(new.components.len(), &mut problems);
    let id = IncidentId(new_id.to_owned());
    let mut copies = Vec::new();
    for (n, component) in new.components.iter().enumerate() {
        match state.components().iter().find(|c| &c.id == component) {
            Some(c) => copies.push(c.clone()),
            None => problems.push(problem(
                format!("components[{n}]"),
                ProblemCode::NotFound,
                format!("no component {:?}", component.0),
            )),
        }
    }
    // A record of work already done: completed, touching nothing, telling nobody.
    let record = new.record.unwrap_or(false);
    let over = new.scheduled_until <= now;
    if record && !over {
        problems.push(problem(
            "record",
            ProblemCode::Invalid,
            "only a window that is over is recorded: this one has not ended",
        ));
    }
    let status = if record { IncidentStatus::Completed } else { IncidentStatus::Scheduled };
    let event = Incident {
        id: id.clone(),
        page_id: state.page().id.clone(),
        name: new.name.clone(),
        status,
        impact: new.impact.unwrap_or(Impact::Maintenance),
        started_at: Some(new.scheduled_for),
        created_at: now,
        updated_at: now,
        monitoring_at: None,
        resolved_at: record.then_some(new.scheduled_until),
        shortlink: state.page().incident_url(&id),
        incident_updates: vec![new_update(&id, 1, status, &new.body, &new.language, now)],
        components: copies,
        scheduled_for: Some(new.scheduled_for),
        scheduled_until: Some(new.scheduled_until),
        postmortem: None,
        cancelled_at: None,
        auto_transition: !record && new.auto_transition.unwrap_or(true),
    };
    let mut event = event;
    if record {
        // Shown at the window's end, in history and feeds, not as the newest news.
        event.incident_updates[0].display_at = Some(new.scheduled_until);
    }
    let summary = if record { format!("recorded maintenance {id}") } else { format!("scheduled maintenance {id}") };
    let change = finish(Kind::Maintenance, event, state.components(), None, problems, now, summary)?;
    Ok(Change { quiet: record, ..change })
}

/// Deletes an event: what it still holds of the components goes back as closing it would (see
/// [`restored_on_close`]), and it leaves the page.
fn delete_event(state: &PageState, id: &IncidentId, now: Timestamp) -> Result<Change, ApplyError> {
    let (kind, current) = find(state, id)?;
    let open: Vec<&Incident> = state.open_incidents().chain(state.open_maintenances()).collect();
    let changes =
        if current.status.is_closed() { vec![] } else { restored_on_close(current, state.components(), &open) };
    let mut problems = Vec::new();
    let (components, _) = change_components(state.components(), &changes, now, &mut problems);
    if !problems.is_empty() {
        return Err(ApplyError::Invalid(problems));
    }
    let what = match kind {
        Kind::Incident => "incident",
        Kind::Maintenance => "maintenance",
    };
    Ok(Change {
        events: vec![],
        components: (!changes.is_empty()).then_some(components),
        at: now,
        summary: format!("deleted {what} {id} ({})", current.name),
        target: id.0.clone(),
        removed: vec![(kind, current.clone())],
        quiet: false,
        page: None,
    })
}

fn cancel_maintenance(
    state: &PageState,
    id: &IncidentId,
    cancel: &Cancellation,
    now: Timestamp,
) -> Result<Change, ApplyError> {
    let (kind, current) = find(state, id)?;
    if kind != Kind::Maintenance {
        return Err(ApplyError::Invalid(vec![problem(
            "id",
            ProblemCode::Invalid,
            format!("{id} is an incident: resolve it instead"),
        )]));
    }
    if current.status.is_closed() {
        let what = if current.cancelled_at.is_some() { "cancelled" } else { current.status.as_str() };
        return Err(ApplyError::Invalid(vec![problem(
            "status",
            ProblemCode::Transition,
            format!("{id} is already {what}"),
        )]));
    }
    let language = cancel.language.clone().or_else(|| announcement_language(current));
    let body = match cancel.body.trim() {
        "" => cancellation_text(language.as_deref()),
        _ => &cancel.body,
    };
    let update = NewUpdate { language, ..NewUpdate::new(IncidentStatus::Completed, body) };
    post_update(state, id, &update, now, true)
}

/// The automatic moves of maintenances whose window has opened or closed by `now` (those with
/// `auto_transition`): `in_progress` inside the window, `completed` after it (for an edge crossed
/// since the latest update: an operator who acted after it is in charge), each posted with a
/// sentence in the language of the maintenance's announcement. The store applies them from its
/// alarm as ordinary commands, so they are validated, logged and published like any write.
pub fn due_transitions(state: &PageState, now: Timestamp) -> Vec<Command> {
    let mut due = Vec::new();
    for m in state.open_maintenances().filter(|m| m.auto_transition) {
        let (Some(start), Some(end)) = (m.scheduled_for, m.scheduled_until) else { continue };
        // An operator who posted after an edge has taken over from it: only edges crossed since
        // the latest update move it.
        let last = m.latest_update().map_or(m.created_at, |u| u.created_at);
        // Announced with its window already open (`--from now`, or a clock a little behind the
        // edge's): it starts at once; announced after it closed, it is a record.
        let only_announced = m.incident_updates.len() <= 1;
        let to = if now >= end && end > last && !m.status.is_closed() {
            IncidentStatus::Completed
        } else if now >= start
            && (start > last || (only_announced && end > last))
            && m.status == IncidentStatus::Scheduled
        {
            IncidentStatus::InProgress
        } else {
            continue;
        };
        let language = announcement_language(m);
        let body = auto_transition_text(language.as_deref(), to).to_owned();
        let update = NewUpdate { language, ..NewUpdate::new(to, body) };
        due.push(Command::PostUpdate(m.id.clone(), update));
    }
    due
}

/// The next instant after `now` at which [`due_transitions`] will have something to do.
pub fn next_transition(state: &PageState, now: Timestamp) -> Option<Timestamp> {
    state
        .open_maintenances()
        .filter(|m| m.auto_transition)
        .flat_map(|m| {
            let start = (m.status == IncidentStatus::Scheduled).then_some(m.scheduled_for).flatten();
            start.into_iter().chain(m.scheduled_until)
        })
        .filter(|at| *at > now)
        .min()
}

/// The language of a maintenance's first update, in which the page's own sentences about it are posted.
fn announcement_language(m: &Incident) -> Option<String> {
    m.incident_updates.iter().min_by_key(|u| u.created_at).and_then(|u| u.language.clone())
}

/// The sentence a cancellation without a body posts, in the announcement's language (English when
/// it has none or is not one of the widget's six).
pub fn cancellation_text(language: Option<&str>) -> &'static str {
    match primary_language(language).as_str() {
        "nl" => "Het geplande onderhoud is geannuleerd.",
        "de" => "Die geplante Wartung wurde abgesagt.",
        "fr" => "La maintenance planifiée a été annulée.",
        "es" => "El mantenimiento programado ha sido cancelado.",
        "ja" => "予定されたメンテナンスは中止されました。",
        _ => "The scheduled maintenance has been cancelled.",
    }
}

fn primary_language(language: Option<&str>) -> String {
    language.and_then(|tag| tag.split(['-', '_']).next()).unwrap_or("en").to_ascii_lowercase()
}

/// The sentence an automatic move posts, in the announcement's language (English when it has none
/// or one of the widget's six is not it), as Statuspage posts its own.
pub fn auto_transition_text(language: Option<&str>, to: IncidentStatus) -> &'static str {
    let primary = primary_language(language);
    let started = to != IncidentStatus::Completed;
    match (primary.as_str(), started) {
        ("nl", true) => "Het geplande onderhoud is begonnen. We houden u op de hoogte.",
        ("nl", false) => "Het geplande onderhoud is afgerond.",
        ("de", true) => "Die geplante Wartung hat begonnen. Wir halten Sie auf dem Laufenden.",
        ("de", false) => "Die geplante Wartung ist abgeschlossen.",
        ("fr", true) => "La maintenance planifiée a commencé. Nous vous tiendrons informés.",
        ("fr", false) => "La maintenance planifiée est terminée.",
        ("es", true) => "El mantenimiento programado ha comenzado. Le mantendremos informado.",
        ("es", false) => "El mantenimiento programado ha finalizado.",
        ("ja", true) => "予定されたメンテナンスを開始しました。進捗は随時お知らせします。",
        ("ja", false) => "予定されたメンテナンスは完了しました。",
        (_, true) => "Scheduled maintenance is in progress. We will provide updates as necessary.",
        (_, false) => "The scheduled maintenance has been completed.",
    }
}

fn components_change(
    state: &PageState,
    components: Vec<Component>,
    mut problems: Vec<Problem>,
    now: Timestamp,
    summary: String,
    target: String,
) -> Result<Change, ApplyError> {
    problems.extend(validate_components(state.page().id.as_str(), &components));
    if !problems.is_empty() {
        return Err(ApplyError::Invalid(problems));
    }
    Ok(Change {
        events: vec![],
        components: Some(components),
        at: now,
        summary,
        target,
        removed: vec![],
        quiet: false,
        page: None,
    })
}

fn create_component(state: &PageState, new: &NewComponent, now: Timestamp, new_id: &str) -> Result<Change, ApplyError> {
    let id = ComponentId(new_id.to_owned());
    let mut components = state.components().to_vec();
    let position = components.iter().map(|c| c.position).max().unwrap_or(0) + 1;
    if let Some(group) = new.group_id.as_ref().and_then(|g| components.iter_mut().find(|c| &c.id == g)) {
        group.components.push(id.clone());
    }
    components.push(Component {
        id: id.clone(),
        page_id: state.page().id.clone(),
        name: new.name.clone(),
        description: new.description.clone(),
        status: new.status.unwrap_or_default(),
        position,
        group_id: new.group_id.clone(),
        group: new.group,
        only_show_if_degraded: new.only_show_if_degraded,
        showcase: true,
        start_date: Some(now.as_datetime().date_naive()),
        created_at: now,
        updated_at: now,
        components: vec![],
    });
    components_change(state, components, vec![], now, format!("created component {id}"), id.0.clone())
}

fn edit_component(
    state: &PageState,
    id: &ComponentId,
    edit: &ComponentEdit,
    now: Timestamp,
) -> Result<Change, ApplyError> {
    let mut components = state.components().to_vec();
    let Some(component) = components.iter_mut().find(|c| &c.id == id) else {
        return Err(ApplyError::NotFound("component", id.0.clone()));
    };
    let mut problems = Vec::new();
    if let Some(name) = &edit.name {
        component.name = name.clone();
    }
    if let Some(description) = &edit.description {
        component.description = Some(description.clone());
    }
    if let Some(status) = edit.status {
        if component.group {
            problems.push(problem("status", ProblemCode::Invalid, "a group's status follows its components"));
        }
        component.status = status;
    }
    if let Some(hidden) = edit.only_show_if_degraded {
        component.only_show_if_degraded = hidden;
    }
    component.updated_at = now;
    components_change(state, components, problems, now, format!("edited component {id}"), id.0.clone())
}

fn remove_component(state: &PageState, id: &ComponentId, now: Timestamp) -> Result<Change, ApplyError> {
    let Some(gone) = state.components().iter().find(|c| &c.id == id) else {
        return Err(ApplyError::NotFound("component", id.0.clone()));
    };
    let mut problems = Vec::new();
    if gone.group && !gone.components.is_empty() {
        let ids: Vec<&str> = gone.components.iter().map(|c| c.as_str()).collect();
        problems.push(problem(
            "id",
            ProblemCode::Inconsistent,
            format!("{id} is a group with components ({}): remove or regroup them first", ids.join(", ")),
        ));
    }
    for event in state.open_incidents().chain(state.open_maintenances()) {
        if event.touched_components().contains(id) {
            let what = if event.is_maintenance() { "maintenance" } else { "incident" };
            problems.push(problem(
                "id",
                ProblemCode::Inconsistent,
                format!("the open {what} {} ({}) lists {id}: remove it once that is closed", event.id, event.name),
            ));
        }
    }
    if !problems.is_empty() {
        return Err(ApplyError::Invalid(problems));
    }
    let mut components: Vec<Component> = state.components().iter().filter(|c| &c.id != id).cloned().collect();
    if let Some(group) = gone.group_id.as_ref().and_then(|g| components.iter_mut().find(|c| &c.id == g)) {
        group.components.retain(|c| c != id);
        group.updated_at = now;
    }
    let summary = format!("removed component {id} ({})", gone.name);
    components_change(state, components, vec![], now, summary, id.0.clone())
}

fn reorder(state: &PageState, order: &ComponentOrder, now: Timestamp) -> Result<Change, ApplyError> {
    let mut problems = Vec::new();
    let mut components = state.components().to_vec();
    if order.ids.len() != components.len() {
        problems.push(problem(
            "ids",
            ProblemCode::Inconsistent,
            format!("list all {} components, each once", components.len()),
        ));
    }
    for (n, id) in order.ids.iter().enumerate() {
        if order.ids[..n].contains(id) {
            problems.push(problem(format!("ids[{n}]"), ProblemCode::Duplicate, format!("{:?} is listed twice", id.0)));
        }
        match components.iter_mut().find(|c| &c.id == id) {
            Some(c) => c.position = n as i64 + 1,
            None => {
                problems.push(problem(format!("ids[{n}]"), ProblemCode::NotFound, format!("no component {:?}", id.0)))
            }
        }
    }
    components_change(state, components, problems, now, "reordered components".into(), String::new())
}

/// New settings for the page, checked as an import checks them.
fn edit_page(state: &PageState, edit: &PageEdit, now: Timestamp) -> Result<Change, ApplyError> {
    if edit == &PageEdit::default() {
        return Err(ApplyError::Invalid(vec![problem(
            "",
            ProblemCode::Missing,
            "say what changes: name, url or time_zone",
        )]));
    }
    let mut page = state.page().clone();
    if let Some(name) = &edit.name {
        page.name = name.trim().to_owned();
    }
    if let Some(url) = &edit.url {
        page.url = url.trim().to_owned();
    }
    if let Some(zone) = &edit.time_zone {
        page.time_zone = zone.trim().to_owned();
    }
    page.updated_at = now;
    let data =
        crate::PageData { page: page.clone(), components: vec![], incidents: vec![], scheduled_maintenances: vec![] };
    let problems: Vec<Problem> = crate::validate::validate(&data)
        .into_iter()
        .filter(|p| p.path.starts_with("page."))
        .map(|p| Problem { path: p.path.trim_start_matches("page.").to_owned(), ..p })
        .collect();
    if !problems.is_empty() {
        return Err(ApplyError::Invalid(problems));
    }
    Ok(Change {
        events: vec![],
        components: None,
        at: now,
        summary: "changed the page's settings".to_owned(),
        target: String::new(),
        removed: vec![],
        quiet: false,
        page: Some(page),
    })
}

impl PageState {
    /// Commits a change produced by [`apply`] (after the store persisted it).
    pub fn commit(&mut self, change: &Change) {
        if let Some(page) = &change.page {
            self.set_page(page.clone());
        }
        if let Some(components) = &change.components {
            self.set_components(components.clone());
        }
        for (kind, event) in &change.events {
            self.upsert(*kind, event.clone());
        }
        for (_, event) in &change.removed {
            self.remove(&event.id);
        }
        self.set_updated_at(change.at);
    }
}

#[cfg(test)]
mod limits_tests;

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::testing::{at, page};
    use crate::validate::validate;
    use IncidentStatus::*;

    /// Applies and commits, checking the whole page still validates afterwards.
    fn run(state: &mut PageState, command: Command, minute: i64, id: &str) -> Change {
        let change = apply(state, &command, at(minute), id).unwrap();
        state.commit(&change);
        assert_eq!(validate(&state.clone().into_data()), vec![], "after {command:?}");
        change
    }

    fn update(status: IncidentStatus, body: &str) -> NewUpdate {
        NewUpdate::new(status, body)
    }

    fn open(name: &str, components: Vec<ComponentChange>) -> Command {
        Command::OpenIncident(NewIncident {
            name: name.into(),
            status: None,
            impact: Some(Impact::Major),
            body: "Looking into it".into(),
            components,
            language: Some("nl".into()),
            started_at: None,
        })
    }

    fn problems(result: Result<Change, ApplyError>) -> Vec<(String, ProblemCode)> {
        match result {
            Err(ApplyError::Invalid(list)) => list.into_iter().map(|p| (p.path, p.code)).collect(),
            other => panic!("expected problems, got {other:?}"),
        }
    }

    #[test]
    fn a_mistaken_incident_is_deleted_and_what_it_set_goes_back() {
        let mut state = PageState::new(page());
        let api = ComponentChange { id: "api".into(), status: ComponentStatus::MajorOutage };
        run(&mut state, open("Testing the banner", vec![api]), 10, "inc1");
        run(&mut state, open("Real one", vec![]), 11, "inc2");
        let before = state.clone();
        let change = run(&mut state, Command::Delete("inc1".into()), 12, "");
        assert_eq!(change.summary, "deleted incident inc1 (Testing the banner)");
        assert_eq!(change.removed.len(), 1);
        assert!(state.find(&"inc1".into()).is_none(), "gone from the page");
        assert_eq!(state.incidents().count(), 1);
        assert_eq!(state.open_incidents().map(|i| i.id.as_str()).collect::<Vec<_>>(), ["inc2"]);
        assert_eq!(state.components()[0].status, ComponentStatus::Operational, "what it set goes back");
        // Subscribers hear it is gone, and the component's change.
        let kinds: Vec<_> =
            crate::notify::events(&before, &change, 3, "0000000000000001").into_iter().map(|e| e.kind).collect();
        assert_eq!(
            kinds,
            [crate::notify::EventType::IncidentDeleted, crate::notify::EventType::ComponentStatusChanged]
        );
        // Twice: nothing left to delete.
        assert!(matches!(apply(&state, &Command::Delete("inc1".into()), at(13), ""), Err(ApplyError::NotFound(..))));
    }

    #[test]
    fn deleting_leaves_what_another_open_incident_holds() {
        let mut state = PageState::new(page());
        let down = || vec![ComponentChange { id: "api".into(), status: ComponentStatus::MajorOutage }];
        run(&mut state, open("First", down()), 10, "inc1");
        run(
            &mut state,
            Command::PostUpdate(
                "inc1".into(),
                NewUpdate { components: down(), force: true, ..update(Identified, "x") },
            ),
            11,
            "",
        );
        run(&mut state, open("Second", down()), 12, "inc2");
        let change = run(&mut state, Command::Delete("inc1".into()), 13, "");
        assert_eq!(change.components, None, "inc2 still holds the API down");
        assert_eq!(state.components()[0].status, ComponentStatus::MajorOutage);
        // A maintenance deletes the same way.
        let window = (at(100), at(160));
        let new = NewMaintenance {
            name: "Upgrade".into(),
            body: "Planned".into(),
            scheduled_for: window.0,
            scheduled_until: window.1,
            components: vec![],
            impact: None,
            language: None,
            auto_transition: None,
            record: None,
        };
        run(&mut state, Command::ScheduleMaintenance(new), 14, "m1");
        let change = run(&mut state, Command::Delete("m1".into()), 15, "");
        assert_eq!(change.removed[0].0, Kind::Maintenance);
        assert_eq!(state.maintenances().count(), 0);
    }

    #[test]
    fn a_removed_component_leaves_the_page_and_stays_in_history() {
        let mut state = PageState::new(page());
        let api = ComponentChange { id: "api".into(), status: ComponentStatus::MajorOutage };
        run(&mut state, open("API down", vec![api]), 10, "inc1");
        // Held by an open incident: refused, nothing changes.
        let refused = apply(&state, &Command::RemoveComponent("api".into()), at(11), "");
        assert_eq!(problems(refused), [("id".to_owned(), ProblemCode::Inconsistent)]);
        run(
            &mut state,
            Command::PostUpdate("inc1".into(), NewUpdate { restore: true, ..update(Resolved, "Fixed") }),
            12,
            "",
        );
        let change = run(&mut state, Command::RemoveComponent("api".into()), 13, "");
        assert_eq!(change.summary, "removed component api (API)");
        assert_eq!(state.components().iter().map(|c| c.id.as_str()).collect::<Vec<_>>(), ["web"]);
        // The resolved incident still names it, and the page (as exported) still validates: `run`
        // checked it; an import of it does too.
        let (_, incident) = state.find(&"inc1".into()).unwrap();
        assert_eq!(incident.components[0].name, "API");
        assert_eq!(validate(&state.clone().into_data()), vec![]);
        // Gone: twice is not found; an open incident cannot name it again.
        let again = apply(&state, &Command::RemoveComponent("api".into()), at(14), "");
        assert!(matches!(again, Err(ApplyError::NotFound("component", _))));
        let down = ComponentChange { id: "api".into(), status: ComponentStatus::MajorOutage };
        assert!(apply(&state, &open("Again", vec![down]), at(15), "inc2").is_err());
        // Reopening the old incident would make an open event name it: refused.
        let reopen = NewUpdate { reopen: true, ..update(Investigating, "Back") };
        assert!(apply(&state, &Command::PostUpdate("inc1".into(), reopen), at(16), "").is_err());
        // A later update to the closed incident (a forced second resolve) keeps naming it.
        let again = NewUpdate { force: true, ..update(Resolved, "Really fixed") };
        run(&mut state, Command::PostUpdate("inc1".into(), again), 17, "");
        let (_, incident) = state.find(&"inc1".into()).unwrap();
        assert_eq!(incident.components.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(), ["api"]);
    }

    #[test]
    fn a_group_goes_only_when_empty_and_a_member_leaves_its_group() {
        let mut state = PageState::new(page());
        let group = NewComponent {
            name: "Backend".into(),
            description: None,
            status: None,
            group_id: None,
            group: true,
            only_show_if_degraded: false,
        };
        run(&mut state, Command::CreateComponent(group.clone()), 10, "g");
        let member = NewComponent { name: "Queue".into(), group_id: Some("g".into()), group: false, ..group };
        run(&mut state, Command::CreateComponent(member), 11, "q");
        let refused = apply(&state, &Command::RemoveComponent("g".into()), at(12), "");
        assert_eq!(problems(refused), [("id".to_owned(), ProblemCode::Inconsistent)]);
        run(&mut state, Command::RemoveComponent("q".into()), 13, "");
        let g = state.components().iter().find(|c| c.id.as_str() == "g").unwrap();
        assert!(g.components.is_empty(), "the group no longer lists it");
        run(&mut state, Command::RemoveComponent("g".into()), 14, "");
        assert_eq!(state.components().len(), 2);
    }

    #[test]
    fn a_scheduled_maintenance_holds_its_components() {
        let mut state = PageState::new(page());
        // The window is [60, 120) and touches "web": at 10 it has not begun.
        run(&mut state, maintenance(None, None), 10, "m1");
        let refused = apply(&state, &Command::RemoveComponent("web".into()), at(11), "");
        assert_eq!(problems(refused), [("id".to_owned(), ProblemCode::Inconsistent)]);
    }

    #[test]
    fn an_incident_lifecycle() {
        let mut state = PageState::new(page());
        let api = ComponentChange { id: "api".into(), status: ComponentStatus::MajorOutage };
        run(&mut state, open("API down", vec![api]), 10, "inc1");
        assert_eq!(state.components()[0].status, ComponentStatus::MajorOutage);
        let (_, incident) = state.find(&"inc1".into()).unwrap();
        let first = &incident.incident_updates[0];
        assert_eq!(first.affected_components[0].old_status, Some(ComponentStatus::Operational));
        assert_eq!(first.language.as_deref(), Some("nl"));
        assert_eq!(state.open_incidents().count(), 1);

        run(&mut state, Command::PostUpdate("inc1".into(), update(Identified, "Found it")), 20, "");
        let mut resolve = update(Resolved, "Fixed");
        resolve.components = vec![ComponentChange { id: "api".into(), status: ComponentStatus::Operational }];
        run(&mut state, Command::PostUpdate("inc1".into(), resolve), 30, "");
        assert_eq!(state.open_incidents().count(), 0);
        assert_eq!(state.components()[0].status, ComponentStatus::Operational);

        // Reopening is explicit.
        let again = apply(&state, &Command::PostUpdate("inc1".into(), update(Investigating, "Back")), at(40), "");
        assert_eq!(problems(again), [("status".to_owned(), ProblemCode::Transition)]);
        let mut reopen = update(Investigating, "Back");
        reopen.reopen = true;
        run(&mut state, Command::PostUpdate("inc1".into(), reopen), 40, "");
        assert_eq!(state.find(&"inc1".into()).unwrap().1.resolved_at, None);
        run(&mut state, Command::PostUpdate("inc1".into(), update(Resolved, "Fixed again")), 50, "");

        // Postmortem: written as a draft, then published.
        let draft = PostmortemDraft {
            summary: "A bad deploy".into(),
            language: Some("en".into()),
            impact_window: Some(ImpactWindow { start: at(5), end: at(50) }),
            sections: vec![Section { title: "Cause".into(), body: "A **bad** deploy.".into() }],
            action_items: vec![ActionItem { text: "Canary deploys".into(), done: false }],
            timeline: vec![],
            timeline_after: None,
        };
        run(&mut state, Command::WritePostmortem("inc1".into(), draft), 60, "");
        assert_eq!(state.published_postmortems().count(), 0);
        run(&mut state, Command::PublishPostmortem("inc1".into()), 70, "");
        assert_eq!(state.find(&"inc1".into()).unwrap().1.status, Postmortem);
        assert_eq!(state.published_postmortems().count(), 1);
    }

    /// Review 2, finding 14: writing the postmortem of an incident whose postmortem was published
    /// changed what readers saw at once, with no preview and no event.
    #[test]
    fn a_published_postmortem_changes_only_through_a_published_revision() {
        let mut state = PageState::new(page());
        run(&mut state, open("API down", vec![]), 10, "inc1");
        run(&mut state, Command::PostUpdate("inc1".into(), update(Resolved, "Fixed")), 20, "");
        let draft = |summary: &str| PostmortemDraft {
            summary: summary.into(),
            language: None,
            impact_window: None,
            sections: vec![],
            action_items: vec![],
            timeline: vec![],
            timeline_after: None,
        };
        run(&mut state, Command::WritePostmortem("inc1".into(), draft("First")), 30, "");
        run(&mut state, Command::PublishPostmortem("inc1".into()), 31, "");
        let before = state.clone();
        let change = run(&mut state, Command::WritePostmortem("inc1".into(), draft("Second")), 40, "");
        assert_eq!(change.summary, "wrote a revision of the published postmortem of inc1");
        let (_, stored) = state.find(&"inc1".into()).unwrap();
        let public = stored.public_at(at(41));
        let shown = public.postmortem.as_ref().unwrap();
        assert_eq!(
            (shown.summary.as_str(), shown.revision.is_none()),
            ("First", true),
            "readers keep the published text"
        );
        assert!(
            crate::notify::events(&before, &change, 5, "0000000000000001").is_empty(),
            "no event for a private revision"
        );
        let before = state.clone();
        let change = run(&mut state, Command::PublishPostmortem("inc1".into()), 50, "");
        assert_eq!(change.summary, "published the revision of the postmortem of inc1");
        let (_, stored) = state.find(&"inc1".into()).unwrap();
        let postmortem = stored.postmortem.as_ref().unwrap();
        assert_eq!((postmortem.summary.as_str(), postmortem.revision.is_none()), ("Second", true));
        assert_eq!(postmortem.published_at, Some(at(31)), "it keeps its first publication");
        let types: Vec<_> =
            crate::notify::events(&before, &change, 6, "0000000000000001").into_iter().map(|e| e.kind).collect();
        assert_eq!(types, [crate::notify::EventType::PostmortemPublished]);
    }

    /// Review 2, finding 1: an import whose `page.updated_at` ran two hours ahead made every
    /// later incident start two hours from now, so it was not open yet and the page read green.
    #[test]
    fn a_stored_time_ahead_of_the_clock_never_moves_the_writers_clock() {
        let mut data = page();
        data.page.updated_at = at(10 + 120);
        let mut state = PageState::new(data);
        let change = run(&mut state, open("API down", vec![]), 10, "inc1");
        assert_eq!(change.at, at(10));
        let (_, incident) = state.find(&"inc1".into()).unwrap();
        assert_eq!(incident.created_at, at(10));
        assert_eq!(crate::status::derive(&state, at(10)).indicator, crate::status::Indicator::Major);
        // Within the stated skew the page's last change still orders writes.
        let mut data = page();
        data.page.updated_at = Timestamp::from_unix_millis(at(10).unix_millis() + 30_000).unwrap();
        let state = PageState::new(data);
        let change = apply(&state, &open("API down", vec![]), at(10), "inc2").unwrap();
        assert_eq!(change.at, state.page().updated_at);
    }

    #[test]
    fn maintenance_moves_its_components_by_default() {
        let mut state = PageState::new(page());
        let new = NewMaintenance {
            name: "DB upgrade".into(),
            body: "Planned".into(),
            scheduled_for: at(60),
            scheduled_until: at(120),
            components: vec!["web".into()],
            impact: None,
            language: None,
            auto_transition: None,
            record: None,
        };
        let change = run(&mut state, Command::ScheduleMaintenance(new), 10, "m1");
        assert_eq!(change.events[0].0, Kind::Maintenance);
        for (status, expected) in [
            (InProgress, ComponentStatus::UnderMaintenance),
            (Verifying, ComponentStatus::UnderMaintenance),
            (InProgress, ComponentStatus::UnderMaintenance),
            (Completed, ComponentStatus::Operational),
        ] {
            run(&mut state, Command::PostUpdate("m1".into(), update(status, "now")), 70, "");
            assert_eq!(state.components()[1].status, expected, "{status:?}");
        }
        let (_, m) = state.find(&"m1".into()).unwrap();
        assert_eq!(m.incident_updates.len(), 5);
        assert!(m.resolved_at.is_some());
    }

    fn maintenance(language: Option<&str>, auto: Option<bool>) -> Command {
        Command::ScheduleMaintenance(NewMaintenance {
            name: "DB upgrade".into(),
            body: "Planned".into(),
            scheduled_for: at(60),
            scheduled_until: at(120),
            components: vec!["web".into()],
            impact: None,
            language: language.map(Into::into),
            auto_transition: auto,
            record: None,
        })
    }

    #[test]
    fn a_second_close_or_a_repeated_update_is_refused_unless_forced() {
        let mut state = PageState::new(page());
        run(&mut state, open("Slow", vec![]), 10, "inc1");
        let id: IncidentId = "inc1".into();
        let again = Command::PostUpdate(id.clone(), update(Investigating, "Looking into it"));
        assert_eq!(problems(apply(&state, &again, at(11), "")), vec![("body".into(), ProblemCode::Duplicate)]);
        run(&mut state, Command::PostUpdate(id.clone(), update(Resolved, "Fixed")), 20, "");
        let second = Command::PostUpdate(id.clone(), update(Resolved, "Really fixed"));
        let Err(ApplyError::Invalid(list)) = apply(&state, &second, at(30), "") else { panic!("accepted") };
        assert_eq!(list[0].code, ProblemCode::Duplicate);
        assert!(list[0].message.contains("inc1 is already resolved"), "{}", list[0].message);
        let forced = Command::PostUpdate(id.clone(), NewUpdate { force: true, ..update(Resolved, "Really fixed") });
        run(&mut state, forced, 30, "");
        // A reopen is not a repeat.
        let reopen = NewUpdate { reopen: true, ..update(Investigating, "It is back") };
        run(&mut state, Command::PostUpdate(id, reopen), 40, "");
    }

    #[test]
    fn a_maintenance_is_cancelled_before_or_during_its_window() {
        let mut state = PageState::new(page());
        run(&mut state, maintenance(None, None), 10, "m1");
        let cancel =
            |body: &str| Command::CancelMaintenance("m1".into(), Cancellation { body: body.into(), language: None });
        let change = run(&mut state, cancel("Postponed to next week."), 20, "");
        assert_eq!(change.summary, "cancelled maintenance m1");
        let (_, m) = state.find(&"m1".into()).unwrap();
        assert_eq!((m.status, m.cancelled_at, m.started_at), (Completed, Some(at(20)), None));
        assert_eq!(state.components()[1].status, ComponentStatus::Operational);
        assert_eq!(
            problems(apply(&state, &cancel("again"), at(30), "")),
            vec![("status".into(), ProblemCode::Transition)]
        );
        // Under way: its components come back.
        run(&mut state, maintenance(None, None), 30, "m2");
        run(&mut state, Command::PostUpdate("m2".into(), update(InProgress, "Started")), 61, "");
        assert_eq!(state.components()[1].status, ComponentStatus::UnderMaintenance);
        let stop = Command::CancelMaintenance("m2".into(), Cancellation { body: "Stopped.".into(), language: None });
        run(&mut state, stop, 70, "");
        assert_eq!(state.components()[1].status, ComponentStatus::Operational);
        // An incident is resolved, not cancelled.
        run(&mut state, open("Slow", vec![]), 80, "inc1");
        let wrong = Command::CancelMaintenance("inc1".into(), Cancellation { body: "x".into(), language: None });
        assert_eq!(problems(apply(&state, &wrong, at(81), "")), vec![("id".into(), ProblemCode::Invalid)]);
    }

    /// Issue 26, item 11: a window already over was announced to subscribers like a new one.
    #[test]
    fn a_window_that_is_over_is_recorded_quietly_and_only_then() {
        let mut state = PageState::new(page());
        let record = |record: Option<bool>| {
            let Command::ScheduleMaintenance(new) = maintenance(None, None) else { unreachable!() };
            Command::ScheduleMaintenance(NewMaintenance { record, ..new })
        };
        // The window is [60, 120): at 200 it is over.
        let change = run(&mut state, record(Some(true)), 200, "m1");
        assert!(change.quiet);
        assert_eq!(change.summary, "recorded maintenance m1");
        let (_, m) = state.find(&"m1".into()).unwrap();
        assert_eq!((m.status, m.resolved_at, m.auto_transition), (Completed, Some(at(120)), false));
        assert_eq!(m.incident_updates[0].display_at, Some(at(120)), "in history at its end, not as news");
        assert_eq!(state.components()[1].status, ComponentStatus::Operational, "it touches no component");
        assert_eq!(
            problems(apply(&state, &record(Some(true)), at(10), "m2")),
            vec![("record".into(), ProblemCode::Invalid)],
            "a window to come is not a record"
        );
        assert!(!run(&mut state, record(None), 10, "m3").quiet);
    }

    /// A timeline put after more sections than there are is refused, by its field.
    #[test]
    fn a_timeline_after_missing_sections_is_refused() {
        let mut state = PageState::new(page());
        run(&mut state, open("Slow", vec![]), 10, "inc1");
        let draft = PostmortemDraft {
            summary: "What happened.".into(),
            sections: vec![crate::postmortem::Section { title: "Cause".into(), body: "x".into() }],
            timeline_after: Some(2),
            ..PostmortemDraft::default()
        };
        assert_eq!(
            problems(apply(&state, &Command::WritePostmortem("inc1".into(), draft.clone()), at(11), "")),
            vec![("incident.postmortem.timeline_after".into(), ProblemCode::Invalid)]
        );
        let fits = PostmortemDraft { timeline_after: Some(1), ..draft };
        run(&mut state, Command::WritePostmortem("inc1".into(), fits), 12, "");
    }

    /// Issue 26, item 13: the page's name, URL and zone changed only by replacing the whole page.
    #[test]
    fn the_pages_settings_change_alone_and_are_checked() {
        let mut state = PageState::new(page());
        let components = state.components().to_vec();
        let edit = PageEdit { name: Some("Acme status".into()), ..PageEdit::default() };
        let change = run(&mut state, Command::EditPage(edit), 5, "");
        assert_eq!(change.summary, "changed the page's settings");
        assert_eq!(state.page().name, "Acme status");
        assert_eq!(state.components(), &components[..], "nothing else moves");
        let bad = PageEdit { url: Some("javascript:alert(1)".into()), name: Some(" ".into()), ..PageEdit::default() };
        let found = problems(apply(&state, &Command::EditPage(bad), at(6), ""));
        assert_eq!(found, vec![("name".into(), ProblemCode::Missing), ("url".into(), ProblemCode::Invalid)]);
        assert_eq!(
            problems(apply(&state, &Command::EditPage(PageEdit::default()), at(6), "")),
            vec![("".into(), ProblemCode::Missing)]
        );
    }

    #[test]
    fn a_cancellation_without_words_says_so_in_the_announcements_language() {
        let mut state = PageState::new(page());
        run(&mut state, maintenance(Some("de-DE"), None), 10, "m1");
        let cancel = Command::CancelMaintenance("m1".into(), Cancellation { body: " ".into(), language: None });
        run(&mut state, cancel, 20, "");
        let (_, m) = state.find(&"m1".into()).unwrap();
        let latest = m.latest_update().unwrap();
        assert_eq!(
            (latest.body.as_str(), latest.language.as_deref()),
            ("Die geplante Wartung wurde abgesagt.", Some("de-DE"))
        );
        // With no language anywhere, English; a body given is kept as written.
        run(&mut state, maintenance(None, None), 30, "m2");
        let cancel = Command::CancelMaintenance("m2".into(), Cancellation { body: String::new(), language: None });
        run(&mut state, cancel, 40, "");
        assert_eq!(state.find(&"m2".into()).unwrap().1.latest_update().unwrap().body, cancellation_text(None));
        let json: Cancellation = serde_json::from_str("{}").unwrap();
        assert_eq!(json.body, "");
    }

    #[test]
    fn closing_restores_what_it_touched_unless_another_open_incident_holds_it() {
        let mut state = PageState::new(page());
        let down = |status| vec![ComponentChange { id: "web".into(), status }];
        run(&mut state, open("First", down(ComponentStatus::MajorOutage)), 10, "inc1");
        let (_, first) = state.find(&"inc1".into()).unwrap();
        let web = vec![ComponentChange { id: "web".into(), status: ComponentStatus::Operational }];
        assert_eq!(restored_on_close(first, state.components(), &[first]), web);
        run(&mut state, open("Second", down(ComponentStatus::PartialOutage)), 20, "inc2");
        let (_, first) = state.find(&"inc1".into()).unwrap();
        let (_, second) = state.find(&"inc2".into()).unwrap();
        assert_eq!(restored_on_close(first, state.components(), &[first, second]), vec![]);
        // The store decides with `restore`: the first resolve leaves web to the second incident.
        let resolve = |id: &str| {
            Command::PostUpdate(id.into(), NewUpdate { restore: true, ..update(Resolved, &format!("{id} fixed")) })
        };
        run(&mut state, resolve("inc1"), 30, "");
        assert_eq!(state.components()[1].status, ComponentStatus::PartialOutage);
        run(&mut state, resolve("inc2"), 40, "");
        assert_eq!(state.components()[1].status, ComponentStatus::Operational);
    }

    #[test]
    fn a_maintenance_is_rescheduled_until_it_begins() {
        let mut state = PageState::new(page());
        run(&mut state, maintenance(None, None), 10, "m1");
        let later = EventEdit { scheduled_for: Some(at(90)), scheduled_until: Some(at(150)), ..EventEdit::default() };
        run(&mut state, Command::Edit("m1".into(), later.clone()), 20, "");
        let (_, m) = state.find(&"m1".into()).unwrap();
        assert_eq!((m.scheduled_for, m.started_at, m.scheduled_until), (Some(at(90)), Some(at(90)), Some(at(150))));
        run(&mut state, Command::PostUpdate("m1".into(), update(InProgress, "Started")), 91, "");
        let start = EventEdit { scheduled_for: Some(at(100)), ..EventEdit::default() };
        assert_eq!(
            problems(apply(&state, &Command::Edit("m1".into(), start), at(92), "")),
            vec![("scheduled_for".into(), ProblemCode::Inconsistent)]
        );
        let longer = EventEdit { scheduled_until: Some(at(200)), ..EventEdit::default() };
        run(&mut state, Command::Edit("m1".into(), longer), 93, "");
    }

    #[test]
    fn auto_transition_moves_a_maintenance_at_its_window_edges() {
        let mut state = PageState::new(page());
        run(&mut state, maintenance(Some("nl-BE"), None), 10, "m1");
        run(&mut state, maintenance(None, Some(false)), 10, "m2");
        assert!(due_transitions(&state, at(59)).is_empty());
        assert_eq!(next_transition(&state, at(10)), Some(at(60)));
        let due = due_transitions(&state, at(60));
        let [Command::PostUpdate(id, moved)] = due.as_slice() else { panic!("{due:?}") };
        assert_eq!((id.as_str(), moved.status), ("m1", InProgress));
        assert_eq!(moved.body, "Het geplande onderhoud is begonnen. We houden u op de hoogte.");
        for command in due {
            run(&mut state, command, 60, "");
        }
        assert_eq!(state.components()[1].status, ComponentStatus::UnderMaintenance);
        assert!(due_transitions(&state, at(61)).is_empty(), "applied once");
        assert_eq!(next_transition(&state, at(61)), Some(at(120)));
        // An incident takes the same component down meanwhile: completing must not hide it.
        let outage = vec![ComponentChange { id: "web".into(), status: ComponentStatus::MajorOutage }];
        run(&mut state, open("Down", outage), 100, "inc1");
        for command in due_transitions(&state, at(121)) {
            run(&mut state, command, 121, "");
        }
        let (_, m) = state.find(&"m1".into()).unwrap();
        assert_eq!((m.status, m.incident_updates[0].body.as_str()), (Completed, "Het geplande onderhoud is afgerond."));
        assert_eq!(state.components()[1].status, ComponentStatus::MajorOutage);
        let (_, untouched) = state.find(&"m2".into()).unwrap();
        assert_eq!(untouched.status, Scheduled, "auto_transition: false is left alone");
        assert_eq!(next_transition(&state, at(121)), None);
        // Announced once its window is open (`--from now`): it starts at once.
        let mut state = PageState::new(page());
        run(&mut state, maintenance(None, None), 70, "late");
        let due = due_transitions(&state, at(70));
        assert!(matches!(due.as_slice(), [Command::PostUpdate(_, u)] if u.status == InProgress), "{due:?}");
        // Taken over by an operator after the start: the end is theirs too once they post after it.
        run(&mut state, Command::PostUpdate("late".into(), update(Verifying, "Checking")), 71, "");
        assert!(due_transitions(&state, at(100)).is_empty());
        run(&mut state, Command::PostUpdate("late".into(), update(InProgress, "More work")), 130, "");
        assert!(due_transitions(&state, at(131)).is_empty());
        // Announced after its window closed: a record, left alone.
        run(&mut state, maintenance(None, None), 140, "record");
        assert!(
            due_transitions(&state, at(141))
                .iter()
                .all(|c| !matches!(c, Command::PostUpdate(id, _) if id.as_str() == "record"))
        );
    }

    #[test]
    fn completing_or_cancelling_restores_only_what_the_maintenance_still_holds() {
        let mut state = PageState::new(page());
        run(&mut state, maintenance(None, Some(false)), 10, "m1");
        run(&mut state, maintenance(None, Some(false)), 10, "m2");
        run(&mut state, Command::PostUpdate("m1".into(), update(InProgress, "Started")), 61, "");
        assert_eq!(state.components()[1].status, ComponentStatus::UnderMaintenance);
        // m2 never began: cancelling it restores nothing m1 holds.
        let cancel = Command::CancelMaintenance("m2".into(), Cancellation { body: "Off".into(), language: None });
        run(&mut state, cancel, 62, "");
        assert_eq!(state.components()[1].status, ComponentStatus::UnderMaintenance);
        // A cancelled maintenance can be reopened, and is no longer cancelled.
        let reopen = NewUpdate { reopen: true, ..update(Scheduled, "Back on") };
        run(&mut state, Command::PostUpdate("m2".into(), reopen), 63, "");
        assert_eq!(state.find(&"m2".into()).unwrap().1.cancelled_at, None);
        // m1 set the component degraded itself: completing restores that too.
        let degraded = vec![ComponentChange { id: "web".into(), status: ComponentStatus::DegradedPerformance }];
        let slow = NewUpdate { components: degraded, ..update(Verifying, "Slow while it settles") };
        run(&mut state, Command::PostUpdate("m1".into(), slow), 64, "");
        run(&mut state, Command::PostUpdate("m1".into(), update(Completed, "Done")), 65, "");
        assert_eq!(state.components()[1].status, ComponentStatus::Operational);
    }

    #[test]
    fn bad_input_lists_every_problem_and_changes_nothing() {
        let state = PageState::new(page());
        let before = state.clone();
        let bad = Command::OpenIncident(NewIncident {
            name: String::new(),
            status: Some(Scheduled),
            impact: Some(Impact::Maintenance),
            body: "x".repeat(30_000),
            components: vec![ComponentChange { id: "ghost".into(), status: ComponentStatus::MajorOutage }],
            language: Some("not a tag".into()),
            started_at: None,
        });
        let got = problems(apply(&state, &bad, at(1), "i"));
        let paths: Vec<&str> = got.iter().map(|(p, _)| p.as_str()).collect();
        for expected in [
            "components[0].id",
            "incident.name",
            "incident.status",
            "incident.impact",
            "incident.incident_updates[0].body",
            "incident.incident_updates[0].language",
        ] {
            assert!(paths.contains(&expected), "{expected} missing from {paths:?}");
        }
        assert_eq!(state, before);
        assert!(matches!(
            apply(&state, &Command::PostUpdate("nope".into(), update(Resolved, "x")), at(1), ""),
            Err(ApplyError::NotFound(..))
        ));
        assert!(matches!(
            apply(&state, &Command::EditComponent("nope".into(), ComponentEdit::default()), at(1), ""),
            Err(ApplyError::NotFound(..))
        ));
    }

    #[test]
    fn publishing_needs_a_resolved_event_and_a_draft() {
        let mut state = PageState::new(page());
        run(&mut state, open("x", vec![]), 1, "i");
        let got = problems(apply(&state, &Command::PublishPostmortem("i".into()), at(2), ""));
        assert_eq!(
            got,
            [("postmortem".to_owned(), ProblemCode::Missing), ("status".to_owned(), ProblemCode::Inconsistent)]
        );
    }

    #[test]
    fn components_are_created_edited_and_reordered() {
        let mut state = PageState::new(page());
        let group = NewComponent {
            name: "EU".into(),
            description: None,
            status: None,
            group_id: None,
            group: true,
            only_show_if_degraded: false,
        };
        run(&mut state, Command::CreateComponent(group), 1, "eu");
        let child = NewComponent {
            name: "EU API".into(),
            description: Some("Frankfurt".into()),
            status: None,
            group_id: Some("eu".into()),
            group: false,
            only_show_if_degraded: false,
        };
        run(&mut state, Command::CreateComponent(child), 2, "eu-api");
        assert_eq!(state.components().iter().find(|c| c.id.0 == "eu").unwrap().components, ["eu-api".into()]);
        let edit = ComponentEdit { status: Some(ComponentStatus::DegradedPerformance), ..ComponentEdit::default() };
        run(&mut state, Command::EditComponent("eu-api".into(), edit), 3, "");
        let ids: Vec<ComponentId> = ["eu", "eu-api", "web", "api"].map(ComponentId::from).to_vec();
        run(&mut state, Command::ReorderComponents(ComponentOrder { ids: ids.clone() }), 4, "");
        assert_eq!(state.components().iter().map(|c| c.id.clone()).collect::<Vec<_>>(), ids);
        let got = problems(apply(
            &state,
            &Command::ReorderComponents(ComponentOrder { ids: vec!["api".into(), "api".into()] }),
            at(5),
            "",
        ));
        assert!(got.contains(&("ids[1]".to_owned(), ProblemCode::Duplicate)), "{got:?}");
    }

    #[test]
    fn only_objects_are_request_bodies() {
        assert!(is_json_object(b" \n{\"name\": \"x\"}"));
        assert!(!is_json_object(b"[null, null]"));
        assert!(!is_json_object(b"null"));
        assert!(!is_json_object(b""));
        assert!(serde_json::from_slice::<ComponentEdit>(b"[null, null]").is_ok(), "why the check exists");
    }
}
