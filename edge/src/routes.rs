//! Routing: paths to documents (pure, host-tested), and the adapters that answer each route.

use sitrep_shared::document::Document;
use sitrep_shared::views::StatusDocument;
use sitrep_shared::{ComponentId, Timestamp};
use sitrep_shared::{api, badge};
use worker::{Context, Env, Headers, Request, Response};

use crate::copy::Doc;
use crate::error::{self, EdgeError};
use crate::page::{self, Page};
use crate::read;
use crate::store::protocol::{AdminCall, Caller};
use crate::{audience, auth, cache, clock, hot, pages, store, url};

/// What a path names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route {
    /// A public read document.
    Read(Document),
    /// The badge, with an optional custom label.
    Badge,
    /// `/favicon.svg?status=…`: the pages' icon in a status's colour and shape.
    Favicon,
    /// A server-rendered page (the status page, an incident, the history) or the widget's first frame.
    Html(pages::Html),
    /// The write API: the path after `/api/v2/admin/`.
    Admin(String),
    /// Signing in and out in a browser (`/admin/...`).
    Console(crate::console::Console),
    /// A test-only switch or look inside (absent from production builds; see `switches`).
    #[cfg(feature = "fault-injection")]
    Test(crate::switches::Switch),
    /// Nothing.
    NotFound,
}

const READ_METHODS: &str = "GET, HEAD, OPTIONS";
/// The OpenAPI description of the write API, checked against the route table by a test.
const OPENAPI: &str = include_str!("../openapi.json");

/// The route a path names.
pub fn route(path: &str) -> Route {
    let doc = match path {
        "/api/v2/summary.json" => Document::Summary,
        "/api/v2/status.json" => Document::Status,
        "/api/v2/components.json" => Document::Components,
        "/api/v2/incidents.json" => Document::Incidents,
        "/api/v2/incidents/unresolved.json" => Document::Unresolved,
        "/api/v2/scheduled-maintenances.json" => Document::Maintenances,
        "/api/v2/scheduled-maintenances/upcoming.json" => Document::UpcomingMaintenances,
        "/api/v2/scheduled-maintenances/active.json" => Document::ActiveMaintenances,
        "/api/v2/postmortems.json" => Document::Postmortems,
        "/api/v2/uptime.json" => Document::Uptime,
        "/history.atom" => Document::Atom,
        "/history.rss" => Document::Rss,
        "/feed.json" => Document::JsonFeed,
        "/badge.svg" => return Route::Badge,
        "/favicon.svg" => return Route::Favicon,
        "/" => return Route::Html(pages::Html::Status),
        "/history" => return Route::Html(pages::Html::History),
        "/embed/frame" => return Route::Html(pages::Html::Frame),
        #[cfg(feature = "fault-injection")]
        other if other.starts_with("/__sitrep/") => {
            return crate::switches::Switch::of(other).map_or(Route::NotFound, Route::Test);
        }
        other if crate::console::Console::of(other).is_some() => {
            return crate::console::Console::of(other).map_or(Route::NotFound, Route::Console);
        }
        other if other.starts_with("/api/v2/admin/") => {
            return Route::Admin(other.trim_start_matches("/api/v2/admin/").to_owned());
        }
        other if other.starts_with("/incidents/") => {
            return match other.strip_prefix("/incidents/") {
                Some(id) if is_id(id) => Route::Html(pages::Html::Incident(id.to_owned())),
                _ => Route::NotFound,
            };
        }
        other => {
            let id = other.strip_prefix("/api/v2/incidents/").and_then(|rest| rest.strip_suffix(".json"));
            match id {
                Some(id) if is_id(id) => Document::Incident(id.into()),
                _ => return Route::NotFound,
            }
        }
    };
    Route::Read(doc)
}

