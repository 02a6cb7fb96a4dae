//! Every read document the edge serves, rendered to bytes from the state at an instant, with the
//! instant until which the bytes stay true.
//!
//! Documents depend on `now` only through a few instants (a maintenance window opening, a
//! backdated update becoming visible, a postmortem's publication). [`next_change`] finds the first
//! of them, so a rendered document can be cached until then, or until the next write.

use serde::{Deserialize, Serialize};

use crate::badge;
use crate::feed;
use crate::page::PageState;
use crate::status;
use crate::uptime;
use crate::views;
use crate::wire::{IncidentId, Timestamp};

/// A read document.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Document {
    /// `summary.json`.
    Summary,
    /// `status.json`.
    Status,
    /// `components.json`.
    Components,
    /// `incidents.json`.
    Incidents,
    /// `incidents/unresolved.json`.
    Unresolved,
    /// `scheduled-maintenances.json`.
    Maintenances,
    /// `scheduled-maintenances/upcoming.json`.
    UpcomingMaintenances,
    /// `scheduled-maintenances/active.json`.
    ActiveMaintenances,
    /// `postmortems.json`.
    Postmortems,
    /// `incidents/{id}.json`.
    Incident(IncidentId),
    /// `badge.svg` with the default label.
    Badge,
    /// `history.atom`.
    Atom,
    /// `history.rss`.
    Rss,
    /// `feed.json`.
    JsonFeed,
    /// `uptime.json` (rendered on demand: it reads the whole history, so writes do not publish it).
    Uptime,
    /// Internal, never served: every incident and maintenance id, as a JSON array of strings, so
    /// the edge answers a request for an unknown id without asking the store.
    Ids,
}

/// How many postmortems `postmortems.json` lists.
pub const POSTMORTEM_LIMIT: usize = 10;

/// Every document with a fixed path, for publishing after a write.
pub const FIXED: [Document; 13] = [
    Document::Summary,
    Document::Status,
    Document::Components,
    Document::Incidents,
    Document::Unresolved,
    Document::Maintenances,
    Document::UpcomingMaintenances,
    Document::ActiveMaintenances,
    Document::Postmortems,
    Document::Badge,
    Document::Atom,
    Document::Rss,
    Document::JsonFeed,
];

/// A rendered document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rendered {
    /// The bytes to send.
    pub body: Vec<u8>,
    /// Their media type.
    pub content_type: &'static str,
    /// The first instant at which rendering again could give other bytes without a write.
    pub valid_until: Option<Timestamp>,
}

/// Why a document could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// The incident id names nothing on the page.
    #[error("no incident or maintenance with id {0:?}")]
    NotFound(String),
    /// Serialising failed (does not happen for sitrep's own types).
    #[error("cannot serialise the document: {0}")]
    Json(#[from] serde_json::Error),
}

impl Document {
    /// A short stable name, used as a cache and storage key.
    pub fn key(&self) -> String {
        match self {
            Self::Summary => "summary".into(),
            Self::Status => "status".into(),
            Self::Components => "components".into(),
            Self::Incidents => "incidents".into(),
            Self::Unresolved => "incidents-unresolved".into(),
            Self::Maintenances => "scheduled-maintenances".into(),
            Self::UpcomingMaintenances => "scheduled-maintenances-upcoming".into(),
            Self::ActiveMaintenances => "scheduled-maintenances-active".into(),
            Self::Postmortems => "postmortems".into(),
            Self::Incident(id) => format!("incident-{id}"),
            Self::Badge => "badge".into(),
            Self::Atom => "history-atom".into(),
            Self::Rss => "history-rss".into(),
            Self::JsonFeed => "feed".into(),
            Self::Uptime => "uptime".into(),
            Self::Ids => "ids".into(),
        }
    }

    /// The document back from [`Document::key`].
    pub fn from_key(key: &str) -> Option<Self> {
        if let Some(id) = key.strip_prefix("incident-") {
            return Some(Self::Incident(IncidentId::from(id)));
        }
        FIXED.iter().chain([&Self::Uptime, &Self::Ids]).find(|d| d.key() == key).cloned()
    }

