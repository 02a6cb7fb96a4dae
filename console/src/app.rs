//! The console's frame: who is signed in, the navigation, the screen the location names, the
//! live reads (every few seconds while the tab is visible, and after every write), and focus
//! moved to each screen's heading so keyboards and screen readers follow the navigation.

use std::rc::Rc;

use gloo_events::EventListener;
use gloo_timers::callback::Interval;
use sitrep_shared::views::{IncidentsDocument, MaintenancesDocument, Summary};
use sitrep_shared::{Timestamp, api::Endpoint, api::Operation};
use sitrep_views::i18n::{self, Text};
use sitrep_views::intl::Formats;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

use crate::api::{self, Extra, Failure};
use crate::model::{Held, Me, Model, Msg, Route};
use crate::switcher::{self, PageLink, PageList};
use crate::words::{self, Words};

/// How often the console reads the page while visible: another operator's write appears within this.
const POLL_MS: u32 = 5_000;

/// What every screen reads.
#[derive(Clone, Debug)]
pub struct Ctx {
    pub words: &'static Words,
    pub text: &'static Text,
    pub locale: AttrValue,
    pub formats: Rc<Formats>,
    pub me: Rc<Me>,
    pub held: Rc<Held>,
    pub dispatch: Callback<Msg>,
    /// Where readers reach the page the console works on, when not at this host ("": here).
    pub public: AttrValue,
    /// The deployment's pages besides the default one (`GET pages`), and how to read them again.
    pub pages: Rc<Vec<PageLink>>,
    pub reload_pages: Callback<()>,
    /// Why the list of pages could not be read, if it could not.
    pub pages_trouble: Option<AttrValue>,
}

impl PartialEq for Ctx {
    fn eq(&self, other: &Self) -> bool {
        self.words.tag == other.words.tag
            && Rc::ptr_eq(&self.me, &other.me)
            && Rc::ptr_eq(&self.held, &other.held)
            && self.dispatch == other.dispatch
            && self.public == other.public
            && Rc::ptr_eq(&self.pages, &other.pages)
            && self.pages_trouble == other.pages_trouble
    }
}

impl Ctx {
    /// Now, by the browser's clock.
    pub fn now(&self) -> Timestamp {
        now()
    }
}

pub fn now() -> Timestamp {
    Timestamp::from_unix_millis(js_sys::Date::now() as i64)
        .unwrap_or_else(|| Timestamp::from_datetime(Default::default()))
}

/// Calls an operation whose answer is not a page write's (accounts, subscriptions): `then` gets
/// the answer, a refusal goes to `failed`, a signed-out answer signs the console out.
pub fn act<T: serde::de::DeserializeOwned + 'static>(
    ctx: &Ctx,
    op: Operation,
    body: Option<impl serde::Serialize + 'static>,
    failed: UseStateHandle<Option<Failure>>,
    then: impl FnOnce(T) + 'static,
) {
    act_with(ctx, op, body, Extra::default(), failed, then);
}

/// [`act`] with what goes with the call (a create's `Idempotency-Key`).
pub fn act_with<T: serde::de::DeserializeOwned + 'static>(
    ctx: &Ctx,
    op: Operation,
    body: Option<impl serde::Serialize + 'static>,
    extra: Extra,
    failed: UseStateHandle<Option<Failure>>,
    then: impl FnOnce(T) + 'static,
) {
    let body = body.as_ref().map(api::to_json).transpose();
    let then: Answered = Box::new(move |text| api::parse::<T>(&text).map(then));
    act_text(ctx.dispatch.clone(), op, body, extra, failed, None, then);
}

/// [`act`] that does nothing while `busy` (a second press would send it twice), and is busy until
/// the answer or the refusal comes.
pub fn act_once<T: serde::de::DeserializeOwned + 'static>(
    ctx: &Ctx,
    op: Operation,
    body: Option<impl serde::Serialize + 'static>,
    busy: UseStateHandle<bool>,
    failed: UseStateHandle<Option<Failure>>,
    then: impl FnOnce(T) + 'static,
) {
    if *busy {
        return;
    }
    busy.set(true);
    let body = body.as_ref().map(api::to_json).transpose();
    let then: Answered = Box::new(move |text| api::parse::<T>(&text).map(then));
    act_text(ctx.dispatch.clone(), op, body, Extra::default(), failed, Some(busy), then);
}

