//! The delivery object itself: its memory, its entry points (`fetch`, `alarm`) and its one router.
//! Its jobs are files of their own beside this one: `take` (the writer's hand-off) and `claims`
//! (cursors, claims, leases, retries, replays, pruning).

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use sitrep_shared::Page;
use sitrep_shared::notify::wakes::Wakes;
use worker::{DurableObject, Env, Request, Response, State, durable_object};

use super::layout;
use super::protocol::{DeliveryAdmin, DeliveryRequest};
use crate::clock::now_ms;
use crate::error::EdgeError;
use crate::handoff::Stored;
use crate::seam::answer;

/// Alarm runs are at least this far apart (ms): a burst of claims that each want the alarm soon
/// runs it once.
const MIN_GAP_MS: u64 = 100;

/// One page's deliveries: beside the page's writer, never in its way. It owns every
/// subscription's cursor, claim, lease, retry and replay, the outbox they read and its pruning;
/// the writer only hands it each committed write's items (`crate::handoff`), and the queue
/// consumer talks to it alone.
#[durable_object]
pub struct DeliveryStore {
    pub(super) state: State,
    pub(super) env: Env,
    /// Who is owed deliveries (see `shared::notify::wakes`).
    pub(super) wakes: RefCell<Wakes>,
    /// How far pruning may go (before this position; see `claims::refresh_slowest`).
    pub(super) slowest: RefCell<Option<sitrep_shared::notify::Position>>,
    /// Alarm runs since the slowest position was last worked out.
    pub(super) runs: Cell<u32>,
    /// Whether new events came since the cursors were last looked at (see `claims::TIDY_MS`).
    pub(super) tidy: Cell<bool>,
    /// Every stored subscription, once this instance has read them (every hand-off of one forgets them).
    pub(super) subscriptions: RefCell<Option<Rc<Vec<Stored>>>>,
    /// The page as last handed over.
    pub(super) page: RefCell<Option<Rc<Page>>>,
    /// When the alarm is set for (ms), as far as this instance knows.
    alarm_at: Cell<Option<u64>>,
    /// When the alarm last ran (ms).
    last_run: Cell<u64>,
    /// Not to ask the writer for owed pauses before this instant (ms): it did not answer.
    pub(super) next_ask: Cell<u64>,
    /// Whether a hand-off is being taken (one at a time: each reads what the last one stored).
    pub(super) taking: Cell<bool>,
    /// Test builds: give deliveries up after this many milliseconds of failures, not a day.
    #[cfg(feature = "fault-injection")]
    pub(super) give_up_after: Cell<Option<i64>>,
    /// The name it was addressed by (its page's), and whether its page was removed.
    pub(super) named: crate::named::Named,
}

impl std::fmt::Debug for DeliveryStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeliveryStore").field("wakes", &self.wakes.borrow()).finish_non_exhaustive()
    }
}

impl DurableObject for DeliveryStore {
    fn new(state: State, env: Env) -> Self {
        Self {
            state,
            env,
            wakes: RefCell::default(),
            slowest: RefCell::default(),
            runs: Cell::new(0),
            tidy: Cell::new(false),
            subscriptions: RefCell::default(),
            page: RefCell::default(),
            alarm_at: Cell::new(None),
            last_run: Cell::new(0),
            taking: Cell::new(false),
            next_ask: Cell::new(0),
            #[cfg(feature = "fault-injection")]
            give_up_after: Cell::new(None),
            named: crate::named::Named::default(),
        }
    }

    async fn fetch(&self, mut req: Request) -> worker::Result<Response> {
        let request = match req.json::<DeliveryRequest>().await {
            Ok(request) => request,
            Err(err) => {
                return answer::<()>(Err(EdgeError::Internal(format!("deliveries cannot read the request: {err}"))));
            }
        };
        if let Err(err) = self.named.request(&self.state).await {
            return answer::<()>(Err(err));
        }
        if !self.wakes.borrow().built() && self.alarm_at.get().is_none() {
            // A new instance: its first alarm builds the memory and wakes what was owed before.
            self.schedule(0).await;
        }
        match request {
            DeliveryRequest::Take(take) => answer(self.take(take).await),
            DeliveryRequest::Deliver(super::protocol::DeliverCall::Claim { subscription }) => {
                answer(self.claim(&subscription).await)
            }
            DeliveryRequest::Deliver(super::protocol::DeliverCall::Report { subscription, claim, outcome, next }) => {
                answer(self.report(&subscription, claim, &outcome, next).await)
            }
            DeliveryRequest::Admin(DeliveryAdmin::List { subscription }) => answer(self.list(&subscription).await),
            DeliveryRequest::Admin(DeliveryAdmin::Replay { subscription, delivery }) => {
                answer(self.replay(&subscription, &delivery).await)
            }
            DeliveryRequest::Retire => {
                answer(self.named.retire(&self.state).await.map(|()| super::protocol::Retired {}))
            }
            #[cfg(feature = "fault-injection")]
            DeliveryRequest::Test(call) => answer(self.test(call).await),
        }
    }

    async fn alarm(&self) -> worker::Result<Response> {
        // The alarm that fired is no longer pending: whatever this run schedules must be set.
        self.alarm_at.set(None);
        match self.named.alarm(&self.state).await {
            Ok(()) => {}
            Err(EdgeError::Missing(_)) => return Response::empty(),
            Err(err) => worker::console_warn!("the delivery object cannot read its name: {err}"),
        }
        self.last_run.set(now_ms());
        self.kick().await;
        self.ask_pauses().await;
        Response::empty()
    }
}

impl DeliveryStore {
    /// The name this object was addressed by: its page's store's (see `crate::page::Page::object`).
    pub(super) fn object(&self) -> Result<String, EdgeError> {
        self.named.name()
    }

    /// Sets the alarm `extra_ms` from now (at least [`MIN_GAP_MS`] after the last run), unless it
    /// is set sooner already. Best effort: on failure the next request or claim sets it again.
    pub(super) async fn schedule(&self, extra_ms: u64) {
        let now = now_ms();
        let gap = (self.last_run.get() + MIN_GAP_MS).saturating_sub(now);
        let delay = gap.max(extra_ms);
        let at = now + delay;
        if self.alarm_at.get().is_some_and(|set| set <= at) {
            return;
        }
        match self.state.storage().set_alarm(delay as i64).await {
            Ok(()) => self.alarm_at.set(Some(at)),
            Err(_) => self.alarm_at.set(None),
        }
    }

    /// Every stored subscription (read once per instance; every hand-off of one forgets them).
    pub(super) async fn subscriptions(&self) -> Result<Rc<Vec<Stored>>, EdgeError> {
        if let Some(subscriptions) = self.subscriptions.borrow().as_ref() {
            return Ok(Rc::clone(subscriptions));
        }
        let loaded = Rc::new(layout::subscriptions(&self.state.storage()).await?);
        Ok(Rc::clone(self.subscriptions.borrow_mut().get_or_insert(loaded)))
    }

    /// The page as last handed over (every hand-off brings it, so there is one before any event).
    pub(super) async fn page(&self) -> Result<Rc<Page>, EdgeError> {
        if let Some(page) = self.page.borrow().as_ref() {
            return Ok(Rc::clone(page));
        }
        let page = layout::page(&self.state.storage()).await?;
        let page = Rc::new(page.ok_or_else(|| EdgeError::Internal("no page was handed over yet".into()))?);
        Ok(Rc::clone(self.page.borrow_mut().get_or_insert(page)))
    }
}