fn is_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Answers a request; every failure becomes a JSON error response here. It takes the runtime's
/// request as it comes: a read asks it for its URL, method and `If-None-Match` only, and only the
/// write API and the test switches convert it into a `worker::Request`.
pub async fn handle(req: web_sys::Request, env: Env, ctx: Context) -> web_sys::Response {
    let full = req.url();
    let (origin, path, query) = url::split(&full);
    // Route on the raw method name: workers-rs reads any it does not know (QUERY, PROPFIND, ...) as GET.
    let raw = req.method();
    let read = |raw: &str| match raw {
        "GET" | "HEAD" => Ok(hot::Ask::of(&req, raw)),
        other => Err(not_allowed(other, READ_METHODS)),
    };
    // The page a read is for, from the URL the runtime routed (never a header): before any copy
    // of a page is looked at.
    let page_of = || page::of_url(&env, &full, clock::now_ms());
    let result: Result<web_sys::Response, EdgeError> = match route(path) {
        Route::Read(_) | Route::Badge | Route::Html(_) if raw == "OPTIONS" => Ok(preflight().into()),
        Route::Read(doc) => {
            async {
                let ask = read(&raw)?;
                let page = page_of().await?;
                audience::check(&req, &env, &page, query, origin).await?;
                serve(&ask, &env, &ctx, &page, &doc).await
            }
            .await
        }
        Route::Badge => {
            async {
                let ask = read(&raw)?;
                let page = page_of().await?;
                audience::check(&req, &env, &page, query, origin).await?;
                let label = url::query_param(query, "label");
                let components = url::query_param(query, "components").map(|c| badge::filter(&c));
                badge(&ask, &env, &ctx, &page, label, components.filter(|c| !c.is_empty())).await
            }
            .await
        }
        Route::Favicon => match read(&raw) {
            Ok(ask) => favicon(&ask, url::query_param(query, "status").as_deref().unwrap_or_default()),
            Err(err) => Err(err),
        },
        Route::Html(html) => {
            let frame = html == pages::Html::Frame;
            let page = match page_of().await {
                Ok(page) => page,
                Err(err) if frame => return error::response(&err, true).into(),
                Err(err) => return error::page(&err).into(),
            };
            let pass = match audience::check(&req, &env, &page, query, origin).await {
                Ok(pass) => pass,
                Err(err) if frame => return error::response(&err, true).into(),
                Err(err) => return error::page(&err).into(),
            };
            // A page opened with a reader link keeps it in its cookie and sends the browser on
            // without it: the link leaves the address bar, the history and what is shared from
            // them. (Feeds, documents and the widget's frame keep taking it in the URL.)
            // Only a top-level navigation: a page framed by another site may not keep the cookie.
            let navigation = req.headers().get("sec-fetch-dest").ok().flatten().is_none_or(|dest| dest == "document");
            if let audience::Pass::Reader(Some(cookie)) = &pass
                && !frame
                && raw == "GET"
                && navigation
            {
                return reader_redirect(&url::without_param(path, query, "reader"), cookie).into();
            }
            let at = pages::At { env: &env, ctx: &ctx, page: &page };
            let result = match read(&raw) {
                Ok(ask) => pages::serve(&req, &ask, &at, html, origin, query).await,
                Err(err) => Err(err),
            };
            // A person reads a page's refusal; the loader reads the frame's status only.
            return match result {
                Ok(response) => {
                    if let audience::Pass::Reader(Some(cookie)) = pass {
                        let _ = response.headers().append("set-cookie", &cookie);
                    }
                    response
                }
                Err(err) if frame => error::response(&err, true).into(),
                Err(EdgeError::UnknownIncident(_) | EdgeError::NotFound(_)) => {
                    pages::not_found(&req, &at, path).await.into()
                }
                Err(err) => error::page(&err).into(),
            };
        }
        Route::Admin(rest) => {
            let req = Request::from(req);
            return admin_result(admin_request(req, &env, &ctx, &full, origin, &rest, query).await).into();
        }
        Route::Console(console) => {
            return crate::console::answer(console, Request::from(req), &env, origin, query).await.into();
        }
        #[cfg(feature = "fault-injection")]
        Route::Test(switch) => return crate::switches::answer(switch, Request::from(req), &env, query).await.into(),
        // A browser asking for a page that is not there gets one in its language; programs
        // (the API, anything not asking for HTML) keep the JSON error.
        Route::NotFound if (raw == "GET" || raw == "HEAD") && wants_html(&req) && !path.starts_with("/api/") => {
            let page = match page_of().await {
                Ok(page) => page,
                Err(err) => return error::page(&err).into(),
            };
            if let Err(err) = audience::check(&req, &env, &page, query, origin).await {
                return error::page(&err).into();
            }
            return pages::not_found(&req, &pages::At { env: &env, ctx: &ctx, page: &page }, path).await.into();
        }
        Route::NotFound => Err(EdgeError::NotFound(path.to_owned())),
    };
    result.unwrap_or_else(|err| error::response(&err, true).into())
}

