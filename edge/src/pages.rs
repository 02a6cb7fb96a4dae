//! Server-rendered HTML: the public status page, incident pages, the history, and the widget's
//! first frame. `sitrep-views` renders them (the same components the browser runs) from the same
//! documents the read API serves, fetched through the same read path; this module only picks the
//! inputs, the language and the zone, and keeps each rendering in isolate memory for as long as its
//! inputs are unchanged, so a hit costs what a JSON hit costs.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use sitrep_shared::Timestamp;
use sitrep_shared::document::Document;
use sitrep_shared::embed::{self, Headline, Options, View};
use sitrep_shared::views::Summary;
use sitrep_views::i18n;
use sitrep_views::intl::Formats;
use sitrep_views::page::{self, Body, PageProps};
use sitrep_views::widget::{self, WidgetProps};
use worker::{Context, Env, Response};

use crate::copy::Doc;
use crate::error::EdgeError;
use crate::read;
use crate::{cache, clock, hot, url};

/// A server-rendered page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Html {
    /// `/`.
    Status,
    /// `/incidents/{id}`.
    Incident(String),
    /// `/history`.
    History,
    /// `/embed/frame`: the widget's first frame for the options in the query.
    Frame,
}

/// The HTML content type.
const HTML: &str = "text/html; charset=utf-8";
/// How long a rendering is reused at most: the widget's frame shows relative times ("5 minutes ago").
const FRAME_TTL_MS: u64 = 30_000;
const PAGE_TTL_MS: u64 = 300_000;
/// Bytes of renderings kept per isolate (an isolate has 128 MB; a rendering served once also holds
/// its bytes in JavaScript, see `hot`, so twice this at most); a rendering larger than
/// `MAX_KEPT` is served but not kept. Keys are built from normalised, bounded inputs (a tag from the
/// views' table of languages and regions, a zone the IANA database knows by its canonical name, the whole filter, the parsed options, a page number within the history), so a
/// request cannot make up new keys at will; when the budget is full the least recently used go.
const BUDGET_BYTES: usize = 8 << 20;
const MAX_KEPT: usize = 1 << 20;
/// The policy of our own pages: no script but our own, no inline script at all; the stylesheet is
/// inline for a first paint without a second request.
const PAGE_CSP: &str = "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline'; \
    img-src 'self' data:; base-uri 'none'; form-action 'none'";

/// One rendering in memory: the document, until when it holds, and when it was last used (a
/// counter), so a full budget evicts the least recently used instead of everyone's renderings.
struct Kept {
    doc: Rc<Doc>,
    until: u64,
    used: u64,
}

#[derive(Default)]
struct Renderings {
    map: HashMap<String, Kept>,
    bytes: usize,
    clock: u64,
    /// Renderings performed in this isolate (the test build reports it, see `renders`).
    #[cfg_attr(not(feature = "fault-injection"), allow(dead_code))]
    renders: u64,
}

thread_local! {
    static RENDERED: RefCell<Renderings> = RefCell::new(Renderings::default());
}

/// How many renderings this isolate has performed and holds (test builds show it at
/// `/__sitrep/renders`, so a test can count what a flood of spellings made the edge do).
#[cfg(feature = "fault-injection")]
pub fn renders() -> (u64, usize) {
    RENDERED.with(|r| {
        let r = r.borrow();
        (r.renders, r.map.len())
    })
}

/// Answers a page route with HTML (or the edge's error for it).
pub async fn serve(
    req: &web_sys::Request,
    ask: &hot::Ask,
    at: &At<'_>,
    html: Html,
    origin: &str,
    query: &str,
) -> Result<web_sys::Response, EdgeError> {
    let now = clock::now_ms();
    let header = req.headers().get("accept-language").ok().flatten();
    let (doc, stale) = match &html {
        Html::Frame => frame(at, origin, query, &accept_language(&header.unwrap_or_default()), now).await?,
        html => {
            let mut preferred: Vec<String> = url::query_param(query, "locale").into_iter().collect();
            preferred.extend(accept_language(&header.unwrap_or_default()));
            document(at, html, query, &preferred, now).await?
        }
    };
    let extra = match (html == Html::Frame, at.page.private()) {
        (true, false) => FRAME_HEADERS,
        (true, true) => FRAME_HEADERS_PRIVATE,
        (false, false) => PAGE_HEADERS,
        (false, true) => PAGE_HEADERS_PRIVATE,
    };
    hot::respond(ask, &doc, stale, now, extra)
}

