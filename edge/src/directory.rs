//! What the Worker does around the account store's page calls (`POST pages`, `DELETE pages/{id}`):
//! which hostnames a new page may not take, a new page's store started with its name and URL
//! (before the page is answered as added), a removed page's objects retired, and this isolate's
//! copy of the directory taken at once (the next request here sees the change).

use serde_json::json;
use sitrep_shared::api::{Endpoint, Operation};
use sitrep_shared::document::Document;
use sitrep_shared::host::{Host, NewReaderLink, PageEntry};
use sitrep_shared::reader;
use worker::Env;

use crate::error::EdgeError;
use crate::page::{self, Page};
use crate::store::protocol::{AdminCall, Caller};

/// The hostnames no new page may take: the one this call came to (an operator cannot move the
/// page they work from to another), the default page's own (the host of its URL) and the loopback
/// names (a development machine's default page).
pub async fn reserved(env: &Env, url: &str) -> Vec<Host> {
    let mut reserved = always_reserved(url);
    // Best effort: a default page that cannot be read now has no URL to keep.
    if let Ok(summary) = crate::store::fetch_doc(env, &Page::default(), &Document::Summary).await
        && let Ok(parsed) = serde_json::from_slice::<PageUrl>(&summary.body)
    {
        reserved.extend(Host::of_url(&parsed.page.url));
    }
    reserved
}

/// The hostnames reserved without asking the default page: the one of `url` and loopback's.
fn always_reserved(url: &str) -> Vec<Host> {
    let loopback = ["localhost", "127.0.0.1"].into_iter().filter_map(Host::of_name);
    Host::of_url(url).into_iter().chain(loopback).collect()
}

/// As much of a summary as its page's URL.
#[derive(serde::Deserialize)]
struct PageUrl {
    page: UrlOnly,
}

#[derive(serde::Deserialize)]
struct UrlOnly {
    #[serde(default)]
    url: String,
}

/// After the account store answered a page call with `body` (`{"page": ...}`); see the module.
/// Adding: the new page's store is started first, and if it cannot be the page is removed again
/// (the call fails and nothing was added). Removing: the page's store and delivery object are
/// retired (`crate::named`); `body` then says whether they were (`"stopped"`).
pub async fn changed(
    env: &Env,
    body: &mut serde_json::Value,
    added: bool,
    caller: Caller,
    origin: &str,
) -> Result<(), EdgeError> {
    let entry: PageEntry = serde_json::from_value(body["page"].clone())
        .map_err(|e| EdgeError::Internal(format!("the account store's page does not read: {e}")))?;
    let page = Page::of_entry(entry.clone());
    let now = crate::clock::now_ms();
    if added {
        if let Err(err) = start(env, &page, &entry, caller.clone(), origin).await {
            let id = entry.id.as_str();
            worker::console_error!("page {id}'s store did not start ({err}); removing it again");
            let op = Operation::on(Endpoint::RemovePage, id);
            let actor = caller.actor.ok_or_else(|| EdgeError::Internal("a page call without its caller".into()))?;
            let undo = crate::accounts::protocol::AccountCall {
                op,
                body: String::new(),
                actor,
                secret: None,
                reserved: vec![],
            };
            crate::accounts::admin(env, undo).await?;
            page::refresh(env, now).await?;
            return Err(EdgeError::Unavailable);
        }
        return page::refresh(env, now).await;
    }
    page::refresh(env, now).await?;
    crate::read::forget_page(&page);
    let stopped = match crate::store::retire(env, &page).await {
        Ok(()) => true,
        Err(err) => {
            worker::console_error!("page {} was removed, but its store did not stop: {err}", entry.id.as_str());
            false
        }
    };
    body["stopped"] = stopped.into();
    Ok(())
}

/// The days a reader link asked for lives (`POST pages/{id}/links`), checked.
pub fn link_days(body: &str) -> Result<u32, EdgeError> {
    let asked: NewReaderLink = if body.trim().is_empty() {
        NewReaderLink::default()
    } else {
        serde_json::from_str(body).map_err(|e| EdgeError::BadRequest(format!("the body does not parse: {e}")))?
    };
    let days = asked.days.unwrap_or(reader::DEFAULT_DAYS);
    if !(1..=reader::MAX_DAYS).contains(&days) {
        return Err(EdgeError::Invalid(vec![sitrep_shared::Problem {
            path: "days".into(),
            code: sitrep_shared::ProblemCode::Invalid,
            message: format!("a reader link lives 1 to {} days", reader::MAX_DAYS),
        }]));
    }
    Ok(days)
}

/// Signs a reader link of the private page the account store answered with (`body["page"]`),
/// living `days`, into `body` (`link`, `expires_at`); the answer's status.
pub fn reader_link(env: &Env, body: &mut serde_json::Value, days: u32, origin: &str) -> Result<u16, EdgeError> {
    let entry: PageEntry = serde_json::from_value(body["page"].clone())
        .map_err(|e| EdgeError::Internal(format!("the account store's page does not read: {e}")))?;
    let secret = crate::bindings::admin_secret(env);
    let now_s = (crate::clock::now_ms() / 1000) as i64;
    let expires_s = now_s + i64::from(days) * 86_400;
    let token = reader::make(&reader::key(&secret), &entry, expires_s);
    let first = entry.hosts.first().ok_or_else(|| EdgeError::Internal("a page without a hostname".into()))?;
    body["link"] = format!("{}/?reader={token}", page_url(origin, first)).into();
    body["expires_at"] =
        sitrep_shared::Timestamp::from_unix_millis(expires_s * 1000).map(|t| serde_json::json!(t)).unwrap_or_default();
    Ok(201)
}

/// Imports a new page's first state into its store: its name, its URL (its first hostname, under
/// the scheme and port this deployment was reached by; none if that would be longer than a page's
/// URL may be) and nothing else. Only into an empty store (`If-Match: 0`).
async fn start(env: &Env, page: &Page, entry: &PageEntry, caller: Caller, origin: &str) -> Result<(), EdgeError> {
    let now = sitrep_shared::Timestamp::from_unix_millis(crate::clock::now_ms() as i64)
        .ok_or_else(|| EdgeError::Internal("the clock is out of range".into()))?;
    let first = entry.hosts.first().ok_or_else(|| EdgeError::Internal("a page without a hostname".into()))?;
    let url = page_url(origin, first);
    let url = if url.chars().count() <= sitrep_shared::limits::PAGE_URL_CHARS { url } else { String::new() };
    let body = json!({
        "page": { "id": entry.id, "name": entry.name, "url": url, "updated_at": now },
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
    crate::store::admin(env, page, call).await?;
    Ok(())
}

/// A page's URL: `host` under the scheme and port of `origin` (how this deployment is reached).
fn page_url(origin: &str, host: &Host) -> String {
    sitrep_shared::host::page_origin(origin, host.as_str())
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
            always_reserved("https://Status.Example.com:8443/api").into_iter().map(String::from).collect();
        assert_eq!(names, ["status.example.com", "localhost", "127.0.0.1"]);
    }
}
