//! sitrep's Cloudflare Worker: the entry point only. Routing is in `routes`, the read path in
//! `read`, the single-writer store (a Durable Object) and its publication in `store`, deliveries
//! (a Durable Object beside it) in `delivery`, operators and their sign-in in `accounts`, cache policy in `cache`, errors mapped to HTTP
//! once in `error`.

// The ground floor: what the Worker's read path and the Durable Object both use.
pub mod bindings;
mod cache;
mod clock;
mod copy;
mod error;
mod faults;
mod handoff;
mod named;
mod seam;
mod secrets;
mod storage;
mod url;
// The Worker: routing, the read path, pages, the write API's front, the queue consumer.
mod audience;
mod auth;
mod cf_access;
mod console;
mod consumer;
mod directory;
mod hot;
mod page;
mod pages;
mod read;
mod routes;
#[cfg(feature = "fault-injection")]
mod switches;
// The Durable Objects (the page's writer, its deliveries, the operators' accounts), and their typed clients.
mod accounts;
mod delivery;
mod store;

pub use accounts::AccountStore;
pub use bindings::*;
pub use delivery::DeliveryStore;
pub use store::PageStore;

/// Takes and returns the runtime's own request and response (the `worker` crate accepts both): a
/// read never pays for converting them (see `hot`).
/// The Worker's fetch entry. A synchronous export that answered memory hits without a future was
/// tried and measured against this one (issue 27, BENCHMARKS.md): no gain beyond the noise, so the
/// macro's entry stays.
#[worker::event(fetch)]
async fn fetch(req: web_sys::Request, env: worker::Env, ctx: worker::Context) -> worker::Result<web_sys::Response> {
    Ok(routes::handle(req, env, ctx).await)
}

#[worker::event(queue)]
async fn queue(
    batch: worker::MessageBatch<delivery::protocol::Kick>,
    env: worker::Env,
    ctx: worker::Context,
) -> worker::Result<()> {
    consumer::consume(batch, env, ctx).await
}
