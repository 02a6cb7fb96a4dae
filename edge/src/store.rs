//! The page store: one Durable Object per page, the single writer and the source of truth.
//!
//! Storage layout (one key per thing, so a write costs what it changes): `version` (u64), `page`
//! (JSON), `component/{id}` per component (JSON), `event/{id}` per incident or maintenance (JSON),
//! `log/{version}` per accepted write (the audit log), `idem/{key}` per Idempotency-Key (the first
//! reply) and `idem-at/{millis}/{key}` (when it was stored, in order, so that each write removes a
//! batch of the replies past their retention: see `shared::idempotency`). Every write puts its keys
//! in one transaction: all or nothing. The object keeps the
//! indexed [`PageState`] in memory, commits each change to it after the transaction, and publishes
//! the documents to KV.
//!
//! Internal routes from the worker: `GET /doc?key=&base=` renders one document; `/admin/...`
//! carries the write API (auth, size and media type were checked by the worker).

use std::cell::RefCell;
use std::rc::Rc;

use serde::{Deserialize, Serialize};
use sitrep_shared::command::{self, ApplyError, Change, Command};
use sitrep_shared::document::{Document, FIXED, RenderError};
use sitrep_shared::{Component, Incident, Kind, Page, PageData, PageState, Timestamp, idempotency, validate};
use worker::{
    DurableObject, Env, Headers, ListOptions, Method, Request, RequestInit, Response, State, durable_object, js_sys,
    wasm_bindgen::JsValue,
};

use crate::admin::{self, Admin};
use crate::error::{self, EdgeError};
use crate::read::{self, Doc};
use crate::{KV_BINDING, PAGE_NAME, STORE_BINDING, cache, url};

const EVENT_PREFIX: &str = "event/";
const COMPONENT_PREFIX: &str = "component/";
const LOG_PREFIX: &str = "log/";
const IDEM_PREFIX: &str = "idem/";
const IDEM_AT_PREFIX: &str = "idem-at/";
/// The operator's setting for how long an Idempotency-Key is remembered, in seconds (default a day).
const RETENTION_VAR: &str = "SITREP_IDEMPOTENCY_SECS";

/// The single writer of one page.
#[durable_object]
pub struct PageStore {
    state: State,
    env: Env,
    loaded: RefCell<Option<Rc<Loaded>>>,
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

/// One audit log entry.
#[derive(Debug, Serialize, Deserialize)]
struct LogEntry {
    version: u64,
    at: Timestamp,
    summary: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    target: String,
}

/// The first reply to a request with an Idempotency-Key, replayed to retries.
#[derive(Debug, Serialize, Deserialize)]
struct Reply {
    fingerprint: String,
    status: u16,
    body: String,
    /// When it was stored; replies from before keys expired have none and stay.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    at: Option<Timestamp>,
}

/// What the worker passed along with an admin request.
struct Meta {
    base: String,
    if_match: Option<String>,
    idempotency_key: Option<String>,
    fingerprint: String,
}

impl DurableObject for PageStore {
    fn new(state: State, env: Env) -> Self {
        Self { state, env, loaded: RefCell::new(None) }
    }

