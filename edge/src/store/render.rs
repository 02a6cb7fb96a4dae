//! A document rendered from the loaded state, as publication writes it and the read path asks for it.

use sitrep_shared::document::{Document, RenderError};

use super::layout::Loaded;
use super::protocol::WireDoc;
use crate::cache;
use crate::clock::now;
use crate::copy::Doc;
use crate::error::EdgeError;

/// Renders a document from the loaded state; links point at the page's own URL, never at the
/// Host of whichever request asked.
pub(super) fn render(loaded: &Loaded, doc: &Document) -> Result<Doc, EdgeError> {
    // A page URL stored before it was checked (`javascript:`, say) gives links relative to the page.
    let url = &loaded.page.page().url;
    let base = if sitrep_shared::validate::is_origin(url) { url.trim_end_matches('/') } else { "" };
    let rendered = doc.render(&loaded.page, now()?, base).map_err(|err| match err {
        RenderError::NotFound(id) => EdgeError::UnknownIncident(id),
        RenderError::Json(err) => EdgeError::Internal(err.to_string()),
    })?;
    Ok(Doc {
        etag: cache::etag(&rendered.body),
        body: rendered.body,
        content_type: rendered.content_type.to_owned(),
        valid_until: rendered.valid_until.map(|t| t.unix_millis().max(0) as u64),
        version: loaded.version,
        js: Default::default(),
    })
}

/// A rendered document as it crosses the seam.
pub(super) fn to_wire(doc: Doc) -> WireDoc {
    WireDoc {
        body: String::from_utf8_lossy(&doc.body).into_owned(),
        etag: doc.etag,
        content_type: doc.content_type,
        valid_until: doc.valid_until,
        version: doc.version,
    }
}
