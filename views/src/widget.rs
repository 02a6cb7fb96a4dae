//! The embedded views (badge, banner, full) as one function component, [`Widget`], with plain
//! props: the browser renders it live (`csr`, in `sitrep-widget`) and the edge renders its first
//! frame (`ssr`, in `sitrep-edge`), so the two cannot disagree.

use std::rc::Rc;

use sitrep_shared::embed::{self, BannerKey, Dismissals, Headline, Options, View};
use sitrep_shared::uptime::UptimeDocument;
use sitrep_shared::views::{PostmortemsDocument, Summary};
use sitrep_shared::{Incident, IncidentUpdate, Indicator, Timestamp};
use yew::prelude::*;

use crate::i18n::Text;
use crate::intl::Formats;
use crate::markup::*;

/// Everything the embedded views show; callbacks default to doing nothing (the edge's frame).
#[derive(Debug, Properties)]
pub struct WidgetProps {
    pub options: Rc<Options>,
    pub text: &'static Text,
    /// The language tag given to `Intl` and put on the element.
    pub locale: AttrValue,
    pub formats: Rc<Formats>,
    pub now: Timestamp,
    pub headline: Headline,
    #[prop_or_default]
    pub summary: Option<Rc<Summary<'static>>>,
    #[prop_or_default]
    pub postmortems: Option<Rc<PostmortemsDocument<'static>>>,
    #[prop_or_default]
    pub uptime: Option<Rc<UptimeDocument<'static>>>,
    #[prop_or_default]
    pub dismissals: Rc<Dismissals>,
    #[prop_or_default]
    pub details_open: bool,
    /// Why the last poll failed, shown when nothing is held.
    #[prop_or_default]
    pub error: Option<AttrValue>,
    /// When the edge last confirmed the summary.
    #[prop_or_default]
    pub confirmed_at: Option<Timestamp>,
    #[prop_or_default]
    pub on_dismiss: Callback<BannerKey>,
    #[prop_or_default]
    pub on_toggle: Callback<MouseEvent>,
    #[prop_or_default]
    pub on_retry: Callback<MouseEvent>,
}

/// Props are the same when they hold the same documents (by pointer: they are replaced, never edited).
impl PartialEq for WidgetProps {
    fn eq(&self, other: &Self) -> bool {
        fn same<T>(a: &Option<Rc<T>>, b: &Option<Rc<T>>) -> bool {
            match (a, b) {
                (Some(a), Some(b)) => Rc::ptr_eq(a, b),
                (None, None) => true,
                _ => false,
            }
        }
        self.options == other.options
            && self.text == other.text
            && self.locale == other.locale
            && Rc::ptr_eq(&self.formats, &other.formats)
            && self.now == other.now
            && self.headline == other.headline
            && same(&self.summary, &other.summary)
            && same(&self.postmortems, &other.postmortems)
            && same(&self.uptime, &other.uptime)
            && self.dismissals == other.dismissals
            && self.details_open == other.details_open
            && self.error == other.error
            && self.confirmed_at == other.confirmed_at
            && self.on_dismiss == other.on_dismiss
            && self.on_toggle == other.on_toggle
            && self.on_retry == other.on_retry
    }
}

/// The widget's view of what it holds.
#[function_component]
pub fn Widget(props: &WidgetProps) -> Html {
    let ctx = Ctx {
        options: &props.options,
        text: props.text,
        formats: &props.formats,
        now: props.now,
        headline: props.headline,
        summary: props.summary.as_deref(),
        postmortems: props.postmortems.as_deref(),
        uptime: props.uptime.as_deref(),
        dismissals: &props.dismissals,
        details_open: props.details_open,
        error: props.error.as_deref(),
        confirmed_at: props.confirmed_at,
        on_dismiss: props.on_dismiss.clone(),
        on_toggle: props.on_toggle.clone(),
        on_retry: props.on_retry.clone(),
        relative: true,
    };
    root(&ctx, &props.locale)
}

