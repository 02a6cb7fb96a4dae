//! The page store: one Durable Object per page, the single writer and the source of truth.
//!
//! Storage layout (one key per thing, so a write costs what it changes): `version` (u64),
//! `page` (the page's JSON), `components` (JSON list), and `event/{id}` per incident or
//! maintenance (JSON). The object keeps the indexed [`PageState`] in memory after the first load.
//!
//! The worker talks to it over two internal routes: `GET /doc?key=&base=` renders one document,
//! `PUT /page` replaces the whole page (validated; all or nothing) and publishes the documents to KV.

use std::cell::RefCell;
use std::rc::Rc;

use serde::Deserialize;
use sitrep_shared::document::{Document, FIXED, RenderError};
use sitrep_shared::{Component, Incident, Page, PageData, PageState, Problem, Timestamp, validate};
use worker::{
    DurableObject, Env, Headers, ListOptions, Method, Request, RequestInit, Response, State, durable_object, js_sys,
    wasm_bindgen::JsValue,
};

use crate::error::{self, EdgeError};
use crate::read::{self, Doc};
use crate::{KV_BINDING, PAGE_NAME, STORE_BINDING, cache, url};

const EVENT_PREFIX: &str = "event/";

/// The single writer of one page.
#[durable_object]
pub struct PageStore {
    state: State,
    env: Env,
    loaded: RefCell<Option<Rc<Loaded>>>,
}

impl std::fmt::Debug for PageStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let version = self.loaded.borrow().as_ref().map(|l| l.version);
        f.debug_struct("PageStore").field("version", &version).finish_non_exhaustive()
    }
}

struct Loaded {
    version: u64,
    page: PageState,
}

impl DurableObject for PageStore {
    fn new(state: State, env: Env) -> Self {
        Self { state, env, loaded: RefCell::new(None) }
    }

    async fn fetch(&self, req: Request) -> worker::Result<Response> {
        let path = req.path();
        let result = match (req.method(), path.as_str()) {
            (Method::Get, "/doc") => self.doc(&req).await,
            (Method::Put, "/page") => self.replace(req).await,
            _ => Err(EdgeError::NotFound(path)),
        };
        Ok(result.unwrap_or_else(|err| error::response(&err, false)))
    }
}

impl PageStore {
    async fn load(&self) -> Result<Rc<Loaded>, EdgeError> {
        if let Some(loaded) = self.loaded.borrow().as_ref() {
            return Ok(Rc::clone(loaded));
        }
        let storage = self.state.storage();
        let Some(version) = storage.get::<u64>("version").await? else {
            return Err(EdgeError::NotLoaded);
        };
        let page: String = storage.get("page").await?.ok_or(EdgeError::NotLoaded)?;
        let components: String = storage.get("components").await?.ok_or(EdgeError::NotLoaded)?;
        let page: Page = from_json(&page)?;
        let components: Vec<Component> = from_json(&components)?;
        let events = storage.list_with_options(ListOptions::new().prefix(EVENT_PREFIX)).await?;
        let mut incidents = Vec::new();
        let mut scheduled_maintenances = Vec::new();
        for value in events.values() {
            let text = value.map_err(|e| EdgeError::Internal(format!("{e:?}")))?.as_string().unwrap_or_default();
            let event: Incident = from_json(&text)?;
            if event.is_maintenance() {
                scheduled_maintenances.push(event);
            } else {
                incidents.push(event);
            }
        }
        let data = PageData { page, components, incidents, scheduled_maintenances };
        let loaded = Rc::new(Loaded { version, page: PageState::new(data) });
        *self.loaded.borrow_mut() = Some(Rc::clone(&loaded));
        Ok(loaded)
    }

    async fn doc(&self, req: &Request) -> Result<Response, EdgeError> {
        let full = req.inner().url();
        let (_, _, query) = url::split(&full);
        let key = url::query_param(query, "key").unwrap_or_default();
        let base = url::query_param(query, "base").unwrap_or_default();
        let doc = Document::from_key(&key).ok_or_else(|| EdgeError::NotFound(key.clone()))?;
        let loaded = self.load().await?;
        let rendered = render(&loaded, &doc, &base)?;
        Ok(rendered.to_response(0))
    }

