//! The page as it stood at an earlier instant, rebuilt from the updates' history.
//!
//! Lets the demo and the tests show an incident live ("what did readers see at 17:10?") from a
//! finished record: updates after the instant are dropped, statuses and component states are
//! taken from the last update before it, and postmortems not yet published are hidden.

use std::collections::HashMap;

use crate::component::ComponentStatus;
use crate::incident::{Incident, IncidentStatus};
use crate::page::PageData;
use crate::wire::{ComponentId, Timestamp};

impl PageData {
    /// The page as readers saw it at `at`.
    pub fn as_of(&self, at: Timestamp) -> PageData {
        let keep =
            |list: &[Incident]| list.iter().filter(|i| i.created_at <= at).map(|i| incident_as_of(i, at)).collect();
        let incidents: Vec<Incident> = keep(&self.incidents);
        let scheduled_maintenances: Vec<Incident> = keep(&self.scheduled_maintenances);

        // Each component's status at `at`: the last change up to then, else what the first later change started from.
        let mut last: HashMap<&ComponentId, (Timestamp, ComponentStatus)> = HashMap::new();
        let mut first_after: HashMap<&ComponentId, (Timestamp, ComponentStatus)> = HashMap::new();
        for event in self.incidents.iter().chain(&self.scheduled_maintenances) {
            for update in &event.incident_updates {
                let when = update.shown_at();
                for change in &update.affected_components {
                    let Some(code) = &change.code else { continue };
                    if when <= at {
                        if let Some(new) = change.new_status {
                            let slot = last.entry(code).or_insert((when, new));
                            if when >= slot.0 {
                                *slot = (when, new);
                            }
                        }
                    } else if let Some(old) = change.old_status {
                        let slot = first_after.entry(code).or_insert((when, old));
                        if when < slot.0 {
                            *slot = (when, old);
                        }
                    }
                }
            }
        }
        let status_at = |id: &ComponentId, current: ComponentStatus| {
            last.get(id).or_else(|| first_after.get(id)).map_or(current, |(_, status)| *status)
        };
        let mut components = self.components.clone();
        for component in &mut components {
            component.status = status_at(&component.id, component.status);
        }
        let mut page = self.page.clone();
        page.updated_at = page.updated_at.min(at);
        let mut data = PageData { page, components, incidents, scheduled_maintenances };
        // Incidents carry copies of their components: show those as of `at` too.
        for event in data.incidents.iter_mut().chain(&mut data.scheduled_maintenances) {
            for component in &mut event.components {
                component.status = status_at(&component.id, component.status);
            }
        }
        data
    }
}

fn incident_as_of(incident: &Incident, at: Timestamp) -> Incident {
    let mut then = incident.clone();
    then.incident_updates.retain(|u| u.created_at <= at);
    if let Some((status, updated, created)) = then.latest_update().map(|u| (u.status, u.updated_at, u.created_at)) {
        then.status = status;
        then.updated_at = updated.min(at).max(created);
    }
    then.monitoring_at = then.monitoring_at.filter(|t| *t <= at);
    then.resolved_at =
        if then.status.is_closed() { then.resolved_at.filter(|t| *t <= at).or(then.resolved_at) } else { None };
    if let Some(postmortem) = &then.postmortem {
        match postmortem.published_at {
            Some(published) if published <= at && then.status == IncidentStatus::Resolved => {
                then.status = IncidentStatus::Postmortem
            }
            Some(published) if published <= at => {}
            _ => then.postmortem = None,
        }
    }
    then
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use crate::component::ComponentStatus::*;
    use crate::incident::{Impact, IncidentStatus::*};
    use crate::testing::{affected, at, incident, page};
    use crate::validate::validate;

    #[test]
    fn replays_statuses_and_component_states() {
        let mut data = page();
        let mut i = incident("i", Impact::Major, 10, &[Investigating, Identified, Resolved]);
        i.incident_updates[2].affected_components.push(affected("api", Operational, MajorOutage));
        i.incident_updates[0].affected_components.push(affected("api", MajorOutage, Operational));
        data.incidents.push(i);
        assert_eq!(validate(&data), vec![]);

        let before = data.as_of(at(5));
        assert!(before.incidents.is_empty());
        assert_eq!(before.components[0].status, Operational);

        let during = data.as_of(at(11));
        assert_eq!(during.incidents[0].status, Identified);
        assert_eq!(during.incidents[0].incident_updates.len(), 2);
        assert_eq!(during.incidents[0].resolved_at, None);
        assert_eq!(during.components[0].status, MajorOutage);
        assert_eq!(validate(&during), vec![]);

        let after = data.as_of(at(20));
        assert_eq!(after, data);
    }
}
