//! The overview: the status as readers see it, open incidents, running and upcoming maintenance,
//! and every component and group with its status.

use sitrep_shared::Component;
use sitrep_shared::api::Endpoint;
use yew::prelude::*;

use crate::app::Ctx;
use crate::model::Route;

#[function_component]
pub fn Overview() -> Html {
    let Some(ctx) = use_context::<Ctx>() else { return html! {} };
    let (w, t) = (ctx.words, ctx.text);
    let summary = &ctx.held.summary;
    let indicator = summary.status.indicator;
    let incidents = summary.incidents.iter().map(|i| {
        html! {
            <li>
                <a href={Route::Incident(i.id.as_str().to_owned()).href()}>{i.name.clone()}</a>
                {" · "}{t.status(i.status)}
            </li>
        }
    });
    let maintenances = summary.scheduled_maintenances.iter().map(|m| {
        let window = match (m.scheduled_for, m.scheduled_until) {
            (Some(from), Some(until)) => ctx.formats.range(from, until),
            _ => String::new(),
        };
        html! {
            <li>
                <a href={Route::Incident(m.id.as_str().to_owned()).href()}>{m.name.clone()}</a>
                {" · "}{t.status(m.status)}{" · "}{window}
            </li>
        }
    });
    html! {
        <>
            <h1 id="screen" tabindex="-1">{w.overview}</h1>
            <p class="headline" data-ind={indicator.to_wire()}>
                <strong>{t.indicator(indicator)}</strong>
            </p>
            if ctx.me.may(Endpoint::OpenIncident) {
                <p><a class="button" href={Route::NewIncident.href()}>{w.new_incident}</a></p>
            }
            <section aria-labelledby="open-title">
                <h2 id="open-title">{w.open_incidents}</h2>
                if summary.incidents.is_empty() {
                    <p>{w.no_open_incidents}</p>
                } else {
                    <ul>{ for incidents }</ul>
                }
            </section>
            <section aria-labelledby="maintenance-title">
                <h2 id="maintenance-title">{w.running_and_upcoming}</h2>
                if summary.scheduled_maintenances.is_empty() {
                    <p>{w.none_scheduled}</p>
                } else {
                    <ul>{ for maintenances }</ul>
                }
            </section>
            <section aria-labelledby="components-title">
                <h2 id="components-title">{w.components}</h2>
                {component_list(&ctx, &summary.components)}
            </section>
        </>
    }
}

/// Groups with their components under them, each with its status.
pub fn component_list(ctx: &Ctx, components: &[Component]) -> Html {
    let row = |c: &Component| {
        html! {
            <li data-status={c.status.to_wire()}>
                <span class="name">{c.name.clone()}</span>{" "}
                <span class="state">{ctx.text.component(c.status)}</span>
            </li>
        }
    };
    let top = components.iter().filter(|c| c.group_id.is_none());
    html! {
        <ul class="component-list">
            { for top.map(|c| {
                if c.group {
                    let children = components.iter().filter(|k| k.group_id.as_ref() == Some(&c.id));
                    html! {
                        <li class="group">
                            <span class="name">{c.name.clone()}</span>{" "}
                            <span class="state">{ctx.text.component(c.status)}</span>
                            <ul>{ for children.map(row) }</ul>
                        </li>
                    }
                } else {
                    row(c)
                }
            }) }
        </ul>
    }
}
