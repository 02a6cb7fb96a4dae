//! The seam between the Worker and the page store: one serde request enum and one answer type,
//! carried as JSON in the body of the Durable Object's `fetch` and routed once on each side.
//! Nothing crosses as a path, a smuggled header or an error rebuilt from a string.

use serde::{Deserialize, Serialize};
use sitrep_shared::access::Actor;
use sitrep_shared::document::Document;

use crate::error::EdgeError;
use sitrep_shared::api::Operation;

/// What the Worker and the delivery object ask of the store. Each request has its own answer type,
/// named by its caller in `client`.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "request", rename_all = "snake_case")]
pub enum StoreRequest {
    /// Render one public document at the current version. Answered with [`WireDoc`].
    Render { doc: Document },
    /// One write-API operation, already authenticated and size-checked by the Worker. Answered
    /// with [`AdminReply`].
    Admin(Box<AdminCall>),
    /// From the delivery object: a subscription's deliveries failed for a day; pause it with the
    /// reason (a write by the store, logged). Answered with [`AdminReply`].
    Paused { subscription: String, reason: String, token: String },
    /// The page was removed: stop and empty (see `crate::named`). Answered with [`Done`].
    Retire,
    /// Test builds only: fault switches and what the store saw. Answered with a JSON value.
    #[cfg(feature = "fault-injection")]
    Test(TestCall),
}

/// Done, nothing to say.
#[derive(Debug, Serialize, Deserialize)]
pub struct Done {}

/// A write-API request as the store needs it.
#[derive(Debug, Serialize, Deserialize)]
pub struct AdminCall {
    /// The operation, with the ids from its path.
    pub op: Operation,
    /// The JSON body (empty for operations without one).
    pub body: String,
    /// `If-Match`, for optimistic concurrency.
    pub if_match: Option<String>,
    /// `Idempotency-Key` (POST only).
    pub idempotency_key: Option<String>,
    /// `limit` of `GET log`.
    pub limit: Option<usize>,
    /// What an Idempotency-Key's reply is bound to: method, path and a hash of the body.
    pub fingerprint: String,
    /// Who sent it, for the audit log.
    pub caller: Caller,
}

impl AdminCall {
    /// A write the store makes itself (an alarm's transition, a pause after failed deliveries):
    /// logged as by "sitrep", with `why` as the user agent.
    pub fn by_the_store(op: Operation, why: &str) -> Self {
        Self {
            op,
            body: String::new(),
            if_match: None,
            idempotency_key: None,
            limit: None,
            fingerprint: String::new(),
            caller: Caller {
                client: "sitrep".into(),
                ray: None,
                user_agent: Some(why.to_owned()),
                actor: Some(Actor::Sitrep),
            },
        }
    }
}

/// Who wrote, as the audit log records it: never the address itself.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Caller {
    /// The client address, hashed with a key only this deployment has (see `auth::client_hash`).
    pub client: String,
    /// Cloudflare's ray id of the request, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ray: Option<String>,
    /// The `User-Agent` header, cut to 200 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    /// Who it was: an operator, the admin token, or sitrep itself (absent from entries written
    /// before operators had names).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<Actor>,
}

/// A rendered document as it crosses the seam (the bodies are always UTF-8 text).
#[derive(Debug, Serialize, Deserialize)]
pub struct WireDoc {
    /// The bytes to send, as text.
    pub body: String,
    /// Its strong ETag.
    pub etag: String,
    /// Its media type.
    pub content_type: String,
    /// Milliseconds since the epoch at which it stops being true, if ever.
    pub valid_until: Option<u64>,
    /// The page version it was rendered from.
    pub version: u64,
}

/// The store's answer to a write-API request.
#[derive(Debug, Serialize, Deserialize)]
pub struct AdminReply {
    /// HTTP status (200 or 201).
    pub status: u16,
    /// The page version after the write (or at the read).
    pub version: u64,
    /// The JSON body.
    pub body: String,
    /// Whether this is the stored first reply to an earlier request with the same Idempotency-Key.
    pub replay: bool,
}

/// Test-only requests (the `fault-injection` build).
#[cfg(feature = "fault-injection")]
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TestCall {
    /// Make every KV write of publication fail for this many milliseconds from now (0 ends it).
    FailKvPuts { for_ms: u64 },
    /// Refuse the delivery object's pauses (`Paused`) for this many milliseconds from now.
    FailPauses { for_ms: u64 },
    /// The stored keys under a prefix.
    Keys { prefix: String },
    /// The store's version and publication's state.
    Stats,
    /// The events in the delivery object's outbox, oldest first, once everything written was
    /// handed to it.
    Outbox,
}

/// A request body: a JSON object (serde would also read a struct from an array) of `T`'s shape;
/// 400 saying the body `fault` otherwise.
pub fn read_object<T: serde::de::DeserializeOwned>(body: &[u8], fault: &str) -> Result<T, EdgeError> {
    if !sitrep_shared::command::is_json_object(body) {
        return Err(EdgeError::BadRequest("the body must be a JSON object".into()));
    }
    serde_json::from_slice(body).map_err(|e| EdgeError::BadRequest(format!("the body {fault}: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(request: &StoreRequest) -> String {
        let json = serde_json::to_string(request).unwrap();
        let back: StoreRequest = serde_json::from_str(&json).unwrap();
        assert_eq!(serde_json::to_string(&back).unwrap(), json);
        json
    }

    #[test]
    fn every_request_crosses_the_seam_as_itself() {
        round_trip(&StoreRequest::Render { doc: Document::Incident("abc".into()) });
        round_trip(&StoreRequest::Render { doc: Document::Summary });
        use sitrep_shared::api::Endpoint;
        for op in [
            Operation::new(Endpoint::ImportPage),
            Operation::on(Endpoint::PostIncidentUpdate, "abc"),
            Operation::new(Endpoint::Log),
        ] {
            let call = AdminCall {
                op,
                body: "{\"name\":\"x\"}".into(),
                if_match: Some("\"3\"".into()),
                idempotency_key: None,
                limit: Some(5),
                fingerprint: "POST incidents \"0-0\"".into(),
                caller: Caller { client: "00ff".into(), ray: None, user_agent: Some("curl".into()), actor: None },
            };
            round_trip(&StoreRequest::Admin(Box::new(call)));
        }
        let token = "pause/sub_1/outbox/0000000000000003/0000".into();
        round_trip(&StoreRequest::Paused { subscription: "sub_1".into(), reason: "answered 500".into(), token });
    }

    #[test]
    fn refusals_cross_the_seam_typed() {
        type Answer = Result<AdminReply, EdgeError>;
        let json = serde_json::to_string(&Answer::Err(EdgeError::Invalid(vec![]))).unwrap();
        assert!(matches!(serde_json::from_str::<Answer>(&json).unwrap(), Err(EdgeError::Invalid(_))));
        let json = serde_json::to_string(&Answer::Err(EdgeError::UnknownIncident("x".into()))).unwrap();
        assert!(matches!(serde_json::from_str::<Answer>(&json).unwrap(), Err(EdgeError::UnknownIncident(_))));
    }
}
