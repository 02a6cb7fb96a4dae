//! The store's side of delivery. The store owns the truth (each subscription's cursor, its current
//! try and its lease, see `shared::subscriptions::delivery`); the queue only carries wake-ups.
//!
//! 1. A write puts its events in the outbox (its own transaction) and sets the alarm.
//! 2. The alarm ([`PageStore::kick`]) sends one queue message per subscription that may send now
//!    (`{"subscription": id}`, no payload), and sets itself again for the next retry or lease end.
//! 3. The consumer asks for the next try ([`PageStore::claim`]): the store finds the next event the
//!    subscription wants, builds the body in its format, signs it, and holds a lease on it.
//! 4. The consumer sends it and reports ([`PageStore::report`]): the cursor moves on, a retry is
//!    scheduled, or after a day the event is dead-lettered and the subscription paused.
//!
//! A lost queue message, a consumer killed mid-send, a workerd restart: the lease runs out and the
//! alarm sends the wake-up again. At least once, in order per subscription, decided here alone.

use std::collections::HashMap;

use sitrep_shared::notify::delivery::{self, Cursor, Due, Outcome, Settled};
use sitrep_shared::notify::retry;
use sitrep_shared::notify::{
    Channel, Event, INDEX_PREFIX, Indexed, OUTBOX_PREFIX, index_key, message, outbox_key_of_index, sign,
};
use sitrep_shared::{PageState, Timestamp};
use worker::ListOptions;

use super::layout::{self, CURSOR_PREFIX, PRUNED_KEY, from_json, to_json};
use super::object::PageStore;
use super::owed::Memory;
use super::protocol::{AdminCall, AdminReply, DeliverReply, Kick, Outgoing};
use super::publication;
use super::subscriptions::{self, Stored};
use crate::admin::Admin;
use crate::clock::{now, now_ms};
use crate::error::EdgeError;

/// Outbox keys read per list call when looking for a subscription's next event.
const SCAN: usize = 64;
/// Outbox keys one claim reads at most: past them, the cursor is saved and the look goes on at the
/// next wake-up (a long backlog behind a narrow filter never makes one request too long). Test
/// builds read 128, so that a test reaches the limit with a hundred writes.
const SCAN_MAX: usize = if cfg!(feature = "fault-injection") { 128 } else { 1_024 };
/// Versions of outbox kept behind the slowest cursor, for replays.
const KEEP_VERSIONS: u64 = 1_000;
/// Versions of events kept for a paused subscription (`delivery::paused_floor`); test builds keep
/// 300, so that a test reaches it with a few hundred writes (and one that pauses a subscription
/// behind 285 does not).
const PAUSED_KEEP: u64 = if cfg!(feature = "fault-injection") { 300 } else { delivery::PAUSED_KEEP_VERSIONS };
/// Set once every outbox event has its index entry (see `build_index`).
const INDEX_BUILT_KEY: &str = "index-built";
/// How far `build_index` has come (an outbox key).
const INDEX_UP_TO_KEY: &str = "index-up-to";
/// Outbox keys deleted per alarm run at most.
const PRUNE: usize = 128;
/// Queue messages per `sendBatch` (the platform's limit is 100).
const BATCH: usize = 100;

/// What a look past a cursor found.
enum Scan {
    Found(String, Box<Event>),
    /// Nothing wanted up to the end of the outbox.
    End,
    /// Nothing wanted in the keys one request reads: there are more.
    More,
}

/// Alarm runs between two looks at the cursors for the slowest position (pruning follows it). Test
/// builds look every 5 runs, so that a test sees a look within seconds.
const REFRESH_EVERY: u32 = if cfg!(feature = "fault-injection") { 5 } else { 100 };

/// Idle cursors moved on per look at the cursors at most, furthest behind first (each is a whole
/// cursor written, its recent deliveries included).
const MOVE: usize = 64;

/// Outbox events matched to subscriptions per alarm run at most.
const MATCH: usize = 256;

/// Where pruning may go up to for one subscription at outbox `position`: the replay window behind
/// it, or for a paused one only the newest events (what it loses is listed as a gap on resume).
fn keep_from(stored: &Stored, position: &str, newest: u64) -> String {
    if stored.subscription.paused.is_some() {
        delivery::paused_floor(position, newest, PAUSED_KEEP)
    } else {
        subscriptions::outbox_key(delivery::version_of(position).unwrap_or(0).saturating_sub(KEEP_VERSIONS), 0)
    }
}

