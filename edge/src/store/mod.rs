//! The page store: one Durable Object per page, the single writer and the source of truth.
//!
//! The object and its router (`object`), one file per job, each an `impl PageStore` that only the
//! router calls (`write`, `alarm`, `reads`, `claims`, `test_calls`), and below them the pure or
//! storage-only parts they share: the typed seam (`protocol`, with the Worker's side in
//! `client`), what is stored under which key (`layout`), what publication owes (`publication`),
//! rendering (`render`), subscriptions and the outbox (`subscriptions`), who is owed deliveries
//! (`owed`). No file below the jobs imports one of them, and no job imports another.
//!
//! The object keeps the indexed [`sitrep_shared::PageState`] in memory and commits each change to
//! it after the transaction. A write's answer depends only on that commit: publication runs
//! afterwards, from the alarm, and whatever KV does the write has answered 2xx with its version.

mod alarm;
mod claims;
mod client;
mod layout;
mod object;
mod owed;
pub mod protocol;
mod publication;
mod reads;
mod render;
mod subscriptions;
#[cfg(feature = "fault-injection")]
mod test_calls;
mod write;

pub use client::{admin, deliver, fetch_doc};
#[cfg(feature = "fault-injection")]
pub use client::{calls, test_call};
pub use object::PageStore;
pub use subscriptions::targets as notify_targets;
