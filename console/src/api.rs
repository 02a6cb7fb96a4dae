//! The console's only way to the edge: the read API for what readers see, and the write API under
//! `/api/v2/admin/` (paths from `sitrep_shared::api`, the table the CLI and the edge use) for
//! everything else. The session cookie goes with every request (same origin); the edge checks each
//! write's origin and the operator's role, so nothing here is a permission check.

use gloo_net::http::{Method, RequestBuilder, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use sitrep_shared::api::{self, Operation};
use sitrep_shared::command::ErrorReply;
use sitrep_shared::problem::Problem;
use web_sys::RequestCache;

/// Why a request came to nothing.
#[derive(Clone, Debug, PartialEq)]
pub enum Failure {
    /// Not signed in, or the session ended: the console shows the way back in.
    SignedOut(String),
    /// The edge refused: its sentence, and its problems by field.
    Refused { status: u16, message: String, problems: Vec<Problem> },
    /// No usable answer (offline, the edge down, an answer that is not what was asked).
    Unreachable(String),
}

impl Failure {
    /// One sentence for the operator.
    pub fn message(&self) -> String {
        match self {
            Self::SignedOut(why) | Self::Unreachable(why) => why.clone(),
            Self::Refused { message, problems, .. } if problems.is_empty() => message.clone(),
            Self::Refused { message, problems, .. } => {
                let details: Vec<String> = problems.iter().map(|p| format!("{}: {}", p.path, p.message)).collect();
                format!("{message} ({})", details.join("; "))
            }
        }
    }

    /// The problems the edge named for fields, if any.
    pub fn problems(&self) -> &[Problem] {
        match self {
            Self::Refused { problems, .. } => problems,
            _ => &[],
        }
    }
}

/// An answer whose content the console does not need (an account or subscription change): any
/// JSON object. Typed rather than `serde_json::Value`, whose reader would add kilobytes to the wasm.
#[derive(Clone, Copy, Debug, PartialEq, serde::Deserialize)]
pub struct Done {}

/// A read answer and the page version it was read at (`X-Sitrep-Version`).
#[derive(Debug)]
pub struct Read<T> {
    pub value: T,
    pub version: Option<u64>,
}

fn method(m: api::Method) -> Method {
    match m {
        api::Method::Get => Method::GET,
        api::Method::Post => Method::POST,
        api::Method::Put => Method::PUT,
        api::Method::Patch => Method::PATCH,
        api::Method::Delete => Method::DELETE,
    }
}

/// `GET path` of the read API, never from the browser's cache.
pub async fn read<T: DeserializeOwned>(path: &str) -> Result<Read<T>, Failure> {
    let request = RequestBuilder::new(path).cache(RequestCache::NoStore).build();
    let response = request.map_err(unreachable)?.send().await.map_err(unreachable)?;
    answer(response).await
}

/// What goes with a call besides its body.
#[derive(Clone, Debug, Default)]
pub struct Extra {
    /// The page version the operator started from (`If-Match`).
    pub if_match: Option<u64>,
    /// Makes a create safe to retry (`Idempotency-Key`): the edge answers a repeat with the first reply.
    pub idempotency_key: Option<String>,
    /// A background poll (`X-Sitrep-Poll: 1`), which does not keep a session alive.
    pub poll: bool,
}

/// One operation of the write API: `body` as JSON, `if_match` the page version the operator saw.
pub async fn call<T: DeserializeOwned>(
    op: &Operation,
    body: Option<&impl Serialize>,
    if_match: Option<u64>,
) -> Result<T, Failure> {
    request(op, body, Extra { if_match, ..Extra::default() }).await.map(|read| read.value)
}

/// [`call`] with everything that may go with it, and the page version the answer names.
pub async fn request<T: DeserializeOwned>(
    op: &Operation,
    body: Option<&impl Serialize>,
    extra: Extra,
) -> Result<Read<T>, Failure> {
    let spec = op.endpoint.spec();
    let mut request = RequestBuilder::new(&format!("/api/v2/admin/{}", op.path()))
        .method(method(spec.method))
        .cache(RequestCache::NoStore);
    if let Some(version) = extra.if_match {
        request = request.header("if-match", &version.to_string());
    }
    if let Some(key) = &extra.idempotency_key {
        request = request.header("idempotency-key", key);
    }
    if extra.poll {
        request = request.header("x-sitrep-poll", "1");
    }
    let request = match body {
        Some(body) => {
            let json = serde_json::to_string(body).map_err(|e| Failure::Unreachable(e.to_string()))?;
            request.header("content-type", "application/json").body(json)
        }
        None => request.build(),
    };
    let response = request.map_err(unreachable)?.send().await.map_err(unreachable)?;
    answer(response).await
}

/// A fresh idempotency key for one form's create (kept for its retries, replaced after success).
pub fn idempotency_key() -> String {
    let random = (js_sys::Math::random() * 1e15) as u64;
    format!("console-{:x}-{random:x}", js_sys::Date::now() as u64)
}

fn unreachable(err: gloo_net::Error) -> Failure {
    Failure::Unreachable(format!("the edge did not answer: {err}"))
}

async fn answer<T: DeserializeOwned>(response: Response) -> Result<Read<T>, Failure> {
    let status = response.status();
    let version = response.headers().get("x-sitrep-version").and_then(|v| v.parse().ok());
    let text = response.text().await.map_err(unreachable)?;
    if (200..300).contains(&status) {
        let value = serde_json::from_str(&text)
            .map_err(|e| Failure::Unreachable(format!("the edge's answer could not be read: {e}")))?;
        return Ok(Read { value, version });
    }
    let (message, problems) = match serde_json::from_str::<ErrorReply>(&text) {
        Ok(reply) => (reply.error.message, reply.error.problems),
        Err(_) => (format!("the edge answered {status}"), Vec::new()),
    };
    if status == 401 {
        return Err(Failure::SignedOut(message));
    }
    Err(Failure::Refused { status, message, problems })
}