fn cursor_key(id: &str) -> String {
    format!("{CURSOR_PREFIX}{id}")
}

/// The words of the event's last update's language (English when it has none or one the views do
/// not speak).
fn labels(event: &Event) -> &'static sitrep_views::i18n::Text {
    let language = event.incident.as_ref().and_then(|i| i.latest_update()).and_then(|u| u.language.as_deref());
    sitrep_views::i18n::choose(language).0
}

/// The request headers of a try: Standard Webhooks signature headers for a webhook, with the
/// event id as `webhook-id` (the same on every retry and replay, for deduplication).
fn headers(stored: &Stored, event: &Event, body: &str, now: Timestamp) -> Result<Vec<(String, String)>, EdgeError> {
    let mut headers = vec![
        ("content-type".to_owned(), "application/json".to_owned()),
        ("user-agent".to_owned(), "sitrep-webhooks/1".to_owned()),
    ];
    if stored.subscription.kind == Channel::Webhook {
        let secret = sign::secret_bytes(&stored.secret)
            .ok_or_else(|| EdgeError::Internal(format!("the secret of {} does not parse", stored.subscription.id)))?;
        let timestamp = now.unix_millis() / 1000;
        headers.push(("webhook-id".into(), event.id.clone()));
        headers.push(("webhook-timestamp".into(), timestamp.to_string()));
        headers.push(("webhook-signature".into(), sign::signature(&secret, &event.id, timestamp, body)));
    }
    Ok(headers)
}

impl PageStore {
    async fn stored_subscription(&self, id: &str) -> Result<Option<Stored>, EdgeError> {
        Ok(self.subscriptions().await?.iter().find(|s| s.subscription.id == id).cloned())
    }

    /// Subscription `id` is owed nothing now: only a new event or a replay wakes it again.
    fn idle(&self, id: &str) {
        self.deliveries.borrow_mut().forget(id);
    }

    /// Subscription `id` is not to be woken before `at` (ms); the alarm is set for then.
    async fn wait(&self, id: &str, at: i64) {
        {
            let mut memory = self.deliveries.borrow_mut();
            memory.waits.insert(id.to_owned(), at);
            memory.woken.remove(id);
        }
        self.schedule(at.saturating_sub(now_ms() as i64).max(0) as u64).await;
    }

    async fn cursor(&self, stored: &Stored) -> Result<Cursor, EdgeError> {
        match self.state.storage().get::<String>(&cursor_key(&stored.subscription.id)).await? {
            Some(text) => from_json(&text),
            None => Ok(Cursor::starting_after(&stored.after)),
        }
    }

    async fn save_cursor(&self, id: &str, cursor: &Cursor) -> Result<(), EdgeError> {
        Ok(self.state.storage().put(&cursor_key(id), to_json(cursor)?).await?)
    }

    /// The next outbox event after `cursor.after` that the subscription wants; events it does not
    /// want move the cursor past them.
    async fn next_wanted(&self, stored: &Stored, cursor: &mut Cursor, page: &PageState) -> Result<Scan, EdgeError> {
        for _ in 0..SCAN_MAX / SCAN {
            let entries = self.judged_after(&cursor.after, SCAN).await?;
            for (key, judged) in &entries {
                if judged.as_ref().is_some_and(|j| stored.subscription.wants_indexed(j, page)) {
                    // Only a wanted event is read whole.
                    let text = self.state.storage().get::<String>(key).await?;
                    if let Some(event) = text.and_then(|text| readable(key, &text)) {
                        return Ok(Scan::Found(key.clone(), Box::new(event)));
                    }
                }
                cursor.after.clone_from(key);
            }
            if entries.len() < SCAN {
                return Ok(Scan::End);
            }
        }
        Ok(Scan::More)
    }

