//! sitrep's Cloudflare Worker: the entry point only. Routing is in `routes`, the read path in
//! `read`, the single-writer store (a Durable Object) and its publication in `store`, cache policy
//! in `cache`, errors mapped to HTTP once in `error`.

pub mod admin;
mod auth;
mod cache;
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
