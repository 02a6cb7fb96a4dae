//! Rendering: pure functions from what the widget holds to Yew markup. All text goes in as text;
//! links come only from `shared::markdown` (http, https, mailto) or are checked the same way.

use sitrep_shared::embed::{self, BannerKey, Dismissals, Headline, Options, Scoped, View};
use sitrep_shared::markdown::{self, Block, Inline};
use sitrep_shared::uptime::{ComponentUptime, UptimeDocument};
use sitrep_shared::views::{PostmortemEntry, PostmortemsDocument, Summary};
use sitrep_shared::{ComponentStatus, Incident, IncidentUpdate, Indicator, Postmortem, Precision, Timestamp};
use yew::prelude::*;

use crate::fetch::Error;
use crate::i18n::Text;
use crate::intl::Formats;

/// Everything a view needs.
#[derive(Debug)]
pub struct Ctx<'a> {
    pub options: &'a Options,
    pub text: &'static Text,
    pub formats: &'a Formats,
    pub now: Timestamp,
    pub headline: Headline,
    pub summary: Option<&'a Summary<'static>>,
    pub postmortems: Option<&'a PostmortemsDocument<'static>>,
    pub uptime: Option<&'a UptimeDocument<'static>>,
    pub dismissals: &'a Dismissals,
    pub details_open: bool,
    pub error: Option<&'a Error>,
    pub confirmed_at: Option<Timestamp>,
    pub on_dismiss: Callback<BannerKey>,
    pub on_toggle: Callback<MouseEvent>,
    pub on_retry: Callback<MouseEvent>,
}

/// The wire name of an indicator, for events and CSS classes.
pub fn indicator_name(indicator: Indicator) -> &'static str {
    match indicator {
        Indicator::None => "none",
        Indicator::Minor => "minor",
        Indicator::Major => "major",
        Indicator::Critical => "critical",
        Indicator::Maintenance => "maintenance",
        Indicator::Unknown => "unknown",
    }
}

/// The `data-ind` attribute the stylesheet colours by. State goes in `data-*` attributes and
/// classes stay literals: a computed `class` goes through Yew's `Classes` set, kilobytes of wasm.
fn ind(indicator: Option<Indicator>) -> &'static str {
    indicator_name(indicator.unwrap_or(Indicator::Unknown))
}

