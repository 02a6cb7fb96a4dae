//! Conditional GETs of the read API with a timeout, a size limit and a content-type check.
//!
//! Everything that can go wrong ends in an [`Error`]; nothing here panics or throws into the page.

use std::fmt;

use gloo_net::http::Request;
use gloo_timers::callback::Timeout;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, RequestCache};

/// How long a request may take before it is abandoned.
pub const TIMEOUT_MS: u32 = sitrep_shared::embed::TIMEOUT_MS;
/// The largest body read, in UTF-16 code units: the largest document the edge can serve under
/// `sitrep_shared::limits` (a UTF-16 unit never stands for less than one byte of the UTF-8 body).
pub const MAX_BODY: u32 = sitrep_shared::limits::READ_BYTES as u32;

/// Why a fetch gave nothing usable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Error {
    /// The network failed or the edge did not answer.
    Network,
    /// No answer within [`TIMEOUT_MS`].
    Timeout,
    /// An error status.
    Status(u16),
    /// Not JSON.
    ContentType(String),
    /// Over [`MAX_BODY`].
    TooLarge,
    /// JSON that does not parse as the expected document.
    Invalid(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Network => f.write_str("the status service could not be reached"),
            Self::Timeout => write!(f, "no answer within {} s", TIMEOUT_MS / 1000),
            Self::Status(status) => write!(f, "the status service answered {status}"),
            Self::ContentType(kind) => write!(f, "expected JSON, got \"{kind}\""),
            Self::TooLarge => f.write_str("the answer was too large"),
            Self::Invalid(why) => write!(f, "the answer was not a status document: {why}"),
        }
    }
}

/// A successful answer.
#[derive(Debug)]
pub enum Answer {
    /// A new body, with its ETag and whether the edge served its last good copy.
    Body {
        /// The JSON text.
        text: String,
        /// The strong ETag to send next time.
        etag: Option<String>,
        /// `X-Sitrep-Stale: 1`.
        stale: bool,
    },
    /// `304 Not Modified`.
    NotModified {
        /// `X-Sitrep-Stale: 1`.
        stale: bool,
    },
}

/// GETs `url`, conditionally on `etag`, bypassing the HTTP cache so a 304 reaches us and costs no parse.
pub async fn get(url: &str, etag: Option<&str>) -> Result<Answer, Error> {
    let controller = AbortController::new().map_err(|_| Error::Network)?;
    let timed_out = std::rc::Rc::new(std::cell::Cell::new(false));
    let timer = {
        let controller = controller.clone();
        let timed_out = timed_out.clone();
        Timeout::new(TIMEOUT_MS, move || {
            timed_out.set(true);
            controller.abort();
        })
    };
    let mut request = Request::get(url).cache(RequestCache::NoStore).abort_signal(Some(&controller.signal()));
    if let Some(etag) = etag {
        request = request.header("If-None-Match", etag);
    }
    let result = match request.send().await {
        Ok(response) => read(response).await,
        Err(_) => Err(Error::Network),
    };
    timer.cancel();
    match result {
        Err(Error::Network) if timed_out.get() => Err(Error::Timeout),
        other => other,
    }
}

/// What a rejected body read means (an aborted one rejects with a `TimeoutError` or `AbortError`).
fn rejected(error: &wasm_bindgen::JsValue) -> Error {
    let name = js_sys::Reflect::get(error, &"name".into()).ok().and_then(|n| n.as_string());
    if name.as_deref() == Some("TimeoutError") { Error::Timeout } else { Error::Network }
}

/// Checks an answer and reads its body.
async fn read(response: gloo_net::http::Response) -> Result<Answer, Error> {
    let headers = response.headers();
    let stale = headers.get("X-Sitrep-Stale").is_some_and(|v| v.trim() == "1");
    match response.status() {
        304 => return Ok(Answer::NotModified { stale }),
        200 => {}
        status => return Err(Error::Status(status)),
    }
    let kind = headers.get("Content-Type").unwrap_or_default();
    if !kind.split(';').next().is_some_and(|k| k.trim().eq_ignore_ascii_case("application/json")) {
        return Err(Error::ContentType(kind));
    }
    if headers.get("Content-Length").and_then(|l| l.trim().parse::<u64>().ok()).is_some_and(|l| l > u64::from(MAX_BODY))
    {
        return Err(Error::TooLarge);
    }
    let etag = headers.get("ETag");
    let raw: web_sys::Response = response.into();
    let body = JsFuture::from(raw.text().map_err(|_| Error::Network)?).await.map_err(|e| rejected(&e))?;
    let body = body.dyn_into::<js_sys::JsString>().map_err(|_| Error::Invalid("not text".into()))?;
    if body.length() > MAX_BODY {
        return Err(Error::TooLarge);
    }
    Ok(Answer::Body { text: String::from(&body), etag, stale })
}
