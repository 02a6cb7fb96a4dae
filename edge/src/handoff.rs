//! What crosses from a page's writer (`store`) to its delivery object (`delivery`), in commit
//! order: each committed write's events, and each subscription as the write API left it.
//!
//! The writer puts a write's items under `handoff/{version}/{n}` in the write's own transaction (an
//! item is never lost, never kept for a write that did not commit), and its alarm hands them over
//! in key order, a batch at a time, deleting each batch once the delivery object took it; a batch
//! handed over twice (its answer lost) is taken once. On the ground floor: both objects name these.

use serde::{Deserialize, Serialize};
use sitrep_shared::Page;
use sitrep_shared::notify::{Event, Indexed, Position, Subscription};

/// Storage prefix of the items the writer still owes the delivery object.
pub const PREFIX: &str = "handoff/";

/// The key of the `n`th item of the write that made `version`: keys sort in commit order.
pub fn key(version: u64, n: usize) -> String {
    format!("{PREFIX}{version:016}/{n:04}")
}

/// The key of the `n`th subscription an older writer kept deliveries for, handed over once after
/// the write that made `version` (after its items, before the next write's: `~` sorts after digits).
pub fn adopted_key(version: u64, n: usize) -> String {
    format!("{PREFIX}{version:016}/~adopted/{n:06}")
}

/// A subscription as stored: with its secret, which the write API shows once, at creation.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Stored {
    pub subscription: Subscription,
    /// `whsec_` and the base64 of the key.
    pub secret: String,
    /// The last event before it was created: it is sent only events after it. Set by the delivery
    /// object when it first takes the subscription (its outbox's end then).
    #[serde(default)]
    pub after: Position,
}

/// One thing the delivery object must know, in commit order.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Item {
    /// An event of a committed write, with its place in the outbox and what filters judge it by.
    Event { key: Position, event: Box<Event>, indexed: Indexed },
    /// A subscription created or changed (its filter, a pause, a resume).
    Subscribed(Box<Stored>),
    /// A subscription removed.
    Unsubscribed { id: String },
    /// Every subscription the writer has (after it handed each over again, see
    /// `store::relay::adopt_former`): the delivery object forgets any other.
    Roster { ids: Vec<String> },
}

/// A batch of items, with the page as it is now (its name and URL go into message bodies).
#[derive(Debug, Serialize, Deserialize)]
pub struct Take {
    pub page: Page,
    /// The page's version when the batch was sent.
    pub version: u64,
    /// Each item with its hand-off key, in key order.
    pub items: Vec<(String, Item)>,
}