/// The whole element: theme, language and the chosen view.
fn root(ctx: &Ctx<'_>, locale: &str) -> Html {
    let body = match ctx.options.view {
        #[cfg(feature = "full")]
        View::Banner => banner_view(ctx),
        #[cfg(feature = "full")]
        View::Full => full(ctx),
        // The badge module (built without `full`) draws only badges; its loader never gives it another view.
        _ => badge(ctx),
    };
    html! {
        <div class="sitrep" data-theme={ctx.options.theme.class()} lang={locale.to_owned()}>{body}</div>
    }
}

fn badge(ctx: &Ctx<'_>) -> Html {
    let indicator = ctx.headline.indicator();
    html! {
        <a class="badge" data-ind={ind(indicator)} data-stale={out_of_date(ctx).then_some("1")}
            href={status_page_url(ctx)} target="_blank" rel="noopener noreferrer">
            {icon(indicator)}
            {live(ctx)}
        </a>
    }
}

fn banner_view(ctx: &Ctx<'_>) -> Html {
    let scope = scoped(ctx);
    let banner = scope
        .as_ref()
        .and_then(|s| embed::banner(s, ctx.now))
        .filter(|b| !b.dismissible || !ctx.dismissals.contains(&b.key));
    let notices: Vec<Html> = scope
        .as_ref()
        .map(|s| embed::upcoming(s, ctx.now))
        .unwrap_or_default()
        .into_iter()
        .filter_map(|m| {
            let key = BannerKey::notice(m);
            (!ctx.dismissals.contains(&key)).then(|| notice(ctx, m, key))
        })
        .collect();
    // With nothing read, the banner shows nothing: it exists to announce incidents, and a reader
    // whose ad blocker stops the edge must not get a grey box on every page of the host's app.
    // Nor does it announce "Status unavailable" to a screen reader.
    let unread = matches!(ctx.headline, Headline::Unavailable | Headline::Checking);
    html! {
        <div class="stack">
            if !unread { <span class="sr-only">{live(ctx)}</span> }
            if let Some(b) = banner { {banner_box(ctx, b)} }
            {for notices}
        </div>
    }
}

fn dismiss_button(ctx: &Ctx<'_>, key: BannerKey, what: &str) -> Html {
    let on_dismiss = ctx.on_dismiss.clone();
    let label = format!("{}: {what}", ctx.text.dismiss);
    html! {
        <button type="button" class="dismiss" aria-label={label.clone()} title={label} data-key={key.0.clone()}
            onclick={Callback::from(move |_| on_dismiss.emit(key.clone()))}>
            <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true" focusable="false">
                <path class="mark" d="M4 4l8 8m0-8l-8 8" />
            </svg>
        </button>
    }
}

fn banner_box(ctx: &Ctx<'_>, banner: embed::Banner<'_>) -> Html {
    let incident = banner.incident;
    let indicator = Indicator::of_open_incident(incident.impact);
    let link = incident_page_url(ctx, incident);
    let latest = banner.latest.map(|u| {
        html! {
            <p class="update">
                <strong>{ctx.text.status(u.status)}{": "}</strong>
                <span lang={u.language.clone()}>{&u.body}</span>
            </p>
        }
    });
    let when = banner.latest.map_or(incident.updated_at, IncidentUpdate::shown_at);
    let details_id = format!("sitrep-details-{}", incident.id);
    let more_updates = incident.incident_updates.len() > 1;
    html! {
        <section class="banner" data-ind={ind(Some(indicator))} aria-label={incident.name.clone()}>
            {icon(Some(indicator))}
            <div class="content">
                <p class="title"><strong>{&incident.name}</strong></p>
                {affected(ctx, incident)}
                {latest}
                <p class="meta">
                    {ctx.text.updated}{" "}{time(ctx, when)}{" · "}{ctx.formats.date_time(when)}
                    {" · "}
                    // With one update, the details would repeat it.
                    if more_updates {
                        <button type="button" class="link" aria-expanded={if ctx.details_open { "true" } else { "false" }}
                            aria-controls={details_id.clone()} onclick={ctx.on_toggle.clone()}>{ctx.text.details}</button>
                        {" · "}
                    }
                    <a href={link} target="_blank" rel="noopener noreferrer">{ctx.text.status_page}</a>
                </p>
                if ctx.details_open && more_updates {
                    <div id={details_id}>{timeline(ctx, incident)}</div>
                }
            </div>
            if banner.dismissible { {dismiss_button(ctx, banner.key, &incident.name)} }
        </section>
    }
}