/// What a page's documents add to the common headers: nothing for a public page.
fn extra(page: &Page) -> hot::Extra {
    if page.private() { audience::PRIVATE } else { &[] }
}

/// Whether the client reads HTML (a browser navigating), by its `Accept` header.
fn wants_html(req: &web_sys::Request) -> bool {
    req.headers().get("accept").ok().flatten().is_some_and(|accept| accept.contains("text/html"))
}

fn admin_result(result: Result<Response, EdgeError>) -> Response {
    // Admin routes send no permissive CORS headers: browsers on other origins cannot call them.
    result.unwrap_or_else(|err| error::response(&err, false))
}

fn not_allowed(method: &str, allow: &str) -> EdgeError {
    EdgeError::MethodNotAllowed { method: method.to_owned(), allow: allow.to_owned() }
}

fn preflight() -> Response {
    let headers = Headers::new();
    let _ = headers.set("access-control-allow-origin", "*");
    let _ = headers.set("access-control-allow-methods", READ_METHODS);
    let _ = headers.set("access-control-allow-headers", "If-None-Match, Cache-Control");
    let _ = headers.set("access-control-max-age", "86400");
    Response::builder().with_status(204).with_headers(headers).empty()
}

async fn serve(
    ask: &hot::Ask,
    env: &Env,
    ctx: &Context,
    page: &Page,
    doc: &Document,
) -> Result<web_sys::Response, EdgeError> {
    let (found, stale) = read::fetch_doc(env, ctx, page, doc).await?;
    crate::faults::maybe_panic_on_read();
    hot::respond(ask, &found, stale, clock::now_ms(), extra(page))
}

async fn badge(
    ask: &hot::Ask,
    env: &Env,
    ctx: &Context,
    page: &Page,
    label: Option<String>,
    components: Option<Vec<ComponentId>>,
) -> Result<web_sys::Response, EdgeError> {
    if let Some(filter) = components {
        return component_badge(ask, env, ctx, page, label, &filter).await;
    }
    let label = label.filter(|l| l != "status");
    if label.is_none() {
        let (found, stale) = read::fetch_doc(env, ctx, page, &Document::Badge).await?;
        if !stale {
            return hot::respond(ask, &found, stale, clock::now_ms(), extra(page));
        }
        // The published badge cannot say it is a last good copy: draw one that does.
    }
    let (status, stale) = read::fetch_doc(env, ctx, page, &Document::Status).await?;
    let parsed: StatusDocument<'static> =
        serde_json::from_slice(&status.body).map_err(|e| EdgeError::Internal(e.to_string()))?;
    let svg = badge::svg(label.as_deref().unwrap_or("status"), &parsed.status, stale);
    hot::respond(ask, &badge_doc(svg, &status), stale, clock::now_ms(), extra(page))
}

