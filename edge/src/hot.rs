//! The hot path's answer: a document from isolate memory sent with JavaScript objects built once
//! per copy, so a hit crosses between wasm and JavaScript a handful of times and copies nothing out
//! of linear memory.
//!
//! What `worker::Response` would do per request (a `Headers` object and one call per header, a new
//! `Uint8Array` with the body copied out of wasm memory, a `ResponseInit` set field by field) is
//! done here once per copy and per `Cache-Control` value; each request then costs reading its
//! method and `If-None-Match` and one `new Response(body, init)`, which copies the body inside the
//! runtime and the headers into the response's own. `cargo xtask bench edge` measures it against a
//! bare JavaScript worker.

use js_sys::Uint8Array;

use crate::cache;
pub use crate::copy::Extra;
use crate::copy::{Built, Doc, js_error};
use crate::error::EdgeError;

/// What a read request asks, read from the runtime's request once.
#[derive(Debug)]
pub struct Ask {
    /// `HEAD`: the headers only.
    pub head: bool,
    /// The `If-None-Match` header, if any.
    pub if_none_match: Option<String>,
}

impl Ask {
    /// Reads what a `GET` or `HEAD` asks.
    pub fn of(req: &web_sys::Request, method: &str) -> Self {
        Self { head: method == "HEAD", if_none_match: req.headers().get("if-none-match").ok().flatten() }
    }
}

/// The response for a document: 304 when the client has it, the body otherwise (none for HEAD).
pub fn respond(ask: &Ask, doc: &Doc, stale: bool, now: u64, extra: Extra) -> Result<web_sys::Response, EdgeError> {
    let cache_control = cache::cache_control(&doc.content_type, now, doc.valid_until, stale);
    let mut slot = doc.js.built.borrow_mut();
    let built = match slot.take() {
        Some(b) if b.cache_control == cache_control && b.stale == stale && std::ptr::eq(b.extra, extra) => b,
        _ => Built::new(doc, cache_control, stale, extra)?,
    };
    let built = slot.insert(built);
    let made = if ask.if_none_match.as_deref().is_some_and(|tag| cache::if_none_match(tag, &doc.etag)) {
        web_sys::Response::new_with_opt_buffer_source_and_init(None, &built.not_modified)
    } else if ask.head {
        // No Content-Length: the runtime compresses a GET for a client that takes it (and a
        // Worker sees Accept-Encoding as the runtime rewrote it), so the length a GET would carry
        // is not known here; RFC 9110 lets a HEAD leave it out rather than say a wrong one.
        web_sys::Response::new_with_opt_buffer_source_and_init(None, &built.ok)
    } else {
        let body = doc.js.body.get_or_init(|| Uint8Array::from(doc.body.as_slice()));
        web_sys::Response::new_with_opt_buffer_source_and_init(Some(body), &built.ok)
    };
    made.map_err(js_error)
}