    /// Before an edit of subscription `stored` (`stored` still has its old filter): its cursor moved
    /// past the events it does not want, up to the next one it does, as its next claim would move
    /// it. The new filter then judges only what the old one had not passed over: a subscription that
    /// starts wanting `incident.updated` gets the updates written from then on, not the history
    /// behind its cursor. The cursor to put in the edit's transaction, if it moved.
    pub(super) async fn caught_up(
        &self,
        stored: &Stored,
        page: &PageState,
    ) -> Result<Option<(String, String)>, EdgeError> {
        let mut cursor = self.cursor(stored).await?;
        let before = cursor.clone();
        // A paused subscription's edit (its resume included) is where what it lost is recorded.
        cursor.skip_pruned(&self.pruned().await?, stored.subscription.paused.is_some());
        if let Some(up_to) = self.wanted_nothing_up_to(stored, &cursor) {
            cursor.after = cursor.after.max(up_to);
        }
        self.next_wanted(stored, &mut cursor, page).await?;
        if cursor == before {
            return Ok(None);
        }
        Ok(Some((cursor_key(&stored.subscription.id), to_json(&cursor)?)))
    }

    /// The outbox key up to which subscription `stored`, with nothing in hand on `cursor`, is known
    /// to want no event, so that its cursor may start there: the last matched event (`scanned`) if
    /// it is owed nothing and not paused, else the key its `skip` names. `None` when the memory
    /// does not know (then the stored cursor is where to start).
    fn wanted_nothing_up_to(&self, stored: &Stored, cursor: &Cursor) -> Option<String> {
        if !cursor.idle() {
            return None;
        }
        let memory = self.deliveries.borrow();
        let id = &stored.subscription.id;
        if memory.built && !memory.owed.contains(id) && stored.subscription.paused.is_none() {
            return Some(memory.scanned.clone());
        }
        memory.skip.get(id).cloned()
    }

    /// Up to `limit` outbox entries after key `after` ("" for the first), in order.
    /// The events after outbox key `after` (at most `limit`), each as its outbox key and what a
    /// filter judges it by (`None`: unreadable, skipped). Read from the small index beside the
    /// outbox once this store has built it (see `build_index`), else from the events themselves.
    async fn judged_after(&self, after: &str, limit: usize) -> Result<Vec<(String, Option<Indexed>)>, EdgeError> {
        if self.deliveries.borrow().indexed {
            let start = format!("{}\0", index_key(after));
            let options = ListOptions::new().prefix(INDEX_PREFIX).start(&start).limit(limit);
            let entries = layout::entries(&self.state.storage(), options).await?;
            return Ok(entries
                .into_iter()
                .map(|(key, text)| (outbox_key_of_index(&key), from_json(&text).ok()))
                .collect());
        }
        let entries = self.outbox_after(after, limit).await?;
        Ok(entries
            .into_iter()
            .map(|(key, text)| {
                let judged = readable(&key, &text).map(|e| Indexed::of(&e));
                (key, judged)
            })
            .collect())
    }

    /// Once per instance, before anything is written: if the outbox ends past the last event this
    /// code indexed (code without the index wrote after it: a rollback and a deploy again), the
    /// index is built again from there, and claims read events whole until it is complete.
    pub(super) async fn check_index(&self) -> Result<(), EdgeError> {
        let storage = self.state.storage();
        if storage.get::<String>(INDEX_BUILT_KEY).await?.is_none() {
            return Ok(());
        }
        let last = subscriptions::last_outbox_key(&storage).await?;
        let indexed = storage.get::<String>(subscriptions::INDEX_LAST_KEY).await?.unwrap_or_default();
        if last > indexed {
            worker::console_warn!("the outbox has events past {indexed:?} without their index: indexing again");
            storage.put(INDEX_UP_TO_KEY, indexed).await?;
            storage.delete(INDEX_BUILT_KEY).await?;
            self.deliveries.borrow_mut().indexed = false;
        }
        Ok(())
    }

    /// Once per store: writes the index entry of every outbox event written before the index
    /// existed, [`MATCH`] per alarm run, then notes it is complete. Until then claims read events
    /// whole, as before.
    async fn build_index(&self) -> Result<(), EdgeError> {
        if self.deliveries.borrow().indexed {
            return Ok(());
        }
        let storage = self.state.storage();
        if storage.get::<String>(INDEX_BUILT_KEY).await?.is_some() {
            self.deliveries.borrow_mut().indexed = true;
            return Ok(());
        }
        let from = storage.get::<String>(INDEX_UP_TO_KEY).await?.unwrap_or_default();
        let entries = self.outbox_after(&from, MATCH).await?;
        let mut puts = Vec::new();
        for (key, text) in &entries {
            if let Some(event) = readable(key, text) {
                puts.push((index_key(key), to_json(&Indexed::of(&event))?));
            }
        }
        let done = entries.len() < MATCH;
        let last = entries.last().map(|(key, _)| key.clone());
        storage
            .transaction(move |txn| async move {
                for (key, text) in puts {
                    txn.put(&key, text).await?;
                }
                if let Some(last) = last {
                    txn.put(INDEX_UP_TO_KEY, last.clone()).await?;
                    txn.put(subscriptions::INDEX_LAST_KEY, last).await?;
                }
                if done {
                    txn.put(INDEX_BUILT_KEY, "1".to_owned()).await?;
                }
                Ok(())
            })
            .await?;
        if done {
            self.deliveries.borrow_mut().indexed = true;
        } else {
            self.schedule(publication::MIN_INTERVAL_MS).await;
        }
        Ok(())
    }