/// What [`act`] does with an answer's text: read it as its type and hand it on.
type Answered = Box<dyn FnOnce(String) -> Result<(), Failure>>;

/// [`act`] without its types, compiled once.
fn act_text(
    dispatch: Callback<Msg>,
    op: Operation,
    body: Result<Option<String>, Failure>,
    extra: Extra,
    failed: UseStateHandle<Option<Failure>>,
    busy: Option<UseStateHandle<bool>>,
    then: Answered,
) {
    spawn_local(async move {
        let answer = match body {
            Ok(body) => api::request_text(&op, body, extra).await.and_then(|read| then(read.value)),
            Err(failure) => Err(failure),
        };
        if let Some(busy) = busy {
            busy.set(false);
        }
        match answer {
            Ok(()) => failed.set(None),
            Err(Failure::SignedOut(why)) => dispatch.emit(Msg::SignedOut(why)),
            Err(failure) => failed.set(Some(failure)),
        }
    });
}

/// Goes to `route` (the location's hash; the frame follows it).
pub fn go(route: &Route) {
    if let Some(location) = web_sys::window().map(|w| w.location()) {
        let _ = location.set_hash(&route.href());
    }
}

fn current_route() -> Route {
    let hash = web_sys::window().and_then(|w| w.location().hash().ok()).unwrap_or_default();
    Route::parse(&hash)
}

/// Whether this is the second module (the settings screens, `/admin/settings/`).
const SETTINGS: bool = cfg!(feature = "settings");

/// If `route` is the other module's screen, loads that module's document on it (with the same
/// page chosen, `?page=`); whether it did. One rule decides in both modules (`Route::in_settings`),
/// so a screen never sends the browser back and forth.
pub fn moved(route: &Route) -> bool {
    if route.in_settings() == SETTINGS {
        return false;
    }
    let Some(window) = web_sys::window() else { return false };
    let location = window.location();
    // A module served under the other's document (a broken build) must not reload it forever.
    if location.pathname().is_ok_and(|here| here == route.document()) {
        return false;
    }
    // The next document moves focus to its screen's heading, as a tab within one module does.
    if let Ok(Some(storage)) = window.session_storage() {
        let _ = storage.set_item(MOVED_KEY, "1");
    }
    let search = location.search().unwrap_or_default();
    location.replace(&format!("{}{search}{}", route.document(), route.href())).is_ok()
}

/// The session storage key that says this document was loaded by a tab of the other module.
const MOVED_KEY: &str = "sitrep-console-moved";

/// Whether this document was loaded by a tab of the other module (the mark is taken: once).
fn arrived_by_tab() -> bool {
    let Some(storage) = web_sys::window().and_then(|w| w.session_storage().ok().flatten()) else { return false };
    let marked = storage.get_item(MOVED_KEY).ok().flatten().is_some();
    let _ = storage.remove_item(MOVED_KEY);
    marked
}

/// Focus to the screen's heading (`#screen`), so keyboards and screen readers follow a move.
fn focus_heading() {
    focus("screen");
}

/// Moves keyboard focus to the element `id` (a screen's heading; a two-press confirmation's
/// second button, and back).
pub fn focus(id: &str) {
    let element = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id(id));
    if let Some(element) = element.and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(e).ok()) {
        let _ = element.focus();
    }
}

fn hidden() -> bool {
    web_sys::window().and_then(|w| w.document()).is_some_and(|d| d.hidden())
}

fn languages() -> Vec<String> {
    let navigator = web_sys::window().map(|w| w.navigator());
    let list = navigator.as_ref().map(|n| n.languages().to_vec()).unwrap_or_default();
    list.into_iter().filter_map(|l| l.as_string()).collect()
}

