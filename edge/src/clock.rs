//! The clock, for the Worker and the Durable Object alike.

use sitrep_shared::Timestamp;

use crate::error::EdgeError;

/// Milliseconds since the epoch.
pub fn now_ms() -> u64 {
    // One call into JavaScript (`worker::Date::now` makes a `Date` and asks it the time: two).
    js_sys::Date::now() as u64
}

/// The time now, as the model counts it.
pub fn now() -> Result<Timestamp, EdgeError> {
    Timestamp::from_unix_millis(now_ms() as i64).ok_or(EdgeError::Internal("clock out of range".into()))
}
