//! The account store: one Durable Object per deployment holding operators, their roles, pending
//! sign-in links, sessions and personal tokens. Not the page's store: operators outlive a page and
//! several pages will share them. Secrets reach it only as their hashes (the Worker makes them and
//! shows them once), and every change it makes is kept in its own log with who made it.
//!
//! The object and its router (`object`), its jobs (`operators`: invitations, roles, revocation, the
//! log; `sessions`: signing in and out, who a credential belongs to, personal tokens; `pages`: the
//! directory of the deployment's pages and its copy in KV), its typed
//! seam (`protocol`, the callers' side in `client`) and its keys (`layout`). The rules (roles,
//! lifetimes, shapes of secrets) are `shared::access`.

mod client;
mod layout;
mod object;
mod operators;
mod pages;
pub mod protocol;
mod sessions;

pub use client::{admin, authenticate, directory, find_page, redeem, sign_out};
pub use object::AccountStore;
