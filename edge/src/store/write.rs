//! The write: every operator command, import and subscription change, each validated by `shared`,
//! committed in one transaction with its audit entry, its idempotent reply and what publication owes.

use std::rc::Rc;

use sitrep_shared::api::{self, BodyError, Endpoint, Operation};
use sitrep_shared::command::{self, ApplyError, Change, Command, WriteReply};
use sitrep_shared::template::TemplateReply;
use sitrep_shared::{Kind, PageData, PageState, idempotency, validate};

use super::layout::Loaded;
use super::layout::{self, Batch, COMPONENT_PREFIX, Commit, EVENT_PREFIX, Key, LogEntry, Reply, StoredEvent, fresh_id};
use super::object::PageStore;
use super::protocol::{AdminCall, AdminReply, read_object};
use super::publication::Pending;
use super::subscriptions;
use crate::clock::now;
use crate::copy::COPIES;
use crate::error::EdgeError;

/// Changes a stale If-Match's answer lists at most.
const SHOWN_SINCE: usize = 5;

/// The operator's setting for how long an Idempotency-Key is remembered, in seconds (default a day).
const RETENTION_VAR: &str = "SITREP_IDEMPOTENCY_SECS";

impl PageStore {
    pub(super) async fn admin(&self, call: AdminCall) -> Result<AdminReply, EdgeError> {
        if let Some(reply) = self.replay(&call).await? {
            return Ok(reply);
        }
        let id = call.op.id.as_str();
        match call.op.endpoint {
            Endpoint::Log => self.log(call.limit).await,
            Endpoint::OpenApi => Err(EdgeError::NotFound("openapi.json is served by the Worker".into())),
            Endpoint::ImportPage => self.import(&call).await,
            Endpoint::PreviewPostmortem => self.preview(id).await,
            Endpoint::GetIncident | Endpoint::GetMaintenance => self.event(id).await,
            Endpoint::ListSubscriptions => self.list_subscriptions().await,
            Endpoint::ListDeliveries => self.list_deliveries(id).await,
            Endpoint::ReplayDelivery => self.replay_delivery(id, &call.op.delivery).await,
            Endpoint::CreateSubscription | Endpoint::EditSubscription | Endpoint::DeleteSubscription => {
                self.subscription_write(&call).await
            }
            Endpoint::ListTemplates => self.list_templates().await,
            Endpoint::CreateTemplate | Endpoint::EditTemplate | Endpoint::DeleteTemplate => {
                self.template_write(&call).await
            }
            kind => {
                let command = api::command(&call.op, call.body.as_bytes()).map_err(|err| match err {
                    BodyError::Unfit(why) => EdgeError::BadRequest(why),
                    BodyError::NotACommand => EdgeError::Internal(format!("{kind:?} is not a command")),
                })?;
                self.write(&command, &call, if kind.creates() { 201 } else { 200 }).await
            }
        }
    }

    /// The stored first reply for this Idempotency-Key, if any (409 if the key came with another request).
    pub(super) async fn replay(&self, call: &AdminCall) -> Result<Option<AdminReply>, EdgeError> {
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
        // A create whose incident, maintenance or component was deleted since is not answered as
        // if it stood: the key names a new request, as after its retention (this write replaces
        // the reply).
        let creates = [Endpoint::OpenIncident, Endpoint::ScheduleMaintenance, Endpoint::CreateComponent];
        if creates.contains(&call.op.endpoint) && reply.status == 201 {
            let created = serde_json::from_str::<WriteReply>(&reply.body).map(|r| r.id).unwrap_or_default();
            let loaded = self.load().await?;
            let stands = if call.op.endpoint == Endpoint::CreateComponent {
                loaded.page.components().iter().any(|c| c.id.0 == created)
            } else {
                loaded.page.find(&created.as_str().into()).is_some()
            };
            if !created.is_empty() && !stands {
                return Ok(None);
            }
        }
        // The same for a template removed since.
        if call.op.endpoint == Endpoint::CreateTemplate && reply.status == 201 {
            let created = serde_json::from_str::<TemplateReply>(&reply.body).ok().and_then(|r| r.template);
            if let Some(created) = created
                && self.state.storage().get::<String>(&Key::Template(&created.id).text()).await?.is_none()
            {
                return Ok(None);
            }
        }
        let version = match reply.version {
            Some(version) => version,
            // Replies stored before they carried their version: the current one is at least as new.
            None => self.load().await.map_or(0, |l| l.version),
        };
        Ok(Some(AdminReply { status: reply.status, version, body: reply.body, replay: true }))
    }