    async fn outbox_after(&self, after: &str, limit: usize) -> Result<Vec<(String, String)>, EdgeError> {
        // `start` is inclusive: the key after `after` (the empty key sorts before the prefix).
        let start = format!("{after}\0");
        let options = ListOptions::new().prefix(OUTBOX_PREFIX).start(&start).limit(limit);
        layout::entries(&self.state.storage(), options).await
    }

    /// Hands out the next try owed to subscription `id`, if it may send now.
    pub(super) async fn claim(&self, id: &str) -> Result<DeliverReply, EdgeError> {
        let Some(stored) = self.stored_subscription(id).await? else { return Ok(DeliverReply::Idle) };
        if stored.subscription.paused.is_some() {
            self.idle(id);
            return Ok(DeliverReply::Idle);
        }
        let now = now()?;
        let mut cursor = self.cursor(&stored).await?;
        if cursor.unreported(now.unix_millis()) {
            // Its sender vanished (killed, or its report lost): a failure like any other.
            let failed = Outcome::Failed { reason: delivery::NO_REPORT.into() };
            let claim = cursor.claims;
            self.settle(stored, cursor, claim, &failed, now).await?;
            return Ok(DeliverReply::Idle);
        }
        let loaded = self.load().await?;
        let before = cursor.clone();
        // Pruning went past it: over events it did not want (an idle subscription counts as at the
        // last matched event), so no gap; a paused one's gap was recorded at its resume.
        cursor.skip_pruned(&self.pruned().await?, false);
        if let Some(up_to) = self.wanted_nothing_up_to(&stored, &cursor) {
            // It wanted nothing up to there when those events were matched.
            cursor.after = cursor.after.clone().max(up_to);
        }
        let mut scan = Scan::End;
        // Each pass either finds the try or drops a gone one (a replay of a pruned event): bounded
        // by the replays that can wait, plus the retry and the look past the cursor.
        for _ in 0..delivery::MAX_REPLAYS + 2 {
            scan = match cursor.due(now.unix_millis()) {
                Due::Wait(at) => {
                    if cursor != before {
                        self.save_cursor(id, &cursor).await?;
                    }
                    self.wait(id, at).await;
                    return Ok(DeliverReply::Idle);
                }
                Due::Retry(key) | Due::Replay(key) => {
                    let text = self.state.storage().get::<String>(&key).await?;
                    match text.as_deref().and_then(|text| readable(&key, text)) {
                        Some(event) => Scan::Found(key, Box::new(event)),
                        None => {
                            // Gone from the outbox, or unreadable: drop it and look again (a look
                            // past the cursor skips it too).
                            if cursor.attempt.as_ref().is_some_and(|a| a.key == key) {
                                cursor.attempt = None;
                            }
                            cursor.replays.retain(|r| r != &key);
                            continue;
                        }
                    }
                }
                Due::Next => self.next_wanted(&stored, &mut cursor, &loaded.page).await?,
            };
            break;
        }
        let (key, event) = match scan {
            Scan::Found(key, event) => (key, event),
            Scan::End | Scan::More => {
                if cursor != before {
                    self.save_cursor(id, &cursor).await?;
                }
                if matches!(scan, Scan::More) {
                    // Looked far enough for one request: still owed, the next alarm goes on.
                    self.deliveries.borrow_mut().owe(id);
                    self.schedule(0).await;
                } else {
                    self.idle(id);
                }
                return Ok(DeliverReply::Idle);
            }
        };
        let labels = labels(&event);
        let body = message::body(stored.subscription.kind, &event, loaded.page.page(), labels);
        drop(loaded);
        let headers = headers(&stored, &event, &body, now)?;
        let claim = cursor.claim(&key, &event.id, event.kind, now);
        self.save_cursor(id, &cursor).await?;
        // If this consumer vanishes, the alarm hands the try out again when the lease ends.
        self.schedule(delivery::LEASE_MS as u64).await;
        let timeout_ms = delivery::send_timeout_ms(stored.subscription.kind);
        let (url, lease_until) = (stored.subscription.url, cursor.lease_until);
        let outgoing = Outgoing { subscription: id.to_owned(), claim, lease_until, url, headers, body, timeout_ms };
        Ok(DeliverReply::Send(Box::new(outgoing)))
    }

