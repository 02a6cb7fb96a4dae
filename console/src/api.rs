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

thread_local! {
    /// The page the console works on when it is not this host's: `?page=ID` in its address, read
    /// once (choosing another loads the console again). Every call names it (`Sitrep-Page`), and
    /// its documents come through the write API, since the read API answers this host's page.
    static CHOSEN: Option<String> = chosen_in_address();
}

/// An address that names no page keeps what it named (its printable ASCII, 80 characters at most),
/// so the edge says there is no such page instead of the console quietly working on another.
fn chosen_in_address() -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    let query = search.trim_start_matches('?');
    let id = query.split('&').find_map(|pair| pair.strip_prefix("page="))?;
    Some(id.chars().filter(char::is_ascii_graphic).take(80).collect())
}

/// The page chosen in the console's address (`None`: this host's).
pub fn chosen() -> Option<String> {
    CHOSEN.with(Clone::clone)
}

/// A document the console reads as readers do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Document {
    Summary,
    Incidents,
    Maintenances,
}

impl Document {
    /// Its path in the read API (this host's page), or in the write API (a chosen page's).
    fn path(self, chosen: bool) -> &'static str {
        match (self, chosen) {
            (Self::Summary, false) => "/api/v2/summary.json",
            (Self::Incidents, false) => "/api/v2/incidents.json",
            (Self::Maintenances, false) => "/api/v2/scheduled-maintenances.json",
            (Self::Summary, true) => "/api/v2/admin/documents/summary",
            (Self::Incidents, true) => "/api/v2/admin/documents/incidents",
            (Self::Maintenances, true) => "/api/v2/admin/documents/scheduled-maintenances",
        }
    }
}

/// A document of the page the console works on: a background read (`X-Sitrep-Poll`), which does
/// not keep the session alive when it goes through the write API.
pub async fn read_document<T: DeserializeOwned>(document: Document) -> Result<Read<T>, Failure> {
    let read = read_text(document.path(chosen().is_some()), true).await?;
    Ok(Read { value: parse(&read.value)?, version: read.version })
}

/// `GET path` of the read API, never from the browser's cache.
pub async fn read<T: DeserializeOwned>(path: &str) -> Result<Read<T>, Failure> {
    let read = read_text(path, false).await?;
    Ok(Read { value: parse(&read.value)?, version: read.version })
}

/// [`read`]'s answer as text. Each typed call is a thin generic shell around one of these
/// untyped ones: the request, its failures and its answer are compiled once, not once per type
/// (about 20 KB of the console's wasm when every call had its own copy).
async fn read_text(path: &str, poll: bool) -> Result<Read<String>, Failure> {
    let mut request = RequestBuilder::new(path).cache(RequestCache::NoStore);
    if poll {
        request = request.header("x-sitrep-poll", "1");
    }
    if let Some(page) = chosen() {
        request = request.header(api::PAGE_HEADER, &page);
    }
    let request = request.build();
    let response = request.map_err(unreachable)?.send().await.map_err(unreachable)?;
    answer(response).await
}

/// An answer's JSON as `T`.
pub fn parse<T: DeserializeOwned>(text: &str) -> Result<T, Failure> {
    serde_json::from_str(text).map_err(|e| Failure::Unreachable(format!("the edge's answer could not be read: {e}")))
}

/// A request body as JSON.
pub fn to_json(body: &impl Serialize) -> Result<String, Failure> {
    serde_json::to_string(body).map_err(|e| Failure::Unreachable(e.to_string()))
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

/// One operation of the write API: `body` as JSON, with what goes with it; the answer as `T`, and
/// the page version it names.
pub async fn request<T: DeserializeOwned>(
    op: &Operation,
    body: Option<&impl Serialize>,
    extra: Extra,
) -> Result<Read<T>, Failure> {
    let body = body.map(to_json).transpose()?;
    let read = request_text(op, body, extra).await?;
    Ok(Read { value: parse(&read.value)?, version: read.version })
}

/// [`request`] with its body already JSON, and its answer as text.
pub async fn request_text(op: &Operation, body: Option<String>, extra: Extra) -> Result<Read<String>, Failure> {
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
    if let Some(page) = chosen() {
        request = request.header(api::PAGE_HEADER, &page);
    }
    let request = match body {
        Some(json) => request.header("content-type", "application/json").body(json),
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

async fn answer(response: Response) -> Result<Read<String>, Failure> {
    let status = response.status();
    let version = response.headers().get("x-sitrep-version").and_then(|v| v.parse().ok());
    let text = response.text().await.map_err(unreachable)?;
    if (200..300).contains(&status) {
        return Ok(Read { value: text, version });
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
