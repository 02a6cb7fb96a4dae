//! The widget component: fetches, keeps and stores the summary, asks `shared::embed` what to show,
//! and renders it with `sitrep_views::widget::Widget`, the component the edge renders too.

use std::rc::Rc;

use gloo_events::EventListener;
use gloo_timers::callback::{Interval, Timeout};
use sitrep_shared::embed::{self, Dismissals, Feed, Headline, Options, Outcome, View};
use sitrep_shared::uptime::UptimeDocument;
use sitrep_shared::views::{PostmortemsDocument, Summary};
use sitrep_shared::{Indicator, Timestamp};
use wasm_bindgen::JsValue;
use web_sys::{CustomEvent, CustomEventInit, HtmlElement};
use yew::prelude::*;

use crate::fetch::{self, Answer, Error};
use crate::read;
use crate::storage::{self, Stored};
use sitrep_views::i18n::{self, Text};
use sitrep_views::intl::Formats;
use sitrep_views::widget::Widget;

/// The read API's summary, which every view polls.
pub const SUMMARY_PATH: &str = "/api/v2/summary.json";

/// Bits of `App::awaiting`.
const AWAIT_SUMMARY: u8 = 1;
const AWAIT_POSTMORTEMS: u8 = 2;
const AWAIT_UPTIME: u8 = 4;

/// How often relative times and the out-of-date check are refreshed on screen.
const TICK_MS: u32 = 30_000;

/// The element's options and the host element events are fired on.
#[derive(Debug, Properties)]
pub struct Props {
    /// Parsed options.
    pub options: Rc<Options>,
    /// The `<sitrep-status>` (or other) element the widget is mounted in.
    pub host: HtmlElement,
    /// Called once, when the first answers are in and rendered (the loader's frame gives way then).
    pub on_ready: Callback<()>,
}

impl PartialEq for Props {
    fn eq(&self, other: &Self) -> bool {
        self.options == other.options && self.host == other.host && self.on_ready == other.on_ready
    }
}

/// The extra documents the full view reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Extra {
    /// `/api/v2/postmortems.json`.
    Postmortems,
    /// `/api/v2/uptime.json`.
    Uptime,
}

/// What the component reacts to.
#[derive(Debug)]
pub enum Msg {
    /// Time to poll (timer, `refresh()`, or the tab became visible).
    Poll,
    /// The summary fetch finished.
    Summary(Result<Answer, Error>),
    /// An extra document's fetch finished.
    Extra(Extra, Result<Answer, Error>),
    /// The tab's visibility changed.
    Visibility,
    /// Re-render relative times and re-check freshness.
    Tick,
    /// The reader dismissed a banner or notice.
    Dismiss(embed::BannerKey),
    /// The reader opened or closed the banner's update history.
    ToggleDetails,
}