    async fn fetch(&self, req: Request) -> worker::Result<Response> {
        let path = req.path();
        let result = match path.strip_prefix("/admin/") {
            Some(rest) => {
                let rest = rest.to_owned();
                self.admin(req, &rest).await
            }
            None if req.method() == Method::Get && path == "/doc" => self.doc(&req).await,
            #[cfg(feature = "fault-injection")]
            None if req.method() == Method::Get && path == "/keys" => self.keys_under(&req).await,
            None => Err(EdgeError::NotFound(path)),
        };
        Ok(result.unwrap_or_else(|err| error::response(&err, false)))
    }
}

impl PageStore {
    async fn load(&self) -> Result<Rc<Loaded>, EdgeError> {
        if let Some(loaded) = self.loaded.borrow().as_ref() {
            return Ok(Rc::clone(loaded));
        }
        let storage = self.state.storage();
        let Some(version) = storage.get::<u64>("version").await? else {
            return Err(EdgeError::NotLoaded);
        };
        let page: String = storage.get("page").await?.ok_or(EdgeError::NotLoaded)?;
        let page: Page = from_json(&page)?;
        let mut components = Vec::new();
        for value in storage.list_with_options(ListOptions::new().prefix(COMPONENT_PREFIX)).await?.values() {
            let text = value.map_err(|e| EdgeError::Internal(format!("{e:?}")))?.as_string().unwrap_or_default();
            components.push(from_json::<Component>(&text)?);
        }
        let events = storage.list_with_options(ListOptions::new().prefix(EVENT_PREFIX)).await?;
        let mut data = PageData { page, components, incidents: vec![], scheduled_maintenances: vec![] };
        for value in events.values() {
            let text = value.map_err(|e| EdgeError::Internal(format!("{e:?}")))?.as_string().unwrap_or_default();
            let stored: StoredEvent = from_json(&text)?;
            match stored.kind {
                StoredKind::Incident => data.incidents.push(stored.event),
                StoredKind::Maintenance => data.scheduled_maintenances.push(stored.event),
            }
        }
        // Another request may have loaded it meanwhile; keep the first.
        let loaded = Rc::new(Loaded { version, page: PageState::new(data) });
        let mut slot = self.loaded.borrow_mut();
        Ok(Rc::clone(slot.get_or_insert(loaded)))
    }

    async fn doc(&self, req: &Request) -> Result<Response, EdgeError> {
        let full = req.inner().url();
        let (_, _, query) = url::split(&full);
        let key = url::query_param(query, "key").unwrap_or_default();
        let base = url::query_param(query, "base").unwrap_or_default();
        let doc = Document::from_key(&key).ok_or_else(|| EdgeError::NotFound(key.clone()))?;
        let loaded = self.load().await?;
        let rendered = render(&loaded, &doc, &base)?;
        Ok(rendered.to_response(0))
    }

    async fn admin(&self, mut req: Request, rest: &str) -> Result<Response, EdgeError> {
        let method = req.method();
        let op = admin::route(method.as_ref(), rest).map_err(|_| EdgeError::NotFound(rest.to_owned()))?;
        let header = |name: &str| req.headers().get(name).ok().flatten();
        let base = header("x-sitrep-base").unwrap_or_default();
        let if_match = header("if-match");
        let idempotency_key = header("idempotency-key").filter(|_| method == Method::Post);
        let body = req.bytes().await?;
        let fingerprint = format!("{method} {rest} {}", cache::etag(&body));
        let meta = Meta { base, if_match, idempotency_key, fingerprint };
        if let Some(reply) = self.replay(&meta).await? {
            return Ok(reply);
        }
        match op {
            Admin::Log => self.log(&req).await,
            Admin::OpenApi => Err(EdgeError::NotFound(rest.to_owned())),
            Admin::ImportPage => self.import(&body, &meta).await,
            other => {
                let command = parse_command(&other, &body)?;
                let created =
                    matches!(other, Admin::OpenIncident | Admin::ScheduleMaintenance | Admin::CreateComponent);
                self.write(&command, &meta, if created { 201 } else { 200 }).await
            }
        }
    }

    /// The stored first reply for this Idempotency-Key, if any (409 if the key came with another request).
    async fn replay(&self, meta: &Meta) -> Result<Option<Response>, EdgeError> {
        let Some(key) = &meta.idempotency_key else { return Ok(None) };
        if key.is_empty() || key.len() > 200 {
            return Err(EdgeError::BadRequest("Idempotency-Key must be 1 to 200 characters".into()));
        }
        let Some(text) = self.state.storage().get::<String>(&format!("{IDEM_PREFIX}{key}")).await? else {
            return Ok(None);
        };
        let reply: Reply = from_json(&text)?;
        if !idempotency::replayable(reply.at, now()?, self.retention()) {
            // Past its retention the key names a new request; this write replaces the old reply.
            return Ok(None);
        }
        if reply.fingerprint != meta.fingerprint {
            return Err(EdgeError::Conflict("this Idempotency-Key was used for a different request".into()));
        }
        let headers = Headers::new();
        let _ = headers.set("content-type", "application/json; charset=utf-8");
        let _ = headers.set("idempotent-replay", "true");
        Ok(Some(Response::builder().with_status(reply.status).with_headers(headers).fixed(reply.body.into_bytes())))
    }

