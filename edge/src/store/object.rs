//! The Durable Object itself: its state in memory, its entry points (`fetch`, `alarm`) and the one
//! router of the store's side of the seam. Each job is a file of its own beside this one (`write`,
//! `alarm`, `relay`, `reads`, `test_calls`), each an `impl PageStore` that this file only calls.

use std::cell::RefCell;
use std::rc::Rc;

use sitrep_shared::PageState;
use worker::{DurableObject, Env, Request, Response, State, durable_object};

use super::layout::{self, Batch, Key, Loaded};
use super::protocol::StoreRequest;
use super::publication::{self, Publication};
use super::render::{render, to_wire};
use super::subscriptions::{self, Stored};
use crate::copy::COPIES;
use crate::error::EdgeError;
use crate::seam::answer;

/// The single writer of one page.
#[durable_object]
pub struct PageStore {
    pub(super) state: State,
    pub(super) env: Env,
    pub(super) loaded: RefCell<Option<Rc<Loaded>>>,
    pub(super) publication: Publication,
    /// Whether this instance checked the namespace of published copies (see `check_epoch`).
    pub(super) epoch_checked: std::cell::Cell<bool>,
    /// Every stored subscription, once this instance has read them (every subscription write
    /// forgets them).
    pub(super) subscriptions: RefCell<Option<Rc<Vec<Stored>>>>,
    /// Whether any subscription is stored, once this instance has looked (every subscription
    /// write forgets it): a write hands its events over only when someone listens.
    pub(super) listening: std::cell::Cell<Option<bool>>,
    /// Whether a hand-off to the delivery object is under way (one at a time, in order).
    pub(super) relaying: std::cell::Cell<bool>,
    /// Test builds: refuse the delivery object's pauses until this instant (ms).
    #[cfg(feature = "fault-injection")]
    pub(super) pauses_fail_until: std::cell::Cell<u64>,
    /// Whether this instance has set the alarm once since it started (see `serve`).
    pub(super) started: std::cell::Cell<bool>,
    /// The name it was addressed by (its page), and whether its page was removed.
    pub(super) named: crate::named::Named,
}

impl std::fmt::Debug for PageStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let version = self.loaded.borrow().as_ref().map(|l| l.version);
        f.debug_struct("PageStore").field("version", &version).finish_non_exhaustive()
    }
}

impl DurableObject for PageStore {
    fn new(state: State, env: Env) -> Self {
        Self {
            state,
            env,
            loaded: RefCell::new(None),
            publication: Publication::default(),
            epoch_checked: std::cell::Cell::new(false),
            subscriptions: RefCell::default(),
            listening: std::cell::Cell::new(None),
            relaying: std::cell::Cell::new(false),
            #[cfg(feature = "fault-injection")]
            pauses_fail_until: std::cell::Cell::new(0),
            started: std::cell::Cell::new(false),
            named: crate::named::Named::default(),
        }
    }

    async fn fetch(&self, mut req: Request) -> worker::Result<Response> {
        match req.json::<StoreRequest>().await {
            Ok(request) => match self.named.request(&self.state).await {
                Ok(()) => self.serve(request).await,
                Err(err) => answer::<()>(Err(err)),
            },
            Err(err) => answer::<()>(Err(EdgeError::Internal(format!("the store cannot read the request: {err}")))),
        }
    }

    async fn alarm(&self) -> worker::Result<Response> {
        // The alarm that fired is no longer pending: whatever this run schedules must be set.
        self.publication.alarm_at.set(None);
        match self.named.alarm(&self.state).await {
            Ok(()) => {}
            // A removed page's store does nothing more.
            Err(EdgeError::Missing(_)) => return Response::empty(),
            // Storage failed: publication finds no scope and tries again later.
            Err(err) => worker::console_warn!("the store cannot read its name: {err}"),
        }
        self.start().await;
        self.check_epoch().await;
        self.transition().await;
        // Deliveries first: a hand-off is a few small writes; rendering can take a while.
        self.relay().await;
        self.publish().await;
        self.schedule_transition().await;
        Response::empty()
    }
}

impl PageStore {
    /// The name this store was addressed by: `default`, or a page's `{id}.{serial}` (see
    /// `crate::page::Page::object`). Its delivery object has the same name.
    pub(super) fn object(&self) -> Result<String, EdgeError> {
        self.named.name()
    }

    /// The prefix of its page's keys in KV (empty for the default page's): from its name alone, so
    /// the alarm, which no request names a page for, publishes where that page's readers look.
    pub(super) fn scope(&self) -> Result<String, EdgeError> {
        let object = self.object()?;
        sitrep_shared::host::scope_of_object(&object)
            .ok_or_else(|| EdgeError::Internal(format!("{object:?} is no page's store")))
    }