/// Who is signed in; a background `poll` does not keep the session alive.
async fn read_me(dispatch: Callback<Msg>, me: Option<Rc<Me>>, poll: bool) {
    let extra = Extra { poll, ..Extra::default() };
    match api::request::<Me>(&Operation::new(Endpoint::Me), None::<&()>, extra).await {
        Ok(now) if me.as_deref() != Some(&now.value) => dispatch.emit(Msg::Me(now.value)),
        Ok(_) => dispatch.emit(Msg::Fine),
        Err(Failure::SignedOut(why)) => dispatch.emit(Msg::SignedOut(why)),
        Err(failure) => dispatch.emit(Msg::Trouble(failure.message())),
    }
}

/// The summary, and the incidents and maintenances when the version moved or the three were not
/// read at one version last time.
async fn read_page(dispatch: Callback<Msg>, known: Option<Rc<Held>>) {
    let summary = match api::read_document::<Summary<'static>>(api::Document::Summary).await {
        Ok(read) => read,
        Err(failure) => return dispatch.emit(Msg::Trouble(failure.message())),
    };
    let version = summary.version.unwrap_or_default();
    if known.is_some_and(|k| k.settled && k.version == version && version != 0) {
        // Nothing changed: keep what is held (no re-render), and end any backoff.
        return dispatch.emit(Msg::Fine);
    }
    let incidents = api::read_document::<IncidentsDocument<'static>>(api::Document::Incidents).await;
    let maintenances = api::read_document::<MaintenancesDocument<'static>>(api::Document::Maintenances).await;
    match (incidents, maintenances) {
        (Ok(incidents), Ok(maintenances)) => {
            let versions = [version, incidents.version.unwrap_or_default(), maintenances.version.unwrap_or_default()];
            let oldest = versions.iter().copied().min().unwrap_or_default();
            dispatch.emit(Msg::Held(Rc::new(Held {
                summary: Rc::new(summary.value),
                incidents: incidents.value.incidents.into_iter().map(|i| i.into_owned()).collect(),
                maintenances: maintenances.value.scheduled_maintenances.into_iter().map(|m| m.into_owned()).collect(),
                version: oldest,
                settled: versions.iter().all(|v| *v == oldest),
            })))
        }
        (Err(failure), _) | (_, Err(failure)) => dispatch.emit(Msg::Trouble(failure.message())),
    }
}

/// Polls between asking who is signed in (every 30 s at 5 s a poll).
const POLLS_PER_RECHECK: u32 = 6;

