//! The callers' side of the delivery object's seam (the writer, the queue consumer, the tests):
//! each call names the answer type it expects.

use serde::de::DeserializeOwned;
use worker::Env;

use super::protocol::{DeliverCall, DeliverReply, DeliveryAdmin, DeliveryRequest, Listed, Replayed, Taken};
use crate::bindings::{DELIVERY_STORE_BINDING, PAGE_NAME};
use crate::error::EdgeError;
use crate::handoff::Take;

/// Sends one request. An object that cannot be reached or answers something that is not the
/// expected answer is [`EdgeError::Unavailable`]; its own refusals come back as they are.
async fn call<T: DeserializeOwned>(env: &Env, request: &DeliveryRequest) -> Result<T, EdgeError> {
    #[cfg(feature = "fault-injection")]
    if matches!(request, DeliveryRequest::Deliver(_)) {
        crate::faults::count("deliver");
    }
    crate::seam::call(env, DELIVERY_STORE_BINDING, PAGE_NAME, request).await
}

/// Hands a batch of items over (from the writer).
pub async fn take(env: &Env, take: Take) -> Result<Taken, EdgeError> {
    call(env, &DeliveryRequest::Take(take)).await
}

/// The consumer's side of a delivery.
pub async fn deliver(env: &Env, call_: DeliverCall) -> Result<DeliverReply, EdgeError> {
    call(env, &DeliveryRequest::Deliver(call_)).await
}

/// A subscription's deliveries.
pub async fn list(env: &Env, subscription: &str) -> Result<Listed, EdgeError> {
    call(env, &DeliveryRequest::Admin(DeliveryAdmin::List { subscription: subscription.to_owned() })).await
}

/// Queues a replay.
pub async fn replay(env: &Env, subscription: &str, delivery: &str) -> Result<Replayed, EdgeError> {
    let admin = DeliveryAdmin::Replay { subscription: subscription.to_owned(), delivery: delivery.to_owned() };
    call(env, &DeliveryRequest::Admin(admin)).await
}

/// A test-only request.
#[cfg(feature = "fault-injection")]
pub async fn test_call(env: &Env, test: super::protocol::DeliveryTest) -> Result<serde_json::Value, EdgeError> {
    call(env, &DeliveryRequest::Test(test)).await
}
