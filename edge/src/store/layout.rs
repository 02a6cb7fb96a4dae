//! The store's storage layout: one key per thing, so a write costs what it changes.
//!
//! `version` (u64), `page` (JSON), `component/{id}` per component, `event/{id}` per incident or
//! maintenance, `log/{version}` per accepted write (the audit log: only ever added to),
//! `idem/{key}` per Idempotency-Key (the first reply) and `idem-at/{millis}/{key}` (when it was
//! stored, in order, so that each write removes a batch of replies past their retention: see
//! `shared::idempotency`), and `publish/pending` (what publication still owes KV, see `publish`).
//! Every write puts its keys in one transaction: all or nothing.

use serde::{Deserialize, Serialize};
use sitrep_shared::{Component, Incident, Kind, Page, PageData, Timestamp, idempotency};
use worker::{ListOptions, Storage};

use super::protocol::Caller;
use super::publication::{PENDING_KEY, Pending};
use crate::error::EdgeError;
pub use crate::storage::{entries, from_json, keys, to_json, values};

/// The page as the store holds it in memory: its version and its indexed state.
#[derive(Clone)]
pub struct Loaded {
    pub version: u64,
    pub page: sitrep_shared::PageState,
}

/// What writers before the delivery object kept of deliveries (cursors, the outbox and its index,
/// pruning's mark): removed at the first start of this code (see `object::start`).
pub const FORMER_DELIVERY_KEYS: [&str; 7] =
    ["cursor/", "outbox/", "outdex/", "pruned-outbox", "index-built", "index-up-to", "index-last"];
pub const EVENT_PREFIX: &str = "event/";
pub const COMPONENT_PREFIX: &str = "component/";
pub const LOG_PREFIX: &str = "log/";
pub const IDEM_PREFIX: &str = "idem/";
pub const IDEM_AT_PREFIX: &str = "idem-at/";

/// One audit log entry.
#[derive(Debug, Serialize, Deserialize)]
pub struct LogEntry {
    pub version: u64,
    /// The server's clock when the write was accepted (never a time from the request body).
    pub at: Timestamp,
    pub summary: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub target: String,
    /// Who wrote (entries from before it was recorded have none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<Caller>,
}

/// The first reply to a request with an Idempotency-Key, replayed to retries.
#[derive(Debug, Serialize, Deserialize)]
pub struct Reply {
    pub fingerprint: String,
    pub status: u16,
    pub body: String,
    /// When it was stored; replies from before keys expired have none and stay.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<Timestamp>,
    /// The version the write produced, sent again with the replay (read-your-writes after a retry).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<u64>,
}

/// An event with the list it belongs to, as stored under `event/{id}`.
#[derive(Serialize, Deserialize)]
pub struct StoredEvent {
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
    pub fn new(kind: Kind, event: Incident) -> Self {
        let kind = match kind {
            Kind::Incident => StoredKind::Incident,
            Kind::Maintenance => StoredKind::Maintenance,
        };
        Self { kind, event }
    }
}

/// One accepted write, ready for its transaction.
pub struct Commit {
    pub version: u64,
    pub puts: Vec<(String, String)>,
    pub deletes: Vec<String>,
    pub log: LogEntry,
    /// The Idempotency-Key and the reply to remember for it.
    pub reply: Option<(String, Reply)>,
    /// What publication owes KV after this write.
    pub pending: Pending,
}

/// The stored page, or `None` when nothing was ever loaded.
pub async fn load(storage: &Storage) -> Result<Option<(u64, PageData)>, EdgeError> {
    let Some(version) = storage.get::<u64>("version").await? else {
        return Ok(None);
    };
    let page: String = storage.get("page").await?.ok_or(EdgeError::NotLoaded)?;
    let page: Page = from_json(&page)?;
    let mut data = PageData { page, components: vec![], incidents: vec![], scheduled_maintenances: vec![] };
    for text in values(storage, COMPONENT_PREFIX).await? {
        data.components.push(from_json::<Component>(&text)?);
    }
    for text in values(storage, EVENT_PREFIX).await? {
        let stored: StoredEvent = from_json(&text)?;
        match stored.kind {
            StoredKind::Incident => data.incidents.push(stored.event),
            StoredKind::Maintenance => data.scheduled_maintenances.push(stored.event),
        }
    }
    Ok(Some((version, data)))
}

