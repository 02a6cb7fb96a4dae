//! The admin token check: constant time, throttled per client across isolates, and the token never
//! leaves this module.

use std::cell::RefCell;

use sitrep_shared::throttle::{self, Throttle};
use worker::Env;

use crate::error::EdgeError;
use crate::{AUTH_LIMIT_BINDING, TOKEN_SECRET};

/// The shortest admin token the write API accepts to run with: 32 characters of a random token
/// are beyond online guessing even without the throttle.
pub const MIN_TOKEN_CHARS: usize = 32;

thread_local! {
    /// Failed attempts per client in this isolate (see `sitrep_shared::throttle`).
    static FAILURES: RefCell<Throttle> = RefCell::new(Throttle::default());
}

/// Checks `Authorization: Bearer <token>` against the Worker secret. `client` identifies the caller
/// (its IP address); a client with too many recent failures is refused before its token is looked
/// at. Failures are counted in this isolate and, through the Rate Limiting binding, across all of
/// them: once the binding says a client failed too often, this isolate locks it out too.
pub async fn check(authorization: Option<&str>, client: &str, now_ms: u64, env: &Env) -> Result<(), EdgeError> {
    FAILURES.with_borrow(|t| t.check(client, now_ms)).map_err(EdgeError::TooManyAttempts)?;
    let expected = env.secret(TOKEN_SECRET).map(|s| s.to_string()).unwrap_or_default();
    if expected.chars().count() < MIN_TOKEN_CHARS {
        return Err(EdgeError::WeakToken(MIN_TOKEN_CHARS));
    }
    // The scheme is case-insensitive (RFC 9110); the token is compared exactly.
    let given = authorization
        .and_then(|h| h.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map_or("", |(_, token)| token);
    if constant_time_eq(given.as_bytes(), expected.as_bytes()) {
        FAILURES.with_borrow_mut(|t| t.succeeded(client));
        return Ok(());
    }
    FAILURES.with_borrow_mut(|t| t.failed(client, now_ms));
    if let Ok(limiter) = env.rate_limiter(AUTH_LIMIT_BINDING)
        && let Ok(outcome) = limiter.limit(format!("admin-token-failure:{client}")).await
        && !outcome.success
    {
        FAILURES.with_borrow_mut(|t| t.lock(client, now_ms));
        return Err(EdgeError::TooManyAttempts(throttle::WINDOW_MS / 1000));
    }
    Err(EdgeError::Unauthorized)
}

/// The client address as the audit log keeps it: FNV-1a 64 of the address keyed with the admin
/// token, so entries from one client can be told apart without storing where it was. Not a
/// cryptographic hash: it hides the address from readers of the log who lack the token.
pub fn client_hash(client: &str, env: &Env) -> String {
    let key = env.secret(TOKEN_SECRET).map(|s| s.to_string()).unwrap_or_default();
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in key.bytes().chain([0]).chain(client.bytes()) {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{hash:016x}")
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