    /// The current version, checked against If-Match.
    async fn check_version(&self, meta: &Meta) -> Result<Option<Rc<Loaded>>, EdgeError> {
        let loaded = match self.load().await {
            Ok(loaded) => Some(loaded),
            Err(EdgeError::NotLoaded) => None,
            Err(err) => return Err(err),
        };
        let current = loaded.as_ref().map_or(0, |l| l.version);
        if let Some(wanted) = &meta.if_match {
            let wanted = wanted.trim().trim_start_matches("W/").trim_matches('"').trim_start_matches('v');
            if wanted != "*" && wanted.parse::<u64>().ok() != Some(current) {
                return Err(EdgeError::Conflict(format!(
                    "the page is at version {current}; If-Match asked for {wanted}: reload and retry"
                )));
            }
        }
        Ok(loaded)
    }

    async fn write(&self, command: &Command, meta: &Meta, status: u16) -> Result<Response, EdgeError> {
        let Some(loaded) = self.check_version(meta).await? else {
            return Err(EdgeError::Conflict("no page has been loaded yet: PUT /api/v2/admin/page first".into()));
        };
        let now = now()?;
        let version = loaded.version + 1;
        let new_id = fresh_id(&loaded.page, now, version);
        let change = command::apply(&loaded.page, command, now, &new_id).map_err(|err| match err {
            ApplyError::NotFound(what, id) => EdgeError::Missing(format!("no {what} with id {id:?}")),
            ApplyError::Invalid(problems) => EdgeError::Invalid(problems),
        })?;
        drop(loaded);
        let body = reply_body(version, &change);
        let mut puts: Vec<(String, String)> = Vec::new();
        for (kind, event) in &change.events {
            puts.push((format!("{EVENT_PREFIX}{}", event.id), to_json(&StoredEvent::new(*kind, event.clone()))?));
        }
        let current = self.load().await?;
        for component in change.components.iter().flatten() {
            // Only the components this write changed.
            if current.page.components().iter().find(|c| c.id == component.id) != Some(component) {
                puts.push((format!("{COMPONENT_PREFIX}{}", component.id), to_json(component)?));
            }
        }
        let mut page = current.page.page().clone();
        drop(current);
        page.updated_at = change.at;
        puts.push(("page".into(), to_json(&page)?));
        self.persist(version, puts, vec![], &change.summary, &change.target, change.at, meta, status, &body).await?;
        {
            let mut slot = self.loaded.borrow_mut();
            if let Some(current) = slot.as_mut() {
                let current = Rc::make_mut(current);
                current.page.commit(&change);
                current.version = version;
            }
        }
        let touched: Vec<Document> = change.events.iter().map(|(_, e)| Document::Incident(e.id.clone())).collect();
        self.publish(version, &meta.base, &touched).await?;
        Ok(reply(status, version, body))
    }