/// The icon for the status the query names (a page links the one for its status; anything else is
/// the grey "unknown"). It depends on the query alone, so browsers keep it for a day.
fn favicon(ask: &hot::Ask, status: &str) -> Result<web_sys::Response, EdgeError> {
    let indicator = sitrep_shared::Indicator::from_wire(status);
    let icon = badge::favicon(indicator);
    let etag = cache::etag(icon.as_bytes());
    let headers = web_sys::Headers::new().map_err(crate::copy::js_error)?;
    for (name, value) in [
        ("content-type", "image/svg+xml"),
        ("cache-control", "public, max-age=86400"),
        ("etag", &etag),
        ("x-content-type-options", "nosniff"),
    ] {
        headers.set(name, value).map_err(crate::copy::js_error)?;
    }
    let init = web_sys::ResponseInit::new();
    init.set_headers(&headers);
    if ask.if_none_match.as_deref().is_some_and(|tag| cache::if_none_match(tag, &etag)) {
        init.set_status(304);
        return web_sys::Response::new_with_opt_str_and_init(None, &init).map_err(crate::copy::js_error);
    }
    let body = (!ask.head).then_some(icon);
    web_sys::Response::new_with_opt_str_and_init(body.as_deref(), &init).map_err(crate::copy::js_error)
}

/// A badge drawn from `from` (the status or the summary): its freshness and version, its own ETag.
fn badge_doc(svg: String, from: &Doc) -> Doc {
    Doc::derived(svg.into_bytes(), Document::Badge.content_type(), from)
}

/// `/badge.svg?components=…`: the status of those components (a group stands for its children),
/// labelled with the one component's name unless `label` says otherwise; from the summary, by the
/// widget's rules, so a filter naming nothing the page knows shows the whole page's status.
async fn component_badge(
    ask: &hot::Ask,
    env: &Env,
    ctx: &Context,
    page: &Page,
    label: Option<String>,
    filter: &[ComponentId],
) -> Result<web_sys::Response, EdgeError> {
    let (summary, stale) = read::fetch_doc(env, ctx, page, &Document::Summary).await?;
    let parsed = pages::parsed_summary(page, &summary)?;
    let now = Timestamp::from_unix_millis(clock::now_ms() as i64).unwrap_or(parsed.page.updated_at);
    let (name, status) = badge::scoped(&parsed, filter, now);
    let svg = badge::svg(label.as_deref().unwrap_or(&name), &status, stale);
    hot::respond(ask, &badge_doc(svg, &summary), stale, clock::now_ms(), extra(page))
}

