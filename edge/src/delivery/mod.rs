//! The delivery object: one Durable Object per page beside its writer, owning everything about
//! sending events to subscribers, so that delivery load never lands on the object operators
//! write through.
//!
//! The object and its router (`object`), its jobs (`take`: the writer's hand-off; `claims`:
//! cursors, claims, leases, retries, replays, pruning; `test_calls`), and below them its typed
//! seam (`protocol`, with the callers' side in `client`) and what it stores under which key
//! (`layout`). Who is owed what is a pure state machine in `shared::notify::wakes`.

mod claims;
mod client;
mod layout;
mod object;
pub mod protocol;
mod take;
#[cfg(feature = "fault-injection")]
mod test_calls;

#[cfg(feature = "fault-injection")]
pub use client::test_call;
pub use client::{deliver, list, replay, retire, take};
pub use object::DeliveryStore;
