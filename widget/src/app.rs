//! The widget component: its state is `sitrep_shared::embed::state::State` in a reducer, and what
//! the reducer cannot do (fetch, store, wait, fire DOM events) happens here as effects keyed on
//! the state's counters. It renders `sitrep_views::widget::Widget`, the component the edge renders too.

use std::cell::RefCell;
use std::rc::Rc;

use gloo_events::EventListener;
use gloo_timers::callback::{Interval, Timeout};
use sitrep_shared::embed::state::{Event, Failure, Fetched, Kept, State};
use sitrep_shared::embed::{self, Dismissals, Options, TICK_MS};
use sitrep_shared::{Indicator, Timestamp};
use wasm_bindgen::JsValue;
use web_sys::{CustomEvent, CustomEventInit, HtmlElement};
use yew::prelude::*;

use crate::fetch::{self, Answer, Error};
use crate::hub::{self, ExtraTags};
use crate::read;
use crate::storage;
use sitrep_views::i18n;
use sitrep_views::intl::Formats;
use sitrep_views::widget::Widget;

/// The read API's summary, which every view polls.
pub const SUMMARY_PATH: &str = "/api/v2/summary.json";

/// Lets the mount's handle ask the component to poll (`refresh()`): the component puts its
/// dispatcher here while it is mounted.
#[derive(Debug, Default)]
pub struct Refresh(RefCell<Option<(Callback<Event>, String)>>);

impl Refresh {
    /// Polls now, if the component is mounted: a request, not an answer the hub kept.
    pub fn poll(&self) {
        if let Some((dispatch, src)) = self.0.borrow().as_ref() {
            hub::forget(src);
            dispatch.emit(Event::Poll { hidden: hidden() });
        }
    }
}

/// The element's options and the host element events are fired on.
#[derive(Debug, Properties)]
pub struct Props {
    /// Parsed options.
    pub options: Rc<Options>,
    /// The `<sitrep-status>` (or other) element the widget is mounted in.
    pub host: HtmlElement,
    /// Called once, when the first answers are in and rendered (the loader's frame gives way then).
    pub on_ready: Callback<()>,
    /// Where the component leaves its dispatcher for `refresh()`.
    pub refresh: Rc<Refresh>,
}

impl PartialEq for Props {
    fn eq(&self, other: &Self) -> bool {
        self.options == other.options
            && self.host == other.host
            && self.on_ready == other.on_ready
            && Rc::ptr_eq(&self.refresh, &other.refresh)
    }
}

/// The reducer's state: shared's `State`, wrapped because the trait and the type are both foreign.
#[derive(Clone, Debug, PartialEq)]
struct Model(State);

impl Reducible for Model {
    type Action = Event;

    fn reduce(self: Rc<Self>, event: Event) -> Rc<Self> {
        let mut model = Rc::unwrap_or_clone(self).0;
        model.update(event);
        Rc::new(Self(model))
    }
}

/// The current instant from the browser's clock.
pub fn now() -> Timestamp {
    Timestamp::from_unix_millis(js_sys::Date::now() as i64)
        .unwrap_or_else(|| Timestamp::from_datetime(Default::default()))
}

fn hidden() -> bool {
    web_sys::window().and_then(|w| w.document()).is_some_and(|d| d.hidden())
}

/// The reader's preferred languages: the `locale` option first, then `navigator.languages`.
fn languages(options: &Options) -> Vec<String> {
    let mut list: Vec<String> = options.locale.iter().cloned().collect();
    if let Some(window) = web_sys::window() {
        list.extend(window.navigator().languages().iter().filter_map(|l| l.as_string()));
    }
    list
}

/// The state at mount: the summary an earlier page load stored (never a private page's: one read
/// with a reader link is not kept where the next person at this browser would see it), and the
/// dismissals.
fn initial(options: &Options) -> Model {
    let kept = storage::load_summary(&options.src).filter(|_| options.reader.is_none()).and_then(|stored| {
        let summary = read::summary(&stored.text).ok()?;
        Some(Kept { summary, etag: stored.etag, fetched_at: stored.fetched_at })
    });
    Model(State::new(options, kept, Dismissals::load(&storage::load_dismissals(&options.src))))
}

