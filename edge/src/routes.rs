//! Routing: paths to documents (pure, host-tested), and the adapters that answer each route.

use sitrep_shared::badge;
use sitrep_shared::document::Document;
use sitrep_shared::views::StatusDocument;
use worker::{Context, Env, Headers, Method, Request, Response};

use crate::error::{self, EdgeError};
use crate::read::{self, Doc};
use crate::{auth, cache, store, url};

/// What a path names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route {
    /// A public read document.
    Read(Document),
    /// The badge, with an optional custom label.
    Badge,
    /// Replace the whole page (import); admin.
    AdminPage,
    /// The test-only fault switch (absent from production builds).
    #[cfg(feature = "fault-injection")]
    Fault,
    /// Nothing.
    NotFound,
}

const READ_METHODS: &str = "GET, HEAD, OPTIONS";
const ADMIN_PAGE_METHODS: &str = "PUT";
/// Largest page import accepted (a whole page; single writes in issue 4 take 64 KiB).
pub const MAX_IMPORT_BYTES: usize = 4 * 1024 * 1024;

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
        "/history.atom" => Document::Atom,
        "/history.rss" => Document::Rss,
        "/feed.json" => Document::JsonFeed,
        "/badge.svg" => return Route::Badge,
        "/api/v2/admin/page" => return Route::AdminPage,
        #[cfg(feature = "fault-injection")]
        "/__sitrep/fault" => return Route::Fault,
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

/// Answers a request; every failure becomes a JSON error response here.
pub async fn handle(req: Request, env: Env, ctx: Context) -> Response {
    let full = req.inner().url();
    let (base, path, query) = url::split(&full);
    let base = base.to_owned();
    let method = req.method();
    let result = match route(path) {
        Route::Read(doc) => match method {
            Method::Get | Method::Head => serve(&req, &env, &ctx, &doc, &base).await,
            Method::Options => Ok(preflight()),
            other => Err(not_allowed(other, READ_METHODS)),
        },
        Route::Badge => match method {
            Method::Get | Method::Head => {
                let label = url::query_param(query, "label");
                badge(&req, &env, &ctx, label, &base).await
            }
            Method::Options => Ok(preflight()),
            other => Err(not_allowed(other, READ_METHODS)),
        },
        Route::AdminPage => match method {
            Method::Put => return admin_result(import(req, &env, &base).await),
            other => return admin_result(Err(not_allowed(other, ADMIN_PAGE_METHODS))),
        },
        #[cfg(feature = "fault-injection")]
        Route::Fault => return read::fault_switch(req).await,
        Route::NotFound => Err(EdgeError::NotFound(path.to_owned())),
    };
    result.unwrap_or_else(|err| error::response(&err, true))
}

fn admin_result(result: Result<Response, EdgeError>) -> Response {
    // Admin routes send no permissive CORS headers: browsers on other origins cannot call them.
    result.unwrap_or_else(|err| error::response(&err, false))
}

fn not_allowed(method: Method, allow: &'static str) -> EdgeError {
    EdgeError::MethodNotAllowed { method: method.to_string(), allow }
}

fn preflight() -> Response {
    let headers = Headers::new();
    let _ = headers.set("access-control-allow-origin", "*");
    let _ = headers.set("access-control-allow-methods", READ_METHODS);
    let _ = headers.set("access-control-allow-headers", "If-None-Match, Cache-Control");
    let _ = headers.set("access-control-max-age", "86400");
    Response::builder().with_status(204).with_headers(headers).empty()
}

async fn serve(req: &Request, env: &Env, ctx: &Context, doc: &Document, base: &str) -> Result<Response, EdgeError> {
    let (found, stale) = read::fetch_doc(env, ctx, doc, base).await?;
    Ok(respond(req, &found, stale))
}

async fn badge(
    req: &Request,
    env: &Env,
    ctx: &Context,
    label: Option<String>,
    base: &str,
) -> Result<Response, EdgeError> {
    let Some(label) = label.filter(|l| l != "status") else {
        return serve(req, env, ctx, &Document::Badge, base).await;
    };
    let (status, stale) = read::fetch_doc(env, ctx, &Document::Status, base).await?;
    let parsed: StatusDocument<'static> =
        serde_json::from_slice(&status.body).map_err(|e| EdgeError::Internal(e.to_string()))?;
    let body = badge::svg(&label, &parsed.status).into_bytes();
    let doc = Doc {
        etag: cache::etag(&body),
        body,
        content_type: Document::Badge.content_type().to_owned(),
        valid_until: status.valid_until,
        version: status.version,
    };
    Ok(respond(req, &doc, stale))
}

/// The response for a document: 304 when the client has it, the body otherwise (none for HEAD).
fn respond(req: &Request, doc: &Doc, stale: bool) -> Response {
    let now = read::now_ms();
    let headers = Headers::new();
    let _ = headers.set("etag", &doc.etag);
    let _ = headers.set("cache-control", &cache::cache_control(&doc.content_type, now, doc.valid_until, stale));
    let _ = headers.set("access-control-allow-origin", "*");
    let _ = headers.set("access-control-expose-headers", "ETag, X-Sitrep-Stale, X-Sitrep-Version");
    let _ = headers.set("x-sitrep-version", &doc.version.to_string());
    let _ = headers.set("x-content-type-options", "nosniff");
    if stale {
        let _ = headers.set("x-sitrep-stale", "1");
    }
    let not_modified =
        req.headers().get("if-none-match").ok().flatten().is_some_and(|tag| cache::if_none_match(&tag, &doc.etag));
    if not_modified {
        return Response::builder().with_status(304).with_headers(headers).empty();
    }
    let _ = headers.set("content-type", &doc.content_type);
    if req.method() == Method::Head {
        let _ = headers.set("content-length", &doc.body.len().to_string());
        return Response::builder().with_status(200).with_headers(headers).empty();
    }
    Response::builder().with_status(200).with_headers(headers).fixed(doc.body.clone())
}

/// `PUT /api/v2/admin/page`: replaces the whole page with a validated one.
async fn import(mut req: Request, env: &Env, base: &str) -> Result<Response, EdgeError> {
    auth::check(req.headers().get("authorization").ok().flatten().as_deref(), env)?;
    let content_type = req.headers().get("content-type").ok().flatten().unwrap_or_default();
    if !content_type.trim_start().starts_with("application/json") {
        return Err(EdgeError::UnsupportedMediaType);
    }
    let declared = req.headers().get("content-length").ok().flatten().and_then(|l| l.parse::<usize>().ok());
    if declared.is_some_and(|len| len > MAX_IMPORT_BYTES) {
        return Err(EdgeError::PayloadTooLarge(MAX_IMPORT_BYTES));
    }
    let body = req.bytes().await?;
    if body.len() > MAX_IMPORT_BYTES {
        return Err(EdgeError::PayloadTooLarge(MAX_IMPORT_BYTES));
    }
    let answer = store::replace_page(env, body, base).await?;
    read::forget_all();
    let headers = Headers::new();
    let _ = headers.set("content-type", "application/json; charset=utf-8");
    let _ = headers.set("cache-control", "no-store");
    Ok(Response::builder().with_status(200).with_headers(headers).fixed(answer))
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
        assert_eq!(route("/feed.json"), Route::Read(Document::JsonFeed));
    }

    #[cfg(not(feature = "fault-injection"))]
    #[test]
    fn production_builds_have_no_fault_switch() {
        assert_eq!(route("/__sitrep/fault"), Route::NotFound);
    }
}