/// The frame is fetched by customer pages on other origins, and inserted by the loader; a badge's
/// frame is in the reader's language from `Accept-Language` (its URL then needs nothing the
/// loader computes, so a page can preload it).
const FRAME_HEADERS: hot::Extra = &[("vary", "Origin, Accept-Language")];
/// A page is read by people, in their language, under our policy.
const PAGE_HEADERS: hot::Extra = &[
    ("vary", "Accept-Language"),
    ("content-security-policy", PAGE_CSP),
    ("referrer-policy", "strict-origin-when-cross-origin"),
];
/// [`FRAME_HEADERS`] and [`PAGE_HEADERS`] of a private page (see `audience::PRIVATE`).
const FRAME_HEADERS_PRIVATE: hot::Extra = &[
    ("vary", "Origin, Accept-Language"),
    ("cache-control", "private, no-cache"),
    ("x-robots-tag", "noindex"),
    ("vary", "Cookie"),
];
const PAGE_HEADERS_PRIVATE: hot::Extra = &[
    ("vary", "Accept-Language"),
    ("content-security-policy", PAGE_CSP),
    ("referrer-policy", "strict-origin-when-cross-origin"),
    ("cache-control", "private, no-cache"),
    ("x-robots-tag", "noindex"),
    ("vary", "Cookie"),
];

/// The postmortem preview: the incident page rendered from the store's document (the draft shown
/// as published), for the operator only: never cached, never indexed.
pub async fn preview(document: &str, preferred: &[String]) -> Result<Response, EdgeError> {
    let doc: sitrep_shared::views::IncidentDocument<'static> =
        serde_json::from_str(document).map_err(|e| EdgeError::Internal(format!("the preview: {e}")))?;
    let (text, locale) = i18n::choose(preferred.iter().map(String::as_str));
    let locale = page::clean_tag(&locale, text).to_owned();
    let props = PageProps {
        text,
        formats: Rc::new(Formats::for_page(&locale, Some(&doc.page.time_zone))),
        now: timestamp(clock::now_ms()),
        base: base_of(&doc.page.url).into(),
        stale: false,
        body: Body::Incident(Rc::new(doc)),
    };
    let html = page::render(props, &locale).await;
    Ok(Response::builder().with_headers(unkept_headers(&[])).fixed(html.into_bytes()))
}

/// The headers of a page no cache keeps and no search engine indexes (the preview, a 404), under
/// the pages' policy, with `extra` after them.
fn unkept_headers(extra: &[(&str, &str)]) -> worker::Headers {
    let headers = worker::Headers::new();
    let common = [
        ("content-type", HTML),
        ("cache-control", "no-store"),
        ("content-security-policy", PAGE_CSP),
        ("x-robots-tag", "noindex"),
        ("x-content-type-options", "nosniff"),
    ];
    for (name, value) in common.iter().chain(extra) {
        let _ = headers.set(name, value);
    }
    headers
}

/// A browser's answer for an address the edge does not serve: a 404 page in the reader's
/// language with the page's name and the way back, under the pages' policy, never indexed or kept
/// by a cache. Rendered once per language and summary and kept in memory like every page (any
/// path leads here: a flood of made-up paths costs a lookup, not a rendering). Without the page's
/// summary (the store and every copy unreachable), the plain error page.
pub async fn not_found(req: &web_sys::Request, at: &At<'_>, path: &str) -> Response {
    let err = EdgeError::NotFound(path.to_owned());
    let now = clock::now_ms();
    let Ok(summary) = input(at, Document::Summary).await else {
        return crate::error::page(&err);
    };
    let header = req.headers().get("accept-language").ok().flatten();
    let (text, locale) = i18n::choose(accept_language(&header.unwrap_or_default()).iter().map(String::as_str));
    let mut deps = Deps::default();
    deps.add(&summary);
    let key = at.page.key(&format!("404|{locale}|{}", deps.key));
    let doc = match recall(&key, now) {
        Some(doc) => doc,
        None => {
            let Ok(parsed) = summary.parse::<Summary<'static>>() else {
                return crate::error::page(&err);
            };
            let locale = page::clean_tag(&locale, text).to_owned();
            let props = PageProps {
                text,
                formats: Rc::new(Formats::for_page(&locale, Some(&parsed.page.time_zone))),
                now: timestamp(now),
                base: base_of(&parsed.page.url).into(),
                stale: false,
                body: Body::NotFound(parsed),
            };
            keep(key, page::render(props, &locale).await, &deps, now, PAGE_TTL_MS)
        }
    };
    let headers =
        unkept_headers(&[("referrer-policy", "strict-origin-when-cross-origin"), ("vary", "Accept-Language")]);
    Response::builder().with_status(404).with_headers(headers).fixed(doc.body.clone())
}

