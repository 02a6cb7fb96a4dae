//! The admin token check: constant time, throttled per client, and the token never leaves this function.

use std::cell::RefCell;

use sitrep_shared::throttle::Throttle;
use worker::Env;

use crate::TOKEN_SECRET;
use crate::error::EdgeError;

thread_local! {
    /// Failed attempts per client in this isolate (see `sitrep_shared::throttle`).
    static FAILURES: RefCell<Throttle> = RefCell::new(Throttle::default());
}

/// Checks `Authorization: Bearer <token>` against the Worker secret. `client` identifies the caller
/// (its IP address); a client with too many recent failures is refused before its token is looked at.
pub fn check(authorization: Option<&str>, client: &str, now_ms: u64, env: &Env) -> Result<(), EdgeError> {
    FAILURES.with_borrow(|t| t.check(client, now_ms)).map_err(EdgeError::TooManyAttempts)?;
    let expected = env.secret(TOKEN_SECRET).map(|s| s.to_string()).unwrap_or_default();
    // The scheme is case-insensitive (RFC 9110); the token is compared exactly.
    let given = authorization
        .and_then(|h| h.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map_or("", |(_, token)| token);
    if !expected.is_empty() && constant_time_eq(given.as_bytes(), expected.as_bytes()) {
        FAILURES.with_borrow_mut(|t| t.succeeded(client));
        Ok(())
    } else {
        FAILURES.with_borrow_mut(|t| t.failed(client, now_ms));
        Err(EdgeError::Unauthorized)
    }
}

/// Compares without an early exit, so timing does not reveal how much of the token matched.
fn constant_time_eq(given: &[u8], expected: &[u8]) -> bool {
    let mut diff = u8::from(given.len() != expected.len());
    for (n, byte) in expected.iter().enumerate() {
        diff |= byte ^ given.get(n).copied().unwrap_or(0);
    }
    diff == 0
}

#[cfg(test)]
mod tests {
    use super::constant_time_eq;

    #[test]
    fn compares_whole_tokens() {
        assert!(constant_time_eq(b"secret-token", b"secret-token"));
        assert!(!constant_time_eq(b"secret-toke", b"secret-token"));
        assert!(!constant_time_eq(b"secret-tokenX", b"secret-token"));
        assert!(!constant_time_eq(b"", b"secret-token"));
        assert!(!constant_time_eq(b"Secret-token", b"secret-token"));
    }
}