/// GETs `path` conditionally and reads it with `read`; the answer as the reducer takes it.
pub(crate) async fn get<T>(
    options: &Options,
    path: &str,
    etag: Option<String>,
    read: fn(&str) -> Result<T, Error>,
) -> (Result<Fetched<T>, Failure>, Option<String>) {
    let answer = fetch::get(&options.url(path), etag.as_deref()).await;
    let (fetched, text) = match answer {
        Ok(Answer::Body { text, etag, stale }) => match read(&text) {
            Ok(doc) => (Ok(Fetched::Body { doc, etag, stale }), Some(text)),
            Err(error) => (Err(error), None),
        },
        Ok(Answer::NotModified { stale }) => (Ok(Fetched::NotModified { stale }), None),
        Err(error) => (Err(error), None),
    };
    (fetched.map_err(|e| e.to_string()), text)
}

/// The full view's other documents, each with its ETag (fetched with every summary answer, see
/// `hub`): the uptime, and the postmortems once the reader has reached them.
#[cfg(feature = "full")]
pub(crate) fn fetch_extras(options: &Rc<Options>, extras: hub::Extras, dispatch: &Callback<Event>) {
    if let Some(etag) = extras.postmortems {
        fetch_postmortems(options, etag, dispatch);
    }
    let (o, d) = (Rc::clone(options), dispatch.clone());
    wasm_bindgen_futures::spawn_local(async move {
        let (result, _) = get(&o, "/api/v2/uptime.json", extras.uptime, read::uptime).await;
        d.emit(Event::Uptime(result));
    });
}

#[cfg(feature = "full")]
fn fetch_postmortems(options: &Rc<Options>, etag: Option<String>, dispatch: &Callback<Event>) {
    let (o, d) = (Rc::clone(options), dispatch.clone());
    wasm_bindgen_futures::spawn_local(async move {
        let (result, _) = get(&o, "/api/v2/postmortems.json", etag, read::postmortems).await;
        d.emit(Event::Postmortems(result));
    });
}

/// The badge module (built without `full`) never draws the full view, so its readers stay out of it.
#[cfg(not(feature = "full"))]
pub(crate) fn fetch_extras(_: &Rc<Options>, _: hub::Extras, _: &Callback<Event>) {}

/// The full view's postmortems: watched for while not wanted (the returned value keeps the watch),
/// read once wanted. Nothing for other views and previews.
#[cfg(feature = "full")]
fn postmortems_effect(
    host: &HtmlElement,
    dispatch: &Callback<Event>,
    options: &Rc<Options>,
    ready: bool,
    wanted: bool,
) -> Option<Box<dyn std::any::Any>> {
    if options.preview || options.view != embed::View::Full {
        return None;
    }
    if wanted {
        fetch_postmortems(options, None, dispatch);
        return None;
    }
    let watch = ready.then(|| watch_postmortems(host, dispatch.clone())).flatten()?;
    Some(Box::new(watch))
}

/// The badge module (built without `full`) has no postmortems.
#[cfg(not(feature = "full"))]
fn postmortems_effect(
    _: &HtmlElement,
    _: &Callback<Event>,
    _: &Rc<Options>,
    _: bool,
    _: bool,
) -> Option<Box<dyn std::any::Any>> {
    None
}

/// Watches where the full view's postmortems go (`[data-sitrep-postmortems]`, which the view draws
/// until they are read) and asks for them when it comes within a screen of the viewport: the
/// postmortems are read when the reader reaches them, not with every page load. Returns what keeps
/// the observer alive; dropping it disconnects it.
#[cfg(feature = "full")]
fn watch_postmortems(host: &HtmlElement, dispatch: Callback<Event>) -> Option<impl Drop + 'static> {
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;
    use web_sys::{IntersectionObserver, IntersectionObserverEntry, IntersectionObserverInit};

    struct Watch(
        IntersectionObserver,
        #[expect(dead_code, reason = "kept alive for the observer")] Closure<dyn FnMut(js_sys::Array)>,
    );
    impl Drop for Watch {
        fn drop(&mut self) {
            self.0.disconnect();
        }
    }
    let target = host.shadow_root()?.query_selector("[data-sitrep-root] [data-sitrep-postmortems]").ok()??;
    let callback = Closure::<dyn FnMut(js_sys::Array)>::new(move |entries: js_sys::Array| {
        let near = entries.iter().any(|e| e.unchecked_into::<IntersectionObserverEntry>().is_intersecting());
        if near {
            dispatch.emit(Event::WantPostmortems);
        }
    });
    let init = IntersectionObserverInit::new();
    init.set_root_margin("100% 0px");
    let observer = IntersectionObserver::new_with_options(callback.as_ref().unchecked_ref(), &init).ok()?;
    observer.observe(&target);
    Some(Watch(observer, callback))
}

