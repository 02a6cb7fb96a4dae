//! The alarm: the maintenance moves that are due, then publication: the store's own durable, retried step that brings every public document in KV to
//! the newest version. Only the store writes KV; readers never do.
//!
//! A write records what it owes KV (`publish/pending`) in the same transaction as its commit and
//! sets the Durable Object's alarm; its answer never waits for KV. The alarm renders the current
//! state (so a burst of writes is published once, at its newest version), writes each document
//! whose bytes changed, and on any failure keeps what is pending and tries again with backoff.
//! Runs are at least [`MIN_INTERVAL_MS`] apart, so no KV key is written more than once a second,
//! and never overlap, so a version in KV only ever goes up: every run renders the newest state,
//! which has the highest version so far.

use sitrep_shared::api::{Endpoint, Operation};
use sitrep_shared::command::{self, Command};

use super::layout::Key;
use super::object::PageStore;
use super::protocol::AdminCall;
use super::publication::{
    HEARTBEAT_MS, MIN_INTERVAL_MS, Pending, backoff_ms, delay_ms, must_render, needs_write, next_run_in,
};
use super::render::render;
use crate::clock::{now, now_ms};
use crate::copy::{self, Doc};
use crate::error::EdgeError;

/// What a run of publication came to.
pub(super) enum Run {
    /// Nothing is owed any more.
    Done,
    /// A write came in during the run: it is owed next.
    Again,
    /// The store has no page yet.
    Empty,
}

impl PageStore {
    /// What `publish/pending` holds, if anything.
    pub(super) async fn stored_pending(&self) -> Result<Option<Pending>, EdgeError> {
        match self.state.storage().get::<String>(&Key::Pending.text()).await? {
            Some(text) => Ok(Some(super::layout::from_json(&text)?)),
            None => Ok(None),
        }
    }

    /// Sets the alarm for the next run of publication (no earlier than a second after the last one
    /// started). Best effort: a write has committed whatever this does; on failure the next
    /// request retries.
    pub(super) async fn schedule(&self, extra_ms: u64) {
        let now = now_ms();
        self.alarm_in(delay_ms(now, self.publication.last_run.get()).max(extra_ms)).await;
    }

    /// Sets the alarm for now, whatever publication's pace: a write with items for the delivery
    /// object hands them over at once (publication, in the same run, keeps its own pace).
    pub(super) async fn schedule_relay(&self) {
        self.alarm_in(0).await;
    }

