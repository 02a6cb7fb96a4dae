//! sitrep's views: Yew function components with plain props, rendered by the widget in the browser
//! (feature `csr`) and by the edge on the server (feature `ssr`). Nothing about a view is written
//! twice: the edge's first frame and the browser's live widget are the same components, and the
//! public status page is built from the same pieces.
//!
//! - [`widget`]: the embedded views (badge, banner, full) as [`widget::Widget`].
//! - [`page`]: the public status page, an incident's page and the history, as whole documents.
//! - `markup`: the pieces both are made of (icons, timelines, component rows with groups and
//!   uptime bars, postmortems and their Markdown).
//! - [`i18n`], [`intl`]: words per language; dates and relative times through the host's `Intl`
//!   (the browser's, or workerd's on the edge).
//!
//! Like `shared`, this crate derives nothing: what to show comes from `sitrep_shared::embed`.

// Without `full` only the badge is drawn, and the pieces only the banner and full view use are
// left unused on purpose (the badge module is built that way: see Cargo.toml).
#![cfg_attr(not(feature = "full"), allow(dead_code, unused_imports))]

pub mod i18n;
pub mod intl;
mod markup;
pub mod page;
pub mod widget;

pub use markup::{icon, indicator_name};

/// The widget's stylesheet (inside its shadow root); hosts restyle it through `--sitrep-*` custom properties only.
pub const WIDGET_CSS: &str = include_str!("widget.css");
/// The status page's own rules, added after the widget's (the page is built of the same pieces).
pub const PAGE_CSS: &str = include_str!("page.css");

#[cfg(test)]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);
