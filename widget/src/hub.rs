//! One summary poll for every element on the page that reads the same edge.
//!
//! Each element keeps its own schedule (jitter, backoff, the pause while the tab is hidden), but a
//! poll goes through the hub of its `src`: while one request is on its way, another element's poll
//! joins it, and every answer goes to every element of that `src` at once. So a page with a badge,
//! a banner and a full view makes one request per interval, and the three change together. The
//! elements' next polls then start from the same answer: whichever timer fires first polls for all.
//! A full view also fetches its uptime with every answer (it may never be the one whose timer
//! fires), and its postmortems once the reader has reached them.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use sitrep_shared::embed::Options;
use sitrep_shared::embed::state::{Event, Failure, Fetched};
use sitrep_shared::views::Summary;
use wasm_bindgen_futures::spawn_local;
use yew::Callback;

use crate::app::{self, SUMMARY_PATH};
use crate::read;
use crate::storage::{self, Stored};

/// What a full view fetches besides the summary, with the ETags of what it holds.
#[derive(Clone, Debug, Default)]
pub struct Extras {
    /// The uptime's ETag.
    pub uptime: Option<String>,
    /// `None` until the reader reaches the postmortems (they are not fetched before); then the
    /// ETag of those held, if any.
    pub postmortems: Option<Option<String>>,
}

/// A full view's [`Extras`], kept current by its component for the hub to read at each answer.
pub type ExtraTags = Rc<RefCell<Extras>>;

/// An element listening to its `src`'s answers.
struct Listener {
    id: u32,
    dispatch: Callback<Event>,
    /// A full view: its options and the ETags of what it holds, to fetch its other documents.
    extras: Option<(Rc<Options>, ExtraTags)>,
}

/// The last summary the hub read, its ETag, and whether the edge flagged it stale.
#[derive(Clone)]
struct Last {
    etag: Option<String>,
    doc: Summary<'static>,
    stale: bool,
}

impl Last {
    fn answer(&self) -> Result<Fetched<Summary<'static>>, Failure> {
        Ok(Fetched::Body { doc: self.doc.clone(), etag: self.etag.clone(), stale: self.stale })
    }
}

#[derive(Default)]
struct Hub {
    listeners: Vec<Listener>,
    in_flight: bool,
    /// The last summary read: a 304 to the hub's request is answered to every element with it
    /// (an element that mounted since may hold another copy, or none).
    last: Option<Last>,
    /// When the last answer came (ms) and whether it failed (why): an element that polls soon
    /// after (one that mounted a moment later, once its frame was on screen) is given the same
    /// answer instead of asking again.
    answered: Option<(f64, Option<Failure>)>,
}

/// How long an answer serves a poll without a request.
const FRESH_MS: f64 = sitrep_shared::embed::SHARED_ANSWER_MS as f64;

