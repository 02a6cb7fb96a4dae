//! Subscribers: who is told about what, decided from committed changes.
//!
//! - [`events`]: the events a committed write produces (the store keeps them in the same
//!   transaction as the write: an outbox), none for a postmortem draft.
//! - [`subscription`]: subscriptions, their filters and which events each one is sent.
//! - [`target`]: which receiver URLs are allowed, decided from the URL alone, before any connection.
//! - [`position`]: a place in the outbox, ordered as commits are.
//! - [`delivery`]: one subscription's cursor in the outbox, its current try and its lease.
//! - [`retry`]: when a failed delivery is tried again, and when it is given up.
//! - [`message`]: the bodies sent: a signed JSON webhook, Slack's and Discord's message formats.
//! - `sign` (feature `sign`): Standard Webhooks signatures.

pub mod circuit;
pub mod delivery;
pub mod events;
pub mod message;
pub mod position;
pub mod retry;
#[cfg(feature = "sign")]
pub mod sign;
pub mod subscription;
pub mod target;
pub mod wakes;

pub use events::{Event, EventType, Indexed, StatusChange, events};
pub use subscription::{Channel, NewSubscription, Pause, Subscription, SubscriptionEdit};

pub use position::{INDEX_PREFIX, OUTBOX_PREFIX, Position};
