//! The page and its whole state, indexed so reads cost what is open, not what is history, and
//! writes cost what they change.

use std::cmp::Reverse;
use std::collections::HashMap;

use serde::{Deserialize, Serialize, Serializer};

use crate::component::Component;
use crate::incident::{Incident, Kind};
use crate::wire::{IncidentId, PageId, Timestamp, null_as_default};

/// The status page itself.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Page {
    /// Page id.
    pub id: PageId,
    /// Company or product name.
    pub name: String,
    /// Public URL of the page.
    #[serde(default)]
    pub url: String,
    /// IANA zone the operators think in (readers see their own zone).
    #[serde(default = "default_time_zone")]
    pub time_zone: String,
    /// When anything on the page last changed.
    pub updated_at: Timestamp,
}

impl Page {
    /// The public page of one of its incidents or maintenances (`{url}/incidents/{id}`), the
    /// `shortlink` Statuspage clients expect as a string; `None` when the page has no http(s) URL.
    pub fn incident_url(&self, id: &IncidentId) -> Option<String> {
        let base = self.url.trim_end_matches('/');
        (base.starts_with("https://") || base.starts_with("http://")).then(|| format!("{base}/incidents/{id}"))
    }
}

fn default_time_zone() -> String {
    "Etc/UTC".to_owned()
}

/// Everything a page holds, as plain data: the stored and fixture format.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PageData {
    /// The page.
    pub page: Page,
    /// Components and groups.
    #[serde(default, deserialize_with = "null_as_default")]
    pub components: Vec<Component>,
    /// Incidents, any order.
    #[serde(default, deserialize_with = "null_as_default")]
    pub incidents: Vec<Incident>,
    /// Scheduled maintenances, any order.
    #[serde(default, deserialize_with = "null_as_default")]
    pub scheduled_maintenances: Vec<Incident>,
}

/// A page's state, indexed once so that every read view is cheap and a write touches only what
/// it changes.
///
/// Events (incidents and maintenances) live in insertion order; small index vectors keep the
/// orders the views need: incidents newest first by `created_at`, maintenances latest window
/// first, the open ones of each, published postmortems most recent first, and every event by
/// latest activity.
#[derive(Clone, Debug, Deserialize)]
#[serde(from = "PageData")]
pub struct PageState {
    page: Page,
    components: Vec<Component>,
    events: Vec<(Kind, Incident)>,
    incidents: Vec<usize>,
    maintenances: Vec<usize>,
    open_incidents: Vec<usize>,
    open_maintenances: Vec<usize>,
    published: Vec<usize>,
    activity: Vec<usize>,
    by_id: HashMap<IncidentId, usize>,
}

impl PartialEq for PageState {
    fn eq(&self, other: &Self) -> bool {
        self.page == other.page
            && self.components == other.components
            && self.incidents().eq(other.incidents())
            && self.maintenances().eq(other.maintenances())
    }
}

impl From<PageData> for PageState {
    fn from(data: PageData) -> Self {
        Self::new(data)
    }
}

/// Sort key of an event within its kind's order.
fn order_key(kind: Kind, event: &Incident) -> (Reverse<Timestamp>, IncidentId) {
    let at = match kind {
        Kind::Incident => event.created_at,
        Kind::Maintenance => event.scheduled_for.unwrap_or(event.created_at),
    };
    (Reverse(at), event.id.clone())
}

impl PageData {
    /// A page with nothing on it yet.
    fn empty_like(page: &Page) -> Self {
        Self { page: page.clone(), components: vec![], incidents: vec![], scheduled_maintenances: vec![] }
    }
}

impl PageState {
    /// Sorts and indexes the data; does not validate it (see [`crate::validate`]).
    pub fn new(data: PageData) -> Self {
        let PageData { page, mut components, incidents, scheduled_maintenances } = data;
        components.sort_by_key(|c| c.position);
        let events: Vec<(Kind, Incident)> = incidents
            .into_iter()
            .map(|i| (Kind::Incident, i))
            .chain(scheduled_maintenances.into_iter().map(|m| (Kind::Maintenance, m)))
            .collect();
        let mut state = Self {
            page,
            components,
            events,
            incidents: vec![],
            maintenances: vec![],
            open_incidents: vec![],
            open_maintenances: vec![],
            published: vec![],
            activity: vec![],
            by_id: HashMap::new(),
        };
        state.reindex();
        state
    }