/// The languages of an `Accept-Language` header, most preferred first (`q=0` left out).
pub fn accept_language(header: &str) -> Vec<String> {
    let mut tags: Vec<(u16, usize, String)> = header
        .split(',')
        .enumerate()
        .filter_map(|(index, part)| {
            let mut pieces = part.split(';');
            let tag = pieces.next()?.trim();
            let q = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            let weight = (q.clamp(0.0, 1.0) * 1000.0) as u16;
            let tag_like = !tag.is_empty() && tag.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
            (weight > 0 && tag_like).then(|| (weight, index, tag.to_owned()))
        })
        .take(16)
        .collect();
    tags.sort_by_key(|(weight, index, _)| (std::cmp::Reverse(*weight), *index));
    tags.into_iter().map(|(_, _, tag)| tag).collect()
}

fn timestamp(ms: u64) -> Timestamp {
    Timestamp::from_unix_millis(i64::try_from(ms).unwrap_or(i64::MAX))
        .unwrap_or_else(|| Timestamp::from_datetime(Default::default()))
}

/// A read document as the read path gave it: parsed only when no rendering of it is in memory,
/// so a hit costs the fetches from memory and no JSON parsing.
struct Input {
    what: Document,
    doc: Rc<Doc>,
    stale: bool,
}

/// Where a page's inputs are read from: the Worker's environment and context, and the page the
/// request is for (every key of what is rendered is that page's).
pub struct At<'a> {
    pub env: &'a Env,
    pub ctx: &'a Context,
    pub page: &'a crate::page::Page,
}

async fn input(at: &At<'_>, what: Document) -> Result<Input, EdgeError> {
    let (doc, stale) = read::fetch_doc(at.env, at.ctx, at.page, &what).await?;
    Ok(Input { what, doc, stale })
}

impl Input {
    fn parse<T: serde::de::DeserializeOwned>(&self) -> Result<Rc<T>, EdgeError> {
        let value = serde_json::from_slice(&self.doc.body)
            .map_err(|e| EdgeError::Internal(format!("{}: {e}", self.what.key())))?;
        Ok(Rc::new(value))
    }
}

/// What a rendering depends on: each input's ETag, the earliest instant one stops being true.
#[derive(Default)]
struct Deps {
    key: String,
    valid_until: Option<u64>,
    version: u64,
    stale: bool,
}

impl Deps {
    fn add(&mut self, input: &Input) {
        self.key.push('|');
        self.key.push_str(&input.doc.etag);
        self.valid_until = match (self.valid_until, input.doc.valid_until) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.version = self.version.max(input.doc.version);
        self.stale |= input.stale;
    }
}

fn recall(key: &str, now: u64) -> Option<Rc<Doc>> {
    RENDERED.with(|r| {
        let mut r = r.borrow_mut();
        r.clock += 1;
        let clock = r.clock;
        let kept = r.map.get_mut(key).filter(|k| now < k.until)?;
        kept.used = clock;
        Some(Rc::clone(&kept.doc))
    })
}

fn keep(key: String, body: String, deps: &Deps, now: u64, ttl: u64) -> Rc<Doc> {
    let body = body.into_bytes();
    let doc = Rc::new(Doc {
        etag: cache::etag(&body),
        body,
        content_type: HTML.to_owned(),
        valid_until: deps.valid_until,
        version: deps.version,
        js: Default::default(),
    });
    RENDERED.with(|r| r.borrow_mut().renders += 1);
    if doc.body.len() > MAX_KEPT {
        return doc;
    }
    let until = deps.valid_until.map_or(now + ttl, |v| v.min(now + ttl));
    RENDERED.with(|r| {
        let mut r = r.borrow_mut();
        let size = doc.body.len() + key.len();
        if let Some(old) = r.map.remove(&key) {
            r.bytes -= old.doc.body.len() + key.len();
        }
        if r.bytes + size > BUDGET_BYTES {
            let expired: Vec<String> = r.map.iter().filter(|(_, k)| now >= k.until).map(|(k, _)| k.clone()).collect();
            for gone in expired {
                r.forget(&gone);
            }
        }
        while r.bytes + size > BUDGET_BYTES {
            let Some(oldest) = r.map.iter().min_by_key(|(_, k)| k.used).map(|(k, _)| k.clone()) else { break };
            r.forget(&oldest);
        }
        r.clock += 1;
        let used = r.clock;
        r.bytes += size;
        r.map.insert(key, Kept { doc: Rc::clone(&doc), until, used });
    });
    doc
}

