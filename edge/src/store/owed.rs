//! What the store's instance knows of who is owed deliveries (see `claims`).

use std::collections::{HashMap, HashSet};

/// What this instance knows of who is owed deliveries, so that the alarm after a write looks at
/// that write's events only, not at every cursor. Built from the cursors once per instance; kept
/// true by `claim`, `settle` and `replay_delivery`, by [`Memory::touched`] after a subscription
/// write, and by the writes that move idle cursors on (`caught_up`, `refresh_slowest`). An entry
/// too many costs one claim that finds nothing.
///
/// What makes that work: a subscription not in `owed` (paused ones aside) wants no event after its
/// cursor up to `scanned` (only a claim that read to the end of the outbox, or a pause, takes one
/// out).
#[derive(Debug, Default)]
pub struct Memory {
    pub(super) built: bool,
    /// The outbox key up to which new events were matched to subscriptions.
    pub(super) scanned: String,
    /// Subscriptions that may be owed something: a wanted event, a try, a replay.
    pub(super) owed: HashSet<String>,
    /// Not to be woken before this instant (ms): a retry's time or a lease's end.
    pub(super) waits: HashMap<String, i64>,
    /// When each was last sent a wake-up (its message may still be in the queue).
    pub(super) woken: HashMap<String, i64>,
    /// For a subscription `match_new` found owed while it was owed nothing: the outbox key up to
    /// which it wanted nothing. Its claim starts there, not at its stored cursor, so each event is
    /// judged by the filter and the page as they were when the alarm matched it.
    pub(super) skip: HashMap<String, String>,
    /// How far pruning may go (an outbox key; see `claims::keep_from` and `refresh_slowest`).
    pub(super) slowest: Option<String>,
    /// Whether every outbox event has its index entry (claims then judge events by it).
    pub(super) indexed: bool,
    /// Alarm runs since the slowest position was last worked out.
    pub(super) runs: u32,
}

impl Memory {
    /// After a write to subscription `id`: one that still `exists` may be owed anything now (its
    /// filter changed, it was resumed), so its next claim finds out; a removed one is forgotten.
    /// The others are as they were: one subscription write costs one claim, not one per subscriber.
    pub fn touched(&mut self, id: &str, exists: bool) {
        if exists { self.owe(id) } else { self.forget(id) }
    }

    /// Subscription `id` may be owed anything: woken at the next alarm, even if a wake-up went out
    /// less than a lease ago (a second claim while a try is out waits for its lease), and its claim
    /// starts at its stored cursor.
    pub(super) fn owe(&mut self, id: &str) {
        self.waits.remove(id);
        self.woken.remove(id);
        self.skip.remove(id);
        self.owed.insert(id.to_owned());
    }

    /// Subscription `id` is owed nothing (or is gone): only a new event, a replay or a write wakes it.
    pub(super) fn forget(&mut self, id: &str) {
        self.owed.remove(id);
        self.waits.remove(id);
        self.woken.remove(id);
        self.skip.remove(id);
    }
}