/// The widget.
#[derive(Debug)]
pub struct App {
    summary: Option<Rc<Summary<'static>>>,
    etag: Option<String>,
    postmortems: Option<Rc<PostmortemsDocument<'static>>>,
    postmortems_etag: Option<String>,
    uptime: Option<Rc<UptimeDocument<'static>>>,
    uptime_etag: Option<String>,
    feed: Feed,
    error: Option<Error>,
    dismissals: Rc<Dismissals>,
    details_open: bool,
    text: &'static Text,
    locale: AttrValue,
    formats: Rc<Formats>,
    in_flight: bool,
    paused: bool,
    announced: Option<Indicator>,
    /// First answers still awaited before the app shows itself: the summary, and for the full
    /// view the uptime and postmortems (so the frame it replaces is not taller or shorter).
    awaiting: u8,
    /// `on_ready` was called.
    shown: bool,
    next_poll: Option<Timeout>,
    _tick: Interval,
    _visibility: Option<EventListener>,
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

impl App {
    fn options<'a>(&self, ctx: &'a Context<Self>) -> &'a Options {
        &ctx.props().options
    }

    fn schedule(&mut self, ctx: &Context<Self>) {
        let delay = self.feed.next_delay_ms(self.options(ctx).poll_secs, js_sys::Math::random());
        let link = ctx.link().clone();
        self.next_poll =
            Some(Timeout::new(u32::try_from(delay).unwrap_or(u32::MAX), move || link.send_message(Msg::Poll)));
    }

    fn fetch_extra(&self, ctx: &Context<Self>, extra: Extra) {
        let (path, etag) = match extra {
            Extra::Postmortems => ("/api/v2/postmortems.json", self.postmortems_etag.clone()),
            Extra::Uptime => ("/api/v2/uptime.json", self.uptime_etag.clone()),
        };
        let url = self.options(ctx).url(path);
        ctx.link().send_future(async move { Msg::Extra(extra, fetch::get(&url, etag.as_deref()).await) });
    }

    /// The headline from what is held and how fresh it is.
    fn headline(&self, ctx: &Context<Self>, now: Timestamp) -> Headline {
        let options = self.options(ctx);
        let indicator = self.summary.as_ref().map(|s| embed::shown_indicator(s, &options.components, now));
        Headline::of(indicator, self.feed.out_of_date(now, options.poll_secs), self.error.is_some())
    }

    /// Fires `sitrep:change` on the host when the shown indicator changes.
    fn announce(&mut self, ctx: &Context<Self>) {
        let current = self.headline(ctx, now()).indicator().unwrap_or(Indicator::Unknown);
        if self.announced == Some(current) {
            return;
        }
        let previous = self.announced.replace(current);
        let detail = js_sys::Object::new();
        let name = |i: Indicator| JsValue::from_str(sitrep_views::indicator_name(i));
        let _ = js_sys::Reflect::set(&detail, &"indicator".into(), &name(current));
        let _ = js_sys::Reflect::set(&detail, &"previous".into(), &previous.map_or(JsValue::NULL, name));
        let init = CustomEventInit::new();
        init.set_detail(&detail);
        init.set_bubbles(true);
        init.set_composed(true);
        if let Ok(event) = CustomEvent::new_with_event_init_dict("sitrep:change", &init) {
            let _ = ctx.props().host.dispatch_event(&event);
        }
    }
}

impl Component for App {
    type Message = Msg;
    type Properties = Props;

    fn create(ctx: &Context<Self>) -> Self {
        let options = &ctx.props().options;
        let langs = languages(options);
        let (text, locale) = i18n::choose(langs.iter().map(String::as_str));
        let stored = storage::load_summary(&options.src);
        let (summary, etag, fetched_at) = match stored.and_then(|s| read::summary(&s.text).ok().map(|p| (p, s))) {
            Some((summary, stored)) => (Some(Rc::new(summary)), stored.etag, Some(stored.fetched_at)),
            None => (None, None, None),
        };
        let tick = {
            let link = ctx.link().clone();
            Interval::new(TICK_MS, move || link.send_message(Msg::Tick))
        };
        let visibility = web_sys::window().and_then(|w| w.document()).map(|document| {
            let link = ctx.link().clone();
            EventListener::new(&document, "visibilitychange", move |_| link.send_message(Msg::Visibility))
        });
        ctx.link().send_message(Msg::Poll);
        Self {
            summary,
            etag,
            postmortems: None,
            postmortems_etag: None,
            uptime: None,
            uptime_etag: None,
            feed: Feed::from_storage(fetched_at),
            error: None,
            dismissals: Rc::new(Dismissals::load(&storage::load_dismissals(&options.src))),
            details_open: false,
            text,
            formats: Rc::new(Formats::new(&locale, options.time_zone.as_deref())),
            locale: locale.into(),
            in_flight: false,
            paused: false,
            announced: None,
            awaiting: if options.view == View::Full {
                AWAIT_SUMMARY | AWAIT_POSTMORTEMS | AWAIT_UPTIME
            } else {
                AWAIT_SUMMARY
            },
            shown: false,
            next_poll: None,
            _tick: tick,
            _visibility: visibility,
        }
    }

