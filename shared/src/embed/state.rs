//! The widget's state and how each event changes it: a pure reducer.
//!
//! The widget's component holds a [`State`] in Yew's `use_reducer` and feeds it [`Event`]s. What
//! the reducer cannot do itself (fetch, wait, store, fire DOM events) the component does as effects
//! keyed on the counters the reducer bumps: [`State::polls`] starts a fetch, [`State::answers`]
//! schedules the next poll. So every decision about polling, pausing and readiness is here, where a
//! host test can check it, and the component only carries them out.

use std::rc::Rc;

use super::{BannerKey, Dismissals, Feed, Headline, Options, Outcome, View, shown_indicator};
use crate::uptime::UptimeDocument;
use crate::views::{PostmortemsDocument, Summary};
use crate::wire::Timestamp;

/// A fetched document: a new body, or `304 Not Modified`.
#[derive(Clone, Debug, PartialEq)]
pub enum Fetched<T> {
    /// A new document, its ETag, and whether the edge served its last good copy.
    Body {
        /// The parsed document.
        doc: T,
        /// The ETag to send next time.
        etag: Option<String>,
        /// `X-Sitrep-Stale: 1`.
        stale: bool,
    },
    /// What we hold is current.
    NotModified {
        /// `X-Sitrep-Stale: 1`.
        stale: bool,
    },
}

/// Why a fetch gave nothing usable, as the reader is told it.
pub type Failure = String;

