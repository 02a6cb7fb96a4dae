//! Who is owed deliveries: the delivery object's memory, as a pure state machine (the pattern of
//! `embed::state::State::update`). The object feeds it what happened (an event matched, a claim
//! found nothing, a try settled, a subscription written, the alarm ran) and does what it answers
//! (wake these subscriptions, set the alarm for then); storage stays in the object.
//!
//! Its invariant, which the property tests below check against a model of the whole loop (events,
//! claims, lost wake-ups, failures, restarts): **a subscription that is not owed (and not paused)
//! wants no event after its cursor up to `scanned`**. Only a claim that read to the end of the
//! outbox, or a pause, takes one out of `owed`; everything else only adds. From it follow the
//! properties the tests name: no wanted event is lost, each is sent at least once, in order per
//! subscription; a lost wake-up is sent again after a lease.

use std::collections::{BTreeMap, BTreeSet};

use super::Position;
use super::delivery::LEASE_MS;

/// What the delivery object knows of who is owed deliveries, so that the alarm after a write looks
/// at that write's events only, not at every cursor. Built from the cursors once per instance
/// ([`Wakes::rebuilt`]); an entry too many costs one claim that finds nothing.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Wakes {
    built: bool,
    /// The position up to which new events were matched to subscriptions.
    scanned: Position,
    /// Subscriptions that may be owed something: a wanted event, a try, a replay.
    owed: BTreeSet<String>,
    /// Not to be woken before this instant (ms): a retry's time or a lease's end.
    waits: BTreeMap<String, i64>,
    /// When each was last sent a wake-up (its message may still be in the queue).
    woken: BTreeMap<String, i64>,
    /// For a subscription [`Wakes::matched`] found owed while it was owed nothing: the outbox key up
    /// to which it wanted nothing. Its claim starts there, not at its stored cursor, so each event
    /// is judged by the filter as it was when the event was matched.
    skip: BTreeMap<String, Position>,
}

/// One subscription as [`Wakes::rebuilt`] sees it: whether anything may be owed after its cursor,
/// and until when it must not be woken.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Seen {
    pub id: String,
    pub owes: bool,
    pub wait_until: Option<i64>,
}

/// What the alarm does now.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Wake {
    /// Subscriptions to send a wake-up to, now.
    pub now: Vec<String>,
    /// When the alarm must run again (ms), if anyone is owed.
    pub next: Option<i64>,
}

impl Wakes {
    /// Whether it was built since the instance started.
    pub fn built(&self) -> bool {
        self.built
    }

    /// How far new events were matched.
    pub fn scanned(&self) -> Position {
        self.scanned
    }

    /// Whether nobody may be owed anything.
    pub fn idle(&self) -> bool {
        self.owed.is_empty()
    }

    /// Whether `id` may be owed something.
    pub fn owes(&self, id: &str) -> bool {
        self.owed.contains(id)
    }

    /// Built from every cursor, the outbox ending at `last`: who owes (conservatively: events after
    /// its cursor, wanted or not; its claim sorts that out) and who waits until when. Wake-ups sent
    /// before are kept (their messages may still be in the queue).
    pub fn rebuilt(&self, last: Position, seen: impl IntoIterator<Item = Seen>) -> Self {
        let mut wakes = Self { built: true, scanned: last, woken: self.woken.clone(), ..Self::default() };
        for seen in seen.into_iter().filter(|s| s.owes) {
            if let Some(at) = seen.wait_until {
                wakes.waits.insert(seen.id.clone(), at);
            }
            wakes.owed.insert(seen.id);
        }
        wakes
    }

    /// After a write to subscription `id`: one that still `exists` may be owed anything now (its
    /// filter changed, it was resumed), so its next claim finds out; a removed one is forgotten.
    /// The others are as they were: one subscription write costs one claim, not one per subscriber.
    pub fn touched(&mut self, id: &str, exists: bool) {
        if exists { self.owe(id) } else { self.forget(id) }
    }

    /// Subscription `id` may be owed anything: woken at the next alarm, even if a wake-up went out
    /// less than a lease ago (a second claim while a try is out waits for its lease), and its claim
    /// starts at its stored cursor.
    pub fn owe(&mut self, id: &str) {
        self.waits.remove(id);
        self.woken.remove(id);
        self.skip.remove(id);
        self.owed.insert(id.to_owned());
    }

