//! The writer's side of the hand-off to the delivery object (`crate::handoff`): what each write
//! put under `handoff/` goes over in key order, a batch at a time, and is deleted once taken. The
//! writer's only delivery work: per write, its items, whatever the number of subscriptions; after
//! a restart, what it had not handed over yet.

use std::time::Duration;

use worker::ListOptions;

use super::layout::{Batch, FORMER_DELIVERY_KEYS, Key, entries, from_json};
use super::object::PageStore;
use super::subscriptions;
use crate::error::EdgeError;
use crate::handoff::{self, Item, Take};

/// Items per hand-off call at most.
const BATCH: usize = 64;
/// Bytes of items per hand-off call at most (beyond the first item): events carry whole incidents.
const BATCH_BYTES: usize = 1 << 20;
/// Batches one alarm run hands over at most.
const ALARM_BATCHES: usize = 4;

impl PageStore {
    /// From the alarm: hands over up to [`ALARM_BATCHES`] batches (a backlog after an outage does
    /// not hold publication back: the next run goes on at once); on failure it tries again in a second.
    pub(super) async fn relay(&self) {
        if self.relaying.replace(true) {
            return;
        }
        let result = self.relay_batches(ALARM_BATCHES).await;
        self.relaying.set(false);
        match result {
            Ok(true) => self.schedule_relay().await,
            Ok(false) => {}
            Err(err) => {
                worker::console_warn!("handing events to deliveries failed: {err}; trying again in 1 s");
                self.schedule(1_000).await;
            }
        }
    }

    /// Hands over every item owed, in order. One hand-off at a time: a caller that finds one under
    /// way waits for it (up to 5 s), so that a list of deliveries after a write sees the write.
    pub(super) async fn relay_all(&self) -> Result<(), EdgeError> {
        for _ in 0..100 {
            if !self.relaying.get() {
                break;
            }
            worker::Delay::from(Duration::from_millis(50)).await;
        }
        if self.relaying.replace(true) {
            return Err(EdgeError::Unavailable);
        }
        let result = self.relay_batches(usize::MAX).await;
        self.relaying.set(false);
        result.map(drop)
    }

    /// Hands over up to `batches` batches; whether more are owed.
    async fn relay_batches(&self, batches: usize) -> Result<bool, EdgeError> {
        let storage = self.state.storage();
        for _ in 0..batches {
            let found = entries(&storage, ListOptions::new().prefix(handoff::PREFIX).limit(BATCH)).await?;
            let Some((last, _)) = found.last() else { return Ok(false) };
            let (last, full) = (last.clone(), found.len() == BATCH);
            let mut items = Vec::new();
            let mut sent = Vec::new();
            let mut bytes = 0;
            for (key, text) in found {
                if bytes > 0 && bytes + text.len() > BATCH_BYTES {
                    break;
                }
                bytes += text.len();
                sent.push(key.clone());
                match from_json::<Item>(&text) {
                    Ok(item) => items.push((key, item)),
                    // Skipped rather than retried: no later try could read it either.
                    Err(err) => worker::console_error!("hand-off item {key} cannot be read and is skipped: {err}"),
                }
            }
            let loaded = self.load().await?;
            let take = Take { page: loaded.page.page().clone(), version: loaded.version, items };
            drop(loaded);
            crate::delivery::take(&self.env, &self.object()?, take).await?;
            let more = full || sent.last() != Some(&last);
            for chunk in sent.chunks(128) {
                storage.delete_multiple(chunk.to_vec()).await?;
            }
            if !more {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// At each start of this code where a writer from before the delivery object kept cursors and
    /// the outbox itself (the first deploy, or a deploy again after a rollback): every
    /// subscription is handed over again, then the roster of them all, so the delivery object
    /// takes the ones made and forgets the ones removed meanwhile (a new one starts after its
    /// outbox end: what was in flight then is not sent, see CHANGELOG); what the former writer
    /// kept of deliveries is removed.
    pub(super) async fn adopt_former(&self) -> Result<(), EdgeError> {
        let storage = self.state.storage();
        let mut former = false;
        for prefix in FORMER_DELIVERY_KEYS {
            former |= crate::storage::any(&storage, prefix).await?;
        }
        if !former {
            return Ok(());
        }
        let version = match self.load().await {
            Ok(loaded) => loaded.version,
            Err(EdgeError::NotLoaded) => 0,
            Err(err) => return Err(err),
        };
        let subscriptions = subscriptions::load(&storage).await?;
        let ids = subscriptions.iter().map(|s| s.subscription.id.clone()).collect();
        let mut batch = Batch::default();
        for (n, stored) in subscriptions.into_iter().enumerate() {
            batch.put(Key::Adopted(version, n), &Item::Subscribed(Box::new(stored)))?;
        }
        batch.put(Key::Adopted(version, 999_999), &Item::Roster { ids })?;
        batch.commit(&storage).await?;
        for prefix in FORMER_DELIVERY_KEYS {
            // Best effort: what is left is adopted again at the next start, which costs nothing wrong.
            while let Ok(keys) = crate::storage::keys_limited(&storage, prefix, 128).await {
                if keys.is_empty() || storage.delete_multiple(keys).await.is_err() {
                    break;
                }
            }
        }
        self.schedule(0).await;
        Ok(())
    }
}
