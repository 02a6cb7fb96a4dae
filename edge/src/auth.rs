//! Who a write API request comes from: the admin token (constant time, throttled per client across
//! isolates, never leaving this module), a personal token, Cloudflare Access's assertion (when the
//! deployment is behind Access, see `cf_access`), or a browser's session cookie. A browser's write
//! (Access or session) must also come from this origin. Every refused credential counts against
//! its client.

use std::cell::RefCell;

use sitrep_shared::access::{self, Secret};
use sitrep_shared::throttle::{self, Throttle};
use worker::Env;

use crate::accounts::{self, protocol::Authenticated, protocol::Credential};
use crate::bindings::AUTH_LIMIT_BINDING;
use crate::error::EdgeError;

/// What a request carries that may say who sent it.
pub struct Presented<'a> {
    pub authorization: Option<&'a str>,
    pub cookie: Option<&'a str>,
    /// `Cf-Access-Jwt-Assertion`, when Cloudflare Access let the request through.
    pub access: Option<&'a str>,
    pub method: &'a str,
    pub origin: Option<&'a str>,
    pub fetch_site: Option<&'a str>,
    /// This edge's own origin, as the request reached it.
    pub own_origin: &'a str,
    /// Whether it came over https (the session cookie's name depends on it).
    pub secure: bool,
    /// `X-Sitrep-Poll: 1`: a console's background poll, which does not keep a session alive.
    pub poll: bool,
}

/// Who sent a write API request, and what they may do: the admin token is the bootstrap owner; a
/// personal token or a session is whoever the account store says. A missing credential, a wrong
/// one, and a session's write from another site are refused here, before anything else.
pub async fn identify(
    presented: &Presented<'_>,
    client: &str,
    now_ms: u64,
    env: &Env,
) -> Result<Authenticated, EdgeError> {
    // A deployment without a strong admin token has its write API off, whatever the credential: the
    // token also keys the audit log's client hashes.
    let admin_token = crate::bindings::admin_secret(env);
    if admin_token.chars().count() < MIN_TOKEN_CHARS {
        return Err(EdgeError::WeakToken(MIN_TOKEN_CHARS));
    }
    let bearer = presented
        .authorization
        .and_then(|h| h.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim());
    if let Some(token) = bearer.filter(|t| Secret::Token.fits(t)) {
        FAILURES.with_borrow(|t| t.check(client, now_ms)).map_err(EdgeError::TooManyAttempts)?;
        let known = accounts::authenticate(env, Credential::Token { hash: access::hash(token) }).await;
        return counted(known, client, now_ms, env).await;
    }
    if presented.authorization.is_none()
        && let Some(assertion) = presented.access
        && let Some(config) = crate::cf_access::config(env)
    {
        // Access signs a browser in by its cookie: a write must come from this origin, as with ours.
        access::same_origin_write(presented.method, presented.origin, presented.fetch_site, presented.own_origin)
            .map_err(|why| EdgeError::Forbidden(why.message().into()))?;
        may_try(client, now_ms)?;
        let known = match crate::cf_access::email(&config, assertion, now_ms).await {
            Ok(email) => accounts::authenticate(env, Credential::Access { email }).await,
            Err(err) => Err(err),
        };
        return counted(known, client, now_ms, env).await;
    }
    if presented.authorization.is_none()
        && let Some(session) = presented.cookie.and_then(|c| access::session_from_cookies(c, presented.secure))
    {
        // Before anything else: a cross-site write must not even learn whether the session is good.
        access::same_origin_write(presented.method, presented.origin, presented.fetch_site, presented.own_origin)
            .map_err(|why| EdgeError::Forbidden(why.message().into()))?;
        if !presented.secure && !loopback(presented.own_origin) {
            return Err(EdgeError::Forbidden("signed-in browsers use https".into()));
        }
        // Not counted against the client: a session is 256 random bits (nothing to guess), and a
        // browser still sending an ended one (revoked, expired) must not lock its office out.
        return accounts::authenticate(env, Credential::Session { hash: access::hash(session), poll: presented.poll })
            .await;
    }
    check(presented.authorization, &admin_token, client, now_ms, env).await?;
    Ok(Authenticated::admin_token())
}

/// A sign-in secret's answer, its refusal counted against the client like a wrong token.
pub async fn counted<T>(result: Result<T, EdgeError>, client: &str, now_ms: u64, env: &Env) -> Result<T, EdgeError> {
    match result {
        Err(EdgeError::SignedOut(why)) => Err(failed(client, now_ms, env).await.unwrap_or(EdgeError::SignedOut(why))),
        // A good secret does not clear the client's count (only the admin token does, as before):
        // one's own good token must not reset the count of guesses made between its uses.
        other => other,
    }
}

