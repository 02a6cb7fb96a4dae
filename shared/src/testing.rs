//! Builders for the unit tests: small, valid pages to bend one field at a time.

use crate::component::{Component, ComponentStatus};
use crate::incident::{AffectedComponent, Impact, Incident, IncidentStatus, IncidentUpdate};
use crate::page::{Page, PageData};
use crate::postmortem::Postmortem;
use crate::wire::{ComponentId, IncidentId, PageId, Timestamp, UpdateId};

pub fn ts(text: &str) -> Timestamp {
    Timestamp::parse(text).unwrap()
}

/// Minutes after 2024-01-01T00:00Z.
pub fn at(minutes: i64) -> Timestamp {
    Timestamp::from_unix_millis(1_704_067_200_000 + minutes * 60_000).unwrap()
}

pub fn page() -> PageData {
    PageData {
        page: Page {
            id: PageId::from("p"),
            name: "Acme".into(),
            url: String::new(),
            time_zone: "Etc/UTC".into(),
            updated_at: at(0),
        },
        components: vec![
            component("api", ComponentStatus::Operational),
            component("web", ComponentStatus::Operational),
        ],
        incidents: vec![],
        scheduled_maintenances: vec![],
    }
}

pub fn component(id: &str, status: ComponentStatus) -> Component {
    Component {
        id: ComponentId::from(id),
        page_id: PageId::from("p"),
        name: id.to_uppercase(),
        description: None,
        status,
        position: 0,
        group_id: None,
        group: false,
        only_show_if_degraded: false,
        showcase: true,
        start_date: None,
        created_at: at(0),
        updated_at: at(0),
        components: vec![],
    }
}

/// An incident whose updates go through `statuses` one minute apart, starting at `start` minutes.
pub fn incident(id: &str, impact: Impact, start: i64, statuses: &[IncidentStatus]) -> Incident {
    let mut updates: Vec<IncidentUpdate> = statuses
        .iter()
        .enumerate()
        .map(|(n, status)| update(&format!("{id}-u{n}"), id, *status, at(start + n as i64)))
        .collect();
    updates.reverse();
    let status = updates.first().map_or(IncidentStatus::Investigating, |u| u.status);
    let last = at(start + statuses.len().saturating_sub(1) as i64);
    Incident {
        id: IncidentId::from(id),
        page_id: PageId::from("p"),
        name: format!("Incident {id}"),
        status,
        impact,
        started_at: Some(at(start)),
        created_at: at(start),
        updated_at: last,
        monitoring_at: None,
        resolved_at: status.is_closed().then_some(last),
        shortlink: None,
        incident_updates: updates,
        components: vec![],
        scheduled_for: None,
        scheduled_until: None,
        postmortem: None,
        cancelled_at: None,
        auto_transition: false,
    }
}

/// A maintenance with window [for, until) in minutes, through `statuses`.
pub fn maintenance(id: &str, start: i64, window: (i64, i64), statuses: &[IncidentStatus]) -> Incident {
    let mut m = incident(id, Impact::Maintenance, start, statuses);
    m.scheduled_for = Some(at(window.0));
    m.scheduled_until = Some(at(window.1));
    m
}

pub fn update(id: &str, incident: &str, status: IncidentStatus, created: Timestamp) -> IncidentUpdate {
    IncidentUpdate {
        id: UpdateId::from(id),
        incident_id: IncidentId::from(incident),
        status,
        body: format!("{status:?}"),
        created_at: created,
        updated_at: created,
        display_at: Some(created),
        affected_components: vec![],
        language: None,
        reopened: false,
        edited_at: None,
    }
}

pub fn affected(code: &str, old: ComponentStatus, new: ComponentStatus) -> AffectedComponent {
    AffectedComponent {
        code: Some(ComponentId::from(code)),
        name: code.to_uppercase(),
        old_status: Some(old),
        new_status: Some(new),
    }
}

/// A minimal postmortem published at `at`.
pub fn published_postmortem(at: Timestamp) -> Postmortem {
    Postmortem {
        published_at: Some(at),
        summary: "s".into(),
        language: None,
        impact_window: None,
        sections: vec![],
        action_items: vec![],
        timeline: vec![],
        timeline_after: None,
        revision: None,
    }
}
