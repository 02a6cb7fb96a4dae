//! The public status page, an incident's page and the history: whole documents, server-rendered
//! by the edge and readable without JavaScript. They are built of the same pieces as the widget
//! (`markup`); what to show still comes from `shared` (`embed::scope`, `embed::rows`, `status`).

use std::rc::Rc;

use sitrep_shared::embed::{self, Dismissals, Headline, Options};
use sitrep_shared::uptime::UptimeDocument;
use sitrep_shared::views::{IncidentDocument, IncidentsDocument, MaintenancesDocument, Summary};
use sitrep_shared::{Incident, Indicator, Timestamp, status};
use yew::prelude::*;

use crate::i18n::Text;
use crate::intl::Formats;
use crate::markup::*;

/// How many incidents a page of `/history` lists.
pub const HISTORY_PAGE: usize = 10;
/// How many past incidents the status page lists before linking to the history.
const RECENT_ON_PAGE: usize = 5;

/// What a document shows.
#[derive(Clone, Debug)]
pub enum Body {
    /// `/`: the current status, components, open and upcoming events, recent history, postmortems.
    Status {
        summary: Rc<Summary<'static>>,
        uptime: Option<Rc<UptimeDocument<'static>>>,
        incidents: Rc<IncidentsDocument<'static>>,
        maintenances: Rc<MaintenancesDocument<'static>>,
    },
    /// `/incidents/{id}`: one incident or maintenance, its whole timeline and its postmortem.
    Incident(Rc<IncidentDocument<'static>>),
    /// `/history?page=n`: past incidents, newest first, `HISTORY_PAGE` at a time (`page` from 1).
    History { incidents: Rc<IncidentsDocument<'static>>, maintenances: Rc<MaintenancesDocument<'static>>, page: usize },
    /// Any address the edge does not serve, asked for by a browser: the page's name, what happened
    /// and the way back, in the reader's language.
    NotFound(Rc<Summary<'static>>),
}

/// Everything a document needs.
#[derive(Debug, Properties)]
pub struct PageProps {
    pub text: &'static Text,
    pub formats: Rc<Formats>,
    pub now: Timestamp,
    /// The edge's origin, without a trailing slash: links and the widget's `src`.
    pub base: AttrValue,
    /// The store could not be reached: this is the last good copy.
    #[prop_or_default]
    pub stale: bool,
    pub body: Body,
}

/// Documents are rendered once per request on the edge: never equal, so never skipped.
impl PartialEq for PageProps {
    fn eq(&self, _: &Self) -> bool {
        false
    }
}

/// The page's title, description and canonical URL, for `<head>` and link previews.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Meta {
    pub title: String,
    pub description: String,
    pub url: String,
    /// The status the tab's icon shows (`/favicon.svg?status=…`): the page's, or the event's while it
    /// is open; grey while the status page is drawn from a last good copy.
    pub icon: Indicator,
}

/// The title, description and URL of a document (escaped by whoever writes them into HTML).
pub fn meta(props: &PageProps) -> Meta {
    let text = props.text;
    match &props.body {
        Body::Status { summary, .. } => Meta {
            title: format!("{} status", summary.page.name),
            description: format!("{}: {}", summary.page.name, text.indicator(summary.status.indicator)),
            url: format!("{}/", props.base),
            icon: if props.stale { Indicator::Unknown } else { summary.status.indicator },
        },
        Body::Incident(doc) => Meta {
            title: format!("{} · {}", doc.incident.name, doc.page.name),
            description: doc
                .incident
                .latest_update()
                .map_or_else(|| text.event_status(&doc.incident).to_owned(), |u| first_chars(&u.body, 200)),
            url: format!("{}/incidents/{}", props.base, doc.incident.id),
            // The event's own state (a last good copy of a closed event is still closed).
            icon: match &doc.incident {
                event if event.status.is_closed() => Indicator::None,
                event if event.is_maintenance() => Indicator::Maintenance,
                event => Indicator::of_open_incident(event.impact),
            },
        },
        Body::History { incidents, page, .. } => Meta {
            title: format!("{} · {}", text.history, incidents.page.name),
            description: format!("{} · {}", text.history, incidents.page.name),
            url: format!("{}/history?page={page}", props.base),
            icon: Indicator::Unknown,
        },
        Body::NotFound(summary) => Meta {
            title: format!("{} · {}", text.not_found, summary.page.name),
            description: text.not_found_text.to_owned(),
            url: format!("{}/", props.base),
            icon: if props.stale { Indicator::Unknown } else { summary.status.indicator },
        },
    }
}

fn first_chars(text: &str, n: usize) -> String {
    let mut out: String = text.chars().take(n).collect();
    if out.len() < text.len() {
        out.push('…');
    }
    out
}

/// A view context for the pieces the widget shares: the page reads as a full view of everything.
fn ctx<'a>(
    props: &'a PageProps,
    options: &'a Options,
    dismissals: &'a Dismissals,
    summary: Option<&'a Summary<'static>>,
    uptime: Option<&'a UptimeDocument<'static>>,
    headline: Headline,
) -> Ctx<'a> {
    Ctx {
        options,
        text: props.text,
        formats: &props.formats,
        now: props.now,
        headline,
        summary,
        postmortems: None,
        uptime,
        dismissals,
        details_open: true,
        error: None,
        confirmed_at: None,
        on_dismiss: Callback::noop(),
        on_toggle: Callback::noop(),
        on_retry: Callback::noop(),
        relative: false,
    }
}

