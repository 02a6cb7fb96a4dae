//! Signing in and out in a browser: the page a sign-in link opens, the form it posts, signing out,
//! and `/admin/` and `/admin/settings/`, the console's documents: who is signed in, and the root
//! the console (a Yew application, `sitrep-console`, served from `/console/` in two modules: the
//! everyday screens and the settings screens) renders into.
//!
//! - A sign-in link is followed in two steps: `GET /admin/sign-in?invite=…` only shows a button,
//!   and its `POST` spends the link, so a chat service's link preview cannot use it up.
//! - Every form post must come from this origin (`access::same_origin_write`), and a failed link
//!   counts against its client like a wrong token.
//! - Pages here are never cached, never framed, send only their origin as referrer (the link is
//!   in the URL), and run no script (but the console's two documents, which run its modules, from
//!   this origin only).

use sitrep_shared::access::{self, Secret};
use sitrep_shared::feed::xml;
use worker::{Env, Headers, Request, Response};

use crate::error::EdgeError;
use crate::{accounts, auth, clock, secrets, url};

/// What the console's paths name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Console {
    /// `/admin/`.
    Home,
    /// `/admin/settings/`: the same, running the console's second module (the screens an owner
    /// opens now and then), so the first load carries only the everyday ones.
    Settings,
    /// `/admin/sign-in`.
    SignIn,
    /// `/admin/sign-out`.
    SignOut,
    /// `/admin/token`: make a personal token for the CLI.
    Token,
}

impl Console {
    pub fn of(path: &str) -> Option<Self> {
        match path {
            "/admin" | "/admin/" => Some(Self::Home),
            "/admin/settings" | "/admin/settings/" => Some(Self::Settings),
            "/admin/sign-in" => Some(Self::SignIn),
            "/admin/sign-out" => Some(Self::SignOut),
            "/admin/token" => Some(Self::Token),
            _ => None,
        }
    }

    fn allow(self) -> &'static str {
        match self {
            Self::Home | Self::Settings => "GET, HEAD",
            Self::SignIn => "GET, HEAD, POST",
            Self::SignOut | Self::Token => "POST",
        }
    }
}

/// Answers a console path; every refusal is a page a person can read.
pub async fn answer(console: Console, mut req: Request, env: &Env, origin: &str, query: &str) -> Response {
    let method = req.inner().method();
    let secure = origin.starts_with("https://");
    if !secure && !auth::loopback(origin) {
        // A session cookie over plain http could be read on the way: sign in over https only.
        let body = format!("<p>Sign in over https: this address is plain http.</p>{BACK}");
        return page(403, "sitrep", &body, None);
    }
    let result = match (console, method.as_str()) {
        (Console::Home, "GET" | "HEAD") => home(&req, env, origin, secure, "/console/console.js").await,
        (Console::Settings, "GET" | "HEAD") => home(&req, env, origin, secure, "/console/settings.js").await,
        (Console::SignIn, "GET" | "HEAD") => Ok(sign_in_form(query)),
        (Console::SignIn, "POST") => sign_in(&mut req, env, origin, secure).await,
        (Console::SignOut, "POST") => sign_out(&req, env, origin, secure).await,
        (Console::Token, "POST") => token(&mut req, env, origin, secure).await,
        (console, other) => {
            Err(EdgeError::MethodNotAllowed { method: other.to_owned(), allow: console.allow().to_owned() })
        }
    };
    result
        .unwrap_or_else(|err| page(err.status(), "sitrep", &format!("<p>{}</p>{}", xml(&err.to_string()), BACK), None))
}

const BACK: &str = "<p><a href=\"/\">Current status</a></p>";

/// A small page of the console's: no script, no framing, the origin alone as referrer, never stored.
fn page(status: u16, title: &str, body: &str, cookie: Option<String>) -> Response {
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"color-scheme\" content=\"light dark\"><meta name=\"robots\" content=\"noindex\">\
         <title>{title}</title></head><body><main><h1>{title}</h1>{body}</main></body></html>",
        title = xml(title)
    );
    let headers = Headers::new();
    let _ = headers.set("content-type", "text/html; charset=utf-8");
    let _ = headers.set("cache-control", "no-store");
    // The origin only, never the path (a sign-in link is in it): the pages' own posts then carry
    // a real Origin (under no-referrer a browser sends `Origin: null`).
    let _ = headers.set("referrer-policy", "strict-origin");
    let _ = headers.set(
        "content-security-policy",
        "default-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    );
    let _ = headers.set("x-content-type-options", "nosniff");
    if let Some(cookie) = cookie {
        let _ = headers.set("set-cookie", &cookie);
    }
    Response::builder().with_status(status).with_headers(headers).fixed(html.into_bytes())
}

/// The longest form a console page posts.
const MAX_FORM: usize = 4 * 1024;

