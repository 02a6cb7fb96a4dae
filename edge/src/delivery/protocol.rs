//! The seam of the delivery object: one serde request enum, and for each request its own answer
//! type (the client names it, so no answer can come back as another's).

use serde::{Deserialize, Serialize};
use sitrep_shared::notify::delivery::Outcome;

use crate::handoff::Take;

/// What the writer, the queue consumer and the tests ask of the delivery object.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "request", rename_all = "snake_case")]
pub enum DeliveryRequest {
    /// From the writer: the next items of its hand-off. Answered with [`Taken`].
    Take(Take),
    /// From the queue consumer. Answered with [`DeliverReply`].
    Deliver(DeliverCall),
    /// From the writer, for the write API. Answered with [`Listed`] or [`Replayed`].
    Admin(DeliveryAdmin),
    /// From the writer: the page was removed; stop and empty (see `crate::named`). Answered with
    /// [`Retired`].
    Retire,
    /// Test builds only. Answered with a JSON value.
    #[cfg(feature = "fault-injection")]
    Test(DeliveryTest),
}

/// The object stopped and emptied.
#[derive(Debug, Serialize, Deserialize)]
pub struct Retired {}

/// The write API's delivery calls (the writer checked the token, the path and the version).
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryAdmin {
    /// `GET subscriptions/{id}/deliveries`.
    List { subscription: String },
    /// `POST subscriptions/{id}/deliveries/{delivery}/replay`.
    Replay { subscription: String, delivery: String },
}

/// How far the delivery object has taken the hand-off: its last item's key.
#[derive(Debug, Serialize, Deserialize)]
pub struct Taken {
    pub up_to: String,
}

/// A subscription's deliveries, as `GET subscriptions/{id}/deliveries` shows them.
#[derive(Debug, Serialize, Deserialize)]
pub struct Listed {
    pub deliveries: serde_json::Value,
    pub replays_waiting: usize,
    pub gaps: serde_json::Value,
}

/// A replay queued (once, however often it is asked).
#[derive(Debug, Serialize, Deserialize)]
pub struct Replayed {
    pub paused: bool,
}

/// What the queue consumer asks about one subscription's deliveries.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliverCall {
    /// Hand out the next try owed to this subscription, if it may send now.
    Claim { subscription: String },
    /// What claim `claim` came to; answered with the next try if `next` and one may go now.
    Report {
        subscription: String,
        claim: u64,
        outcome: Outcome,
        /// Absent from an older consumer's reports (during a deployment): no next try.
        #[serde(default)]
        next: bool,
    },
}

/// One try, ready to send: the delivery object built and signed it; the consumer only sends it.
#[derive(Debug, Serialize, Deserialize)]
pub struct Outgoing {
    pub subscription: String,
    /// The claim's number, for the report.
    pub claim: u64,
    /// When the claim's lease ends (ms since the epoch): a consumer that got this too late to
    /// send within it does not send (another claim may be out by then).
    pub lease_until: i64,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// How long the receiver has to answer (ms): chat hooks answer at once or not at all.
    #[serde(default = "default_timeout")]
    pub timeout_ms: u32,
    /// Whether the consumer may put this try off while its host is busy (`Outcome::Deferred`):
    /// false once it was put off `MAX_DEFERRALS` times.
    #[serde(default)]
    pub may_defer: bool,
}

fn default_timeout() -> u32 {
    sitrep_shared::notify::delivery::SEND_TIMEOUT_MS
}

/// A queue message: wake up and deliver what subscription `subscription` of the page whose
/// delivery object is named `page` is owed (no payload: the delivery object hands out each try).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Kick {
    pub subscription: String,
    /// The delivery object's name (`crate::page::Page::object`); wake-ups queued before there were
    /// several pages have none and are the default page's.
    #[serde(default = "default_page")]
    pub page: String,
}

fn default_page() -> String {
    crate::bindings::PAGE_NAME.to_owned()
}

/// The delivery object's answer to the consumer.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliverReply {
    /// Send this.
    Send(Box<Outgoing>),
    /// Nothing may be sent now (nothing owed, paused, held by another consumer, or waiting to retry).
    Idle,
}

/// Test-only requests (the `fault-injection` build).
#[cfg(feature = "fault-injection")]
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryTest {
    /// The events in the outbox, oldest first.
    Outbox,
    /// The stored keys under a prefix.
    Keys { prefix: String },
    /// Give deliveries up after this many milliseconds of failures instead of a day (0 restores it).
    GiveUpAfter { ms: i64 },
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(request: &DeliveryRequest) {
        let json = serde_json::to_string(request).unwrap();
        let back: DeliveryRequest = serde_json::from_str(&json).unwrap();
        assert_eq!(serde_json::to_string(&back).unwrap(), json);
    }

    #[test]
    fn every_request_crosses_the_seam_as_itself() {
        round_trip(&DeliveryRequest::Deliver(DeliverCall::Claim { subscription: "sub_1".into() }));
        let outcome = Outcome::Failed { reason: "answered 500".into() };
        let report = DeliverCall::Report { subscription: "sub_1".into(), claim: 3, outcome, next: true };
        round_trip(&DeliveryRequest::Deliver(report));
        round_trip(&DeliveryRequest::Admin(DeliveryAdmin::Replay { subscription: "s".into(), delivery: "e".into() }));
    }
}