    /// The current version, checked against If-Match.
    pub(super) async fn check_version(&self, if_match: Option<&str>) -> Result<Option<Rc<Loaded>>, EdgeError> {
        let loaded = match self.load().await {
            Ok(loaded) => Some(loaded),
            Err(EdgeError::NotLoaded) => None,
            Err(err) => return Err(err),
        };
        let current = loaded.as_ref().map_or(0, |l| l.version);
        if let Some(wanted) = if_match {
            let wanted = wanted.trim().trim_start_matches("W/").trim_matches('"').trim_start_matches('v');
            if wanted != "*" && wanted.parse::<u64>().ok() != Some(current) {
                let since = match wanted.parse::<u64>() {
                    Ok(asked) if asked < current => self.changes_since(asked, current).await,
                    _ => String::new(),
                };
                return Err(EdgeError::Conflict(format!(
                    "the page is at version {current}; If-Match asked for {wanted}{since}: reload, look, and retry"
                )));
            }
        }
        Ok(loaded)
    }

    /// What changed after version `asked`, and who changed it, for a stale If-Match (two operators
    /// at once: the second sees what the first did instead of overwriting it). Best effort: the
    /// log's newest entries, at most [`SHOWN_SINCE`].
    async fn changes_since(&self, asked: u64, current: u64) -> String {
        let wanted = (current - asked).min(SHOWN_SINCE as u64) as usize;
        let Ok(entries) = layout::log(&self.state.storage(), wanted).await else { return String::new() };
        let lines: Vec<String> = entries
            .iter()
            .rev()
            .filter(|e| e.version > asked)
            .map(|e| {
                let who = e.by.as_ref().and_then(|b| b.actor.as_ref()).map_or_else(|| "someone".into(), |a| a.label());
                format!("v{} {} (by {who})", e.version, e.summary)
            })
            .collect();
        let more = (current - asked) as usize - lines.len().min((current - asked) as usize);
        let more = if more > 0 { format!(", and {more} more") } else { String::new() };
        if lines.is_empty() { String::new() } else { format!("; since then: {}{more}", lines.join("; ")) }
    }

    /// The loaded page a write applies to, checked against If-Match (409 when none was loaded).
    pub(super) async fn loaded_for_write(&self, call: &AdminCall) -> Result<Rc<Loaded>, EdgeError> {
        self.check_version(call.if_match.as_deref())
            .await?
            .ok_or_else(|| EdgeError::Conflict("no page has been loaded yet: PUT /api/v2/admin/page first".into()))
    }

    pub(super) async fn write(
        &self,
        command: &Command,
        call: &AdminCall,
        status: u16,
    ) -> Result<AdminReply, EdgeError> {
        let loaded = self.loaded_for_write(call).await?;
        let now = now()?;
        let version = loaded.version + 1;
        let new_id = fresh_id(&loaded.page, now, version);
        let change = command::apply(&loaded.page, command, now, &new_id).map_err(|err| match err {
            ApplyError::NotFound(what, id) => EdgeError::Missing(format!("no {what} with id {id:?}")),
            ApplyError::Invalid(problems) => EdgeError::Invalid(problems),
        })?;
        let mut batch = Batch::default();
        for (kind, event) in &change.events {
            batch.put(Key::Event(event.id.as_str()), &StoredEvent::new(*kind, event.clone()))?;
        }
        // A deletion removes the event's record; the audit log and the outbox keep what it was.
        for (_, gone) in &change.removed {
            batch.delete(Key::Event(gone.id.as_str()));
        }
        // Only the components this write changed are stored, and named in the answer; a removed
        // one's key goes.
        let mut changed = Vec::new();
        if let Some(components) = &change.components {
            for component in components {
                if loaded.page.components().iter().find(|c| c.id == component.id) != Some(component) {
                    batch.put(Key::Component(component.id.as_str()), component)?;
                    changed.push(component);
                }
            }
            for before in loaded.page.components() {
                if !components.iter().any(|c| c.id == before.id) {
                    batch.delete(Key::Component(before.id.as_str()));
                }
            }
        }
        // What the delivery object is handed: this write's events, committed with it (only when
        // someone listens; one key read, whatever the number of subscriptions).
        let handing_over = self.has_subscriptions().await?;
        if handing_over {
            let stream = subscriptions::stream(&self.state.storage(), &mut batch).await?;
            subscriptions::items(&loaded.page, &change, version, &stream, &mut batch)?;
        }
        let mut page = change.page.clone().unwrap_or_else(|| loaded.page.page().clone());
        drop(loaded);
        page.updated_at = change.at;
        batch.put(Key::Page, &page)?;
        let body = reply_body(version, &change, &changed);
        let touched = change.events.iter().map(|(_, e)| e.id.clone());
        let removed = change.removed.iter().map(|(_, e)| e.id.clone());
        // New settings show on every document: all of them are owed.
        let all = change.page.is_some();
        let pending = self.pending().await?.merge(version, touched, all).removing(removed);
        let summary = (change.summary.clone(), change.target.clone());
        let reply = AdminReply { status, version, body, replay: false };
        self.commit(batch, summary, call, &reply, pending).await?;
        if let Some(current) = self.loaded.borrow_mut().as_mut() {
            let current = Rc::make_mut(current);
            current.page.commit(&change);
            current.version = version;
        }
        if handing_over {
            self.schedule_relay().await;
        } else {
            self.schedule(0).await;
        }
        Ok(reply)
    }

