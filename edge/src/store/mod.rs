//! The page store: one Durable Object per page, the single writer and the source of truth.
//!
//! The object and its router (`object`), one file per job, each an `impl PageStore` that only the
//! router calls (`write`, `templates`, `alarm`, `relay`, `reads`, `test_calls`), and below them the pure or
//! storage-only parts they share: the typed seam (`protocol`, with the callers' side in
//! `client`), what is stored under which key (`layout`), what publication owes (`publication`),
//! rendering (`render`), subscriptions and what a write hands the delivery object
//! (`subscriptions`). No file below the jobs imports one of them, and no job imports another.
//! Deliveries themselves are the delivery object's (`crate::delivery`).
//!
//! The object keeps the indexed [`sitrep_shared::PageState`] in memory and commits each change to
//! it after the transaction. A write's answer depends only on that commit: publication runs
//! afterwards, from the alarm, and whatever KV does the write has answered 2xx with its version.

mod alarm;
mod client;
mod layout;
mod object;
pub mod protocol;
mod publication;
mod reads;
mod relay;
mod render;
mod subscriptions;
mod templates;
#[cfg(feature = "fault-injection")]
mod test_calls;
mod write;

#[cfg(feature = "fault-injection")]
pub use client::test_call;
pub use client::{admin, fetch_doc, paused, retire};
pub use object::PageStore;
pub use subscriptions::targets as notify_targets;