/// The `<head>` content (title, description, Open Graph, feeds); the edge adds the stylesheet.
#[function_component]
pub fn Head(props: &PageProps) -> Html {
    let meta = meta(props);
    let feed = |path: &str| format!("{}{path}", props.base);
    html! {
        <>
            <meta charset="utf-8" />
            <meta name="viewport" content="width=device-width, initial-scale=1" />
            <meta name="color-scheme" content="light dark" />
            <title>{meta.title.clone()}</title>
            <meta name="description" content={meta.description.clone()} />
            <meta property="og:type" content="website" />
            <meta property="og:title" content={meta.title} />
            <meta property="og:description" content={meta.description} />
            <meta property="og:url" content={meta.url.clone()} />
            <link rel="canonical" href={meta.url} />
            // From this origin, whatever the page's configured URL (the pages' policy allows images from 'self').
            <link rel="icon" type="image/svg+xml" href={format!("/favicon.svg?status={}", meta.icon.to_wire())} />
            <link rel="alternate" type="application/atom+xml" title="Atom" href={feed("/history.atom")} />
            <link rel="alternate" type="application/rss+xml" title="RSS" href={feed("/history.rss")} />
            <link rel="alternate" type="application/feed+json" title="JSON Feed" href={feed("/feed.json")} />
        </>
    }
}

/// The `<body>` content.
#[function_component]
pub fn Document(props: &PageProps) -> Html {
    let options = Options::read(|_| None, &props.base);
    let dismissals = Dismissals::default();
    let (page, main) = match &props.body {
        Body::Status { summary, uptime, incidents, maintenances } => {
            let headline = Headline::of(Some(summary.status.indicator), props.stale, false);
            let ctx = ctx(props, &options, &dismissals, Some(summary), uptime.as_deref(), headline);
            (&*summary.page, status_main(&ctx, summary, &past(incidents, maintenances, props.now)))
        }
        Body::Incident(doc) => {
            let ctx = ctx(props, &options, &dismissals, None, None, Headline::Checking);
            (&*doc.page, incident_main(&ctx, &doc.incident))
        }
        Body::History { incidents, maintenances, page } => {
            let ctx = ctx(props, &options, &dismissals, None, None, Headline::Checking);
            (&*incidents.page, history_main(&ctx, &past(incidents, maintenances, props.now), *page))
        }
        Body::NotFound(summary) => {
            let ctx = ctx(props, &options, &dismissals, None, None, Headline::Checking);
            let main = html! {
                <>
                    <h1>{props.text.not_found}</h1>
                    <p>{props.text.not_found_text}</p>
                    <p><a href={status_page_url(&ctx)}>{"← "}{props.text.current_status}</a></p>
                </>
            };
            (&*summary.page, main)
        }
    };
    html! {
        <div class="sitrep page" data-theme="auto">
            <header class="top">
                <a class="home" href={format!("{}/", props.base)}>{&page.name}</a>
                <nav aria-label={props.text.feeds}>
                    <a href={format!("{}/history", props.base)}>{props.text.history}</a>
                    {" · "}<a href={format!("{}/history.atom", props.base)}>{"Atom"}</a>
                    {" · "}<a href={format!("{}/history.rss", props.base)}>{"RSS"}</a>
                    {" · "}<a href={format!("{}/feed.json", props.base)}>{"JSON Feed"}</a>
                </nav>
            </header>
            // Always there, hidden while fresh: `/page.js` shows it when its polls keep failing.
            <p class="notice stale-copy" data-ind="unknown" role="status" hidden={!props.stale}>{icon(None)}{props.text.out_of_date}</p>
            <main>
                {main}
                // Every time on the page is in one zone, said once: the page's here, the reader's
                // once `/page.js` has run (it rewrites the name and every time).
                <p class="muted zone-note">{props.text.times_in}{" "}<span data-zone="">{props.formats.zone_name()}</span></p>
            </main>
        </div>
    }
}

