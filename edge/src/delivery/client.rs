//! The callers' side of the delivery object's seam (the writer, the queue consumer, the tests):
//! each call names the answer type it expects.

use serde::de::DeserializeOwned;
use worker::Env;

use super::protocol::{DeliverCall, DeliverReply, DeliveryAdmin, DeliveryRequest, Listed, Replayed, Taken};
use crate::bindings::DELIVERY_STORE_BINDING;
use crate::error::EdgeError;
use crate::handoff::Take;

/// Sends one request to the delivery object named `object` (its page's:
/// `crate::page::Page::object`, the same name as the page's store). An object that cannot be reached or answers something that is not the
/// expected answer is [`EdgeError::Unavailable`]; its own refusals come back as they are.
async fn call<T: DeserializeOwned>(env: &Env, object: &str, request: &DeliveryRequest) -> Result<T, EdgeError> {
    #[cfg(feature = "fault-injection")]
    if matches!(request, DeliveryRequest::Deliver(_)) {
        crate::faults::count("deliver");
    }
    crate::seam::call(env, DELIVERY_STORE_BINDING, object, request).await
}

/// Hands a batch of items over (from the writer).
pub async fn take(env: &Env, object: &str, take: Take) -> Result<Taken, EdgeError> {
    call(env, object, &DeliveryRequest::Take(take)).await
}

/// The consumer's side of a delivery.
pub async fn deliver(env: &Env, object: &str, call_: DeliverCall) -> Result<DeliverReply, EdgeError> {
    call(env, object, &DeliveryRequest::Deliver(call_)).await
}

/// A subscription's deliveries.
pub async fn list(env: &Env, object: &str, subscription: &str) -> Result<Listed, EdgeError> {
    call(env, object, &DeliveryRequest::Admin(DeliveryAdmin::List { subscription: subscription.to_owned() })).await
}

/// Queues a replay.
pub async fn replay(env: &Env, object: &str, subscription: &str, delivery: &str) -> Result<Replayed, EdgeError> {
    let admin = DeliveryAdmin::Replay { subscription: subscription.to_owned(), delivery: delivery.to_owned() };
    call(env, object, &DeliveryRequest::Admin(admin)).await
}

/// The page was removed: its delivery object named `object` stops and empties.
pub async fn retire(env: &Env, object: &str) -> Result<(), EdgeError> {
    let _: super::protocol::Retired = call(env, object, &DeliveryRequest::Retire).await?;
    Ok(())
}

/// A test-only request.
#[cfg(feature = "fault-injection")]
pub async fn test_call(env: &Env, test: super::protocol::DeliveryTest) -> Result<serde_json::Value, EdgeError> {
    call(env, crate::bindings::PAGE_NAME, &DeliveryRequest::Test(test)).await
}
