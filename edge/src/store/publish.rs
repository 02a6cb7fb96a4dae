//! Publication: the store's own durable, retried step that brings every public document in KV to
//! the newest version. Only the store writes KV; readers never do.
//!
//! A write records what it owes KV (`publish/pending`) in the same transaction as its commit and
//! sets the Durable Object's alarm; its answer never waits for KV. The alarm renders the current
//! state (so a burst of writes is published once, at its newest version), writes each document
//! whose bytes changed, and on any failure keeps what is pending and tries again with backoff.
//! Runs are at least [`MIN_INTERVAL_MS`] apart, so no KV key is written more than once a second,
//! and never overlap, so a version in KV only ever goes up: every run renders the newest state,
//! which has the highest version so far.

use serde::{Deserialize, Serialize};
use sitrep_shared::document::{Document, FIXED};
use sitrep_shared::{IncidentId, PageState};

use super::PageStore;
use crate::error::EdgeError;
use crate::read::{self, Doc};

/// Storage key of what publication still owes KV.
pub const PENDING_KEY: &str = "publish/pending";
/// Storage key of the namespace (`read::COPIES`) the store last published everything under: when
/// it differs, the store publishes everything again (copies of an older namespace are never read).
pub const EPOCH_KEY: &str = "publish/epoch";
/// The shortest time between two runs (KV takes about one write per second per key).
pub const MIN_INTERVAL_MS: u64 = 1_000;
/// The longest wait between two attempts while KV fails.
pub const MAX_BACKOFF_MS: u64 = 10_000;
/// Past this many touched incidents, a run publishes every incident page instead of a list.
const MAX_LISTED: usize = 500;

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

impl PageStore {
    /// What `publish/pending` holds, if anything.
    pub(super) async fn stored_pending(&self) -> Result<Option<Pending>, EdgeError> {
        match self.state.storage().get::<String>(PENDING_KEY).await? {
            Some(text) => Ok(Some(super::layout::from_json(&text)?)),
            None => Ok(None),
        }
    }

    /// Sets the alarm for the next run (no earlier than a second after the last one started).
    /// Best effort: a write has committed whatever this does; on failure the next request retries.
    pub(super) async fn schedule(&self, extra_ms: u64) {
        let now = read::now_ms();
        let delay = delay_ms(now, self.publication.last_run.get()).max(extra_ms);
        let at = now + delay;
        if self.publication.alarm_at.get().is_some_and(|set| set <= at) {
            return;
        }
        match self.state.storage().set_alarm(delay as i64).await {
            Ok(()) => self.publication.alarm_at.set(Some(at)),
            Err(_) => self.publication.alarm_at.set(None),
        }
    }

    /// One run of publication, from the alarm. Failures are retried here with backoff, so the
    /// alarm itself always succeeds.
    pub(super) async fn publish(&self) {
        self.publication.alarm_at.set(None);
        if self.publication.running.replace(true) {
            self.schedule(MIN_INTERVAL_MS).await;
            return;
        }
        self.publication.last_run.set(Some(read::now_ms()));
        let outcome = self.publish_once().await;
        self.publication.running.set(false);
        match outcome {
            Ok(true) => {
                self.publication.attempts.set(0);
                // The next instant a document changes without a write (a window edge).
                if let Some(at) = self.publication.next_change.get() {
                    self.schedule(at.saturating_sub(read::now_ms())).await;
                }
            }
            Ok(false) => {
                // A write came in during the run: publish it next.
                self.publication.attempts.set(0);
                self.schedule(MIN_INTERVAL_MS).await;
            }
            Err(_) => {
                let attempt = self.publication.attempts.get();
                self.publication.attempts.set(attempt.saturating_add(1));
                self.schedule(backoff_ms(attempt)).await;
            }
        }
    }

    /// Writes what is owed (with no write pending, the fixed documents again: a maintenance
    /// window edge changes them without a write); `Ok(true)` when nothing is owed any more.
    async fn publish_once(&self) -> Result<bool, EdgeError> {
        let stored = self.stored_pending().await?;
        let pending = stored.clone().unwrap_or_default();
        let loaded = match self.load().await {
            Err(EdgeError::NotLoaded) => return Ok(true),
            other => other?,
        };
        // Each document on its own: one that cannot be rendered or written does not hold back the rest.
        let docs: Vec<(String, Result<Doc, EdgeError>)> =
            pending.documents(&loaded.page).iter().map(|doc| (doc.key(), super::render(&loaded, doc))).collect();
        drop(loaded);
        let kv = self.env.kv(crate::KV_BINDING)?;
        let mut next_change: Option<u64> = None;
        let mut failed = None;
        for (key, doc) in docs {
            let doc = match doc {
                Ok(doc) => doc,
                Err(err) => {
                    failed.get_or_insert(err);
                    continue;
                }
            };
            next_change = next_change.into_iter().chain(doc.valid_until).min();
            let last = self.publication.written.borrow().get(&key).cloned();
            if !needs_write(last.as_ref(), &doc) {
                continue;
            }
            #[cfg(feature = "fault-injection")]
            if read::now_ms() < self.publication.kv_fails_until.get() {
                failed.get_or_insert(EdgeError::Internal("KV writes fail (test switch)".into()));
                continue;
            }
            match read::kv_put(&kv, &key, &doc).await {
                Ok(()) => {
                    let written = (doc.version, doc.etag, doc.valid_until);
                    self.publication.written.borrow_mut().insert(key, written);
                }
                Err(err) => {
                    failed.get_or_insert(err);
                }
            }
        }
        self.publication.next_change.set(next_change);
        if let Some(err) = failed {
            return Err(err);
        }
        // Done with what was owed at the start; a write during the run owes more.
        if self.stored_pending().await? != stored {
            return Ok(false);
        }
        if stored.is_some() {
            self.state.storage().delete(PENDING_KEY).await?;
        }
        self.publication.published.set(self.publication.published.get().max(pending.version));
        Ok(true)
    }
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
    fn pending_merges_and_falls_back_to_every_page() {
        let pending = Pending::default().merge(3, ["a".into()], false).merge(2, ["b".into(), "a".into()], false);
        assert_eq!(pending.version, 3);
        assert_eq!(pending.incidents, vec![IncidentId::from("a"), IncidentId::from("b")]);
        let many = (0..=MAX_LISTED).map(|n| IncidentId::from(format!("i{n}").as_str()));
        let pending = pending.merge(4, many, false);
        assert!(pending.all && pending.incidents.is_empty());
    }
}
