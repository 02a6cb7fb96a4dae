//! What the delivery object stores, under which key: each key is a [`Key`], never a string built
//! elsewhere. The outbox and its index are named by `shared::notify` (`outbox/{version}/{n}`,
//! `outdex/{version}/{n}`), since event ids and replays name their positions.

use sitrep_shared::Page;
use sitrep_shared::notify::OUTBOX_PREFIX;
use worker::{ListOptions, Storage};

use crate::error::EdgeError;
use crate::handoff::Stored;
use crate::storage::{from_json, values};

/// A key of the delivery object's storage.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Key<'a> {
    /// A subscription as the writer last handed it over (with its secret and where it starts).
    Subscription(&'a str),
    /// A subscription's cursor (`shared::notify::delivery::Cursor`).
    Cursor(&'a str),
    /// A pause the writer has not confirmed yet (the reason): the alarm asks again.
    PauseOwed(&'a str),
    /// The last outbox key pruning deleted: a cursor behind it lost events, and a new
    /// subscription starts after it.
    Pruned,
    /// The key of the last hand-off item taken.
    Taken,
    /// The page as the writer last handed it over (its name and URL go into message bodies).
    Page,
    /// The page's version at the last hand-off.
    Version,
}

/// The prefix of each kind of key with an id.
pub const SUBSCRIPTION_PREFIX: &str = "sub/";
pub const CURSOR_PREFIX: &str = "cursor/";
pub const PAUSE_OWED_PREFIX: &str = "pause-owed/";

impl Key<'_> {
    /// The key as stored.
    pub fn text(self) -> String {
        match self {
            Self::Subscription(id) => format!("{SUBSCRIPTION_PREFIX}{id}"),
            Self::Cursor(id) => format!("{CURSOR_PREFIX}{id}"),
            Self::PauseOwed(id) => format!("{PAUSE_OWED_PREFIX}{id}"),
            Self::Pruned => "pruned-outbox".into(),
            Self::Taken => "taken".into(),
            Self::Page => "page".into(),
            Self::Version => "version".into(),
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

/// The last key in the outbox, or "" when it is empty.
pub async fn last_outbox_key(storage: &Storage) -> Result<String, EdgeError> {
    let options = ListOptions::new().prefix(OUTBOX_PREFIX).reverse(true).limit(1);
    let list = storage.list_with_options(options).await?;
    Ok(list.keys().into_iter().find_map(|k| k.ok()?.as_string()).unwrap_or_default())
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
        let fixed = [Key::Pruned, Key::Taken, Key::Page, Key::Version].map(Key::text);
        for prefix in [SUBSCRIPTION_PREFIX, CURSOR_PREFIX, PAUSE_OWED_PREFIX, OUTBOX_PREFIX] {
            assert!(fixed.iter().all(|key| !key.starts_with(prefix)), "{prefix}");
        }
    }
}