    /// Its media type.
    pub fn content_type(&self) -> &'static str {
        match self {
            Self::Badge => "image/svg+xml; charset=utf-8",
            Self::Atom => "application/atom+xml; charset=utf-8",
            Self::Rss => "application/rss+xml; charset=utf-8",
            Self::JsonFeed => "application/feed+json; charset=utf-8",
            _ => "application/json; charset=utf-8",
        }
    }

    /// Renders the document at `now`; `base` is the origin links in feeds point at.
    pub fn render(&self, state: &PageState, now: Timestamp, base: &str) -> Result<Rendered, RenderError> {
        let body = match self {
            Self::Summary => json(&views::summary(state, now))?,
            Self::Status => json(&views::status(state, now))?,
            Self::Incidents => json(&views::incidents(state, now))?,
            Self::Unresolved => json(&views::unresolved(state, now))?,
            Self::Maintenances => json(&views::maintenances(state, now))?,
            Self::UpcomingMaintenances => json(&views::upcoming_maintenances(state, now))?,
            Self::ActiveMaintenances => json(&views::active_maintenances(state, now))?,
            Self::Postmortems => json(&views::postmortems(state, now, POSTMORTEM_LIMIT))?,
            Self::Incident(id) => {
                let doc = views::incident(state, id, now).ok_or_else(|| RenderError::NotFound(id.0.clone()))?;
                // Its own instants only: a window edge elsewhere on the page does not change it.
                let valid_until = state.find(id).and_then(|(_, event)| event_next_change(event, now));
                return Ok(Rendered { body: json(&doc)?, content_type: self.content_type(), valid_until });
            }
            Self::Components => {
                return Ok(Rendered {
                    body: json(&views::components(state))?,
                    content_type: self.content_type(),
                    valid_until: None,
                });
            }
            Self::Badge => badge::svg("status", &status::derive(state, now), false).into_bytes(),
            Self::Atom => feed::atom(state, &feed::entries(state, now, feed::FEED_LIMIT), base).into_bytes(),
            Self::Rss => feed::rss(state, &feed::entries(state, now, feed::FEED_LIMIT), base).into_bytes(),
            Self::JsonFeed => json(&feed::json_feed(state, &feed::entries(state, now, feed::FEED_LIMIT), base))?,
            // Every id, whatever `now`: an id the store knows is never answered 404 by the edge.
            Self::Ids => {
                let ids: Vec<&str> = state.incidents().chain(state.maintenances()).map(|e| e.id.0.as_str()).collect();
                return Ok(Rendered { body: json(&ids)?, content_type: self.content_type(), valid_until: None });
            }
            Self::Uptime => {
                let body = json(&uptime::document(state, now))?;
                let until = uptime::next_change(state, now);
                let valid_until = Some(next_change(state, now).map_or(until, |n| n.min(until)));
                return Ok(Rendered { body, content_type: self.content_type(), valid_until });
            }
        };
        Ok(Rendered { body, content_type: self.content_type(), valid_until: next_change(state, now) })
    }
}

fn json<T: Serialize>(value: &T) -> Result<Vec<u8>, serde_json::Error> {
    serde_json::to_vec(value)
}

/// The first instant after `now` at which one event's own page could change without a write: an
/// update becoming visible, its postmortem being published.
pub fn event_next_change(event: &crate::Incident, now: Timestamp) -> Option<Timestamp> {
    let updates = event.incident_updates.iter().map(|u| u.shown_at());
    let postmortem = event.postmortem.as_ref().and_then(|p| p.published_at);
    updates.chain(postmortem).chain([event.created_at]).filter(|at| *at > now).min()
}

