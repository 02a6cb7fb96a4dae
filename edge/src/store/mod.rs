//! The page store: one Durable Object per page, the single writer and the source of truth.
//!
//! - `protocol`: the typed seam (one serde request enum, one answer type) the Worker speaks to it.
//! - `layout`: what is stored under which key, loading it, and the one transaction per write.
//! - `publish`: the store's own retried step that brings KV to the newest version.
//! - `client`: the Worker's side of the seam.
//! - `notify`: subscriptions and the outbox of events each write puts in its own transaction.
//! - `deliver`: each subscription's cursor in the outbox; wakes the queue consumer and hands it tries.
//!
//! The object keeps the indexed [`PageState`] in memory and commits each change to it after the
//! transaction. A write's answer depends only on that commit: publication runs afterwards, from
//! the alarm, and whatever KV does the write has answered 2xx with its version.

mod client;
mod deliver;
mod layout;
mod notify;
pub mod protocol;
mod publish;

use std::cell::RefCell;
use std::rc::Rc;

use sitrep_shared::command::{self, ApplyError, Change, Command};
use sitrep_shared::document::{Document, RenderError};
use sitrep_shared::{Kind, PageData, PageState, Timestamp, idempotency, validate};
use worker::{DurableObject, Env, Request, Response, State, durable_object};

pub use client::{admin, deliver, fetch_doc};
#[cfg(feature = "fault-injection")]
pub use client::{calls, test_call};
use layout::{COMPONENT_PREFIX, Commit, EVENT_PREFIX, LogEntry, Reply, StoredEvent, to_json};
pub use notify::targets as notify_targets;
use protocol::{AdminCall, AdminReply, DeliverCall, StoreReply, StoreRequest, StoreResult, WireDoc};
use publish::{Pending, Publication};

use crate::admin::Admin;
use crate::cache;
use crate::error::EdgeError;
use crate::read::{self, Doc};

/// The operator's setting for how long an Idempotency-Key is remembered, in seconds (default a day).
const RETENTION_VAR: &str = "SITREP_IDEMPOTENCY_SECS";

/// The single writer of one page.
#[durable_object]
pub struct PageStore {
    state: State,
    env: Env,
    loaded: RefCell<Option<Rc<Loaded>>>,
    publication: Publication,
    /// Whether this instance checked the namespace of published copies (see `check_epoch`).
    epoch_checked: std::cell::Cell<bool>,
    /// Every stored subscription, once this instance has read them (every subscription write
    /// forgets them).
    subscriptions: RefCell<Option<Rc<Vec<notify::Stored>>>>,
    /// What this instance knows of who is owed deliveries (see `deliver`).
    deliveries: RefCell<deliver::Memory>,
    /// Test builds: give deliveries up after this many milliseconds of failures, not a day.
    #[cfg(feature = "fault-injection")]
    give_up_after: std::cell::Cell<Option<i64>>,
    /// Whether this instance has set the alarm once for deliveries owed from before it started.
    deliveries_checked: std::cell::Cell<bool>,
}

impl std::fmt::Debug for PageStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let version = self.loaded.borrow().as_ref().map(|l| l.version);
        f.debug_struct("PageStore").field("version", &version).finish_non_exhaustive()
    }
}

#[derive(Clone)]
struct Loaded {
    version: u64,
    page: PageState,
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
            deliveries: RefCell::default(),
            #[cfg(feature = "fault-injection")]
            give_up_after: std::cell::Cell::new(None),
            deliveries_checked: std::cell::Cell::new(false),
        }
    }

    async fn fetch(&self, mut req: Request) -> worker::Result<Response> {
        let result: StoreResult = match req.json::<StoreRequest>().await {
            Ok(request) => self.serve(request).await,
            Err(err) => Err(EdgeError::Internal(format!("the store cannot read the request: {err}"))),
        };
        Response::from_json(&result)
    }

    async fn alarm(&self) -> worker::Result<Response> {
        // The alarm that fired is no longer pending: whatever this run schedules must be set.
        self.publication.alarm_at.set(None);
        self.check_epoch().await;
        self.transition().await;
        self.publish().await;
        self.schedule_transition().await;
        self.kick().await;
        Response::empty()
    }
}

