//! The Worker's side of the account store's seam: each call names the answer type it expects.

use serde::de::DeserializeOwned;
use worker::Env;

use super::protocol::{AccountCall, AccountReply, AccountRequest, Authenticated, Credential, Done};
use crate::bindings::{ACCOUNT_STORE_BINDING, ACCOUNTS_NAME};
use crate::error::EdgeError;

/// Sends one request (see `seam::call`).
async fn call<T: DeserializeOwned>(env: &Env, request: &AccountRequest) -> Result<T, EdgeError> {
    crate::seam::call(env, ACCOUNT_STORE_BINDING, ACCOUNTS_NAME, request).await
}

/// Whose credential this is.
pub async fn authenticate(env: &Env, credential: Credential) -> Result<Authenticated, EdgeError> {
    call(env, &AccountRequest::Authenticate { credential }).await
}

/// Spends invitation `invite` (a hash) on a new session (`session`, a hash, with its public id).
pub async fn redeem(
    env: &Env,
    invite: String,
    session: String,
    session_id: String,
    user_agent: String,
) -> Result<Authenticated, EdgeError> {
    call(env, &AccountRequest::Redeem { invite, session, session_id, user_agent }).await
}

/// Ends a session (by its hash).
pub async fn sign_out(env: &Env, session: String) -> Result<Done, EdgeError> {
    call(env, &AccountRequest::SignOut { session }).await
}

/// The deployment's pages, from the account store itself (when KV cannot give them).
pub async fn directory(env: &Env) -> Result<sitrep_shared::host::Directory, EdgeError> {
    call(env, &AccountRequest::Directory).await
}

/// The page a write is for, from the account store itself: by id, else by host.
pub async fn find_page(
    env: &Env,
    id: Option<String>,
    host: Option<sitrep_shared::host::Host>,
) -> Result<Option<sitrep_shared::host::PageEntry>, EdgeError> {
    let found: super::protocol::FoundPage = call(env, &AccountRequest::FindPage { id, host }).await?;
    Ok(found.page)
}

/// A write API call.
pub async fn admin(env: &Env, call_: AccountCall) -> Result<AccountReply, EdgeError> {
    call(env, &AccountRequest::Admin(call_)).await
}
