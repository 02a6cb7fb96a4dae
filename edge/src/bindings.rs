//! The names the Worker and its Durable Object are bound under (`wrangler.toml`), and the one page
//! this deployment serves. On the ground floor: every part of the edge may name a binding.

/// Binding of the KV namespace that carries rendered documents to every location.
pub const KV_BINDING: &str = "SITREP_KV";
/// Binding of the Durable Object namespace of page stores.
pub const STORE_BINDING: &str = "PAGE_STORE";
/// Binding of the Durable Object namespace of delivery objects (one per page, beside its store).
pub const DELIVERY_STORE_BINDING: &str = "DELIVERY_STORE";
/// Binding of the Durable Object namespace of the account store (one per deployment).
pub const ACCOUNT_STORE_BINDING: &str = "ACCOUNT_STORE";
/// The name of the deployment's one account store.
pub const ACCOUNTS_NAME: &str = "accounts";
/// Rate Limiting binding that counts failed admin tokens per client across isolates.
pub const AUTH_LIMIT_BINDING: &str = "SITREP_AUTH_LIMIT";
/// Queue of delivery wake-ups (producer: the delivery object's alarm; consumer: this Worker's `queue`).
pub const DELIVERY_BINDING: &str = "SITREP_DELIVERIES";
/// Dead-letter queue: events given up after a day, and wake-ups the consumer failed repeatedly.
pub const DEAD_LETTER_BINDING: &str = "SITREP_DEAD_LETTERS";
/// Worker secret holding the admin token.
pub const TOKEN_SECRET: &str = "SITREP_ADMIN_TOKEN";
/// The one page this deployment serves (one page per origin, as Statuspage clients expect).
pub const PAGE_NAME: &str = "default";

/// The admin token (the Worker secret `TOKEN_SECRET`), empty when unset. It also keys reader links
/// and the audit log's client hashes: every use reads it here.
pub fn admin_secret(env: &worker::Env) -> String {
    env.secret(TOKEN_SECRET).map(|s| s.to_string()).unwrap_or_default()
}
