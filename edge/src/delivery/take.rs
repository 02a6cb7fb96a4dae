//! Taking the writer's hand-off (`crate::handoff`): each item once, in key order.
//!
//! Events go into the outbox with their index entries (the alarm matches them to subscriptions).
//! A subscription the delivery object does not know yet starts after the outbox's end as it is
//! then (every event committed before its creation was handed over before it). A changed one has
//! its cursor moved past what its old filter passed over first, so the new filter judges only what
//! comes after. A removed one goes with its cursor. Each part is stored with the key of the last
//! item it took, so a batch handed over twice (its answer lost) is taken once.

use std::rc::Rc;

use sitrep_shared::notify::{Event, index_key};

use super::layout::Key;
use super::object::DeliveryStore;
use super::protocol::Taken;
use crate::error::EdgeError;
use crate::handoff::{Item, Stored, Take};
use crate::storage::to_json;

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
        let page = to_json(&take.page)?;
        let mut events: Vec<(String, String)> = Vec::new();
        let mut took_events = false;
        for (handoff_key, item) in take.items {
            if handoff_key <= taken {
                continue;
            }
            match item {
                Item::Event { key, event, indexed } => {
                    events.push((index_key(&key), to_json(&indexed)?));
                    events.push((key, to_json::<Event>(&event)?));
                    took_events = true;
                }
                Item::Subscribed(stored) => {
                    // The events before it first: its start and its cursor are judged against them.
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
        let version = take.version;
        let (page_key, version_key, taken_key) = (Key::Page.text(), Key::Version.text(), Key::Taken.text());
        let up_to = taken.clone();
        storage
            .transaction(move |txn| async move {
                for (key, text) in events {
                    txn.put(&key, text).await?;
                }
                txn.put(&page_key, page).await?;
                txn.put(&version_key, version).await?;
                txn.put(&taken_key, up_to).await?;
                Ok(())
            })
            .await?;
        *self.page.borrow_mut() = Some(Rc::new(take.page));
        if took_events {
            // The alarm matches them to who wants them.
            self.schedule(0).await;
        }
        Ok(Taken { up_to: taken })
    }

    /// Stores events taken so far, with the key of the last item taken before them.
    async fn commit(&self, events: Vec<(String, String)>, taken: &str) -> Result<(), EdgeError> {
        if events.is_empty() {
            return Ok(());
        }
        let (taken_key, taken) = (Key::Taken.text(), taken.to_owned());
        self.state
            .storage()
            .transaction(move |txn| async move {
                for (key, text) in events {
                    txn.put(&key, text).await?;
                }
                txn.put(&taken_key, taken).await?;
                Ok(())
            })
            .await?;
        Ok(())
    }

    /// A subscription created or changed by the write API (or paused by this object's request).
    async fn subscribed(&self, mut stored: Stored, handoff_key: &str) -> Result<(), EdgeError> {
        let storage = self.state.storage();
        let id = stored.subscription.id.clone();
        let known = self.subscriptions().await?.iter().find(|s| s.subscription.id == id).cloned();
        let mut puts = Vec::new();
        // A pause this object made and the writer has not taken yet: an unpaused copy from the
        // writer predates it (the writer cannot resume a pause it never wrote), so it stays paused.
        let owed = storage.get::<String>(&Key::PauseOwed(&id).text()).await?.is_some();
        let keep_pause = owed && stored.subscription.paused.is_none();
        if keep_pause {
            stored.subscription.paused = known.as_ref().and_then(|k| k.subscription.paused.clone());
        }
        match known {
            Some(old) => {
                stored.after = old.after.clone();
                // Its cursor past what its old filter passed over, with the change.
                puts.extend(self.caught_up(&old).await?);
            }
            None => {
                // After the outbox's end, or after what pruning took if it took everything.
                let pruned = storage.get::<String>(&Key::Pruned.text()).await?.unwrap_or_default();
                stored.after = super::layout::last_outbox_key(&storage).await?.max(pruned);
            }
        }
        puts.push((Key::Subscription(&id).text(), to_json(&stored)?));
        puts.push((Key::Taken.text(), handoff_key.to_owned()));
        // A pause the writer took (or an operator's) owes it nothing more.
        let owed = (!keep_pause).then(|| Key::PauseOwed(&id).text());
        storage
            .transaction(move |txn| async move {
                if let Some(owed) = owed {
                    txn.delete(&owed).await?;
                }
                for (key, text) in puts {
                    txn.put(&key, text).await?;
                }
                Ok(())
            })
            .await?;
        *self.subscriptions.borrow_mut() = None;
        // It may be owed anything now (its filter changed, it was resumed): its next claim finds out.
        self.wakes.borrow_mut().touched(&id, true);
        self.rethink_pruning();
        self.schedule(0).await;
        Ok(())
    }

    async fn unsubscribed(&self, id: &str, handoff_key: &str) -> Result<(), EdgeError> {
        let gone = [Key::Subscription(id), Key::Cursor(id), Key::PauseOwed(id)].map(Key::text).to_vec();
        let (taken_key, taken) = (Key::Taken.text(), handoff_key.to_owned());
        self.state
            .storage()
            .transaction(move |txn| async move {
                txn.delete_multiple(gone).await?;
                txn.put(&taken_key, taken).await?;
                Ok(())
            })
            .await?;
        *self.subscriptions.borrow_mut() = None;
        self.wakes.borrow_mut().touched(id, false);
        self.rethink_pruning();
        Ok(())
    }
}
