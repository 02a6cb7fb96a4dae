//! Incidents and scheduled maintenances, and their updates.
//!
//! Statuspage keeps both in one shape: a maintenance is an incident with a window
//! (`scheduled_for`, `scheduled_until`), maintenance statuses and usually `impact: maintenance`.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::component::{Component, ComponentStatus};
use crate::postmortem::Postmortem;
use crate::wire::{ComponentId, IncidentId, PageId, Timestamp, UpdateId, is_false, null_as_default, wire_names};

/// Which list an event belongs to, and so which lifecycle its statuses follow.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// investigating, identified, monitoring, resolved (postmortem after resolved).
    Incident,
    /// scheduled, in_progress, verifying, completed.
    Maintenance,
}

/// Lifecycle status of an incident (first five) or a scheduled maintenance (next four).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum IncidentStatus {
    /// Looking into it.
    #[default]
    Investigating,
    /// Cause found.
    Identified,
    /// Fix applied, watching.
    Monitoring,
    /// Over.
    Resolved,
    /// Over, and the postmortem is published.
    Postmortem,
    /// Maintenance announced.
    Scheduled,
    /// Maintenance under way.
    InProgress,
    /// Maintenance done, checking.
    Verifying,
    /// Maintenance over.
    Completed,
    /// A value this version does not know; treated as still open.
    #[serde(other)]
    Unknown,
}

wire_names!(IncidentStatus {
    Investigating => "investigating", Identified => "identified", Monitoring => "monitoring", Resolved => "resolved",
    Postmortem => "postmortem", Scheduled => "scheduled", InProgress => "in_progress", Verifying => "verifying",
    Completed => "completed",
});

wire_names!(Impact { None => "none", Minor => "minor", Major => "major", Critical => "critical", Maintenance => "maintenance" });

impl IncidentStatus {
    /// The wire spelling, for messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Investigating => "investigating",
            Self::Identified => "identified",
            Self::Monitoring => "monitoring",
            Self::Resolved => "resolved",
            Self::Postmortem => "postmortem",
            Self::Scheduled => "scheduled",
            Self::InProgress => "in_progress",
            Self::Verifying => "verifying",
            Self::Completed => "completed",
            Self::Unknown => "unknown",
        }
    }

    /// Closed statuses: nothing is happening any more.
    pub fn is_closed(self) -> bool {
        matches!(self, Self::Resolved | Self::Postmortem | Self::Completed)
    }

    /// Statuses only a scheduled maintenance takes.
    pub fn is_maintenance_status(self) -> bool {
        matches!(self, Self::Scheduled | Self::InProgress | Self::Verifying | Self::Completed)
    }

    /// Statuses only an incident takes.
    pub fn is_incident_status(self) -> bool {
        matches!(self, Self::Investigating | Self::Identified | Self::Monitoring | Self::Resolved | Self::Postmortem)
    }
}

/// How bad an incident is; `maintenance` is for scheduled work.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum Impact {
    /// No visible impact.
    #[default]
    None,
    /// Some users notice.
    Minor,
    /// Many users are affected.
    Major,
    /// The product is unusable.
    Critical,
    /// Planned work.
    Maintenance,
    /// A value this version does not know; treated as at least minor.
    #[serde(other)]
    Unknown,
}

/// A component whose status an update changed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AffectedComponent {
    /// The component's id (absent in some old Statuspage payloads).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<ComponentId>,
    /// The component's name at the time.
    #[serde(default)]
    pub name: String,
    /// Status before the update.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old_status: Option<ComponentStatus>,
    /// Status after the update.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_status: Option<ComponentStatus>,
}

/// One posted update of an incident or maintenance.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct IncidentUpdate {
    /// Unique within the page.
    pub id: UpdateId,
    /// The incident or maintenance it belongs to.
    #[serde(default)]
    pub incident_id: IncidentId,
    /// Status the update moved the incident to.
    #[serde(default)]
    pub status: IncidentStatus,
    /// Plain text, shown as text, never as HTML.
    #[serde(default)]
    pub body: String,
    /// When it was posted.
    pub created_at: Timestamp,
    /// When it was last edited.
    pub updated_at: Timestamp,
    /// When it should be shown as posted (Statuspage lets operators backdate).
    #[serde(default)]
    pub display_at: Option<Timestamp>,
    /// Component status changes this update made.
    #[serde(default, deserialize_with = "null_as_default")]
    pub affected_components: Vec<AffectedComponent>,
    /// BCP 47 tag of the body's language, when it differs from the reader's guess (sitrep extension).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// Set on the update that explicitly reopens a closed incident (sitrep extension).
    #[serde(default, skip_serializing_if = "is_false")]
    pub reopened: bool,
    /// When an operator last fixed its text (sitrep extension): readers see it marked as edited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edited_at: Option<Timestamp>,
}