/// The write API: checks the token, the media type and the size, then hands the request to the
/// store, the single writer, which applies it all or nothing.
async fn admin_request(
    mut req: Request,
    env: &Env,
    ctx: &Context,
    full: &str,
    origin: &str,
    rest: &str,
    query: &str,
) -> Result<Response, EdgeError> {
    let raw = req.inner().method();
    let op = api::route(&raw, rest).map_err(|miss| match miss {
        api::Miss::NotFound => EdgeError::NotFound(format!("/api/v2/admin/{rest}")),
        api::Miss::Method(allow) => not_allowed(&raw, &allow),
    })?;
    if op.endpoint == api::Endpoint::OpenApi {
        let headers = Headers::new();
        let _ = headers.set("content-type", "application/json; charset=utf-8");
        return Ok(Response::builder().with_headers(headers).fixed(OPENAPI.as_bytes().to_vec()));
    }
    let header = |name: &str| req.headers().get(name).ok().flatten();
    let languages = pages::accept_language(&header("accept-language").unwrap_or_default());
    // Cloudflare sets CF-Connecting-IP; locally every caller is one client.
    let client = header("cf-connecting-ip").unwrap_or_else(|| "local".to_owned());
    let (authorization, cookie, access) =
        (header("authorization"), header("cookie"), header("cf-access-jwt-assertion"));
    let (from, fetch_site) = (header("origin"), header("sec-fetch-site"));
    let presented = auth::Presented {
        authorization: authorization.as_deref(),
        cookie: cookie.as_deref(),
        access: access.as_deref(),
        method: &raw,
        origin: from.as_deref(),
        fetch_site: fetch_site.as_deref(),
        own_origin: origin,
        secure: origin.starts_with("https://"),
        // Only the console's "who is signed in" poll: any other read is a use like a write.
        poll: matches!(op.endpoint, api::Endpoint::Me | api::Endpoint::ReadDocument)
            && header("x-sitrep-poll").as_deref() == Some("1"),
    };
    let by_cookie = presented.authorization.is_none() && presented.access.is_none() && presented.cookie.is_some();
    let who = match auth::identify(&presented, &client, clock::now_ms(), env).await {
        Ok(who) => who,
        Err(err @ EdgeError::SignedOut(_)) if by_cookie => {
            // An ended session: the browser stops sending it.
            let mut response = error::response(&err, false);
            let _ = response.headers_mut().set("set-cookie", &sitrep_shared::access::clear_cookie(presented.secure));
            return Ok(response);
        }
        Err(err) => return Err(err),
    };
    let caller = Caller {
        client: auth::client_hash(&client, env),
        ray: header("cf-ray"),
        user_agent: header("user-agent").map(|ua| ua.chars().take(200).collect()),
        actor: Some(who.actor.clone()),
    };
    // The page a page's call is for: the one `Sitrep-Page` names, else the one of the host it came
    // to. Its role is the caller's on that page; an account call takes their deployment role.
    let named = header(api::PAGE_HEADER);
    let page = match op.endpoint {
        _ if op.endpoint.store() == api::Store::Accounts => None,
        // Polled: from this isolate's directory, not the account store.
        api::Endpoint::Me | api::Endpoint::ReadDocument => {
            Some(page::for_read(env, named.as_deref(), full, clock::now_ms()).await?)
        }
        _ => Some(page::for_write(env, named.as_deref(), full).await?),
    };
    let call_page = page.as_ref().map_or(sitrep_shared::host::DEFAULT_PAGE, |page| page.id());
    let role = op.endpoint.caller_role(who.role, &who.pages, call_page, &op.id);
    let on = match op.endpoint.role_page(call_page, &op.id) {
        // A deployment of one page, or an operator with one role everywhere, says no more than before.
        Some(sitrep_shared::host::DEFAULT_PAGE) if who.pages.is_empty() => String::new(),
        Some(page) => format!(" on page {page}"),
        None => String::new(),
    };
    let needed = op.endpoint.role();
    if role < needed {
        return Err(EdgeError::Forbidden(format!(
            "{} has the {} role{on}: \"{}\" takes the {} role or more",
            who.actor.label(),
            role.as_str(),
            op.endpoint.spec().summary,
            needed.as_str()
        )));
    }
    match (op.endpoint, &page) {
        (api::Endpoint::Me, Some(page)) => {
            let me = api::Me { page: page.id().to_owned(), actor: who.actor, role: who.role, pages: who.pages };
            return Ok(json_response(200, &serde_json::to_value(&me).unwrap_or_default()));
        }
        (api::Endpoint::ReadDocument, Some(page)) => return admin_document(env, ctx, page, &op).await,
        _ => {}
    }
    let if_match = header("if-match");
    let idempotency_key = header("idempotency-key").filter(|_| raw == "POST");
    let body = if op.endpoint.takes_body() {
        let content_type = header("content-type").unwrap_or_default();
        if !content_type.trim_start().to_ascii_lowercase().starts_with("application/json") {
            return Err(EdgeError::UnsupportedMediaType);
        }
        let limit = op.endpoint.max_body();
        if header("content-length").and_then(|l| l.parse::<usize>().ok()).is_some_and(|len| len > limit) {
            return Err(EdgeError::PayloadTooLarge(limit));
        }
        let body = req.bytes().await?;
        if body.len() > limit {
            return Err(EdgeError::PayloadTooLarge(limit));
        }
        String::from_utf8(body).map_err(|_| EdgeError::BadRequest("the body is not UTF-8".into()))?
    } else {
        String::new()
    };
    let Some(page) = page else {
        return account_request(env, op, body, caller, full, origin).await;
    };
    let limit = url::query_param(query, "limit").and_then(|l| l.parse::<usize>().ok());
    let writes = op.endpoint.writes();
    // The form replies were stored with since the write API began: a retry across a deploy still matches.
    let fingerprint = format!("{raw} {rest} {}", cache::etag(body.as_bytes()));
    let call = AdminCall { op, body, if_match, idempotency_key, limit, fingerprint, caller };
    let preview = call.op.endpoint == api::Endpoint::PreviewPostmortem;
    let reply = store::admin(env, &page, call).await?;
    if preview {
        return pages::preview(&reply.body, &languages).await;
    }
    if writes {
        // Replays too: a retried write reads its own result as well.
        read::wrote(&page, reply.version);
    }
    let headers = Headers::new();
    let _ = headers.set("content-type", "application/json; charset=utf-8");
    let _ = headers.set("x-sitrep-version", &reply.version.to_string());
    let _ = headers.set("cache-control", "no-store");
    if reply.replay {
        let _ = headers.set("idempotent-replay", "true");
    }
    Ok(Response::builder().with_status(reply.status).with_headers(headers).fixed(reply.body.into_bytes()))
}