    /// What a new instance (a restart, an eviction, a deploy) does first, once, before it writes
    /// anything: hands every subscription over if an older writer kept deliveries itself (see
    /// `relay::adopt_former`), and sets the alarm, whose first run hands over what is still owed,
    /// renders and publishes once, and starts the heartbeat readers judge KV by (see
    /// `publication::HEARTBEAT_MS`). Nothing else: deliveries owed from before are the delivery
    /// object's to wake.
    async fn start(&self) {
        if self.started.replace(true) {
            return;
        }
        if let Err(err) = self.adopt_former().await {
            worker::console_warn!("handing the former deliveries over failed: {err}; trying again at the next start");
            self.started.set(false);
        }
        self.schedule(0).await;
    }

    /// The one router of the store's side of the seam: each request answered with its own type.
    pub(super) async fn serve(&self, request: StoreRequest) -> worker::Result<Response> {
        self.check_epoch().await;
        self.start().await;
        match request {
            StoreRequest::Render { doc } => answer(self.render_doc(&doc).await),
            StoreRequest::Admin(call) => answer(self.admin(*call).await),
            StoreRequest::Paused { subscription, reason, token } => {
                answer(self.pause_failed(&subscription, &reason, token).await)
            }
            StoreRequest::Retire => answer(self.retire().await),
            #[cfg(feature = "fault-injection")]
            StoreRequest::Test(call) => answer(self.test(call).await),
        }
    }

    /// Its page was removed: its delivery object retired first (no event of it is sent again),
    /// then itself (see `crate::named`).
    async fn retire(&self) -> Result<super::protocol::Done, EdgeError> {
        crate::delivery::retire(&self.env, &self.object()?).await?;
        self.named.retire(&self.state).await?;
        Ok(super::protocol::Done {})
    }

    async fn render_doc(&self, doc: &sitrep_shared::document::Document) -> Result<super::protocol::WireDoc, EdgeError> {
        let loaded = self.load().await?;
        // A reader reached the store: if no alarm is set (a failed `set_alarm`), publication
        // and its heartbeat would stay stopped and every reader would keep coming here.
        if self.publication.alarm_at.get().is_none() && !self.publication.running.get() {
            self.schedule(publication::HEARTBEAT_MS).await;
        }
        Ok(to_wire(render(&loaded, doc)?))
    }

    /// Once per instance: if everything was last published under another namespace of copies (an
    /// older version of this code), owe KV everything again. Best effort: retried by the next request.
    pub(super) async fn check_epoch(&self) {
        if self.epoch_checked.get() {
            return;
        }
        let storage = self.state.storage();
        let Ok(epoch) = storage.get::<String>(&Key::Epoch.text()).await else { return };
        if epoch.as_deref() == Some(COPIES) {
            self.epoch_checked.set(true);
            return;
        }
        let loaded = match self.load().await {
            Ok(loaded) => loaded,
            Err(EdgeError::NotLoaded) => {
                // Nothing to publish yet; the import that loads a page owes everything anyway.
                self.epoch_checked.set(true);
                return;
            }
            // Storage failed: the next request checks again.
            Err(_) => return,
        };
        let Ok(pending) = self.pending().await else { return };
        let pending = pending.merge(loaded.version, [], true);
        let mut batch = Batch::default();
        if batch.put(Key::Pending, &pending).is_err() {
            return;
        }
        batch.put_text(Key::Epoch, COPIES.to_owned());
        if batch.commit(&storage).await.is_ok() {
            self.epoch_checked.set(true);
            self.schedule(0).await;
        }
    }

    pub(super) async fn load(&self) -> Result<Rc<Loaded>, EdgeError> {
        if let Some(loaded) = self.loaded.borrow().as_ref() {
            return Ok(Rc::clone(loaded));
        }
        let (version, data) = layout::load(&self.state.storage()).await?.ok_or(EdgeError::NotLoaded)?;
        // Another request may have loaded it meanwhile; keep the first.
        let loaded = Rc::new(Loaded { version, page: PageState::new(data) });
        let mut slot = self.loaded.borrow_mut();
        Ok(Rc::clone(slot.get_or_insert(loaded)))
    }

    /// Every stored subscription (read once per instance; every subscription write forgets them).
    pub(super) async fn subscriptions(&self) -> Result<Rc<Vec<Stored>>, EdgeError> {
        if let Some(subscriptions) = self.subscriptions.borrow().as_ref() {
            return Ok(Rc::clone(subscriptions));
        }
        let loaded = Rc::new(subscriptions::load(&self.state.storage()).await?);
        Ok(Rc::clone(self.subscriptions.borrow_mut().get_or_insert(loaded)))
    }

    /// Whether any subscription is stored (one key read per instance and subscription write,
    /// whatever the number of subscriptions).
    pub(super) async fn has_subscriptions(&self) -> Result<bool, EdgeError> {
        if let Some(listening) = self.listening.get() {
            return Ok(listening);
        }
        let listening = crate::storage::any(&self.state.storage(), subscriptions::SUB_PREFIX).await?;
        self.listening.set(Some(listening));
        Ok(listening)
    }
}
