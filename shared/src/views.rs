//! The read API's documents as pure functions of the page state and `now`.
//!
//! Each type serialises to the Statuspage v2 shape of its endpoint (plus sitrep's extra fields)
//! and deserialises from it, so the same types serve the edge (borrowed) and readers (owned).

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::component::Component;
use crate::incident::{Impact, Incident};
use crate::page::{Page, PageState};
use crate::postmortem::Postmortem;
use crate::status::{self, Status};
use crate::wire::{ComponentId, IncidentId, Timestamp};

/// How many incidents `incidents.json` and `scheduled-maintenances.json` list, as Statuspage does.
pub const RECENT_LIMIT: usize = crate::limits::RECENT_EVENTS;

/// `/api/v2/summary.json`: everything a widget needs, sized by what is open, not by history.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Summary<'a> {
    /// The page.
    pub page: Cow<'a, Page>,
    /// Derived status.
    pub status: Status,
    /// All components and groups.
    pub components: Cow<'a, [Component]>,
    /// Unresolved incidents, newest first.
    pub incidents: Vec<Cow<'a, Incident>>,
    /// Upcoming and active maintenances.
    pub scheduled_maintenances: Vec<Cow<'a, Incident>>,
}

/// `/api/v2/status.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct StatusDocument<'a> {
    /// The page.
    pub page: Cow<'a, Page>,
    /// Derived status.
    pub status: Status,
}

/// `/api/v2/components.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ComponentsDocument<'a> {
    /// The page.
    pub page: Cow<'a, Page>,
    /// All components and groups.
    pub components: Cow<'a, [Component]>,
}

/// `/api/v2/incidents.json` and `/api/v2/incidents/unresolved.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct IncidentsDocument<'a> {
    /// The page.
    pub page: Cow<'a, Page>,
    /// Incidents, newest first.
    pub incidents: Vec<Cow<'a, Incident>>,
}

/// `/api/v2/scheduled-maintenances.json` and its `upcoming` and `active` variants.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct MaintenancesDocument<'a> {
    /// The page.
    pub page: Cow<'a, Page>,
    /// Maintenances, latest window first.
    pub scheduled_maintenances: Vec<Cow<'a, Incident>>,
}

/// `/api/v2/incidents/{id}.json` (sitrep extension): one incident or maintenance, all updates, its postmortem.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct IncidentDocument<'a> {
    /// The page.
    pub page: Cow<'a, Page>,
    /// The incident.
    pub incident: Cow<'a, Incident>,
}

/// One published postmortem with just enough of its incident to list it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PostmortemEntry<'a> {
    /// The incident or maintenance it explains.
    pub incident_id: IncidentId,
    /// Its name.
    pub name: Cow<'a, str>,
    /// Its impact.
    pub impact: Impact,
    /// When its impact began.
    pub started_at: Option<Timestamp>,
    /// When it was resolved.
    pub resolved_at: Option<Timestamp>,
    /// The postmortem.
    pub postmortem: Cow<'a, Postmortem>,
    /// The components the incident touched, so a reader can filter by component (sitrep extension).
    #[serde(default, deserialize_with = "crate::wire::null_as_default")]
    pub component_ids: Vec<ComponentId>,
}

/// `/api/v2/postmortems.json` (sitrep extension).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PostmortemsDocument<'a> {
    /// The page.
    pub page: Cow<'a, Page>,
    /// Most recently published first.
    pub postmortems: Vec<PostmortemEntry<'a>>,
}

/// The summary at `now`.
pub fn summary(state: &PageState, now: Timestamp) -> Summary<'_> {
    Summary {
        page: Cow::Borrowed(state.page()),
        status: status::derive(state, now),
        components: Cow::Borrowed(state.components()),
        incidents: unresolved_list(state, now),
        scheduled_maintenances: state
            .open_maintenances()
            .filter(|m| status::is_active_at(m, now) || status::is_upcoming_at(m, now))
            .map(|m| m.public_at(now))
            .collect(),
    }
}

