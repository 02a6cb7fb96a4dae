//! Subscriptions in the writer: kept under `sub/{id}` with their secret, changed by the write API
//! like any other write (validated by `shared::notify`, audit-logged, idempotent, one transaction),
//! and what each write hands the delivery object (`crate::handoff`): its events, and the
//! subscription as the write left it, put in the same transaction as the write itself, so nothing
//! is lost and nothing is kept for a write that did not commit. Delivering them is the delivery
//! object's (`crate::delivery`).

use sitrep_shared::notify::subscription::{self, Channel, NewSubscription, SubscriptionEdit};
use sitrep_shared::notify::target::Targets;
use sitrep_shared::notify::{self as model, Subscription};
use sitrep_shared::{PageState, Timestamp};

use super::layout::{Batch, Key, SUBSCRIPTION_PREFIX, from_json, values};
use crate::error::EdgeError;
use crate::handoff::Item;
pub use crate::handoff::Stored;
use crate::secrets::random;

/// Storage prefix of subscriptions.
pub const SUB_PREFIX: &str = SUBSCRIPTION_PREFIX;
/// The variable that lets a development deployment deliver to loopback receivers (`cargo xtask dev`
/// and the tests set it; a deployed Worker never has it).
pub const LOCAL_TARGETS_VAR: &str = "SITREP_LOCAL_TARGETS";

/// The store's stream id ([`model::events::is_stream`]): read, or made from the runtime's
/// generator and added to `batch` so it is committed with the write that first needs it.
pub async fn stream(storage: &worker::Storage, batch: &mut Batch) -> Result<String, EdgeError> {
    if let Some(stream) = storage.get::<String>(&Key::Stream.text()).await?.filter(|s| model::events::is_stream(s)) {
        return Ok(stream);
    }
    let mut bytes = [0u8; 8];
    random(&mut bytes)?;
    let stream: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    batch.put_text(Key::Stream, stream.clone());
    Ok(stream)
}

/// What a write hands the delivery object: its events, each with its outbox key and its index
/// entry (its components' groups as they are on `before`'s page), under the write's hand-off keys.
pub fn items(
    before: &PageState,
    change: &sitrep_shared::command::Change,
    version: u64,
    stream: &str,
    batch: &mut Batch,
) -> Result<(), EdgeError> {
    for (n, event) in model::events(before, change, version, stream).into_iter().enumerate() {
        let indexed = model::Indexed::of(&event, before);
        let item = Item::Event { key: model::Position::at(version, n), event: Box::new(event), indexed };
        batch.put(Key::Handoff(version, n), &item)?;
    }
    Ok(())
}

/// Reads every stored subscription.
pub async fn load(storage: &worker::Storage) -> Result<Vec<Stored>, EdgeError> {
    values(storage, SUB_PREFIX).await?.iter().map(|text| from_json(text)).collect()
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

/// What a subscription write changes: the subscription as it leaves it (or its removal), the
/// audit line and the answer.
pub struct Written {
    /// The subscription after the write; `None` when it is removed.
    pub kept: Option<Stored>,
    pub summary: String,
    /// The subscription's id.
    pub target: String,
    pub body: serde_json::Value,
}

impl Written {
    /// What the write at `version` puts and deletes: the stored subscription, and its hand-off item.
    pub fn add_to(&self, version: u64, batch: &mut Batch) -> Result<(), EdgeError> {
        match &self.kept {
            Some(stored) => {
                batch.put(Key::Subscription(&self.target), stored)?;
                batch.put(Key::Handoff(version, 0), &Item::Subscribed(Box::new(stored.clone())))
            }
            None => {
                batch.delete(Key::Subscription(&self.target));
                batch.put(Key::Handoff(version, 0), &Item::Unsubscribed { id: self.target.clone() })
            }
        }
    }
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
pub fn create(
    body: &[u8],
    page: &PageState,
    existing: usize,
    targets: Targets,
    id: String,
    secret: String,
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
    // Slack and Discord deliveries are unsigned (the URL is the credential): their secret is kept
    // for uniformity but never shown, as it could verify nothing.
    let body = match subscription.kind {
        Channel::Webhook => serde_json::json!({ "subscription": subscription, "secret": secret }),
        Channel::Slack | Channel::Discord => serde_json::json!({ "subscription": subscription }),
    };
    let stored = Stored { subscription, secret, after: model::Position::Start };
    Ok(Written { kept: Some(stored), summary: format!("added subscription {id} ({host})"), target: id, body })
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
        body: serde_json::json!({ "subscription": shown(stored.subscription.clone()) }),
        kept: Some(stored),
        summary: format!("{what} subscription {id}"),
        target: id,
    })
}

/// The pause of a subscription whose deliveries failed for a day, with the reason (the delivery
/// object asks for it; see `crate::delivery`).
pub fn pause_failed(mut stored: Stored, reason: &str, now: Timestamp) -> Written {
    let id = stored.subscription.id.clone();
    stored.subscription.paused = Some(model::Pause { at: now, reason: reason.to_owned() });
    Written {
        body: serde_json::json!({ "subscription": shown(stored.subscription.clone()) }),
        kept: Some(stored),
        summary: format!("paused subscription {id}: {reason}"),
        target: id,
    }
}

/// The removal of a stored subscription (the delivery object forgets its cursor when it takes it).
pub fn delete(stored: &Stored) -> Written {
    let id = stored.subscription.id.clone();
    Written {
        kept: None,
        summary: format!("removed subscription {id}"),
        body: serde_json::json!({ "id": id }),
        target: id,
    }
}
