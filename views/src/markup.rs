//! The pieces every view is built of: icons, times, timelines, component rows with uptime bars,
//! postmortems and their Markdown. All text goes in as text; links come only from
//! `shared::markdown` (http, https, mailto) or are checked the same way.

use sitrep_shared::embed::{self, BannerKey, Dismissals, Headline, Options, Row, Scoped};
use sitrep_shared::markdown::{self, Block, Inline};
use sitrep_shared::uptime::{self, ComponentUptime, DayUptime, UptimeDocument};
use sitrep_shared::views::{PostmortemEntry, PostmortemsDocument, Summary};
use sitrep_shared::{
    Component, ComponentStatus, Incident, IncidentUpdate, Indicator, Postmortem, Precision, Timestamp,
};
use yew::prelude::*;

use crate::i18n::Text;
use crate::intl::Formats;

/// Everything a view needs.
#[derive(Debug)]
pub(crate) struct Ctx<'a> {
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
    pub error: Option<&'a str>,
    pub confirmed_at: Option<Timestamp>,
    pub on_dismiss: Callback<BannerKey>,
    pub on_toggle: Callback<MouseEvent>,
    pub on_retry: Callback<MouseEvent>,
    /// Times read "5 minutes ago" (the live widget) or as dates (pages, which are cached).
    pub relative: bool,
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
pub(crate) fn ind(indicator: Option<Indicator>) -> &'static str {
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

/// The headline: the page's status ("Partial System Outage"), or, for an element scoped to
/// components the page knows, theirs in a component's words ("Partial outage"), as the edge's badge.
pub(crate) fn headline_text(ctx: &Ctx<'_>) -> &'static str {
    match ctx.headline {
        Headline::Checking => ctx.text.checking,
        Headline::Unavailable => ctx.text.unavailable,
        Headline::Unconfirmed => ctx.text.unconfirmed,
        Headline::Known(i) | Headline::OutOfDate(i) if scoped(ctx).is_some_and(|s| !s.whole_page) => {
            ctx.text.component(i.as_component())
        }
        Headline::Known(i) | Headline::OutOfDate(i) => ctx.text.indicator(i),
    }
}

/// Whether what is shown may be out of date: something was shown and is not confirmed now. Not
/// when nothing could ever be read ("Status unavailable" says it all, on a first visit too).
pub(crate) fn out_of_date(ctx: &Ctx<'_>) -> bool {
    matches!(ctx.headline, Headline::OutOfDate(_) | Headline::Unconfirmed)
}

/// Only http(s) and mailto links are ever rendered.
pub(crate) fn safe(href: &str) -> Option<String> {
    markdown::is_safe_href(href).then(|| href.to_owned())
}

/// Where "status page" links go: the status page the edge serves at its root.
pub(crate) fn status_page_url(ctx: &Ctx<'_>) -> String {
    format!("{}/", ctx.options.src)
}

/// An incident's or maintenance's own page on the edge.
pub(crate) fn incident_page_url(ctx: &Ctx<'_>, incident: &Incident) -> String {
    format!("{}/incidents/{}", ctx.options.src, incident.id)
}

pub(crate) fn time(ctx: &Ctx<'_>, at: Timestamp) -> Html {
    if ctx.relative {
        html! {
            <time datetime={crate::intl::iso(at)} title={ctx.formats.date_time(at)}>{ctx.formats.relative(at, ctx.now)}</time>
        }
    } else {
        html! { <time datetime={crate::intl::iso(at)}>{ctx.formats.date_time(at)}</time> }
    }
}

/// The live region: announced once per change of its text.
pub(crate) fn live(ctx: &Ctx<'_>) -> Html {
    let stale = out_of_date(ctx).then(|| html! { <span class="stale">{" "}{ctx.text.out_of_date}</span> });
    html! {
        <span class="text" role="status" aria-live="polite">
            <span class="label">{headline_text(ctx)}</span>{stale}
        </span>
    }
}

pub(crate) fn scoped<'a>(ctx: &Ctx<'a>) -> Option<Scoped<'a>> {
    ctx.summary.map(|s| embed::scope(s, &ctx.options.components, ctx.now))
}

pub(crate) fn window_text(ctx: &Ctx<'_>, maintenance: &Incident) -> String {
    maintenance.scheduled_for.map(|start| window(ctx, start, maintenance.scheduled_until)).unwrap_or_default()
}

/// How many affected components are named before "+N".
const AFFECTED_NAMED: usize = 6;

