//! The edge's one error type, mapped to HTTP in one place: `{"error": {"code", "message"}}`.
//! It is also the store's error type on the seam between the Worker and the Durable Object
//! (serde, see `store::protocol`): a refusal crosses it as itself, never rebuilt from a string.

use serde::{Deserialize, Serialize};
use sitrep_shared::Problem;
use worker::{Headers, Response};

/// Everything that can go wrong while answering a request.
#[derive(Debug, thiserror::Error, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EdgeError {
    /// No route for the path.
    #[error("no such path: {0}")]
    NotFound(String),
    /// The incident id names nothing.
    #[error("no incident or maintenance with id {0:?}")]
    UnknownIncident(String),
    /// The route exists, the method does not.
    #[error("method {method} is not allowed here; allowed: {allow}")]
    MethodNotAllowed { method: String, allow: String },
    /// The store failed and no copy of the document is kept here.
    #[error("the status store is unreachable and no copy of this document is kept here")]
    Unavailable,
    /// Nothing was ever loaded into the store.
    #[error("no status page has been loaded yet")]
    NotLoaded,
    /// Missing or wrong admin token.
    #[error("a valid admin token is required (Authorization: Bearer ...)")]
    Unauthorized,
    /// A credential that is known but may not do this (a role too low, a write from another site).
    #[error("{0}")]
    Forbidden(String),
    /// A private page read without a credential that lets its bearer read it: why, for the reader.
    #[error("this page is private: {0}")]
    PrivatePage(String),
    /// A sign-in secret (link, session, personal token) that is unknown, used, expired or revoked.
    #[error("{0}")]
    SignedOut(String),
    /// The deployment's admin token is too short to be safe: the write API stays off.
    #[error("the write API is off: SITREP_ADMIN_TOKEN must be at least {0} characters (set a longer secret)")]
    WeakToken(usize),
    /// Too many failed tokens from this client; retry after the given seconds.
    #[error("too many failed attempts; try again in {0} s")]
    TooManyAttempts(u64),
    /// The body is not what the route takes.
    #[error("{0}")]
    BadRequest(String),
    /// Wrong Content-Type.
    #[error("send the body as application/json")]
    UnsupportedMediaType,
    /// The request conflicts with the page's state (stale If-Match, reused Idempotency-Key, no page yet).
    #[error("{0}")]
    Conflict(String),
    /// An id in the path names nothing.
    #[error("{0}")]
    Missing(String),
    /// Body over the limit.
    #[error("the body is larger than {0} bytes")]
    PayloadTooLarge(usize),
    /// The input breaks the model's rules; every problem is listed.
    #[error("the input breaks {} rule(s); nothing was changed", .0.len())]
    Invalid(Vec<Problem>),
    /// A bug or a platform failure.
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<worker::Error> for EdgeError {
    fn from(err: worker::Error) -> Self {
        Self::Internal(err.to_string())
    }
}

impl From<worker::kv::KvError> for EdgeError {
    fn from(err: worker::kv::KvError) -> Self {
        Self::Internal(err.to_string())
    }
}

impl EdgeError {
    /// HTTP status.
    pub fn status(&self) -> u16 {
        match self {
            Self::NotFound(_) | Self::UnknownIncident(_) | Self::Missing(_) => 404,
            Self::Conflict(_) => 409,
            Self::MethodNotAllowed { .. } => 405,
            Self::Unavailable | Self::NotLoaded | Self::WeakToken(_) => 503,
            Self::Unauthorized | Self::SignedOut(_) | Self::PrivatePage(_) => 401,
            Self::Forbidden(_) => 403,
            Self::TooManyAttempts(_) => 429,
            Self::BadRequest(_) => 400,
            Self::UnsupportedMediaType => 415,
            Self::PayloadTooLarge(_) => 413,
            Self::Invalid(_) => 422,
            Self::Internal(_) => 500,
        }
    }

    /// Machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotFound(_) => "not_found",
            Self::UnknownIncident(_) => "unknown_incident",
            Self::Missing(_) => "unknown_id",
            Self::Conflict(_) => "conflict",
            Self::MethodNotAllowed { .. } => "method_not_allowed",
            Self::Unavailable => "store_unavailable",
            Self::NotLoaded => "page_not_loaded",
            Self::Unauthorized => "unauthorized",
            Self::SignedOut(_) => "signed_out",
            Self::PrivatePage(_) => "private_page",
            Self::Forbidden(_) => "forbidden",
            Self::WeakToken(_) => "weak_admin_token",
            Self::TooManyAttempts(_) => "too_many_attempts",
            Self::BadRequest(_) => "bad_request",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::PayloadTooLarge(_) => "payload_too_large",
            Self::Invalid(_) => "invalid",
            Self::Internal(_) => "internal",
        }
    }
}

#[derive(Serialize)]
struct Body<'a> {
    error: Inner<'a>,
}

#[derive(Serialize)]
struct Inner<'a> {
    code: &'static str,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    problems: Option<&'a [Problem]>,
}

/// The error as a small HTML page, for routes a person reads (the status page, an incident's page).
pub fn page(err: &EdgeError) -> Response {
    let escaped = sitrep_shared::feed::xml(&err.to_string());
    let body = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{code}</title></head><body><main><h1>{code}</h1><p>{escaped}</p><p><a href=\"/\">Current status</a></p></main></body></html>",
        code = err.status()
    );
    let json = response(err, false);
    let headers = json.headers().clone();
    let _ = headers.set("content-type", "text/html; charset=utf-8");
    let _ = headers.set("content-security-policy", "default-src 'none'");
    Response::builder().with_status(err.status()).with_headers(headers).fixed(body.into_bytes())
}

/// The JSON error response; `public` adds the permissive CORS header of public reads.
pub fn response(err: &EdgeError, public: bool) -> Response {
    let problems = match err {
        EdgeError::Invalid(problems) => Some(problems.as_slice()),
        _ => None,
    };
    let body = Body { error: Inner { code: err.code(), message: err.to_string(), problems } };
    let json = serde_json::to_vec(&body).unwrap_or_else(|_| b"{\"error\":{\"code\":\"internal\"}}".to_vec());
    let headers = Headers::new();
    let _ = headers.set("content-type", "application/json; charset=utf-8");
    let _ = headers.set("cache-control", "no-store");
    let _ = headers.set("x-content-type-options", "nosniff");
    if public {
        let _ = headers.set("access-control-allow-origin", "*");
    }
    match err {
        EdgeError::MethodNotAllowed { allow, .. } => {
            let _ = headers.set("allow", allow);
        }
        EdgeError::Unavailable | EdgeError::NotLoaded => {
            let _ = headers.set("retry-after", "30");
        }
        EdgeError::Unauthorized => {
            let _ = headers.set("www-authenticate", "Bearer realm=\"sitrep admin\"");
        }
        EdgeError::TooManyAttempts(seconds) => {
            let _ = headers.set("retry-after", &seconds.to_string());
        }
        _ => {}
    }
    Response::builder().with_status(err.status()).with_headers(headers).fixed(json)
}
