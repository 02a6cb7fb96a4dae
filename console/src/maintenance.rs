//! Maintenance: every running, upcoming and recent window, and scheduling one. The window is typed
//! in the operator's zone (the browser's) and said in the page's zone too, so an operator in
//! Tokyo scheduling for a page kept in New York sees both.

use std::rc::Rc;

use sitrep_shared::api::{Endpoint, Operation};
use sitrep_shared::command::{Command, EventEdit, NewMaintenance};
use sitrep_shared::preview;
use sitrep_shared::{ComponentId, Timestamp};
use wasm_bindgen::JsValue;
use yew::prelude::*;

use crate::api::{self, Extra};
use crate::app::{Ctx, go};
use crate::forms::{self, Field, problem_for};
use crate::incidents::{Sending, refusal, send};
use crate::model::Route;
use crate::preview::Preview;

/// A `datetime-local` value, read in the browser's zone.
fn local_time(value: &str) -> Option<Timestamp> {
    if value.is_empty() {
        return None;
    }
    let millis = js_sys::Date::new(&JsValue::from_str(value)).get_time();
    (!millis.is_nan()).then(|| Timestamp::from_unix_millis(millis as i64)).flatten()
}

/// A `datetime-local` value for `at`, in the browser's zone.
fn local_value(at: Timestamp) -> String {
    let date = js_sys::Date::new(&JsValue::from_f64(at.as_datetime().timestamp_millis() as f64));
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}",
        date.get_full_year(),
        date.get_month() + 1,
        date.get_date(),
        date.get_hours(),
        date.get_minutes()
    )
}

/// The browser's IANA zone.
fn browser_zone() -> String {
    let options = js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new()).resolved_options();
    js_sys::Reflect::get(&options, &JsValue::from_str("timeZone")).ok().and_then(|z| z.as_string()).unwrap_or_default()
}

#[function_component]
pub fn Maintenance() -> Html {
    let Some(ctx) = use_context::<Ctx>() else { return html! {} };
    let (w, t) = (ctx.words, ctx.text);
    let rows = ctx.held.maintenances.iter().map(|m| {
        let window = match (m.scheduled_for, m.scheduled_until) {
            (Some(from), Some(until)) => ctx.formats.range(from, until),
            _ => String::new(),
        };
        html! {
            <tr>
                <td><a href={Route::Incident(m.id.as_str().to_owned()).href()}>{m.name.clone()}</a></td>
                <td>{t.event_status(m)}</td>
                <td>{window}</td>
            </tr>
        }
    });
    html! {
        <>
            <h1 id="screen" tabindex="-1">{w.maintenance}</h1>
            if ctx.me.may(Endpoint::ScheduleMaintenance) {
                <Schedule />
            }
            <table>
                <thead><tr><th scope="col">{w.name}</th><th scope="col">{w.status}</th><th scope="col">{w.when}</th></tr></thead>
                <tbody>{ for rows }</tbody>
            </table>
        </>
    }
}

#[function_component]
fn Schedule() -> Html {
    let Some(ctx) = use_context::<Ctx>() else { return html! {} };
    let w = ctx.words;
    let name = use_state(String::new);
    let message = use_state(String::new);
    let starts = use_state(String::new);
    let ends = use_state(String::new);
    let chosen = use_state(Vec::<ComponentId>::new);
    let automatic = use_state(|| true);
    let sending = use_state(Sending::default);
    let tried = use_state(|| false);
    let key = use_state(api::idempotency_key);

    let (from, until) = (local_time(&starts), local_time(&ends));
    let new = match (from, until) {
        (Some(from), Some(until)) => Some(NewMaintenance {
            name: (*name).clone(),
            body: (*message).clone(),
            scheduled_for: from,
            scheduled_until: until,
            components: (*chosen).clone(),
            impact: None,
            language: None,
            auto_transition: Some(*automatic),
            record: None,
        }),
        _ => None,
    };
    let previewed =
        new.as_ref().map(|n| preview::after(ctx.held.data(), &Command::ScheduleMaintenance(n.clone()), ctx.now()));
    let summary = match &previewed {
        Some(Ok(summary)) => Rc::new(summary.clone()),
        _ => ctx.held.summary.clone(),
    };
    let mut problems = sending.problems().to_vec();
    if *tried
        && sending.failure.is_none()
        && let Some(Err(sitrep_shared::command::ApplyError::Invalid(local))) = &previewed
    {
        problems = local.clone();
    }
    let missing_window = *tried && new.is_none();
    let onsubmit = {
        let (ctx, sending, tried, new, key) = (ctx.clone(), sending.clone(), tried.clone(), new.clone(), key.clone());
        let refused = matches!(previewed, Some(Err(_)));
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            tried.set(true);
            let Some(new) = new.clone().filter(|_| !refused) else { return };
            let extra = Extra { idempotency_key: Some((*key).clone()), ..Extra::default() };
            // Done: the next maintenance from this form (if it is still on screen) is a new request.
            let key = key.clone();
            send(
                &ctx,
                Operation::new(Endpoint::ScheduleMaintenance),
                Some(new),
                extra,
                sending.clone(),
                move |reply| {
                    key.set(api::idempotency_key());
                    go(&Route::Incident(reply.id))
                },
            );
        })
    };
    let set = crate::forms::set;
    let page_zone = ctx.held.summary.page.time_zone.clone();
    let zone_note = format!("{} {} (page: {page_zone})", w.times_in, browser_zone());
    let boxes = ctx.held.summary.components.iter().filter(|c| !c.group).map(|c| {
        let id = c.id.clone();
        let on = chosen.contains(&id);
        let onchange = {
            let chosen = chosen.clone();
            Callback::from(move |e: Event| {
                let mut next: Vec<ComponentId> = chosen.iter().filter(|c| **c != id).cloned().collect();
                if forms::checked(&e) {
                    next.push(id.clone());
                }
                chosen.set(next);
            })
        };
        let box_id = format!("mc-{}", c.id.as_str());
        html! {
            <div class="check">
                <input type="checkbox" id={box_id.clone()} checked={on} {onchange} />
                <label for={box_id}>{c.name.clone()}</label>
            </div>
        }
    });
    let on_auto = {
        let automatic = automatic.clone();
        Callback::from(move |e: Event| automatic.set(forms::checked(&e)))
    };
    html! {
        <section aria-labelledby="schedule-title">
            <h2 id="schedule-title">{w.new_maintenance}</h2>
            <div class="compose">
                <form {onsubmit} novalidate=true>
                    <Field id="m-name" label={w.name} value={(*name).clone()} oninput={set(&name)} required=true
                        error={problem_for(&problems, "name")} />
                    <Field id="m-message" label={w.message} value={(*message).clone()} oninput={set(&message)}
                        multiline=true required=true error={problem_for(&problems, "body")} />
                    <p class="quiet" id="zone-note">{zone_note}</p>
                    <Field id="m-starts" label={w.starts} kind="datetime-local" value={(*starts).clone()}
                        oninput={set(&starts)} required=true
                        error={if missing_window && from.is_none() { Some(AttrValue::from("required")) } else { problem_for(&problems, "scheduled_for") }} />
                    <Field id="m-ends" label={w.ends} kind="datetime-local" value={(*ends).clone()}
                        oninput={set(&ends)} required=true
                        error={if missing_window && until.is_none() { Some(AttrValue::from("required")) } else { problem_for(&problems, "scheduled_until") }} />
                    <fieldset class="components">
                        <legend>{w.components}</legend>
                        { for boxes }
                    </fieldset>
                    <div class="check">
                        <input type="checkbox" id="m-auto" checked={*automatic} onchange={on_auto} />
                        <label for="m-auto">{w.automatic}</label>
                    </div>
                    {refusal(&sending)}
                    <button type="submit" disabled={sending.busy}>{w.schedule}</button>
                </form>
                <Preview summary={summary} views={vec![sitrep_shared::embed::View::Banner]} />
            </div>
        </section>
    }
}