    /// Takes the report of claim `claim` for subscription `id`; after a delivery, hands out the next
    /// try if the consumer asks (`next`) and one may go now.
    pub(super) async fn report(
        &self,
        id: &str,
        claim: u64,
        outcome: &Outcome,
        next: bool,
    ) -> Result<DeliverReply, EdgeError> {
        let Some(stored) = self.stored_subscription(id).await? else {
            return Ok(DeliverReply::Idle);
        };
        let cursor = self.cursor(&stored).await?;
        let settled = self.settle(stored, cursor, claim, outcome, now()?).await?;
        if next && settled == Settled::Delivered {
            // The next try in the same request: one store request per delivery, not two.
            return self.claim(id).await;
        }
        Ok(DeliverReply::Idle)
    }

    /// Settles claim `claim` and keeps what follows: the cursor, the retry's alarm, or (after a day)
    /// the cursor past the dead event and the subscription paused in one write, then the dead letter.
    async fn settle(
        &self,
        stored: Stored,
        mut cursor: Cursor,
        claim: u64,
        outcome: &Outcome,
        now: Timestamp,
    ) -> Result<Settled, EdgeError> {
        let id = stored.subscription.id.clone();
        let event = cursor.attempt.as_ref().map(|a| a.key.clone()).unwrap_or_default();
        #[cfg(feature = "fault-injection")]
        let give_up_after = self.give_up_after.get().unwrap_or(retry::GIVE_UP_AFTER_MS);
        #[cfg(not(feature = "fault-injection"))]
        let give_up_after = retry::GIVE_UP_AFTER_MS;
        let settled = cursor.settle_within(claim, outcome, now, js_sys::Math::random(), give_up_after);
        if settled == Settled::Stale {
            return Ok(settled);
        }
        // Its consumer is done with it unless it goes on at once: the alarm may wake it again.
        self.deliveries.borrow_mut().woken.remove(&id);
        match &settled {
            Settled::Dead { reason } if stored.subscription.paused.is_none() => {
                // Only storage awaits from the read of the subscription to this commit: no other
                // request runs in between (the object's input gate), so no edit or removal is undone.
                let cursor = (cursor_key(&id), to_json(&cursor)?);
                let written = subscriptions::pause_failed(stored, reason, now, cursor)?;
                let call =
                    AdminCall::by_the_store(Admin::EditSubscription(id.clone()), "deliveries (the queue consumer)");
                self.apply_subscription_write(&call, written, 200).await?;
                self.dead_letter(&id, &event, reason).await;
            }
            Settled::Dead { reason } => {
                // Already paused by the operator: keep their reason.
                self.save_cursor(&id, &cursor).await?;
                self.idle(&id);
                self.dead_letter(&id, &event, reason).await;
            }
            Settled::RetryAt(at) => {
                self.save_cursor(&id, &cursor).await?;
                self.wait(&id, *at).await;
            }
            Settled::Delivered | Settled::Stale => self.save_cursor(&id, &cursor).await?,
        }
        Ok(settled)
    }

    /// Sends a given-up event to the dead-letter queue (best effort: it is also in the
    /// subscription's deliveries, marked dead, and the subscription is paused).
    async fn dead_letter(&self, id: &str, key: &str, reason: &str) {
        let Ok(queue) = self.env.queue(crate::bindings::DEAD_LETTER_BINDING) else { return };
        let letter = serde_json::json!({ "subscription": id, "outbox_key": key, "reason": reason });
        if let Err(err) = queue.send(letter).await {
            worker::console_warn!("dead-letter queue refused {key} of {id}: {err}");
        }
    }

