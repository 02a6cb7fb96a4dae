//! The page's overall status, derived at an instant from components, incidents and maintenance.
//!
//! Never stored: it is always a function of the state and `now`.

use serde::{Deserialize, Serialize};

use crate::component::ComponentStatus;
use crate::incident::{Impact, Incident, IncidentStatus};
use crate::page::PageState;
use crate::wire::Timestamp;

/// The page's headline state, in Statuspage's spelling.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum Indicator {
    /// All systems operational.
    #[default]
    None,
    /// Minor service outage.
    Minor,
    /// Partial system outage.
    Major,
    /// Major system outage.
    Critical,
    /// Service under maintenance.
    Maintenance,
    /// A value this version does not know; readers must not show it as green.
    #[serde(other)]
    Unknown,
}

crate::wire::wire_names!(Indicator {
    None => "none", Minor => "minor", Major => "major", Critical => "critical", Maintenance => "maintenance",
});

impl Indicator {
    /// Rank for "which is worse": none < maintenance < minor = unknown < major < critical.
    pub fn severity(self) -> u8 {
        match self {
            Self::None => 0,
            Self::Maintenance => 1,
            Self::Minor | Self::Unknown => 2,
            Self::Major => 3,
            Self::Critical => 4,
        }
    }

    /// The worse of two indicators.
    pub fn worst(self, other: Self) -> Self {
        if other.severity() > self.severity() { other } else { self }
    }

    /// Statuspage's description for the indicator.
    pub fn description(self) -> &'static str {
        match self {
            Self::None => "All Systems Operational",
            Self::Minor => "Minor Service Outage",
            Self::Major => "Partial System Outage",
            Self::Critical => "Major System Outage",
            Self::Maintenance => "Service Under Maintenance",
            Self::Unknown => "Status Unknown",
        }
    }

    /// The component status that says the same as the indicator: what a badge or widget scoped
    /// to components says ("Major outage"), where the whole page's says "Major System Outage".
    pub fn as_component(self) -> ComponentStatus {
        match self {
            Self::None => ComponentStatus::Operational,
            Self::Minor => ComponentStatus::DegradedPerformance,
            Self::Major => ComponentStatus::PartialOutage,
            Self::Critical => ComponentStatus::MajorOutage,
            Self::Maintenance => ComponentStatus::UnderMaintenance,
            Self::Unknown => ComponentStatus::Unknown,
        }
    }

    /// What a component's status says about the page.
    pub fn of_component(status: ComponentStatus) -> Self {
        match status {
            ComponentStatus::Operational => Self::None,
            ComponentStatus::DegradedPerformance | ComponentStatus::Unknown => Self::Minor,
            ComponentStatus::PartialOutage => Self::Major,
            ComponentStatus::MajorOutage => Self::Critical,
            ComponentStatus::UnderMaintenance => Self::Maintenance,
        }
    }

    /// What an open incident's impact says about the page: an open incident is never green.
    pub fn of_open_incident(impact: Impact) -> Self {
        match impact {
            Impact::None | Impact::Minor | Impact::Unknown => Self::Minor,
            Impact::Major => Self::Major,
            Impact::Critical => Self::Critical,
            Impact::Maintenance => Self::Maintenance,
        }
    }
}

/// Indicator plus its description, as in `status.json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Status {
    /// The headline state.
    pub indicator: Indicator,
    /// Human description of it.
    pub description: String,
}

impl From<Indicator> for Status {
    fn from(indicator: Indicator) -> Self {
        Self { indicator, description: indicator.description().to_owned() }
    }
}

/// Whether an incident is open at `now`: opened by then and not closed.
pub fn is_open_at(incident: &Incident, now: Timestamp) -> bool {
    incident.created_at <= now && !incident.status.is_closed()
}

/// Whether a maintenance is under way at `now`: marked so, or scheduled and inside its window.
pub fn is_active_at(maintenance: &Incident, now: Timestamp) -> bool {
    match maintenance.status {
        IncidentStatus::InProgress | IncidentStatus::Verifying => maintenance.created_at <= now,
        status if status.is_closed() => false,
        _ => match (maintenance.scheduled_for, maintenance.scheduled_until) {
            (Some(start), Some(end)) => start <= now && now < end,
            (Some(start), None) => start <= now,
            _ => false,
        },
    }
}