    fn update(&mut self, ctx: &Context<Self>, msg: Msg) -> bool {
        match msg {
            Msg::Poll => {
                if hidden() {
                    // Paused until the tab is visible again; `Visibility` polls then.
                    self.paused = true;
                    self.next_poll = None;
                    return false;
                }
                if self.in_flight {
                    return false;
                }
                self.in_flight = true;
                self.next_poll = None;
                let url = self.options(ctx).url(SUMMARY_PATH);
                let etag = if self.summary.is_some() { self.etag.clone() } else { None };
                ctx.link().send_future(async move { Msg::Summary(fetch::get(&url, etag.as_deref()).await) });
                if self.options(ctx).view == View::Full {
                    self.fetch_extra(ctx, Extra::Postmortems);
                    self.fetch_extra(ctx, Extra::Uptime);
                }
                false
            }
            Msg::Summary(result) => {
                self.in_flight = false;
                self.awaiting &= !AWAIT_SUMMARY;
                let at = now();
                let outcome = match result.and_then(|answer| match answer {
                    Answer::Body { text, etag, stale } => {
                        read::summary(&text).map(|summary| (Some((summary, text, etag)), stale))
                    }
                    Answer::NotModified { stale } => Ok((None, stale)),
                }) {
                    Ok((Some((summary, text, etag)), stale)) => {
                        storage::save_summary(
                            &self.options(ctx).src,
                            &Stored { fetched_at: at, etag: etag.clone(), text },
                        );
                        self.summary = Some(Rc::new(summary));
                        self.etag = etag;
                        self.error = None;
                        Outcome::Fresh { stale }
                    }
                    Ok((None, stale)) => {
                        self.error = None;
                        Outcome::NotModified { stale }
                    }
                    Err(error) => {
                        self.error = Some(error);
                        Outcome::Failed
                    }
                };
                self.feed.record(outcome, at);
                self.schedule(ctx);
                self.announce(ctx);
                true
            }
            Msg::Extra(extra, result) => {
                let before = self.awaiting;
                self.awaiting &= !match extra {
                    Extra::Postmortems => AWAIT_POSTMORTEMS,
                    Extra::Uptime => AWAIT_UPTIME,
                };
                let Ok(Answer::Body { text, etag, .. }) = result else {
                    // A 304 keeps what we have; a failure leaves the section as it was (but the
                    // last first answer still renders, so the app can show itself).
                    return before != 0 && self.awaiting == 0;
                };
                match extra {
                    Extra::Postmortems => {
                        if let Ok(doc) = read::postmortems(&text) {
                            self.postmortems = Some(Rc::new(doc));
                            self.postmortems_etag = etag;
                        }
                    }
                    Extra::Uptime => {
                        if let Ok(doc) = read::uptime(&text) {
                            self.uptime = Some(Rc::new(doc));
                            self.uptime_etag = etag;
                        }
                    }
                }
                true
            }
            Msg::Visibility => {
                if !hidden() && (self.paused || self.feed.out_of_date(now(), self.options(ctx).poll_secs)) {
                    self.paused = false;
                    ctx.link().send_message(Msg::Poll);
                }
                false
            }
            Msg::Tick => {
                self.announce(ctx);
                true
            }
            Msg::Dismiss(key) => {
                Rc::make_mut(&mut self.dismissals).insert(&key);
                storage::save_dismissals(&self.options(ctx).src, &self.dismissals.store());
                true
            }
            Msg::ToggleDetails => {
                self.details_open = !self.details_open;
                true
            }
        }
    }

    fn rendered(&mut self, ctx: &Context<Self>, _first_render: bool) {
        if self.awaiting == 0 && !self.shown {
            self.shown = true;
            ctx.props().on_ready.emit(());
        }
    }

    fn view(&self, ctx: &Context<Self>) -> Html {
        let now = now();
        html! {
            <Widget options={Rc::clone(&ctx.props().options)} text={self.text} locale={self.locale.clone()}
                formats={Rc::clone(&self.formats)} now={now} headline={self.headline(ctx, now)}
                summary={self.summary.clone()} postmortems={self.postmortems.clone()} uptime={self.uptime.clone()}
                dismissals={Rc::clone(&self.dismissals)} details_open={self.details_open}
                error={self.error.as_ref().map(|e| AttrValue::from(e.to_string()))}
                confirmed_at={self.feed.fetched_at}
                on_dismiss={ctx.link().callback(Msg::Dismiss)}
                on_toggle={ctx.link().callback(|_| Msg::ToggleDetails)}
                on_retry={ctx.link().callback(|_| Msg::Poll)} />
        }
    }
}