    /// From the alarm: one queue message per subscription that may send now; the alarm is set again
    /// for the next retry or lease end. Subscriptions woken less than a lease ago are not woken again
    /// (their message may still be in the queue).
    pub(super) async fn kick(&self) {
        if let Err(err) = self.try_kick().await {
            worker::console_warn!("waking deliveries failed: {err}; trying again in 5 s");
            self.schedule(5_000).await;
        }
    }

    async fn try_kick(&self) -> Result<(), EdgeError> {
        if let Err(err) = self.build_index().await {
            // Best effort: claims read events whole meanwhile; the next run goes on.
            worker::console_warn!("building the outbox index failed: {err}");
        }
        let subscriptions = self.subscriptions().await?;
        let last = subscriptions::last_outbox_key(&self.state.storage()).await?;
        if subscriptions.is_empty() {
            // Nobody is owed anything: the outbox goes, a batch per run (writes add to it only
            // while someone subscribes).
            if !last.is_empty() {
                self.prune(&format!("{last}\u{0}")).await;
                self.schedule(publication::MIN_INTERVAL_MS).await;
            }
            return Ok(());
        }
        let now = now_ms() as i64;
        let refresh = {
            let mut memory = self.deliveries.borrow_mut();
            memory.runs += 1;
            memory.runs > REFRESH_EVERY
        };
        if !self.deliveries.borrow().built {
            self.remember(&subscriptions, &last, now).await?;
        } else {
            if self.deliveries.borrow().scanned < last {
                self.match_new(&subscriptions).await?;
            }
            if refresh && let Err(err) = self.refresh_slowest(&subscriptions).await {
                // Best effort: pruning waits, and the next look (100 runs on) tries again.
                worker::console_warn!("looking at the delivery cursors failed: {err}");
                self.deliveries.borrow_mut().runs = 0;
            }
        }
        let slowest = self.deliveries.borrow().slowest.clone();
        if let Some(slowest) = slowest {
            self.prune(&slowest).await;
        }
        let mut wake = Vec::new();
        let mut next: Option<i64> = None;
        let mut soonest = |at: i64| next = Some(next.map_or(at, |n: i64| n.min(at)));
        {
            let mut memory = self.deliveries.borrow_mut();
            let Memory { owed, waits, woken, .. } = &mut *memory;
            woken.retain(|_, at| *at + delivery::LEASE_MS > now);
            for id in owed.iter() {
                match (waits.get(id), woken.get(id)) {
                    (Some(at), _) if *at > now => soonest(*at),
                    (_, Some(at)) => soonest(at + delivery::LEASE_MS),
                    _ => {
                        wake.push(Kick { subscription: id.clone() });
                        woken.insert(id.clone(), now);
                        soonest(now + delivery::LEASE_MS);
                    }
                }
            }
        }
        if !wake.is_empty() {
            let queue = self.env.queue(crate::bindings::DELIVERY_BINDING)?;
            for (n, chunk) in wake.chunks(BATCH).enumerate() {
                if let Err(err) = queue.send_batch(chunk.to_vec()).await {
                    // This chunk and the ones after it were not woken: the next run tries again.
                    let mut memory = self.deliveries.borrow_mut();
                    wake[n * BATCH..].iter().for_each(|kick| _ = memory.woken.remove(&kick.subscription));
                    return Err(err.into());
                }
            }
        }
        if let Some(at) = next {
            self.schedule(at.saturating_sub(now).max(0) as u64).await;
        }
        Ok(())
    }

    /// Builds the memory from every cursor: who owes (conservatively: events after its cursor,
    /// wanted or not; its claim sorts that out), who waits until when, the slowest cursor.
    async fn remember(&self, subscriptions: &[Stored], last: &str, now: i64) -> Result<(), EdgeError> {
        let mut cursors = self.stored_cursors().await?;
        let indexed = self.deliveries.borrow().indexed;
        let mut memory = Memory { built: true, indexed, scanned: last.to_owned(), ..Memory::default() };
        memory.woken = std::mem::take(&mut self.deliveries.borrow_mut().woken);
        for stored in subscriptions {
            let id = &stored.subscription.id;
            let cursor = cursors.remove(id).unwrap_or_else(|| Cursor::starting_after(&stored.after));
            let keep = keep_from(stored, cursor.earliest(), delivery::version_of(last).unwrap_or(0));
            if memory.slowest.as_deref().is_none_or(|slowest| keep.as_str() < slowest) {
                memory.slowest = Some(keep);
            }
            if stored.subscription.paused.is_some() || !cursor.owes(last) {
                continue;
            }
            memory.owed.insert(id.clone());
            if let Due::Wait(at) = cursor.due(now) {
                memory.waits.insert(id.clone(), at);
            }
        }
        *self.deliveries.borrow_mut() = memory;
        Ok(())
    }