/// `preview="incident"`: the sample incident in the reader's language, as the only answer (the
/// full view's other documents answer "none" so it is ready at once).
fn show_preview(text: &i18n::Text, dispatch: &Callback<Event>) {
    let at = now();
    let doc = embed::preview_summary("sitrep", text.preview_name, text.preview_body, text.tag, at);
    dispatch.emit(Event::Summary { at, result: Ok(Fetched::Body { doc, etag: None, stale: false }) });
    dispatch.emit(Event::Postmortems(Err("a preview reads nothing".into())));
    dispatch.emit(Event::Uptime(Err("a preview reads nothing".into())));
}

/// Fires `sitrep:change` on the host.
fn announce(host: &HtmlElement, current: Indicator, previous: Option<Indicator>) {
    let detail = js_sys::Object::new();
    let name = |i: Indicator| JsValue::from_str(sitrep_views::indicator_name(i));
    let _ = js_sys::Reflect::set(&detail, &"indicator".into(), &name(current));
    let _ = js_sys::Reflect::set(&detail, &"previous".into(), &previous.map_or(JsValue::NULL, name));
    let init = CustomEventInit::new();
    init.set_detail(&detail);
    init.set_bubbles(true);
    init.set_composed(true);
    if let Ok(event) = CustomEvent::new_with_event_init_dict("sitrep:change", &init) {
        let _ = host.dispatch_event(&event);
    }
}

