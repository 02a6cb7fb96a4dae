//! The Worker's side of the seam: sends a [`StoreRequest`] to the page's Durable Object and reads
//! back its typed answer.

use sitrep_shared::document::Document;
use worker::{Env, Method, RequestInit};

use super::protocol::{AdminCall, AdminReply, DeliverCall, DeliverReply, StoreReply, StoreRequest, StoreResult};
use crate::bindings::{PAGE_NAME, STORE_BINDING};
use crate::copy::Doc;
use crate::error::EdgeError;
use crate::faults;

/// Sends one request to the store. A store that cannot be reached or answers something that is
/// not the seam's answer is [`EdgeError::Unavailable`]; the store's own refusals come back as they are.
async fn call(env: &Env, request: &StoreRequest) -> StoreResult {
    if faults::store_down() {
        return Err(EdgeError::Unavailable);
    }
    #[cfg(feature = "fault-injection")]
    count(match request {
        StoreRequest::Render { doc: Document::Incident(_) } => "render_incident",
        StoreRequest::Render { .. } => "render",
        StoreRequest::Admin(_) => "admin",
        StoreRequest::Deliver(_) => "deliver",
        StoreRequest::Test(_) => "test",
    });
    let body = serde_json::to_string(request).map_err(|e| EdgeError::Internal(e.to_string()))?;
    let stub = env.durable_object(STORE_BINDING)?.get_by_name(PAGE_NAME)?;
    let mut init = RequestInit::new();
    init.with_method(Method::Post).with_body(Some(body.into()));
    let request = worker::Request::new_with_init("https://store/", &init)?;
    let mut response = stub.fetch_with_request(request).await.map_err(|_| EdgeError::Unavailable)?;
    response.json::<StoreResult>().await.map_err(|_| EdgeError::Unavailable)?
}

/// One rendered document from the store.
pub async fn fetch_doc(env: &Env, doc: &Document) -> Result<Doc, EdgeError> {
    match call(env, &StoreRequest::Render { doc: doc.clone() }).await? {
        StoreReply::Doc(wire) => Ok(Doc {
            body: wire.body.into_bytes(),
            etag: wire.etag,
            content_type: wire.content_type,
            valid_until: wire.valid_until,
            version: wire.version,
            js: Default::default(),
        }),
        _ => Err(EdgeError::Internal("the store answered a render with something else".into())),
    }
}

/// One write-API request (already authenticated and size-checked).
pub async fn admin(env: &Env, admin: AdminCall) -> Result<AdminReply, EdgeError> {
    match call(env, &StoreRequest::Admin(admin)).await? {
        StoreReply::Admin(reply) => Ok(reply),
        _ => Err(EdgeError::Internal("the store answered a write with something else".into())),
    }
}

/// The consumer's side of a delivery.
pub async fn deliver(env: &Env, request: DeliverCall) -> Result<DeliverReply, EdgeError> {
    match call(env, &StoreRequest::Deliver(request)).await? {
        StoreReply::Deliver(reply) => Ok(reply),
        _ => Err(EdgeError::Internal("the store answered a delivery with something else".into())),
    }
}

#[cfg(feature = "fault-injection")]
thread_local! {
    /// Test builds: requests this isolate sent to the store, by kind, since the last reset. Counted
    /// here rather than in the store, whose memory goes when workerd evicts it while idle.
    static CALLS: std::cell::RefCell<std::collections::BTreeMap<&'static str, u64>> = Default::default();
}

#[cfg(feature = "fault-injection")]
fn count(kind: &'static str) {
    CALLS.with_borrow_mut(|calls| *calls.entry(kind).or_default() += 1);
}

/// Test builds: the requests this isolate sent to the store since the last reset (then resets).
#[cfg(feature = "fault-injection")]
pub fn calls(reset: bool) -> serde_json::Value {
    CALLS.with_borrow_mut(|calls| {
        let value = serde_json::json!(calls);
        if reset {
            calls.clear();
        }
        value
    })
}

/// A test-only request (fault switches, counts).
#[cfg(feature = "fault-injection")]
pub async fn test_call(env: &Env, test: super::protocol::TestCall) -> Result<serde_json::Value, EdgeError> {
    match call(env, &StoreRequest::Test(test)).await? {
        StoreReply::Test(value) => Ok(value),
        _ => Err(EdgeError::Internal("the store answered a test call with something else".into())),
    }
}