thread_local! {
    static HUBS: RefCell<HashMap<String, Hub>> = RefCell::new(HashMap::new());
    static NEXT_ID: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// An element's place in its hub; dropping it (the element unmounts) leaves the hub.
#[derive(Debug)]
pub struct Subscription {
    src: String,
    id: u32,
}

impl Drop for Subscription {
    fn drop(&mut self) {
        HUBS.with_borrow_mut(|hubs| {
            if let Some(hub) = hubs.get_mut(&self.src) {
                hub.listeners.retain(|l| l.id != self.id);
                if hub.listeners.is_empty() && !hub.in_flight {
                    hubs.remove(&self.src);
                }
            }
        });
    }
}

/// The hub of the elements that read `options.src` with the same reader link (elements of one page
/// with and without a link, or with links of two audiences, never share an answer).
pub fn key(options: &Options) -> String {
    match &options.reader {
        None => options.src.clone(),
        Some(reader) => format!("{}\u{0}{reader}", options.src),
    }
}

/// Listens to the answers for `options.src`; `extras` for a full view.
pub fn subscribe(options: &Rc<Options>, dispatch: Callback<Event>, extras: Option<ExtraTags>) -> Subscription {
    let id = NEXT_ID.with(|n| {
        n.set(n.get().wrapping_add(1));
        n.get()
    });
    let extras = extras.map(|tags| (Rc::clone(options), tags));
    HUBS.with_borrow_mut(|hubs| {
        hubs.entry(key(options)).or_default().listeners.push(Listener { id, dispatch, extras });
    });
    Subscription { src: key(options), id }
}

/// Forgets the last answer's time, so the next poll of `src` asks the edge (`refresh()`, "Try again").
pub fn forget(src: &str) {
    HUBS.with_borrow_mut(|hubs| {
        if let Some(hub) = hubs.get_mut(src) {
            hub.answered = None;
        }
    });
}

/// What a poll does.
enum Next {
    /// Send the request, with this ETag.
    Ask(Option<String>),
    /// Nothing: a request is on its way, and its answer reaches everyone.
    Wait,
    /// Answer the asking element with what the hub was told a moment ago.
    Give(Result<Fetched<Summary<'static>>, Failure>),
}

/// A poll for `options.src` by the element `dispatch` belongs to (`extras` for a full view), sent
/// with `etag` (what it holds) unless the hub has read a summary since.
pub fn poll(options: Rc<Options>, etag: Option<String>, dispatch: &Callback<Event>, extras: Option<ExtraTags>) {
    let now = js_sys::Date::now();
    let next = HUBS.with_borrow_mut(|hubs| {
        let hub = hubs.entry(key(&options)).or_default();
        let recent = hub.answered.as_ref().filter(|(at, _)| now - at < FRESH_MS);
        match (recent, &hub.last) {
            _ if hub.in_flight => Next::Wait,
            (Some((_, Some(why))), _) => Next::Give(Err(why.clone())),
            (Some((_, None)), Some(last)) => Next::Give(last.answer()),
            (_, last) => {
                hub.in_flight = true;
                Next::Ask(last.as_ref().map_or(etag, |last| last.etag.clone()))
            }
        }
    });
    let etag = match next {
        Next::Ask(etag) => etag,
        Next::Wait => return,
        Next::Give(result) => {
            if let Some(tags) = extras {
                let tags = tags.borrow().clone();
                app::fetch_extras(&options, tags, dispatch);
            }
            dispatch.emit(Event::Summary { at: app::now(), result });
            return;
        }
    };
    let asker = dispatch.clone();
    spawn_local(async move {
        let sent = etag.clone();
        let (result, text) = app::get(&options, SUMMARY_PATH, etag, read::summary).await;
        let at = app::now();
        if let (Ok(Fetched::Body { etag, .. }), Some(text), None) = (&result, text, &options.reader) {
            storage::save_summary(&options.src, &Stored { fetched_at: at, etag: etag.clone(), text });
        }
        // Taken out of the hub before anyone is told: a listener's dispatch may poll again.
        let (listeners, last) = HUBS.with_borrow_mut(|hubs| {
            let hub = hubs.entry(key(&options)).or_default();
            hub.in_flight = false;
            match &result {
                Ok(Fetched::Body { doc, etag, stale }) => {
                    hub.last = Some(Last { etag: etag.clone(), doc: doc.clone(), stale: *stale });
                }
                Ok(Fetched::NotModified { stale }) => match &mut hub.last {
                    Some(last) => last.stale = *stale,
                    // The hub's first request asked with the asker's ETag: the copy it holds is the
                    // one stored for this `src`, which every element can then be given.
                    None => hub.last = stored(&options, sent.as_deref(), *stale),
                },
                Err(_) => {}
            }
            hub.answered = Some((js_sys::Date::now(), result.as_ref().err().cloned()));
            let listeners: Vec<_> = hub.listeners.iter().map(|l| (l.dispatch.clone(), l.extras.clone())).collect();
            let last = hub.last.clone();
            if hub.listeners.is_empty() {
                hubs.remove(&key(&options));
            }
            (listeners, last)
        });
        for (dispatch, extras) in listeners {
            let result = match (&result, &last) {
                (Ok(Fetched::NotModified { .. }), Some(last)) => last.answer(),
                // A 304 the hub cannot turn into a copy is the asker's alone: another element may
                // hold something else.
                (Ok(Fetched::NotModified { .. }), None) if dispatch != asker => continue,
                (other, _) => other.clone(),
            };
            if let Some((options, tags)) = extras {
                let tags = tags.borrow().clone();
                app::fetch_extras(&options, tags, &dispatch);
            }
            dispatch.emit(Event::Summary { at, result });
        }
    });
}

/// The summary stored for `src`, when it is the copy with ETag `etag`.
fn stored(options: &Options, etag: Option<&str>, stale: bool) -> Option<Last> {
    if options.reader.is_some() {
        return None;
    }
    let kept =
        storage::load_summary(&options.src).filter(|kept| kept.etag.is_some() && kept.etag.as_deref() == etag)?;
    let doc = read::summary(&kept.text).ok()?;
    Some(Last { etag: kept.etag, doc, stale })
}
