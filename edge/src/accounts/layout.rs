//! What the account store keeps, under which key: each key is a [`Key`].
//!
//! Secrets are keyed by their hash (`invite/`, `session/`, `token/`); each session and token also
//! has an index entry under its operator (`op-session/{operator}/{id}`, `op-token/{operator}/{id}`,
//! holding the hash) so that an operator's list and revocation read only theirs, and a session's
//! public id names its hash (`session-id/{id}`) for a revocation by id.

use serde::{Deserialize, Serialize};
use sitrep_shared::Timestamp;
use sitrep_shared::access::Operator;
use worker::Storage;

use crate::error::EdgeError;
use crate::storage::{StorageKey, from_json, values};

/// A key of the account store's storage.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Key<'a> {
    Operator(&'a str),
    /// An email address (lowercase), naming its operator's id.
    Email(&'a str),
    /// A pending invitation, by its secret's hash.
    Invite(&'a str),
    /// A session, by its secret's hash.
    Session(&'a str),
    /// A session's public id, naming its hash.
    SessionId(&'a str),
    /// An operator's session: (operator, public id), naming its hash.
    SessionOf(&'a str, &'a str),
    /// A personal token, by its hash.
    Token(&'a str),
    /// An operator's token: (operator, public id), naming its hash.
    TokenOf(&'a str, &'a str),
    /// A log entry: (milliseconds, a public id that keeps two entries of one millisecond apart).
    Log(i64, &'a str),
    /// How many log entries there are.
    LogCount,
    /// The deployment's pages besides the default one (`sitrep_shared::host::Directory`), one value.
    Directory,
    /// Whether KV's copy of the directory is behind the stored one (a publication failed).
    DirectoryOwed,
}

pub const OPERATOR_PREFIX: &str = "operator/";
pub const LOG_PREFIX: &str = "log/";
pub const INVITE_PREFIX: &str = "invite/";

/// The prefix of an operator's sessions' index.
pub fn sessions_of(operator: &str) -> String {
    format!("op-session/{operator}/")
}

/// The prefix of an operator's tokens' index.
pub fn tokens_of(operator: &str) -> String {
    format!("op-token/{operator}/")
}

impl Key<'_> {
    pub fn text(self) -> String {
        match self {
            Self::Operator(id) => format!("{OPERATOR_PREFIX}{id}"),
            Self::Email(email) => format!("email/{email}"),
            Self::Invite(hash) => format!("{INVITE_PREFIX}{hash}"),
            Self::Session(hash) => format!("session/{hash}"),
            Self::SessionId(id) => format!("session-id/{id}"),
            Self::SessionOf(operator, id) => format!("{}{id}", sessions_of(operator)),
            Self::Token(hash) => format!("token/{hash}"),
            Self::TokenOf(operator, id) => format!("{}{id}", tokens_of(operator)),
            Self::Log(millis, id) => format!("{LOG_PREFIX}{:016}/{id}", millis.max(0)),
            Self::LogCount => "log-count".into(),
            Self::Directory => "pages".into(),
            Self::DirectoryOwed => "pages-owed".into(),
        }
    }
}

impl StorageKey for Key<'_> {
    fn text(&self) -> String {
        Key::text(*self)
    }
}

/// One change to the accounts, as their log keeps it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct LogEntry {
    pub at: Timestamp,
    /// Who made it (`Actor::label`).
    pub by: String,
    pub summary: String,
}

/// A stored JSON value.
pub async fn get<T: serde::de::DeserializeOwned>(storage: &Storage, key: Key<'_>) -> Result<Option<T>, EdgeError> {
    storage.get::<String>(&key.text()).await?.map(|text| from_json(&text)).transpose()
}

/// Every operator, in id order.
pub async fn operators(storage: &Storage) -> Result<Vec<Operator>, EdgeError> {
    values(storage, OPERATOR_PREFIX).await?.iter().map(|text| from_json(text)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_of_key_has_its_own_prefix() {
        let keys = [
            Key::Operator("op_1"),
            Key::Email("a@b.c"),
            Key::Invite("h"),
            Key::Session("h"),
            Key::SessionId("s_1"),
            Key::SessionOf("op_1", "s_1"),
            Key::Token("h"),
            Key::TokenOf("op_1", "t_1"),
            Key::Log(1, "x"),
            Key::LogCount,
            Key::Directory,
            Key::DirectoryOwed,
        ]
        .map(Key::text);
        for (n, key) in keys.iter().enumerate() {
            let prefix = key.split('/').next().unwrap();
            assert!(
                keys.iter().enumerate().all(|(m, other)| m == n || !other.starts_with(&format!("{prefix}/"))),
                "{key}"
            );
        }
        assert!(Key::Log(999, "z").text() < Key::Log(1_000, "a").text(), "the log sorts by time");
    }
}