impl Renderings {
    fn forget(&mut self, key: &str) {
        if let Some(old) = self.map.remove(key) {
            self.bytes -= old.doc.body.len() + key.len();
        }
    }
}

/// A time zone name as `Intl` spells them (`Europe/Amsterdam`, `Etc/GMT+2`), else `None`.
fn zone_name(zone: &str) -> Option<&str> {
    let ok = !zone.is_empty()
        && zone.len() <= 64
        && zone.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'_' | b'+' | b'-'));
    ok.then_some(zone)
}

/// The history pages there can be: the read API keeps `RECENT_LIMIT` incidents and as many
/// maintenances (a later page number shows the last page, rendered under this one's key).
const MAX_HISTORY_PAGE: usize = 1 + 2 * sitrep_shared::views::RECENT_LIMIT / page::HISTORY_PAGE;

async fn document(
    at: &At<'_>,
    html: &Html,
    query: &str,
    preferred: &[String],
    now: u64,
) -> Result<(Rc<Doc>, bool), EdgeError> {
    // A tag from the views' table (`i18n::choose`): no spelling of a tag makes a new rendering.
    let (text, locale) = i18n::choose(preferred.iter().map(String::as_str));
    let history_page = url::query_param(query, "page").and_then(|p| p.parse::<usize>().ok()).unwrap_or(1);
    let history_page = history_page.clamp(1, MAX_HISTORY_PAGE);
    let (route, inputs) = match html {
        Html::Status => {
            let mut inputs = vec![
                input(at, Document::Summary).await?,
                input(at, Document::Incidents).await?,
                input(at, Document::Maintenances).await?,
            ];
            // The page is useful without its uptime bars: a failure there leaves them out.
            inputs.extend(input(at, Document::Uptime).await.ok());
            ("status".to_owned(), inputs)
        }
        Html::Incident(id) => {
            // `?v=`: the version a notification's link was sent at (see `read::fetch_doc_seen`).
            let seen = url::query_param(query, "v").and_then(|v| v.parse::<u64>().ok());
            let incident = Document::Incident(id.as_str().into());
            let (doc, stale) = read::fetch_doc_seen(at.env, at.ctx, at.page, &incident, seen).await?;
            (format!("incident/{id}"), vec![Input { what: Document::Incident(id.as_str().into()), doc, stale }])
        }
        Html::History => {
            let inputs = vec![input(at, Document::Incidents).await?, input(at, Document::Maintenances).await?];
            (format!("history/{history_page}"), inputs)
        }
        Html::Frame => return Err(EdgeError::Internal("the frame is not a document".into())),
    };
    let mut deps = Deps::default();
    inputs.iter().for_each(|i| deps.add(i));
    // The page's own URL is in its documents (their ETags), so the request's Host is not a key;
    // the page found from it is.
    let key = at.page.key(&format!("{route}|{locale}|{}{}", deps.stale, deps.key));
    if let Some(found) = recall(&key, now) {
        return Ok((found, deps.stale));
    }
    let body = match (html, &inputs[..]) {
        (Html::Status, [summary, incidents, maintenances, uptime @ ..]) => Body::Status {
            summary: summary.parse()?,
            incidents: incidents.parse()?,
            maintenances: maintenances.parse()?,
            uptime: uptime.first().map(Input::parse).transpose()?,
        },
        (Html::Incident(_), [incident]) => Body::Incident(incident.parse()?),
        (Html::History, [incidents, maintenances]) => {
            Body::History { incidents: incidents.parse()?, maintenances: maintenances.parse()?, page: history_page }
        }
        _ => return Err(EdgeError::Internal("a page without its documents".into())),
    };
    let (zone, url) = match &body {
        Body::Status { summary, .. } | Body::NotFound(summary) => {
            (summary.page.time_zone.clone(), summary.page.url.clone())
        }
        Body::Incident(doc) => (doc.page.time_zone.clone(), doc.page.url.clone()),
        Body::History { incidents, .. } => (incidents.page.time_zone.clone(), incidents.page.url.clone()),
    };
    let props = PageProps {
        text,
        formats: Rc::new(Formats::for_page(&locale, Some(&zone))),
        now: timestamp(now),
        base: base_of(&url).into(),
        stale: deps.stale,
        body,
    };
    let rendered = page::render(props, &locale).await;
    Ok((keep(key, rendered, &deps, now, PAGE_TTL_MS), deps.stale))
}