/// `GET documents/{id}`: one of the three documents the console reads, of the page the call is for,
/// as readers read it (whatever the page's audience: the caller is an operator).
async fn admin_document(env: &Env, ctx: &Context, page: &Page, op: &api::Operation) -> Result<Response, EdgeError> {
    let doc = match op.id.as_str() {
        "summary" => Document::Summary,
        "incidents" => Document::Incidents,
        "scheduled-maintenances" => Document::Maintenances,
        _ => {
            return Err(EdgeError::NotFound("documents are summary, incidents and scheduled-maintenances".into()));
        }
    };
    let (found, _stale) = read::fetch_doc(env, ctx, page, &doc).await?;
    let headers = Headers::new();
    let _ = headers.set("content-type", &found.content_type);
    let _ = headers.set("x-sitrep-version", &found.version.to_string());
    let _ = headers.set("cache-control", "no-store");
    Ok(Response::builder().with_headers(headers).fixed(found.body.clone()))
}

/// `303 See Other` to `location` on this host, setting the reader's `cookie`; never stored.
fn reader_redirect(location: &str, cookie: &str) -> Response {
    let headers = Headers::new();
    let _ = headers.set("location", location);
    let _ = headers.set("set-cookie", cookie);
    let _ = headers.set("cache-control", "no-store");
    let _ = headers.set("referrer-policy", "no-referrer");
    let _ = headers.set("x-robots-tag", "noindex");
    Response::builder().with_status(303).with_headers(headers).empty()
}

/// A JSON answer of the write API (never stored by a cache).
fn json_response(status: u16, body: &serde_json::Value) -> Response {
    let headers = Headers::new();
    let _ = headers.set("content-type", "application/json; charset=utf-8");
    let _ = headers.set("cache-control", "no-store");
    Response::builder().with_status(status).with_headers(headers).fixed(body.to_string().into_bytes())
}