    /// Adds, edits or removes a subscription: a write like any other (a new version, the audit
    /// log, the idempotent reply, one transaction), which changes no public document.
    pub(super) async fn subscription_write(&self, call: &AdminCall) -> Result<AdminReply, EdgeError> {
        let loaded = self.loaded_for_write(call).await?;
        let now = now()?;
        let version = loaded.version + 1;
        let stored = self.subscriptions().await?;
        let find = |id: &str| {
            stored
                .iter()
                .find(|s| s.subscription.id == id)
                .cloned()
                .ok_or_else(|| EdgeError::Missing(format!("no subscription with id {id:?}")))
        };
        let (written, status) = match call.op.endpoint {
            Endpoint::CreateSubscription => {
                let id = format!("sub_{}", fresh_id(&loaded.page, now, version));
                let targets = subscriptions::targets(&self.env);
                let secret = subscriptions::new_secret()?;
                let body = call.body.as_bytes();
                (subscriptions::create(body, &loaded.page, stored.len(), targets, id, secret, now)?, 201)
            }
            Endpoint::EditSubscription => {
                let id = &call.op.id;
                // Its cursor is moved past what its old filter passed over when the delivery object
                // takes the change (everything before it was handed over before it).
                (subscriptions::edit(call.body.as_bytes(), find(id)?, &loaded.page, now)?, 200)
            }
            Endpoint::DeleteSubscription => (subscriptions::delete(&find(&call.op.id)?), 200),
            other => return Err(EdgeError::Internal(format!("{other:?} is not a subscription write"))),
        };
        drop(loaded);
        self.apply_subscription_write(call, written, status).await
    }

    /// Commits a subscription write at the next version (its audit line, its idempotent reply).
    pub(super) async fn apply_subscription_write(
        &self,
        call: &AdminCall,
        written: subscriptions::Written,
        status: u16,
    ) -> Result<AdminReply, EdgeError> {
        let version = self.loaded_for_write(call).await?.version + 1;
        let mut batch = Batch::default();
        written.add_to(version, &mut batch)?;
        let mut body = written.body;
        body["version"] = version.into();
        let reply = AdminReply { status, version, body: body.to_string(), replay: false };
        let pending = self.pending().await?.merge(version, [], false);
        self.commit(batch, (written.summary, written.target), call, &reply, pending).await?;
        // Who is subscribed to what changed: read them again.
        *self.subscriptions.borrow_mut() = None;
        self.listening.set(None);
        if let Some(current) = self.loaded.borrow_mut().as_mut() {
            Rc::make_mut(current).version = version;
        }
        self.schedule_relay().await;
        Ok(reply)
    }

    /// `GET subscriptions/{id}/deliveries`: what the delivery object holds, once everything
    /// written was handed over (a list right after a write sees it).
    pub(super) async fn list_deliveries(&self, id: &str) -> Result<AdminReply, EdgeError> {
        let stored = self.subscription(id).await?;
        self.relay_all().await?;
        let listed = crate::delivery::list(&self.env, &self.object()?, id).await?;
        let version = self.load().await.map_or(0, |l| l.version);
        let body = serde_json::json!({
            "version": version,
            "subscription": subscriptions::shown(stored.subscription),
            "deliveries": listed.deliveries,
            "replays_waiting": listed.replays_waiting,
            "gaps": listed.gaps,
        });
        Ok(AdminReply { status: 200, version, body: body.to_string(), replay: false })
    }

    /// `POST subscriptions/{id}/deliveries/{delivery}/replay`: queued by the delivery object (once,
    /// however often it is asked).
    pub(super) async fn replay_delivery(&self, id: &str, delivery: &str) -> Result<AdminReply, EdgeError> {
        self.subscription(id).await?;
        self.relay_all().await?;
        let replayed = crate::delivery::replay(&self.env, &self.object()?, id, delivery).await?;
        let version = self.load().await.map_or(0, |l| l.version);
        let body = serde_json::json!({
            "version": version, "subscription": id, "delivery": delivery, "queued": true, "paused": replayed.paused,
        });
        Ok(AdminReply { status: 202, version, body: body.to_string(), replay: false })
    }

