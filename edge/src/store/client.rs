//! The callers' side of the page store's seam (the Worker, the delivery object): sends a
//! [`StoreRequest`] to the page's Durable Object and reads back the answer type each call names.

use serde::de::DeserializeOwned;
use sitrep_shared::document::Document;
use worker::Env;

use super::protocol::{AdminCall, AdminReply, StoreRequest, WireDoc};
use crate::bindings::STORE_BINDING;
use crate::copy::Doc;
use crate::error::EdgeError;
use crate::faults;

/// Sends one request to the store named `object` (a page's: `crate::page::Page::object`). A store that cannot be reached or answers something that is
/// not the expected answer is [`EdgeError::Unavailable`]; the store's own refusals come back as they are.
async fn call<T: DeserializeOwned>(env: &Env, object: &str, request: &StoreRequest) -> Result<T, EdgeError> {
    if faults::store_down() {
        return Err(EdgeError::Unavailable);
    }
    #[cfg(feature = "fault-injection")]
    faults::count(match request {
        StoreRequest::Retire => "retire",
        StoreRequest::Render { doc: Document::Incident(_) } => "render_incident",
        StoreRequest::Render { .. } => "render",
        StoreRequest::Admin(_) => "admin",
        StoreRequest::Paused { .. } => "paused",
        StoreRequest::Test(_) => "test",
    });
    crate::seam::call(env, STORE_BINDING, object, request).await
}

/// One rendered document from the page's store.
pub async fn fetch_doc(env: &Env, page: &crate::page::Page, doc: &Document) -> Result<Doc, EdgeError> {
    let wire: WireDoc = call(env, &page.object(), &StoreRequest::Render { doc: doc.clone() }).await?;
    Ok(Doc {
        body: wire.body.into_bytes(),
        etag: wire.etag,
        content_type: wire.content_type,
        valid_until: wire.valid_until,
        version: wire.version,
        js: Default::default(),
    })
}

/// One write-API request (already authenticated and size-checked) to the page's store.
pub async fn admin(env: &Env, page: &crate::page::Page, admin: AdminCall) -> Result<AdminReply, EdgeError> {
    call(env, &page.object(), &StoreRequest::Admin(Box::new(admin))).await
}

/// From the delivery object named `object`: subscription `subscription` failed for a day; pause it
/// with `reason` (taken once per `token`) in the store of the same name.
pub async fn paused(
    env: &Env,
    object: &str,
    subscription: &str,
    reason: &str,
    token: &str,
) -> Result<AdminReply, EdgeError> {
    let (subscription, reason, token) = (subscription.to_owned(), reason.to_owned(), token.to_owned());
    call(env, object, &StoreRequest::Paused { subscription, reason, token }).await
}

/// Page `page` was removed: its store and delivery object stop and empty.
pub async fn retire(env: &Env, page: &crate::page::Page) -> Result<(), EdgeError> {
    let _: super::protocol::Done = call(env, &page.object(), &StoreRequest::Retire).await?;
    Ok(())
}

/// A test-only request (fault switches, counts), to the default page's store.
#[cfg(feature = "fault-injection")]
pub async fn test_call(env: &Env, test: super::protocol::TestCall) -> Result<serde_json::Value, EdgeError> {
    call(env, crate::bindings::PAGE_NAME, &StoreRequest::Test(test)).await
}
