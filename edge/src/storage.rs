//! Durable Object storage helpers both objects use (the page's writer and its delivery object):
//! listings as (key, text), JSON in and out with errors mapped once, and a [`Batch`] of changes
//! committed in one transaction. On the ground floor: each object names its own keys (its
//! `layout::Key`), this module only stores them.

use serde::Serialize;
use worker::{ListOptions, Storage};

use crate::error::EdgeError;

/// A key of one object's storage, as its layout names it.
pub trait StorageKey {
    /// The key as stored.
    fn text(&self) -> String;
}

/// A value as stored: text (JSON, mostly), or a number where the platform's own number was kept
/// before (the writer's version).
#[derive(Debug)]
enum Value {
    Text(String),
    Number(u64),
}

/// Changes committed together in one transaction ([`Batch::commit`]): all or nothing. Removals
/// come first (so a key removed and put again keeps its new value), then the puts, in order.
#[derive(Debug, Default)]
pub struct Batch {
    puts: Vec<(String, Value)>,
    deletes: Vec<String>,
}

impl Batch {
    /// Puts `value` as JSON under `key`.
    pub fn put(&mut self, key: impl StorageKey, value: &impl Serialize) -> Result<(), EdgeError> {
        self.puts.push((key.text(), Value::Text(to_json(value)?)));
        Ok(())
    }

    /// Puts `text` as it is under `key`.
    pub fn put_text(&mut self, key: impl StorageKey, text: String) {
        self.puts.push((key.text(), Value::Text(text)));
    }

    /// Puts a number under `key`.
    pub fn put_number(&mut self, key: impl StorageKey, number: u64) {
        self.puts.push((key.text(), Value::Number(number)));
    }

    pub fn delete(&mut self, key: impl StorageKey) {
        self.deletes.push(key.text());
    }

    /// Removes a key a listing found.
    pub fn delete_listed(&mut self, key: String) {
        self.deletes.push(key);
    }

    /// The keys this batch puts.
    pub fn put_keys(&self) -> impl Iterator<Item = &str> {
        self.puts.iter().map(|(key, _)| key.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.puts.is_empty() && self.deletes.is_empty()
    }

    /// Commits the batch in one transaction (nothing for an empty one).
    pub async fn commit(self, storage: &Storage) -> Result<(), EdgeError> {
        if self.is_empty() {
            return Ok(());
        }
        let Self { puts, deletes } = self;
        storage
            .transaction(move |txn| async move {
                // The platform deletes at most 128 keys per call.
                for chunk in deletes.chunks(128) {
                    txn.delete_multiple(chunk.to_vec()).await?;
                }
                for (key, value) in puts {
                    match value {
                        Value::Text(text) => txn.put(&key, text).await?,
                        Value::Number(number) => txn.put(&key, number).await?,
                    }
                }
                Ok(())
            })
            .await?;
        Ok(())
    }
}

/// The stored entries a listing names, as (key, text), in key order.
pub async fn entries(storage: &Storage, options: ListOptions<'_>) -> Result<Vec<(String, String)>, EdgeError> {
    let list = storage.list_with_options(options).await?;
    let keys = list.keys().into_iter().filter_map(|k| k.ok()?.as_string());
    let mut out = Vec::new();
    for (key, value) in keys.zip(list.values()) {
        out.push((key, value.map_err(|e| EdgeError::Internal(format!("{e:?}")))?.as_string().unwrap_or_default()));
    }
    Ok(out)
}

/// Every stored value under a prefix, in key order.
pub async fn values(storage: &Storage, prefix: &str) -> Result<Vec<String>, EdgeError> {
    Ok(entries(storage, ListOptions::new().prefix(prefix)).await?.into_iter().map(|(_, text)| text).collect())
}

/// The stored keys under a prefix.
pub async fn keys(storage: &Storage, prefix: &str) -> Result<Vec<String>, EdgeError> {
    let list = storage.list_with_options(ListOptions::new().prefix(prefix)).await?;
    Ok(list.keys().into_iter().filter_map(|k| k.ok()?.as_string()).collect())
}

/// Up to `limit` stored keys under a prefix, in key order.
pub async fn keys_limited(storage: &Storage, prefix: &str, limit: usize) -> Result<Vec<String>, EdgeError> {
    let list = storage.list_with_options(ListOptions::new().prefix(prefix).limit(limit)).await?;
    Ok(list.keys().into_iter().filter_map(|k| k.ok()?.as_string()).collect())
}

/// Whether anything is stored under a prefix (one key read, whatever is there).
pub async fn any(storage: &Storage, prefix: &str) -> Result<bool, EdgeError> {
    let list = storage.list_with_options(ListOptions::new().prefix(prefix).limit(1)).await?;
    Ok(list.size() > 0)
}

pub fn from_json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, EdgeError> {
    serde_json::from_str(text).map_err(|e| EdgeError::Internal(format!("stored data does not parse: {e}")))
}

pub fn to_json<T: serde::Serialize>(value: &T) -> Result<String, EdgeError> {
    serde_json::to_string(value).map_err(|e| EdgeError::Internal(e.to_string()))
}
