//! What publication owes KV and the rules of its runs, pure: the store's alarm (`alarm`) applies them.

use serde::{Deserialize, Serialize};
use sitrep_shared::document::{Document, FIXED};
use sitrep_shared::{IncidentId, PageState};

use crate::copy::Doc;

/// Storage key of what publication still owes KV.
pub const PENDING_KEY: &str = "publish/pending";
/// Storage key of the namespace (`copy::COPIES`) the store last published everything under: when
/// it differs, the store publishes everything again (copies of an older namespace are never read).
pub const EPOCH_KEY: &str = "publish/epoch";
/// The shortest time between two runs (KV takes about one write per second per key).
pub const MIN_INTERVAL_MS: u64 = 1_000;
/// The longest wait between two attempts while KV fails.
pub const MAX_BACKOFF_MS: u64 = 10_000;
/// Past this many touched incidents, a run publishes every incident page instead of a list.
const MAX_LISTED: usize = 500;
/// How often publication says it is alive (`copy::heartbeat_key` in KV) while it has nothing to write:
/// readers take a KV copy as fresh only while the heartbeat is younger than `read::STALE_AFTER_MS`.
/// (Two seconds in test builds, so a test sees several runs.)
pub const HEARTBEAT_MS: u64 = if cfg!(feature = "fault-injection") { 2_000 } else { 60_000 };

/// Whether a run renders the documents: only when a write owes KV something, when a document's
/// `valid_until` has passed (a window edge), or on an instance's first run (what it wrote and when
/// the next edge comes were in the memory of the one before). Otherwise a run (a delivery's
/// wake-up, the heartbeat) renders nothing.
pub fn must_render(pending: bool, next_change: Option<u64>, first_run: bool, now: u64) -> bool {
    pending || first_run || next_change.is_some_and(|at| at <= now)
}

/// When the next run is due on its own: the next document edge or the heartbeat, whichever is first.
pub fn next_run_in(now: u64, next_change: Option<u64>, last_beat: u64) -> u64 {
    let beat = (last_beat + HEARTBEAT_MS).saturating_sub(now);
    next_change.map_or(beat, |at| at.saturating_sub(now).min(beat))
}

/// What publication owes KV: everything at `version`, and the pages of these incidents.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pending {
    /// The newest committed version.
    pub version: u64,
    /// Incidents whose own page changed since the last complete run.
    #[serde(default)]
    pub incidents: Vec<IncidentId>,
    /// Every incident page (after an import, or when the list grew too long).
    #[serde(default)]
    pub all: bool,
    /// Incidents deleted since the last complete run: their copies in KV are removed, so no
    /// isolate's refresh can find one again.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub removed: Vec<IncidentId>,
}

impl Pending {
    /// Adds a write at `version` touching `incidents` (`all` for every one) to what is owed.
    pub fn merge(mut self, version: u64, incidents: impl IntoIterator<Item = IncidentId>, all: bool) -> Self {
        self.version = self.version.max(version);
        self.all |= all;
        for id in incidents {
            if !self.incidents.contains(&id) {
                self.incidents.push(id);
            }
        }
        if self.all || self.incidents.len() > MAX_LISTED {
            self.all = true;
            self.incidents.clear();
        }
        self
    }

    /// Adds incidents a write deleted: their pages are owed no more, and their copies go.
    pub fn removing(mut self, ids: impl IntoIterator<Item = IncidentId>) -> Self {
        for id in ids {
            self.incidents.retain(|i| *i != id);
            if !self.removed.contains(&id) {
                self.removed.push(id);
            }
        }
        self
    }

    /// The deleted incidents whose copies a run removes (not one the page has again).
    pub fn gone(&self, state: &PageState) -> Vec<Document> {
        self.removed.iter().filter(|id| state.find(id).is_none()).cloned().map(Document::Incident).collect()
    }

    /// The documents a run writes, most needed first: the id list (other isolates answer 404 for
    /// an incident until it is there), the incident pages owed, every fixed document, uptime.
    pub fn documents(&self, state: &PageState) -> Vec<Document> {
        let mut docs = vec![Document::Ids];
        let ids: Vec<IncidentId> = if self.all {
            state.incidents().chain(state.maintenances()).map(|e| e.id.clone()).collect()
        } else {
            self.incidents.iter().filter(|id| state.find(id).is_some()).cloned().collect()
        };
        docs.extend(ids.into_iter().map(Document::Incident));
        docs.extend(FIXED);
        docs.push(Document::Uptime);
        docs
    }
}

/// How long to wait before attempt `attempt + 1` after `attempt` failed runs: doubling from a
/// second, capped at [`MAX_BACKOFF_MS`].
pub fn backoff_ms(attempt: u32) -> u64 {
    MIN_INTERVAL_MS.saturating_mul(1 << attempt.min(10)).min(MAX_BACKOFF_MS)
}

/// How long from `now` until the next run may start, given when the last one started.
pub fn delay_ms(now: u64, last_run: Option<u64>) -> u64 {
    last_run.map_or(0, |last| (last + MIN_INTERVAL_MS).saturating_sub(now))
}

/// What this store last wrote under a KV key: version, ETag and `valid_until`.
pub type Written = (u64, String, Option<u64>);

/// Whether a document still has to be written, given what this store last wrote under its key:
/// never an older version over a newer one; at the same version only other bytes or another
/// `valid_until` (a window edge passed: a copy whose instant has passed would send every reader
/// to the store). Equal bytes at a newer version are written too: readers compare versions
/// (read-your-writes).
pub fn needs_write(last: Option<&Written>, doc: &Doc) -> bool {
    last.is_none_or(|(version, etag, until)| {
        doc.version > *version || (doc.version == *version && (*etag != doc.etag || *until != doc.valid_until))
    })
}