/// Whether an origin is this machine (`http://127.0.0.1:8787`, `http://localhost:…`, `http://[::1]:…`,
/// `http://acme.localhost:…`):
/// the only place a session may go over plain http (local development).
pub fn loopback(origin: &str) -> bool {
    let host = origin.split("://").nth(1).unwrap_or(origin);
    let host = if host.starts_with('[') {
        host.split(']').next().unwrap_or(host)
    } else {
        host.split(':').next().unwrap_or(host)
    };
    // `*.localhost` too: browsers resolve it to this machine and treat it as secure (a page's
    // hostname in development).
    host == "localhost"
        || host.ends_with(".localhost")
        || host == "[::1"
        || host.parse::<std::net::Ipv4Addr>().is_ok_and(|ip| ip.is_loopback())
}

/// Whether `client` may try a sign-in secret now (not locked out by earlier failures).
pub fn may_try(client: &str, now_ms: u64) -> Result<(), EdgeError> {
    FAILURES.with_borrow(|t| t.check(client, now_ms)).map_err(EdgeError::TooManyAttempts)
}

/// Counts a failed credential from `client`; `Some` when it is now locked out across isolates.
async fn failed(client: &str, now_ms: u64, env: &Env) -> Option<EdgeError> {
    FAILURES.with_borrow_mut(|t| t.failed(client, now_ms));
    if let Ok(limiter) = env.rate_limiter(AUTH_LIMIT_BINDING)
        && let Ok(outcome) = limiter.limit(format!("admin-token-failure:{client}")).await
        && !outcome.success
    {
        FAILURES.with_borrow_mut(|t| t.lock(client, now_ms));
        return Some(EdgeError::TooManyAttempts(throttle::WINDOW_MS / 1000));
    }
    None
}

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
async fn check(
    authorization: Option<&str>,
    expected: &str,
    client: &str,
    now_ms: u64,
    env: &Env,
) -> Result<(), EdgeError> {
    // `expected` is the admin token, whose strength `identify` checked first.
    FAILURES.with_borrow(|t| t.check(client, now_ms)).map_err(EdgeError::TooManyAttempts)?;
    // No credential at all guesses nothing: refused, never counted (a console left open after its
    // session ended, polling every few seconds, must not lock its whole office out).
    let Some(authorization) = authorization else {
        return Err(EdgeError::Unauthorized);
    };
    // The scheme is case-insensitive (RFC 9110); the token is compared exactly.
    let given = authorization
        .split_once(' ')
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map_or("", |(_, token)| token);
    if constant_time_eq(given.as_bytes(), expected.as_bytes()) {
        FAILURES.with_borrow_mut(|t| t.succeeded(client));
        return Ok(());
    }
    Err(failed(client, now_ms, env).await.unwrap_or(EdgeError::Unauthorized))
}

/// The client address as the audit log keeps it: SipHash-2-4 (a keyed pseudorandom function) of
/// the address, keyed from the admin token, so entries from one client can be told apart without
/// storing where it was, and knowing one address and its hash reveals nothing about another.
/// std's `SipHasher` is deprecated only as a `HashMap` hasher; as a keyed PRF it is what we need,
/// without a new dependency.
#[allow(deprecated)]
pub fn client_hash(client: &str, env: &Env) -> String {
    use std::hash::{Hash, Hasher, SipHasher};
    let token = crate::bindings::admin_secret(env);
    // Two 64-bit keys from the token (SipHash with fixed keys, then the results as the keys).
    let mut k0 = SipHasher::new_with_keys(0x736f_6d65, 0x7073_6575);
    (0u8, &token).hash(&mut k0);
    let mut k1 = SipHasher::new_with_keys(0x646f_7261, 0x6e64_6f6d);
    (1u8, &token).hash(&mut k1);
    let mut hasher = SipHasher::new_with_keys(k0.finish(), k1.finish());
    client.hash(&mut hasher);
    format!("{:016x}", hasher.finish())
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
    use super::{constant_time_eq, loopback};

    #[test]
    fn only_this_machine_may_sign_in_over_http() {
        let pages = ["http://acme.localhost:8787", "http://a.b.localhost"];
        for here in ["http://127.0.0.1:8787", "http://localhost:8787", "http://[::1]:8787", "http://127.0.0.1"]
            .iter()
            .chain(&pages)
        {
            assert!(loopback(here), "{here}");
        }
        for there in [
            "http://status.example.com",
            "http://127.0.0.1.example.com",
            "http://localhost.example.com:80",
            "http://localhost.evil",
            "http://notlocalhost",
        ] {
            assert!(!loopback(there), "{there}");
        }
    }

    #[test]
    fn compares_whole_tokens() {
        assert!(constant_time_eq(b"secret-token", b"secret-token"));
        assert!(!constant_time_eq(b"secret-toke", b"secret-token"));
        assert!(!constant_time_eq(b"secret-tokenX", b"secret-token"));
        assert!(!constant_time_eq(b"", b"secret-token"));
        assert!(!constant_time_eq(b"Secret-token", b"secret-token"));
    }
}