/// A posted form's body, at most [`MAX_FORM`] bytes.
async fn form(req: &mut Request) -> Result<String, EdgeError> {
    if header(req, "content-length").and_then(|l| l.parse::<usize>().ok()).is_some_and(|len| len > MAX_FORM) {
        return Err(EdgeError::PayloadTooLarge(MAX_FORM));
    }
    let bytes = req.bytes().await.unwrap_or_default();
    if bytes.len() > MAX_FORM {
        return Err(EdgeError::PayloadTooLarge(MAX_FORM));
    }
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// The client as the throttle counts it (Cloudflare sets `CF-Connecting-IP`; locally one client).
fn client(req: &Request) -> String {
    req.headers().get("cf-connecting-ip").ok().flatten().unwrap_or_else(|| "local".to_owned())
}

fn header(req: &Request, name: &str) -> Option<String> {
    req.headers().get(name).ok().flatten()
}

/// `GET /admin/sign-in?invite=…`: a button that spends the link (nothing is spent by opening it).
fn sign_in_form(query: &str) -> Response {
    let Some(invite) = url::query_param(query, "invite").filter(|i| Secret::Invite.fits(i)) else {
        let body = "<p>Open the sign-in link an owner of this page sent you. \
                    An owner makes one with <code>sitrep operator invite EMAIL --role ROLE</code>.</p>";
        return page(400, "Sign in", &format!("{body}{BACK}"), None);
    };
    let body = format!(
        "<p>This link signs you in once, in this browser.</p>\
         <form method=\"post\" action=\"/admin/sign-in\"><input type=\"hidden\" name=\"invite\" value=\"{invite}\">\
         <button type=\"submit\">Sign in</button></form>"
    );
    page(200, "Sign in", &body, None)
}

/// `POST /admin/sign-in`: spends the link for a session, kept in an `HttpOnly`, `SameSite=Strict`
/// cookie, and goes to `/admin/`.
async fn sign_in(req: &mut Request, env: &Env, origin: &str, secure: bool) -> Result<Response, EdgeError> {
    let (from, site) = (header(req, "origin"), header(req, "sec-fetch-site"));
    access::same_origin_write("POST", from.as_deref(), site.as_deref(), origin)
        .map_err(|why| EdgeError::Forbidden(why.message().into()))?;
    let client = client(req);
    let now = clock::now_ms();
    auth::may_try(&client, now)?;
    let user_agent = header(req, "user-agent").unwrap_or_default();
    let form = form(req).await?;
    let invite = url::query_param(&form, "invite").filter(|i| Secret::Invite.fits(i));
    let Some(invite) = invite else {
        return Err(EdgeError::BadRequest("the form carries no sign-in link".into()));
    };
    // A browser signing in again leaves no session of its own behind.
    if let Some(old) = header(req, "cookie").as_deref().and_then(|c| access::session_from_cookies(c, secure)) {
        accounts::sign_out(env, access::hash(old)).await?;
    }
    let (session, session_hash) = secrets::new_secret(Secret::Session)?;
    let session_id = secrets::public_id("ses_")?;
    let redeemed = accounts::redeem(env, access::hash(&invite), session_hash, session_id, user_agent).await;
    auth::counted(redeemed, &client, now, env).await?;
    let headers = Headers::new();
    let _ = headers.set("location", "/admin/");
    let _ = headers.set("set-cookie", &access::set_cookie(&session, secure));
    let _ = headers.set("cache-control", "no-store");
    let _ = headers.set("referrer-policy", "no-referrer");
    Ok(Response::builder().with_status(303).with_headers(headers).empty())
}

/// `POST /admin/sign-out`: ends the session and removes the cookie.
async fn sign_out(req: &Request, env: &Env, origin: &str, secure: bool) -> Result<Response, EdgeError> {
    let (from, site) = (header(req, "origin"), header(req, "sec-fetch-site"));
    access::same_origin_write("POST", from.as_deref(), site.as_deref(), origin)
        .map_err(|why| EdgeError::Forbidden(why.message().into()))?;
    let cookies = header(req, "cookie").unwrap_or_default();
    if let Some(session) = access::session_from_cookies(&cookies, secure) {
        accounts::sign_out(env, access::hash(session)).await?;
    }
    let body = "<p>This browser is signed out.</p><p><a href=\"/\">Current status</a></p>";
    Ok(page(200, "Signed out", body, Some(access::clear_cookie(secure))))
}

/// `/admin/` (and `/admin/settings/`, with the other module's `loader`): who is signed in, and the
/// way out.
async fn home(req: &Request, env: &Env, origin: &str, secure: bool, loader: &str) -> Result<Response, EdgeError> {
    let who = match browser(req, env, origin, secure, "GET").await {
        Ok(Some(who)) => who,
        Ok(None) => {
            let body = "<p>Not signed in. Follow the sign-in link an owner sent you.</p>";
            return Ok(page(401, "sitrep operators", &format!("{body}{BACK}"), None));
        }
        Err(EdgeError::SignedOut(why)) => {
            let body = format!("<p>{}</p>{BACK}", xml(&why));
            return Ok(page(401, "sitrep operators", &body, Some(access::clear_cookie(secure))));
        }
        Err(err) => return Err(err),
    };
    Ok(shell(&who.actor.label(), &access::roles_label(who.role, &who.pages), loader))
}

/// The console's document: who is signed in and the way out (server-rendered, so they hold
/// without script), and the Yew application's root, which its loader fills. Scripts and styles
/// only from this origin; WebAssembly compiled from them; requests only back to this origin.
fn shell(who: &str, role: &str, loader: &str) -> Response {
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"color-scheme\" content=\"light dark\"><meta name=\"robots\" content=\"noindex\">\
         <title>sitrep console</title><link rel=\"stylesheet\" href=\"/console/console.css\">\
         <script type=\"module\" src=\"{loader}\"></script></head><body>\
         <a class=\"skip\" href=\"#main\">Skip to the console</a>\
         <header class=\"bar\"><p>Signed in as <strong>{who}</strong>, {role}.</p>\
         <details><summary>Personal token for the CLI</summary>\
         <form method=\"post\" action=\"/admin/token\"><label for=\"token-name\">Token name</label> \
         <input id=\"token-name\" name=\"name\" required maxlength=\"100\" value=\"CLI\"> \
         <button type=\"submit\">Make a personal token</button></form></details>\
         <form method=\"post\" action=\"/admin/sign-out\"><button type=\"submit\">Sign out</button></form></header>\
         <div id=\"sitrep-console\"><main id=\"main\" class=\"console\"><p>Loading the console…</p>\
         <noscript><p>The console needs JavaScript and WebAssembly. The CLI does everything it does: \
         make a personal token above.</p></noscript></main></div></body></html>",
        who = xml(who),
        role = xml(role),
        loader = xml(loader)
    );
    let headers = Headers::new();
    let _ = headers.set("content-type", "text/html; charset=utf-8");
    let _ = headers.set("cache-control", "no-store");
    // Nothing secret in its URL: a referrer to this origin only, so its own posts carry Origin.
    let _ = headers.set("referrer-policy", "same-origin");
    let _ = headers.set("content-security-policy", CONSOLE_CSP);
    let _ = headers.set("x-content-type-options", "nosniff");
    Response::builder().with_status(200).with_headers(headers).fixed(html.into_bytes())
}

