//! The admin token check: constant time, and the token never leaves this function.

use worker::Env;

use crate::TOKEN_SECRET;
use crate::error::EdgeError;

/// Checks `Authorization: Bearer <token>` against the Worker secret.
pub fn check(authorization: Option<&str>, env: &Env) -> Result<(), EdgeError> {
    let expected = env.secret(TOKEN_SECRET).map(|s| s.to_string()).map_err(|_| EdgeError::Unauthorized)?;
    let given = authorization.and_then(|h| h.strip_prefix("Bearer ")).unwrap_or("");
    if !expected.is_empty() && constant_time_eq(given.as_bytes(), expected.as_bytes()) {
        Ok(())
    } else {
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
