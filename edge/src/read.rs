//! The read path, fastest first: isolate memory, the Cache API, KV, then the store (the Durable
//! Object). Each layer's copy carries the instant it stops being true (`valid_until`), so a
//! maintenance window opening is never hidden behind a cache.
//!
//! Readers never write KV: only the store's publication does (`store::alarm`), so a reader
//! holding an old copy cannot put it over a newer one. What a reader fetched from the store goes
//! into this isolate's memory and this location's Cache API only. A request for an incident id
//! the page does not have is answered from the published list of ids (`Document::Ids`, fetched
//! through the same layers), so unknown ids never reach the store, the page's single writer.
//!
//! A copy in memory is served as is for `MEMORY_TTL_MS`; for `REVALIDATE_MS` more it is still
//! served at once while one background task per document fetches the next copy (so a busy isolate
//! never sends every concurrent request down the chain at the same moment). When the store fails,
//! the last good copy (isolate memory of any age, then a long-lived Cache API copy, then an
//! expired KV copy) is served and flagged stale; with none of them, 503.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use sitrep_shared::document::Document;
use worker::{Cache, Context, Env};

use crate::bindings::KV_BINDING;
use crate::clock::now_ms;
use crate::copy::{self, Doc, Meta};
use crate::error::EdgeError;
use crate::faults::store_down;
use crate::page::Page;
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
/// How old publication's heartbeat may be before KV copies stop counting as fresh: the store
/// writes it every minute (`store::publication::HEARTBEAT_MS`), KV takes up to a minute to carry it
/// and a location may cache it for another; past five minutes publication has stalled, and a KV
/// copy (one without a `valid_until` would otherwise be fresh forever) goes to the store, or is
/// served flagged stale when the store cannot answer.
pub const STALE_AFTER_MS: u64 = 5 * 60_000;
/// How long an isolate keeps the heartbeat it read before reading KV's again.
const HEARTBEAT_RECHECK_MS: u64 = 15_000;

/// Whether a copy is still true at `now`, and not older than `floor`, the newest version of its
/// page this isolate wrote (see [`floor`]).
fn usable(doc: &Doc, now: u64, floor: u64) -> bool {
    doc.valid_until.is_none_or(|until| now < until) && doc.version >= floor
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
    /// The newest version this isolate wrote, per page (each page's store counts its own): older
    /// copies of that page in any layer are not served fresh, so a read through this isolate right
    /// after a write sees it.
    static FLOOR: RefCell<HashMap<String, u64>> = RefCell::new(HashMap::new());
}

/// The newest version of `page` this isolate wrote (0: none). By the page's scope, which names
/// which page of its id it is: one that takes a removed page's id counts from the start.
fn floor(page: &Page) -> u64 {
    FLOOR.with_borrow(|floors| floors.get(page.scope()).copied().unwrap_or(0))
}

/// Records a write to `page` through this isolate (read-your-writes).
pub fn wrote(page: &Page, version: u64) {
    FLOOR.with_borrow_mut(|floors| {
        let floor = floors.entry(page.scope().to_owned()).or_default();
        *floor = (*floor).max(version);
    });
    forget_all();
}

/// Forgets what this isolate wrote to a removed page, and every copy in its memory.
pub fn forget_page(page: &Page) {
    FLOOR.with_borrow_mut(|floors| floors.remove(page.scope()));
    forget_all();
}

/// Drops every copy in this isolate's memory (after a write through this isolate).
fn forget_all() {
    MEMORY.with(|m| m.borrow_mut().clear());
}