    fn reindex(&mut self) {
        let events = &self.events;
        let of_kind = |kind: Kind| -> Vec<usize> {
            let mut list: Vec<usize> = (0..events.len()).filter(|&n| events[n].0 == kind).collect();
            list.sort_by_cached_key(|&n| order_key(kind, &events[n].1));
            list
        };
        self.incidents = of_kind(Kind::Incident);
        self.maintenances = of_kind(Kind::Maintenance);
        self.open_incidents = self.incidents.iter().copied().filter(|&n| !events[n].1.status.is_closed()).collect();
        self.open_maintenances =
            self.maintenances.iter().copied().filter(|&n| !events[n].1.status.is_closed()).collect();
        self.published = (0..events.len()).filter(|&n| events[n].1.published_postmortem().is_some()).collect();
        self.published.sort_by_cached_key(|&n| Reverse(published_at(&events[n].1)));
        self.activity = (0..events.len()).collect();
        self.activity.sort_by_cached_key(|&n| Reverse(events[n].1.last_activity()));
        self.by_id.clear();
        for (n, (_, event)) in events.iter().enumerate() {
            self.by_id.entry(event.id.clone()).or_insert(n);
        }
    }

    /// The page.
    pub fn page(&self) -> &Page {
        &self.page
    }

    /// Components and groups in display order.
    pub fn components(&self) -> &[Component] {
        &self.components
    }

    /// Incidents, newest first.
    pub fn incidents(&self) -> impl Iterator<Item = &Incident> {
        self.incidents.iter().map(|&n| &self.events[n].1)
    }

    /// Scheduled maintenances, latest window first.
    pub fn maintenances(&self) -> impl Iterator<Item = &Incident> {
        self.maintenances.iter().map(|&n| &self.events[n].1)
    }

    /// Incidents not yet resolved, newest first (whatever `now` is).
    pub fn open_incidents(&self) -> impl Iterator<Item = &Incident> {
        self.open_incidents.iter().map(|&n| &self.events[n].1)
    }

    /// Maintenances not yet completed, latest window first.
    pub fn open_maintenances(&self) -> impl Iterator<Item = &Incident> {
        self.open_maintenances.iter().map(|&n| &self.events[n].1)
    }

    /// Incidents and maintenances with a published postmortem, most recently published first.
    pub fn published_postmortems(&self) -> impl Iterator<Item = &Incident> {
        self.published.iter().map(|&n| &self.events[n].1)
    }

    /// Every incident and maintenance, latest activity first (see [`Incident::last_activity`]).
    pub fn by_activity(&self) -> impl Iterator<Item = &Incident> {
        self.activity.iter().map(|&n| &self.events[n].1)
    }

    /// An incident or maintenance by id, with its kind.
    pub fn find(&self, id: &IncidentId) -> Option<(Kind, &Incident)> {
        self.by_id.get(id).map(|&n| (self.events[n].0, &self.events[n].1))
    }

    /// Every incident and maintenance, in no particular order.
    pub fn all_events(&self) -> impl Iterator<Item = &Incident> {
        self.events.iter().map(|(_, e)| e)
    }

    /// Replaces the components (display order is restored by position).
    pub fn set_components(&mut self, mut components: Vec<Component>) {
        components.sort_by_key(|c| c.position);
        self.components = components;
    }

    /// Replaces the page's own settings.
    pub fn set_page(&mut self, page: Page) {
        self.page = page;
    }

    /// Sets when the page last changed.
    pub fn set_updated_at(&mut self, at: Timestamp) {
        self.page.updated_at = at;
    }

    /// Adds an event or replaces the one with its id, keeping every index in order. Costs a scan
    /// of the index vectors (no event is cloned or re-sorted).
    pub fn upsert(&mut self, kind: Kind, event: Incident) {
        let n = match self.by_id.get(&event.id) {
            Some(&n) => {
                for list in [
                    &mut self.incidents,
                    &mut self.maintenances,
                    &mut self.open_incidents,
                    &mut self.open_maintenances,
                    &mut self.published,
                    &mut self.activity,
                ] {
                    list.retain(|&m| m != n);
                }
                self.events[n] = (kind, event);
                n
            }
            None => {
                self.by_id.insert(event.id.clone(), self.events.len());
                self.events.push((kind, event));
                self.events.len() - 1
            }
        };
        let events = &self.events;
        let event = &events[n].1;
        let key = order_key(kind, event);
        let insert = |list: &mut Vec<usize>| {
            let at = list.partition_point(|&m| order_key(kind, &events[m].1) < key);
            list.insert(at, n);
        };
        match kind {
            Kind::Incident => {
                insert(&mut self.incidents);
                if !event.status.is_closed() {
                    insert(&mut self.open_incidents);
                }
            }
            Kind::Maintenance => {
                insert(&mut self.maintenances);
                if !event.status.is_closed() {
                    insert(&mut self.open_maintenances);
                }
            }
        }
        if event.published_postmortem().is_some() {
            let key = Reverse(published_at(event));
            let at = self.published.partition_point(|&m| Reverse(published_at(&events[m].1)) <= key);
            self.published.insert(at, n);
        }
        let key = Reverse(event.last_activity());
        let at = self.activity.partition_point(|&m| Reverse(events[m].1.last_activity()) <= key);
        self.activity.insert(at, n);
    }

