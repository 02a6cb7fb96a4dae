//! Every test-only route, in one place (the `fault-injection` build; the production build has no
//! route to any of them, and xtask's deploy check refuses a build holding `USAGE`).

use worker::{Env, Request, Response};

use crate::error::EdgeError;
use crate::store::protocol::TestCall;
use crate::{pages, read, store, url};

/// A test-only route under `/__sitrep/`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Switch {
    /// `POST fault`: `store-down` or `store-up` for this isolate's view of the store and KV,
    /// `kv-fail <ms>` to make the store's KV writes fail for that long, `pauses-fail <ms>` to make
    /// the store refuse the delivery object's pauses for that long, `panic-next-read` to make the
    /// next read document answered panic.
    Fault,
    /// `keys?prefix=`: the store's keys under a prefix (`delivery:` first: the delivery object's).
    Keys,
    /// `stats[?reset]`: the requests this isolate sent the store, and the store's state.
    Stats,
    /// `kv?key=`: the version of a document's KV entry.
    Kv,
    /// `outbox`: the events in the store's outbox.
    Outbox,
    /// `give-up?ms=`: deliveries are given up after `ms` instead of a day.
    GiveUp,
    /// `renders`: the renderings this isolate performed and holds.
    Renders,
}

impl Switch {
    /// The switch a path names.
    pub fn of(path: &str) -> Option<Self> {
        Some(match path.strip_prefix("/__sitrep/")? {
            "fault" => Self::Fault,
            "keys" => Self::Keys,
            "stats" => Self::Stats,
            "kv" => Self::Kv,
            "outbox" => Self::Outbox,
            "give-up" => Self::GiveUp,
            "renders" => Self::Renders,
            _ => return None,
        })
    }
}

/// Answers a test-only route.
pub async fn answer(switch: Switch, req: Request, env: &Env, query: &str) -> Response {
    let json = match switch {
        Switch::Fault => return fault(req, env).await,
        Switch::Keys => {
            let prefix = url::query_param(query, "prefix").unwrap_or_default();
            match prefix.strip_prefix("delivery:") {
                Some(prefix) => {
                    let call = crate::delivery::protocol::DeliveryTest::Keys { prefix: prefix.to_owned() };
                    crate::delivery::test_call(env, call).await
                }
                None => store::test_call(env, TestCall::Keys { prefix }).await,
            }
        }
        Switch::Stats => {
            let calls = crate::faults::calls(url::query_param(query, "reset").is_some());
            let store = store::test_call(env, TestCall::Stats).await;
            store.map(|store| serde_json::json!({ "calls": calls, "store": store }))
        }
        Switch::Kv => {
            let key = url::query_param(query, "key").unwrap_or_default();
            read::kv_version(env, &key).await.map(|v| serde_json::json!(v))
        }
        Switch::Outbox => store::test_call(env, TestCall::Outbox).await,
        Switch::GiveUp => {
            let ms = url::query_param(query, "ms").and_then(|ms| ms.parse().ok()).unwrap_or(0);
            crate::delivery::test_call(env, crate::delivery::protocol::DeliveryTest::GiveUpAfter { ms }).await
        }
        Switch::Renders => {
            let (renders, kept) = pages::renders();
            Ok(serde_json::json!({ "renders": renders, "kept": kept }))
        }
    };
    json.and_then(|value| Ok(Response::from_json(&value)?)).unwrap_or_else(|err| crate::error::response(&err, false))
}

async fn fault(mut req: Request, env: &Env) -> Response {
    // xtask's deploy check looks for these bytes: only the test build holds them.
    // (`TEST_ROUTE_MARKER` in xtask/src/edge.rs is the first part of this text.)
    const USAGE: &str = "send store-down, store-up or kv-fail <ms> (or pauses-fail <ms>, or panic-next-read)";
    let body = req.text().await.unwrap_or_default();
    let words: Vec<&str> = body.split_whitespace().collect();
    let result = match words.as_slice() {
        [word @ ("store-down" | "store-up")] => {
            crate::faults::set_store_down(*word == "store-down");
            Ok(())
        }
        ["panic-next-read"] => {
            crate::faults::panic_next_read();
            Ok(())
        }
        ["pauses-fail", ms] => match ms.parse::<u64>() {
            Ok(for_ms) => store::test_call(env, TestCall::FailPauses { for_ms }).await.map(|_| ()),
            Err(_) => Err(EdgeError::BadRequest(USAGE.into())),
        },
        ["kv-fail", ms] => match ms.parse::<u64>() {
            Ok(for_ms) => store::test_call(env, TestCall::FailKvPuts { for_ms }).await.map(|_| ()),
            Err(_) => Err(EdgeError::BadRequest(USAGE.into())),
        },
        _ => Err(EdgeError::BadRequest(USAGE.into())),
    };
    match result {
        Ok(()) => Response::builder().with_status(204).empty(),
        Err(err) => crate::error::response(&err, false),
    }
}