/// The console's policy: its own scripts, styles and WebAssembly; requests to this origin only.
const CONSOLE_CSP: &str = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
     connect-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The operator a browser request comes from, by Cloudflare Access or our session cookie (checked
/// as the write API checks them, a `POST` from this origin only); `None` when it carries neither.
async fn browser(
    req: &Request,
    env: &Env,
    origin: &str,
    secure: bool,
    method: &str,
) -> Result<Option<accounts::protocol::Authenticated>, EdgeError> {
    let (cookie, assertion) = (header(req, "cookie"), header(req, "cf-access-jwt-assertion"));
    let has_session = cookie.as_deref().and_then(|c| access::session_from_cookies(c, secure)).is_some();
    if !has_session && assertion.is_none() {
        return Ok(None);
    }
    let (from, site) = (header(req, "origin"), header(req, "sec-fetch-site"));
    let presented = auth::Presented {
        authorization: None,
        cookie: cookie.as_deref(),
        access: assertion.as_deref(),
        method,
        origin: from.as_deref(),
        fetch_site: site.as_deref(),
        own_origin: origin,
        secure,
        poll: false,
    };
    auth::identify(&presented, &client(req), clock::now_ms(), env).await.map(Some)
}

/// The signed-in operator behind a console form post from this origin.
async fn signed_in(
    req: &Request,
    env: &Env,
    origin: &str,
    secure: bool,
) -> Result<accounts::protocol::Authenticated, EdgeError> {
    browser(req, env, origin, secure, "POST")
        .await?
        .ok_or_else(|| EdgeError::SignedOut("not signed in: follow the sign-in link an owner sent you".into()))
}

/// `POST /admin/token`: makes a personal token for the signed-in operator and shows it, once.
async fn token(req: &mut Request, env: &Env, origin: &str, secure: bool) -> Result<Response, EdgeError> {
    let who = signed_in(req, env, origin, secure).await?;
    let needed = sitrep_shared::api::Endpoint::CreateToken.role();
    if who.role < needed {
        return Err(EdgeError::Forbidden(format!("personal tokens take the {} role", needed.as_str())));
    }
    let form = form(req).await?;
    let name = url::query_param(&form, "name").unwrap_or_default();
    let (token, hash) = secrets::new_secret(Secret::Token)?;
    let id = secrets::public_id("tok_")?;
    let body = serde_json::json!({ "name": name }).to_string();
    let op = sitrep_shared::api::Operation::new(sitrep_shared::api::Endpoint::CreateToken);
    let secret = Some(accounts::protocol::NewSecret { hash, id });
    accounts::admin(env, accounts::protocol::AccountCall { op, body, actor: who.actor, secret, reserved: vec![] })
        .await?;
    let body = format!(
        "<p>Your personal token, shown this once (it is stored only as a hash):</p><p><code>{token}</code></p>\
         <p>Use it with the CLI: <code>export SITREP_TOKEN=…</code>. Revoke it with \
         <code>DELETE /api/v2/admin/tokens/{{id}}</code>.</p><p><a href=\"/admin/\">Back</a></p>"
    );
    Ok(page(201, "Personal token", &body, None))
}
