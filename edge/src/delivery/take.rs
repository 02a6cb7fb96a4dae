//! Taking the writer's hand-off (`crate::handoff`): each item once, in key order.
//!
//! Events go into the outbox with their index entries (the alarm matches them to subscriptions).
//! A subscription the delivery object does not know yet starts after the outbox's end as it is
//! then (every event committed before its creation was handed over before it). A changed one has
//! its cursor moved past what its old filter passed over first, so the new filter judges only what
//! comes after. A removed one goes with its cursor. Each part is stored with the key of the last
//! item it took, so a batch handed over twice (its answer lost) is taken once.

use std::rc::Rc;

use super::layout::{self, Key};
use super::object::DeliveryStore;
use super::protocol::Taken;
use crate::error::EdgeError;
use crate::handoff::{Item, Stored, Take};
use crate::storage::Batch;

impl DeliveryStore {
    pub(super) async fn take(&self, take: Take) -> Result<Taken, EdgeError> {
        if self.taking.replace(true) {
            // The writer hands over one batch at a time; a second one now is a writer that
            // restarted mid-call: it tries again.
            return Err(EdgeError::Unavailable);
        }
        let result = self.take_batch(take).await;
        self.taking.set(false);
        result
    }

    async fn take_batch(&self, take: Take) -> Result<Taken, EdgeError> {
        let storage = self.state.storage();
        let mut taken = storage.get::<String>(&Key::Taken.text()).await?.unwrap_or_default();
        let taken_before = taken.clone();
        // Events wait in `events` until an item that must see them stored (a subscription's start
        // and cursor are judged against them) or the batch's end.
        let mut events = Batch::default();
        let mut took_events = false;
        for (handoff_key, item) in take.items {
            if handoff_key <= taken {
                continue;
            }
            match item {
                Item::Event { key, event, indexed } => {
                    events.put(Key::Index(key), &indexed)?;
                    events.put(Key::Outbox(key), &*event)?;
                    took_events = true;
                }
                Item::Subscribed(stored) => {
                    self.commit(std::mem::take(&mut events), &taken).await?;
                    self.subscribed(*stored, &handoff_key).await?;
                }
                Item::Unsubscribed { id } => {
                    self.commit(std::mem::take(&mut events), &taken).await?;
                    self.unsubscribed(&id, &handoff_key).await?;
                }
                Item::Roster { ids } => {
                    self.commit(std::mem::take(&mut events), &taken).await?;
                    let known: Vec<String> =
                        self.subscriptions().await?.iter().map(|s| s.subscription.id.clone()).collect();
                    for id in known.iter().filter(|id| !ids.contains(id)) {
                        self.unsubscribed(id, &handoff_key).await?;
                    }
                }
            }
            taken = handoff_key;
        }
        // The page only when it changed (its name or URL): most batches are events of one page.
        let changed = self.page.borrow().as_deref().is_none_or(|page| *page != take.page);
        if changed {
            events.put(Key::Page, &take.page)?;
        }
        if events.is_empty() && taken != taken_before {
            // Only items that stored nothing (a roster that removed nobody): the mark still moves.
            events.put_text(Key::Taken, taken.clone());
        }
        self.commit(events, &taken).await?;
        if changed {
            *self.page.borrow_mut() = Some(Rc::new(take.page));
        }
        if took_events {
            // The alarm matches them to who wants them.
            self.schedule(0).await;
        }
        Ok(Taken { up_to: taken })
    }

    /// Stores `batch` with the key of the last item taken before it, in one transaction.
    async fn commit(&self, mut batch: Batch, taken: &str) -> Result<(), EdgeError> {
        if batch.is_empty() {
            return Ok(());
        }
        batch.put_text(Key::Taken, taken.to_owned());
        batch.commit(&self.state.storage()).await
    }

    /// A subscription created or changed by the write API (or paused by this object's request).
    async fn subscribed(&self, mut stored: Stored, handoff_key: &str) -> Result<(), EdgeError> {
        let storage = self.state.storage();
        let id = stored.subscription.id.clone();
        let known = self.subscriptions().await?.iter().find(|s| s.subscription.id == id).cloned();
        let mut batch = Batch::default();
        // A pause this object made and the writer has not taken yet: an unpaused copy from the
        // writer predates it (the writer cannot resume a pause it never wrote), so it stays paused.
        let owed = storage.get::<String>(&Key::PauseOwed(&id).text()).await?.is_some();
        let keep_pause = owed && stored.subscription.paused.is_none();
        if keep_pause {
            stored.subscription.paused = known.as_ref().and_then(|k| k.subscription.paused.clone());
        } else {
            // A pause the writer took (or an operator's) owes it nothing more.
            batch.delete(Key::PauseOwed(&id));
        }
        match known {
            Some(old) => {
                stored.after = old.after;
                // Its cursor past what its old filter passed over, with the change.
                if let Some(cursor) = self.caught_up(&old).await? {
                    batch.put(Key::Cursor(&id), &cursor)?;
                }
            }
            None => {
                // After the outbox's end, or after what pruning took if it took everything.
                let pruned = layout::position(&storage, Key::Pruned).await?;
                stored.after = layout::last_position(&storage).await?.max(pruned);
            }
        }
        batch.put(Key::Subscription(&id), &stored)?;
        batch.put_text(Key::Taken, handoff_key.to_owned());
        batch.commit(&storage).await?;
        *self.subscriptions.borrow_mut() = None;
        // It may be owed anything now (its filter changed, it was resumed): its next claim finds out.
        self.wakes.borrow_mut().touched(&id, true);
        self.rethink_pruning();
        self.schedule(0).await;
        Ok(())
    }

    async fn unsubscribed(&self, id: &str, handoff_key: &str) -> Result<(), EdgeError> {
        let mut batch = Batch::default();
        for gone in [Key::Subscription(id), Key::Cursor(id), Key::PauseOwed(id)] {
            batch.delete(gone);
        }
        batch.put_text(Key::Taken, handoff_key.to_owned());
        batch.commit(&self.state.storage()).await?;
        *self.subscriptions.borrow_mut() = None;
        self.wakes.borrow_mut().touched(id, false);
        self.rethink_pruning();
        Ok(())
    }
}
