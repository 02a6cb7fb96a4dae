//! Components and component groups.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::wire::{ComponentId, PageId, Timestamp, null_as_default, wire_names};

/// A component's health, in Statuspage's spelling.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum ComponentStatus {
    /// Working normally.
    #[default]
    Operational,
    /// Slow or flaky.
    DegradedPerformance,
    /// Down for some users.
    PartialOutage,
    /// Down for everyone.
    MajorOutage,
    /// Planned work in progress.
    UnderMaintenance,
    /// A value this version does not know; treated as not operational.
    #[serde(other)]
    Unknown,
}

wire_names!(ComponentStatus {
    Operational => "operational", DegradedPerformance => "degraded_performance", PartialOutage => "partial_outage",
    MajorOutage => "major_outage", UnderMaintenance => "under_maintenance",
});

impl ComponentStatus {
    /// Whether the component is known to be fully working.
    pub fn is_operational(self) -> bool {
        self == Self::Operational
    }
}

/// A component or, with `group: true`, a group listing its children in `components`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Component {
    /// Unique within the page.
    pub id: ComponentId,
    /// The page this component belongs to.
    #[serde(default)]
    pub page_id: PageId,
    /// Shown to end users.
    pub name: String,
    /// Optional one-line explanation.
    #[serde(default)]
    pub description: Option<String>,
    /// Current health.
    #[serde(default)]
    pub status: ComponentStatus,
    /// Display order among siblings.
    #[serde(default)]
    pub position: i64,
    /// The group this component belongs to, if any.
    #[serde(default)]
    pub group_id: Option<ComponentId>,
    /// True for a group.
    #[serde(default)]
    pub group: bool,
    /// Hidden while operational.
    #[serde(default)]
    pub only_show_if_degraded: bool,
    /// Shown on the public page.
    #[serde(default)]
    pub showcase: bool,
    /// First day uptime is counted from.
    #[serde(default, with = "crate::wire::date::optional")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<NaiveDate>"))]
    pub start_date: Option<NaiveDate>,
    /// When the component was created.
    pub created_at: Timestamp,
    /// When it last changed.
    pub updated_at: Timestamp,
    /// Children ids, for a group only.
    #[serde(default, deserialize_with = "null_as_default", skip_serializing_if = "Vec::is_empty")]
    pub components: Vec<ComponentId>,
}