    async fn import(&self, body: &[u8], meta: &Meta) -> Result<Response, EdgeError> {
        let data: PageData = read_object(body, "is not a page")?;
        let problems = validate(&data);
        if !problems.is_empty() {
            return Err(EdgeError::Invalid(problems));
        }
        let loaded = self.check_version(meta).await?;
        let version = loaded.as_ref().map_or(0, |l| l.version) + 1;
        drop(loaded);
        let mut old = self.stored_keys(EVENT_PREFIX).await?;
        old.extend(self.stored_keys(COMPONENT_PREFIX).await?);
        let mut puts = vec![("page".to_owned(), to_json(&data.page)?)];
        for component in &data.components {
            puts.push((format!("{COMPONENT_PREFIX}{}", component.id), to_json(component)?));
        }
        for event in &data.incidents {
            puts.push((
                format!("{EVENT_PREFIX}{}", event.id),
                to_json(&StoredEvent::new(Kind::Incident, event.clone()))?,
            ));
        }
        for event in &data.scheduled_maintenances {
            puts.push((
                format!("{EVENT_PREFIX}{}", event.id),
                to_json(&StoredEvent::new(Kind::Maintenance, event.clone()))?,
            ));
        }
        let kept: std::collections::HashSet<&str> = puts.iter().map(|(key, _)| key.as_str()).collect();
        let deletes: Vec<String> = old.into_iter().filter(|k| !kept.contains(k.as_str())).collect();
        let summary =
            format!("imported the page ({} events)", data.incidents.len() + data.scheduled_maintenances.len());
        let body = format!("{{\"version\":{version}}}");
        self.persist(version, puts, deletes, &summary, "", data.page.updated_at, meta, 200, &body).await?;
        *self.loaded.borrow_mut() = Some(Rc::new(Loaded { version, page: PageState::new(data) }));
        self.publish(version, &meta.base, &[]).await?;
        Ok(reply(200, version, body))
    }

    /// `GET /keys?prefix=`: the stored keys under a prefix, for tests of what the store keeps.
    #[cfg(feature = "fault-injection")]
    async fn keys_under(&self, req: &Request) -> Result<Response, EdgeError> {
        let full = req.inner().url();
        let (_, _, query) = url::split(&full);
        let keys = self.stored_keys(&url::query_param(query, "prefix").unwrap_or_default()).await?;
        Ok(Response::from_json(&keys)?)
    }

    fn retention(&self) -> u32 {
        idempotency::retention_secs(self.env.var(RETENTION_VAR).ok().map(|v| v.to_string()).as_deref())
    }

    /// Up to [`idempotency::PRUNE_BATCH`] replies past their retention at `now`: the storage keys to
    /// delete (each due `idem-at/` entry, and its reply unless the key was used again since).
    async fn expired_replies(&self, now: Timestamp) -> Result<Vec<String>, EdgeError> {
        let retention = self.retention();
        let end = stored_at_prefix(idempotency::cutoff_millis(now, retention));
        let storage = self.state.storage();
        let options = ListOptions::new().start(IDEM_AT_PREFIX).end(&end).limit(idempotency::PRUNE_BATCH);
        let due = storage.list_with_options(options).await?;
        let mut deletes = Vec::new();
        for (entry, key) in due.keys().into_iter().zip(due.values()) {
            let (Some(entry), Some(key)) =
                (entry.ok().and_then(|e| e.as_string()), key.ok().and_then(|k| k.as_string()))
            else {
                continue;
            };
            let reply_key = format!("{IDEM_PREFIX}{key}");
            let stored = storage.get::<String>(&reply_key).await?;
            let stored_at = stored.and_then(|text| from_json::<Reply>(&text).ok()).and_then(|r| r.at);
            if idempotency::removable(stored_at, now, retention) {
                deletes.push(reply_key);
            }
            deletes.push(entry);
        }
        Ok(deletes)
    }

    async fn stored_keys(&self, prefix: &str) -> Result<Vec<String>, EdgeError> {
        let old = self.state.storage().list_with_options(ListOptions::new().prefix(prefix)).await?;
        Ok(old.keys().into_iter().filter_map(|k| k.ok()?.as_string()).collect())
    }