/// A shape per indicator, so colour is never the only signal (the text always is one too).
pub fn icon(indicator: Option<Indicator>) -> Html {
    let shape = match indicator {
        Some(Indicator::None) => html! { <>
            <circle cx="8" cy="8" r="7" />
            <path class="mark" d="M4.5 8.2l2.2 2.2 4.6-4.8" />
        </> },
        Some(Indicator::Minor) => html! { <>
            <path d="M8 1.5l7 12.5H1z" />
            <path class="mark" d="M8 6v3.5M8 11.5v.5" />
        </> },
        Some(Indicator::Major) => html! { <>
            <path d="M8 .8L15.2 8 8 15.2.8 8z" />
            <path class="mark" d="M8 4.8v3.9M8 10.8v.5" />
        </> },
        Some(Indicator::Critical) => html! { <>
            <path d="M5 1h6l4 4v6l-4 4H5l-4-4V5z" />
            <path class="mark" d="M5.5 5.5l5 5m0-5l-5 5" />
        </> },
        Some(Indicator::Maintenance) => html! { <>
            <rect x="1" y="1" width="14" height="14" rx="3" />
            <path class="mark" d="M8 4v4.5l3 1.5" />
        </> },
        Some(Indicator::Unknown) | None => html! { <>
            <circle cx="8" cy="8" r="7" />
            <path class="mark" d="M6 6.2a2 2 0 1 1 2.6 1.9c-.5.2-.6.6-.6 1.1M8 11.3v.4" />
        </> },
    };
    html! { <svg class="icon" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true" focusable="false">{shape}</svg> }
}

fn headline_text(ctx: &Ctx<'_>) -> &'static str {
    match ctx.headline {
        Headline::Checking => ctx.text.checking,
        Headline::Unavailable => ctx.text.unavailable,
        Headline::Unconfirmed => ctx.text.unconfirmed,
        Headline::Known(i) | Headline::OutOfDate(i) => ctx.text.indicator(i),
    }
}

fn out_of_date(ctx: &Ctx<'_>) -> bool {
    matches!(ctx.headline, Headline::OutOfDate(_) | Headline::Unconfirmed | Headline::Unavailable)
}

/// Only http(s) and mailto links are ever rendered.
fn safe(href: &str) -> Option<String> {
    markdown::is_safe_href(href).then(|| href.to_owned())
}

/// Where "status page" links go: the page's URL, else the edge.
fn status_page_url(ctx: &Ctx<'_>) -> String {
    ctx.summary.and_then(|s| safe(&s.page.url)).unwrap_or_else(|| ctx.options.src.clone())
}

fn time(ctx: &Ctx<'_>, at: Timestamp) -> Html {
    html! {
        <time datetime={crate::intl::iso(at)} title={ctx.formats.date_time(at)}>{ctx.formats.relative(at, ctx.now)}</time>
    }
}

/// The whole element: theme, language and the chosen view.
pub fn root(ctx: &Ctx<'_>, locale: &str) -> Html {
    let body = match ctx.options.view {
        View::Badge => badge(ctx),
        View::Banner => banner_view(ctx),
        View::Full => full(ctx),
    };
    html! {
        <div class="sitrep" data-theme={ctx.options.theme.class()} lang={locale.to_owned()}>{body}</div>
    }
}

/// The live region: announced once per change of its text.
fn live(ctx: &Ctx<'_>) -> Html {
    let stale = out_of_date(ctx).then(|| html! { <span class="stale">{" "}{ctx.text.out_of_date}</span> });
    html! {
        <span class="text" role="status" aria-live="polite">
            <span class="label">{headline_text(ctx)}</span>{stale}
        </span>
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

fn scoped<'a>(ctx: &Ctx<'a>) -> Option<Scoped<'a>> {
    ctx.summary.map(|s| embed::scope(s, &ctx.options.components, ctx.now))
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
    let failed = ctx.summary.is_none() && ctx.error.is_some();
    html! {
        <div class="stack">
            <span class="sr-only">{live(ctx)}</span>
            if let Some(b) = banner { {banner_box(ctx, b)} }
            if failed { {error_box(ctx)} }
            {for notices}
        </div>
    }
}

fn dismiss_button(ctx: &Ctx<'_>, key: BannerKey, what: &str) -> Html {
    let on_dismiss = ctx.on_dismiss.clone();
    let label = format!("{}: {what}", ctx.text.dismiss);
    html! {
        <button type="button" class="dismiss" aria-label={label.clone()} title={label}
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
    let link = incident.shortlink.as_deref().and_then(safe).unwrap_or_else(|| status_page_url(ctx));
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
    html! {
        <section class="banner" data-ind={ind(Some(indicator))} aria-label={incident.name.clone()}>
            {icon(Some(indicator))}
            <div class="content">
                <p class="title"><strong>{&incident.name}</strong></p>
                {latest}
                <p class="meta">
                    {ctx.text.updated}{" "}{time(ctx, when)}{" · "}{ctx.formats.date_time(when)}
                    {" · "}
                    <button type="button" class="link" aria-expanded={if ctx.details_open { "true" } else { "false" }}
                        aria-controls={details_id.clone()} onclick={ctx.on_toggle.clone()}>{ctx.text.details}</button>
                    {" · "}
                    <a href={link} target="_blank" rel="noopener noreferrer">{ctx.text.status_page}</a>
                </p>
                if ctx.details_open {
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
                <p class="meta">{window}</p>
            </div>
            {dismiss_button(ctx, key, &maintenance.name)}
        </section>
    }
}

fn window_text(ctx: &Ctx<'_>, maintenance: &Incident) -> String {
    match (maintenance.scheduled_for, maintenance.scheduled_until) {
        (Some(start), Some(end)) => format!("{} – {}", ctx.formats.date_time(start), ctx.formats.date_time(end)),
        (Some(start), None) => ctx.formats.date_time(start),
        _ => String::new(),
    }
}

fn error_box(ctx: &Ctx<'_>) -> Html {
    let detail = ctx.error.map(ToString::to_string).unwrap_or_default();
    html! {
        <section class="notice" data-ind="unknown">
            {icon(None)}
            <div class="content">
                <p class="title"><strong>{ctx.text.unavailable}</strong></p>
                <p class="meta">{detail}{" "}
                    <button type="button" class="link" onclick={ctx.on_retry.clone()}>{ctx.text.retry}</button>
                </p>
            </div>
        </section>
    }
}

/// An incident's updates, newest first.
fn timeline(ctx: &Ctx<'_>, incident: &Incident) -> Html {
    let mut updates: Vec<&IncidentUpdate> = incident.incident_updates.iter().collect();
    updates.sort_by_key(|u| std::cmp::Reverse((u.shown_at(), u.created_at)));
    html! {
        <ol class="timeline">
            { for updates.into_iter().map(|u| html! {
                <li>
                    <p><strong>{ctx.text.status(u.status)}</strong>{" · "}{time(ctx, u.shown_at())}
                        <span class="muted">{" · "}{ctx.formats.date_time(u.shown_at())}</span></p>
                    <p class="body" lang={u.language.clone()}>{&u.body}</p>
                </li>
            }) }
        </ol>
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
    let components = scope.as_ref().map(|s| s.components.clone()).unwrap_or_default();
    let postmortems = match (ctx.postmortems, ctx.summary) {
        (Some(doc), Some(summary)) => {
            embed::postmortems(&doc.postmortems, summary, &ctx.options.components, ctx.options.postmortems, ctx.now)
        }
        _ => Vec::new(),
    };
    let failed = ctx.summary.is_none() && ctx.error.is_some();
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
            if !components.is_empty() {
                <section>
                    <h3>{ctx.text.components}</h3>
                    <ul class="components">
                        { for components.iter().map(|c| component_row(ctx, c)) }
                    </ul>
                </section>
            }
            if !postmortems.is_empty() {
                <section>
                    <h3>{ctx.text.postmortems}</h3>
                    { for postmortems.into_iter().map(|p| postmortem_entry(ctx, p)) }
                </section>
            }
        </div>
    }
}

fn incident_card(ctx: &Ctx<'_>, incident: &Incident) -> Html {
    let indicator = Indicator::of_open_incident(incident.impact);
    html! {
        <article class="card" data-ind={ind(Some(indicator))}>
            <p class="title">{icon(Some(indicator))}<strong>{&incident.name}</strong>
                <span class="pill">{ctx.text.status(incident.status)}</span></p>
            {timeline(ctx, incident)}
        </article>
    }
}

fn component_row(ctx: &Ctx<'_>, component: &sitrep_shared::Component) -> Html {
    let indicator = Indicator::of_component(component.status);
    let uptime = ctx.uptime.and_then(|u| embed::uptime_of(&u.components, &component.id));
    html! {
        <li class="component">
            <div class="row">
                <span class="name">{&component.name}</span>
                <span class="cstatus" data-ind={ind(Some(indicator))}>
                    {icon(Some(indicator))}{ctx.text.component(component.status)}
                </span>
            </div>
            { for uptime.map(|u| bars(ctx, u)) }
        </li>
    }
}

/// "99.95%": rounded down to two decimals, so a bad day never reads as 100%; integer maths keeps
/// float formatting (about 14 KB of wasm) out of the widget.
fn percent(fraction: f64) -> String {
    let hundredths = (fraction.clamp(0.0, 1.0) * 10_000.0) as u32;
    let (whole, part) = (hundredths / 100, hundredths % 100);
    if part == 0 {
        format!("{whole}%")
    } else if part % 10 == 0 {
        format!("{whole}.{}%", part / 10)
    } else {
        format!("{whole}.{part:02}%")
    }
}

fn bars(ctx: &Ctx<'_>, row: &ComponentUptime) -> Html {
    let total =
        row.uptime.map_or_else(|| ctx.text.no_data.to_owned(), |u| format!("{} {}", percent(u), ctx.text.uptime));
    let label = format!("{total} ({} – {})", ctx.text.days_ago, ctx.text.today);
    html! {
        <div class="uptime">
            <div class="bars" role="img" aria-label={label}>
                { for row.days.iter().map(|day| {
                    let worst = match (day.uptime, day.worst) {
                        (None, _) => "none",
                        (_, ComponentStatus::MajorOutage) => "major",
                        (_, ComponentStatus::PartialOutage) => "partial",
                        (_, ComponentStatus::DegradedPerformance) => "degraded",
                        (_, ComponentStatus::UnderMaintenance) => "maintenance",
                        _ => "ok",
                    };
                    let title = format!("{}: {}", ctx.formats.day(day.date),
                        day.uptime.map_or_else(|| ctx.text.no_data.to_owned(), percent));
                    html! { <span class="day" data-d={worst} title={title}></span> }
                }) }
            </div>
            <div class="axis muted" aria-hidden="true"><span>{ctx.text.days_ago}</span><span>{total}</span><span>{ctx.text.today}</span></div>
        </div>
    }
}

fn postmortem_entry(ctx: &Ctx<'_>, entry: &PostmortemEntry<'_>) -> Html {
    let postmortem: &Postmortem = &entry.postmortem;
    let when = entry.resolved_at.or(entry.started_at).or(postmortem.published_at);
    html! {
        <details class="postmortem" lang={postmortem.language.clone()}>
            <summary>
                <strong>{&*entry.name}</strong>
                { for when.map(|at| html! { <span class="muted">{" · "}{ctx.formats.date_time(at)}</span> }) }
                <p class="body">{&postmortem.summary}</p>
            </summary>
            { for postmortem.impact_window.map(|w| html! {
                <p class="muted">{ctx.text.impact}{": "}{ctx.formats.date_time(w.start)}{" – "}{ctx.formats.date_time(w.end)}</p>
            }) }
            { for postmortem.sections.iter().map(|s| html! {
                <section class="pm-section">
                    <h4>{&s.title}</h4>
                    {blocks(&markdown::parse(&s.body))}
                </section>
            }) }
            if !postmortem.timeline.is_empty() {
                <ol class="pm-timeline">
                    { for postmortem.timeline.iter().map(|t| {
                        let at = match t.precision {
                            Precision::Minute | Precision::Hour => ctx.formats.date_time(t.at),
                            Precision::Day | Precision::Unknown => ctx.formats.day(t.at.as_datetime().date_naive()),
                        };
                        html! { <li><span class="muted">{at}</span>{" "}{&t.text}</li> }
                    }) }
                </ol>
            }
            if !postmortem.action_items.is_empty() {
                <>
                    <h4>{ctx.text.action_items}</h4>
                    <ul class="actions">
                        { for postmortem.action_items.iter().map(|a| html! {
                            <li data-state={if a.done { "done" } else { "open" }}>
                                <span class="state">{if a.done { ctx.text.done } else { ctx.text.to_do }}</span>
                                {" "}{blocks_inline(&markdown::inlines(&a.text))}
                            </li>
                        }) }
                    </ul>
                </>
            }
        </details>
    }
}

/// Markdown blocks from `shared::markdown`'s tree: there is no raw HTML node to render.
pub fn blocks(blocks: &[Block]) -> Html {
    blocks
        .iter()
        .map(|block| match block {
            Block::Paragraph { content } => html! { <p>{blocks_inline(content)}</p> },
            Block::Heading { content, .. } => html! { <h5>{blocks_inline(content)}</h5> },
            Block::List { ordered: true, start, items } => html! {
                <ol start={start.to_string()}>{ for items.iter().map(|i| html! { <li>{blocks_inline(i)}</li> }) }</ol>
            },
            Block::List { items, .. } => html! {
                <ul>{ for items.iter().map(|i| html! { <li>{blocks_inline(i)}</li> }) }</ul>
            },
            Block::Code { text } => html! { <pre><code>{text}</code></pre> },
        })
        .collect()
}

fn blocks_inline(inlines: &[Inline]) -> Html {
    inlines
        .iter()
        .map(|inline| match inline {
            Inline::Text { text } => html! { {text} },
            Inline::Strong { content } => html! { <strong>{blocks_inline(content)}</strong> },
            Inline::Emphasis { content } => html! { <em>{blocks_inline(content)}</em> },
            Inline::Code { text } => html! { <code>{text}</code> },
            Inline::Link { href, content } => match safe(href) {
                Some(href) => {
                    html! { <a href={href} target="_blank" rel="noopener noreferrer">{blocks_inline(content)}</a> }
                }
                None => blocks_inline(content),
            },
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::rc::Rc;
    use std::time::Duration;

    use sitrep_shared::embed::{Dismissals, Headline, Options, Theme, View};
    use sitrep_shared::{Impact, Indicator, PageData, PageState, Timestamp};
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
        let formats = Formats::new("en", Some("UTC"));
        let ctx = Ctx {
            options: &options,
            text: i18n::LANGUAGES[0],
            formats: &formats,
            now: props.now,
            headline: props.headline,
            summary: Some(&props.summary),
            postmortems: None,
            uptime: None,
            dismissals: &props.dismissals,
            details_open: false,
            error: None,
            confirmed_at: Some(props.now),
            on_dismiss: Callback::noop(),
            on_toggle: Callback::noop(),
            on_retry: Callback::noop(),
        };
        root(&ctx, "en")
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
