//! The writer's side of the hand-off to the delivery object (`crate::handoff`): what each write
//! put under `handoff/` goes over in key order, a batch at a time, and is deleted once taken. The
//! writer's only delivery work: per write, its items, whatever the number of subscriptions; after
//! a restart, what it had not handed over yet.

use std::time::Duration;

use worker::ListOptions;

use super::layout::{FORMER_DELIVERY_KEYS, entries, from_json, to_json};
use super::object::PageStore;
use super::subscriptions;
use crate::error::EdgeError;
use crate::handoff::{self, Item, Take};

/// Items per hand-off call at most.
const BATCH: usize = 64;
/// Bytes of items per hand-off call at most (beyond the first item): events carry whole incidents.
const BATCH_BYTES: usize = 1 << 20;
/// Set once the subscriptions of a writer that kept deliveries itself were handed over.
const ADOPTED_KEY: &str = "deliveries-moved";

impl PageStore {
    /// From the alarm: hands over everything owed; on failure the alarm tries again in a second.
    pub(super) async fn relay(&self) {
        if let Err(err) = self.relay_all().await {
            worker::console_warn!("handing events to deliveries failed: {err}; trying again in 1 s");
            self.schedule(1_000).await;
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
        let result = self.relay_batches().await;
        self.relaying.set(false);
        result
    }

    async fn relay_batches(&self) -> Result<(), EdgeError> {
        let storage = self.state.storage();
        loop {
            let found = entries(&storage, ListOptions::new().prefix(handoff::PREFIX).limit(BATCH)).await?;
            let Some((last, _)) = found.last() else { return Ok(()) };
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
            crate::delivery::take(&self.env, take).await?;
            let more = full || sent.last() != Some(&last);
            for chunk in sent.chunks(128) {
                storage.delete_multiple(chunk.to_vec()).await?;
            }
            if !more {
                return Ok(());
            }
        }
    }

    /// Once per store, at the first start of this code: a writer from before the delivery object
    /// kept cursors and the outbox itself. Its subscriptions are handed over (each starts after the
    /// delivery object's outbox end: what was in flight then is not sent, see CHANGELOG), and
    /// what it kept of deliveries is removed.
    pub(super) async fn adopt_former(&self) -> Result<(), EdgeError> {
        let storage = self.state.storage();
        if storage.get::<String>(ADOPTED_KEY).await?.is_some() {
            return Ok(());
        }
        let mut former = false;
        for prefix in FORMER_DELIVERY_KEYS {
            former |= crate::storage::any(&storage, prefix).await?;
        }
        let mut puts = vec![(ADOPTED_KEY.to_owned(), "1".to_owned())];
        if former {
            let version = self.load().await.map(|l| l.version).unwrap_or(0);
            for (n, stored) in subscriptions::load(&storage).await?.into_iter().enumerate() {
                puts.push((handoff::adopted_key(version, n), to_json(&Item::Subscribed(Box::new(stored)))?));
            }
        }
        storage
            .transaction(move |txn| async move {
                for (key, text) in puts {
                    txn.put(&key, text).await?;
                }
                Ok(())
            })
            .await?;
        if former {
            for prefix in FORMER_DELIVERY_KEYS {
                // Best effort: leftovers are never read again.
                while let Ok(keys) = crate::storage::keys_limited(&storage, prefix, 128).await {
                    if keys.is_empty() || storage.delete_multiple(keys).await.is_err() {
                        break;
                    }
                }
            }
            self.schedule(0).await;
        }
        Ok(())
    }
}