    /// From the delivery object: subscription `id` failed for a day and was paused there; the
    /// pause is written here too, with `reason` (logged, shown, handed back), once per `token`
    /// (an Idempotency-Key: asked again after the operator resumed it, it does not pause again).
    /// Nothing to do for a subscription already paused or gone.
    pub(super) async fn pause_failed(&self, id: &str, reason: &str, token: String) -> Result<AdminReply, EdgeError> {
        #[cfg(feature = "fault-injection")]
        if crate::clock::now_ms() < self.pauses_fail_until.get() {
            return Err(EdgeError::Unavailable);
        }
        let op = Operation::on(Endpoint::EditSubscription, id);
        let mut call = AdminCall::by_the_store(op, "deliveries (the queue consumer)");
        call.fingerprint = format!("pause {id}");
        call.idempotency_key = Some(token);
        if let Some(reply) = self.replay(&call).await? {
            return Ok(reply);
        }
        let version = self.load().await.map_or(0, |l| l.version);
        let unchanged = AdminReply { status: 200, version, body: "{}".into(), replay: false };
        let Some(stored) = self.subscriptions().await?.iter().find(|s| s.subscription.id == id).cloned() else {
            return Ok(unchanged);
        };
        if stored.subscription.paused.is_some() {
            return Ok(unchanged);
        }
        let written = subscriptions::pause_failed(stored, reason, now()?);
        self.apply_subscription_write(&call, written, 200).await
    }

    async fn subscription(&self, id: &str) -> Result<subscriptions::Stored, EdgeError> {
        let found = self.subscriptions().await?.iter().find(|s| s.subscription.id == id).cloned();
        found.ok_or_else(|| EdgeError::Missing(format!("no subscription with id {id:?}")))
    }

    pub(super) async fn import(&self, call: &AdminCall) -> Result<AdminReply, EdgeError> {
        let data: PageData = read_object(call.body.as_bytes(), "is not a page")?;
        let mut problems = validate(&data);
        problems.extend(sitrep_shared::validate::future_times(&data, now()?));
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
        let mut batch = Batch::default();
        batch.put(Key::Page, &data.page)?;
        batch.put_text(Key::Epoch, COPIES.to_owned());
        for component in &data.components {
            batch.put(Key::Component(component.id.as_str()), component)?;
        }
        let events = data.incidents.iter().map(|e| (Kind::Incident, e));
        for (kind, event) in events.chain(data.scheduled_maintenances.iter().map(|e| (Kind::Maintenance, e))) {
            batch.put(Key::Event(event.id.as_str()), &StoredEvent::new(kind, event.clone()))?;
        }
        // What the new page no longer has (a key put again is not removed).
        let kept: std::collections::HashSet<String> = batch.put_keys().map(str::to_owned).collect();
        for key in old.into_iter().filter(|key| !kept.contains(key)) {
            batch.delete_listed(key);
        }
        let count = data.incidents.len() + data.scheduled_maintenances.len();
        let summary = (format!("imported the page ({count} events)"), String::new());
        let reply = AdminReply { status: 200, version, body: format!("{{\"version\":{version}}}"), replay: false };
        let pending = self.pending().await?.merge(version, [], true);
        self.commit(batch, summary, call, &reply, pending).await?;
        *self.loaded.borrow_mut() = Some(Rc::new(Loaded { version, page: PageState::new(data) }));
        self.schedule(0).await;
        Ok(reply)
    }

    /// What publication owes so far (nothing when nothing is stored).
    pub(super) async fn pending(&self) -> Result<Pending, EdgeError> {
        Ok(self.stored_pending().await?.unwrap_or_default())
    }

    /// Persists one accepted write (its `batch`, at `answer`'s version) with its audit entry (the
    /// server's clock, who wrote), `answer` as the idempotent reply, what publication owes, and
    /// the removal of a batch of expired replies.
    pub(super) async fn commit(
        &self,
        mut batch: Batch,
        (summary, target): (String, String),
        call: &AdminCall,
        answer: &AdminReply,
        pending: Pending,
    ) -> Result<(), EdgeError> {
        let (now, version) = (now()?, answer.version);
        let storage = self.state.storage();
        let log = LogEntry { version, at: now, summary, target, by: Some(call.caller.clone()) };
        let reply = call.idempotency_key.clone().map(|key| {
            let reply = Reply {
                fingerprint: call.fingerprint.clone(),
                status: answer.status,
                body: answer.body.clone(),
                at: Some(now),
                version: Some(version),
            };
            (key, reply)
        });
        // Best effort: a failed look-up of expired replies leaves them for a later write.
        for key in layout::expired_replies(&storage, now, self.retention()).await.unwrap_or_default() {
            batch.delete_listed(key);
        }
        layout::persist(&storage, Commit { version, batch, log, reply, pending }).await
    }

    pub(super) fn retention(&self) -> u32 {
        idempotency::retention_secs(self.env.var(RETENTION_VAR).ok().map(|v| v.to_string()).as_deref())
    }
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