    /// Writes one accepted change: its keys, the version, the audit entry and the idempotent
    /// reply, in one transaction, which also removes a batch of expired replies.
    #[allow(clippy::too_many_arguments)]
    async fn persist(
        &self,
        version: u64,
        puts: Vec<(String, String)>,
        mut deletes: Vec<String>,
        summary: &str,
        target: &str,
        at: Timestamp,
        meta: &Meta,
        status: u16,
        body: &str,
    ) -> Result<(), EdgeError> {
        let entry = LogEntry { version, at, summary: summary.to_owned(), target: target.to_owned() };
        let log = (format!("{LOG_PREFIX}{version:016}"), to_json(&entry)?);
        // The clock, not `at`: an imported page's `updated_at` may be anything.
        let now = now()?;
        let mut idem = Vec::new();
        if let Some(key) = &meta.idempotency_key {
            let reply = Reply { fingerprint: meta.fingerprint.clone(), status, body: body.to_owned(), at: Some(now) };
            idem.push((format!("{IDEM_PREFIX}{key}"), to_json(&reply)?));
            idem.push((format!("{}/{key}", stored_at_prefix(now.unix_millis())), key.clone()));
        }
        // Deleted before the puts: a key used again after it expired gets its new reply.
        // Best effort: a failed look-up of expired replies leaves them for a later write.
        deletes.extend(self.expired_replies(now).await.unwrap_or_default());
        self.state
            .storage()
            .transaction(move |txn| async move {
                // The platform deletes at most 128 keys per call.
                for chunk in deletes.chunks(128) {
                    txn.delete_multiple(chunk.to_vec()).await?;
                }
                for (key, value) in puts.into_iter().chain([log]).chain(idem) {
                    txn.put(&key, value).await?;
                }
                txn.put("version", version).await?;
                Ok(())
            })
            .await?;
        Ok(())
    }

    /// Renders the fixed documents and `extra`, then writes them to KV, unless a newer write
    /// overtook this one meanwhile (its own publish carries newer documents).
    async fn publish(&self, version: u64, base: &str, extra: &[Document]) -> Result<(), EdgeError> {
        let docs: Vec<(String, Doc)> = {
            let loaded = self.load().await?;
            let mut docs = Vec::new();
            for doc in FIXED.iter().chain(extra) {
                docs.push((doc.key(), render(&loaded, doc, base)?));
            }
            docs
        };
        let kv = self.env.kv(KV_BINDING)?;
        for (key, doc) in docs {
            if self.loaded.borrow().as_ref().is_some_and(|l| l.version > version) {
                break;
            }
            read::publish(&kv, &key, &doc).await?;
        }
        Ok(())
    }

    async fn log(&self, req: &Request) -> Result<Response, EdgeError> {
        let full = req.inner().url();
        let (_, _, query) = url::split(&full);
        let limit = url::query_param(query, "limit").and_then(|l| l.parse::<usize>().ok()).unwrap_or(50).clamp(1, 500);
        let list = self
            .state
            .storage()
            .list_with_options(ListOptions::new().prefix(LOG_PREFIX).reverse(true).limit(limit))
            .await?;
        let mut entries = Vec::new();
        for value in list.values() {
            let text = value.map_err(|e| EdgeError::Internal(format!("{e:?}")))?.as_string().unwrap_or_default();
            entries.push(from_json::<LogEntry>(&text)?);
        }
        let version = self.load().await.map(|l| l.version).unwrap_or(0);
        let body = serde_json::json!({ "version": version, "entries": entries }).to_string();
        Ok(reply(200, version, body))
    }
}

/// An event with the list it belongs to, as stored under `event/{id}`.
#[derive(Serialize, Deserialize)]
struct StoredEvent {
    kind: StoredKind,
    event: Incident,
}

#[derive(Clone, Copy, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum StoredKind {
    Incident,
    Maintenance,
}

impl StoredEvent {
    fn new(kind: Kind, event: Incident) -> Self {
        let kind = match kind {
            Kind::Incident => StoredKind::Incident,
            Kind::Maintenance => StoredKind::Maintenance,
        };
        Self { kind, event }
    }
}