/// The first instant after `now` at which some document could change without a write:
/// a maintenance window opening or closing, an incident or update becoming visible, a
/// postmortem being published. `None` when nothing is pending.
pub fn next_change(state: &PageState, now: Timestamp) -> Option<Timestamp> {
    let mut next: Option<Timestamp> = None;
    let mut consider = |at: Option<Timestamp>| {
        if let Some(at) = at.filter(|at| *at > now) {
            next = Some(next.map_or(at, |n| n.min(at)));
        }
    };
    for maintenance in state.open_maintenances() {
        consider(maintenance.scheduled_for);
        consider(maintenance.scheduled_until);
    }
    // Only events with activity after `now` can hold a future instant; they come first.
    for event in state.by_activity().take_while(|e| e.last_activity() > now) {
        consider(Some(event.created_at));
        for update in &event.incident_updates {
            consider(Some(update.shown_at()));
        }
        consider(event.postmortem.as_ref().and_then(|p| p.published_at));
    }
    next
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::incident::IncidentStatus::*;
    use crate::testing::{at, maintenance, page};

    #[test]
    fn keys_round_trip() {
        for doc in FIXED.iter().cloned().chain([
            Document::Incident(IncidentId::from("abc-1")),
            Document::Uptime,
            Document::Ids,
        ]) {
            assert_eq!(Document::from_key(&doc.key()), Some(doc));
        }
        assert_eq!(Document::from_key("nope"), None);
    }

    #[test]
    fn documents_stay_valid_until_the_next_window_edge() {
        let mut data = page();
        data.scheduled_maintenances.push(maintenance("m", 0, (60, 120), &[Scheduled]));
        let state = PageState::new(data);
        let before = Document::Summary.render(&state, at(30), "http://x").unwrap();
        assert_eq!(before.valid_until, Some(at(60)));
        let during = Document::Summary.render(&state, at(90), "http://x").unwrap();
        assert_eq!(during.valid_until, Some(at(120)));
        assert_ne!(before.body, during.body, "the window opening changes the summary");
        let same = Document::Summary.render(&state, at(59), "http://x").unwrap();
        assert_eq!(before.body, same.body, "nothing changes before the next instant");
        assert_eq!(Document::Summary.render(&state, at(200), "http://x").unwrap().valid_until, None);
    }

    #[test]
    fn uptime_is_true_until_midnight_or_for_a_minute_while_something_is_down() {
        let mut data = page();
        let state = PageState::new(data.clone());
        let rendered = Document::Uptime.render(&state, at(30), "http://x").unwrap();
        assert_eq!(rendered.valid_until, Some(at(24 * 60)), "the next UTC midnight");
        data.components[0].status = crate::component::ComponentStatus::MajorOutage;
        let state = PageState::new(data);
        assert_eq!(Document::Uptime.render(&state, at(30), "http://x").unwrap().valid_until, Some(at(31)));
    }

    #[test]
    fn unknown_incident_is_not_found() {
        let state = PageState::new(page());
        assert!(matches!(
            Document::Incident(IncidentId::from("x")).render(&state, at(0), "http://x"),
            Err(RenderError::NotFound(_))
        ));
    }

    /// A postmortem whose every text field carries `marker`.
    fn marked(marker: &str, published_at: Option<Timestamp>) -> crate::postmortem::Postmortem {
        use crate::postmortem::{ActionItem, ImpactWindow, Postmortem, Precision, Section, TimelineEntry};
        Postmortem {
            published_at,
            summary: format!("summary {marker}"),
            language: Some("en".into()),
            impact_window: Some(ImpactWindow { start: at(1), end: at(2) }),
            sections: vec![Section { title: format!("title {marker}"), body: format!("body {marker}") }],
            action_items: vec![ActionItem { text: format!("item {marker}"), done: false }],
            timeline: vec![TimelineEntry { at: at(1), precision: Precision::Minute, text: format!("moment {marker}") }],
            timeline_after: None,
            revision: None,
        }
    }

    #[test]
    fn a_draft_is_in_no_public_document() {
        let mut data = page();
        let mut open = crate::testing::incident("open", crate::Impact::Major, 10, &[Investigating]);
        open.postmortem = Some(marked("DRAFTMARK", None));
        data.incidents.push(open);
        // Review 2, finding 14: a revision of a published postmortem is as private as a draft
        // (`postmortems.json` carried it before it was published).
        let mut done = crate::testing::incident("done", crate::Impact::Major, 10, &[Investigating, Resolved]);
        let mut published = marked("PUBLISHEDMARK", Some(at(15)));
        published.revision = Some(Box::new(marked("REVISIONMARK", None)));
        done.postmortem = Some(published);
        data.incidents.push(done);
        let state = PageState::new(data);
        let all = FIXED.iter().cloned().chain([
            Document::Uptime,
            Document::Incident(IncidentId::from("open")),
            Document::Incident(IncidentId::from("done")),
        ]);
        let mut everything = String::new();
        for doc in all {
            let body = doc.render(&state, at(20), "http://x").unwrap().body;
            let body = String::from_utf8_lossy(&body);
            assert!(!body.contains("DRAFTMARK"), "{doc:?} shows the draft");
            assert!(!body.contains("REVISIONMARK"), "{doc:?} shows the revision");
            everything.push_str(&body);
        }
        assert!(everything.contains("PUBLISHEDMARK"), "the published text is public");
    }

    #[cfg(not(target_arch = "wasm32"))]
    mod drafts {
        use proptest::prelude::*;

        use super::*;

        /// One event: minute it starts, maintenance or not, whether it is over, and its postmortem
        /// (none, a draft, or published at a minute).
        fn event() -> impl Strategy<Value = (i64, bool, bool, Option<Option<i64>>)> {
            (0i64..300, any::<bool>(), any::<bool>(), prop::option::of(prop::option::of(0i64..600)))
        }

        proptest! {
            /// Private until published: at any instant, no public document of any kind contains
            /// the text of a postmortem that is a draft or published later.
            #[test]
            fn no_public_document_shows_an_unpublished_postmortem(
                events in prop::collection::vec(event(), 1..10),
                now in 0i64..700,
            ) {
                let mut data = page();
                let mut hidden = Vec::new();
                let mut shown = Vec::new();
                for (n, (start, is_maintenance, over, postmortem)) in events.into_iter().enumerate() {
                    let id = format!("e{n}");
                    let mut event = if is_maintenance {
                        let statuses: &[_] = if over { &[Scheduled, InProgress, Completed] } else { &[Scheduled] };
                        maintenance(&id, start, (start + 5, start + 60), statuses)
                    } else {
                        let statuses: &[_] = if over { &[Investigating, Resolved] } else { &[Investigating] };
                        crate::testing::incident(&id, crate::Impact::Minor, start, statuses)
                    };
                    if let Some(published) = postmortem {
                        let marker = format!("MARK{n}Q");
                        let published = published.map(at);
                        if published.is_some_and(|p| p <= at(now)) {
                            shown.push((id.clone(), marker.clone()));
                        } else {
                            hidden.push(marker.clone());
                        }
                        let mut postmortem = marked(&marker, published);
                        // Every published one also has a revision nobody may see.
                        let revision = format!("REV{n}Q");
                        hidden.push(revision.clone());
                        postmortem.revision = Some(Box::new(marked(&revision, None)));
                        event.postmortem = Some(postmortem);
                    }
                    if is_maintenance {
                        data.scheduled_maintenances.push(event);
                    } else {
                        data.incidents.push(event);
                    }
                }
                let ids: Vec<String> = data.incidents.iter().chain(&data.scheduled_maintenances).map(|e| e.id.0.clone()).collect();
                let state = PageState::new(data);
                let docs = FIXED.iter().cloned().chain([Document::Uptime]).chain(ids.into_iter().map(|id| Document::Incident(id.as_str().into())));
                let mut everything = String::new();
                for doc in docs {
                    let body = doc.render(&state, at(now), "http://x").unwrap().body;
                    everything.push_str(&String::from_utf8_lossy(&body));
                }
                for marker in &hidden {
                    prop_assert!(!everything.contains(marker.as_str()), "{} leaked", marker);
                }
                // A published one is public: its own page shows it.
                for (id, marker) in &shown {
                    let body = Document::Incident(id.as_str().into()).render(&state, at(now), "http://x").unwrap().body;
                    prop_assert!(String::from_utf8_lossy(&body).contains(marker.as_str()));
                }
            }
        }
    }
}