/// What happens to a widget.
#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    /// Time to poll: the timer, `refresh()` or the retry button. `hidden`: the tab is hidden.
    Poll {
        /// `document.hidden` now.
        hidden: bool,
    },
    /// The summary's fetch finished at `at`.
    Summary {
        /// When the answer arrived.
        at: Timestamp,
        /// The answer.
        result: Result<Fetched<Summary<'static>>, Failure>,
    },
    /// The postmortems' fetch finished (full view).
    Postmortems(Result<Fetched<PostmortemsDocument<'static>>, Failure>),
    /// The uptime's fetch finished (full view).
    Uptime(Result<Fetched<UptimeDocument<'static>>, Failure>),
    /// The tab's visibility changed.
    Visibility {
        /// `document.hidden` now.
        hidden: bool,
        /// When.
        at: Timestamp,
    },
    /// Time passed: re-render relative times and re-check freshness.
    Tick,
    /// The reader dismissed a banner or notice.
    Dismiss(BannerKey),
    /// The full view's postmortems came into view (or near it): fetch them from now on.
    WantPostmortems,
    /// The reader opened or closed the banner's update history.
    ToggleDetails,
}

/// First answers still awaited before the widget shows itself (bits): the summary, and for the
/// full view the uptime too, so that it does not replace the edge's first frame with something
/// shorter. The postmortems are not awaited: neither the frame nor the app shows them until the
/// reader reaches them ([`Event::WantPostmortems`]).
const AWAIT_SUMMARY: u8 = 1;
const AWAIT_UPTIME: u8 = 4;

/// Everything one widget knows.
#[derive(Clone, Debug, PartialEq)]
pub struct State {
    /// The summary held, from storage or the edge.
    pub summary: Option<Rc<Summary<'static>>>,
    /// Its ETag.
    pub etag: Option<String>,
    /// The postmortems (full view).
    pub postmortems: Option<Rc<PostmortemsDocument<'static>>>,
    /// Their ETag.
    pub postmortems_etag: Option<String>,
    /// The reader reached the postmortems: they are fetched, now and with every answer.
    pub postmortems_wanted: bool,
    /// The uptime (full view).
    pub uptime: Option<Rc<UptimeDocument<'static>>>,
    /// Its ETag.
    pub uptime_etag: Option<String>,
    /// How fetches have gone.
    pub feed: Feed,
    /// Why the last summary fetch failed, until one succeeds.
    pub error: Option<Failure>,
    /// Banners and notices the reader dismissed.
    pub dismissals: Rc<Dismissals>,
    /// The banner's update history is open.
    pub details_open: bool,
    /// A summary fetch is on its way.
    pub in_flight: bool,
    /// Polling waits for the tab to become visible.
    pub paused: bool,
    /// Polls started: the component fetches each time this changes.
    pub polls: u32,
    /// Summary answers received: the component schedules the next poll each time this changes.
    pub answers: u32,
    /// Ticks received (each one re-renders).
    pub ticks: u32,
    view: View,
    poll_secs: u32,
    awaiting: u8,
}

/// A summary kept by an earlier page load.
#[derive(Clone, Debug, PartialEq)]
pub struct Kept {
    /// The summary.
    pub summary: Summary<'static>,
    /// Its ETag.
    pub etag: Option<String>,
    /// When it was fetched.
    pub fetched_at: Timestamp,
}

impl State {
    /// A widget with these options, starting from what an earlier page load stored.
    pub fn new(options: &Options, kept: Option<Kept>, dismissals: Dismissals) -> Self {
        let (summary, etag, fetched_at) = match kept {
            Some(kept) => (Some(Rc::new(kept.summary)), kept.etag, Some(kept.fetched_at)),
            None => (None, None, None),
        };
        Self {
            summary,
            etag,
            postmortems: None,
            postmortems_etag: None,
            postmortems_wanted: false,
            uptime: None,
            uptime_etag: None,
            feed: Feed::from_storage(fetched_at),
            error: None,
            dismissals: Rc::new(dismissals),
            details_open: false,
            in_flight: false,
            paused: false,
            polls: 0,
            answers: 0,
            ticks: 0,
            view: options.view,
            poll_secs: options.poll_secs,
            awaiting: if options.view == View::Full { AWAIT_SUMMARY | AWAIT_UPTIME } else { AWAIT_SUMMARY },
        }
    }

    /// Applies one event.
    pub fn update(&mut self, event: Event) {
        match event {
            Event::Poll { hidden } => self.poll(hidden),
            Event::Summary { at, result } => {
                self.in_flight = false;
                self.awaiting &= !AWAIT_SUMMARY;
                self.answers = self.answers.wrapping_add(1);
                let outcome = match result {
                    Ok(Fetched::Body { doc, etag, stale }) => {
                        self.summary = Some(Rc::new(doc));
                        self.etag = etag;
                        self.error = None;
                        Outcome::Fresh { stale }
                    }
                    Ok(Fetched::NotModified { stale }) => {
                        self.error = None;
                        Outcome::NotModified { stale }
                    }
                    Err(why) => {
                        self.error = Some(why);
                        Outcome::Failed
                    }
                };
                self.feed.record(outcome, at);
            }
            // A 304 keeps what is held; a failure leaves the section as it was. Either way the
            // first answer counts towards readiness.
            Event::Postmortems(result) => {
                if let Ok(Fetched::Body { doc, etag, .. }) = result {
                    self.postmortems = Some(Rc::new(doc));
                    self.postmortems_etag = etag;
                }
            }
            Event::Uptime(result) => {
                self.awaiting &= !AWAIT_UPTIME;
                if let Ok(Fetched::Body { doc, etag, .. }) = result {
                    self.uptime = Some(Rc::new(doc));
                    self.uptime_etag = etag;
                }
            }
            Event::Visibility { hidden, at } => {
                if !hidden && (self.paused || self.feed.out_of_date(at, self.poll_secs)) {
                    self.paused = false;
                    self.poll(false);
                }
            }
            Event::WantPostmortems => self.postmortems_wanted = self.view == View::Full,
            Event::Tick => self.ticks = self.ticks.wrapping_add(1),
            Event::Dismiss(key) => Rc::make_mut(&mut self.dismissals).insert(&key),
            Event::ToggleDetails => self.details_open = !self.details_open,
        }
    }

    /// Starts a poll unless one is on its way; a hidden tab pauses polling instead.
    fn poll(&mut self, hidden: bool) {
        if hidden {
            self.paused = true;
        } else if !self.in_flight {
            self.in_flight = true;
            self.polls = self.polls.wrapping_add(1);
        }
    }

    /// The ETag to send with the next summary fetch: only when a summary is held to fall back on.
    pub fn etag_to_send(&self) -> Option<&str> {
        self.summary.as_ref().and(self.etag.as_deref())
    }

    /// Whether each poll also fetches the uptime (and the postmortems once wanted).
    pub fn wants_extras(&self) -> bool {
        self.view == View::Full
    }

    /// Whether the first answers are in, so the widget can replace the edge's first frame.
    pub fn ready(&self) -> bool {
        self.awaiting == 0
    }

    /// Whether a timer should be waiting for the next poll: once an answer came, and while the
    /// tab is visible (a hidden tab polls again when it is shown, through [`Event::Visibility`]).
    pub fn waits_for_next_poll(&self) -> bool {
        self.answers > 0 && !self.paused
    }

    /// Milliseconds until the next scheduled poll; `unit` in `[0, 1)` is the jitter's randomness.
    pub fn next_delay_ms(&self, unit: f64) -> u64 {
        self.feed.next_delay_ms(self.poll_secs, unit)
    }

    /// The headline at `now` for a widget filtered to `options.components`.
    pub fn headline(&self, options: &Options, now: Timestamp) -> Headline {
        let indicator = self.summary.as_ref().map(|s| shown_indicator(s, &options.components, now));
        Headline::of(indicator, self.feed.out_of_date(now, self.poll_secs), self.error.is_some())
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use std::borrow::Cow;

    use super::*;
    use crate::Indicator;
    use crate::testing::{at, page};

    fn options(view: &str) -> Options {
        Options::read(|name| (name == "view").then(|| view.to_string()), "https://status.example.com")
    }

    fn summary() -> Summary<'static> {
        let data = page();
        Summary {
            page: Cow::Owned(data.page),
            status: Indicator::None.into(),
            components: Cow::Owned(Vec::new()),
            incidents: Vec::new(),
            scheduled_maintenances: Vec::new(),
        }
    }

    fn body<T>(doc: T, etag: &str) -> Result<Fetched<T>, Failure> {
        Ok(Fetched::Body { doc, etag: Some(etag.to_string()), stale: false })
    }

    fn answer(state: &mut State, result: Result<Fetched<Summary<'static>>, Failure>) {
        state.update(Event::Summary { at: at(0), result });
    }

    #[test]
    fn a_poll_starts_one_fetch_at_a_time() {
        let mut state = State::new(&options("badge"), None, Dismissals::default());
        state.update(Event::Poll { hidden: false });
        state.update(Event::Poll { hidden: false });
        assert_eq!((state.polls, state.in_flight), (1, true), "a second poll while one is on its way is dropped");
        answer(&mut state, body(summary(), "\"a\""));
        assert_eq!((state.answers, state.in_flight), (1, false));
        state.update(Event::Poll { hidden: false });
        assert_eq!(state.polls, 2);
    }

    #[test]
    fn a_hidden_tab_pauses_and_becoming_visible_polls_once() {
        let mut state = State::new(&options("badge"), None, Dismissals::default());
        assert!(!state.waits_for_next_poll(), "nothing to wait for before the first answer");
        state.update(Event::Poll { hidden: true });
        assert_eq!((state.paused, state.polls), (true, 0));
        state.update(Event::Visibility { hidden: true, at: at(0) });
        assert_eq!(state.polls, 0, "still hidden: no poll");
        state.update(Event::Visibility { hidden: false, at: at(0) });
        assert_eq!((state.paused, state.polls, state.in_flight), (false, 1, true));
        answer(&mut state, Err("down".to_string()));
        assert!(state.waits_for_next_poll());
        state.update(Event::Poll { hidden: true });
        assert!(!state.waits_for_next_poll(), "a hidden tab keeps no timer");
    }

    #[test]
    fn becoming_visible_with_fresh_data_does_not_poll() {
        let mut state = State::new(&options("badge"), None, Dismissals::default());
        state.update(Event::Poll { hidden: false });
        answer(&mut state, body(summary(), "\"a\""));
        state.update(Event::Visibility { hidden: false, at: at(1) });
        assert_eq!(state.polls, 1, "data confirmed a minute ago is not out of date");
        state.update(Event::Visibility { hidden: false, at: at(60) });
        assert_eq!(state.polls, 2, "an hour later it is");
    }

    #[test]
    fn a_failure_keeps_the_summary_shows_why_and_backs_off() {
        let mut state = State::new(&options("badge"), None, Dismissals::default());
        answer(&mut state, body(summary(), "\"a\""));
        let first = state.next_delay_ms(0.5);
        answer(&mut state, Err("the status service answered 503".to_string()));
        assert!(state.summary.is_some(), "the last good summary stays");
        assert_eq!(state.error.as_deref(), Some("the status service answered 503"));
        assert_eq!(state.next_delay_ms(0.5), first, "one failure waits the interval");
        answer(&mut state, Err("again".to_string()));
        assert_eq!(state.next_delay_ms(0.5), first * 2, "the second doubles it");
        let headline = state.headline(&options("badge"), at(0));
        assert_eq!(headline, Headline::of(Some(Indicator::None), false, true));
        answer(&mut state, Ok(Fetched::NotModified { stale: false }));
        assert_eq!((state.error.as_deref(), state.etag.as_deref()), (None, Some("\"a\"")));
    }

    #[test]
    fn the_etag_is_sent_only_with_a_summary_to_fall_back_on() {
        let mut state = State::new(&options("badge"), None, Dismissals::default());
        state.etag = Some("\"orphan\"".to_string());
        assert_eq!(state.etag_to_send(), None);
        answer(&mut state, body(summary(), "\"b\""));
        assert_eq!(state.etag_to_send(), Some("\"b\""));
    }

    #[test]
    fn a_kept_summary_is_shown_and_dated_from_storage() {
        let kept = Kept { summary: summary(), etag: Some("\"k\"".to_string()), fetched_at: at(-60) };
        let state = State::new(&options("badge"), Some(kept), Dismissals::default());
        assert_eq!(state.etag_to_send(), Some("\"k\""));
        assert!(!state.ready(), "still waits for the edge before replacing a frame");
        assert!(state.feed.out_of_date(at(0), 60), "an hour old");
    }

    #[test]
    fn the_full_view_is_ready_when_summary_and_uptime_answered_even_if_they_failed() {
        let mut state = State::new(&options("full"), None, Dismissals::default());
        assert!(state.wants_extras());
        answer(&mut state, body(summary(), "\"a\""));
        assert!(!state.ready());
        state.update(Event::Uptime(Err("down".to_string())));
        assert!(state.ready(), "the postmortems are not awaited: nobody has reached them");
        assert!(state.uptime.is_none() && state.postmortems.is_none(), "nothing usable arrived");
        assert!(!state.postmortems_wanted);
        state.update(Event::WantPostmortems);
        assert!(state.postmortems_wanted, "from now on they are fetched");
        state.update(Event::Postmortems(Ok(Fetched::NotModified { stale: false })));
        assert!(state.ready() && state.postmortems.is_none());

        let mut badge = State::new(&options("badge"), None, Dismissals::default());
        assert!(!badge.wants_extras());
        badge.update(Event::WantPostmortems);
        assert!(!badge.postmortems_wanted, "only a full view lists postmortems");
        answer(&mut badge, Err("down".to_string()));
        assert!(badge.ready(), "a failed first answer still shows (the error state)");
    }

    #[test]
    fn dismissals_and_details_toggle() {
        let mut state = State::new(&options("banner"), None, Dismissals::default());
        let key = BannerKey("incident:x:2026-11-29T10:00:00Z".to_string());
        state.update(Event::Dismiss(key.clone()));
        assert!(state.dismissals.contains(&key));
        state.update(Event::ToggleDetails);
        state.update(Event::ToggleDetails);
        state.update(Event::ToggleDetails);
        assert!(state.details_open);
        let ticks = state.ticks;
        state.update(Event::Tick);
        assert_eq!(state.ticks, ticks + 1);
    }
}