/// The newest `limit` audit entries, newest first.
pub async fn log(storage: &Storage, limit: usize) -> Result<Vec<LogEntry>, EdgeError> {
    let list = storage.list_with_options(ListOptions::new().prefix(LOG_PREFIX).reverse(true).limit(limit)).await?;
    let mut entries = Vec::new();
    for value in list.values() {
        let text = value.map_err(|e| EdgeError::Internal(format!("{e:?}")))?.as_string().unwrap_or_default();
        entries.push(from_json::<LogEntry>(&text)?);
    }
    Ok(entries)
}

/// The stored first reply for an Idempotency-Key.
pub async fn reply(storage: &Storage, key: &str) -> Result<Option<Reply>, EdgeError> {
    match storage.get::<String>(&format!("{IDEM_PREFIX}{key}")).await? {
        Some(text) => Ok(Some(from_json(&text)?)),
        None => Ok(None),
    }
}

/// Up to [`idempotency::PRUNE_BATCH`] replies past their retention at `now`: the storage keys to
/// delete (each due `idem-at/` entry, and its reply unless the key was used again since).
pub async fn expired_replies(storage: &Storage, now: Timestamp, retention: u32) -> Result<Vec<String>, EdgeError> {
    let end = stored_at_prefix(idempotency::cutoff_millis(now, retention));
    let options = ListOptions::new().start(IDEM_AT_PREFIX).end(&end).limit(idempotency::PRUNE_BATCH);
    let due = storage.list_with_options(options).await?;
    let mut deletes = Vec::new();
    for (entry, key) in due.keys().into_iter().zip(due.values()) {
        let (Some(entry), Some(key)) = (entry.ok().and_then(|e| e.as_string()), key.ok().and_then(|k| k.as_string()))
        else {
            continue;
        };
        let stored_at = reply(storage, &key).await.ok().flatten().and_then(|r| r.at);
        if idempotency::removable(stored_at, now, retention) {
            deletes.push(format!("{IDEM_PREFIX}{key}"));
        }
        deletes.push(entry);
    }
    Ok(deletes)
}

/// Writes one accepted change in one transaction: its keys, the version, the audit entry, the
/// idempotent reply and what publication owes; removes `deletes` first (a key used again after it
/// expired gets its new reply).
pub async fn persist(storage: &Storage, commit: Commit) -> Result<(), EdgeError> {
    let Commit { version, puts, deletes, log, reply, pending } = commit;
    let log = (format!("{LOG_PREFIX}{version:016}"), to_json(&log)?);
    let mut idem = Vec::new();
    if let Some((key, reply)) = reply {
        let at = reply.at.map_or(0, |at| at.unix_millis());
        idem.push((format!("{IDEM_PREFIX}{key}"), to_json(&reply)?));
        idem.push((format!("{}/{key}", stored_at_prefix(at)), key));
    }
    let pending = (PENDING_KEY.to_owned(), to_json(&pending)?);
    storage
        .transaction(move |txn| async move {
            // The platform deletes at most 128 keys per call.
            for chunk in deletes.chunks(128) {
                txn.delete_multiple(chunk.to_vec()).await?;
            }
            for (key, value) in puts.into_iter().chain([log, pending]).chain(idem) {
                txn.put(&key, value).await?;
            }
            txn.put("version", version).await?;
            Ok(())
        })
        .await?;
    Ok(())
}

/// `idem-at/{millis}`, zero-padded so that the keys sort by time: an entry's name starts with it,
/// and the search for expired entries ends at it.
fn stored_at_prefix(millis: i64) -> String {
    format!("{IDEM_AT_PREFIX}{:016}", millis.max(0))
}
