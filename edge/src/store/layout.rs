//! The store's storage layout: one key per thing, so a write costs what it changes.
//!
//! `version` (u64), `page` (JSON), `component/{id}` per component, `event/{id}` per incident or
//! maintenance, `log/{version}` per accepted write (the audit log: only ever added to),
//! `idem/{key}` per Idempotency-Key (the first reply) and `idem-at/{millis}/{key}` (when it was
//! stored, in order, so that each write removes a batch of replies past their retention: see
//! `shared::idempotency`), and `publish/pending` (what publication still owes KV, see `publish`).
//! Every write puts its keys in one transaction: all or nothing. Each key is a [`Key`], and a
//! write's changes travel as a [`Batch`], never as strings built elsewhere.

use serde::{Deserialize, Serialize};
use sitrep_shared::{Component, Incident, Kind, Page, PageData, Timestamp, idempotency};
use worker::{ListOptions, Storage};

use super::protocol::Caller;
use super::publication::Pending;
use crate::error::EdgeError;
use crate::storage::StorageKey;
pub use crate::storage::{Batch, entries, from_json, keys, to_json, values};

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
pub const SUBSCRIPTION_PREFIX: &str = "sub/";
pub const TEMPLATE_PREFIX: &str = "template/";

/// A key of the writer's storage.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Key<'a> {
    /// The page's version (u64).
    Version,
    /// The page itself, without its components and events.
    Page,
    Component(&'a str),
    /// An incident or a maintenance, with the list it belongs to.
    Event(&'a str),
    /// The audit entry of the write that made this version.
    Log(u64),
    /// The first reply to an Idempotency-Key.
    Reply(&'a str),
    /// When that reply was stored (ms), so expired ones are found in order.
    ReplyAt(i64, &'a str),
    /// A subscription with its secret.
    Subscription(&'a str),
    /// An incident template.
    Template(&'a str),
    /// The store's stream id, the first part of every event id.
    Stream,
    /// What publication owes KV, and the namespace it last published under.
    Pending,
    Epoch,
    /// The `n`th hand-off item of the write that made a version (see `crate::handoff`).
    Handoff(u64, usize),
    /// The `n`th subscription a former writer kept deliveries for, handed over again after the
    /// write that made a version (see `relay::adopt_former`).
    Adopted(u64, usize),
}

impl StorageKey for Key<'_> {
    fn text(&self) -> String {
        Key::text(*self)
    }
}

impl Key<'_> {
    /// The key as stored.
    pub fn text(self) -> String {
        match self {
            Self::Version => "version".into(),
            Self::Page => "page".into(),
            Self::Component(id) => format!("{COMPONENT_PREFIX}{id}"),
            Self::Event(id) => format!("{EVENT_PREFIX}{id}"),
            Self::Log(version) => format!("{LOG_PREFIX}{version:016}"),
            Self::Reply(key) => format!("{IDEM_PREFIX}{key}"),
            Self::ReplyAt(millis, key) => format!("{}/{key}", stored_at_prefix(millis)),
            Self::Subscription(id) => format!("{SUBSCRIPTION_PREFIX}{id}"),
            Self::Template(id) => format!("{TEMPLATE_PREFIX}{id}"),
            Self::Stream => "stream".into(),
            Self::Pending => super::publication::PENDING_KEY.into(),
            Self::Epoch => super::publication::EPOCH_KEY.into(),
            Self::Handoff(version, n) => crate::handoff::key(version, n),
            Self::Adopted(version, n) => crate::handoff::adopted_key(version, n),
        }
    }
}

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
    pub batch: Batch,
    pub log: LogEntry,
    /// The Idempotency-Key and the reply to remember for it.
    pub reply: Option<(String, Reply)>,
    /// What publication owes KV after this write.
    pub pending: Pending,
}

/// The stored page, or `None` when nothing was ever loaded.
pub async fn load(storage: &Storage) -> Result<Option<(u64, PageData)>, EdgeError> {
    let Some(version) = storage.get::<u64>(&Key::Version.text()).await? else {
        return Ok(None);
    };
    let page: String = storage.get(&Key::Page.text()).await?.ok_or(EdgeError::NotLoaded)?;
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
    match storage.get::<String>(&Key::Reply(key).text()).await? {
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
    let Commit { version, mut batch, log, reply, pending } = commit;
    batch.put(Key::Log(version), &log)?;
    batch.put(Key::Pending, &pending)?;
    if let Some((key, reply)) = reply {
        let at = reply.at.map_or(0, |at| at.unix_millis());
        batch.put(Key::Reply(&key), &reply)?;
        batch.put_text(Key::ReplyAt(at, &key), key.clone());
    }
    batch.put_number(Key::Version, version);
    batch.commit(storage).await
}

/// `idem-at/{millis}`, zero-padded so that the keys sort by time: an entry's name starts with it,
/// and the search for expired entries ends at it.
fn stored_at_prefix(millis: i64) -> String {
    format!("{IDEM_AT_PREFIX}{:016}", millis.max(0))
}

/// A new id: base 36 of the time and the version, unique because versions never repeat.
pub fn fresh_id(page: &sitrep_shared::PageState, now: Timestamp, version: u64) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_key_kind_has_its_own_prefix_and_sorts_as_its_data_does() {
        let fixed = [Key::Version, Key::Page, Key::Stream, Key::Pending, Key::Epoch].map(Key::text);
        let prefixes = [
            EVENT_PREFIX,
            COMPONENT_PREFIX,
            LOG_PREFIX,
            IDEM_PREFIX,
            IDEM_AT_PREFIX,
            SUBSCRIPTION_PREFIX,
            TEMPLATE_PREFIX,
        ];
        for prefix in prefixes {
            assert!(fixed.iter().all(|key| !key.starts_with(prefix)), "{prefix}");
        }
        assert!(!Key::Reply("k").text().starts_with(IDEM_AT_PREFIX), "a reply is not its time");
        assert!(Key::Log(9).text() < Key::Log(10).text(), "the log sorts by version");
        assert!(Key::ReplyAt(999, "k").text() < Key::ReplyAt(1_000, "k").text(), "replies sort by time");
        assert!(Key::Handoff(9, 1).text() < Key::Handoff(10, 0).text(), "hand-off items sort by version");
    }

    #[test]
    fn a_batch_knows_what_it_puts() {
        let mut batch = Batch::default();
        batch.put(Key::Component("api"), &"x").unwrap();
        assert_eq!(batch.put_keys().collect::<Vec<_>>(), ["component/api"]);
    }
}