    /// Subscription `id` is owed nothing (a claim read to the end of the outbox), is paused, or is
    /// gone: only a new event it wants, a replay or a write wakes it.
    pub fn forget(&mut self, id: &str) {
        self.owed.remove(id);
        self.waits.remove(id);
        self.woken.remove(id);
        self.skip.remove(id);
    }

    /// Subscription `id` is not to be woken before `at` (ms): a retry's time or a lease's end.
    pub fn wait(&mut self, id: &str, at: i64) {
        self.waits.insert(id.to_owned(), at);
        self.woken.remove(id);
    }

    /// A consumer reported on `id`'s try: it is done with it unless it goes on at once, so the
    /// alarm may wake it again.
    pub fn settled(&mut self, id: &str) {
        self.woken.remove(id);
    }

    /// The position up to which subscription `id` (with nothing in hand, not paused) is known to
    /// want no event, so that its claim may start there: the last matched event if it is owed
    /// nothing, else where its `skip` says. `None` when the memory does not know.
    pub fn wanted_nothing_up_to(&self, id: &str, idle: bool, paused: bool) -> Option<Position> {
        if !idle {
            return None;
        }
        if self.built && !self.owed.contains(id) && !paused {
            return Some(self.scanned);
        }
        self.skip.get(id).copied()
    }

    /// The outbox's event at `key` was matched: the subscriptions in `wanting` want it (paused ones left
    /// out by the caller). One owed nothing until now starts its next claim where it wanted nothing.
    pub fn matched<'a>(&mut self, key: Position, wanting: impl IntoIterator<Item = &'a str>) {
        let wanted_nothing_up_to = std::mem::replace(&mut self.scanned, key);
        for id in wanting {
            if self.owed.insert(id.to_owned()) {
                self.skip.insert(id.to_owned(), wanted_nothing_up_to);
            }
        }
    }

    /// The outbox's event at `key` could not be read: matched to nobody.
    pub fn passed(&mut self, key: Position) {
        self.scanned = key;
    }

    /// The alarm at `now` (ms): who to wake (each owed one not waiting and not woken less than a
    /// lease ago), noted as woken, and when to run again.
    pub fn wake(&mut self, now: i64) -> Wake {
        self.woken.retain(|_, at| *at + LEASE_MS > now);
        let mut wake = Wake::default();
        let mut soonest = |at: i64| wake.next = Some(wake.next.map_or(at, |n: i64| n.min(at)));
        for id in &self.owed {
            match (self.waits.get(id), self.woken.get(id)) {
                (Some(at), _) if *at > now => soonest(*at),
                (_, Some(at)) => soonest(at + LEASE_MS),
                _ => {
                    wake.now.push(id.clone());
                    self.woken.insert(id.clone(), now);
                    soonest(now + LEASE_MS);
                }
            }
        }
        wake
    }

    /// The wake-ups in `ids` were not sent (the queue refused them): the next alarm tries again.
    pub fn unwoken<'a>(&mut self, ids: impl IntoIterator<Item = &'a String>) {
        for id in ids {
            self.woken.remove(id);
        }
    }

    /// A look at every cursor found these with something in hand: held owed, in case a wake-up
    /// went astray.
    pub fn in_hand(&mut self, ids: impl IntoIterator<Item = String>) {
        self.owed.extend(ids);
    }
}

/// Whether a subscription with nothing in hand, its cursor at `after`, may be owed anything, judged
/// by `judged`: the outbox's index entries after `from`, in order, each with whether this
/// subscription wants it, reaching the outbox's end when `complete`. What the entries do not cover
/// counts as owed (its claim finds out), so that a restart wakes only who wants something.
pub fn owed_after(
    after: Position,
    from: Position,
    judged: impl IntoIterator<Item = (Position, bool)>,
    complete: bool,
) -> bool {
    if after < from {
        return true;
    }
    judged.into_iter().any(|(key, wanted)| key > after && wanted) || !complete
}