/// `idem-at/{millis}`, zero-padded so that the keys sort by time: an entry's name starts with it,
/// and the search for expired entries ends at it.
fn stored_at_prefix(millis: i64) -> String {
    format!("{IDEM_AT_PREFIX}{:016}", millis.max(0))
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

fn reply_body(version: u64, change: &Change) -> String {
    let event = change.events.first().map(|(_, e)| e);
    serde_json::json!({
        "version": version,
        "id": change.target,
        "summary": change.summary,
        "incident": event,
        "components": change.components,
    })
    .to_string()
}

fn reply(status: u16, version: u64, body: String) -> Response {
    let headers = Headers::new();
    let _ = headers.set("content-type", "application/json; charset=utf-8");
    let _ = headers.set("x-sitrep-version", &version.to_string());
    Response::builder().with_status(status).with_headers(headers).fixed(body.into_bytes())
}

/// The command an admin route and its JSON body ask for; 400 when the body does not parse.
/// A request body: a JSON object (serde would also read a struct from an array) of `T`'s shape;
/// 400 saying the body `fault` otherwise.
fn read_object<T: serde::de::DeserializeOwned>(body: &[u8], fault: &str) -> Result<T, EdgeError> {
    if !command::is_json_object(body) {
        return Err(EdgeError::BadRequest("the body must be a JSON object".into()));
    }
    serde_json::from_slice(body).map_err(|e| EdgeError::BadRequest(format!("the body {fault}: {e}")))
}

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
        Admin::CreateComponent => Command::CreateComponent(parse(body)?),
        Admin::EditComponent(id) => Command::EditComponent(id.as_str().into(), parse(body)?),
        Admin::ReorderComponents => Command::ReorderComponents(parse(body)?),
        Admin::ImportPage | Admin::Log | Admin::OpenApi => {
            return Err(EdgeError::Internal("not a command".into()));
        }
    })
}

fn render(loaded: &Loaded, doc: &Document, base: &str) -> Result<Doc, EdgeError> {
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
    })
}

fn from_json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, EdgeError> {
    serde_json::from_str(text).map_err(|e| EdgeError::Internal(format!("stored data does not parse: {e}")))
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<String, EdgeError> {
    serde_json::to_string(value).map_err(|e| EdgeError::Internal(e.to_string()))
}

/// Sends a request to the store; 2xx answers come back as they are, errors as [`EdgeError`].
async fn call(
    env: &Env,
    method: Method,
    path: &str,
    headers: Headers,
    body: Option<Vec<u8>>,
) -> Result<Response, EdgeError> {
    if read::store_down() {
        return Err(EdgeError::Unavailable);
    }
    let stub = env.durable_object(STORE_BINDING)?.get_by_name(PAGE_NAME)?;
    let mut init = RequestInit::new();
    init.with_method(method).with_headers(headers);
    // A GET may carry no body at all, not even an empty one.
    if let Some(body) = body.filter(|b| !b.is_empty()) {
        init.with_body(Some(JsValue::from(js_sys::Uint8Array::from(body.as_slice()))));
    }
    let request = Request::new_with_init(&format!("https://store{path}"), &init)?;
    let mut response = stub.fetch_with_request(request).await?;
    if (200..300).contains(&response.status_code()) {
        return Ok(response);
    }
    let text = response.text().await.unwrap_or_default();
    Err(error::from_body(response.status_code(), &text))
}

/// One rendered document from the store.
pub async fn fetch_doc(env: &Env, key: &str, base: &str) -> Result<Doc, EdgeError> {
    let path = format!("/doc?key={}&base={}", url::encode(key), url::encode(base));
    let response = call(env, Method::Get, &path, Headers::new(), None).await?;
    Doc::from_response(response).await
}

/// `GET /__sitrep/keys?prefix=` (test builds only): the store's keys under `prefix`.
#[cfg(feature = "fault-injection")]
pub async fn stored_keys(env: &Env, prefix: String) -> Result<Response, EdgeError> {
    call(env, Method::Get, &format!("/keys?prefix={}", url::encode(&prefix)), Headers::new(), None).await
}

/// Forwards an admin request (already authenticated and size-checked) to the store.
pub async fn admin(
    env: &Env,
    method: Method,
    rest: &str,
    query: &str,
    headers: Headers,
    body: Vec<u8>,
) -> Result<Response, EdgeError> {
    let query = if query.is_empty() { String::new() } else { format!("?{query}") };
    call(env, method, &format!("/admin/{rest}{query}"), headers, Some(body)).await
}