    async fn alarm_in(&self, delay: u64) {
        let at = now_ms() + delay;
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
        if delay_ms(now_ms(), self.publication.last_run.get()) > 0 {
            // An alarm for the hand-off, sooner than publication's pace: publication at its time.
            self.schedule(0).await;
            return;
        }
        if self.publication.running.replace(true) {
            self.schedule(MIN_INTERVAL_MS).await;
            return;
        }
        self.publication.last_run.set(Some(now_ms()));
        let outcome = self.publish_once().await;
        self.publication.running.set(false);
        match outcome {
            // No page yet: nothing to publish or to say alive about; the import sets the alarm.
            Ok(Run::Empty) => self.publication.attempts.set(0),
            Ok(Run::Done) => {
                self.publication.attempts.set(0);
                // The next instant a document changes without a write (a window edge), or the heartbeat.
                let now = now_ms();
                let next = next_run_in(now, self.publication.next_change.get(), self.publication.last_beat.get());
                self.schedule(next).await;
            }
            Ok(Run::Again) => {
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
    /// window edge changes them without a write).
    async fn publish_once(&self) -> Result<Run, EdgeError> {
        let stored = self.stored_pending().await?;
        let now = now_ms();
        let first_run = !self.publication.rendered.get();
        if !must_render(stored.is_some(), self.publication.next_change.get(), first_run, now) {
            self.beat(now).await?;
            return Ok(Run::Done);
        }
        let pending = stored.clone().unwrap_or_default();
        let loaded = match self.load().await {
            Err(EdgeError::NotLoaded) => return Ok(Run::Empty),
            other => other?,
        };
        self.publication.renders.set(self.publication.renders.get() + 1);
        // Each document on its own: one that cannot be rendered or written does not hold back the rest.
        let docs: Vec<(String, Result<Doc, EdgeError>)> =
            pending.documents(&loaded.page).iter().map(|doc| (doc.key(), render(&loaded, doc))).collect();
        let gone = pending.gone(&loaded.page);
        drop(loaded);
        let kv = self.env.kv(crate::bindings::KV_BINDING)?;
        let scope = self.scope()?;
        let mut next_change: Option<u64> = None;
        let mut failed = None;
        // Deleted incidents first: their copies leave KV (the id list, written below, already
        // turns them away from every isolate that reads it).
        for doc in gone {
            let key = doc.key();
            if let Err(err) = self.kv_switch() {
                failed.get_or_insert(err);
                continue;
            }
            match kv.delete(&copy::kv_key(&format!("{scope}{key}"))).await {
                Ok(()) => {
                    self.publication.written.borrow_mut().remove(&key);
                }
                Err(err) => {
                    failed.get_or_insert(EdgeError::from(err));
                }
            }
        }
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
            if let Err(err) = self.kv_switch() {
                failed.get_or_insert(err);
                continue;
            }
            match copy::kv_put(&kv, &format!("{scope}{key}"), &doc).await {
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
            // Rendered again on the retry: what failed may be a document past its window edge,
            // which no pending write would bring back.
            self.publication.rendered.set(false);
            return Err(err);
        }
        self.publication.rendered.set(true);
        if let Err(err) = self.beat(now_ms()).await {
            // The documents are out; the next run (the heartbeat's own) tries the heartbeat again.
            worker::console_warn!("the heartbeat failed: {err}");
        }
        // Done with what was owed at the start; a write during the run owes more.
        if self.stored_pending().await? != stored {
            return Ok(Run::Again);
        }
        if stored.is_some() {
            self.state.storage().delete(&Key::Pending.text()).await?;
        }
        self.publication.published.set(self.publication.published.get().max(pending.version));
        Ok(Run::Done)
    }

    /// The test build's switch that makes every KV write of publication fail for a while (see
    /// `switches`); always `Ok` in production.
    fn kv_switch(&self) -> Result<(), EdgeError> {
        #[cfg(feature = "fault-injection")]
        if now_ms() < self.publication.kv_fails_until.get() {
            return Err(EdgeError::Internal("KV writes fail (test switch)".into()));
        }
        Ok(())
    }

    /// Writes the heartbeat when this instance never has or the last is [`HEARTBEAT_MS`] old, so
    /// readers can tell a stalled publication from a quiet page.
    pub(super) async fn beat(&self, now: u64) -> Result<(), EdgeError> {
        if now < self.publication.last_beat.get() + HEARTBEAT_MS && self.publication.last_beat.get() != 0 {
            return Ok(());
        }
        self.kv_switch()?;
        copy::put_heartbeat(&self.env.kv(crate::bindings::KV_BINDING)?, &self.scope()?, now).await?;
        self.publication.last_beat.set(now);
        self.publication.beats.set(self.publication.beats.get() + 1);
        Ok(())
    }

    /// Applies the automatic maintenance moves that are due ([`command::due_transitions`]), each
    /// an ordinary write by the store itself: validated, logged (by "sitrep", as the alarm) and
    /// published like an operator's. One that storage failed is tried again 5 s later (it is still
    /// due); one the model refuses (the maintenance is full, say) is not retried: it is logged, and
    /// the maintenance waits for its operator.
    pub(super) async fn transition(&self) {
        let (Ok(loaded), Ok(now)) = (self.load().await, now()) else { return };
        let due = command::due_transitions(&loaded.page, now);
        drop(loaded);
        let mut failed = false;
        for command in due {
            let Command::PostUpdate(id, _) = &command else { continue };
            let op = Operation::on(Endpoint::PostMaintenanceUpdate, id.0.clone());
            let call = AdminCall::by_the_store(op, "auto-transition (the page's alarm)");
            match self.write(&command, &call, 200).await {
                Ok(_) => {}
                Err(EdgeError::Invalid(problems)) => {
                    let reasons: Vec<&str> = problems.iter().map(|p| p.message.as_str()).collect();
                    worker::console_warn!("auto-transition of {id} refused: {}", reasons.join("; "));
                }
                Err(_) => failed = true,
            }
        }
        if failed {
            self.schedule(MIN_INTERVAL_MS * 5).await;
        }
    }

    /// Sets the alarm for the next window edge of a maintenance with auto-transition, if any
    /// (kept if an earlier alarm is already set).
    pub(super) async fn schedule_transition(&self) {
        let (Ok(loaded), Ok(now)) = (self.load().await, now()) else { return };
        let next = command::next_transition(&loaded.page, now);
        drop(loaded);
        if let Some(at) = next {
            let delay = at.unix_millis().saturating_sub(now.unix_millis()).max(0) as u64;
            self.schedule(delay).await;
        }
    }
}
