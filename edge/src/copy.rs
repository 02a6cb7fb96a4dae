//! A copy of a rendered document and what is known about it: the stamps it travels with (version,
//! ETag, `valid_until`), where each layer keeps it (KV keys, Cache API URLs, under one namespace),
//! and its answer as JavaScript objects once a request has needed them. On the ground floor: the
//! store renders and publishes copies, the read path serves them.

use std::cell::RefCell;

use js_sys::Uint8Array;
use serde::{Deserialize, Serialize};
use web_sys::{Headers, ResponseInit};
use worker::Response;

use crate::error::EdgeError;

/// A rendered document and what is known about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Doc {
    pub body: Vec<u8>,
    pub etag: String,
    pub content_type: String,
    /// Milliseconds since the epoch at which it stops being true, if ever.
    pub valid_until: Option<u64>,
    /// The page version it was rendered from.
    pub version: u64,
    /// Its answer as JavaScript objects, once a request has needed them (see `hot`).
    pub js: JsParts,
}

impl Doc {
    pub fn meta(&self) -> Meta {
        Meta {
            version: self.version,
            etag: self.etag.clone(),
            content_type: self.content_type.clone(),
            valid_until: self.valid_until,
        }
    }

    /// A document made from `from` (a badge drawn from the status, a frame with its warnings):
    /// `from`'s freshness and version, its own type and ETag.
    pub fn derived(body: Vec<u8>, content_type: &str, from: &Doc) -> Self {
        Self {
            etag: crate::cache::etag(&body),
            body,
            content_type: content_type.to_owned(),
            valid_until: from.valid_until,
            version: from.version,
            js: Default::default(),
        }
    }

    pub fn from_meta(body: Vec<u8>, meta: Meta) -> Self {
        Self {
            body,
            etag: meta.etag,
            content_type: meta.content_type,
            valid_until: meta.valid_until,
            version: meta.version,
            js: JsParts::default(),
        }
    }

    /// Reads a document back from a response carrying our headers.
    pub async fn from_response(mut response: Response) -> Result<Self, EdgeError> {
        let header = |name: &str| response.headers().get(name).ok().flatten();
        let etag = header("etag").unwrap_or_default();
        let content_type = header("content-type").unwrap_or_default();
        let version = header("x-sitrep-version").and_then(|v| v.parse().ok()).unwrap_or(0);
        let valid_until = header("x-sitrep-valid-until").and_then(|v| v.parse().ok());
        let body = response.bytes().await?;
        Ok(Self { body, etag, content_type, valid_until, version, js: JsParts::default() })
    }

    /// A response carrying the document and our headers, cacheable for `max_age` seconds.
    pub fn to_response(&self, max_age: u64) -> Response {
        let headers = worker::Headers::new();
        let _ = headers.set("content-type", &self.content_type);
        let _ = headers.set("etag", &self.etag);
        let _ = headers.set("x-sitrep-version", &self.version.to_string());
        if let Some(until) = self.valid_until {
            let _ = headers.set("x-sitrep-valid-until", &until.to_string());
        }
        let _ = headers.set("cache-control", &format!("max-age={max_age}"));
        Response::builder().with_status(200).with_headers(headers).fixed(self.body.clone())
    }
}

/// KV metadata stored beside each document's bytes.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Meta {
    pub version: u64,
    pub etag: String,
    pub content_type: String,
    pub valid_until: Option<u64>,
}

/// The namespace of every copy this code writes and reads: KV keys and Cache API URLs. Raised when
/// copies an older version wrote must never be served again. `v2`: copies from before issue 11 may
/// hold a postmortem draft (the store republishes everything under the new one, see
/// `store::publication::EPOCH_KEY`).
pub const COPIES: &str = "v2";

/// The Cache API URL of a document's fresh copy at this location.
pub fn fresh_url(key: &str) -> String {
    format!("https://sitrep.internal/{COPIES}/fresh/{key}")
}

/// The Cache API URL of a document's last good copy at this location.
pub fn last_good_url(key: &str) -> String {
    format!("https://sitrep.internal/{COPIES}/last-good/{key}")
}

/// The KV key of a document.
pub fn kv_key(key: &str) -> String {
    format!("{COPIES}/doc/{key}")
}

/// The KV key of publication's heartbeat.
pub fn heartbeat_key() -> String {
    format!("{COPIES}/heartbeat")
}

/// The KV key of the deployment's page directory (written by the account store, read by every
/// request's page lookup: see `crate::page`).
pub fn directory_key() -> String {
    format!("{COPIES}/pages")
}

/// Writes publication's heartbeat for the page whose keys start with `scope`: the instant (ms) of
/// a run (the store's publication only).
pub async fn put_heartbeat(kv: &worker::kv::KvStore, scope: &str, now: u64) -> Result<(), EdgeError> {
    kv.put(&format!("{scope}{}", heartbeat_key()), now.to_string())?.execute().await?;
    Ok(())
}

/// Writes a rendered document to KV with its metadata (the store's publication only).
pub async fn kv_put(kv: &worker::kv::KvStore, key: &str, doc: &Doc) -> Result<(), EdgeError> {
    kv.put_bytes(&kv_key(key), &doc.body)?.metadata(doc.meta())?.execute().await?;
    Ok(())
}

/// Extra headers a route always sends with its documents (a page's policy, `Vary`).
pub type Extra = &'static [(&'static str, &'static str)];

/// A copy's answer as JavaScript objects, built on its first use and kept with the copy: the body
/// once, the headers again whenever what they say changes. A clone of a document starts without
/// them; they are no part of its identity.
#[derive(Default)]
pub struct JsParts {
    pub(crate) body: std::cell::OnceCell<Uint8Array>,
    pub(crate) built: RefCell<Option<Built>>,
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

pub(crate) struct Built {
    /// What the headers were built for: a change of any rebuilds them.
    pub(crate) cache_control: String,
    pub(crate) stale: bool,
    pub(crate) extra: Extra,
    /// The init of a 200 (and of a HEAD, without its body).
    pub(crate) ok: ResponseInit,
    /// The init of a 304 (the same headers without the content type, as RFC 9110 lets us).
    pub(crate) not_modified: ResponseInit,
}

impl Built {
    pub(crate) fn new(doc: &Doc, cache_control: String, stale: bool, extra: Extra) -> Result<Self, EdgeError> {
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
                // The runtime (Cloudflare's edge, wrangler dev) may compress the body for a client
                // that accepts it: a shared cache must keep the encodings apart.
                ("vary", "Accept-Encoding"),
            ];
            if stale {
                common.push(("x-sitrep-stale", "1"));
            }
            common.extend(content_type.map(|t| ("content-type", t)));
            for (name, value) in common.into_iter().chain(extra.iter().copied()) {
                // A route's own `Vary` (Origin, Accept-Language) joins Accept-Encoding.
                if name == "vary" { headers.append(name, value) } else { headers.set(name, value) }
                    .map_err(js_error)?;
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
        Ok(Self { cache_control, stale, extra, ok, not_modified })
    }
}

pub(crate) fn js_error(err: wasm_bindgen::JsValue) -> EdgeError {
    EdgeError::Internal(format!("the runtime refused a response part: {err:?}"))
}
