//! The Worker's side of the account store's seam: each call names the answer type it expects.

use serde::de::DeserializeOwned;
use worker::{Env, Method, RequestInit};

use super::protocol::{AccountCall, AccountReply, AccountRequest, Authenticated, Credential, Done};
use crate::bindings::{ACCOUNT_STORE_BINDING, ACCOUNTS_NAME};
use crate::error::EdgeError;

/// Sends one request. A store that cannot be reached, or answers something that is not the
/// expected answer, is [`EdgeError::Unavailable`]; its own refusals come back as they are.
async fn call<T: DeserializeOwned>(env: &Env, request: &AccountRequest) -> Result<T, EdgeError> {
    let body = serde_json::to_string(request).map_err(|e| EdgeError::Internal(e.to_string()))?;
    let stub = env.durable_object(ACCOUNT_STORE_BINDING)?.get_by_name(ACCOUNTS_NAME)?;
    let mut init = RequestInit::new();
    init.with_method(Method::Post).with_body(Some(body.into()));
    let request = worker::Request::new_with_init("https://accounts/", &init)?;
    let mut response = stub.fetch_with_request(request).await.map_err(|_| EdgeError::Unavailable)?;
    response.json::<Result<T, EdgeError>>().await.map_err(|_| EdgeError::Unavailable)?
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

/// A write API call.
pub async fn admin(env: &Env, call_: AccountCall) -> Result<AccountReply, EdgeError> {
    call(env, &AccountRequest::Admin(call_)).await
}