fn notice(ctx: &Ctx<'_>, maintenance: &Incident, key: BannerKey) -> Html {
    let window = window_text(ctx, maintenance);
    html! {
        <section class="notice" data-ind="maintenance" aria-label={maintenance.name.clone()}>
            {icon(Some(Indicator::Maintenance))}
            <div class="content">
                <p class="title"><strong>{ctx.text.upcoming}{": "}</strong>{&maintenance.name}</p>
                {affected(ctx, maintenance)}
                <p class="meta">{window}</p>
            </div>
            {dismiss_button(ctx, key, &maintenance.name)}
        </section>
    }
}

/// Nothing could be read: a sentence in the reader's language, the technical reason for whoever
/// supports them in `data-reason` (and in the console, from the widget).
fn error_box(ctx: &Ctx<'_>) -> Html {
    html! {
        // The view's heading already says "Status unavailable": this says why and offers a retry.
        <section class="notice" data-ind="unknown" data-reason={ctx.error.map(ToString::to_string)}>
            {icon(None)}
            <div class="content">
                <p class="meta">{ctx.text.unreachable}{" "}
                    <button type="button" class="link" onclick={ctx.on_retry.clone()}>{ctx.text.retry}</button>
                </p>
            </div>
        </section>
    }
}

fn full(ctx: &Ctx<'_>) -> Html {
    let scope = scoped(ctx);
    let indicator = ctx.headline.indicator();
    let updated =
        ctx.confirmed_at.map(|at| html! { <span class="muted">{ctx.text.updated}{" "}{time(ctx, at)}</span> });
    let incidents = scope.as_ref().map(|s| s.incidents.clone()).unwrap_or_default();
    let active_maintenance: Vec<&Incident> = scope
        .as_ref()
        .map(|s| s.maintenances.iter().copied().filter(|m| sitrep_shared::status::is_active_at(m, ctx.now)).collect())
        .unwrap_or_default();
    let upcoming = scope.as_ref().map(|s| embed::upcoming(s, ctx.now)).unwrap_or_default();
    let postmortems = match (ctx.postmortems, ctx.summary) {
        (Some(doc), Some(summary)) => {
            embed::postmortems(&doc.postmortems, summary, &ctx.options.components, ctx.options.postmortems, ctx.now)
        }
        _ => Vec::new(),
    };
    let failed = ctx.summary.is_none() && ctx.error.is_some();
    // The postmortems are read when the reader reaches them: until then (and in the edge's frame)
    // this marks where they go, and the widget watches it come into view.
    let later = ctx.postmortems.is_none() && ctx.options.postmortems > 0;
    html! {
        <div class="full">
            <header class="head" data-ind={ind(indicator)}>
                {icon(indicator)}
                <h2>{live(ctx)}</h2>
                {updated}
            </header>
            if failed { {error_box(ctx)} }
            if !incidents.is_empty() || !active_maintenance.is_empty() {
                <section>
                    <h3>{ctx.text.incidents}</h3>
                    { for incidents.iter().chain(active_maintenance.iter()).map(|i| incident_card(ctx, i)) }
                </section>
            }
            if !upcoming.is_empty() {
                <section>
                    <h3>{ctx.text.upcoming}</h3>
                    { for upcoming.iter().map(|m| html! {
                        <article class="card">
                            <p><strong>{&m.name}</strong></p>
                            <p class="muted">{window_text(ctx, m)}</p>
                            { for m.latest_update().map(|u| html! { <p class="body" lang={u.language.clone()}>{&u.body}</p> }) }
                        </article>
                    }) }
                </section>
            }
            if let (Some(summary), Some(scope)) = (ctx.summary, scope.as_ref().filter(|s| !s.components.is_empty())) {
                <section>
                    <h3>{ctx.text.components}</h3>
                    {component_list(ctx, summary, scope, false)}
                </section>
            }
            if !postmortems.is_empty() {
                <section class="postmortems">
                    <h3>{ctx.text.postmortems}</h3>
                    { for postmortems.into_iter().map(|p| postmortem_entry(ctx, p)) }
                </section>
            }
            if later { <div class="pm-later" data-sitrep-postmortems=""></div> }
        </div>
    }
}

