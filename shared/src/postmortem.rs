//! Postmortems (sitrep extension): what happened, why, and what changes.

use serde::{Deserialize, Serialize};

use crate::wire::{Timestamp, null_as_default};

/// A postmortem attached to an incident or maintenance; a draft until `published_at` is set.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Postmortem {
    /// When it was published; `None` while it is a draft.
    #[serde(default)]
    pub published_at: Option<Timestamp>,
    /// One or two sentences for lists and previews.
    #[serde(default)]
    pub summary: String,
    /// BCP 47 tag of the text's language.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// When users were affected, which may span more than the incident.
    #[serde(default)]
    pub impact_window: Option<ImpactWindow>,
    /// The body, in order; each section's body is in sitrep's safe Markdown subset.
    #[serde(default, deserialize_with = "null_as_default")]
    pub sections: Vec<Section>,
    /// Follow-up work and whether it is done.
    #[serde(default, deserialize_with = "null_as_default")]
    pub action_items: Vec<ActionItem>,
    /// Key moments, oldest first, each with the precision the source gives.
    #[serde(default, deserialize_with = "null_as_default")]
    pub timeline: Vec<TimelineEntry>,
    /// Where the author put the timeline: after this many sections (none: after them all).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeline_after: Option<u32>,
    /// A revision written after publication: private (never in a public document, feed or event)
    /// until it is published, when it replaces the text readers see. Never nested.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision: Option<Box<Postmortem>>,
}

impl Postmortem {
    /// The sections before the timeline and those after it, in the author's order.
    pub fn around_timeline(&self) -> (&[Section], &[Section]) {
        let at = self.timeline_after.map_or(self.sections.len(), |n| (n as usize).min(self.sections.len()));
        self.sections.split_at(at)
    }

    /// Whether readers may see it at `now`: published, and not scheduled for later. A draft
    /// (`published_at` unset) never is.
    pub fn is_public_at(&self, now: Timestamp) -> bool {
        self.published_at.is_some_and(|at| at <= now)
    }
}

/// The span during which users were affected.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ImpactWindow {
    /// First moment of impact.
    pub start: Timestamp,
    /// Last moment of impact.
    pub end: Timestamp,
}

/// A titled part of the postmortem.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Section {
    /// Heading.
    #[cfg_attr(feature = "schema", schemars(pattern(r"\S")))]
    pub title: String,
    /// Safe Markdown subset (see [`crate::markdown`]).
    #[serde(default)]
    pub body: String,
}

/// A follow-up action.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ActionItem {
    /// What will be or was done.
    #[cfg_attr(feature = "schema", schemars(pattern(r"\S")))]
    pub text: String,
    /// Whether it is done.
    #[serde(default)]
    pub done: bool,
}

/// How exactly a timeline entry's time is known, so nobody shows minutes the source never gave.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum Precision {
    /// Exact to the minute.
    #[default]
    Minute,
    /// Roughly, to the hour ("around 9pm").
    Hour,
    /// Only the day is known.
    Day,
    /// A value this version does not know; shown as a day.
    #[serde(other)]
    Unknown,
}

crate::wire::wire_names!(Precision { Minute => "minute", Hour => "hour", Day => "day" });

/// One moment in the postmortem's timeline.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct TimelineEntry {
    /// When it happened, to `precision`.
    pub at: Timestamp,
    /// How exactly `at` is known.
    #[serde(default)]
    pub precision: Precision,
    /// What happened.
    #[cfg_attr(feature = "schema", schemars(pattern(r"\S")))]
    pub text: String,
}
