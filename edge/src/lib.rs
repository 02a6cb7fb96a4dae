//! sitrep's Cloudflare Worker: the entry point only. Routing is in `routes`, the read path in
//! `read`, the single-writer store (a Durable Object) and its publication in `store`, cache policy
//! in `cache`, errors mapped to HTTP once in `error`.

pub mod admin;
mod auth;
mod cache;
mod deliver;
mod error;
mod hot;
mod pages;
mod read;
mod routes;
mod store;
mod url;

pub use store::PageStore;

/// Binding of the KV namespace that carries rendered documents to every location.
pub const KV_BINDING: &str = "SITREP_KV";
/// Binding of the Durable Object namespace of page stores.
pub const STORE_BINDING: &str = "PAGE_STORE";
/// Rate Limiting binding that counts failed admin tokens per client across isolates.
pub const AUTH_LIMIT_BINDING: &str = "SITREP_AUTH_LIMIT";
/// Queue of delivery wake-ups (producer: the store's alarm; consumer: this Worker's `queue`).
pub const DELIVERY_BINDING: &str = "SITREP_DELIVERIES";
/// Dead-letter queue: events given up after a day, and wake-ups the consumer failed repeatedly.
pub const DEAD_LETTER_BINDING: &str = "SITREP_DEAD_LETTERS";
/// Worker secret holding the admin token.
pub const TOKEN_SECRET: &str = "SITREP_ADMIN_TOKEN";
/// The one page this deployment serves (one page per origin, as Statuspage clients expect).
pub const PAGE_NAME: &str = "default";

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
