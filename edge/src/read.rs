//! The read path, fastest first: isolate memory, the Cache API, KV, then the store (the Durable
//! Object). Each layer's copy carries the instant it stops being true (`valid_until`), so a
//! maintenance window opening is never hidden behind a cache.
//!
//! A copy in memory is served as is for `MEMORY_TTL_MS`; for `REVALIDATE_MS` more it is still
//! served at once while one background task per document fetches the next copy (so a busy isolate
//! never sends every concurrent request down the chain at the same moment). When the store fails,
//! the last good copy (isolate memory of any age, then a long-lived Cache API copy, then an
//! expired KV copy) is served and flagged stale; with none of them, 503.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use serde::{Deserialize, Serialize};
use sitrep_shared::document::Document;
use worker::{Cache, Context, Env, Headers, Response};

use crate::KV_BINDING;
use crate::error::EdgeError;
use crate::store;

/// How long a copy in isolate memory is served without asking further.
const MEMORY_TTL_MS: u64 = 1_000;
/// How much longer it is served while a background task fetches the next copy.
const REVALIDATE_MS: u64 = 5_000;
/// How long the per-location Cache API copy is fresh.
const CACHE_TTL_S: u64 = 5;
/// How long the last good copy is kept for store outages.
const LAST_GOOD_TTL_S: u64 = 7 * 86_400;
/// How long KV may serve its own cached copy at a location.
const KV_CACHE_TTL_S: u64 = 60;

/// A rendered document and what is known about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Doc {
    pub body: Vec<u8>,
    pub etag: String,
    pub content_type: String,
    /// Milliseconds since the epoch at which it stops being true, if ever.
    pub valid_until: Option<u64>,
    /// The page version it was rendered from.
    pub version: u64,
}

impl Doc {
    /// Still true at `now`, and not older than a write this isolate made.
    fn usable(&self, now: u64) -> bool {
        self.valid_until.is_none_or(|until| now < until) && self.version >= FLOOR.with(std::cell::Cell::get)
    }

    fn meta(&self) -> Meta {
        Meta {
            version: self.version,
            etag: self.etag.clone(),
            content_type: self.content_type.clone(),
            valid_until: self.valid_until,
        }
    }

    fn from_meta(body: Vec<u8>, meta: Meta) -> Self {
        Self {
            body,
            etag: meta.etag,
            content_type: meta.content_type,
            valid_until: meta.valid_until,
            version: meta.version,
        }
    }

    /// Reads a document back from a response carrying our headers.
    pub async fn from_response(mut response: Response) -> Result<Self, EdgeError> {
        let header = |name: &str| response.headers().get(name).ok().flatten();
        let etag = header("etag").unwrap_or_default();
        let content_type = header("content-type").unwrap_or_default();
        let version = header("x-sitrep-version").and_then(|v| v.parse().ok()).unwrap_or(0);
        let valid_until = header("x-sitrep-valid-until").and_then(|v| v.parse().ok());
        let body = response.bytes().await?;
        Ok(Self { body, etag, content_type, valid_until, version })
    }

    /// A response carrying the document and our headers, cacheable for `max_age` seconds.
    pub fn to_response(&self, max_age: u64) -> Response {
        let headers = Headers::new();
        let _ = headers.set("content-type", &self.content_type);
        let _ = headers.set("etag", &self.etag);
        let _ = headers.set("x-sitrep-version", &self.version.to_string());
        if let Some(until) = self.valid_until {
            let _ = headers.set("x-sitrep-valid-until", &until.to_string());
        }
        let _ = headers.set("cache-control", &format!("max-age={max_age}"));
        Response::builder().with_status(200).with_headers(headers).fixed(self.body.clone())
    }
}

/// KV metadata stored beside each document's bytes.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Meta {
    version: u64,
    etag: String,
    content_type: String,
    valid_until: Option<u64>,
}

/// A document in isolate memory.
struct Entry {
    doc: Rc<Doc>,
    /// When it was fetched (ms).
    at: u64,
    /// A background refresh is under way.
    refreshing: bool,
    /// The last background refresh failed: the next request goes down the chain itself.
    failed: bool,
}