thread_local! {
    /// The summary last parsed for a components badge or a frame's filter, by its ETag: a flood of
    /// requests with different filters parses each version of the summary once per isolate.
    static PARSED: std::cell::RefCell<Option<(String, std::rc::Rc<Summary<'static>>)>> = const { std::cell::RefCell::new(None) };
}

/// The summary document of `page`, parsed once per version per isolate (kept by the page and the
/// ETag: two pages' summaries are never taken for each other, however alike their ETags).
pub fn parsed_summary(page: &crate::page::Page, doc: &Doc) -> Result<std::rc::Rc<Summary<'static>>, EdgeError> {
    let key = page.key(&doc.etag);
    if let Some(found) = PARSED.with_borrow(|p| p.as_ref().filter(|(kept, _)| *kept == key).map(|(_, s)| s.clone())) {
        return Ok(found);
    }
    let parsed: std::rc::Rc<Summary<'static>> =
        std::rc::Rc::new(serde_json::from_slice(&doc.body).map_err(|e| EdgeError::Internal(e.to_string()))?);
    PARSED.set(Some((key, parsed.clone())));
    Ok(parsed)
}

/// Where a page's links start: the page's own URL when it is an http(s) origin, else nothing
/// (links relative to wherever the page is read). Never the request's Host: a shared cache keyed
/// by URL would hand one requester's made-up host to every reader.
fn base_of(page_url: &str) -> String {
    if sitrep_shared::validate::is_origin(page_url) { page_url.trim_end_matches('/').to_owned() } else { String::new() }
}

/// The widget's frame: the `Widget` component for the options in the query (the element's
/// attributes, as the loader read them), rendered from the summary (and for the full view the
/// uptime) the wasm will read when it takes over. A badge's frame is also all a
/// page of badges ever shows (they load no wasm): it carries the same badge rendered out of date
/// (`<template data-sitrep-stale>`, which the loader shows when it cannot confirm the status in
/// time), and, when the attributes have values the widget cannot use, the sentences the wasm
/// would have logged (`<template data-sitrep-warnings>`).
async fn frame(
    at: &At<'_>,
    origin: &str,
    query: &str,
    header_languages: &[String],
    now: u64,
) -> Result<(Rc<Doc>, bool), EdgeError> {
    // The frame always describes this edge: a `src` in the query (the loader sends one only when it
    // is not this origin as written) is read for its warning alone.
    let (mut options, mut warnings) = Options::read_checked(|name| url::query_param(query, name), origin);
    options.src = Options::read(|_| None, origin).src;
    let summary = input(at, Document::Summary).await?;
    warnings.extend(options.locale.as_deref().and_then(i18n::locale_warning));
    warnings.extend(embed::filter_warning(&*parsed_summary(at.page, &summary.doc)?, &options.components));
    let (doc, stale) = rendered_frame(at, origin, query, header_languages, options, summary, now).await?;
    if warnings.is_empty() {
        return Ok((doc, stale));
    }
    // Only for attributes the widget cannot use: the rendering stays shared by every spelling.
    let mut body = doc.body.clone();
    body.extend_from_slice(b"<template data-sitrep-warnings>");
    for warning in &warnings {
        body.extend_from_slice(format!("<p>{}</p>", escape(warning)).as_bytes());
    }
    body.extend_from_slice(b"</template>");
    Ok((Rc::new(Doc::derived(body, &doc.content_type, &doc)), stale))
}

