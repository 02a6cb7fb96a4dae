//! When a failed delivery is tried again: exponential backoff with jitter, for at least a day.

use crate::Timestamp;

/// The first retry's delay.
pub const FIRST_DELAY_MS: i64 = 5_000;
/// The longest delay between two tries.
pub const MAX_DELAY_MS: i64 = 3_600_000;
/// How long after its first failure a delivery is still retried (then it is dead and its
/// subscription paused).
pub const GIVE_UP_AFTER_MS: i64 = 24 * 3_600_000;
/// How much a delay varies either way, so receivers coming back are not hit by every sender at once.
pub const JITTER: f64 = 0.2;

/// What to do after a failed try.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Next {
    /// Try again at this instant.
    RetryAt(Timestamp),
    /// It has failed for [`GIVE_UP_AFTER_MS`]: dead-letter it.
    GiveUp,
}

/// After the `failures`-th failed try (1 for the first) of a delivery that first failed at
/// `first_failure`, at `now`; `random` is uniform in `[0, 1)` (the caller's randomness: this
/// crate has none).
pub fn after_failure(first_failure: Timestamp, failures: u32, now: Timestamp, random: f64) -> Next {
    after_failure_within(first_failure, failures, now, random, GIVE_UP_AFTER_MS)
}

/// [`after_failure`] with another give-up time (the tests' short day).
pub fn after_failure_within(
    first_failure: Timestamp,
    failures: u32,
    now: Timestamp,
    random: f64,
    give_up_after_ms: i64,
) -> Next {
    let failing_for = now.unix_millis().saturating_sub(first_failure.unix_millis());
    if failing_for >= give_up_after_ms {
        return Next::GiveUp;
    }
    let doublings = failures.saturating_sub(1).min(20);
    let base = FIRST_DELAY_MS.saturating_mul(1 << doublings).min(MAX_DELAY_MS);
    let factor = 1.0 - JITTER + 2.0 * JITTER * random.clamp(0.0, 1.0);
    let delay = (base as f64 * factor) as i64;
    // The last try falls on the day's end, not after it.
    let delay = delay.min(give_up_after_ms - failing_for).max(1_000);
    Timestamp::from_unix_millis(now.unix_millis().saturating_add(delay)).map_or(Next::GiveUp, Next::RetryAt)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(ms: i64) -> Timestamp {
        Timestamp::from_unix_millis(1_800_000_000_000 + ms).unwrap()
    }

    #[test]
    fn delays_double_with_jitter_up_to_an_hour() {
        let delay = |failures: u32, random: f64| match after_failure(at(0), failures, at(0), random) {
            Next::RetryAt(t) => t.unix_millis() - at(0).unix_millis(),
            Next::GiveUp => panic!("gave up"),
        };
        assert_eq!(delay(1, 0.5), 5_000);
        assert_eq!(delay(2, 0.5), 10_000);
        assert_eq!(delay(3, 0.0), 16_000);
        assert_eq!(delay(3, 0.999_999), 23_999);
        assert_eq!(delay(30, 0.5), MAX_DELAY_MS);
        assert_eq!(delay(u32::MAX, 0.5), MAX_DELAY_MS);
    }

    #[test]
    fn a_delivery_is_retried_for_a_day_then_given_up() {
        // Simulate a receiver that is down for good, with the worst-case (shortest) jitter.
        let (first, mut now, mut failures, mut tries) = (at(0), at(0), 1, 1);
        while let Next::RetryAt(next) = after_failure(first, failures, now, 0.0) {
            assert!(next > now);
            now = next;
            failures += 1;
            tries += 1;
        }
        assert!(now.unix_millis() - first.unix_millis() >= GIVE_UP_AFTER_MS, "gave up before a day");
        assert!((30..=40).contains(&tries), "{tries} tries in a day");
    }
}