    /// Every stored cursor, by subscription id.
    async fn stored_cursors(&self) -> Result<HashMap<String, Cursor>, EdgeError> {
        let mut cursors = HashMap::new();
        for (key, text) in layout::entries(&self.state.storage(), ListOptions::new().prefix(CURSOR_PREFIX)).await? {
            cursors.insert(key.trim_start_matches(CURSOR_PREFIX).to_owned(), from_json::<Cursor>(&text)?);
        }
        Ok(cursors)
    }

    /// Works out the slowest position in the outbox again, for pruning. A subscription counts as
    /// where [`Self::wanted_nothing_up_to`] puts it (the last matched event if it is owed nothing,
    /// its skip if it has one), else where its cursor is (or at the try or replay behind it). The
    /// [`MOVE`] furthest behind that position have their stored cursors moved there (so a new
    /// instance does not wake them to read past events they did not want). A cursor with
    /// something in hand is held owed again, in case a wake-up went astray.
    async fn refresh_slowest(&self, subscriptions: &[Stored]) -> Result<(), EdgeError> {
        let cursors = self.stored_cursors().await?;
        let mut behind: Vec<(&str, Cursor, String)> = Vec::new();
        let mut slowest: Option<String> = None;
        let mut in_hand = Vec::new();
        let newest = delivery::version_of(&subscriptions::last_outbox_key(&self.state.storage()).await?).unwrap_or(0);
        for stored in subscriptions {
            let id = stored.subscription.id.as_str();
            let cursor = cursors.get(id).cloned().unwrap_or_else(|| Cursor::starting_after(&stored.after));
            let mut position = cursor.earliest().to_owned();
            match self.wanted_nothing_up_to(stored, &cursor) {
                Some(up_to) => {
                    position = position.max(up_to.clone());
                    if cursor.after < up_to {
                        behind.push((id, cursor, up_to));
                    }
                }
                None if !cursor.idle() && stored.subscription.paused.is_none() => in_hand.push(id.to_owned()),
                None => {}
            }
            let keep = keep_from(stored, &position, newest);
            if slowest.as_ref().is_none_or(|s| keep < *s) {
                slowest = Some(keep);
            }
        }
        {
            let mut memory = self.deliveries.borrow_mut();
            memory.slowest = slowest;
            memory.runs = 0;
            memory.owed.extend(in_hand);
        }
        behind.sort_by(|a, b| a.1.after.cmp(&b.1.after));
        let mut moved = Vec::new();
        for (id, mut cursor, up_to) in behind.into_iter().take(MOVE) {
            cursor.after = up_to;
            moved.push((cursor_key(id), to_json(&cursor)?));
        }
        if !moved.is_empty() {
            // Only storage awaits since the cursors were read: no claim ran in between.
            self.state
                .storage()
                .transaction(move |txn| async move {
                    for (key, text) in moved {
                        txn.put(&key, text).await?;
                    }
                    Ok(())
                })
                .await?;
        }
        Ok(())
    }

    /// Matches the events written since the last run to the subscriptions that want them.
    async fn match_new(&self, subscriptions: &[Stored]) -> Result<(), EdgeError> {
        let scanned = self.deliveries.borrow().scanned.clone();
        let entries = self.judged_after(&scanned, MATCH).await?;
        let loaded = self.load().await?;
        {
            let mut memory = self.deliveries.borrow_mut();
            for (key, judged) in &entries {
                let wanted_nothing_up_to = std::mem::replace(&mut memory.scanned, key.clone());
                let Some(event) = judged else { continue };
                for stored in subscriptions.iter().filter(|s| s.subscription.paused.is_none()) {
                    let id = &stored.subscription.id;
                    if stored.subscription.wants_indexed(event, &loaded.page) && memory.owed.insert(id.clone()) {
                        memory.skip.insert(id.clone(), wanted_nothing_up_to.clone());
                    }
                }
            }
        }
        if entries.len() == MATCH {
            // More were written than one run matches: the next run goes on.
            self.schedule(0).await;
        }
        Ok(())
    }

