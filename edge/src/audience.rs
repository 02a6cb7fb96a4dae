//! Who may read a private page (issue 28): checked after the page is found and before anything of
//! it is read from any layer. A reader link (`?reader=`, `sitrep_shared::reader`), the cookie a
//! page read with one sets, a Cloudflare Access identity whose email or domain the page lists
//! (`PageEntry::readers`), or an operator's credential (a session cookie, a token, Access);
//! anything else is 401 with the reason, never the page. What a private page answers is `Cache-Control: private`
//! and `noindex` (see [`PRIVATE`]).

use sitrep_shared::reader;
use worker::Env;

use crate::error::EdgeError;
use crate::page::Page;
use crate::{auth, url};

/// The cookie a page read with a reader link sets, so the page's own links need none: over https
/// `__Host-` (no other host, not even a sibling subdomain, can set one this host reads).
const COOKIE: &str = "sitrep_reader";
const HOST_COOKIE: &str = "__Host-sitrep_reader";

/// What a private page's answers add to (or put over) the public ones: no shared cache keeps them,
/// no search engine indexes them, and a browser asks again with its cookie.
pub const PRIVATE: crate::hot::Extra =
    &[("cache-control", "private, no-cache"), ("x-robots-tag", "noindex"), ("vary", "Cookie")];

/// How a reader got in.
#[derive(Debug, PartialEq, Eq)]
pub enum Pass {
    /// A public page: anyone.
    Public,
    /// A reader link; `Some`: the `Set-Cookie` value that keeps it for the page's own links (when it
    /// came in the URL).
    Reader(Option<String>),
    /// A signed-in operator.
    Operator,
    /// Someone Cloudflare Access signed in whose email or domain the page lists.
    Access,
}

/// Whether the request may read `page`; `origin` is how the request reached this edge.
pub async fn check(
    req: &web_sys::Request,
    env: &Env,
    page: &Page,
    query: &str,
    origin: &str,
) -> Result<Pass, EdgeError> {
    let Some(entry) = page.entry().filter(|_| page.private()) else { return Ok(Pass::Public) };
    let header = |name: &str| req.headers().get(name).ok().flatten();
    let cookie = header("cookie");
    let secure = origin.starts_with("https://");
    // One reading of the clock for every check below.
    let now_ms = crate::clock::now_ms();
    let now_s = (now_ms / 1000) as i64;
    // Without a strong admin secret there is no key anyone could not guess: no link is taken. Nor
    // from a directory read while KV and the account store failed, which may not know of a
    // revocation (operators still are).
    let secret = crate::bindings::admin_secret(env);
    let strong = secret.chars().count() >= auth::MIN_TOKEN_CHARS;
    let key = (strong && !page.directory_is_fallback()).then(|| reader::key(&secret));
    let mut why =
        page.directory_is_fallback().then_some("its reader links cannot be checked here right now: try again shortly");
    if let Some(key) = &key {
        let mut refusal = None;
        if let Some(token) = url::query_param(query, "reader") {
            match reader::check(key, &token, entry, now_s) {
                Ok(()) => return Ok(Pass::Reader(Some(set_cookie(&token, secure, now_s)))),
                Err(refused) => refusal = Some(refused),
            }
        }
        // Every cookie of the name: one a sibling planted first must not hide the reader's own.
        let name = if secure { HOST_COOKIE } else { COOKIE };
        for token in cookie.as_deref().into_iter().flat_map(|c| cookie_values(c, name)) {
            match reader::check(key, token, entry, now_s) {
                Ok(()) => return Ok(Pass::Reader(None)),
                Err(refused) => refusal = refusal.or(Some(refused)),
            }
        }
        why = refusal.map(reader::Refusal::message);
    }
    let (authorization, access) = (header("authorization"), header("cf-access-jwt-assertion"));
    let client = header("cf-connecting-ip").unwrap_or_else(|| "local".to_owned());
    // A reader Access signed in through the readers' own application (never the operators'), if
    // the page lists their address or domain: checked here, without the account store. Not from a
    // directory read while KV and the account store failed, which may not know a reader was taken
    // off. A valid assertion of someone not listed guessed nothing: refused, never counted (an
    // office behind one address is not locked out by a colleague the page does not list). Any
    // other assertion is judged as an operator's below, and counted there.
    let mut tried = false;
    if let Some(token) = access.as_deref()
        && !page.directory_is_fallback()
        && let Some(config) = crate::cf_access::reader_config(env)
    {
        auth::may_try(&client, now_ms)?;
        tried = true;
        if let Ok(email) = crate::cf_access::email(&config, token, now_ms).await {
            if entry.admits_claimed(&email) {
                return Ok(Pass::Access);
            }
            let email: String = email.chars().filter(char::is_ascii_graphic).take(100).collect();
            return Err(EdgeError::PrivatePage(format!(
                "Cloudflare Access signed you in as {email}, whom this page does not list: ask its owners"
            )));
        }
    }
    let session = cookie.as_deref().and_then(|c| sitrep_shared::access::session_from_cookies(c, secure));
    if authorization.is_some() || access.is_some() || session.is_some() {
        let presented = auth::Presented {
            authorization: authorization.as_deref(),
            cookie: cookie.as_deref(),
            access: access.as_deref(),
            method: "GET",
            origin: None,
            fetch_site: None,
            own_origin: origin,
            secure,
            poll: true,
        };
        // Counted like the write API's: made-up credentials cannot send every read to the account
        // store (asked once: a reader's assertion above already asked).
        if !tried {
            auth::may_try(&client, now_ms)?;
        }
        let known = auth::identify(&presented, &client, now_ms, env).await;
        if auth::counted(known, &client, now_ms, env).await.is_ok() {
            return Ok(Pass::Operator);
        }
    }
    let why = why.unwrap_or("sign in, or open it with a reader link its owners made");
    Err(EdgeError::PrivatePage(why.to_owned()))
}

/// Keeps a reader link in the browser until it expires (`HttpOnly`: no script reads it; `Lax`:
/// sent when the reader follows a link to the page from elsewhere).
fn set_cookie(token: &str, secure: bool, now_s: i64) -> String {
    let expires = token.rsplit('_').nth(1).and_then(|e| e.parse::<i64>().ok()).unwrap_or(now_s);
    let max_age = (expires - now_s).max(0);
    if secure {
        format!("{HOST_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}; Secure")
    } else {
        format!("{COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}")
    }
}

/// Every value of cookie `name` in a `Cookie` header.
fn cookie_values<'a>(header: &'a str, name: &'a str) -> impl Iterator<Item = &'a str> {
    header.split(';').filter_map(move |pair| pair.trim().strip_prefix(name)?.strip_prefix('='))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cookie_lives_as_long_as_its_link() {
        let cookie = set_cookie("sitrep_reader_internal_3_0_1000_abc", true, 400);
        assert_eq!(
            cookie,
            "__Host-sitrep_reader=sitrep_reader_internal_3_0_1000_abc; Path=/; HttpOnly; SameSite=Lax; Max-Age=600; Secure"
        );
        let plain = set_cookie("sitrep_reader_internal_3_0_1000_abc", false, 400);
        assert_eq!(
            plain,
            "sitrep_reader=sitrep_reader_internal_3_0_1000_abc; Path=/; HttpOnly; SameSite=Lax; Max-Age=600"
        );
        let values: Vec<&str> = cookie_values("a=1; sitrep_reader=planted; b=2; sitrep_reader=mine", COOKIE).collect();
        assert_eq!(values, ["planted", "mine"], "every one is tried");
        assert_eq!(cookie_values("sitrep_readerx=t", COOKIE).count(), 0);
    }
}