#[derive(Properties, PartialEq)]
pub struct RescheduleProps {
    pub event: std::rc::Rc<sitrep_shared::Incident>,
}

/// Moving a maintenance's window (its start only until it begins), and turning its automatic
/// start and completion on or off.
#[function_component]
pub fn Reschedule(props: &RescheduleProps) -> Html {
    let Some(ctx) = use_context::<Ctx>() else { return html! {} };
    let w = ctx.words;
    let event = &props.event;
    let starts = use_state(|| event.scheduled_for.map(local_value).unwrap_or_default());
    let ends = use_state(|| event.scheduled_until.map(local_value).unwrap_or_default());
    let automatic = use_state(|| event.auto_transition);
    let sending = use_state(Sending::default);
    // The version the form was opened at: a window moved by someone else since is not overwritten.
    let base = use_state(|| ctx.held.version);
    let onsubmit = {
        let (ctx, sending, id) = (ctx.clone(), sending.clone(), event.id.clone());
        let (starts, ends, automatic, base) = (starts.clone(), ends.clone(), automatic.clone(), base.clone());
        let was = (event.scheduled_for, event.scheduled_until);
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let (from, until) = (local_time(&starts), local_time(&ends));
            let edit = EventEdit {
                scheduled_for: from.filter(|f| Some(*f) != was.0),
                scheduled_until: until.filter(|u| Some(*u) != was.1),
                auto_transition: Some(*automatic),
                ..EventEdit::default()
            };
            let op = Operation { id: id.as_str().to_owned(), ..Operation::new(Endpoint::EditMaintenance) };
            let extra = Extra { if_match: Some(*base), ..Extra::default() };
            let base = base.clone();
            send(&ctx, op, Some(edit), extra, sending.clone(), move |reply| base.set(reply.version));
        })
    };
    let set = crate::forms::set;
    let on_auto = {
        let automatic = automatic.clone();
        Callback::from(move |e: Event| automatic.set(forms::checked(&e)))
    };
    let problems = sending.problems().to_vec();
    html! {
        <section aria-labelledby="reschedule-title">
            <h2 id="reschedule-title">{w.reschedule}</h2>
            <form {onsubmit} novalidate=true>
                <p class="quiet">{format!("{} {} (page: {})", w.times_in, browser_zone(), ctx.held.summary.page.time_zone)}</p>
                <Field id="r-starts" label={w.starts} kind="datetime-local" value={(*starts).clone()} oninput={set(&starts)}
                    error={problem_for(&problems, "scheduled_for")} />
                <Field id="r-ends" label={w.ends} kind="datetime-local" value={(*ends).clone()} oninput={set(&ends)}
                    error={problem_for(&problems, "scheduled_until")} />
                <div class="check">
                    <input type="checkbox" id="r-auto" checked={*automatic} onchange={on_auto} />
                    <label for="r-auto">{w.automatic}</label>
                </div>
                {refusal(&sending)}
                <button type="submit" disabled={sending.busy}>{w.reschedule}</button>
            </form>
        </section>
    }
}
