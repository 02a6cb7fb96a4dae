//! Durable Object storage helpers both objects use (the page's writer and its delivery object):
//! listings as (key, text), and JSON in and out with errors mapped once. On the ground floor.

use worker::{ListOptions, Storage};

use crate::error::EdgeError;

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
