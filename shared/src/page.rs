//! The page and its whole state, indexed so reads cost what is open, not what is history.

use std::collections::HashMap;

use serde::{Deserialize, Serialize, Serializer};

use crate::component::Component;
use crate::incident::Incident;
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

/// Where an id points in a [`PageState`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Slot {
    Incident(usize),
    Maintenance(usize),
}

/// A page's state, sorted and indexed once so that every read view is cheap.
///
/// Components are in display order, incidents newest first by `created_at`, maintenances
/// newest first by `scheduled_for`. The open lists hold only what is not closed.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(from = "PageData")]
pub struct PageState {
    page: Page,
    components: Vec<Component>,
    incidents: Vec<Incident>,
    maintenances: Vec<Incident>,
    open_incidents: Vec<usize>,
    open_maintenances: Vec<usize>,
    published_postmortems: Vec<Slot>,
    by_id: HashMap<IncidentId, Slot>,
}

impl From<PageData> for PageState {
    fn from(data: PageData) -> Self {
        Self::new(data)
    }
}

impl PageState {
    /// Sorts and indexes the data; does not validate it (see [`crate::validate`]).
    pub fn new(data: PageData) -> Self {
        let PageData { page, mut components, mut incidents, scheduled_maintenances: mut maintenances } = data;
        components.sort_by_key(|c| c.position);
        incidents.sort_by(|a, b| b.created_at.cmp(&a.created_at).then_with(|| a.id.cmp(&b.id)));
        maintenances.sort_by(|a, b| window_start(b).cmp(&window_start(a)).then_with(|| a.id.cmp(&b.id)));
        let open = |list: &[Incident]| -> Vec<usize> {
            list.iter().enumerate().filter(|(_, i)| !i.status.is_closed()).map(|(n, _)| n).collect()
        };
        let open_incidents = open(&incidents);
        let open_maintenances = open(&maintenances);
        let published = |list: &[Incident], slot: fn(usize) -> Slot| -> Vec<(Option<Timestamp>, Slot)> {
            list.iter()
                .enumerate()
                .filter_map(|(n, i)| i.published_postmortem().map(|p| (p.published_at, slot(n))))
                .collect()
        };
        let mut published_postmortems = published(&incidents, Slot::Incident);
        published_postmortems.extend(published(&maintenances, Slot::Maintenance));
        published_postmortems.sort_by_key(|(at, _)| std::cmp::Reverse(*at));
        let published_postmortems = published_postmortems.into_iter().map(|(_, slot)| slot).collect();
        let mut by_id = HashMap::with_capacity(incidents.len() + maintenances.len());
        for (n, incident) in incidents.iter().enumerate() {
            by_id.entry(incident.id.clone()).or_insert(Slot::Incident(n));
        }
        for (n, maintenance) in maintenances.iter().enumerate() {
            by_id.entry(maintenance.id.clone()).or_insert(Slot::Maintenance(n));
        }
        Self {
            page,
            components,
            incidents,
            maintenances,
            open_incidents,
            open_maintenances,
            published_postmortems,
            by_id,
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
    pub fn incidents(&self) -> &[Incident] {
        &self.incidents
    }

    /// Scheduled maintenances, latest window first.
    pub fn maintenances(&self) -> &[Incident] {
        &self.maintenances
    }

    /// Incidents not yet resolved, newest first (whatever `now` is).
    pub fn open_incidents(&self) -> impl Iterator<Item = &Incident> {
        self.open_incidents.iter().map(|&n| &self.incidents[n])
    }

    /// Maintenances not yet completed, latest window first.
    pub fn open_maintenances(&self) -> impl Iterator<Item = &Incident> {
        self.open_maintenances.iter().map(|&n| &self.maintenances[n])
    }

    /// Incidents and maintenances with a published postmortem, most recently published first.
    pub fn published_postmortems(&self) -> impl Iterator<Item = &Incident> {
        self.published_postmortems.iter().filter_map(|slot| self.at(*slot))
    }

    /// An incident or maintenance by id.
    pub fn find(&self, id: &IncidentId) -> Option<&Incident> {
        self.at(*self.by_id.get(id)?)
    }

    fn at(&self, slot: Slot) -> Option<&Incident> {
        match slot {
            Slot::Incident(n) => self.incidents.get(n),
            Slot::Maintenance(n) => self.maintenances.get(n),
        }
    }

    /// Every incident and maintenance, in no particular order.
    pub fn all_events(&self) -> impl Iterator<Item = &Incident> {
        self.incidents.iter().chain(&self.maintenances)
    }

    /// The plain data back, for storage.
    pub fn into_data(self) -> PageData {
        PageData {
            page: self.page,
            components: self.components,
            incidents: self.incidents,
            scheduled_maintenances: self.maintenances,
        }
    }
}

fn window_start(maintenance: &Incident) -> Timestamp {
    maintenance.scheduled_for.unwrap_or(maintenance.created_at)
}

impl Serialize for PageState {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Borrowed<'a> {
            page: &'a Page,
            components: &'a [Component],
            incidents: &'a [Incident],
            scheduled_maintenances: &'a [Incident],
        }
        Borrowed {
            page: &self.page,
            components: &self.components,
            incidents: &self.incidents,
            scheduled_maintenances: &self.maintenances,
        }
        .serialize(serializer)
    }
}
