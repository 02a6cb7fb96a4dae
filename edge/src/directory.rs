//! What the Worker does around the account store's page calls (`POST pages`, `DELETE pages/{id}`):
//! which hostnames a new page may not take, and once the directory changed, this isolate's copy of
//! it taken at once (the next request here finds the new page), a new page's store started with
//! its name and URL, and what this isolate wrote to a removed page forgotten.

use serde_json::json;
use sitrep_shared::api::{Endpoint, Operation};
use sitrep_shared::host::{Host, PageEntry};
use worker::Env;

use crate::error::EdgeError;
use crate::page::{self, Page};
use crate::store::protocol::{AdminCall, Caller};

/// The hostnames no new page may take: the one this call came to (an operator cannot move the
/// page they work from to another) and the loopback names (a development machine's default page).
pub fn reserved(url: &str) -> Vec<Host> {
    let loopback = ["localhost", "127.0.0.1"].into_iter().filter_map(Host::of_name);
    Host::of_url(url).into_iter().chain(loopback).collect()
}

/// After the account store answered a page call with `body` (`{"page": ...}`): see the module.
pub async fn changed(
    env: &Env,
    body: &serde_json::Value,
    added: bool,
    caller: Caller,
    origin: &str,
) -> Result<(), EdgeError> {
    let entry: PageEntry = serde_json::from_value(body["page"].clone())
        .map_err(|e| EdgeError::Internal(format!("the account store's page does not read: {e}")))?;
    page::refresh(env, crate::clock::now_ms()).await?;
    if !added {
        crate::read::forget_page(entry.id.as_str());
        return Ok(());
    }
    start(env, &entry, caller, origin).await.map_err(|err| {
        EdgeError::Internal(format!(
            "page {:?} was added, but its store did not start ({err}): import its page with `sitrep import --page {}`",
            entry.id.as_str(),
            entry.id.as_str()
        ))
    })
}

/// Imports a new page's first state into its store: its name, its URL (its first hostname, under
/// the scheme and port this deployment was reached by) and nothing else. Only into an empty
/// store (`If-Match: 0`).
async fn start(env: &Env, entry: &PageEntry, caller: Caller, origin: &str) -> Result<(), EdgeError> {
    let now = sitrep_shared::Timestamp::from_unix_millis(crate::clock::now_ms() as i64)
        .ok_or_else(|| EdgeError::Internal("the clock is out of range".into()))?;
    let first = entry.hosts.first().ok_or_else(|| EdgeError::Internal("a page without a hostname".into()))?;
    let body = json!({
        "page": { "id": entry.id, "name": entry.name, "url": page_url(origin, first), "updated_at": now },
        "components": [],
        "incidents": [],
        "scheduled_maintenances": [],
    });
    let call = AdminCall {
        op: Operation::new(Endpoint::ImportPage),
        body: body.to_string(),
        if_match: Some("0".into()),
        idempotency_key: None,
        limit: None,
        fingerprint: format!("start {}", entry.object()),
        caller,
    };
    let page = Page::of_entry(entry.clone());
    crate::store::admin(env, &page, call).await?;
    Ok(())
}

/// A page's URL: `host` under the scheme and port of `origin` (how this deployment is reached).
fn page_url(origin: &str, host: &Host) -> String {
    let (scheme, rest) = origin.split_once("://").unwrap_or(("https", origin));
    let port = rest.rsplit_once(':').map(|(_, port)| port).filter(|p| p.bytes().all(|b| b.is_ascii_digit()));
    match port {
        Some(port) => format!("{scheme}://{host}:{port}"),
        None => format!("{scheme}://{host}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_page_is_reached_as_the_deployment_is() {
        let host = Host::of_name("acme.localhost").unwrap();
        assert_eq!(page_url("http://127.0.0.1:8787", &host), "http://acme.localhost:8787");
        assert_eq!(page_url("https://status.example.com", &host), "https://acme.localhost");
    }

    #[test]
    fn the_host_a_call_came_to_and_loopback_stay_the_default_pages() {
        let names: Vec<String> =
            reserved("https://Status.Example.com:8443/api").into_iter().map(String::from).collect();
        assert_eq!(names, ["status.example.com", "localhost", "127.0.0.1"]);
    }
}