    /// Deletes up to [`PRUNE`] outbox keys before `end` (see `keep_from`: every subscription is done
    /// with them, replays reach that far back, and a paused subscription keeps only the newest),
    /// noting the last one deleted. Best effort: the next alarm goes on.
    async fn prune(&self, end: &str) {
        let storage = self.state.storage();
        let options = ListOptions::new().prefix(OUTBOX_PREFIX).end(end).limit(PRUNE);
        let Ok(entries) = layout::entries(&storage, options).await else { return };
        let mut keys: Vec<String> = entries.into_iter().map(|(key, _)| key).collect();
        let Some(last) = keys.last().cloned() else { return };
        keys.extend(keys.iter().map(|key| index_key(key)).collect::<Vec<_>>());
        // The mark first: a cursor behind it is moved past the deleted keys with its gap recorded.
        if storage.put(PRUNED_KEY, last).await.is_ok() {
            for chunk in keys.chunks(128) {
                let _ = storage.delete_multiple(chunk.to_vec()).await;
            }
        }
    }

    /// The last outbox key pruning deleted ("" for none).
    async fn pruned(&self) -> Result<String, EdgeError> {
        Ok(self.state.storage().get::<String>(PRUNED_KEY).await?.unwrap_or_default())
    }

    /// `GET subscriptions/{id}/deliveries`.
    pub(super) async fn list_deliveries(&self, id: &str) -> Result<AdminReply, EdgeError> {
        let stored = self.stored_subscription(id).await?.ok_or_else(|| missing(id))?;
        let cursor = self.cursor(&stored).await?;
        let version = self.load().await.map(|l| l.version).unwrap_or(0);
        let body = serde_json::json!({
            "version": version,
            "subscription": subscriptions::shown(stored.subscription),
            "deliveries": cursor.recent,
            "replays_waiting": cursor.replays.len(),
            "gaps": cursor.gaps,
        });
        Ok(AdminReply { status: 200, version, body: body.to_string(), replay: false })
    }

    /// `POST subscriptions/{id}/deliveries/{delivery}/replay`: queues the event again (once, however
    /// often it is asked); it goes out before the next new event, signed with the same id.
    pub(super) async fn replay_delivery(&self, id: &str, delivery_id: &str) -> Result<AdminReply, EdgeError> {
        let stored = self.stored_subscription(id).await?.ok_or_else(|| missing(id))?;
        let not_its = || EdgeError::Missing(format!("{id} was sent no event {delivery_id:?}"));
        let key = delivery::key_of(delivery_id).ok_or_else(not_its)?;
        let mut cursor = self.cursor(&stored).await?;
        // Only events it was sent or given up on (after its creation, up to its cursor, one it
        // wants), still in the outbox: nothing ahead of its turn, nothing its filters exclude.
        if key <= stored.after || key > cursor.after {
            return Err(not_its());
        }
        let Some(text) = self.state.storage().get::<String>(&key).await? else { return Err(not_its()) };
        let event = readable(&key, &text).ok_or_else(not_its)?;
        if !stored.subscription.wants(&event, &self.load().await?.page) {
            return Err(not_its());
        }
        if !cursor.replay(&key) {
            return Err(EdgeError::Conflict(format!(
                "{} replays already wait for {id}: let them go out first",
                delivery::MAX_REPLAYS
            )));
        }
        self.save_cursor(id, &cursor).await?;
        self.deliveries.borrow_mut().owe(id);
        self.schedule(0).await;
        let version = self.load().await.map(|l| l.version).unwrap_or(0);
        let paused = stored.subscription.paused.is_some();
        let body = serde_json::json!({
            "version": version, "subscription": id, "delivery": delivery_id, "queued": true, "paused": paused,
        });
        Ok(AdminReply { status: 202, version, body: body.to_string(), replay: false })
    }
}

/// An outbox event, or `None` (logged) when it cannot be read: skipped rather than retried, since no
/// later try could read it either, and the events behind it must not wait for it.
fn readable(key: &str, text: &str) -> Option<Event> {
    match from_json::<Event>(text) {
        Ok(event) => Some(event),
        Err(err) => {
            worker::console_error!("outbox event {key} cannot be read and is skipped: {err}");
            None
        }
    }
}

fn missing(id: &str) -> EdgeError {
    EdgeError::Missing(format!("no subscription with id {id:?}"))
}