/// The status at `now`.
pub fn status(state: &PageState, now: Timestamp) -> StatusDocument<'_> {
    StatusDocument { page: Cow::Borrowed(state.page()), status: status::derive(state, now) }
}

/// All components.
pub fn components(state: &PageState) -> ComponentsDocument<'_> {
    ComponentsDocument { page: Cow::Borrowed(state.page()), components: Cow::Borrowed(state.components()) }
}

/// The 50 most recent incidents opened by `now`.
pub fn incidents(state: &PageState, now: Timestamp) -> IncidentsDocument<'_> {
    IncidentsDocument { page: Cow::Borrowed(state.page()), incidents: recent(state.incidents(), now) }
}

/// Incidents open at `now`.
pub fn unresolved(state: &PageState, now: Timestamp) -> IncidentsDocument<'_> {
    IncidentsDocument { page: Cow::Borrowed(state.page()), incidents: unresolved_list(state, now) }
}

/// The 50 most recent maintenances announced by `now`.
pub fn maintenances(state: &PageState, now: Timestamp) -> MaintenancesDocument<'_> {
    MaintenancesDocument {
        page: Cow::Borrowed(state.page()),
        scheduled_maintenances: recent(state.maintenances(), now),
    }
}

/// Maintenances whose window has not started at `now`, soonest first.
pub fn upcoming_maintenances(state: &PageState, now: Timestamp) -> MaintenancesDocument<'_> {
    let mut list: Vec<_> =
        state.open_maintenances().filter(|m| status::is_upcoming_at(m, now)).map(|m| m.public_at(now)).collect();
    list.reverse();
    MaintenancesDocument { page: Cow::Borrowed(state.page()), scheduled_maintenances: list }
}

/// Maintenances under way at `now`.
pub fn active_maintenances(state: &PageState, now: Timestamp) -> MaintenancesDocument<'_> {
    let list = state.open_maintenances().filter(|m| status::is_active_at(m, now)).map(|m| m.public_at(now)).collect();
    MaintenancesDocument { page: Cow::Borrowed(state.page()), scheduled_maintenances: list }
}

/// Up to `limit` postmortems published by `now`, most recent first.
pub fn postmortems(state: &PageState, now: Timestamp, limit: usize) -> PostmortemsDocument<'_> {
    let postmortems = state
        .published_postmortems()
        .filter_map(|incident| {
            let postmortem = incident.published_postmortem()?;
            postmortem.published_at.filter(|at| *at <= now)?;
            Some(PostmortemEntry {
                incident_id: incident.id.clone(),
                name: Cow::Borrowed(&incident.name),
                impact: incident.impact,
                started_at: incident.started_at,
                resolved_at: incident.resolved_at,
                // A revision of it is private until it is published (`Incident::public_at`).
                postmortem: match postmortem.revision {
                    None => Cow::Borrowed(postmortem),
                    Some(_) => Cow::Owned(crate::postmortem::Postmortem { revision: None, ..postmortem.clone() }),
                },
                component_ids: incident.touched_components(),
            })
        })
        .take(limit)
        .collect();
    PostmortemsDocument { page: Cow::Borrowed(state.page()), postmortems }
}

/// One incident or maintenance by id as readers see it at `now`, or `None` when there is none.
pub fn incident<'a>(state: &'a PageState, id: &IncidentId, now: Timestamp) -> Option<IncidentDocument<'a>> {
    let (_, incident) = state.find(id)?;
    Some(IncidentDocument { page: Cow::Borrowed(state.page()), incident: incident.public_at(now) })
}

fn unresolved_list(state: &PageState, now: Timestamp) -> Vec<Cow<'_, Incident>> {
    state.open_incidents().filter(|i| status::is_open_at(i, now)).map(|i| i.public_at(now)).collect()
}