impl IncidentUpdate {
    /// When readers should see the update as posted.
    pub fn shown_at(&self) -> Timestamp {
        self.display_at.unwrap_or(self.created_at)
    }
}

/// An incident, or with a window a scheduled maintenance.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Incident {
    /// Unique within the page.
    pub id: IncidentId,
    /// The page it belongs to.
    #[serde(default)]
    pub page_id: PageId,
    /// Title shown to end users.
    pub name: String,
    /// Current lifecycle status.
    #[serde(default)]
    pub status: IncidentStatus,
    /// Current impact.
    #[serde(default)]
    pub impact: Impact,
    /// When the impact began (absent in old payloads).
    #[serde(default)]
    pub started_at: Option<Timestamp>,
    /// When it was opened.
    pub created_at: Timestamp,
    /// When it last changed.
    pub updated_at: Timestamp,
    /// When it entered monitoring.
    #[serde(default)]
    pub monitoring_at: Option<Timestamp>,
    /// When it was resolved or completed.
    #[serde(default)]
    pub resolved_at: Option<Timestamp>,
    /// Short public link.
    #[serde(default)]
    pub shortlink: Option<String>,
    /// Updates, newest first.
    #[serde(default, deserialize_with = "null_as_default")]
    pub incident_updates: Vec<IncidentUpdate>,
    /// Components it touches.
    #[serde(default, deserialize_with = "null_as_default")]
    pub components: Vec<Component>,
    /// Start of the maintenance window (maintenance only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheduled_for: Option<Timestamp>,
    /// End of the maintenance window (maintenance only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheduled_until: Option<Timestamp>,
    /// The published or draft postmortem (sitrep extension).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postmortem: Option<Postmortem>,
    /// When a maintenance was called off (sitrep extension). Its status is `completed`, which every
    /// Statuspage client understands; sitrep's own surfaces say "cancelled".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancelled_at: Option<Timestamp>,
    /// Whether the store moves this maintenance to `in_progress` when its window opens and to
    /// `completed` when it closes, with its components (Statuspage's auto-transition; sitrep extension).
    #[serde(default, skip_serializing_if = "is_false")]
    pub auto_transition: bool,
}

impl Incident {
    /// Whether this is a scheduled maintenance rather than an incident.
    pub fn is_maintenance(&self) -> bool {
        self.scheduled_for.is_some() || self.status.is_maintenance_status()
    }

    /// The newest update, if any; of updates posted in the same instant, the one listed first
    /// (updates are newest first).
    pub fn latest_update(&self) -> Option<&IncidentUpdate> {
        self.incident_updates.iter().rev().max_by_key(|update| (update.created_at, update.shown_at()))
    }

    /// Whether it touches the component, through its component list or an update.
    pub fn touches(&self, component: &ComponentId) -> bool {
        self.components.iter().any(|c| &c.id == component)
            || self
                .incident_updates
                .iter()
                .flat_map(|u| &u.affected_components)
                .any(|a| a.code.as_ref() == Some(component))
    }

    /// Every component it touched, through its component list or an update, each once, in first-seen order.
    pub fn touched_components(&self) -> Vec<ComponentId> {
        let listed = self.components.iter().map(|c| &c.id);
        let affected =
            self.incident_updates.iter().flat_map(|u| &u.affected_components).filter_map(|a| a.code.as_ref());
        let mut ids: Vec<ComponentId> = Vec::new();
        for id in listed.chain(affected) {
            if !ids.contains(id) {
                ids.push(id.clone());
            }
        }
        ids
    }

    /// The published postmortem, if any.
    pub fn published_postmortem(&self) -> Option<&Postmortem> {
        self.postmortem.as_ref().filter(|p| p.published_at.is_some())
    }

    /// The incident as the public may see it at `now`: its postmortem leaves the store only once
    /// published (`published_at <= now`), and a revision of it only once that is published. Every public document goes through this; the admin side
    /// reads the stored incident itself. Borrows unless a draft has to be left out.
    pub fn public_at(&self, now: Timestamp) -> Cow<'_, Incident> {
        match &self.postmortem {
            Some(postmortem) if !postmortem.is_public_at(now) => {
                Cow::Owned(Incident { postmortem: None, ..self.clone() })
            }
            // A revision of a published postmortem stays private until it is published.
            Some(postmortem) if postmortem.revision.is_some() => {
                let public = crate::postmortem::Postmortem { revision: None, ..postmortem.clone() };
                Cow::Owned(Incident { postmortem: Some(public), ..self.clone() })
            }
            _ => Cow::Borrowed(self),
        }
    }

    /// The latest instant anything about it was posted: an update (as shown), an edit, a postmortem.
    pub fn last_activity(&self) -> Timestamp {
        let updates = self.incident_updates.iter().map(|u| u.shown_at().max(u.updated_at));
        let postmortem = self.postmortem.as_ref().and_then(|p| p.published_at);
        updates.chain(postmortem).fold(self.updated_at.max(self.created_at), Timestamp::max)
    }
}