thread_local! {
    static MEMORY: RefCell<HashMap<String, Entry>> = RefCell::new(HashMap::new());
    /// The newest version this isolate wrote: older copies in any layer are not served fresh, so a
    /// read through this isolate right after a write sees it.
    static FLOOR: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// Records a write through this isolate (read-your-writes).
pub fn wrote(version: u64) {
    FLOOR.with(|f| f.set(f.get().max(version)));
    forget_all();
}

/// Milliseconds since the epoch.
pub fn now_ms() -> u64 {
    worker::Date::now().as_millis()
}

/// Drops every copy in this isolate's memory (after a write through this isolate).
fn forget_all() {
    MEMORY.with(|m| m.borrow_mut().clear());
}

fn remember(key: &str, doc: &Rc<Doc>, now: u64) {
    let entry = Entry { doc: Rc::clone(doc), at: now, refreshing: false, failed: false };
    MEMORY.with(|m| m.borrow_mut().insert(key.to_owned(), entry));
}

/// The remembered copy, its age, and whether this caller should start the background refresh.
fn recall(key: &str, now: u64) -> Option<(Rc<Doc>, u64, bool, bool)> {
    MEMORY.with(|m| {
        let mut memory = m.borrow_mut();
        let entry = memory.get_mut(key)?;
        let age = now.saturating_sub(entry.at);
        let start_refresh = age >= MEMORY_TTL_MS && !entry.refreshing && !entry.failed;
        if start_refresh {
            entry.refreshing = true;
        }
        Some((Rc::clone(&entry.doc), age, start_refresh, entry.failed))
    })
}

fn refresh_failed(key: &str) {
    MEMORY.with(|m| {
        if let Some(entry) = m.borrow_mut().get_mut(key) {
            entry.refreshing = false;
            entry.failed = true;
        }
    });
}

fn fresh_url(key: &str) -> String {
    format!("https://sitrep.internal/fresh/{key}")
}

fn last_good_url(key: &str) -> String {
    format!("https://sitrep.internal/last-good/{key}")
}

fn kv_key(key: &str) -> String {
    format!("doc/{key}")
}

/// The document and whether it is a stale copy served because the store failed.
pub async fn fetch_doc(env: &Env, ctx: &Context, doc: &Document, base: &str) -> Result<(Rc<Doc>, bool), EdgeError> {
    let key = doc.key();
    let now = now_ms();
    let remembered = recall(&key, now);
    if let Some((found, age, start_refresh, failed)) = &remembered
        && found.usable(now)
        && !failed
    {
        if *age < MEMORY_TTL_MS {
            return Ok((Rc::clone(found), false));
        }
        if *age < MEMORY_TTL_MS + REVALIDATE_MS {
            if *start_refresh {
                let (env, key, base) = (env.clone(), key.clone(), base.to_owned());
                ctx.wait_until(async move {
                    if load(&env, None, &key, &base).await.is_err() {
                        refresh_failed(&key);
                    }
                });
            }
            return Ok((Rc::clone(found), false));
        }
    }
    match load(env, Some(ctx), &key, base).await {
        Ok(found) => Ok((found, false)),
        Err(Failed::Answer(err)) => Err(err),
        Err(Failed::Store(expired_kv)) => {
            if let Some((found, ..)) = remembered {
                return Ok((found, true));
            }
            if let Some(found) = cache_get(&Cache::default(), &last_good_url(&key)).await {
                return Ok((Rc::new(found), true));
            }
            expired_kv.map(|found| (found, true)).ok_or(EdgeError::Unavailable)
        }
    }
}

/// Why the chain below memory gave no document.
enum Failed {
    /// The store answered, and the answer is an error for the client (unknown id, nothing loaded).
    Answer(EdgeError),
    /// The store could not be reached; carries KV's copy if it had an expired one.
    Store(Option<Rc<Doc>>),
}

/// Cache API, then KV, then the store; remembers what it finds and writes it through to the faster
/// layers (deferred with `ctx`, inline in a background task).
async fn load(env: &Env, ctx: Option<&Context>, key: &str, base: &str) -> Result<Rc<Doc>, Failed> {
    let now = now_ms();
    if let Some(found) = cache_get(&Cache::default(), &fresh_url(key)).await
        && found.usable(now)
    {
        let found = Rc::new(found);
        remember(key, &found, now);
        return Ok(found);
    }
    let from_kv = kv_get(env, key).await.ok().flatten().map(Rc::new);
    if let Some(found) = from_kv.as_ref().filter(|d| d.usable(now)) {
        remember(key, found, now);
        keep(ctx, env, key, found, false).await;
        return Ok(Rc::clone(found));
    }
    match store::fetch_doc(env, key, base).await {
        Ok(found) => {
            let found = Rc::new(found);
            remember(key, &found, now);
            keep(ctx, env, key, &found, true).await;
            Ok(found)
        }
        Err(err @ (EdgeError::UnknownIncident(_) | EdgeError::NotLoaded)) => Err(Failed::Answer(err)),
        Err(_) => Err(Failed::Store(from_kv)),
    }
}

/// Writes a copy to the Cache API (fresh and last good) and, when it came from the store, to KV:
/// after the response is sent when there is a request context, else right away.
async fn keep(ctx: Option<&Context>, env: &Env, key: &str, doc: &Rc<Doc>, to_kv: bool) {
    // The deferred task may outlive this request; it gets its own copy.
    let (key, doc) = (key.to_owned(), Doc::clone(doc));
    let kv = if to_kv { env.kv(KV_BINDING).ok() } else { None };
    let write = async move {
        let cache = Cache::default();
        let _ = cache.put(fresh_url(&key), doc.to_response(CACHE_TTL_S)).await;
        let _ = cache.put(last_good_url(&key), doc.to_response(LAST_GOOD_TTL_S)).await;
        if let Some(kv) = kv {
            let _ = publish(&kv, &key, &doc).await;
        }
    };
    match ctx {
        Some(ctx) => ctx.wait_until(write),
        None => write.await,
    }
}

/// Writes a rendered document to KV with its metadata.
pub async fn publish(kv: &worker::kv::KvStore, key: &str, doc: &Doc) -> Result<(), EdgeError> {
    kv.put_bytes(&kv_key(key), &doc.body)?.metadata(doc.meta())?.execute().await?;
    Ok(())
}

async fn cache_get(cache: &Cache, url: &str) -> Option<Doc> {
    let response = cache.get(url, false).await.ok().flatten()?;
    Doc::from_response(response).await.ok()
}

async fn kv_get(env: &Env, key: &str) -> Result<Option<Doc>, EdgeError> {
    if store_down() {
        return Err(EdgeError::Unavailable);
    }
    let kv = env.kv(KV_BINDING)?;
    let (body, meta) = kv.get(&kv_key(key)).cache_ttl(KV_CACHE_TTL_S).bytes_with_metadata::<Meta>().await?;
    Ok(body.zip(meta).map(|(body, meta)| Doc::from_meta(body, meta)))
}

#[cfg(feature = "fault-injection")]
thread_local! {
    static STORE_DOWN: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Whether the test-only switch says the store (KV and the Durable Object) is failing.
pub fn store_down() -> bool {
    #[cfg(feature = "fault-injection")]
    {
        STORE_DOWN.with(std::cell::Cell::get)
    }
    #[cfg(not(feature = "fault-injection"))]
    {
        false
    }
}

/// `POST /__sitrep/fault` with `store-down` or `store-up` (test builds only).
#[cfg(feature = "fault-injection")]
pub async fn fault_switch(mut req: worker::Request) -> Response {
    let body = req.text().await.unwrap_or_default();
    let down = match body.trim() {
        "store-down" => true,
        "store-up" => false,
        _ => return crate::error::response(&EdgeError::BadRequest("send store-down or store-up".into()), false),
    };
    STORE_DOWN.with(|s| s.set(down));
    Response::builder().with_status(204).empty()
}