/// Text as HTML text.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The frame for `options`, kept in memory by its normalised inputs.
async fn rendered_frame(
    at: &At<'_>,
    origin: &str,
    query: &str,
    header_languages: &[String],
    options: Options,
    summary: Input,
    now: u64,
) -> Result<(Rc<Doc>, bool), EdgeError> {
    // The full view's postmortems are not in its frame: the widget reads them when the reader
    // reaches them (the frame marks where they go, as the widget does until then).
    let uptime = if options.view == View::Full { input(at, Document::Uptime).await.ok() } else { None };
    let mut deps = Deps::default();
    [Some(&summary), uptime.as_ref()].into_iter().flatten().for_each(|i| deps.add(i));
    // The element's `locale` first, then the reader's languages as the loader read them (`accept`),
    // else as the browser sent them.
    let accept = url::query_param(query, "accept").unwrap_or_else(|| header_languages.join(","));
    let languages = [options.locale.as_deref().unwrap_or_default(), accept.as_str()];
    let languages = languages.into_iter().flat_map(|list| list.split(',')).take(16);
    let (text, locale) = i18n::choose(languages.map(str::trim).filter(|l| !l.is_empty()));
    // Without a zone the host's database knows, the page's (which the summary's ETag stands for).
    let zone = options.time_zone.as_deref().and_then(zone_name).and_then(sitrep_views::intl::canonical_zone);
    // Only the summary's age makes the frame's headline "may be out of date", as in the wasm.
    let stale = summary.stale;
    // The whole filter, as a set of the ids the page knows (unknown ones change nothing a reader
    // sees, so made-up ids make no new renderings): two filters share a frame only when they name
    // the same components.
    let parsed = parsed_summary(at.page, &summary.doc)?;
    let known = |id: &sitrep_shared::ComponentId| parsed.components.iter().any(|c| &c.id == id);
    let mut filter: Vec<&str> = options.components.iter().filter(|id| known(id)).map(|c| c.as_str()).collect();
    filter.sort_unstable();
    let key = at.page.key(&format!(
        "frame|{origin}|{:?}|{:?}|{}|{}|{locale}|{}|{stale}{}",
        options.view,
        options.theme,
        filter.join(","),
        options.postmortems,
        zone.as_deref().unwrap_or_default(),
        deps.key
    ));
    if let Some(found) = recall(&key, now) {
        return Ok((found, stale));
    }
    let summary = parsed;
    let mut options = options;
    options.components.retain(|id| summary.components.iter().any(|c| &c.id == id));
    let zone = zone.unwrap_or_else(|| summary.page.time_zone.clone());
    let instant = timestamp(now);
    let indicator = embed::shown_indicator(&summary, &options.components, instant);
    let badge = options.view == View::Badge;
    let props = |out_of_date: bool| WidgetProps {
        text,
        locale: locale.clone().into(),
        formats: Rc::new(Formats::new(&locale, Some(&zone))),
        now: instant,
        headline: Headline::of(Some(indicator), out_of_date, false),
        summary: Some(Rc::clone(&summary)),
        postmortems: None,
        uptime: None,
        dismissals: Rc::default(),
        details_open: false,
        error: None,
        confirmed_at: (!out_of_date).then_some(instant),
        on_dismiss: Default::default(),
        on_toggle: Default::default(),
        on_retry: Default::default(),
        options: Rc::new(options.clone()),
    };
    let mut live = props(stale);
    live.uptime = uptime.as_ref().map(Input::parse).transpose()?;
    let mut rendered = widget::render(live).await;
    if badge && !stale {
        rendered.push_str("<template data-sitrep-stale>");
        rendered.push_str(&widget::render(props(true)).await);
        rendered.push_str("</template>");
    }
    Ok((keep(key, rendered, &deps, now, FRAME_TTL_MS), stale))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zones_are_names_or_nothing() {
        assert_eq!(zone_name("Europe/Amsterdam"), Some("Europe/Amsterdam"));
        assert_eq!(zone_name("Etc/GMT+2"), Some("Etc/GMT+2"));
        assert_eq!(zone_name("x\"><script>"), None);
        assert_eq!(zone_name(&"A".repeat(65)), None);
        assert_eq!(zone_name(""), None);
    }

    #[test]
    fn accept_language_orders_by_weight_then_position() {
        assert_eq!(accept_language("nl-BE,nl;q=0.9,en;q=0.8"), ["nl-BE", "nl", "en"]);
        assert_eq!(accept_language("en;q=0.5, de"), ["de", "en"]);
        assert_eq!(accept_language("fr;q=0, *;q=0.1, ja"), ["ja"]);
        assert!(accept_language("").is_empty());
        assert!(accept_language(";;;,,,q=").is_empty());
    }
}