#[function_component]
pub fn App() -> Html {
    let model = use_reducer(Model::default);
    let route = use_state(current_route);
    let (text, locale) = use_memo((), |_| {
        let preferred = languages();
        i18n::choose(preferred.iter().map(String::as_str))
    })
    .as_ref()
    .clone();
    let words = words::of(text.tag);
    let formats = use_memo(locale.clone(), |locale| Formats::new(locale, None));
    let dispatch = {
        let model = model.dispatcher();
        use_callback((), move |msg: Msg, _| model.dispatch(msg))
    };

    // The document speaks the console's language.
    use_effect_with(words.tag, |tag| {
        if let Some(root) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) {
            let _ = root.set_attribute("lang", tag);
        }
    });
    // Who, now and whenever asked; the page, now and whenever asked.
    {
        let (dispatch, me, poll) = (dispatch.clone(), model.me.clone(), model.who_polled);
        use_effect_with(model.who_wanted, move |_| spawn_local(read_me(dispatch, me, poll)));
    }
    {
        let dispatch = dispatch.clone();
        let known = model.held.clone();
        use_effect_with(model.wanted, move |_| spawn_local(read_page(dispatch, known)));
    }
    // The deployment's pages, at the start and whenever the pages screen asks (when it opens and
    // after each change): the switcher (none when there is only the default page) and the pages
    // screen. Only the newest request's answer is taken: an older one arriving late would bring
    // back what a change took away.
    let pages = use_state(|| Rc::new(Vec::<PageLink>::new()));
    let pages_trouble = use_state(|| None::<AttrValue>);
    let pages_asked = use_mut_ref(|| 0_u32);
    let pages_wanted = use_state(|| 0_u32);
    let reload_pages = {
        let (asked, wanted) = (pages_asked.clone(), pages_wanted.setter());
        use_callback((), move |_: (), _| {
            let next = {
                let mut asked = asked.borrow_mut();
                *asked = asked.wrapping_add(1);
                *asked
            };
            wanted.set(next);
        })
    };
    {
        let (pages, trouble, asked) = (pages.clone(), pages_trouble.clone(), pages_asked.clone());
        use_effect_with(*pages_wanted, move |this| {
            let this = *this;
            spawn_local(async move {
                let op = Operation::new(Endpoint::ListPages);
                let answer = api::request::<PageList>(&op, None::<&()>, Extra::default()).await;
                if *asked.borrow() != this {
                    return;
                }
                // Without the list the console still works on its page; the switcher stays away,
                // and the pages screen says why.
                match answer {
                    Ok(list) => {
                        pages.set(Rc::new(list.value.pages));
                        trouble.set(None);
                    }
                    Err(failure) => trouble.set(Some(failure.message().into())),
                }
            });
        });
    }
    // A poll every few seconds while the tab is visible and someone is signed in; after failures in
    // a row, every 2nd, 4th, 8th, then 16th tick (80 s).
    {
        let dispatch = dispatch.clone();
        let failures = use_mut_ref(|| 0_u32);
        *failures.borrow_mut() = model.failures;
        use_effect_with(model.signed_out.is_some(), move |signed_out| {
            let interval = (!*signed_out).then(|| {
                let mut tick = 0_u32;
                Interval::new(POLL_MS, move || {
                    tick = tick.wrapping_add(1);
                    let every = 1_u32 << (*failures.borrow()).min(4);
                    if hidden() || !tick.is_multiple_of(every) {
                        return;
                    }
                    dispatch.emit(if tick.is_multiple_of(POLLS_PER_RECHECK) {
                        Msg::Recheck(true)
                    } else {
                        Msg::Reload
                    });
                })
            });
            move || drop(interval)
        });
    }
    // The location's hash is the route.
    {
        let route = route.clone();
        use_effect_with((), move |_| {
            // Only `#/…` is a route: the skip link's `#main` moves focus and leaves the screen alone.
            let listener = web_sys::window().map(|w| {
                EventListener::new(&w, "hashchange", move |_| {
                    let hash = web_sys::window().and_then(|w| w.location().hash().ok()).unwrap_or_default();
                    if hash.is_empty() || hash.starts_with("#/") {
                        let now = current_route();
                        if !moved(&now) {
                            route.set(now);
                        }
                    }
                })
            });
            move || drop(listener)
        });
    }
    // Each new screen's heading takes focus (not the first: the page has only just loaded), and
    // the edge is asked again who is signed in (a revoked operator learns it on their next move).
    {
        let first = use_mut_ref(|| true);
        let dispatch = dispatch.clone();
        use_effect_with((*route).clone(), move |_| {
            if std::mem::replace(&mut *first.borrow_mut(), false) {
                return;
            }
            dispatch.emit(Msg::Recheck(false));
            focus_heading();
        });
    }
    // Loaded by a tab of the other module: the heading takes focus once the screen is drawn.
    {
        let arrived = use_mut_ref(arrived_by_tab);
        let drawn = model.me.is_some() && model.held.is_some();
        use_effect_with(drawn, move |drawn| {
            if *drawn && std::mem::replace(&mut *arrived.borrow_mut(), false) {
                // After this render's new screen has drawn its heading (it renders after the frame).
                gloo_timers::callback::Timeout::new(0, focus_heading).forget();
            }
        });
    }

    if let Some(why) = &model.signed_out {
        return html! {
            <main id="main" class="console">
                <h1 id="screen" tabindex="-1">{words.signed_out}</h1>
                <p>{why.clone()}</p>
                <p>{words.sign_in_again}</p>
            </main>
        };
    }
    let (Some(me), Some(held)) = (model.me.clone(), model.held.clone()) else {
        // The switcher stays reachable: a page chosen by an address that names none says so here.
        let current = api::chosen().unwrap_or_else(|| sitrep_shared::host::DEFAULT_PAGE.to_owned());
        return html! {
            <>
                { switcher::switcher(words, &pages, &current) }
                <main id="main" class="console" aria-busy="true">
                    <h1 id="screen" tabindex="-1">{words.console}</h1>
                    <p role="status">{model.trouble.clone().unwrap_or_else(|| words.loading.to_owned())}</p>
                </main>
            </>
        };
    };
    let current = AttrValue::from(me.page.clone());
    let public = switcher::public_base(&pages, &current).into();
    let pages = (*pages).clone();
    let pages_trouble = (*pages_trouble).clone();
    let ctx = Ctx {
        words,
        text,
        locale: locale.into(),
        formats,
        me,
        held,
        dispatch,
        public,
        pages,
        reload_pages,
        pages_trouble,
    };
    // Each module draws only its own screens (`SETTINGS` is a constant, so the other's are left out
    // of its wasm); the other's are a moment's "loading" while the browser goes to the module that
    // has them (see `moved`, called when the route changes).
    let screen = match &*route {
        Route::Overview if !SETTINGS => html! { <crate::overview::Overview /> },
        Route::Incidents if !SETTINGS => html! { <crate::incidents::List /> },
        Route::NewIncident if !SETTINGS => html! { <crate::incidents::Open /> },
        // Keyed by id: another incident's screen starts with empty forms.
        Route::Incident(id) if !SETTINGS => {
            html! { <crate::incidents::Detail key={id.clone()} id={AttrValue::from(id.clone())} /> }
        }
        Route::Maintenance if !SETTINGS => html! { <crate::maintenance::Maintenance /> },
        Route::Postmortem(id) if !SETTINGS => {
            html! { <crate::postmortem::Editor key={id.clone()} id={AttrValue::from(id.clone())} /> }
        }
        Route::Components if !SETTINGS => html! { <crate::components::Components /> },
        Route::Templates if SETTINGS => html! { <crate::templates::Templates /> },
        Route::Subscriptions if SETTINGS => html! { <crate::subscriptions::Subscriptions /> },
        Route::Operators if SETTINGS => html! { <crate::people::Operators /> },
        Route::Pages if SETTINGS => html! { <crate::pages::Pages /> },
        Route::Log if SETTINGS => html! { <crate::log::AuditLog /> },
        _ => html! { <p role="status">{words.loading}</p> },
    };
    let nav = [
        (Route::Overview, words.overview),
        (Route::Incidents, words.incidents),
        (Route::Maintenance, words.maintenance),
        (Route::Components, words.components),
        (Route::Templates, words.templates),
        (Route::Subscriptions, words.subscriptions),
        (Route::Operators, words.operators),
        (Route::Pages, words.pages_nav),
        (Route::Log, words.audit_log),
    ];
    let here = |r: &Route| match (&*route, r) {
        (Route::NewIncident | Route::Incident(_) | Route::Postmortem(_), Route::Incidents) => true,
        (now, r) => now == r,
    };
    html! {
        <ContextProvider<Ctx> context={ctx.clone()}>
            { switcher::switcher(words, &ctx.pages, &current) }
            <nav class="tabs" aria-label={words.main_nav}>
                <ul>
                    { for nav.iter().map(|(r, label)| html! {
                        <li><a href={r.href()} aria-current={here(r).then_some("page")}>{*label}</a></li>
                    }) }
                </ul>
            </nav>
            <main id="main" class="console">
                if ctx.me.page_role() < sitrep_shared::access::Role::Editor {
                    <p class="note">{words.read_only}</p>
                }
                {screen}
                <p class="live" role="status">{model.notice.clone().unwrap_or_default()}</p>
                if let Some(trouble) = &model.trouble {
                    <p class="trouble" role="alert">{trouble.clone()}</p>
                }
                <p class="quiet">{words.live}</p>
            </main>
        </ContextProvider<Ctx>>
    }
}