/// Closed incidents and maintenances, newest first (by when they ended, else began).
fn past<'a>(
    incidents: &'a IncidentsDocument<'static>,
    maintenances: &'a MaintenancesDocument<'static>,
    now: Timestamp,
) -> Vec<&'a Incident> {
    let mut past: Vec<&Incident> = incidents
        .incidents
        .iter()
        .chain(maintenances.scheduled_maintenances.iter())
        .map(|i| &**i)
        .filter(|i| !status::is_active_at(i, now) && !status::is_upcoming_at(i, now))
        // Closed, or a maintenance whose window ended without anyone marking it completed.
        .filter(|i| {
            !status::is_open_at(i, now) || (i.is_maintenance() && i.scheduled_until.is_some_and(|end| end <= now))
        })
        .collect();
    past.sort_by_key(|i| std::cmp::Reverse(ended(i)));
    past.dedup_by(|a, b| a.id == b.id);
    past
}

fn ended(event: &Incident) -> Timestamp {
    event.resolved_at.or(event.scheduled_until).or(event.started_at).unwrap_or(event.created_at)
}

fn status_main(ctx: &Ctx<'_>, summary: &Summary<'static>, past: &[&Incident]) -> Html {
    let scoped = embed::scope(summary, &[], ctx.now);
    let indicator = ctx.headline.indicator();
    let active: Vec<&Incident> =
        scoped.maintenances.iter().copied().filter(|m| status::is_active_at(m, ctx.now)).collect();
    let upcoming = embed::upcoming(&scoped, ctx.now);
    let later: Vec<&Incident> = scoped
        .maintenances
        .iter()
        .copied()
        .filter(|m| status::is_upcoming_at(m, ctx.now) && !upcoming.iter().any(|u| u.id == m.id))
        .collect();
    let postmortems: Vec<&Incident> = past.iter().copied().filter(|i| i.postmortem.is_some()).collect();
    html! {
        <>
            <h1 class="head overall" data-ind={ind(indicator)}>{icon(indicator)}{live(ctx)}</h1>
            if !scoped.incidents.is_empty() {
                <section aria-labelledby="open">
                    <h2 id="open">{ctx.text.incidents}</h2>
                    { for scoped.incidents.iter().map(|i| event_card(ctx, i, true)) }
                </section>
            }
            // Planned work under way is not an incident: it has its own heading.
            if !active.is_empty() {
                <section aria-labelledby="maintenance-now">
                    <h2 id="maintenance-now">{ctx.text.maintenance_now}</h2>
                    { for active.iter().map(|m| event_card(ctx, m, true)) }
                </section>
            }
            if !upcoming.is_empty() || !later.is_empty() {
                <section aria-labelledby="upcoming">
                    <h2 id="upcoming">{ctx.text.upcoming}</h2>
                    { for upcoming.iter().chain(later.iter()).map(|m| event_card(ctx, m, true)) }
                </section>
            }
            <section aria-labelledby="components">
                <h2 id="components">{ctx.text.components}</h2>
                {component_list(ctx, summary, &scoped, true)}
            </section>
            <section aria-labelledby="history">
                <h2 id="history">{ctx.text.history}</h2>
                if past.is_empty() {
                    <p class="muted">{ctx.text.no_incidents}</p>
                } else {
                    <ul class="past">{ for past.iter().take(RECENT_ON_PAGE).map(|i| past_row(ctx, i)) }</ul>
                    <p><a href={format!("{}/history", ctx.options.src)}>{ctx.text.history}{" →"}</a></p>
                }
            </section>
            if !postmortems.is_empty() {
                <section aria-labelledby="postmortems">
                    <h2 id="postmortems">{ctx.text.postmortems}</h2>
                    <ul class="past">
                        { for postmortems.iter().map(|i| html! {
                            <li>
                                <a href={incident_page_url(ctx, i)}><strong>{&i.name}</strong></a>
                                { for i.postmortem.as_ref().map(|p| html! {
                                    <p class="body" lang={p.language.clone()}>{&p.summary}</p>
                                }) }
                            </li>
                        }) }
                    </ul>
                </section>
            }
        </>
    }
}