fn incident_card(ctx: &Ctx<'_>, incident: &Incident) -> Html {
    let indicator = Indicator::of_open_incident(incident.impact);
    html! {
        <article class="card" data-ind={ind(Some(indicator))}>
            <p class="title">{icon(Some(indicator))}<strong>{&incident.name}</strong>
                <span class="pill">{ctx.text.status(incident.status)}</span></p>
            {affected(ctx, incident)}
            {timeline(ctx, incident)}
        </article>
    }
}

/// The widget's markup rendered on the server (the first frame the loader paints).
#[cfg(feature = "ssr")]
pub async fn render(props: WidgetProps) -> String {
    yew::LocalServerRenderer::<Widget>::with_props(props).hydratable(false).render().await
}

#[cfg(test)]
mod tests {
    use std::rc::Rc;
    use std::time::Duration;

    use sitrep_shared::embed::Theme;
    use sitrep_shared::{Impact, PageData, PageState};
    use wasm_bindgen::JsCast;
    use wasm_bindgen_test::wasm_bindgen_test as test;
    use web_sys::Element;
    use yew::prelude::*;

    use super::*;
    use crate::i18n;

    const STREAM: &str = include_str!("../../tests/fixtures/seeds/stream.json");

    #[derive(Properties, PartialEq)]
    struct Harness {
        summary: Rc<Summary<'static>>,
        view: View,
        headline: Headline,
        dismissals: Dismissals,
        now: Timestamp,
    }

    #[function_component]
    fn Render(props: &Harness) -> Html {
        let options =
            Options { view: props.view, theme: Theme::Light, ..Options::read(|_| None, "https://status.example") };
        html! {
            <Widget options={Rc::new(options)} text={i18n::LANGUAGES[0]} locale="en"
                formats={Rc::new(Formats::new("en", Some("UTC")))} now={props.now} headline={props.headline}
                summary={props.summary.clone()} dismissals={Rc::new(props.dismissals.clone())}
                confirmed_at={props.now} />
        }
    }

    fn ts(text: &str) -> Timestamp {
        Timestamp::parse(text).unwrap()
    }