    /// Removes an event (a deletion): the state is indexed again without it. Rare, so whole.
    pub fn remove(&mut self, id: &IncidentId) {
        if !self.by_id.contains_key(id) {
            return;
        }
        let mut data = std::mem::replace(self, Self::new(PageData::empty_like(&self.page))).into_data();
        data.incidents.retain(|e| &e.id != id);
        data.scheduled_maintenances.retain(|e| &e.id != id);
        *self = Self::new(data);
    }

    /// The plain data back, for storage.
    pub fn into_data(self) -> PageData {
        let mut incidents = Vec::new();
        let mut scheduled_maintenances = Vec::new();
        let order: Vec<usize> = self.incidents.iter().chain(&self.maintenances).copied().collect();
        let mut events: Vec<Option<(Kind, Incident)>> = self.events.into_iter().map(Some).collect();
        for n in order {
            match events[n].take() {
                Some((Kind::Incident, event)) => incidents.push(event),
                Some((Kind::Maintenance, event)) => scheduled_maintenances.push(event),
                None => {}
            }
        }
        PageData { page: self.page, components: self.components, incidents, scheduled_maintenances }
    }
}

fn published_at(event: &Incident) -> Option<Timestamp> {
    event.postmortem.as_ref().and_then(|p| p.published_at)
}

impl Serialize for PageState {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Borrowed<'a> {
            page: &'a Page,
            components: &'a [Component],
            incidents: Vec<&'a Incident>,
            scheduled_maintenances: Vec<&'a Incident>,
        }
        Borrowed {
            page: &self.page,
            components: &self.components,
            incidents: self.incidents().collect(),
            scheduled_maintenances: self.maintenances().collect(),
        }
        .serialize(serializer)
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::incident::{Impact, IncidentStatus::*};
    use crate::testing::{at, incident, maintenance, page};

    fn ids<'a>(list: impl Iterator<Item = &'a Incident>) -> Vec<&'a str> {
        list.map(|i| i.id.as_str()).collect()
    }

    /// Upserting one event at a time gives the same indexes as building from scratch.
    #[test]
    fn upsert_keeps_indexes_equal_to_a_rebuild() {
        let mut data = page();
        data.incidents.push(incident("a", Impact::Minor, 10, &[Investigating, Resolved]));
        data.incidents.push(incident("b", Impact::Major, 20, &[Investigating]));
        data.scheduled_maintenances.push(maintenance("m", 0, (60, 120), &[Scheduled]));
        let mut state = PageState::new(data.clone());

        let c = incident("c", Impact::Critical, 30, &[Investigating]);
        let b = incident("b", Impact::Major, 20, &[Investigating, Resolved]);
        let m = maintenance("m", 0, (60, 120), &[Scheduled, InProgress]);
        state.upsert(Kind::Incident, c.clone());
        state.upsert(Kind::Incident, b.clone());
        state.upsert(Kind::Maintenance, m.clone());
        data.incidents.push(c);
        data.incidents[1] = b;
        data.scheduled_maintenances[0] = m;
        let rebuilt = PageState::new(data);

        assert_eq!(ids(state.incidents()), ["c", "b", "a"]);
        assert_eq!(ids(state.open_incidents()), ["c"]);
        for (left, right) in [
            (ids(state.incidents()), ids(rebuilt.incidents())),
            (ids(state.open_incidents()), ids(rebuilt.open_incidents())),
            (ids(state.open_maintenances()), ids(rebuilt.open_maintenances())),
            (ids(state.by_activity()), ids(rebuilt.by_activity())),
            (ids(state.published_postmortems()), ids(rebuilt.published_postmortems())),
        ] {
            assert_eq!(left, right);
        }
        assert_eq!(state, rebuilt);
        assert_eq!(state.find(&IncidentId::from("m")).map(|(k, _)| k), Some(Kind::Maintenance));
        let _ = at(0);
    }
}