#[cfg(test)]
#[cfg(not(target_arch = "wasm32"))]
mod tests {
    //! The delivery loop modelled whole: an outbox of events, each subscription's real
    //! [`Cursor`], claims that read past the cursor as the object's do, a queue that may lose
    //! wake-ups, consumers that may vanish or fail, restarts that lose the memory. Whatever the
    //! sequence, once everything is let run, each subscription got every event it wants, in order.

    use proptest::prelude::*;

    use super::*;
    use crate::Timestamp;
    use crate::notify::EventType;
    use crate::notify::delivery::{Cursor, Due, Outcome, Settled};

    /// A subscription in the model: which event kinds it wants (of four), paused or not.
    #[derive(Clone, Debug)]
    struct Sub {
        wants: [bool; 4],
        paused: bool,
        cursor: Cursor,
        /// What its receiver got, in order.
        got: Vec<Position>,
    }

    #[derive(Clone, Debug)]
    enum Op {
        /// A write: one event of kind `n`.
        Event(usize),
        /// The alarm runs (after `ms`); wake-ups go to the queue.
        Alarm(i64),
        /// The queue delivers the oldest wake-up to a consumer, which claims, sends and reports
        /// (`fails`: the receiver answers 500; `vanishes`: the consumer dies before reporting).
        Consume { fails: bool, vanishes: bool },
        /// The queue loses its oldest wake-up.
        Lose,
        /// The object restarts: its memory is gone.
        Restart,
        /// Subscription `n` is paused, or resumed.
        Pause(usize),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            4 => (0..4usize).prop_map(Op::Event),
            3 => (0..40_000i64).prop_map(Op::Alarm),
            5 => (any::<bool>(), prop::bool::weighted(0.1)).prop_map(|(fails, vanishes)| Op::Consume { fails, vanishes }),
            1 => Just(Op::Lose),
            1 => Just(Op::Restart),
            1 => (0..4usize).prop_map(Op::Pause),
        ]
    }

    struct World {
        now: i64,
        outbox: Vec<(Position, usize)>,
        subs: Vec<Sub>,
        wakes: Wakes,
        queue: std::collections::VecDeque<String>,
    }

    fn at(ms: i64) -> Timestamp {
        Timestamp::from_unix_millis(ms).unwrap()
    }

    impl World {
        fn new(wants: &[[bool; 4]]) -> Self {
            let subs = wants.iter().map(|w| Sub { wants: *w, paused: false, cursor: Cursor::default(), got: vec![] });
            Self {
                now: 1_000_000,
                outbox: vec![],
                subs: subs.collect(),
                wakes: Wakes::default(),
                queue: Default::default(),
            }
        }

        fn id(n: usize) -> String {
            format!("sub_{n}")
        }

        fn last(&self) -> Position {
            self.outbox.last().map(|(k, _)| *k).unwrap_or_default()
        }

        /// The object's alarm: the memory built once, new events matched, wake-ups sent.
        fn alarm(&mut self) {
            if !self.wakes.built() {
                // As the object's `remember`: the index read once behind the slowest idle cursor,
                // at most SCAN entries (small, so that the model reaches the incomplete read too).
                const SCAN: usize = 3;
                let (now, last) = (self.now, self.last());
                let idle = self.subs.iter().filter(|s| !s.paused && s.cursor.idle()).map(|s| s.cursor.after);
                let from = idle.min().filter(|from| *from < last).unwrap_or(last);
                let judged: Vec<&(Position, usize)> =
                    self.outbox.iter().filter(|(k, _)| *k > from).take(SCAN).collect();
                let complete = judged.len() < SCAN;
                let seen = self.subs.iter().enumerate().filter(|(_, s)| !s.paused).map(|(n, s)| {
                    let wanted = judged.iter().map(|(k, kind)| (*k, s.wants[*kind]));
                    Seen {
                        id: Self::id(n),
                        owes: s.cursor.owes(last)
                            && (!s.cursor.idle() || owed_after(s.cursor.after, from, wanted, complete)),
                        wait_until: match s.cursor.due(now) {
                            Due::Wait(at) => Some(at),
                            _ => None,
                        },
                    }
                });
                self.wakes = self.wakes.rebuilt(last, seen.collect::<Vec<_>>());
            } else {
                let scanned = self.wakes.scanned();
                for (key, kind) in self.outbox.iter().filter(|(k, _)| *k > scanned) {
                    let wanting: Vec<String> = (0..self.subs.len())
                        .filter(|n| !self.subs[*n].paused && self.subs[*n].wants[*kind])
                        .map(Self::id)
                        .collect();
                    self.wakes.matched(*key, wanting.iter().map(String::as_str));
                }
            }
            let wake = self.wakes.wake(self.now);
            self.queue.extend(wake.now);
        }

        /// A consumer's claim for `n`, as the object's: the memory's skip, then the cursor.
        fn claim(&mut self, n: usize) -> Option<(Position, u64)> {
            let id = Self::id(n);
            let now = self.now;
            let sub = &mut self.subs[n];
            if sub.paused {
                self.wakes.forget(&id);
                return None;
            }
            if sub.cursor.unreported(now) {
                let claim = sub.cursor.claims;
                let failed = Outcome::Failed { reason: "no report".into() };
                if let Settled::RetryAt(at) = sub.cursor.settle_within(claim, &failed, at(now), 0.5, i64::MAX) {
                    self.wakes.wait(&id, at);
                }
                self.wakes.settled(&id);
                return None;
            }
            if let Some(up_to) = self.wakes.wanted_nothing_up_to(&id, sub.cursor.idle(), false) {
                sub.cursor.after = sub.cursor.after.max(up_to);
            }
            let key = match sub.cursor.due(now) {
                Due::Wait(until) => {
                    self.wakes.wait(&id, until);
                    return None;
                }
                Due::Retry(key) | Due::Replay(key) => key,
                Due::Next => {
                    let after = sub.cursor.after;
                    match self.outbox.iter().find(|(k, kind)| *k > after && sub.wants[*kind]) {
                        Some((key, _)) => *key,
                        None => {
                            sub.cursor.after = after.max(self.outbox.last().map(|(k, _)| *k).unwrap_or_default());
                            self.wakes.forget(&id);
                            return None;
                        }
                    }
                }
            };
            // As the object's claim: the wake-up stays noted, so the alarm leaves it for a lease.
            let claim = sub.cursor.claim(key, &key.key(), EventType::IncidentOpened, at(now));
            Some((key, claim))
        }

        fn consume(&mut self, fails: bool, vanishes: bool) {
            let Some(id) = self.queue.pop_front() else { return };
            let n: usize = id.trim_start_matches("sub_").parse().unwrap();
            let Some((key, claim)) = self.claim(n) else { return };
            if vanishes {
                return;
            }
            let outcome =
                if fails { Outcome::Failed { reason: "500".into() } } else { Outcome::Delivered { status: 200 } };
            let sub = &mut self.subs[n];
            let settled = sub.cursor.settle_within(claim, &outcome, at(self.now), 0.5, i64::MAX);
            self.wakes.settled(&id);
            match settled {
                Settled::Delivered => sub.got.push(key),
                Settled::RetryAt(at) => self.wakes.wait(&id, at),
                Settled::Stale | Settled::Dead { .. } => {}
            }
        }

        fn apply(&mut self, op: &Op) {
            match op {
                Op::Event(kind) => {
                    let version = self.outbox.len() as u64 + 1;
                    self.outbox.push((Position::at(version, 0), *kind));
                }
                Op::Alarm(ms) => {
                    self.now += ms;
                    self.alarm();
                }
                Op::Consume { fails, vanishes } => self.consume(*fails, *vanishes),
                Op::Lose => _ = self.queue.pop_front(),
                Op::Restart => self.wakes = Wakes::default(),
                Op::Pause(n) => {
                    // As a subscription write: it is touched, and its next claim finds it paused.
                    let n = n % self.subs.len();
                    self.subs[n].paused = !self.subs[n].paused;
                    self.wakes.touched(&Self::id(n), true);
                }
            }
        }

        /// Everything let run: nobody paused, the alarm and the consumers until the queue stays empty.
        fn settle_down(&mut self) {
            for n in 0..self.subs.len() {
                if self.subs[n].paused {
                    self.subs[n].paused = false;
                    self.wakes.touched(&Self::id(n), true);
                }
            }
            for _ in 0..10_000 {
                self.now += LEASE_MS + 1;
                self.alarm();
                if self.queue.is_empty() && self.wakes.idle() {
                    return;
                }
                while !self.queue.is_empty() {
                    self.consume(false, false);
                }
            }
            panic!("deliveries never settled");
        }
    }

    fn wants() -> impl Strategy<Value = Vec<[bool; 4]>> {
        prop::collection::vec(prop::array::uniform4(any::<bool>()), 1..4)
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

        /// No wanted event lost, each sent at least once, in order per subscription; nothing sent
        /// that its filter does not want.
        #[test]
        fn every_wanted_event_arrives_in_order(wants in wants(), ops in prop::collection::vec(op(), 0..80)) {
            let mut world = World::new(&wants);
            for op in &ops {
                world.apply(op);
            }
            world.settle_down();
            for sub in &world.subs {
                let wanted: Vec<&Position> = world.outbox.iter().filter(|(_, kind)| sub.wants[*kind]).map(|(k, _)| k).collect();
                let mut got: Vec<&Position> = sub.got.iter().collect();
                // At least once: a try whose report was lost is sent again, right after itself.
                got.dedup();
                prop_assert_eq!(got, wanted);
            }
        }

        /// The invariant itself, after every step: a subscription not owed and not paused, with
        /// nothing in hand, wants nothing after its cursor up to what was matched.
        #[test]
        fn not_owed_means_nothing_wanted(wants in wants(), ops in prop::collection::vec(op(), 0..80)) {
            let mut world = World::new(&wants);
            for op in &ops {
                world.apply(op);
                if !world.wakes.built() {
                    continue;
                }
                let scanned = world.wakes.scanned();
                for (n, sub) in world.subs.iter().enumerate() {
                    if sub.paused || world.wakes.owes(&World::id(n)) || !sub.cursor.idle() {
                        continue;
                    }
                    let owed = world.outbox.iter().any(|(k, kind)| *k > sub.cursor.after && *k <= scanned && sub.wants[*kind]);
                    prop_assert!(!owed, "{} is owed an event but not in owed", World::id(n));
                }
            }
        }
    }

    #[test]
    fn after_a_restart_only_who_wants_something_is_owed() {
        let p = |v| Position::at(v, 0);
        let judged = [(p(2), false), (p(3), true), (p(4), false)];
        assert!(owed_after(p(1), p(1), judged, true), "it wants 3");
        assert!(!owed_after(p(3), p(1), judged, true), "past what it wants: nothing");
        assert!(owed_after(p(3), p(1), judged, false), "the entries stop short of the end");
        assert!(owed_after(p(0), p(1), judged, true), "its cursor is before what was read");
    }

    #[test]
    fn a_lost_wake_up_is_sent_again_after_a_lease() {
        let mut wakes =
            Wakes::default().rebuilt(Position::Start, [Seen { id: "a".into(), owes: true, wait_until: None }]);
        assert_eq!(wakes.wake(0).now, ["a"]);
        let again = wakes.wake(1);
        assert!(again.now.is_empty(), "not twice within a lease");
        assert_eq!(again.next, Some(LEASE_MS));
        assert_eq!(wakes.wake(LEASE_MS).now, ["a"], "the message was lost: woken again");
    }

    #[test]
    fn a_subscription_owed_nothing_starts_its_claim_where_it_wanted_nothing() {
        let p = |v| Position::at(v, 0);
        let mut wakes = Wakes::default().rebuilt(p(1), []);
        assert_eq!(wakes.wanted_nothing_up_to("a", true, false), Some(p(1)));
        wakes.matched(p(2), ["a"]);
        assert_eq!(wakes.wanted_nothing_up_to("a", true, false), Some(p(1)), "its skip");
        assert_eq!(wakes.wanted_nothing_up_to("a", false, false), None, "something in hand: its cursor");
        wakes.touched("a", true);
        assert_eq!(wakes.wanted_nothing_up_to("a", true, false), None, "written: from its stored cursor");
    }
}
