//! sitrep's Cloudflare Worker: the entry point only. Routing is in `routes`, the read path in
//! `read`, the single-writer store (a Durable Object) and its publication in `store`, cache policy
//! in `cache`, errors mapped to HTTP once in `error`.

// The ground floor: what the Worker's read path and the Durable Object both use.
pub mod admin;
pub mod bindings;
mod cache;
mod clock;
mod copy;
mod error;
mod faults;
mod url;
// The Worker: routing, the read path, pages, the write API's front, the queue consumer.
mod auth;
mod deliver;
mod hot;
mod pages;
mod read;
mod routes;
#[cfg(feature = "fault-injection")]
mod switches;
// The Durable Object, and its typed client.
mod store;

pub use bindings::*;
pub use store::PageStore;

/// Takes and returns the runtime's own request and response (the `worker` crate accepts both): a
/// read never pays for converting them (see `hot`).
#[worker::event(fetch)]
async fn fetch(req: web_sys::Request, env: worker::Env, ctx: worker::Context) -> worker::Result<web_sys::Response> {
    Ok(routes::handle(req, env, ctx).await)
}

/// Delivery wake-ups from the store's alarm (see `deliver`).
#[worker::event(queue)]
async fn queue(
    batch: worker::MessageBatch<store::protocol::Kick>,
    env: worker::Env,
    ctx: worker::Context,
) -> worker::Result<()> {
    deliver::consume(batch, env, ctx).await
}
