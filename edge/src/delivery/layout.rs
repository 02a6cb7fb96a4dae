//! What the delivery object stores, under which key: each key is a [`Key`], never a string built
//! elsewhere. The outbox and its index are keyed by a [`Position`] (`shared::notify::position`
//! names them: `outbox/{version}/{n}`, `outdex/{version}/{n}`), since event ids and replays name
//! their positions.

use sitrep_shared::Page;
#[cfg(test)]
use sitrep_shared::notify::INDEX_PREFIX;
use sitrep_shared::notify::{OUTBOX_PREFIX, Position};
use worker::{ListOptions, Storage};

use crate::error::EdgeError;
use crate::handoff::Stored;
use crate::storage::{StorageKey, from_json, values};

/// A key of the delivery object's storage.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Key<'a> {
    /// A subscription as the writer last handed it over (with its secret and where it starts).
    Subscription(&'a str),
    /// A subscription's cursor (`shared::notify::delivery::Cursor`).
    Cursor(&'a str),
    /// A pause the writer has not confirmed yet (the reason): the alarm asks again.
    PauseOwed(&'a str),
    /// An event of the outbox.
    Outbox(Position),
    /// What filters judge the event at that position by (`Indexed`).
    Index(Position),
    /// The last outbox position pruning deleted: a cursor behind it lost events, and a new
    /// subscription starts after it.
    Pruned,
    /// The key of the last hand-off item taken.
    Taken,
    /// The page as the writer last handed it over (its name and URL go into message bodies).
    Page,
}

/// The prefix of each kind of key with an id.
pub const SUBSCRIPTION_PREFIX: &str = "sub/";
pub const CURSOR_PREFIX: &str = "cursor/";
pub const PAUSE_OWED_PREFIX: &str = "pause-owed/";

impl StorageKey for Key<'_> {
    fn text(&self) -> String {
        Key::text(*self)
    }
}

impl Key<'_> {
    /// The key as stored.
    pub fn text(self) -> String {
        match self {
            Self::Subscription(id) => format!("{SUBSCRIPTION_PREFIX}{id}"),
            Self::Cursor(id) => format!("{CURSOR_PREFIX}{id}"),
            Self::PauseOwed(id) => format!("{PAUSE_OWED_PREFIX}{id}"),
            Self::Outbox(at) => at.key(),
            Self::Index(at) => at.index_key(),
            Self::Pruned => "pruned-outbox".into(),
            Self::Taken => "taken".into(),
            Self::Page => "page".into(),
        }
    }
}

/// A pause this object made that the writer has not confirmed yet (under [`Key::PauseOwed`]).
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct PauseOwed {
    pub reason: String,
    /// The ask's Idempotency-Key at the writer: asked again, it is taken once, and a retry that
    /// comes after the operator resumed does not pause again.
    pub token: String,
}

/// Every stored subscription.
pub async fn subscriptions(storage: &Storage) -> Result<Vec<Stored>, EdgeError> {
    values(storage, SUBSCRIPTION_PREFIX).await?.iter().map(|text| from_json(text)).collect()
}

/// The outbox's last position ([`Position::Start`] when it is empty).
pub async fn last_position(storage: &Storage) -> Result<Position, EdgeError> {
    let options = ListOptions::new().prefix(OUTBOX_PREFIX).reverse(true).limit(1);
    let list = storage.list_with_options(options).await?;
    let last = list.keys().into_iter().find_map(|k| k.ok()?.as_string()).unwrap_or_default();
    Position::of_key(&last).ok_or_else(|| EdgeError::Internal(format!("not an outbox key: {last}")))
}

/// A stored position ([`Position::Start`] when none is).
pub async fn position(storage: &Storage, key: Key<'_>) -> Result<Position, EdgeError> {
    let text = text(storage, key).await?.unwrap_or_default();
    Position::of_key(&text).ok_or_else(|| EdgeError::Internal(format!("not an outbox key: {text}")))
}

/// A stored text value.
pub async fn text(storage: &Storage, key: Key<'_>) -> Result<Option<String>, EdgeError> {
    Ok(storage.get::<String>(&key.text()).await?)
}

/// The stored page, if a hand-off brought one.
pub async fn page(storage: &Storage) -> Result<Option<Page>, EdgeError> {
    text(storage, Key::Page).await?.map(|text| from_json(&text)).transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_of_one_kind_share_their_prefix_and_no_other() {
        assert_eq!(Key::Cursor("sub_1").text(), "cursor/sub_1");
        assert_eq!(Key::Subscription("sub_1").text(), "sub/sub_1");
        assert_eq!(Key::Outbox(Position::at(2, 1)).text(), "outbox/0000000000000002/0001");
        assert_eq!(Key::Index(Position::at(2, 1)).text(), "outdex/0000000000000002/0001");
        let fixed = [Key::Pruned, Key::Taken, Key::Page].map(Key::text);
        for prefix in [SUBSCRIPTION_PREFIX, CURSOR_PREFIX, PAUSE_OWED_PREFIX, OUTBOX_PREFIX, INDEX_PREFIX] {
            assert!(fixed.iter().all(|key| !key.starts_with(prefix)), "{prefix}");
        }
    }
}
