//! Subscriptions in the store: kept under `sub/{id}` with their secret, changed by the write API
//! like any other write (validated by `shared::notify`, audit-logged, idempotent, one transaction),
//! and the outbox: the events of every committed write, under `outbox/{version}/{n}`, put in the
//! same transaction as the write itself, so an event is never lost and never kept for a write that
//! did not commit. Delivering them is `deliver`'s.

use serde::{Deserialize, Serialize};
#[cfg(feature = "fault-injection")]
use sitrep_shared::notify::Event;
use sitrep_shared::notify::subscription::{self, NewSubscription, SubscriptionEdit};
use sitrep_shared::notify::target::Targets;
use sitrep_shared::notify::{self as model, Subscription};
use sitrep_shared::{PageState, Timestamp};
use wasm_bindgen::JsCast;

use super::layout::{from_json, to_json, values};
use crate::error::EdgeError;

/// Storage prefix of subscriptions.
pub const SUB_PREFIX: &str = "sub/";
pub use sitrep_shared::notify::{OUTBOX_PREFIX, outbox_key};
/// The variable that lets a development deployment deliver to loopback receivers (`cargo xtask dev`
/// and the tests set it; a deployed Worker never has it).
pub const LOCAL_TARGETS_VAR: &str = "SITREP_LOCAL_TARGETS";

/// A subscription as stored: with its secret, which the write API shows once, at creation.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Stored {
    pub subscription: Subscription,
    /// `whsec_` and the base64 of the key.
    pub secret: String,
    /// The outbox key of the last event before it was created: it is sent only events after it.
    #[serde(default)]
    pub after: String,
}

/// The storage key of a subscription.
pub fn key(id: &str) -> String {
    format!("{SUB_PREFIX}{id}")
}

/// The outbox key of the last event indexed when it was written (see `outbox`).
pub const INDEX_LAST_KEY: &str = "index-last";

/// Where the store keeps its stream id (the first part of every event id).
const STREAM_KEY: &str = "stream";

/// The store's stream id ([`model::events::is_stream`]): read, or made from the runtime's
/// generator and added to `puts` so it is committed with the write that first needs it.
pub async fn stream(storage: &worker::Storage, puts: &mut Vec<(String, String)>) -> Result<String, EdgeError> {
    if let Some(stream) = storage.get::<String>(STREAM_KEY).await?.filter(|s| model::events::is_stream(s)) {
        return Ok(stream);
    }
    let mut bytes = [0u8; 8];
    random(&mut bytes)?;
    let stream: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    puts.push((STREAM_KEY.to_owned(), stream.clone()));
    Ok(stream)
}

/// The outbox entries of a write: its events with their keys, and beside each its index entry
/// (`model::Indexed`: what a filter judges it by).
pub fn outbox(
    before: &PageState,
    change: &sitrep_shared::command::Change,
    version: u64,
    stream: &str,
) -> Result<Vec<(String, String)>, EdgeError> {
    let mut entries = Vec::new();
    let mut last = None;
    for (n, event) in model::events(before, change, version, stream).iter().enumerate() {
        let key = outbox_key(version, n);
        entries.push((model::index_key(&key), to_json(&model::Indexed::of(event))?));
        entries.push((key.clone(), to_json(event)?));
        last = Some(key);
    }
    // The last event this code indexed: an outbox that ends past it was written by code that
    // keeps no index (a rollback), and the store indexes the rest again (see `claims::check_index`).
    entries.extend(last.map(|key| (INDEX_LAST_KEY.to_owned(), key)));
    Ok(entries)
}

/// Reads every stored subscription.
pub async fn load(storage: &worker::Storage) -> Result<Vec<Stored>, EdgeError> {
    values(storage, SUB_PREFIX).await?.iter().map(|text| from_json(text)).collect()
}

/// The last key in the outbox, or "" when it is empty.
pub async fn last_outbox_key(storage: &worker::Storage) -> Result<String, EdgeError> {
    let options = worker::ListOptions::new().prefix(OUTBOX_PREFIX).reverse(true).limit(1);
    let list = storage.list_with_options(options).await?;
    Ok(list.keys().into_iter().find_map(|k| k.ok()?.as_string()).unwrap_or_default())
}

/// Which receivers this deployment may deliver to.
pub fn targets(env: &worker::Env) -> Targets {
    match env.var(LOCAL_TARGETS_VAR) {
        Ok(value) if value.to_string() == "1" => Targets::Local,
        _ => Targets::Production,
    }
}

/// A new secret from the runtime's cryptographic generator.
pub fn new_secret() -> Result<String, EdgeError> {
    let mut bytes = [0u8; model::sign::SECRET_BYTES];
    random(&mut bytes)?;
    Ok(model::sign::secret_text(&bytes))
}