/// Keeps a copy in memory, unless the one there is of a newer version (a KV copy cached at a
/// location can be older than what this isolate already has): a reader never steps back.
fn remember(key: &str, doc: &Rc<Doc>, now: u64) -> Rc<Doc> {
    MEMORY.with(|m| {
        let mut memory = m.borrow_mut();
        let doc = match memory.get(key) {
            Some(kept) if kept.doc.version > doc.version => Rc::clone(&kept.doc),
            _ => Rc::clone(doc),
        };
        memory.insert(key.to_owned(), Entry { doc: Rc::clone(&doc), at: now, refreshing: false, failed: false });
        doc
    })
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

thread_local! {
    /// Each page's heartbeat as this isolate last read it: when it read it, and the instant it
    /// carries (0: none).
    static BEAT: RefCell<HashMap<String, (u64, u64)>> = RefCell::new(HashMap::new());
}

/// Whether publication has said it is alive within [`STALE_AFTER_MS`] (read from KV at most every
/// [`HEARTBEAT_RECHECK_MS`] per isolate). No heartbeat at all (a store that has not run since
/// this code came) counts as stalled: the store answers, and starts its heartbeat when it does.
async fn publication_alive(env: &Env, page: &Page, now: u64) -> bool {
    let key = page.key(&copy::heartbeat_key());
    let beat = match BEAT.with_borrow(|beats| beats.get(&key).copied()) {
        // A stalled heartbeat is looked at again after a second: it may just have started.
        Some((read_at, beat))
            if now.saturating_sub(read_at) < if is_alive(beat, now) { HEARTBEAT_RECHECK_MS } else { 1_000 } =>
        {
            beat
        }
        _ => {
            let Ok(kv) = env.kv(KV_BINDING) else { return false };
            let text = kv.get(&key).cache_ttl(KV_CACHE_TTL_S).text().await.ok().flatten();
            let beat = text.and_then(|t| t.trim().parse::<u64>().ok()).unwrap_or(0);
            BEAT.with_borrow_mut(|beats| beats.insert(key, (now, beat)));
            beat
        }
    };
    is_alive(beat, now)
}

/// The heartbeat rule, on its own for the tests.
fn is_alive(beat: u64, now: u64) -> bool {
    beat != 0 && now.saturating_sub(beat) < STALE_AFTER_MS
}

/// The document and whether it is a stale copy served because the store failed.
pub async fn fetch_doc(env: &Env, ctx: &Context, page: &Page, doc: &Document) -> Result<(Rc<Doc>, bool), EdgeError> {
    fetch_doc_seen(env, ctx, page, doc, None).await
}

/// [`fetch_doc`] for a reader who says it has seen page version `seen` (a notification's link
/// carries it): an incident the list of ids lacks is looked for further down when the list is
/// older than that (see [`second_look`]).
pub async fn fetch_doc_seen(
    env: &Env,
    ctx: &Context,
    page: &Page,
    doc: &Document,
    seen: Option<u64>,
) -> Result<(Rc<Doc>, bool), EdgeError> {
    let key = page.key_of(doc.key());
    let now = now_ms();
    let floor = floor(page);
    let remembered = recall(&key, now);
    if let Some((found, age, start_refresh, failed)) = &remembered
        && usable(found, now, floor)
        && !failed
    {
        if *age < MEMORY_TTL_MS {
            return Ok((Rc::clone(found), false));
        }
        // Past its time in memory, an incident page is kept only while the page still lists it:
        // a deleted one is never refreshed back from an old copy.
        let listed = match doc {
            Document::Incident(id) => Box::pin(known(env, ctx, page, id)).await?.0,
            _ => true,
        };
        if listed && *age < MEMORY_TTL_MS + REVALIDATE_MS {
            if *start_refresh {
                let (env, page, doc, key) = (env.clone(), page.clone(), doc.clone(), key.clone());
                ctx.wait_until(async move {
                    let Some(_loading) = Loading::start(&key) else { return };
                    if load(&env, &page, &doc).await.is_err() {
                        refresh_failed(&key);
                    }
                });
            }
            return Ok((Rc::clone(found), false));
        }
    }
    // Below memory an incident page is only looked for if the page has it (an id an import removed
    // or a delete took off included): unknown ids never reach the store, and removed ones are not
    // served from old copies.
    if let Document::Incident(id) = doc {
        let (known, listed) = Box::pin(known(env, ctx, page, id)).await?;
        if !known {
            if !(seen.is_some_and(|seen| seen > listed) && second_look(now)) {
                return Err(EdgeError::UnknownIncident(id.0.clone()));
            }
            // The second look asks the store itself, never a copy: an id an import removed may
            // still have one in KV or the Cache API.
            let found = store::fetch_doc(env, page, doc).await?;
            return Ok((remember(&key, &Rc::new(found), now), false));
        }
    }
    let loading = Loading::start(&key);
    // Only a copy still true now stands in for the load under way; one past its `valid_until` or
    // older than this isolate's own write goes down the chain like the first request did.
    if loading.is_none()
        && let Some(found) = stand_in(remembered.as_ref(), now, floor)
    {
        return Ok((found, false));
    }
    let loaded = load(env, page, doc).await;
    drop(loading);
    match loaded {
        Ok(found) => Ok((found, false)),
        Err(Failed::Answer(err)) => Err(err),
        Err(Failed::Store(expired_kv)) => {
            if let Some((found, ..)) = remembered {
                return Ok((found, true));
            }
            if let Some(found) = cache_get(&Cache::default(), &copy::last_good_url(&key)).await {
                return Ok((Rc::new(found), true));
            }
            expired_kv.map(|found| (found, true)).ok_or(EdgeError::Unavailable)
        }
    }
}

/// The remembered copy that may be served fresh while another request's load is under way: one
/// whose last refresh did not fail and that is still usable now.
fn stand_in(remembered: Option<&(Rc<Doc>, u64, bool, bool)>, now: u64, floor: u64) -> Option<Rc<Doc>> {
    let (found, _, _, failed) = remembered?;
    (!failed && usable(found, now, floor)).then(|| Rc::clone(found))
}

/// Why the chain below memory gave no document.
enum Failed {
    /// The store answered, and the answer is an error for the client (unknown id, nothing loaded).
    Answer(EdgeError),
    /// The store could not be reached; carries KV's copy if it had an expired one.
    Store(Option<Rc<Doc>>),
}

/// Whether the page has an incident or maintenance with this id, by the list of ids as fresh as
/// the other documents (a new incident is known once its write is published, or at once in the
/// isolate that wrote it). Ids are `[A-Za-z0-9_-]` (see `routes`), so the JSON array holds each
/// one exactly as `"id"`.
/// Also says the version of the list it went by.
async fn known(
    env: &Env,
    ctx: &Context,
    page: &Page,
    id: &sitrep_shared::IncidentId,
) -> Result<(bool, u64), EdgeError> {
    let (ids, _) = fetch_doc(env, ctx, page, &Document::Ids).await?;
    let needle = format!("\"{id}\"");
    Ok((ids.body.windows(needle.len()).any(|w| w == needle.as_bytes()), ids.version))
}

/// How many ids missing from this isolate's list of ids may be looked for further down the chain
/// (the Cache API, KV, then the store, which answers 404 for an id it lacks) per second, when the
/// reader has seen a newer version than the list's (`?v=` on a notification's link). The list can
/// lag a write by a minute outside the writer's isolate (KV's propagation and location cache), and
/// a notification's link to a new incident is followed at once. Ids without that claim never pass
/// the list; made-up ones with it cost the store at most this many requests a second per isolate.
const SECOND_LOOKS_PER_S: u32 = 4;

thread_local! {
    /// The second in which the last second looks were counted (ms / 1000), and how many.
    static SECOND_LOOKS: std::cell::Cell<(u64, u32)> = const { std::cell::Cell::new((0, 0)) };
}

/// Whether an id the list lacks may be looked for further down now (see [`SECOND_LOOKS_PER_S`]).
fn second_look(now: u64) -> bool {
    let second = now / 1000;
    let (at, used) = SECOND_LOOKS.get();
    let used = if at == second { used } else { 0 };
    let allowed = used < SECOND_LOOKS_PER_S;
    SECOND_LOOKS.set((second, used + u32::from(allowed)));
    allowed
}

/// A load of a document under way in this isolate. While one runs, other requests that have an
/// older copy in memory serve it instead of going down the chain too: after a write, a flood of
/// requests would otherwise all reach the store at the same moment. (They cannot await the one
/// load: workerd cancels a request that waits on I/O begun by another.)
struct Loading(String);

thread_local! {
    static LOADING: RefCell<std::collections::HashSet<String>> = RefCell::new(std::collections::HashSet::new());
}

impl Loading {
    /// Marks `key` as loading, unless a load of it is under way already.
    fn start(key: &str) -> Option<Self> {
        LOADING.with_borrow_mut(|loading| loading.insert(key.to_owned())).then(|| Self(key.to_owned()))
    }
}

impl Drop for Loading {
    fn drop(&mut self) {
        LOADING.with_borrow_mut(|loading| loading.remove(&self.0));
    }
}

/// Cache API, then KV, then the store; remembers what it finds and writes it through to the faster
/// layers this location owns.
async fn load(env: &Env, page: &Page, doc: &Document) -> Result<Rc<Doc>, Failed> {
    let key = &page.key_of(doc.key());
    let now = now_ms();
    let floor = floor(page);
    if let Some(found) = cache_get(&Cache::default(), &copy::fresh_url(key)).await
        && usable(&found, now, floor)
    {
        return Ok(remember(key, &Rc::new(found), now));
    }
    let from_kv = kv_get(env, key).await.ok().flatten().map(Rc::new);
    if let Some(found) = from_kv.as_ref().filter(|d| usable(d, now, floor))
        && publication_alive(env, page, now).await
    {
        let found = remember(key, found, now);
        keep(key, &found).await;
        return Ok(found);
    }
    match store::fetch_doc(env, page, doc).await {
        Ok(found) => {
            let found = remember(key, &Rc::new(found), now);
            keep(key, &found).await;
            Ok(found)
        }
        Err(err @ (EdgeError::UnknownIncident(_) | EdgeError::NotLoaded)) => Err(Failed::Answer(err)),
        Err(_) => Err(Failed::Store(from_kv)),
    }
}

/// How often an isolate rewrites the last good copy of a copy it already wrote: the cache may have
/// evicted it, or another isolate may have written an older one over it.
const LAST_GOOD_REWRITE_MS: u64 = 60_000;

/// What a copy says: its version, ETag and `valid_until`.
type Said = (u64, String, Option<u64>);

thread_local! {
    /// What this isolate last wrote as each document's last good copy, and when.
    static LAST_GOOD: RefCell<HashMap<String, (Said, u64)>> = RefCell::new(HashMap::new());
}

/// Writes a copy to this location's Cache API, never to KV: the fresh copy each time (it lives
/// `CACHE_TTL_S`); the last good copy (it lives a week) when it differs from what this isolate
/// last wrote there (another version, other bytes, another `valid_until`: the store republishes a
/// version when a maintenance window opens), or a minute after that write, not with every fresh
/// copy every few seconds.
async fn keep(key: &str, doc: &Doc) {
    let cache = Cache::default();
    let _ = cache.put(copy::fresh_url(key), doc.to_response(CACHE_TTL_S)).await;
    let now = now_ms();
    let what = (doc.version, doc.etag.clone(), doc.valid_until);
    let due = LAST_GOOD.with_borrow(|written| {
        written.get(key).is_none_or(|(last, at)| *last != what || now >= at + LAST_GOOD_REWRITE_MS)
    });
    if due && cache.put(copy::last_good_url(key), doc.to_response(LAST_GOOD_TTL_S)).await.is_ok() {
        LAST_GOOD.with_borrow_mut(|written| written.insert(key.to_owned(), (what, now)));
    }
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
    let (body, meta) = kv.get(&copy::kv_key(key)).cache_ttl(KV_CACHE_TTL_S).bytes_with_metadata::<Meta>().await?;
    Ok(body.zip(meta).map(|(body, meta)| Doc::from_meta(body, meta)))
}

/// Reads a document's KV entry as readers would find it (test builds only): its version, or `None`.
#[cfg(feature = "fault-injection")]
pub async fn kv_version(env: &Env, key: &str) -> Result<Option<u64>, EdgeError> {
    let kv = env.kv(KV_BINDING)?;
    let (_, meta) = kv.get(&copy::kv_key(key)).bytes_with_metadata::<Meta>().await?;
    Ok(meta.map(|m| m.version))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::copy::JsParts;

    fn doc(valid_until: Option<u64>, version: u64) -> Rc<Doc> {
        Rc::new(Doc {
            body: b"{}".to_vec(),
            etag: "\"e\"".into(),
            content_type: "application/json".into(),
            valid_until,
            version,
            js: JsParts::default(),
        })
    }

    /// Review 2, finding 8: an id missing from a lagging list of ids was 404 for up to a minute
    /// outside the writer's isolate; a few a second are now looked for further down.
    #[test]
    fn a_few_ids_the_list_lacks_are_looked_for_further_each_second() {
        let second = 7_000_000;
        let looks: Vec<bool> = (0..6).map(|n| second_look(second + n)).collect();
        assert_eq!(looks, [true, true, true, true, false, false]);
        assert!(second_look(second + 1_000), "a new second, a new budget");
    }

    /// Review 2, finding 12: a KV copy without `valid_until` was fresh forever once publication
    /// stalled; now only while publication's heartbeat is recent.
    #[test]
    fn kv_copies_count_only_while_publication_beats() {
        let now = 100 * STALE_AFTER_MS;
        assert!(is_alive(now - 60_000, now));
        assert!(!is_alive(now - STALE_AFTER_MS, now));
        assert!(!is_alive(0, now), "no heartbeat yet");
    }

    /// Review 2, finding 12: while another request loaded a document, a remembered copy past its
    /// `valid_until` was served as fresh (the maintenance window it hid had opened).
    #[test]
    fn only_a_usable_copy_stands_in_for_a_load_under_way() {
        let now = 10_000;
        assert!(stand_in(Some(&(doc(Some(now + 1), 1), 0, false, false)), now, 0).is_some());
        assert!(stand_in(Some(&(doc(None, 1), 0, false, false)), now, 0).is_some());
        assert!(stand_in(Some(&(doc(Some(now), 1), 0, false, false)), now, 0).is_none(), "expired");
        assert!(stand_in(Some(&(doc(None, 1), 0, false, true)), now, 0).is_none(), "its refresh failed");
        assert!(stand_in(None, now, 0).is_none());
        assert!(stand_in(Some(&(doc(None, 1), 0, false, false)), now, 2).is_none(), "older than a write");
    }
}
