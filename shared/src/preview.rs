//! What readers will see after a write, before it is sent: the console's previews.
//!
//! The console holds the page as readers read it (the summary, the incidents and maintenances
//! documents). [`after`] rebuilds a [`PageState`] from them, applies the operator's command with
//! the store's own [`command::apply`] and commits it as the store does, so the preview is the
//! store's answer, refusals included: a command the store would refuse is refused here with the
//! same problems, by field, before anything is sent.

use std::borrow::Cow;

use crate::command::{self, ApplyError, Command};
use crate::page::{PageData, PageState};
use crate::views::{self, Summary};
use crate::wire::Timestamp;

/// The id a preview gives what it creates: never one the store gives (the store's are base 36).
pub const PREVIEW_ID: &str = "preview";

/// The summary readers would read after `command`, applied at `now` to the page `data` holds.
pub fn after(data: PageData, command: &Command, now: Timestamp) -> Result<Summary<'static>, ApplyError> {
    let mut state = PageState::new(data);
    let change = command::apply(&state, command, now, PREVIEW_ID)?;
    state.commit(&change);
    Ok(owned(views::summary(&state, now)))
}

/// The summary readers read at `now` of the page `data` holds, unchanged.
pub fn current(data: PageData, now: Timestamp) -> Summary<'static> {
    owned(views::summary(&PageState::new(data), now))
}

fn owned(summary: Summary<'_>) -> Summary<'static> {
    Summary {
        page: Cow::Owned(summary.page.into_owned()),
        status: summary.status,
        components: Cow::Owned(summary.components.into_owned()),
        incidents: summary.incidents.into_iter().map(|i| Cow::Owned(i.into_owned())).collect(),
        scheduled_maintenances: summary
            .scheduled_maintenances
            .into_iter()
            .map(|m| Cow::Owned(m.into_owned()))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::{ComponentChange, NewIncident, NewUpdate};
    use crate::testing::*;
    use crate::{ComponentStatus, Impact, IncidentStatus, Indicator};

    fn opened(components: Vec<ComponentChange>) -> Command {
        Command::OpenIncident(NewIncident {
            name: "Checkout fails".into(),
            status: None,
            impact: Some(Impact::Major),
            body: "We are looking into it.".into(),
            components,
            language: None,
            started_at: None,
        })
    }

    #[test]
    fn an_incident_shows_in_the_summary_before_it_is_opened() {
        let data = page();
        let now = ts("2024-06-01T12:00:00Z");
        let before = current(data.clone(), now);
        assert_eq!(before.status.indicator, Indicator::None);
        let api = data.components[0].id.clone();
        let change = ComponentChange { id: api.clone(), status: ComponentStatus::MajorOutage };
        let after = after(data, &opened(vec![change]), now).unwrap();
        // A component in a major outage makes the page critical, whatever the incident's impact.
        assert_eq!(after.status.indicator, Indicator::Critical);
        assert_eq!(after.incidents.len(), 1);
        assert_eq!(after.incidents[0].name, "Checkout fails");
        assert_eq!(after.incidents[0].id.as_str(), PREVIEW_ID);
        let shown = after.components.iter().find(|c| c.id == api).unwrap();
        assert_eq!(shown.status, ComponentStatus::MajorOutage);
    }

    #[test]
    fn a_command_the_store_would_refuse_is_refused_with_its_problems() {
        let data = page();
        let now = ts("2024-06-01T12:00:00Z");
        let blank = Command::OpenIncident(NewIncident {
            name: "  ".into(),
            status: None,
            impact: None,
            body: String::new(),
            components: vec![],
            language: None,
            started_at: None,
        });
        match after(data.clone(), &blank, now) {
            Err(ApplyError::Invalid(problems)) => {
                assert!(problems.iter().any(|p| p.path == "incident.name"), "{problems:?}");
            }
            other => panic!("{other:?}"),
        }
        let unknown = Command::PostUpdate("nope".into(), NewUpdate::new(IncidentStatus::Resolved, "Fixed."));
        assert!(matches!(after(data, &unknown, now), Err(ApplyError::NotFound(..))));
    }

    #[test]
    fn resolving_with_restore_puts_the_components_back() {
        let data = page();
        let now = ts("2024-06-01T12:00:00Z");
        let api = data.components[0].id.clone();
        let change = ComponentChange { id: api.clone(), status: ComponentStatus::MajorOutage };
        let mut state = PageState::new(data);
        let open = command::apply(&state, &opened(vec![change]), now, "inc1").unwrap();
        state.commit(&open);
        let data = state.into_data();
        let mut resolve = NewUpdate::new(IncidentStatus::Resolved, "Fixed.");
        resolve.restore = true;
        let later = ts("2024-06-01T13:00:00Z");
        let after = after(data, &Command::PostUpdate("inc1".into(), resolve), later).unwrap();
        assert!(after.incidents.is_empty());
        assert_eq!(after.status.indicator, Indicator::None);
        let shown = after.components.iter().find(|c| c.id == api).unwrap();
        assert_eq!(shown.status, ComponentStatus::Operational);
    }
}