impl PageStore {
    /// The one router of the store's side of the seam.
    async fn serve(&self, request: StoreRequest) -> StoreResult {
        self.check_epoch().await;
        if !self.deliveries_checked.replace(true) && self.has_subscriptions().await.unwrap_or(true) {
            // A new instance (a restart, an eviction) of a page with subscribers: deliveries owed
            // from before are woken by the alarm, which resends wake-ups a lost message never brought.
            self.schedule(0).await;
        }
        match request {
            StoreRequest::Render { doc } => {
                let loaded = self.load().await?;
                Ok(StoreReply::Doc(render(&loaded, &doc)?.into_wire()))
            }
            StoreRequest::Admin(call) => self.admin(call).await.map(StoreReply::Admin),
            StoreRequest::Deliver(DeliverCall::Claim { subscription }) => {
                self.claim(&subscription).await.map(StoreReply::Deliver)
            }
            StoreRequest::Deliver(DeliverCall::Report { subscription, claim, outcome, next }) => {
                self.report(&subscription, claim, &outcome, next).await.map(StoreReply::Deliver)
            }
            #[cfg(feature = "fault-injection")]
            StoreRequest::Test(call) => self.test(call).await.map(StoreReply::Test),
        }
    }

    /// Once per instance: if everything was last published under another namespace of copies (an
    /// older version of this code), owe KV everything again. Best effort: retried by the next request.
    async fn check_epoch(&self) {
        if self.epoch_checked.get() {
            return;
        }
        let storage = self.state.storage();
        let Ok(epoch) = storage.get::<String>(publish::EPOCH_KEY).await else { return };
        if epoch.as_deref() == Some(read::COPIES) {
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
        let Ok(text) = to_json(&pending) else { return };
        let put = storage
            .transaction(move |txn| async move {
                txn.put(publish::PENDING_KEY, text).await?;
                txn.put(publish::EPOCH_KEY, read::COPIES.to_owned()).await?;
                Ok(())
            })
            .await;
        if put.is_ok() {
            self.epoch_checked.set(true);
            self.schedule(0).await;
        }
    }

    async fn load(&self) -> Result<Rc<Loaded>, EdgeError> {
        if let Some(loaded) = self.loaded.borrow().as_ref() {
            return Ok(Rc::clone(loaded));
        }
        let (version, data) = layout::load(&self.state.storage()).await?.ok_or(EdgeError::NotLoaded)?;
        // Another request may have loaded it meanwhile; keep the first.
        let loaded = Rc::new(Loaded { version, page: PageState::new(data) });
        let mut slot = self.loaded.borrow_mut();
        Ok(Rc::clone(slot.get_or_insert(loaded)))
    }

    async fn admin(&self, call: AdminCall) -> Result<AdminReply, EdgeError> {
        if let Some(reply) = self.replay(&call).await? {
            return Ok(reply);
        }
        match &call.op {
            Admin::Log => self.log(call.limit).await,
            Admin::OpenApi => Err(EdgeError::NotFound("openapi.json is served by the Worker".into())),
            Admin::ImportPage => self.import(&call).await,
            Admin::PreviewPostmortem(id) => self.preview(id).await,
            Admin::GetEvent(id) => self.event(id).await,
            Admin::ListSubscriptions => self.list_subscriptions().await,
            Admin::ListDeliveries(id) => self.list_deliveries(id).await,
            Admin::ReplayDelivery(id, delivery) => self.replay_delivery(id, delivery).await,
            Admin::CreateSubscription | Admin::EditSubscription(_) | Admin::DeleteSubscription(_) => {
                self.subscription_write(&call).await
            }
            op => {
                let command = parse_command(op, call.body.as_bytes())?;
                self.write(&command, &call, if op.creates() { 201 } else { 200 }).await
            }
        }
    }

    /// The stored first reply for this Idempotency-Key, if any (409 if the key came with another request).
    async fn replay(&self, call: &AdminCall) -> Result<Option<AdminReply>, EdgeError> {
        let Some(key) = &call.idempotency_key else { return Ok(None) };
        if key.is_empty() || key.len() > 200 {
            return Err(EdgeError::BadRequest("Idempotency-Key must be 1 to 200 characters".into()));
        }
        let Some(reply) = layout::reply(&self.state.storage(), key).await? else {
            return Ok(None);
        };
        if !idempotency::replayable(reply.at, now()?, self.retention()) {
            // Past its retention the key names a new request; this write replaces the old reply.
            return Ok(None);
        }
        if reply.fingerprint != call.fingerprint {
            return Err(EdgeError::Conflict("this Idempotency-Key was used for a different request".into()));
        }
        let version = match reply.version {
            Some(version) => version,
            // Replies stored before they carried their version: the current one is at least as new.
            None => self.load().await.map_or(0, |l| l.version),
        };
        Ok(Some(AdminReply { status: reply.status, version, body: reply.body, replay: true }))
    }

    /// The current version, checked against If-Match.
    async fn check_version(&self, if_match: Option<&str>) -> Result<Option<Rc<Loaded>>, EdgeError> {
        let loaded = match self.load().await {
            Ok(loaded) => Some(loaded),
            Err(EdgeError::NotLoaded) => None,
            Err(err) => return Err(err),
        };
        let current = loaded.as_ref().map_or(0, |l| l.version);
        if let Some(wanted) = if_match {
            let wanted = wanted.trim().trim_start_matches("W/").trim_matches('"').trim_start_matches('v');
            if wanted != "*" && wanted.parse::<u64>().ok() != Some(current) {
                return Err(EdgeError::Conflict(format!(
                    "the page is at version {current}; If-Match asked for {wanted}: reload and retry"
                )));
            }
        }
        Ok(loaded)
    }

    /// The loaded page a write applies to, checked against If-Match (409 when none was loaded).
    async fn loaded_for_write(&self, call: &AdminCall) -> Result<Rc<Loaded>, EdgeError> {
        self.check_version(call.if_match.as_deref())
            .await?
            .ok_or_else(|| EdgeError::Conflict("no page has been loaded yet: PUT /api/v2/admin/page first".into()))
    }

    async fn write(&self, command: &Command, call: &AdminCall, status: u16) -> Result<AdminReply, EdgeError> {
        let loaded = self.loaded_for_write(call).await?;
        let now = now()?;
        let version = loaded.version + 1;
        let new_id = fresh_id(&loaded.page, now, version);
        let change = command::apply(&loaded.page, command, now, &new_id).map_err(|err| match err {
            ApplyError::NotFound(what, id) => EdgeError::Missing(format!("no {what} with id {id:?}")),
            ApplyError::Invalid(problems) => EdgeError::Invalid(problems),
        })?;
        let mut puts: Vec<(String, String)> = Vec::new();
        for (kind, event) in &change.events {
            puts.push((format!("{EVENT_PREFIX}{}", event.id), to_json(&StoredEvent::new(*kind, event.clone()))?));
        }
        // Only the components this write changed are stored, and named in the answer.
        let mut changed = Vec::new();
        for component in change.components.iter().flatten() {
            if loaded.page.components().iter().find(|c| c.id == component.id) != Some(component) {
                puts.push((format!("{COMPONENT_PREFIX}{}", component.id), to_json(component)?));
                changed.push(component);
            }
        }
        // The outbox: this write's events, committed with it (only when someone listens).
        if self.has_subscriptions().await? {
            puts.extend(notify::outbox(&loaded.page, &change, version)?);
        }
        let mut page = loaded.page.page().clone();
        drop(loaded);
        page.updated_at = change.at;
        puts.push(("page".into(), to_json(&page)?));
        let body = reply_body(version, &change, &changed);
        let touched = change.events.iter().map(|(_, e)| e.id.clone());
        let pending = self.pending().await?.merge(version, touched, false);
        let summary = (change.summary.clone(), change.target.clone());
        self.commit(version, puts, vec![], summary, call, status, &body, pending).await?;
        if let Some(current) = self.loaded.borrow_mut().as_mut() {
            let current = Rc::make_mut(current);
            current.page.commit(&change);
            current.version = version;
        }
        self.schedule(0).await;
        Ok(AdminReply { status, version, body, replay: false })
    }

    /// Every stored subscription (read once per instance; every subscription write forgets them).
    async fn subscriptions(&self) -> Result<Rc<Vec<notify::Stored>>, EdgeError> {
        if let Some(subscriptions) = self.subscriptions.borrow().as_ref() {
            return Ok(Rc::clone(subscriptions));
        }
        let loaded = Rc::new(notify::load(&self.state.storage()).await?);
        Ok(Rc::clone(self.subscriptions.borrow_mut().get_or_insert(loaded)))
    }

    /// Whether any subscription is stored.
    async fn has_subscriptions(&self) -> Result<bool, EdgeError> {
        Ok(!self.subscriptions().await?.is_empty())
    }

    async fn list_subscriptions(&self) -> Result<AdminReply, EdgeError> {
        let stored = self.subscriptions().await?;
        let version = self.load().await.map(|l| l.version).unwrap_or(0);
        let subscriptions: Vec<_> = stored.iter().map(|s| notify::shown(s.subscription.clone())).collect();
        let body = serde_json::json!({ "version": version, "subscriptions": subscriptions }).to_string();
        Ok(AdminReply { status: 200, version, body, replay: false })
    }

    /// Adds, edits or removes a subscription: a write like any other (a new version, the audit
    /// log, the idempotent reply, one transaction), which changes no public document.
    async fn subscription_write(&self, call: &AdminCall) -> Result<AdminReply, EdgeError> {
        let loaded = self.loaded_for_write(call).await?;
        let now = now()?;
        let version = loaded.version + 1;
        let storage = self.state.storage();
        let stored = self.subscriptions().await?;
        let find = |id: &str| {
            stored
                .iter()
                .find(|s| s.subscription.id == id)
                .cloned()
                .ok_or_else(|| EdgeError::Missing(format!("no subscription with id {id:?}")))
        };
        let (written, status) = match &call.op {
            Admin::CreateSubscription => {
                let id = format!("sub_{}", fresh_id(&loaded.page, now, version));
                let after = notify::last_outbox_key(&storage).await?;
                let targets = notify::targets(&self.env);
                let secret = notify::new_secret()?;
                let body = call.body.as_bytes();
                (notify::create(body, &loaded.page, stored.len(), targets, id, secret, after, now)?, 201)
            }
            Admin::EditSubscription(id) => {
                let stored = find(id)?;
                let mut written = notify::edit(call.body.as_bytes(), stored.clone(), &loaded.page, now)?;
                // Its cursor past what its old filter passed over, in the same transaction.
                written.put.extend(self.caught_up(&stored, &loaded.page).await?);
                (written, 200)
            }
            Admin::DeleteSubscription(id) => (notify::delete(&find(id)?), 200),
            other => return Err(EdgeError::Internal(format!("{other:?} is not a subscription write"))),
        };
        drop(loaded);
        self.apply_subscription_write(call, written, status).await
    }

    /// Commits a subscription write at the next version (its audit line, its idempotent reply).
    async fn apply_subscription_write(
        &self,
        call: &AdminCall,
        written: notify::Written,
        status: u16,
    ) -> Result<AdminReply, EdgeError> {
        let version = self.loaded_for_write(call).await?.version + 1;
        let (id, exists) = (written.target.clone(), !written.removed);
        let mut body = written.body;
        body["version"] = version.into();
        let body = body.to_string();
        let pending = self.pending().await?.merge(version, [], false);
        self.commit(
            version,
            written.put,
            written.delete,
            (written.summary, written.target),
            call,
            status,
            &body,
            pending,
        )
        .await?;
        // Who is subscribed to what changed: read them again; this one may be owed anything now.
        *self.subscriptions.borrow_mut() = None;
        self.deliveries.borrow_mut().touched(&id, exists);
        if let Some(current) = self.loaded.borrow_mut().as_mut() {
            Rc::make_mut(current).version = version;
        }
        self.schedule(0).await;
        Ok(AdminReply { status, version, body, replay: false })
    }

    async fn import(&self, call: &AdminCall) -> Result<AdminReply, EdgeError> {
        let data: PageData = read_object(call.body.as_bytes(), "is not a page")?;
        let problems = validate(&data);
        if !problems.is_empty() {
            return Err(EdgeError::Invalid(problems));
        }
        let loaded = self.check_version(call.if_match.as_deref()).await?;
        let version = loaded.as_ref().map_or(0, |l| l.version) + 1;
        drop(loaded);
        let storage = self.state.storage();
        let mut old = layout::keys(&storage, EVENT_PREFIX).await?;
        old.extend(layout::keys(&storage, COMPONENT_PREFIX).await?);
        // Everything is owed under the current namespace of copies (see `check_epoch`).
        let mut puts =
            vec![("page".to_owned(), to_json(&data.page)?), (publish::EPOCH_KEY.to_owned(), read::COPIES.to_owned())];
        for component in &data.components {
            puts.push((format!("{COMPONENT_PREFIX}{}", component.id), to_json(component)?));
        }
        let events = data.incidents.iter().map(|e| (Kind::Incident, e));
        for (kind, event) in events.chain(data.scheduled_maintenances.iter().map(|e| (Kind::Maintenance, e))) {
            puts.push((format!("{EVENT_PREFIX}{}", event.id), to_json(&StoredEvent::new(kind, event.clone()))?));
        }
        let kept: std::collections::HashSet<&str> = puts.iter().map(|(key, _)| key.as_str()).collect();
        let deletes: Vec<String> = old.into_iter().filter(|k| !kept.contains(k.as_str())).collect();
        let count = data.incidents.len() + data.scheduled_maintenances.len();
        let summary = (format!("imported the page ({count} events)"), String::new());
        let body = format!("{{\"version\":{version}}}");
        let pending = self.pending().await?.merge(version, [], true);
        self.commit(version, puts, deletes, summary, call, 200, &body, pending).await?;
        *self.loaded.borrow_mut() = Some(Rc::new(Loaded { version, page: PageState::new(data) }));
        self.schedule(0).await;
        Ok(AdminReply { status: 200, version, body, replay: false })
    }

    /// Applies the automatic maintenance moves that are due ([`command::due_transitions`]), each
    /// an ordinary write by the store itself: validated, logged (by "sitrep", as the alarm) and
    /// published like an operator's. One that storage failed is tried again 5 s later (it is still
    /// due); one the model refuses (the maintenance is full, say) is not retried: it is logged, and
    /// the maintenance waits for its operator.
    async fn transition(&self) {
        let (Ok(loaded), Ok(now)) = (self.load().await, now()) else { return };
        let due = command::due_transitions(&loaded.page, now);
        drop(loaded);
        let mut failed = false;
        for command in due {
            let Command::PostUpdate(id, _) = &command else { continue };
            let call = AdminCall::by_the_store(Admin::PostUpdate(id.0.clone()), "auto-transition (the page's alarm)");
            match self.write(&command, &call, 200).await {
                Ok(_) => {}
                Err(EdgeError::Invalid(problems)) => {
                    let reasons: Vec<&str> = problems.iter().map(|p| p.message.as_str()).collect();
                    worker::console_warn!("auto-transition of {id} refused: {}", reasons.join("; "));
                }
                Err(_) => failed = true,
            }
        }
        if failed {
            self.schedule(publish::MIN_INTERVAL_MS * 5).await;
        }
    }

    /// Sets the alarm for the next window edge of a maintenance with auto-transition, if any
    /// (kept if an earlier alarm is already set).
    async fn schedule_transition(&self) {
        let (Ok(loaded), Ok(now)) = (self.load().await, now()) else { return };
        let next = command::next_transition(&loaded.page, now);
        drop(loaded);
        if let Some(at) = next {
            let delay = at.unix_millis().saturating_sub(now.unix_millis()).max(0) as u64;
            self.schedule(delay).await;
        }
    }

    /// The stored incident or maintenance, its draft included, as `incidents/{id}.json` shapes it.
    async fn event(&self, id: &str) -> Result<AdminReply, EdgeError> {
        self.event_document(id, |_| Ok(())).await
    }

    /// The incident with its postmortem draft shown as published now: the document the Worker
    /// renders as the preview (never a public document, never cached).
    async fn preview(&self, id: &str) -> Result<AdminReply, EdgeError> {
        let now = now()?;
        self.event_document(id, |incident| {
            let Some(postmortem) = incident.postmortem.as_mut() else {
                return Err(EdgeError::Missing(format!("{} has no postmortem draft yet", incident.id)));
            };
            // A postmortem scheduled for later previews as it will read then.
            postmortem.published_at = Some(postmortem.published_at.map_or(now, |at| at.min(now)));
            Ok(())
        })
        .await
    }

    async fn event_document(
        &self,
        id: &str,
        adjust: impl FnOnce(&mut sitrep_shared::Incident) -> Result<(), EdgeError>,
    ) -> Result<AdminReply, EdgeError> {
        let loaded = self.load().await?;
        let Some((_, event)) = loaded.page.find(&id.into()) else {
            return Err(EdgeError::Missing(format!("no incident or maintenance with id {id:?}")));
        };
        let mut incident = event.clone();
        adjust(&mut incident)?;
        let doc = sitrep_shared::views::IncidentDocument {
            page: std::borrow::Cow::Borrowed(loaded.page.page()),
            incident: std::borrow::Cow::Owned(incident),
        };
        let body = to_json(&doc)?;
        Ok(AdminReply { status: 200, version: loaded.version, body, replay: false })
    }

    /// What publication owes so far (nothing when nothing is stored).
    async fn pending(&self) -> Result<Pending, EdgeError> {
        Ok(self.stored_pending().await?.unwrap_or_default())
    }

    /// Persists one accepted write with its audit entry (the server's clock, who wrote), its
    /// idempotent reply, what publication owes, and the removal of a batch of expired replies.
    #[allow(clippy::too_many_arguments)]
    async fn commit(
        &self,
        version: u64,
        puts: Vec<(String, String)>,
        mut deletes: Vec<String>,
        (summary, target): (String, String),
        call: &AdminCall,
        status: u16,
        body: &str,
        pending: Pending,
    ) -> Result<(), EdgeError> {
        let now = now()?;
        let storage = self.state.storage();
        let log = LogEntry { version, at: now, summary, target, by: Some(call.caller.clone()) };
        let reply = call.idempotency_key.clone().map(|key| {
            let reply = Reply {
                fingerprint: call.fingerprint.clone(),
                status,
                body: body.to_owned(),
                at: Some(now),
                version: Some(version),
            };
            (key, reply)
        });
        // Best effort: a failed look-up of expired replies leaves them for a later write.
        deletes.extend(layout::expired_replies(&storage, now, self.retention()).await.unwrap_or_default());
        layout::persist(&storage, Commit { version, puts, deletes, log, reply, pending }).await
    }

    fn retention(&self) -> u32 {
        idempotency::retention_secs(self.env.var(RETENTION_VAR).ok().map(|v| v.to_string()).as_deref())
    }

    async fn log(&self, limit: Option<usize>) -> Result<AdminReply, EdgeError> {
        let entries = layout::log(&self.state.storage(), limit.unwrap_or(50).clamp(1, 500)).await?;
        let version = self.load().await.map(|l| l.version).unwrap_or(0);
        let body = serde_json::json!({ "version": version, "entries": entries }).to_string();
        Ok(AdminReply { status: 200, version, body, replay: false })
    }

    #[cfg(feature = "fault-injection")]
    async fn test(&self, call: protocol::TestCall) -> Result<serde_json::Value, EdgeError> {
        use protocol::TestCall;
        match call {
            TestCall::FailKvPuts { for_ms } => {
                self.publication.kv_fails_until.set(read::now_ms() + for_ms);
                if for_ms == 0 {
                    self.schedule(0).await;
                }
                Ok(serde_json::Value::Null)
            }
            TestCall::Keys { prefix } => Ok(serde_json::json!(layout::keys(&self.state.storage(), &prefix).await?)),
            TestCall::Outbox => Ok(serde_json::json!(notify::outbox_events(&self.state.storage()).await?)),
            TestCall::GiveUpAfter { ms } => {
                self.give_up_after.set((ms > 0).then_some(ms));
                Ok(serde_json::Value::Null)
            }
            TestCall::Stats => {
                let version = self.load().await.map(|l| l.version).unwrap_or(0);
                Ok(serde_json::json!({
                    "version": version,
                    "published": self.publication.published.get(),
                    "pending": self.state.storage().get::<String>(publish::PENDING_KEY).await?.is_some(),
                }))
            }
        }
    }
}

fn now() -> Result<Timestamp, EdgeError> {
    Timestamp::from_unix_millis(read::now_ms() as i64).ok_or(EdgeError::Internal("clock out of range".into()))
}

/// A new id: base 36 of the time and the version, unique because versions never repeat.
fn fresh_id(page: &PageState, now: Timestamp, version: u64) -> String {
    let base36 = |mut n: u64| {
        let digits = b"0123456789abcdefghijklmnopqrstuvwxyz";
        let mut out = Vec::new();
        loop {
            out.push(digits[(n % 36) as usize]);
            n /= 36;
            if n == 0 {
                break;
            }
        }
        out.reverse();
        String::from_utf8(out).unwrap_or_default()
    };
    let id = format!("{}{}", base36(now.unix_millis().max(0) as u64), base36(version));
    let taken = |id: &str| page.find(&id.into()).is_some() || page.components().iter().any(|c| c.id.0 == id);
    let mut candidate = id.clone();
    let mut n = 1;
    while taken(&candidate) {
        candidate = format!("{id}-{n}");
        n += 1;
    }
    candidate
}

/// The answer to a write: its version, what it acted on, the event and the components it changed
/// (not the whole list: the answer is also stored as the idempotent reply, one storage value).
fn reply_body(version: u64, change: &Change, changed: &[&sitrep_shared::Component]) -> String {
    let reply = command::WriteReply {
        version,
        id: change.target.clone(),
        summary: change.summary.clone(),
        incident: change.events.first().map(|(_, e)| e.clone()),
        components: change.components.as_ref().map(|_| changed.iter().map(|c| (*c).clone()).collect()),
    };
    serde_json::to_string(&reply).unwrap_or_default()
}

/// A request body: a JSON object (serde would also read a struct from an array) of `T`'s shape;
/// 400 saying the body `fault` otherwise.
fn read_object<T: serde::de::DeserializeOwned>(body: &[u8], fault: &str) -> Result<T, EdgeError> {
    if !command::is_json_object(body) {
        return Err(EdgeError::BadRequest("the body must be a JSON object".into()));
    }
    serde_json::from_slice(body).map_err(|e| EdgeError::BadRequest(format!("the body {fault}: {e}")))
}

/// The command an admin route and its JSON body ask for; 400 when the body does not parse.
fn parse_command(op: &Admin, body: &[u8]) -> Result<Command, EdgeError> {
    fn parse<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, EdgeError> {
        read_object(body, "does not fit this request")
    }
    Ok(match op {
        Admin::OpenIncident => Command::OpenIncident(parse(body)?),
        Admin::Edit(id) => Command::Edit(id.as_str().into(), parse(body)?),
        Admin::PostUpdate(id) => Command::PostUpdate(id.as_str().into(), parse(body)?),
        Admin::WritePostmortem(id) => Command::WritePostmortem(id.as_str().into(), parse(body)?),
        Admin::PublishPostmortem(id) => Command::PublishPostmortem(id.as_str().into()),
        Admin::ScheduleMaintenance => Command::ScheduleMaintenance(parse(body)?),
        Admin::CancelMaintenance(id) => Command::CancelMaintenance(id.as_str().into(), parse(body)?),
        Admin::CreateComponent => Command::CreateComponent(parse(body)?),
        Admin::EditComponent(id) => Command::EditComponent(id.as_str().into(), parse(body)?),
        Admin::ReorderComponents => Command::ReorderComponents(parse(body)?),
        Admin::ImportPage
        | Admin::Log
        | Admin::OpenApi
        | Admin::PreviewPostmortem(_)
        | Admin::GetEvent(_)
        | Admin::CreateSubscription
        | Admin::ListSubscriptions
        | Admin::EditSubscription(_)
        | Admin::DeleteSubscription(_)
        | Admin::ListDeliveries(_)
        | Admin::ReplayDelivery(..) => {
            return Err(EdgeError::Internal("not a command".into()));
        }
    })
}

/// Renders a document from the loaded state; links point at the page's own URL, never at the
/// Host of whichever request asked.
fn render(loaded: &Loaded, doc: &Document) -> Result<Doc, EdgeError> {
    let base = loaded.page.page().url.trim_end_matches('/');
    let rendered = doc.render(&loaded.page, now()?, base).map_err(|err| match err {
        RenderError::NotFound(id) => EdgeError::UnknownIncident(id),
        RenderError::Json(err) => EdgeError::Internal(err.to_string()),
    })?;
    Ok(Doc {
        etag: cache::etag(&rendered.body),
        body: rendered.body,
        content_type: rendered.content_type.to_owned(),
        valid_until: rendered.valid_until.map(|t| t.unix_millis().max(0) as u64),
        version: loaded.version,
        js: Default::default(),
    })
}

impl Doc {
    fn into_wire(self) -> WireDoc {
        WireDoc {
            body: String::from_utf8_lossy(&self.body).into_owned(),
            etag: self.etag,
            content_type: self.content_type,
            valid_until: self.valid_until,
            version: self.version,
        }
    }
}
