//! Cursors, claims, leases, retries, replays and pruning: the delivery object owns the truth (each
//! subscription's cursor, its current try and its lease, see `shared::notify::delivery`); the
//! queue only carries wake-ups.
//!
//! 1. The writer hands each committed write's events over (`take`); they go into the outbox.
//! 2. The alarm ([`DeliveryStore::kick`]) matches new events to subscriptions, sends one queue
//!    message per subscription that may send now (`{"subscription": id}`, no payload), and sets
//!    itself again for the next retry or lease end (who is owed what: `shared::notify::wakes`).
//! 3. The consumer asks for the next try ([`DeliveryStore::claim`]): this object finds the next
//!    event the subscription wants, builds the body in its format, signs it, and holds a lease on it.
//! 4. The consumer sends it and reports ([`DeliveryStore::report`]): the cursor moves on, a retry is
//!    scheduled, or after a day the event is dead-lettered and the subscription paused.
//!
//! A lost queue message, a consumer killed mid-send, a restart: the lease runs out and the alarm
//! sends the wake-up again. At least once, in order per subscription, decided here alone.

use std::collections::HashMap;
use std::ops::Bound;

use sitrep_shared::Timestamp;
use sitrep_shared::notify::delivery::{self, Cursor, Due, Outcome, Settled};
use sitrep_shared::notify::retry;
use sitrep_shared::notify::wakes::{Seen, owed_after};
use sitrep_shared::notify::{Channel, Event, INDEX_PREFIX, Indexed, OUTBOX_PREFIX, Position, message, sign};
use worker::ListOptions;

use super::layout::{self, CURSOR_PREFIX, Key, PAUSE_OWED_PREFIX, PauseOwed};
use super::object::DeliveryStore;
use super::protocol::{DeliverReply, Kick, Listed, Outgoing, Replayed};
use crate::clock::{now, now_ms};
use crate::error::EdgeError;
use crate::handoff::Stored;
use crate::storage::{Batch, entries, from_json, to_json};

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
/// Outbox keys deleted per alarm run at most.
const PRUNE: usize = 128;
/// Queue messages per `sendBatch` (the platform's limit is 100).
const BATCH: usize = 100;

/// What a look past a cursor found.
enum Scan {
    Found(Position, Box<Event>),
    /// Nothing wanted up to the end of the outbox.
    End,
    /// Nothing wanted in the keys one request reads: there are more.
    More,
}

/// Alarm runs between two looks at the cursors for the slowest position (pruning follows it). Test
/// builds look every 5 runs, so that a test sees a look within seconds.
const REFRESH_EVERY: u32 = if cfg!(feature = "fault-injection") { 5 } else { 100 };

/// How long after the last new events the alarm runs once more to look at the cursors and prune
/// (writes have stopped: no other run would come). Test builds wait a second.
const TIDY_MS: u64 = if cfg!(feature = "fault-injection") { 1_000 } else { 60_000 };

/// Idle cursors moved on per look at the cursors at most, furthest behind first (each is a whole
/// cursor written, its recent deliveries included).
const MOVE: usize = 64;

/// Index entries a new instance reads at most to learn who is owed what (each a few bytes): past
/// them, a lagging subscription counts as owed and its claim finds out.
const REMEMBER_SCAN: usize = 4_096;

/// Outbox events matched to subscriptions per alarm run at most.
const MATCH: usize = 256;