    async fn replace(&self, mut req: Request) -> Result<Response, EdgeError> {
        let base = req.headers().get("x-sitrep-base").ok().flatten().unwrap_or_default();
        let body = req.text().await?;
        let data: PageData =
            serde_json::from_str(&body).map_err(|e| EdgeError::BadRequest(format!("the body is not a page: {e}")))?;
        let problems = validate(&data);
        if !problems.is_empty() {
            return Err(EdgeError::Invalid(problems));
        }
        let version = match self.load().await {
            Ok(loaded) => loaded.version + 1,
            Err(EdgeError::NotLoaded) => 1,
            Err(err) => return Err(err),
        };
        let page = to_json(&data.page)?;
        let components = to_json(&data.components)?;
        let mut events = Vec::with_capacity(data.incidents.len() + data.scheduled_maintenances.len());
        for event in data.incidents.iter().chain(&data.scheduled_maintenances) {
            events.push((format!("{EVENT_PREFIX}{}", event.id), to_json(event)?));
        }
        // All or nothing: the old events go and the new ones arrive in one transaction.
        self.state
            .storage()
            .transaction(move |txn| async move {
                let old = txn.list_with_options(ListOptions::new().prefix(EVENT_PREFIX)).await?;
                let old: Vec<String> = old.keys().into_iter().filter_map(|k| k.ok()?.as_string()).collect();
                // The platform deletes at most 128 keys per call.
                for chunk in old.chunks(128) {
                    txn.delete_multiple(chunk.to_vec()).await?;
                }
                txn.put("version", version).await?;
                txn.put("page", page).await?;
                txn.put("components", components).await?;
                for (key, value) in events {
                    txn.put(&key, value).await?;
                }
                Ok(())
            })
            .await?;
        let loaded = Rc::new(Loaded { version, page: PageState::new(data) });
        *self.loaded.borrow_mut() = Some(Rc::clone(&loaded));
        let kv = self.env.kv(KV_BINDING)?;
        for doc in FIXED {
            let rendered = render(&loaded, &doc, &base)?;
            read::publish(&kv, &doc.key(), &rendered).await?;
        }
        let headers = Headers::new();
        let _ = headers.set("content-type", "application/json; charset=utf-8");
        Ok(Response::builder().with_headers(headers).fixed(format!("{{\"version\":{version}}}").into_bytes()))
    }
}

fn render(loaded: &Loaded, doc: &Document, base: &str) -> Result<Doc, EdgeError> {
    let now =
        Timestamp::from_unix_millis(read::now_ms() as i64).ok_or(EdgeError::Internal("clock out of range".into()))?;
    let rendered = doc.render(&loaded.page, now, base).map_err(|err| match err {
        RenderError::NotFound(id) => EdgeError::UnknownIncident(id),
        RenderError::Json(err) => EdgeError::Internal(err.to_string()),
    })?;
    Ok(Doc {
        etag: cache::etag(&rendered.body),
        body: rendered.body,
        content_type: rendered.content_type.to_owned(),
        valid_until: rendered.valid_until.map(|t| t.unix_millis().max(0) as u64),
        version: loaded.version,
    })
}

fn from_json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, EdgeError> {
    serde_json::from_str(text).map_err(|e| EdgeError::Internal(format!("stored data does not parse: {e}")))
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<String, EdgeError> {
    serde_json::to_string(value).map_err(|e| EdgeError::Internal(e.to_string()))
}

/// The error body the object answers with, read back on the worker's side.
#[derive(Deserialize)]
struct ErrorBody {
    error: ErrorInner,
}

#[derive(Deserialize)]
struct ErrorInner {
    code: String,
    message: String,
    #[serde(default)]
    problems: Vec<Problem>,
}

async fn call(env: &Env, method: Method, path: &str, body: Option<Vec<u8>>, base: &str) -> Result<Response, EdgeError> {
    if read::store_down() {
        return Err(EdgeError::Unavailable);
    }
    let stub = env.durable_object(STORE_BINDING)?.get_by_name(PAGE_NAME)?;
    let headers = Headers::new();
    headers.set("x-sitrep-base", base)?;
    let mut init = RequestInit::new();
    init.with_method(method).with_headers(headers);
    if let Some(body) = body {
        init.with_body(Some(JsValue::from(js_sys::Uint8Array::from(body.as_slice()))));
    }
    let request = Request::new_with_init(&format!("https://store{path}"), &init)?;
    let mut response = stub.fetch_with_request(request).await?;
    if response.status_code() == 200 {
        return Ok(response);
    }
    let text = response.text().await.unwrap_or_default();
    let parsed: Option<ErrorBody> = serde_json::from_str(&text).ok();
    Err(match parsed {
        Some(ErrorBody { error }) => match error.code.as_str() {
            "unknown_incident" => EdgeError::UnknownIncident(error.message),
            "page_not_loaded" => EdgeError::NotLoaded,
            "bad_request" => EdgeError::BadRequest(error.message),
            "invalid" => EdgeError::Invalid(error.problems),
            _ => EdgeError::Internal(error.message),
        },
        None => EdgeError::Internal(format!("store answered {}", response.status_code())),
    })
}

/// One rendered document from the store.
pub async fn fetch_doc(env: &Env, key: &str, base: &str) -> Result<Doc, EdgeError> {
    let path = format!("/doc?key={}&base={}", url::encode(key), url::encode(base));
    let response = call(env, Method::Get, &path, None, base).await?;
    Doc::from_response(response).await
}

/// Replaces the whole page; answers `{"version": n}`.
pub async fn replace_page(env: &Env, body: Vec<u8>, base: &str) -> Result<Vec<u8>, EdgeError> {
    let mut response = call(env, Method::Put, "/page", Some(body), base).await?;
    Ok(response.bytes().await?)
}