/// An incident or maintenance with every update; linked to its own page when `link`.
fn event_card(ctx: &Ctx<'_>, event: &Incident, link: bool) -> Html {
    let indicator = event_indicator(event);
    let name = if link {
        html! { <a href={incident_page_url(ctx, event)}>{&event.name}</a> }
    } else {
        html! { {&event.name} }
    };
    html! {
        <article class="card" data-ind={ind(Some(indicator))}>
            <h3 class="title">{icon(Some(indicator))}<strong>{name}</strong>
                <span class="pill" data-ind={ind(Some(pill_indicator(event)))}>{ctx.text.event_status(event)}</span></h3>
            if let (true, Some(from)) = (event.is_maintenance(), event.scheduled_for) {
                <p class="muted">{window_html(ctx, from, event.scheduled_until)}</p>
            }
            {affected(ctx, event)}
            {timeline(ctx, event)}
        </article>
    }
}

fn event_indicator(event: &Incident) -> Indicator {
    if event.is_maintenance() { Indicator::Maintenance } else { Indicator::of_open_incident(event.impact) }
}

/// The colour of an event's status pill: its impact's while it is open, green once it is over
/// (a resolved incident is not an outage any more).
fn pill_indicator(event: &Incident) -> Indicator {
    if event.status.is_closed() { Indicator::None } else { event_indicator(event) }
}

/// The first paragraph of an update, for a list: a list entry must not look like several.
fn first_paragraph(body: &str) -> String {
    let trimmed = body.trim_start();
    let first = trimmed.split("\n\n").next().unwrap_or(trimmed).trim_end();
    let mut out = first_chars(first, 280);
    if first.len() < trimmed.trim_end().len() && !out.ends_with('…') {
        out.push_str(" …");
    }
    out
}

fn past_row(ctx: &Ctx<'_>, incident: &Incident) -> Html {
    let when = ended(incident);
    html! {
        <li>
            <a href={incident_page_url(ctx, incident)}><strong>{&incident.name}</strong></a>
            <span class="muted">{" · "}{ctx.text.event_status(incident)}{" · "}{time(ctx, when)}</span>
            { for incident.latest_update().map(|u| html! { <p class="body" lang={u.language.clone()}>{first_paragraph(&u.body)}</p> }) }
        </li>
    }
}

