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
mod seam;
mod secrets;
mod storage;
mod url;
// The Worker: routing, the read path, pages, the write API's front, the queue consumer.
mod auth;
mod cf_access;
mod console;
mod consumer;
mod hot;
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
/// The Worker's fetch entry, written out instead of `#[worker::event(fetch)]` (whose export is
/// always async): a read document in isolate memory is answered synchronously, as a `Response`;
/// anything else returns the promise of [`routes::handle`]. Panic recovery is worker-build's, not
/// ours: a panic aborts into a trap, which the shim's wrapper around every call of this export
/// sees (as it saw the macro's), and the next request gets a fresh instance (the e2e test
/// "a panic on the synchronous path" shows it). `cargo xtask bench edge` measures the entry.
#[cfg(not(feature = "async-entry"))]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn fetch(req: web_sys::Request, env: worker::Env, ctx: worker::worker_sys::Context) -> wasm_bindgen::JsValue {
    if let Some(hit) = routes::answer_now(&req) {
        return hit.into();
    }
    let ctx = worker::Context::new(ctx);
    let answer = async move { Ok(wasm_bindgen::JsValue::from(routes::handle(req, env, ctx).await)) };
    wasm_bindgen_futures::future_to_promise(answer).into()
}

/// The macro's entry, always async: only to measure the synchronous one against it
/// (`SITREP_EDGE_ENTRY=async cargo xtask bench edge`).
#[cfg(feature = "async-entry")]
#[worker::event(fetch)]
async fn fetch(req: web_sys::Request, env: worker::Env, ctx: worker::Context) -> worker::Result<web_sys::Response> {
    Ok(routes::handle(req, env, ctx).await)
}

/// Delivery wake-ups from the delivery object's alarm (see `consumer`).
#[worker::event(queue)]
async fn queue(
    batch: worker::MessageBatch<delivery::protocol::Kick>,
    env: worker::Env,
    ctx: worker::Context,
) -> worker::Result<()> {
    consumer::consume(batch, env, ctx).await
}