    /// The Stream seed as of its outage, optionally edited.
    fn summary_at(now: &str, edit: impl FnOnce(&mut PageData)) -> Rc<Summary<'static>> {
        let data: PageData = serde_json::from_str(STREAM).unwrap();
        let mut data = data.as_of(ts(now));
        edit(&mut data);
        let state = PageState::new(data);
        let text = serde_json::to_string(&sitrep_shared::views::summary(&state, ts(now))).unwrap();
        Rc::new(serde_json::from_str(&text).unwrap())
    }

    async fn render(props: Harness) -> Element {
        let document = web_sys::window().unwrap().document().unwrap();
        let root = document.create_element("div").unwrap();
        document.body().unwrap().append_child(&root).unwrap();
        yew::Renderer::<Render>::with_root_and_props(root.clone(), props).render();
        yew::platform::time::sleep(Duration::from_millis(10)).await;
        root
    }

    fn harness(summary: Rc<Summary<'static>>, view: View, headline: Headline, now: &str) -> Harness {
        Harness { summary, view, headline, dismissals: Dismissals::default(), now: ts(now) }
    }

    #[test]
    async fn badge_has_text_shape_and_one_live_region() {
        let summary = summary_at("2020-12-09T17:10:00Z", |_| {});
        let el = render(harness(summary, View::Badge, Headline::Known(Indicator::Major), "2020-12-09T17:10:00Z")).await;
        assert_eq!(el.query_selector_all("[role=status][aria-live=polite]").unwrap().length(), 1);
        assert!(el.text_content().unwrap().contains("Partial System Outage"));
        assert!(
            el.query_selector(".badge[data-ind=major] svg.icon path").unwrap().is_some(),
            "a shape, not only colour"
        );
        let link = el.query_selector("a.badge").unwrap().unwrap();
        assert_eq!(link.get_attribute("rel").as_deref(), Some("noopener noreferrer"));
    }

    #[test]
    async fn unconfirmed_green_is_not_shown_as_green() {
        let summary = summary_at("2020-12-10T12:00:00Z", |_| {});
        let el = render(harness(summary, View::Badge, Headline::Unconfirmed, "2020-12-10T12:00:00Z")).await;
        let text = el.text_content().unwrap();
        assert!(text.contains("Status not confirmed") && text.contains("may be out of date"), "{text}");
        assert!(!text.contains("All Systems Operational"));
        assert!(el.query_selector("[data-ind=none]").unwrap().is_none());
    }

    #[test]
    async fn banner_shows_the_open_incident_and_hides_once_dismissed() {
        let now = "2020-12-09T17:10:00Z";
        let summary = summary_at(now, |_| {});
        let el = render(harness(summary.clone(), View::Banner, Headline::Known(Indicator::Major), now)).await;
        let banner = el.query_selector("section.banner").unwrap().unwrap();
        assert!(banner.text_content().unwrap().contains("Chat message events not delivered"));
        assert!(el.query_selector("button.dismiss").unwrap().is_some());
        let names: Vec<&str> = summary.incidents[0].components.iter().map(|c| c.name.as_str()).collect();
        assert!(!names.is_empty(), "Stream's incident names its components");
        let affected = banner.query_selector(".affected").unwrap().unwrap().text_content().unwrap();
        assert_eq!(affected, format!("Affected: {}", names.join(", ")), "the banner says which components");

        let scoped = embed::scope(&summary, &[], ts(now));
        let key = embed::banner(&scoped, ts(now)).unwrap().key;
        let mut dismissals = Dismissals::default();
        dismissals.insert(&key);
        let props = Harness { dismissals, ..harness(summary, View::Banner, Headline::Known(Indicator::Major), now) };
        let el = render(props).await;
        assert!(el.query_selector("section.banner").unwrap().is_none());
    }

    #[test]
    async fn critical_banners_have_no_dismiss_button() {
        let now = "2020-12-09T17:10:00Z";
        let summary = summary_at(now, |data| {
            for incident in &mut data.incidents {
                incident.impact = Impact::Critical;
            }
        });
        let el = render(harness(summary, View::Banner, Headline::Known(Indicator::Critical), now)).await;
        assert!(el.query_selector("section.banner").unwrap().is_some());
        assert!(el.query_selector("button.dismiss").unwrap().is_none());
    }

    #[test]
    async fn hostile_text_stays_text() {
        let now = "2020-12-09T17:10:00Z";
        let hostile = "<img src=x onerror=\"window.__pwned=1\"><script>window.__pwned=1</script>\u{202e}evil";
        let summary = summary_at(now, |data| {
            let incident = &mut data.incidents[0];
            incident.name = hostile.into();
            for update in &mut incident.incident_updates {
                update.body = format!("{hostile} [click](javascript:alert(1))");
            }
        });
        let el = render(harness(summary, View::Full, Headline::Known(Indicator::Major), now)).await;
        assert!(el.text_content().unwrap().contains("<img src=x"), "shown as text");
        assert!(el.query_selector("img, script").unwrap().is_none(), "no element injected");
        let links = el.query_selector_all("a").unwrap();
        for i in 0..links.length() {
            let link = links.item(i).unwrap().dyn_into::<Element>().unwrap();
            let href = link.get_attribute("href").unwrap_or_default();
            assert!(href.starts_with("http") || href.starts_with("mailto:"), "{href}");
        }
        assert!(js_sys::Reflect::get(&web_sys::window().unwrap(), &"__pwned".into()).unwrap().is_undefined());
    }

    #[test]
    fn percentages_round_down_and_never_read_as_full() {
        assert_eq!(percent(1.0), "100%");
        assert_eq!(percent(0.99999), "99.99%");
        assert_eq!(percent(0.125), "12.5%");
        assert_eq!(percent(0.7), "70%");
        assert_eq!(percent(-1.0), "0%");
    }
}