/// "Affected: …", the components an incident or maintenance names, if any: the first few, then how
/// many more (an incident may name every component of a page).
pub(crate) fn affected(ctx: &Ctx<'_>, event: &Incident) -> Html {
    if event.components.is_empty() {
        return Html::default();
    }
    let mut names: Vec<&str> = event.components.iter().take(AFFECTED_NAMED).map(|c| c.name.as_str()).collect();
    let more = event.components.len().saturating_sub(AFFECTED_NAMED);
    let more = (more > 0).then(|| format!("+{more}"));
    names.extend(more.as_deref());
    html! { <p class="muted affected">{ctx.text.affected}{": "}{names.join(", ")}</p> }
}

/// An incident's updates, newest first.
pub(crate) fn timeline(ctx: &Ctx<'_>, incident: &Incident) -> Html {
    let mut updates: Vec<&IncidentUpdate> = incident.incident_updates.iter().collect();
    updates.sort_by_key(|u| std::cmp::Reverse((u.shown_at(), u.created_at)));
    html! {
        <ol class="timeline">
            { for updates.into_iter().map(|u| html! {
                <li>
                    <p><strong>{ctx.text.status(u.status)}</strong>{" · "}{time(ctx, u.shown_at())}
                        if ctx.relative { <span class="muted">{" · "}{ctx.formats.date_time(u.shown_at())}</span> }
                        if u.edited_at.is_some() { <span class="muted">{" · "}{ctx.text.edited}</span> }</p>
                    <p class="body" lang={u.language.clone()}>{&u.body}</p>
                </li>
            }) }
        </ol>
    }
}

/// The components in scope as a list, each group one row (a `<details>`, opened on its own by
/// the reader; `open_troubled` opens a group with a child that is not operational).
pub(crate) fn component_list(ctx: &Ctx<'_>, summary: &Summary<'_>, scoped: &Scoped<'_>, open_troubled: bool) -> Html {
    html! {
        <ul class="components">
            { for embed::rows(summary, scoped).iter().map(|row| match row {
                Row::Component(component) => component_row(ctx, component),
                Row::Group { group, children, status } => group_row(ctx, group, children, *status, open_troubled),
            }) }
        </ul>
    }
}

fn status_cell(ctx: &Ctx<'_>, status: ComponentStatus) -> Html {
    let indicator = Indicator::of_component(status);
    html! {
        <span class="cstatus" data-ind={ind(Some(indicator))}>{icon(Some(indicator))}{ctx.text.component(status)}</span>
    }
}

fn component_row(ctx: &Ctx<'_>, component: &Component) -> Html {
    let uptime = ctx.uptime.and_then(|u| embed::uptime_of(&u.components, &component.id));
    html! {
        <li class="component">
            <div class="row">
                <span class="name">{&component.name}</span>
                {status_cell(ctx, component.status)}
            </div>
            { for uptime.map(|u| bars(ctx, u)) }
        </li>
    }
}

fn group_row(
    ctx: &Ctx<'_>,
    group: &Component,
    children: &[&Component],
    status: ComponentStatus,
    open_troubled: bool,
) -> Html {
    let uptime = ctx.uptime.and_then(|u| embed::group_uptime(&u.components, group, children));
    let open = open_troubled && !status.is_operational();
    html! {
        <li class="component group">
            // The group's bars stay under its own row: its children follow them, shown while the
            // group is open (widget.css hides them after a closed `details`).
            <details open={open}>
                <summary class="row">
                    <span class="name">{&group.name}<span class="muted">{" ("}{children.len()}{")"}</span></span>
                    {status_cell(ctx, status)}
                </summary>
            </details>
            { for uptime.as_ref().map(|u| bars(ctx, u)) }
            <ul class="components">{ for children.iter().map(|c| component_row(ctx, c)) }</ul>
        </li>
    }
}

/// "99.95%": rounded down to two decimals, so a bad day never reads as 100%; integer maths keeps
/// float formatting (about 14 KB of wasm) out of the widget.
pub(crate) fn percent(fraction: f64) -> String {
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

pub(crate) fn bars(ctx: &Ctx<'_>, row: &ComponentUptime) -> Html {
    let any_outage = row.days.iter().any(DayUptime::had_outage);
    let total = row.uptime.map_or_else(
        || ctx.text.no_data.to_owned(),
        |u| format!("{} {}", ctx.formats.percent(uptime::shown(u, any_outage), percent), ctx.text.uptime),
    );
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
                        day.uptime.map_or_else(|| ctx.text.no_data.to_owned(), |u| ctx.formats.percent(uptime::shown(u, day.had_outage()), percent)));
                    html! { <span class="day" data-d={worst} title={title}></span> }
                }) }
            </div>
            <div class="axis muted" aria-hidden="true"><span>{ctx.text.days_ago}</span><span>{total}</span><span>{ctx.text.today}</span></div>
        </div>
    }
}

