//! The one way across to a Durable Object, for all three objects' clients (the page's writer, its
//! deliveries, the accounts) and their routers: a serde request in, `Result<T, EdgeError>` back as
//! JSON. On the ground floor: each object's `protocol` names its requests and answers, this module
//! only carries them.

use serde::Serialize;
use serde::de::DeserializeOwned;
use worker::{Env, Method, RequestInit, Response};

use crate::error::EdgeError;

/// Sends `request` to the object named `name` of namespace `binding` and reads the answer type the
/// caller names. An object that cannot be reached, or answers something that is not that type, is
/// [`EdgeError::Unavailable`]; the object's own refusals come back as they are.
pub async fn call<R: Serialize, T: DeserializeOwned>(
    env: &Env,
    binding: &str,
    name: &str,
    request: &R,
) -> Result<T, EdgeError> {
    let body = serde_json::to_string(request).map_err(|e| EdgeError::Internal(e.to_string()))?;
    let stub = env.durable_object(binding)?.get_by_name(name)?;
    let mut init = RequestInit::new();
    init.with_method(Method::Post).with_body(Some(body.into()));
    // The objects route on the body alone; the URL only has to be one.
    let request = worker::Request::new_with_init("https://object/", &init)?;
    let mut response = stub.fetch_with_request(request).await.map_err(|_| EdgeError::Unavailable)?;
    response.json::<Result<T, EdgeError>>().await.map_err(|_| EdgeError::Unavailable)?
}

/// An object's answer to one request, as [`call`] reads it.
pub fn answer<T: Serialize>(result: Result<T, EdgeError>) -> worker::Result<Response> {
    Response::from_json(&result)
}