/// The widget.
#[function_component(App)]
pub fn app(props: &Props) -> Html {
    let options = Rc::clone(&props.options);
    let model = use_reducer({
        let options = Rc::clone(&options);
        move || initial(&options)
    });
    let state = &model.0;
    let dispatch: Callback<Event> = model.dispatcher().into();
    let language = use_memo((), {
        let options = Rc::clone(&options);
        move |()| {
            let (text, locale) = i18n::choose(languages(&options).iter().map(String::as_str));
            (text, AttrValue::from(locale.clone()), Rc::new(Formats::new(&locale, options.time_zone.as_deref())))
        }
    });

    // What a full view holds besides the summary, for the hub to fetch with every answer.
    let extra_tags: ExtraTags = use_mut_ref(Default::default);
    *extra_tags.borrow_mut() = hub::Extras {
        uptime: state.uptime_etag.clone(),
        postmortems: state.postmortems_wanted.then(|| state.postmortems_etag.clone()),
    };

    // The full view's postmortems: watched for until the reader reaches them, then read at once
    // (and with every answer after, through the hub). A preview reads nothing.
    use_effect_with((state.ready(), state.postmortems_wanted), {
        let (host, dispatch, options) = (props.host.clone(), dispatch.clone(), Rc::clone(&options));
        move |&(ready, wanted)| {
            let watch = postmortems_effect(&host, &dispatch, &options, ready, wanted);
            move || drop(watch)
        }
    });

    // Mounted: the hub of its `src`, the first poll, the tick, visibility, and `refresh()`. A
    // preview reads nothing: its sample is the one answer it gets.
    use_effect_with((), {
        let (dispatch, refresh) = (dispatch.clone(), Rc::clone(&props.refresh));
        let extras = state.wants_extras().then(|| Rc::clone(&extra_tags));
        let preview = options.preview.then(|| language.0);
        let (src, options) = (hub::key(&options), Rc::clone(&options));
        move |()| {
            // Here, not beside the closure: this runs once, at mount, and the setup above every render.
            let subscription = preview.is_none().then(|| hub::subscribe(&options, dispatch.clone(), extras));
            match preview {
                Some(text) => show_preview(text, &dispatch),
                None => dispatch.emit(Event::Poll { hidden: hidden() }),
            }
            let tick = {
                let dispatch = dispatch.clone();
                Interval::new(TICK_MS, move || dispatch.emit(Event::Tick))
            };
            let visibility = web_sys::window().and_then(|w| w.document()).map(|document| {
                let dispatch = dispatch.clone();
                EventListener::new(&document, "visibilitychange", move |_| {
                    dispatch.emit(Event::Visibility { hidden: hidden(), at: now() });
                })
            });
            *refresh.0.borrow_mut() = Some((dispatch, src));
            move || {
                refresh.0.borrow_mut().take();
                drop((tick, visibility, subscription));
            }
        }
    });

    // A poll was started: through the hub, which answers every element of this `src`.
    use_effect_with(state.polls, {
        let (options, etag) = (Rc::clone(&options), state.etag_to_send().map(str::to_owned));
        let (dispatch, extras) = (dispatch.clone(), state.wants_extras().then(|| Rc::clone(&extra_tags)));
        let text = language.0;
        move |&polls| {
            match (polls > 0, options.preview) {
                (false, _) => {}
                // A preview's polls are answered with its sample again: it never reads, nor goes stale.
                (true, true) => show_preview(text, &dispatch),
                (true, false) => hub::poll(options, etag, &dispatch, extras),
            }
        }
    });

    // An answer came (or polling resumed): wait for the next poll.
    use_effect_with((state.answers, state.paused), {
        let (waits, delay) = (state.waits_for_next_poll(), state.next_delay_ms(js_sys::Math::random()));
        let dispatch = dispatch.clone();
        move |_| {
            let timer = waits.then(|| {
                let delay = u32::try_from(delay).unwrap_or(u32::MAX);
                Timeout::new(delay, move || dispatch.emit(Event::Poll { hidden: hidden() }))
            });
            move || drop(timer)
        }
    });

    // Dismissals are kept across page loads (a preview's are not).
    use_effect_with(Rc::clone(&state.dismissals), {
        let (src, preview, reader) = (options.src.clone(), options.preview, options.reader.is_some());
        move |dismissals| {
            // Nothing of a private page is kept in the host's storage, not even which incidents a
            // reader closed.
            if preview || reader {
                return;
            }
            let text = dismissals.store();
            if storage::load_dismissals(&src) != text {
                storage::save_dismissals(&src, &text);
            }
        }
    });

    // A components filter with ids the page does not know is named once per mount, at the first answer.
    // The effect also runs at mount (with `false`): a summary stored by an earlier load is there
    // already, and warning then too would warn twice.
    use_effect_with(state.answers > 0, {
        let (options, summary) = (Rc::clone(&options), state.summary.clone());
        move |answered: &bool| {
            if !*answered {
                return;
            }
            if let Some(warning) = summary.and_then(|s| embed::filter_warning(&s, &options.components)) {
                web_sys::console::warn_1(&warning.into());
            }
        }
    });

    // Why polls fail, for the host's developers (readers get a sentence in their language).
    use_effect_with(state.error.clone(), |error| {
        if let Some(error) = error {
            web_sys::console::warn_1(&format!("sitrep: the status could not be read: {error}").into());
        }
    });

    let now = now();
    let headline = state.headline(&options, now);

    // `sitrep:change` when the shown indicator changes, from the first answer on.
    let announced = use_mut_ref(|| None::<Indicator>);
    let shown = (state.answers > 0).then(|| headline.indicator().unwrap_or(Indicator::Unknown));
    use_effect_with(shown, {
        let host = props.host.clone();
        move |&shown| {
            if let Some(current) = shown {
                let previous = announced.borrow_mut().replace(current);
                announce(&host, current, previous);
            }
        }
    });

    // The first answers are rendered: the loader's frame gives way.
    let shown_once = use_mut_ref(|| false);
    use_effect({
        let (on_ready, ready) = (props.on_ready.clone(), state.ready());
        move || {
            if ready && !shown_once.replace(true) {
                on_ready.emit(());
            }
        }
    });

    let (text, locale, formats) = &*language;
    // "Try again" asks the edge, not the hub's last answer.
    let retry = {
        let (dispatch, src) = (dispatch.clone(), hub::key(&options));
        Callback::from(move |_: MouseEvent| {
            hub::forget(&src);
            dispatch.emit(Event::Poll { hidden: false });
        })
    };
    let on = |event: fn() -> Event| {
        let dispatch = dispatch.clone();
        Callback::from(move |_: MouseEvent| dispatch.emit(event()))
    };
    html! {
        <Widget options={Rc::clone(&options)} text={*text} locale={locale.clone()}
            formats={Rc::clone(formats)} now={now} headline={headline}
            summary={state.summary.clone()} postmortems={state.postmortems.clone()} uptime={state.uptime.clone()}
            dismissals={Rc::clone(&state.dismissals)} details_open={state.details_open}
            error={state.error.as_ref().map(|e| AttrValue::from(e.clone()))}
            confirmed_at={state.feed.fetched_at}
            on_dismiss={dispatch.reform(Event::Dismiss)}
            on_toggle={on(|| Event::ToggleDetails)}
            on_retry={retry} />
    }
}