/// Where pruning may go up to for one subscription at outbox `position`: the replay window behind
/// it, or for a paused one only the newest events (what it loses is listed as a gap on resume).
fn keep_from(stored: &Stored, position: Position, newest: u64) -> Position {
    if stored.subscription.paused.is_some() {
        delivery::paused_floor(position, newest, PAUSED_KEEP)
    } else {
        Position::version_start(position.version().unwrap_or(0).saturating_sub(KEEP_VERSIONS))
    }
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

impl DeliveryStore {
    async fn stored_subscription(&self, id: &str) -> Result<Option<Stored>, EdgeError> {
        Ok(self.subscriptions().await?.iter().find(|s| s.subscription.id == id).cloned())
    }

    /// Subscription `id` is owed nothing now: only a new event or a replay wakes it again.
    fn idle(&self, id: &str) {
        self.wakes.borrow_mut().forget(id);
    }

    /// Subscription `id` is not to be woken before `at` (ms); the alarm is set for then.
    async fn wait(&self, id: &str, at: i64) {
        self.wakes.borrow_mut().wait(id, at);
        self.schedule(at.saturating_sub(now_ms() as i64).max(0) as u64).await;
    }

    async fn cursor(&self, stored: &Stored) -> Result<Cursor, EdgeError> {
        match self.state.storage().get::<String>(&Key::Cursor(&stored.subscription.id).text()).await? {
            Some(text) => from_json(&text),
            None => Ok(Cursor::starting_after(stored.after)),
        }
    }

    async fn save_cursor(&self, id: &str, cursor: &Cursor) -> Result<(), EdgeError> {
        Ok(self.state.storage().put(&Key::Cursor(id).text(), to_json(cursor)?).await?)
    }

    /// The next outbox event after `cursor.after` that the subscription wants; events it does not
    /// want move the cursor past them.
    async fn next_wanted(&self, stored: &Stored, cursor: &mut Cursor) -> Result<Scan, EdgeError> {
        for _ in 0..SCAN_MAX / SCAN {
            let entries = self.judged_after(cursor.after, SCAN).await?;
            for (key, judged) in &entries {
                if judged.as_ref().is_some_and(|j| stored.subscription.wants_indexed(j)) {
                    // Only a wanted event is read whole.
                    if let Some(event) = self.event(*key).await? {
                        return Ok(Scan::Found(*key, Box::new(event)));
                    }
                }
                cursor.after = *key;
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
    pub(super) async fn caught_up(&self, stored: &Stored) -> Result<Option<Cursor>, EdgeError> {
        let mut cursor = self.cursor(stored).await?;
        let before = cursor.clone();
        // A paused subscription's edit (its resume included) is where what it lost is recorded.
        cursor.skip_pruned(self.pruned().await?, stored.subscription.paused.is_some());
        if let Some(up_to) = self.wanted_nothing_up_to(stored, &cursor) {
            cursor.after = cursor.after.max(up_to);
        }
        self.next_wanted(stored, &mut cursor).await?;
        if cursor == before {
            return Ok(None);
        }
        Ok(Some(cursor))
    }

    /// The position up to which subscription `stored`, with nothing in hand on `cursor`, is known
    /// to want no event, so that its cursor may start there (see `Wakes::wanted_nothing_up_to`).
    fn wanted_nothing_up_to(&self, stored: &Stored, cursor: &Cursor) -> Option<Position> {
        let wakes = self.wakes.borrow();
        let paused = stored.subscription.paused.is_some();
        wakes.wanted_nothing_up_to(&stored.subscription.id, cursor.idle(), paused)
    }

    /// The events after `after` (at most `limit`), each as its position and what a filter judges
    /// it by (`None`: unreadable, skipped), read from the small index beside the outbox.
    async fn judged_after(&self, after: Position, limit: usize) -> Result<Vec<(Position, Option<Indexed>)>, EdgeError> {
        // Just after `after`'s own key ("" for the start sorts before every index key).
        let start = format!("{}\0", Key::Index(after).text());
        let options = ListOptions::new().prefix(INDEX_PREFIX).start(&start).limit(limit);
        let found = entries(&self.state.storage(), options).await?;
        let judged =
            found.into_iter().filter_map(|(key, text)| Some((Position::of_index_key(&key)?, from_json(&text).ok())));
        Ok(judged.collect())
    }

    /// The event at `key`, if it is still in the outbox and readable.
    async fn event(&self, key: Position) -> Result<Option<Event>, EdgeError> {
        let text = self.state.storage().get::<String>(&Key::Outbox(key).text()).await?;
        Ok(text.and_then(|text| readable(key, &text)))
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
        let before = cursor.clone();
        // Pruning went past it: over events it did not want (an idle subscription counts as at the
        // last matched event), so no gap; a paused one's gap was recorded at its resume.
        cursor.skip_pruned(self.pruned().await?, false);
        if let Some(up_to) = self.wanted_nothing_up_to(&stored, &cursor) {
            // It wanted nothing up to there when those events were matched.
            cursor.after = cursor.after.max(up_to);
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
                    match self.event(key).await? {
                        Some(event) => Scan::Found(key, Box::new(event)),
                        None => {
                            // Gone from the outbox, or unreadable: drop it and look again (a look
                            // past the cursor skips it too).
                            if cursor.attempt.as_ref().is_some_and(|a| a.key == key) {
                                cursor.attempt = None;
                            }
                            cursor.replays.retain(|r| *r != key);
                            continue;
                        }
                    }
                }
                Due::Next => self.next_wanted(&stored, &mut cursor).await?,
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
                    self.wakes.borrow_mut().owe(id);
                    self.schedule(0).await;
                } else {
                    self.idle(id);
                }
                return Ok(DeliverReply::Idle);
            }
        };
        let labels = labels(&event);
        let body = message::body(stored.subscription.kind, &event, &*self.page().await?, labels);
        let headers = headers(&stored, &event, &body, now)?;
        let claim = cursor.claim(key, &event.id, event.kind, now);
        self.save_cursor(id, &cursor).await?;
        // If this consumer vanishes, the alarm hands the try out again when the lease ends.
        self.schedule(delivery::LEASE_MS as u64).await;
        let timeout_ms = delivery::send_timeout_ms(stored.subscription.kind);
        let (url, lease_until) = (stored.subscription.url, cursor.lease_until);
        let may_defer = cursor.attempt.as_ref().is_some_and(delivery::Attempt::may_defer);
        let subscription = id.to_owned();
        let outgoing = Outgoing { subscription, claim, lease_until, url, headers, body, timeout_ms, may_defer };
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
        let event = cursor.attempt.as_ref().map(|a| a.key).unwrap_or_default();
        #[cfg(feature = "fault-injection")]
        let give_up_after = self.give_up_after.get().unwrap_or(retry::GIVE_UP_AFTER_MS);
        #[cfg(not(feature = "fault-injection"))]
        let give_up_after = retry::GIVE_UP_AFTER_MS;
        let settled = cursor.settle_within(claim, outcome, now, js_sys::Math::random(), give_up_after);
        if settled == Settled::Stale {
            return Ok(settled);
        }
        // Its consumer is done with it unless it goes on at once: the alarm may wake it again.
        self.wakes.borrow_mut().settled(&id);
        match &settled {
            Settled::Dead { reason } if stored.subscription.paused.is_none() => {
                // Paused here at once, with the cursor past the dead event, in one write; the alarm
                // asks the writer to pause it too (logged, shown) until it has (see `ask_pauses`):
                // the consumer's report never waits on the writer.
                let mut paused = stored;
                paused.subscription.paused = Some(sitrep_shared::notify::Pause { at: now, reason: reason.clone() });
                let owed = PauseOwed { reason: reason.clone(), token: format!("pause/{id}/{event}") };
                let mut batch = Batch::default();
                batch.put(Key::Cursor(&id), &cursor)?;
                batch.put(Key::Subscription(&id), &paused)?;
                batch.put(Key::PauseOwed(&id), &owed)?;
                batch.commit(&self.state.storage()).await?;
                *self.subscriptions.borrow_mut() = None;
                self.idle(&id);
                self.next_ask.set(0);
                self.schedule(0).await;
                self.dead_letter(&id, event, reason).await;
            }
            Settled::Dead { reason } => {
                // Already paused by the operator: keep their reason.
                self.save_cursor(&id, &cursor).await?;
                self.idle(&id);
                self.dead_letter(&id, event, reason).await;
            }
            Settled::RetryAt(at) => {
                self.save_cursor(&id, &cursor).await?;
                self.wait(&id, *at).await;
            }
            Settled::Delivered | Settled::Stale => self.save_cursor(&id, &cursor).await?,
        }
        Ok(settled)
    }

    /// Asks the writer to pause subscription `id` with `reason` (a write by the store, logged and
    /// shown); once it has, the pause is no longer owed. Best effort: the alarm asks again.
    /// Asks the writer to pause subscription `id` (a write by the store, logged and shown, taken
    /// once per token); once it has, the pause is no longer owed. Whether it was taken.
    async fn ask_pause(&self, id: &str, owed: &PauseOwed) -> bool {
        let Ok(object) = self.object() else { return false };
        match crate::store::paused(&self.env, &object, id, &owed.reason, &owed.token).await {
            Ok(_) => {
                let _ = self.state.storage().delete(&Key::PauseOwed(id).text()).await;
                true
            }
            Err(err) => {
                worker::console_warn!("the writer did not take the pause of {id}: {err}; asking again in 5 s");
                false
            }
        }
    }

    /// From the alarm, after the wake-ups: asks the writer for every pause it has not confirmed,
    /// at most every 5 s while it does not answer.
    pub(super) async fn ask_pauses(&self) {
        let now = now_ms();
        let options = ListOptions::new().prefix(PAUSE_OWED_PREFIX);
        let Ok(owed) = entries(&self.state.storage(), options).await else { return };
        if !owed.is_empty() && now < self.next_ask.get() {
            // Not yet: an alarm then (this run may be an earlier one, set for something else).
            self.schedule(self.next_ask.get() - now).await;
            return;
        }
        for (key, text) in owed {
            let Ok(owed) = from_json::<PauseOwed>(&text) else { continue };
            if !self.ask_pause(key.trim_start_matches(PAUSE_OWED_PREFIX), &owed).await {
                self.next_ask.set(now + 5_000);
                self.schedule(5_000).await;
                return;
            }
        }
    }

    /// Who may need which outbox keys changed (a resume, a new or removed subscription, a replay):
    /// pruning stops until the next run has looked at the cursors again.
    pub(super) fn rethink_pruning(&self) {
        *self.slowest.borrow_mut() = None;
        self.runs.set(REFRESH_EVERY + 1);
    }

    /// Sends a given-up event to the dead-letter queue (best effort: it is also in the
    /// subscription's deliveries, marked dead, and the subscription is paused).
    async fn dead_letter(&self, id: &str, key: Position, reason: &str) {
        let Ok(queue) = self.env.queue(crate::bindings::DEAD_LETTER_BINDING) else { return };
        let page = self.object().unwrap_or_default();
        let letter = serde_json::json!({ "page": page, "subscription": id, "outbox_key": key, "reason": reason });
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
        let subscriptions = self.subscriptions().await?;
        let last = layout::last_position(&self.state.storage()).await?;
        if subscriptions.is_empty() {
            // Nobody is owed anything: the outbox goes, a batch per run.
            if last != Position::Start {
                self.prune(Bound::Included(last)).await;
                self.schedule(1_000).await;
            }
            return Ok(());
        }
        let now = now_ms() as i64;
        self.runs.set(self.runs.get() + 1);
        if !self.wakes.borrow().built() {
            self.remember(&subscriptions, last, now).await?;
        } else {
            let new_events = self.wakes.borrow().scanned() < last;
            if new_events {
                self.match_new(&subscriptions).await?;
            }
            // A run with no new events after some: writes stopped, look at the cursors now.
            let tidy = !new_events && self.tidy.replace(false);
            if (self.runs.get() > REFRESH_EVERY || tidy)
                && let Err(err) = self.refresh_slowest(&subscriptions).await
            {
                // Best effort: pruning waits, and the next look (100 runs on) tries again.
                worker::console_warn!("looking at the delivery cursors failed: {err}");
                self.runs.set(0);
            }
            if new_events {
                self.tidy.set(true);
                self.schedule(TIDY_MS).await;
            }
        }
        let slowest = *self.slowest.borrow();
        if let Some(slowest) = slowest
            && self.prune(Bound::Excluded(slowest)).await
        {
            // A whole batch went: more may be due.
            self.schedule(0).await;
        }
        let wake = self.wakes.borrow_mut().wake(now);
        if !wake.now.is_empty() {
            let queue = self.env.queue(crate::bindings::DELIVERY_BINDING)?;
            let page = self.object()?;
            for (n, chunk) in wake.now.chunks(BATCH).enumerate() {
                let kicks: Vec<Kick> =
                    chunk.iter().map(|id| Kick { subscription: id.clone(), page: page.clone() }).collect();
                if let Err(err) = queue.send_batch(kicks).await {
                    // This chunk and the ones after it were not woken: the next run tries again.
                    self.wakes.borrow_mut().unwoken(&wake.now[n * BATCH..]);
                    return Err(err.into());
                }
            }
        }
        if let Some(at) = wake.next {
            self.schedule(at.saturating_sub(now).max(0) as u64).await;
        }
        Ok(())
    }

    /// Builds the memory from every cursor: who owes (conservatively: events after its cursor,
    /// wanted or not; its claim sorts that out), who waits until when, the slowest cursor.
    async fn remember(&self, subscriptions: &[Stored], last: Position, now: i64) -> Result<(), EdgeError> {
        let mut cursors = self.stored_cursors().await?;
        let cursors: Vec<Cursor> = subscriptions
            .iter()
            .map(|s| cursors.remove(&s.subscription.id).unwrap_or_else(|| Cursor::starting_after(s.after)))
            .collect();
        // The index after the slowest idle cursor, read once: an idle subscription behind events it
        // does not want is owed nothing (a restart wakes only who wants something).
        let idle = |(stored, cursor): &(&Stored, &Cursor)| stored.subscription.paused.is_none() && cursor.idle();
        let from = subscriptions.iter().zip(&cursors).filter(idle).map(|(_, c)| c.after).min();
        let from = from.filter(|from| *from < last).unwrap_or(last);
        let judged = if from < last { self.judged_after(from, REMEMBER_SCAN).await? } else { vec![] };
        let complete = judged.len() < REMEMBER_SCAN;
        let mut slowest: Option<Position> = None;
        let mut seen = Vec::new();
        for (stored, cursor) in subscriptions.iter().zip(cursors) {
            let id = &stored.subscription.id;
            let keep = keep_from(stored, cursor.earliest(), last.version().unwrap_or(0));
            if slowest.is_none_or(|slowest| keep < slowest) {
                slowest = Some(keep);
            }
            let wanted = judged
                .iter()
                .map(|(key, judged)| (*key, judged.as_ref().is_some_and(|j| stored.subscription.wants_indexed(j))));
            let owes = stored.subscription.paused.is_none()
                && cursor.owes(last)
                && (!cursor.idle() || owed_after(cursor.after, from, wanted, complete));
            let wait_until = match cursor.due(now) {
                Due::Wait(at) => Some(at),
                _ => None,
            };
            seen.push(Seen { id: id.clone(), owes, wait_until });
        }
        let rebuilt = self.wakes.borrow().rebuilt(last, seen);
        *self.wakes.borrow_mut() = rebuilt;
        *self.slowest.borrow_mut() = slowest;
        Ok(())
    }

    /// Every stored cursor, by subscription id.
    async fn stored_cursors(&self) -> Result<HashMap<String, Cursor>, EdgeError> {
        let mut cursors = HashMap::new();
        for (key, text) in entries(&self.state.storage(), ListOptions::new().prefix(CURSOR_PREFIX)).await? {
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
        let mut behind: Vec<(&str, Cursor, Position)> = Vec::new();
        let mut slowest: Option<Position> = None;
        let mut in_hand = Vec::new();
        let newest = layout::last_position(&self.state.storage()).await?.version().unwrap_or(0);
        for stored in subscriptions {
            let id = stored.subscription.id.as_str();
            let cursor = cursors.get(id).cloned().unwrap_or_else(|| Cursor::starting_after(stored.after));
            let mut position = cursor.earliest();
            match self.wanted_nothing_up_to(stored, &cursor) {
                Some(up_to) => {
                    position = position.max(up_to);
                    if cursor.after < up_to {
                        behind.push((id, cursor, up_to));
                    }
                }
                None if !cursor.idle() && stored.subscription.paused.is_none() => in_hand.push(id.to_owned()),
                None => {}
            }
            let keep = keep_from(stored, position, newest);
            if slowest.is_none_or(|s| keep < s) {
                slowest = Some(keep);
            }
        }
        *self.slowest.borrow_mut() = slowest;
        self.runs.set(0);
        self.wakes.borrow_mut().in_hand(in_hand);
        behind.sort_by_key(|(_, cursor, _)| cursor.after);
        let mut moved = Batch::default();
        for (id, mut cursor, up_to) in behind.into_iter().take(MOVE) {
            cursor.after = up_to;
            moved.put(Key::Cursor(id), &cursor)?;
        }
        // Only storage awaits since the cursors were read: no claim ran in between.
        moved.commit(&self.state.storage()).await
    }

    /// Matches the events written since the last run to the subscriptions that want them.
    async fn match_new(&self, subscriptions: &[Stored]) -> Result<(), EdgeError> {
        let scanned = self.wakes.borrow().scanned();
        let judged = self.judged_after(scanned, MATCH).await?;
        {
            let mut wakes = self.wakes.borrow_mut();
            for (key, judged) in &judged {
                let Some(event) = judged else {
                    wakes.passed(*key);
                    continue;
                };
                let active = subscriptions.iter().filter(|s| s.subscription.paused.is_none());
                let wanting =
                    active.filter(|s| s.subscription.wants_indexed(event)).map(|s| s.subscription.id.as_str());
                wakes.matched(*key, wanting);
            }
        }
        if judged.len() == MATCH {
            // More were written than one run matches: the next run goes on.
            self.schedule(0).await;
        }
        Ok(())
    }

    /// Deletes up to [`PRUNE`] outbox events up to `end` (see `keep_from`: every subscription is done
    /// with them, replays reach that far back, and a paused subscription keeps only the newest),
    /// noting the last one deleted. Best effort: the next alarm goes on. Whether a whole batch went.
    async fn prune(&self, end: Bound<Position>) -> bool {
        let storage = self.state.storage();
        let end = match end {
            Bound::Excluded(before) => Key::Outbox(before).text(),
            // Just after its key.
            Bound::Included(last) => format!("{}\0", Key::Outbox(last).text()),
            Bound::Unbounded => format!("{OUTBOX_PREFIX}~"),
        };
        let options = ListOptions::new().prefix(OUTBOX_PREFIX).end(&end).limit(PRUNE);
        let Ok(found) = entries(&storage, options).await else { return false };
        let full = found.len() == PRUNE;
        let positions: Vec<Position> = found.iter().filter_map(|(key, _)| Position::of_key(key)).collect();
        let Some(last) = positions.last().copied() else { return false };
        let outbox = found.into_iter().map(|(key, _)| key);
        let keys: Vec<String> = outbox.chain(positions.iter().map(|at| Key::Index(*at).text())).collect();
        // The mark first: a cursor behind it is moved past the deleted keys with its gap recorded.
        if storage.put(&Key::Pruned.text(), last.key()).await.is_err() {
            return false;
        }
        for chunk in keys.chunks(128) {
            let _ = storage.delete_multiple(chunk.to_vec()).await;
        }
        full
    }

    /// The last position pruning deleted ([`Position::Start`] for none).
    async fn pruned(&self) -> Result<Position, EdgeError> {
        layout::position(&self.state.storage(), Key::Pruned).await
    }

    /// `GET subscriptions/{id}/deliveries`.
    pub(super) async fn list(&self, id: &str) -> Result<Listed, EdgeError> {
        let stored = self.stored_subscription(id).await?.ok_or_else(|| missing(id))?;
        let cursor = self.cursor(&stored).await?;
        Ok(Listed {
            deliveries: serde_json::json!(cursor.recent),
            replays_waiting: cursor.replays.len(),
            gaps: serde_json::json!(cursor.gaps),
        })
    }

    /// `POST subscriptions/{id}/deliveries/{delivery}/replay`: queues the event again (once, however
    /// often it is asked); it goes out before the next new event, signed with the same id.
    pub(super) async fn replay(&self, id: &str, delivery_id: &str) -> Result<Replayed, EdgeError> {
        let stored = self.stored_subscription(id).await?.ok_or_else(|| missing(id))?;
        let not_its = || EdgeError::Missing(format!("{id} was sent no event {delivery_id:?}"));
        let key = delivery::position_of(delivery_id).ok_or_else(not_its)?;
        let mut cursor = self.cursor(&stored).await?;
        // Only events it was sent or given up on (after its creation, up to its cursor, one it
        // wants), still in the outbox: nothing ahead of its turn, nothing its filters exclude.
        if key <= stored.after || key > cursor.after {
            return Err(not_its());
        }
        let judged = self.state.storage().get::<String>(&Key::Index(key).text()).await?;
        let indexed: Indexed = judged.and_then(|text| from_json(&text).ok()).ok_or_else(not_its)?;
        if !stored.subscription.wants_indexed(&indexed) {
            return Err(not_its());
        }
        if !cursor.replay(key) {
            return Err(EdgeError::Conflict(format!(
                "{} replays already wait for {id}: let them go out first",
                delivery::MAX_REPLAYS
            )));
        }
        self.save_cursor(id, &cursor).await?;
        self.wakes.borrow_mut().owe(id);
        self.rethink_pruning();
        self.schedule(0).await;
        Ok(Replayed { paused: stored.subscription.paused.is_some() })
    }
}

/// An outbox event, or `None` (logged) when it cannot be read: skipped rather than retried, since no
/// later try could read it either, and the events behind it must not wait for it.
fn readable(key: Position, text: &str) -> Option<Event> {
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