/// The publication state a store keeps in memory (lost on eviction; `publish/pending` is not).
#[derive(Debug, Default)]
pub struct Publication {
    /// When the last run started (ms).
    pub last_run: std::cell::Cell<Option<u64>>,
    /// When the alarm is set for, if this store set it.
    pub alarm_at: std::cell::Cell<Option<u64>>,
    /// A run is under way.
    pub running: std::cell::Cell<bool>,
    /// Failed runs in a row.
    pub attempts: std::cell::Cell<u32>,
    /// The newest version every owed document reached.
    pub published: std::cell::Cell<u64>,
    /// The first instant a published document stops being true (ms), if any.
    pub next_change: std::cell::Cell<Option<u64>>,
    /// Whether this instance has rendered and published once (see [`must_render`]).
    pub rendered: std::cell::Cell<bool>,
    /// Runs that rendered the documents (test builds report it).
    pub renders: std::cell::Cell<u64>,
    /// Heartbeats this instance wrote (test builds report it).
    pub beats: std::cell::Cell<u64>,
    /// When this instance last wrote the heartbeat (ms; 0 for never).
    pub last_beat: std::cell::Cell<u64>,
    /// Per KV key, what this store last wrote there.
    pub written: std::cell::RefCell<std::collections::HashMap<String, Written>>,
    /// Test builds: KV writes fail until this instant (ms).
    #[cfg(feature = "fault-injection")]
    pub kv_fails_until: std::cell::Cell<u64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_a_second_to_ten() {
        let waits: Vec<u64> = (0..6).map(backoff_ms).collect();
        assert_eq!(waits, [1_000, 2_000, 4_000, 8_000, 10_000, 10_000]);
        assert_eq!(backoff_ms(u32::MAX), MAX_BACKOFF_MS);
    }

    /// Review 2, finding 4: every alarm (a delivery wake-up, about once a second while deliveries
    /// flow) rendered all 13 documents and the uptime over the whole history.
    #[test]
    fn a_run_renders_only_what_is_owed_or_due() {
        assert!(!must_render(false, None, false, 5_000), "nothing owed, nothing due");
        assert!(!must_render(false, Some(5_001), false, 5_000), "the window edge is still ahead");
        assert!(must_render(false, Some(5_000), false, 5_000), "a window edge passed");
        assert!(must_render(true, None, false, 5_000), "a write owes KV");
        assert!(must_render(false, None, true, 5_000), "a new instance knows nothing of KV");
    }

    #[test]
    fn the_next_run_is_the_next_edge_or_the_heartbeat() {
        assert_eq!(next_run_in(10_000, None, 10_000), HEARTBEAT_MS);
        assert_eq!(next_run_in(10_000, Some(12_000), 10_000), 2_000);
        assert_eq!(next_run_in(10_000 + HEARTBEAT_MS + 5, Some(u64::MAX), 10_000), 0);
    }

    #[test]
    fn runs_are_a_second_apart() {
        assert_eq!(delay_ms(5_000, None), 0);
        assert_eq!(delay_ms(5_000, Some(4_500)), 500);
        assert_eq!(delay_ms(5_000, Some(3_000)), 0);
    }

    fn doc(version: u64, etag: &str, valid_until: Option<u64>) -> Doc {
        Doc {
            body: vec![],
            etag: etag.into(),
            content_type: String::new(),
            valid_until,
            version,
            js: Default::default(),
        }
    }

    #[test]
    fn an_older_version_never_replaces_a_newer_one() {
        let written: Written = (7, "b".to_owned(), Some(100));
        assert!(needs_write(None, &doc(1, "a", None)));
        assert!(needs_write(Some(&written), &doc(8, "b", Some(100))), "a newer version, even with the same bytes");
        assert!(!needs_write(Some(&written), &doc(6, "c", None)), "older");
        assert!(!needs_write(Some(&written), &doc(7, "b", Some(100))), "the same again");
        assert!(needs_write(Some(&written), &doc(7, "c", Some(100))), "the same version later in time");
        assert!(needs_write(Some(&written), &doc(7, "b", Some(200))), "the same bytes true for longer");
    }

    #[test]
    fn a_deleted_incident_is_owed_no_page_and_its_copy_goes() {
        let pending = Pending::default().merge(3, [IncidentId::from("a"), IncidentId::from("b")], false);
        let pending = pending.removing([IncidentId::from("a")]);
        assert_eq!(pending.incidents, vec![IncidentId::from("b")]);
        assert_eq!(pending.removed, vec![IncidentId::from("a")]);
        let state = PageState::new(sitrep_shared::PageData {
            page: sitrep_shared::Page {
                id: "p".into(),
                name: "P".into(),
                url: String::new(),
                time_zone: "Etc/UTC".into(),
                updated_at: sitrep_shared::Timestamp::parse("2024-01-01T00:00:00Z").unwrap(),
            },
            components: vec![],
            incidents: vec![],
            scheduled_maintenances: vec![],
        });
        assert_eq!(pending.gone(&state), vec![Document::Incident(IncidentId::from("a"))]);
    }

    #[test]
    fn pending_merges_and_falls_back_to_every_page() {
        let pending = Pending::default().merge(3, ["a".into()], false).merge(2, ["b".into(), "a".into()], false);
        assert_eq!(pending.version, 3);
        assert_eq!(pending.incidents, vec![IncidentId::from("a"), IncidentId::from("b")]);
        let many = (0..=MAX_LISTED).map(|n| IncidentId::from(format!("i{n}").as_str()));
        let pending = pending.merge(4, many, false);
        assert!(pending.all && pending.incidents.is_empty());
    }
}