/// An account call (operators, sessions, tokens): the secrets a call needs are made here, stored
/// by the account store as hashes, and shown in this answer only.
async fn account_request(
    env: &Env,
    op: api::Operation,
    body: String,
    caller: Caller,
    full: &str,
    origin: &str,
) -> Result<Response, EdgeError> {
    let actor = caller.actor.clone().ok_or_else(|| EdgeError::Internal("an account call without its caller".into()))?;
    use sitrep_shared::access::Secret;
    let endpoint = op.endpoint;
    let made = match endpoint {
        api::Endpoint::InviteOperator => Some((crate::secrets::new_secret(Secret::Invite)?, String::new())),
        api::Endpoint::CreateToken => {
            Some((crate::secrets::new_secret(Secret::Token)?, crate::secrets::public_id("tok_")?))
        }
        _ => None,
    };
    let secret = made
        .as_ref()
        .map(|((_, hash), id)| crate::accounts::protocol::NewSecret { hash: hash.clone(), id: id.clone() });
    let reserved =
        if endpoint == api::Endpoint::AddPage { crate::directory::reserved(env, full).await } else { vec![] };
    // A reader link's lifetime is read before the account store is asked.
    let days =
        if endpoint == api::Endpoint::CreateReaderLink { Some(crate::directory::link_days(&body)?) } else { None };
    let call = crate::accounts::protocol::AccountCall { op, body, actor, secret, reserved };
    let mut reply = crate::accounts::admin(env, call).await?;
    if matches!(endpoint, api::Endpoint::AddPage | api::Endpoint::RemovePage) && reply.status < 300 {
        crate::directory::changed(env, &mut reply.body, endpoint == api::Endpoint::AddPage, caller, origin).await?;
    }
    if let Some(days) = days {
        reply.status = crate::directory::reader_link(env, &mut reply.body, days, origin)?;
    }
    // Done once the account store answered: this isolate's copy is only the sooner for it.
    if matches!(endpoint, api::Endpoint::RevokeReaderLinks | api::Endpoint::SetPageReaders)
        && reply.status < 300
        && let Err(err) = page::refresh(env, clock::now_ms()).await
    {
        worker::console_warn!("the change is stored; this isolate's directory was not refreshed: {err}");
    }
    if let Some(((text, _), _)) = made {
        match endpoint {
            api::Endpoint::InviteOperator => {
                reply.body["link"] = format!("{origin}/admin/sign-in?invite={text}").into();
            }
            _ => reply.body["secret"] = text.into(),
        }
    }
    Ok(json_response(reply.status, &reply.body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_name_documents() {
        assert_eq!(route("/api/v2/summary.json"), Route::Read(Document::Summary));
        assert_eq!(route("/api/v2/incidents/unresolved.json"), Route::Read(Document::Unresolved));
        assert_eq!(route("/api/v2/incidents/abc-123.json"), Route::Read(Document::Incident("abc-123".into())));
        assert_eq!(route("/api/v2/incidents/../x.json"), Route::NotFound);
        assert_eq!(route("/api/v2/incidents/.json"), Route::NotFound);
        assert_eq!(route("/api/v2/summary"), Route::NotFound);
        assert_eq!(route("/badge.svg"), Route::Badge);
        assert_eq!(route("/favicon.svg"), Route::Favicon);
        assert_eq!(route("/feed.json"), Route::Read(Document::JsonFeed));
        assert_eq!(route("/"), Route::Html(pages::Html::Status));
        assert_eq!(route("/history"), Route::Html(pages::Html::History));
        assert_eq!(
            route("/incidents/stream-2020-12-09"),
            Route::Html(pages::Html::Incident("stream-2020-12-09".into()))
        );
        assert_eq!(route("/incidents/../x"), Route::NotFound);
        assert_eq!(route("/incidents/"), Route::NotFound);
        assert_eq!(route("/embed/frame"), Route::Html(pages::Html::Frame));
        assert_eq!(route("/index.html"), Route::NotFound);
    }

    #[cfg(not(feature = "fault-injection"))]
    #[test]
    fn production_builds_have_no_fault_switch() {
        assert_eq!(route("/__sitrep/fault"), Route::NotFound);
        assert_eq!(route("/__sitrep/keys"), Route::NotFound);
        assert_eq!(route("/__sitrep/stats"), Route::NotFound);
        assert_eq!(route("/__sitrep/kv"), Route::NotFound);
        assert_eq!(route("/__sitrep/outbox"), Route::NotFound);
        assert_eq!(route("/__sitrep/give-up"), Route::NotFound);
    }
}