/// Fills `bytes` from the runtime's cryptographic generator.
fn random(bytes: &mut [u8]) -> Result<(), EdgeError> {
    let crypto = js_sys::Reflect::get(&js_sys::global(), &"crypto".into())
        .map_err(|_| EdgeError::Internal("no crypto in this runtime".into()))?
        .unchecked_into::<web_sys::Crypto>();
    crypto
        .get_random_values_with_u8_array(bytes)
        .map_err(|_| EdgeError::Internal("the runtime gave no random bytes".into()))?;
    Ok(())
}

/// What a subscription write changes: the stored value to put (none for a delete), the audit line,
/// the answer, and the status.
pub struct Written {
    /// Whether the subscription is gone after it.
    pub removed: bool,
    pub put: Vec<(String, String)>,
    pub delete: Vec<String>,
    pub summary: String,
    pub target: String,
    pub body: serde_json::Value,
}

fn invalid(problems: Vec<sitrep_shared::Problem>) -> Result<(), EdgeError> {
    if problems.is_empty() { Ok(()) } else { Err(EdgeError::Invalid(problems)) }
}

/// A subscription as every answer but the creating one shows it: its URL without path or query (a
/// Slack or Discord webhook URL is itself a credential).
pub fn shown(mut subscription: Subscription) -> Subscription {
    subscription.url = model::target::redact(&subscription.url);
    subscription
}

/// A new subscription from the request body, checked against the page.
#[allow(clippy::too_many_arguments)]
pub fn create(
    body: &[u8],
    page: &PageState,
    existing: usize,
    targets: Targets,
    id: String,
    secret: String,
    after: String,
    now: Timestamp,
) -> Result<Written, EdgeError> {
    let new: NewSubscription = super::protocol::read_object(body, "is not a subscription")?;
    invalid(subscription::check_new(&new, page, existing, targets))?;
    let subscription = Subscription {
        id: id.clone(),
        kind: new.kind,
        url: new.url,
        components: new.components,
        events: new.events,
        created_at: now,
        paused: None,
    };
    let host = sitrep_shared::notify::target::check(&subscription.url, targets).map(|t| t.host).unwrap_or_default();
    let body = serde_json::json!({ "subscription": subscription, "secret": secret });
    let stored = Stored { subscription, secret, after };
    Ok(Written {
        removed: false,
        put: vec![(key(&id), to_json(&stored)?)],
        delete: vec![],
        summary: format!("added subscription {id} ({host})"),
        target: id,
        body,
    })
}

/// An edit of a stored subscription from the request body.
pub fn edit(body: &[u8], mut stored: Stored, page: &PageState, now: Timestamp) -> Result<Written, EdgeError> {
    let edit: SubscriptionEdit = super::protocol::read_object(body, "is not a subscription edit")?;
    invalid(subscription::check_edit(&edit, page))?;
    subscription::edit(&mut stored.subscription, &edit, now);
    let id = stored.subscription.id.clone();
    let what = match edit.paused {
        Some(true) => "paused",
        Some(false) => "resumed",
        None => "edited",
    };
    Ok(Written {
        removed: false,
        body: serde_json::json!({ "subscription": shown(stored.subscription.clone()) }),
        put: vec![(key(&id), to_json(&stored)?)],
        delete: vec![],
        summary: format!("{what} subscription {id}"),
        target: id,
    })
}

/// The pause of a subscription whose deliveries failed for a day, with the reason, and its cursor
/// moved past the dead event: one write.
pub fn pause_failed(
    mut stored: Stored,
    reason: &str,
    now: Timestamp,
    cursor: (String, String),
) -> Result<Written, EdgeError> {
    let id = stored.subscription.id.clone();
    stored.subscription.paused = Some(model::Pause { at: now, reason: reason.to_owned() });
    Ok(Written {
        removed: false,
        body: serde_json::json!({ "subscription": shown(stored.subscription.clone()) }),
        put: vec![(key(&id), to_json(&stored)?), cursor],
        delete: vec![],
        summary: format!("paused subscription {id}: {reason}"),
        target: id,
    })
}

/// The removal of a stored subscription (and its cursor).
pub fn delete(stored: &Stored) -> Written {
    let id = stored.subscription.id.clone();
    Written {
        removed: true,
        put: vec![],
        delete: vec![key(&id), super::layout::CURSOR_PREFIX.to_owned() + &id],
        summary: format!("removed subscription {id}"),
        body: serde_json::json!({ "id": id }),
        target: id,
    }
}

/// The stored events of the outbox, oldest first (test builds only).
#[cfg(feature = "fault-injection")]
pub async fn outbox_events(storage: &worker::Storage) -> Result<Vec<Event>, EdgeError> {
    values(storage, OUTBOX_PREFIX).await?.iter().map(|text| from_json(text)).collect()
}