/// Whether a maintenance is announced and its window has not started at `now`.
pub fn is_upcoming_at(maintenance: &Incident, now: Timestamp) -> bool {
    maintenance.status == IncidentStatus::Scheduled
        && maintenance.created_at <= now
        && maintenance.scheduled_for.is_some_and(|start| start > now)
}

/// Derives the page's status at `now`. Costs what is open plus the components, never the history.
pub fn derive(state: &PageState, now: Timestamp) -> Status {
    let components = state.components().iter().map(|c| Indicator::of_component(c.status));
    let incidents =
        state.open_incidents().filter(|i| is_open_at(i, now)).map(|i| Indicator::of_open_incident(i.impact));
    let maintenance = state.open_maintenances().any(|m| is_active_at(m, now)).then_some(Indicator::Maintenance);
    components.chain(incidents).chain(maintenance).fold(Indicator::None, Indicator::worst).into()
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::incident::IncidentStatus::*;
    use crate::page::PageData;
    use crate::testing::{at, component, incident, maintenance, page};

    fn check(data: PageData, now: i64, expected: Indicator) {
        let state = PageState::new(data);
        let status = derive(&state, at(now));
        assert_eq!(status.indicator, expected);
        assert_eq!(status.description, expected.description());
    }

    #[test]
    fn all_operational_is_green() {
        check(page(), 10, Indicator::None);
    }

    #[test]
    fn worst_component_counts() {
        let mut data = page();
        data.components[0].status = ComponentStatus::DegradedPerformance;
        check(data.clone(), 10, Indicator::Minor);
        data.components[1].status = ComponentStatus::MajorOutage;
        check(data, 10, Indicator::Critical);
    }

    #[test]
    fn open_incident_is_never_green() {
        let mut data = page();
        data.incidents.push(incident("i", Impact::None, 0, &[Investigating]));
        check(data, 10, Indicator::Minor);
    }

    #[test]
    fn incident_counts_only_from_when_it_was_opened_and_until_resolved() {
        let mut data = page();
        data.incidents.push(incident("open", Impact::Major, 100, &[Investigating]));
        data.incidents.push(incident("done", Impact::Critical, 0, &[Investigating, Resolved]));
        check(data.clone(), 50, Indicator::None);
        check(data, 150, Indicator::Major);
    }

    #[test]
    fn maintenance_shows_inside_its_window_or_when_marked_under_way() {
        let mut data = page();
        data.scheduled_maintenances.push(maintenance("m", 0, (60, 120), &[Scheduled]));
        check(data.clone(), 30, Indicator::None);
        check(data.clone(), 90, Indicator::Maintenance);
        check(data.clone(), 130, Indicator::None);
        data.scheduled_maintenances[0] = maintenance("m", 0, (60, 120), &[Scheduled, InProgress]);
        check(data.clone(), 130, Indicator::Maintenance);
        data.scheduled_maintenances[0] = maintenance("m", 0, (60, 120), &[Scheduled, InProgress, Completed]);
        check(data, 90, Indicator::None);
    }

    #[test]
    fn incident_outranks_maintenance() {
        let mut data = page();
        data.scheduled_maintenances.push(maintenance("m", 0, (0, 120), &[InProgress]));
        data.incidents.push(incident("i", Impact::Minor, 5, &[Identified]));
        check(data, 10, Indicator::Minor);
    }

    #[test]
    fn unknown_values_are_not_green() {
        let mut data = page();
        data.components[0].status = ComponentStatus::Unknown;
        check(data.clone(), 10, Indicator::Minor);
        data.components[0].status = ComponentStatus::Operational;
        data.incidents.push(incident("i", Impact::Unknown, 0, &[Investigating]));
        data.incidents[0].status = IncidentStatus::Unknown;
        check(data, 10, Indicator::Minor);
    }

    #[test]
    fn severity_orders_indicators() {
        let order = [Indicator::None, Indicator::Maintenance, Indicator::Minor, Indicator::Major, Indicator::Critical];
        for pair in order.windows(2) {
            assert!(pair[0].severity() < pair[1].severity(), "{pair:?}");
            assert_eq!(pair[0].worst(pair[1]), pair[1]);
            assert_eq!(pair[1].worst(pair[0]), pair[1]);
        }
        let _ = component("x", ComponentStatus::Operational);
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod properties {
    use proptest::prelude::*;

    use super::*;
    use crate::incident::IncidentStatus;
    use crate::testing::{at, component, incident, page};

    fn component_status() -> impl Strategy<Value = ComponentStatus> {
        prop_oneof![
            Just(ComponentStatus::Operational),
            Just(ComponentStatus::DegradedPerformance),
            Just(ComponentStatus::PartialOutage),
            Just(ComponentStatus::MajorOutage),
            Just(ComponentStatus::UnderMaintenance),
            Just(ComponentStatus::Unknown),
        ]
    }

    fn impact() -> impl Strategy<Value = Impact> {
        prop_oneof![
            Just(Impact::None),
            Just(Impact::Minor),
            Just(Impact::Major),
            Just(Impact::Critical),
            Just(Impact::Maintenance),
            Just(Impact::Unknown)
        ]
    }

    fn incident_status() -> impl Strategy<Value = IncidentStatus> {
        prop_oneof![
            Just(IncidentStatus::Investigating),
            Just(IncidentStatus::Identified),
            Just(IncidentStatus::Monitoring),
            Just(IncidentStatus::Resolved),
            Just(IncidentStatus::Postmortem),
            Just(IncidentStatus::Unknown),
        ]
    }

    /// The least severe indicator the spec allows for a component status.
    fn floor_for_component(status: ComponentStatus) -> u8 {
        match status {
            ComponentStatus::Operational => 0,
            ComponentStatus::UnderMaintenance => Indicator::Maintenance.severity(),
            ComponentStatus::DegradedPerformance | ComponentStatus::Unknown => Indicator::Minor.severity(),
            ComponentStatus::PartialOutage => Indicator::Major.severity(),
            ComponentStatus::MajorOutage => Indicator::Critical.severity(),
        }
    }

    /// The least severe indicator the spec allows for an open incident's impact (never green).
    fn floor_for_impact(impact: Impact) -> u8 {
        match impact {
            Impact::Critical => Indicator::Critical.severity(),
            Impact::Major => Indicator::Major.severity(),
            Impact::Maintenance => Indicator::Maintenance.severity(),
            Impact::None | Impact::Minor | Impact::Unknown => Indicator::Minor.severity(),
        }
    }

    proptest! {
        #[test]
        fn indicator_is_never_better_than_the_worst_component_or_open_incident(
            statuses in prop::collection::vec(component_status(), 0..12),
            incidents in prop::collection::vec((impact(), incident_status(), 0i64..200), 0..8),
            now in 0i64..250,
        ) {
            let mut data = page();
            data.components = statuses.iter().enumerate().map(|(n, s)| component(&format!("c{n}"), *s)).collect();
            for (n, (impact, status, start)) in incidents.iter().enumerate() {
                let mut i = incident(&format!("i{n}"), *impact, *start, &[IncidentStatus::Investigating]);
                i.status = *status;
                data.incidents.push(i);
            }
            let state = PageState::new(data.clone());
            let derived = derive(&state, at(now));
            let worst_component = statuses.iter().map(|s| floor_for_component(*s)).max().unwrap_or(0);
            let worst_incident = data
                .incidents
                .iter()
                .filter(|i| i.created_at <= at(now) && !i.status.is_closed())
                .map(|i| floor_for_impact(i.impact))
                .max()
                .unwrap_or(0);
            prop_assert!(derived.indicator.severity() >= worst_component, "{derived:?} vs component floor {worst_component}");
            prop_assert!(derived.indicator.severity() >= worst_incident, "{derived:?} vs incident floor {worst_incident}");
            prop_assert_eq!(derived.description.as_str(), derived.indicator.description());
        }
    }
}
