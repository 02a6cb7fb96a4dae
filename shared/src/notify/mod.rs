//! Subscribers: who is told about what, decided from committed changes.
//!
//! - [`events`]: the events a committed write produces (the store keeps them in the same
//!   transaction as the write: an outbox), none for a postmortem draft.
//! - [`subscription`]: subscriptions, their filters and which events each one is sent.
//! - [`target`]: which receiver URLs are allowed, decided from the URL alone, before any connection.
//! - [`delivery`]: one subscription's cursor in the outbox, its current try and its lease.
//! - [`retry`]: when a failed delivery is tried again, and when it is given up.
//! - [`message`]: the bodies sent: a signed JSON webhook, Slack's and Discord's message formats.
//! - `sign` (feature `sign`): Standard Webhooks signatures.

pub mod circuit;
pub mod delivery;
pub mod events;
pub mod message;
pub mod retry;
#[cfg(feature = "sign")]
pub mod sign;
pub mod subscription;
pub mod target;
pub mod wakes;

pub use events::{Event, EventType, Indexed, StatusChange, events};
pub use subscription::{Channel, NewSubscription, Pause, Subscription, SubscriptionEdit};

/// Storage prefix of the outbox (kept by the store, read by [`delivery`]).
pub const OUTBOX_PREFIX: &str = "outbox/";

/// The outbox key of the `n`th event of `version`: keys sort in commit order.
pub fn outbox_key(version: u64, n: usize) -> String {
    format!("{OUTBOX_PREFIX}{version:016}/{n:04}")
}

/// Storage prefix of the outbox's index: beside each event, what a filter judges it by.
pub const INDEX_PREFIX: &str = "outdex/";

/// The index key of an outbox key (the same position under [`INDEX_PREFIX`]).
pub fn index_key(outbox_key: &str) -> String {
    format!("{INDEX_PREFIX}{}", outbox_key.strip_prefix(OUTBOX_PREFIX).unwrap_or(outbox_key))
}

/// The outbox key of an index key.
pub fn outbox_key_of_index(index_key: &str) -> String {
    format!("{OUTBOX_PREFIX}{}", index_key.strip_prefix(INDEX_PREFIX).unwrap_or(index_key))
}