fn incident_main(ctx: &Ctx<'_>, incident: &Incident) -> Html {
    let indicator = event_indicator(incident);
    let started = incident.started_at.unwrap_or(incident.created_at);
    html! {
        <>
            <h1 class="head" data-ind={ind(Some(indicator))}>{icon(Some(indicator))}<span>{&incident.name}</span></h1>
            <p class="muted">
                <span class="pill" data-ind={ind(Some(pill_indicator(incident)))}>{ctx.text.event_status(incident)}</span>{" "}
                if let (true, Some(from)) = (incident.is_maintenance(), incident.scheduled_for) {
                    {window_html(ctx, from, incident.scheduled_until)}
                } else {
                    {window_html(ctx, started, incident.resolved_at)}
                }
            </p>
            {affected(ctx, incident)}
            <section aria-labelledby="updates">
                <h2 id="updates">{ctx.text.updates}</h2>
                {timeline(ctx, incident)}
            </section>
            { for incident.postmortem.as_ref().map(|p| html! {
                <section class="postmortem open" aria-labelledby="postmortem" lang={p.language.clone()}>
                    <h2 id="postmortem">{ctx.text.postmortem}</h2>
                    <p class="body">{&p.summary}</p>
                    {postmortem_body(ctx, p, 3)}
                </section>
            }) }
            <p><a href={status_page_url(ctx)}>{"← "}{ctx.text.current_status}</a></p>
        </>
    }
}

fn history_main(ctx: &Ctx<'_>, all: &[&Incident], page: usize) -> Html {
    let pages = all.len().div_ceil(HISTORY_PAGE).max(1);
    let page = page.clamp(1, pages);
    let shown = all.iter().skip((page - 1) * HISTORY_PAGE).take(HISTORY_PAGE);
    let link = |n: usize| format!("{}/history?page={n}", ctx.options.src);
    html! {
        <>
            <h1>{ctx.text.history}</h1>
            if all.is_empty() {
                <p class="muted">{ctx.text.no_incidents}</p>
            } else {
                <ul class="past">{ for shown.map(|i| past_row(ctx, i)) }</ul>
            }
            <nav class="pager" aria-label={ctx.text.history}>
                if page > 1 { <a rel="prev" href={link(page - 1)}>{"← "}{ctx.text.newer}</a> }
                <span class="muted">{ctx.text.page}{" "}{page}{" / "}{pages}</span>
                if page < pages { <a rel="next" href={link(page + 1)}>{ctx.text.older}{" →"}</a> }
            </nav>
        </>
    }
}

/// The tag for `lang` and `Intl`: `tag` when it is a language with at most a region (`nl`,
/// `de-AT`, `es-419`), else the language `text` is in. Keeps `lang` free of anything to escape, and
/// the renderings an edge keeps to a few per language.
pub fn clean_tag<'a>(tag: &'a str, text: &'static Text) -> &'a str {
    let mut parts = tag.split('-');
    let language = parts.next().unwrap_or_default();
    let region = parts.next();
    let ok = (2..=3).contains(&language.len())
        && language.bytes().all(|b| b.is_ascii_alphabetic())
        && parts.next().is_none()
        && region.is_none_or(|r| {
            (r.len() == 2 && r.bytes().all(|b| b.is_ascii_alphabetic()))
                || (r.len() == 3 && r.bytes().all(|b| b.is_ascii_digit()))
        });
    if ok { tag } else { text.tag }
}

/// Renders a whole document on the server: `<head>` and `<body>` through Yew, the stylesheets as
/// constants (Yew escapes text, and CSS in a `<style>` is raw text, so it cannot go through it).
#[cfg(feature = "ssr")]
pub async fn render(props: PageProps, locale: &str) -> String {
    let props_text = props.text;
    let head_props = PageProps {
        text: props.text,
        formats: Rc::clone(&props.formats),
        now: props.now,
        base: props.base.clone(),
        stale: props.stale,
        body: props.body.clone(),
    };
    let head = yew::LocalServerRenderer::<Head>::with_props(head_props).hydratable(false).render().await;
    let body = yew::LocalServerRenderer::<Document>::with_props(props).hydratable(false).render().await;
    format!(
        "<!doctype html><html lang=\"{}\"><head>{head}<style>{}{}</style></head><body>{body}<script type=\"module\" src=\"/page.js\"></script></body></html>",
        clean_tag(locale, props_text),
        crate::WIDGET_CSS,
        crate::PAGE_CSS,
    )
}
