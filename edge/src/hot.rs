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

use std::cell::RefCell;

use js_sys::Uint8Array;
use web_sys::{Headers, ResponseInit};

use crate::cache;
use crate::error::EdgeError;
use crate::read::Doc;

/// Extra headers a route always sends with its documents (a page's policy, `Vary`).
pub type Extra = &'static [(&'static str, &'static str)];

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

/// A copy's answer as JavaScript objects, built on its first use and kept with the copy: the body
/// once, the headers again whenever what they say changes. A clone of a document starts without
/// them; they are no part of its identity.
#[derive(Default)]
pub struct JsParts {
    body: std::cell::OnceCell<Uint8Array>,
    built: RefCell<Option<Built>>,
}

impl Clone for JsParts {
    fn clone(&self) -> Self {
        Self::default()
    }
}

impl PartialEq for JsParts {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for JsParts {}

impl std::fmt::Debug for JsParts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.built.borrow().is_some() { "JsParts(built)" } else { "JsParts(none)" })
    }
}

struct Built {
    /// What the headers were built for: a change of any rebuilds them.
    cache_control: String,
    stale: bool,
    extra: Extra,
    /// The headers of a 200, and its init.
    headers: Headers,
    ok: ResponseInit,
    /// The init of a 304 (the same headers without the content type, as RFC 9110 lets us).
    not_modified: ResponseInit,
}

impl Built {
    fn new(doc: &Doc, cache_control: String, stale: bool, extra: Extra) -> Result<Self, EdgeError> {
        let version = doc.version.to_string();
        let headers = |content_type: Option<&str>| -> Result<Headers, EdgeError> {
            let headers = Headers::new().map_err(js_error)?;
            let mut common = vec![
                ("etag", doc.etag.as_str()),
                ("cache-control", cache_control.as_str()),
                ("access-control-allow-origin", "*"),
                ("access-control-expose-headers", "ETag, X-Sitrep-Stale, X-Sitrep-Version"),
                ("x-sitrep-version", version.as_str()),
                ("x-content-type-options", "nosniff"),
            ];
            if stale {
                common.push(("x-sitrep-stale", "1"));
            }
            common.extend(content_type.map(|t| ("content-type", t)));
            for (name, value) in common.into_iter().chain(extra.iter().copied()) {
                headers.set(name, value).map_err(js_error)?;
            }
            Ok(headers)
        };
        // A 304 carries the same headers without the content type (RFC 9110 lets it).
        let not_modified = ResponseInit::new();
        not_modified.set_status(304);
        not_modified.set_headers_headers(&headers(None)?);
        let ok_headers = headers(Some(&doc.content_type))?;
        let ok = ResponseInit::new();
        ok.set_status(200);
        ok.set_headers_headers(&ok_headers);
        Ok(Self { cache_control, stale, extra, headers: ok_headers, ok, not_modified })
    }
}

fn js_error(err: wasm_bindgen::JsValue) -> EdgeError {
    EdgeError::Internal(format!("the runtime refused a response part: {err:?}"))
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
        let init = ResponseInit::new();
        init.set_status(200);
        let headers = Headers::new_with_headers(&built.headers).map_err(js_error)?;
        headers.set("content-length", &doc.body.len().to_string()).map_err(js_error)?;
        init.set_headers_headers(&headers);
        web_sys::Response::new_with_opt_buffer_source_and_init(None, &init)
    } else {
        let body = doc.js.body.get_or_init(|| Uint8Array::from(doc.body.as_slice()));
        web_sys::Response::new_with_opt_buffer_source_and_init(Some(body), &built.ok)
    };
    made.map_err(js_error)
}
