//! sitrep's incident and status model: Statuspage v2 compatible, extended for postmortems.
//!
//! Pure: no I/O, no clock (every function that depends on time takes `now`), no randomness, no JS.
//! It compiles and tests the same on the host and on `wasm32-unknown-unknown`. The edge and the
//! widget are adapters around it: they parse, call these functions, and render what they return.
//!
//! - [`wire`]: timestamps, ids and the tolerant-reader helpers.
//! - [`component`], [`incident`], [`postmortem`], [`page`]: the model; [`page::PageState`] indexes a page.
//! - [`status`]: the derived status at an instant.
//! - [`views`]: the read API's documents.
//! - [`validate`]: every problem with a page, by field path.
//! - [`limits`]: one table of limits that agree with each other and with the platform.
//! - [`markdown`]: the safe Markdown subset of postmortems.
//! - [`document`], [`feed`], [`badge`]: every served document rendered to bytes, with how long it stays true.
//! - [`uptime`]: uptime per component per day.
//! - [`preview`]: the summary readers would read after a write, by the store's own rules (the console's previews).
//! - [`access`]: operators, roles, sign-in secrets, sessions and the same-origin rule for cookies.
//! - [`jwt`] (feature `sign`): Cloudflare Access's identity assertion, read and judged.
//! - [`throttle`]: failed-login throttling for the write API.
//! - [`idempotency`]: how long the write API replays a keyed request's first reply.
//! - [`embed`]: every decision of the embedded widget: options, scope, banner, freshness, polling.
//! - [`notify`]: subscribers: events from committed writes, filters, receiver URLs, retries, payloads.

pub mod access;
pub mod api;
pub mod badge;
pub mod command;
pub mod component;
pub mod document;
pub mod embed;
pub mod feed;
pub mod host;
pub mod idempotency;
pub mod incident;
#[cfg(feature = "sign")]
pub mod jwt;
pub mod limits;
pub mod markdown;
pub mod notify;
pub mod page;
pub mod postmortem;
pub mod preview;
pub mod problem;
#[cfg(feature = "sign")]
pub mod reader;
mod replay;
pub mod status;
pub mod template;
pub mod throttle;
pub mod uptime;
pub mod validate;
pub mod views;
pub mod wire;

pub use component::{Component, ComponentStatus};
pub use incident::{AffectedComponent, Impact, Incident, IncidentStatus, IncidentUpdate, Kind};
pub use page::{Page, PageData, PageState};
pub use postmortem::{ActionItem, ImpactWindow, Postmortem, Precision, Section, TimelineEntry};
pub use status::{Indicator, Status};
pub use validate::{Problem, ProblemCode, validate};
pub use wire::{ComponentId, IncidentId, PageId, Timestamp, UpdateId};

#[cfg(test)]
mod seed_tests;
#[cfg(test)]
mod testing;