pub(crate) fn postmortem_entry(ctx: &Ctx<'_>, entry: &PostmortemEntry<'_>) -> Html {
    let postmortem: &Postmortem = &entry.postmortem;
    let when = entry.resolved_at.or(entry.started_at).or(postmortem.published_at);
    html! {
        <details class="postmortem" lang={postmortem.language.clone()}>
            <summary>
                <strong>{&*entry.name}</strong>
                { for when.map(|at| html! { <span class="muted">{" · "}{ctx.formats.date_time(at)}</span> }) }
                <p class="body">{&postmortem.summary}</p>
            </summary>
            {postmortem_body(ctx, postmortem, 4)}
        </details>
    }
}

/// A postmortem's impact window, sections, timeline (each entry at the precision it was given)
/// and action items, their headings at `level` (4 inside the widget, 3 on an incident's page).
pub(crate) fn postmortem_body(ctx: &Ctx<'_>, postmortem: &Postmortem, level: u8) -> Html {
    let heading = format!("h{}", level.clamp(2, 6));
    // The sections and the timeline in the author's order.
    let (before, after) = postmortem.around_timeline();
    let section = |s: &sitrep_shared::postmortem::Section| {
        html! {
            <section class="pm-section">
                <@{heading.clone()}>{&s.title}</@>
                {blocks(&markdown::parse(&s.body), level + 1)}
            </section>
        }
    };
    html! {
        <>
            { for postmortem.impact_window.map(|w| html! {
                <p class="muted">{ctx.text.impact}{": "}{window_html(ctx, w.start, Some(w.end))}</p>
            }) }
            { for before.iter().map(&section) }
            if !postmortem.timeline.is_empty() {
                <@{heading.clone()}>{ctx.text.timeline}</@>
                <ol class="pm-timeline">
                    { for postmortem.timeline.iter().map(|t| {
                        // A moment is a `<time>`, shown in the reader's zone like the updates; a day is a day.
                        let at = match t.precision {
                            Precision::Minute | Precision::Hour => html! {
                                <time datetime={crate::intl::iso(t.at)}>{ctx.formats.date_time(t.at)}</time>
                            },
                            Precision::Day | Precision::Unknown => html! { {ctx.formats.day(t.at.as_datetime().date_naive())} },
                        };
                        html! { <li data-precision={t.precision.to_wire()}><span class="muted">{at}</span>{" "}{&t.text}</li> }
                    }) }
                </ol>
            }
            { for after.iter().map(section) }
            if !postmortem.action_items.is_empty() {
                <>
                    <@{heading.clone()}>{ctx.text.action_items}</@>
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
        </>
    }
}

/// A window of time, the end's date left out when it is the start's day.
pub(crate) fn window(ctx: &Ctx<'_>, start: Timestamp, end: Option<Timestamp>) -> String {
    match end {
        Some(end) => ctx.formats.range(start, end),
        None => ctx.formats.date_time(start),
    }
}

/// [`window`] marked with its instants, so the status page's script shows it in the reader's zone
/// like every other time on the page (`data-start`, `data-end`).
pub(crate) fn window_html(ctx: &Ctx<'_>, start: Timestamp, end: Option<Timestamp>) -> Html {
    html! {
        <span class="range" data-start={crate::intl::iso(start)} data-end={end.map(crate::intl::iso)}>
            {window(ctx, start, end)}
        </span>
    }
}

/// Markdown blocks from `shared::markdown`'s tree: there is no raw HTML node to render.
/// Headings inside take `level` (one below the section that holds them).
pub fn blocks(blocks: &[Block], level: u8) -> Html {
    let heading = format!("h{}", level.clamp(2, 6));
    blocks
        .iter()
        .map(|block| match block {
            Block::Paragraph { content } => html! { <p>{blocks_inline(content)}</p> },
            Block::Heading { content, .. } => html! { <@{heading.clone()}>{blocks_inline(content)}</@> },
            Block::List { ordered: true, start, items } => html! {
                <ol start={start.to_string()}>{ for items.iter().map(|i| html! { <li>{blocks_inline(i)}</li> }) }</ol>
            },
            Block::List { items, .. } => html! {
                <ul>{ for items.iter().map(|i| html! { <li>{blocks_inline(i)}</li> }) }</ul>
            },
            Block::Code { text } => html! { <pre><code>{text}</code></pre> },
            // In its own scroller, so a wide table never widens the page or the host's card.
            Block::Table { header, rows } => html! {
                <div class="table" tabindex="0">
                    <table>
                        <thead><tr>{ for header.iter().map(|c| html! { <th scope="col">{blocks_inline(c)}</th> }) }</tr></thead>
                        <tbody>{ for rows.iter().map(|row| html! {
                            <tr>{ for row.iter().map(|c| html! { <td>{blocks_inline(c)}</td> }) }</tr>
                        }) }</tbody>
                    </table>
                </div>
            },
        })
        .collect()
}

pub(crate) fn blocks_inline(inlines: &[Inline]) -> Html {
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