/// The first `RECENT_LIMIT` of a newest-first list, skipping those created after `now`.
fn recent<'a>(list: impl Iterator<Item = &'a Incident>, now: Timestamp) -> Vec<Cow<'a, Incident>> {
    list.filter(|i| i.created_at <= now).take(RECENT_LIMIT).map(|i| i.public_at(now)).collect()
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::incident::IncidentStatus::*;
    use crate::testing::{at, maintenance, page, published_postmortem};

    fn incident(id: &str, impact: Impact, start: i64, statuses: &[crate::incident::IncidentStatus]) -> Incident {
        crate::testing::incident(id, impact, start, statuses)
    }

    fn ids(list: &[Cow<'_, Incident>]) -> Vec<String> {
        list.iter().map(|i| i.id.0.clone()).collect()
    }

    fn state() -> PageState {
        let mut data = page();
        for n in 0..60 {
            data.incidents.push(incident(&format!("old{n}"), Impact::Minor, n, &[Investigating, Resolved]));
        }
        data.incidents.push(incident("open", Impact::Major, 100, &[Investigating]));
        data.incidents.push(incident("later", Impact::Critical, 300, &[Investigating]));
        data.incidents[3].postmortem = Some(published_postmortem(at(200)));
        data.incidents[3].status = Postmortem;
        data.scheduled_maintenances.push(maintenance("soon", 0, (180, 240), &[Scheduled]));
        data.scheduled_maintenances.push(maintenance("now", 0, (100, 200), &[InProgress]));
        data.scheduled_maintenances.push(maintenance("done", 0, (10, 20), &[InProgress, Completed]));
        PageState::new(data)
    }

    #[test]
    fn summary_lists_only_what_is_open_now() {
        let state = state();
        let summary = summary(&state, at(150));
        assert_eq!(ids(&summary.incidents), ["open"]);
        assert_eq!(ids(&summary.scheduled_maintenances), ["soon", "now"]);
        assert_eq!(summary.status.indicator, crate::status::Indicator::Major);
        assert_eq!(summary.components.len(), 2);
    }

    #[test]
    fn incidents_are_the_fifty_most_recent_opened_by_now() {
        let state = state();
        let list = incidents(&state, at(150)).incidents;
        assert_eq!(list.len(), RECENT_LIMIT);
        assert_eq!(list[0].id.0, "open");
        assert_eq!(list[1].id.0, "old59");
        assert_eq!(ids(&unresolved(&state, at(400)).incidents), ["later", "open"]);
    }

    #[test]
    fn maintenance_views_split_by_now() {
        let state = state();
        assert_eq!(ids(&upcoming_maintenances(&state, at(150)).scheduled_maintenances), ["soon"]);
        assert_eq!(ids(&active_maintenances(&state, at(150)).scheduled_maintenances), ["now"]);
        assert_eq!(ids(&maintenances(&state, at(150)).scheduled_maintenances), ["soon", "now", "done"]);
    }

    #[test]
    fn postmortems_appear_once_published() {
        let state = state();
        assert!(postmortems(&state, at(150), 5).postmortems.is_empty());
        let list = postmortems(&state, at(250), 5).postmortems;
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].incident_id.0, "old3");
    }

    #[test]
    fn maintenance_postmortems_are_listed_too() {
        let mut data = page();
        let mut m = maintenance("m", 0, (10, 20), &[InProgress, Completed]);
        m.postmortem = Some(published_postmortem(at(30)));
        data.scheduled_maintenances.push(m);
        let state = PageState::new(data);
        let list = postmortems(&state, at(40), 5).postmortems;
        assert_eq!(list.iter().map(|p| p.incident_id.0.as_str()).collect::<Vec<_>>(), ["m"]);
    }

    #[test]
    fn one_incident_by_id() {
        let state = state();
        assert_eq!(
            super::incident(&state, &IncidentId::from("now"), at(0)).map(|d| d.incident.name.clone()),
            Some("Incident now".to_owned())
        );
        assert!(super::incident(&state, &IncidentId::from("missing"), at(0)).is_none());
    }
}
