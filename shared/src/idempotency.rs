//! How long the write API remembers an `Idempotency-Key`, and which remembered replies may go.
//!
//! The edge stores the first reply to each keyed request and replays it to retries. Without an end,
//! those replies would pile up for as long as the page lives. A key is remembered for a retention
//! period (a day unless the operator sets another); after it, the same key is a new request, and
//! each write removes a bounded batch of the replies that have passed it.

use crate::Timestamp;

/// How long a first reply is replayed, unless configured: a day, as payment APIs do. Clients retry
/// within seconds or minutes; a key older than this names a new request.
pub const DEFAULT_RETENTION_SECS: u32 = 24 * 60 * 60;

/// The most expired replies one write removes. Each write stores one reply at most, so removal
/// keeps up, and no write becomes slow because many keys expired at once.
pub const PRUNE_BATCH: usize = 64;

/// The retention from the operator's setting: whole seconds, at least one; the default when the
/// setting is missing or not a positive number.
pub fn retention_secs(setting: Option<&str>) -> u32 {
    setting.and_then(|s| s.trim().parse::<u32>().ok()).filter(|s| *s > 0).unwrap_or(DEFAULT_RETENTION_SECS)
}

/// Replies stored before this instant have expired at `now` (Unix milliseconds).
pub fn cutoff_millis(now: Timestamp, retention_secs: u32) -> i64 {
    now.unix_millis() - i64::from(retention_secs) * 1000
}

/// Whether a reply stored at `stored_at` is still replayed at `now`. A reply stored without a time
/// (before replies expired) is kept and replayed.
pub fn replayable(stored_at: Option<Timestamp>, now: Timestamp, retention_secs: u32) -> bool {
    stored_at.is_none_or(|at| at.unix_millis() >= cutoff_millis(now, retention_secs))
}

/// Whether pruning may remove the reply now stored under a key whose expiry entry came due: only
/// if that reply has expired itself. The key may have been used again after it expired, and the
/// newer reply under it must stay until its own time comes.
pub fn removable(stored_at: Option<Timestamp>, now: Timestamp, retention_secs: u32) -> bool {
    stored_at.is_some_and(|at| at.unix_millis() < cutoff_millis(now, retention_secs))
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    fn ts(text: &str) -> Timestamp {
        Timestamp::parse(text).unwrap()
    }

    #[test]
    fn the_setting_is_whole_positive_seconds_or_the_default() {
        assert_eq!(retention_secs(None), DEFAULT_RETENTION_SECS);
        assert_eq!(retention_secs(Some(" 2 ")), 2);
        for bad in ["0", "-5", "1.5", "a day", ""] {
            assert_eq!(retention_secs(Some(bad)), DEFAULT_RETENTION_SECS, "{bad:?}");
        }
    }

    #[test]
    fn a_reply_is_replayed_for_the_retention_and_not_after() {
        let stored = ts("2026-11-23T10:00:00Z");
        let day = DEFAULT_RETENTION_SECS;
        assert!(replayable(Some(stored), ts("2026-11-23T10:00:00Z"), day));
        assert!(replayable(Some(stored), ts("2026-11-24T10:00:00Z"), day), "exactly a day later");
        assert!(!replayable(Some(stored), ts("2026-11-24T10:00:00.001Z"), day));
        assert!(replayable(None, ts("2030-01-01T00:00:00Z"), day), "replies from before expiry stay");
        assert!(!replayable(Some(stored), ts("2026-11-23T10:00:02Z"), 1));
    }

    #[test]
    fn pruning_spares_a_reply_that_a_reused_key_stored_later() {
        let now = ts("2026-11-25T00:00:00Z");
        let day = DEFAULT_RETENTION_SECS;
        assert!(removable(Some(ts("2026-11-23T10:00:00Z")), now, day));
        assert!(!removable(Some(ts("2026-11-24T23:00:00Z")), now, day), "the key was used again");
        assert!(!removable(None, now, day), "an untimed reply is never due");
        for at in ["2026-11-23T10:00:00Z", "2026-11-24T23:00:00Z"] {
            assert_ne!(removable(Some(ts(at)), now, day), replayable(Some(ts(at)), now, day), "{at}");
        }
    }
}
