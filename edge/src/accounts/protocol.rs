//! The seam of the account store: one serde request enum, and for each request its own answer type.

use serde::{Deserialize, Serialize};
use sitrep_shared::access::Actor;
use sitrep_shared::api::Operation;

/// What the Worker asks of the account store.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "request", rename_all = "snake_case")]
pub enum AccountRequest {
    /// Who a credential belongs to (a session's use is noted). Answered with [`Authenticated`].
    Authenticate { credential: Credential },
    /// A sign-in link followed: its invitation (hash) is spent and a session (hash, public id)
    /// begins. Answered with [`Authenticated`].
    Redeem { invite: String, session: String, session_id: String, user_agent: String },
    /// A browser signs out. Answered with [`Done`].
    SignOut { session: String },
    /// A write API call the Worker let through (credential and role checked). Answered with
    /// [`AccountReply`].
    Admin(AccountCall),
    /// The deployment's pages, when KV could not give them (see `crate::page`). Answered with
    /// `sitrep_shared::host::Directory`.
    Directory,
    /// The page a write is for: the one with id `id` (unknown: an error), else the one `host` is
    /// (none: the default page). Answered with [`FoundPage`].
    FindPage { id: Option<String>, host: Option<sitrep_shared::host::Host> },
}

/// A credential, by its hash.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Credential {
    Session {
        hash: String,
        /// A console's background poll (`X-Sitrep-Poll: 1`): checked, not counted as a use.
        #[serde(default)]
        poll: bool,
    },
    Token {
        hash: String,
    },
    /// An email Cloudflare Access vouched for (its assertion verified by the Worker).
    Access {
        email: String,
    },
}

/// Whose a credential is.
pub use sitrep_shared::access::Identity as Authenticated;

/// A write API call for the account store.
#[derive(Debug, Serialize, Deserialize)]
pub struct AccountCall {
    pub op: Operation,
    /// The JSON body ("" when the endpoint takes none).
    pub body: String,
    /// Who calls, as the Worker identified them.
    pub actor: Actor,
    /// A secret the Worker made for the call (an invitation's, a personal token's): its hash and
    /// public id. The secret itself never crosses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<NewSecret>,
    /// Hostnames no new page may take: the one the call came through (an operator cannot move
    /// the page they work from onto another) and the loopback names.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reserved: Vec<sitrep_shared::host::Host>,
}

/// A secret made for a call, as the store keeps it.
#[derive(Debug, Serialize, Deserialize)]
pub struct NewSecret {
    pub hash: String,
    pub id: String,
}

/// The answer to a write API call: its status and JSON body.
#[derive(Debug, Serialize, Deserialize)]
pub struct AccountReply {
    pub status: u16,
    pub body: serde_json::Value,
}

/// The page [`AccountRequest::FindPage`] asked for (`None`: the default page).
#[derive(Debug, Serialize, Deserialize)]
pub struct FoundPage {
    pub page: Option<sitrep_shared::host::PageEntry>,
}

/// Done, nothing to say.
#[derive(Debug, Serialize, Deserialize)]
pub struct Done {}
