//! The last good summary and the dismissed banners, kept in `localStorage` per edge origin.
//!
//! Storage can be missing (sandboxed iframes), full or blocked: every call degrades to "nothing stored".

use sitrep_shared::Timestamp;
use web_sys::Storage;

/// The largest summary kept, in bytes; a bigger one is simply not stored.
const MAX_STORED: usize = 512 * 1024;

fn storage() -> Option<Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// `widget.js` reads the summary's key too (no first frame when a summary is stored): keep them alike.
fn key(kind: &str, src: &str) -> String {
    format!("sitrep:v1:{kind}:{src}")
}

/// A summary as fetched: its text, ETag and when it arrived.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stored {
    /// When it was fetched.
    pub fetched_at: Timestamp,
    /// Its ETag.
    pub etag: Option<String>,
    /// The JSON text.
    pub text: String,
}

impl Stored {
    fn encode(&self) -> String {
        format!("{}\n{}\n{}", self.fetched_at.unix_millis(), self.etag.as_deref().unwrap_or_default(), self.text)
    }

    fn decode(raw: &str) -> Option<Self> {
        let mut parts = raw.splitn(3, '\n');
        let fetched_at = Timestamp::from_unix_millis(parts.next()?.parse().ok()?)?;
        let etag = Some(parts.next()?.to_owned()).filter(|e| !e.is_empty());
        Some(Self { fetched_at, etag, text: parts.next()?.to_owned() })
    }
}

/// The summary stored for `src`, if any and readable.
pub fn load_summary(src: &str) -> Option<Stored> {
    Stored::decode(&storage()?.get_item(&key("summary", src)).ok()??)
}

/// Stores the summary for `src`; silently skipped when storage is unavailable, full or the text too large.
pub fn save_summary(src: &str, stored: &Stored) {
    if stored.text.len() > MAX_STORED {
        return;
    }
    if let Some(storage) = storage() {
        let _ = storage.set_item(&key("summary", src), &stored.encode());
    }
}

/// The dismissed banners for `src`, one key per line.
pub fn load_dismissals(src: &str) -> String {
    storage().and_then(|s| s.get_item(&key("dismissed", src)).ok().flatten()).unwrap_or_default()
}

/// Stores the dismissed banners for `src`.
pub fn save_dismissals(src: &str, text: &str) {
    if let Some(storage) = storage() {
        let _ = storage.set_item(&key("dismissed", src), text);
    }
}

#[cfg(test)]
mod tests {
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn stored_summaries_round_trip_and_garbage_reads_as_nothing() {
        let stored = Stored {
            fetched_at: Timestamp::from_unix_millis(1_700_000_000_000).unwrap(),
            etag: Some("\"abc-1\"".into()),
            text: "{\"a\":\n1}".into(),
        };
        assert_eq!(Stored::decode(&stored.encode()), Some(stored.clone()));
        assert_eq!(Stored::decode("not a number\n\n{}"), None);
        assert_eq!(Stored::decode(""), None);
        save_summary("https://t.example", &stored);
        assert_eq!(load_summary("https://t.example"), Some(stored));
        assert_eq!(load_summary("https://other.example"), None);
    }
}
