//! Incidents: the list, opening one (with what readers will see beside the form), and one
//! incident's timeline with its update form, resolve, reopen, and fixing an earlier update's text.
//!
//! Every write names the page version the operator started from (`If-Match`): if someone else
//! wrote since, the edge refuses with what changed and who changed it, and nothing is overwritten.

use std::cell::RefCell;
use std::rc::Rc;

use serde::Serialize;
use sitrep_shared::api::{Endpoint, Operation};
use sitrep_shared::command::{Command, ComponentChange, NewUpdate, UpdateEdit, WriteReply};
use sitrep_shared::preview;
use sitrep_shared::problem::Problem;
use sitrep_shared::template::{Template, TemplateList};
use sitrep_shared::{Incident, IncidentId, IncidentStatus, IncidentUpdate};
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

use crate::api::{self, Extra, Failure};
use crate::app::{Ctx, act, go};
use crate::forms::{self, Choice, ComponentControls, Draft, Edit, Field, IncidentFields, problem_for};
use crate::model::{Msg, Route};
use crate::preview::Preview;

/// A write in flight, and how the last one ended.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Sending {
    pub busy: bool,
    pub failure: Option<Failure>,
}

impl Sending {
    pub fn problems(&self) -> &[Problem] {
        self.failure.as_ref().map(Failure::problems).unwrap_or_default()
    }
}

/// Sends one write; on success tells the model (which reads the page again) and calls `then`.
pub fn send(
    ctx: &Ctx,
    op: Operation,
    body: Option<impl Serialize + 'static>,
    extra: Extra,
    state: UseStateHandle<Sending>,
    then: impl FnOnce(WriteReply) + 'static,
) {
    let body = body.as_ref().map(api::to_json).transpose();
    send_text(ctx.dispatch.clone(), op, body, extra, state, Box::new(then));
}

/// [`send`] without its types, compiled once (one copy of the request per body type and
/// continuation added kilobytes to the wasm).
fn send_text(
    dispatch: Callback<Msg>,
    op: Operation,
    body: Result<Option<String>, Failure>,
    extra: Extra,
    state: UseStateHandle<Sending>,
    then: Box<dyn FnOnce(WriteReply)>,
) {
    if state.busy {
        return;
    }
    state.set(Sending { busy: true, failure: None });
    spawn_local(async move {
        let answer = match body {
            Ok(body) => {
                api::request_text(&op, body, extra).await.and_then(|read| api::parse::<WriteReply>(&read.value))
            }
            Err(failure) => Err(failure),
        };
        match answer {
            Ok(reply) => {
                state.set(Sending::default());
                dispatch.emit(Msg::Wrote(reply.summary.clone()));
                then(reply);
            }
            Err(Failure::SignedOut(why)) => dispatch.emit(Msg::SignedOut(why)),
            Err(failure) => {
                // A stale version: read the page again so the operator sees what changed.
                if matches!(failure, Failure::Refused { status: 409, .. }) {
                    dispatch.emit(Msg::Reload);
                }
                state.set(Sending { busy: false, failure: Some(failure) });
            }
        }
    });
}

/// The refusal that belongs to no field, for the form's alert.
pub fn refusal(state: &Sending) -> Html {
    match &state.failure {
        Some(failure) => html! { <p class="error" role="alert">{failure.message()}</p> },
        None => html! {},
    }
}

#[function_component]
pub fn List() -> Html {
    let Some(ctx) = use_context::<Ctx>() else { return html! {} };
    let (w, t) = (ctx.words, ctx.text);
    let rows = ctx.held.incidents.iter().map(|i| {
        let when = ctx.formats.date_time(i.created_at);
        html! {
            <tr>
                <td><a href={Route::Incident(i.id.as_str().to_owned()).href()}>{i.name.clone()}</a></td>
                <td>{t.status(i.status)}</td>
                <td>{when}</td>
            </tr>
        }
    });
    html! {
        <>
            <h1 id="screen" tabindex="-1">{w.incidents}</h1>
            if ctx.me.may(Endpoint::OpenIncident) {
                <p><a class="button" href={Route::NewIncident.href()}>{w.new_incident}</a></p>
            }
            <table>
                <thead><tr><th scope="col">{w.name}</th><th scope="col">{w.status}</th><th scope="col">{w.when}</th></tr></thead>
                <tbody>{ for rows }</tbody>
            </table>
        </>
    }
}

fn changes_of(changes: &forms::Changes) -> Vec<ComponentChange> {
    changes.iter().map(|(id, status)| ComponentChange { id: id.clone(), status: *status }).collect()
}

#[function_component]
pub fn Open() -> Html {
    let Some(ctx) = use_context::<Ctx>() else { return html! {} };
    let w = ctx.words;
    let draft = use_reducer(Draft::default);
    let template = use_state(String::new);
    let templates = use_state(|| None::<Vec<Template>>);
    // Bumped when a template fills the form: its fields are drawn anew (a select the operator
    // already changed ignores a new default).
    let epoch = use_state(|| 0_u32);
    let sending = use_state(Sending::default);
    let tried = use_state(|| false);
    // One key for this form's create and its retries: a retry after a lost answer opens nothing twice.
    let key = use_state(api::idempotency_key);
    {
        let (ctx, templates) = (ctx.clone(), templates.clone());
        let failed = use_state(|| None::<Failure>);
        use_effect_with((), move |_| {
            let op = Operation::new(Endpoint::ListTemplates);
            act::<TemplateList>(&ctx, op, None::<()>, failed, move |list| templates.set(Some(list.templates)));
        });
    }

    let new = draft.incident();
    // The store's own rules, before anything is sent: the preview, or why it would be refused.
    let previewed = preview::after(ctx.held.data(), &Command::OpenIncident(new.clone()), ctx.now());
    let summary = match &previewed {
        Ok(summary) => Rc::new(summary.clone()),
        Err(_) => ctx.held.summary.clone(),
    };
    let local: Vec<Problem> = match &previewed {
        Err(sitrep_shared::command::ApplyError::Invalid(problems)) if *tried => problems.clone(),
        _ => Vec::new(),
    };
    let problems = Rc::new(if sending.failure.is_some() { sending.problems().to_vec() } else { local });

    let onsubmit = {
        let (ctx, sending, tried, key) = (ctx.clone(), sending.clone(), tried.clone(), key.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            tried.set(true);
            if matches!(previewed, Err(sitrep_shared::command::ApplyError::Invalid(_))) {
                return;
            }
            let op = Operation::new(Endpoint::OpenIncident);
            let extra = Extra { idempotency_key: Some((*key).clone()), ..Extra::default() };
            // Done: the next incident from this form (if it is still on screen) is a new request.
            let key = key.clone();
            send(&ctx, op, Some(new.clone()), extra, sending.clone(), move |reply| {
                key.set(api::idempotency_key());
                go(&Route::Incident(reply.id))
            });
        })
    };
    // Picking a template fills the form with its words, to be edited before sending; blank empties it.
    let pick = {
        let (draft, template, templates, epoch) = (draft.clone(), template.clone(), templates.clone(), epoch.clone());
        let components = ctx.held.summary.components.clone();
        Callback::from(move |id: String| {
            let chosen = templates.iter().flatten().find(|t| t.id == id);
            draft.dispatch(Edit::Load(chosen.map(|t| Draft::of(&t.incident, &components)).unwrap_or_default()));
            template.set(id);
            epoch.set(*epoch + 1);
        })
    };
    let onchange = {
        let draft = draft.dispatcher();
        Callback::from(move |edit: Edit| draft.dispatch(edit))
    };
    let mut choices: Vec<(AttrValue, AttrValue)> = vec![("".into(), w.blank.into())];
    choices
        .extend(templates.iter().flatten().map(|t| (AttrValue::from(t.id.clone()), AttrValue::from(t.name.clone()))));
    html! {
        <>
            <h1 id="screen" tabindex="-1">{w.new_incident}</h1>
            <div class="compose">
                <form {onsubmit} novalidate=true>
                    if templates.as_ref().is_some_and(|t| !t.is_empty()) {
                        <Choice id="template" label={w.template} value={(*template).clone()} options={choices} onchange={pick} />
                    }
                    <IncidentFields key={epoch.to_string()} draft={(*draft).clone()} {onchange} {problems} />
                    {refusal(&sending)}
                    <button type="submit" disabled={sending.busy}>{w.open_incident}</button>
                </form>
                <Preview summary={summary} />
            </div>
        </>
    }
}

#[derive(Properties, PartialEq)]
pub struct DetailProps {
    pub id: AttrValue,
}

#[function_component]
pub fn Detail(props: &DetailProps) -> Html {
    let Some(ctx) = use_context::<Ctx>() else { return html! {} };
    let w = ctx.words;
    let Some(event) = ctx.held.event(&props.id).cloned() else {
        return html! {
            <>
                <h1 id="screen" tabindex="-1">{w.incidents}</h1>
                <p role="alert">{format!("No incident or maintenance {} among the latest.", props.id)}</p>
            </>
        };
    };
    let t = ctx.text;
    let impact = match event.impact {
        sitrep_shared::Impact::None => w.impact_none,
        sitrep_shared::Impact::Minor => w.impact_minor,
        sitrep_shared::Impact::Major => w.impact_major,
        sitrep_shared::Impact::Critical => w.impact_critical,
        _ => "",
    };
    let maintenance = event.is_maintenance();
    html! {
        <>
            <h1 id="screen" tabindex="-1">{event.name.clone()}</h1>
            <p class="meta">
                {w.status}{": "}<strong>{t.event_status(&event)}</strong>
                if !impact.is_empty() { {" · "}{w.impact}{": "}{impact} }
                if !maintenance {
                    {" · "}<a href={Route::Postmortem(event.id.as_str().to_owned()).href()}>{w.postmortem}</a>
                }
                {" · "}<a href={format!("{}/incidents/{}", ctx.public, event.id.as_str())} target="_blank" rel="noopener">{t.status_page}</a>
            </p>
            if ctx.me.may(Endpoint::PostIncidentUpdate) {
                <UpdateForm event={Rc::new(event.clone())} />
            }
            if maintenance && !event.status.is_closed() && ctx.me.may(Endpoint::EditMaintenance) {
                <crate::maintenance::Reschedule event={Rc::new(event.clone())} />
            }
            if ctx.me.may(Endpoint::DeleteIncident) {
                <Delete event={Rc::new(event.clone())} />
            }
            <section aria-labelledby="timeline-title">
                <h2 id="timeline-title">{w.timeline}</h2>
                <ol class="timeline">
                    { for event.incident_updates.iter().map(|u| html! {
                        <UpdateEntry key={u.id.as_str().to_owned()} event={event.id.clone()} update={Rc::new(u.clone())} maintenance={maintenance} />
                    }) }
                </ol>
            </section>
        </>
    }
}

#[derive(Properties, PartialEq)]
struct UpdateFormProps {
    event: Rc<Incident>,
}

/// Post an update, resolve, reopen (and, for a maintenance, cancel), with the preview beside it.
#[function_component]
fn UpdateForm(props: &UpdateFormProps) -> Html {
    let Some(ctx) = use_context::<Ctx>() else { return html! {} };
    let w = ctx.words;
    let event = &props.event;
    let maintenance = event.is_maintenance();
    let closed = event.status.is_closed();
    let first = if closed {
        if maintenance { IncidentStatus::InProgress } else { IncidentStatus::Investigating }
    } else {
        event.status
    };
    let status = use_state(|| first.as_str().to_owned());
    let message = use_state(String::new);
    let changes = use_state(forms::Changes::default);
    let sending = use_state(Sending::default);
    // The version the operator began writing at: what If-Match names.
    let base: Rc<RefCell<Option<u64>>> = use_mut_ref(|| None);

    let chosen = IncidentStatus::from_wire(&status);
    let update = |status: IncidentStatus, reopen: bool, restore: bool| NewUpdate {
        components: changes_of(&changes),
        reopen,
        restore: restore && changes.is_empty(),
        ..NewUpdate::new(status, (*message).clone())
    };
    let planned = update(chosen, closed, chosen.is_closed());
    let previewed = preview::after(ctx.held.data(), &Command::PostUpdate(event.id.clone(), planned.clone()), ctx.now());
    let summary = previewed.as_ref().map(|s| Rc::new(s.clone())).unwrap_or_else(|_| ctx.held.summary.clone());
    let problems = sending.problems().to_vec();

    // After a conflict the operator has been shown what changed (the page was read again): the
    // next press starts from what is on screen now. Any other failure keeps the starting version.
    {
        let base = base.clone();
        use_effect_with(sending.failure.clone(), move |failure| {
            if matches!(failure, Some(Failure::Refused { status: 409, .. })) {
                base.borrow_mut().take();
            }
        });
    }
    let post = {
        let (ctx, sending, base, id) = (ctx.clone(), sending.clone(), base.clone(), event.id.clone());
        let (message, changes) = (message.clone(), changes.clone());
        move |body: NewUpdate| {
            let if_match = Some(base.borrow().unwrap_or(ctx.held.version));
            let endpoint = if maintenance { Endpoint::PostMaintenanceUpdate } else { Endpoint::PostIncidentUpdate };
            let op = Operation { id: id.as_str().to_owned(), ..Operation::new(endpoint) };
            let (message, changes, base) = (message.clone(), changes.clone(), base.clone());
            let extra = Extra { if_match, ..Extra::default() };
            send(&ctx, op, Some(body), extra, sending.clone(), move |_| {
                base.borrow_mut().take();
                message.set(String::new());
                changes.set(forms::Changes::default());
            });
        }
    };
    let onsubmit = {
        let post = post.clone();
        let planned = planned.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            post(planned.clone());
        })
    };
    let resolve = {
        let post = post.clone();
        let body = update(if maintenance { IncidentStatus::Completed } else { IncidentStatus::Resolved }, false, true);
        Callback::from(move |_| post(body.clone()))
    };
    let cancel = {
        let (ctx, sending, base, id, message) =
            (ctx.clone(), sending.clone(), base.clone(), event.id.clone(), message.clone());
        Callback::from(move |_| {
            let if_match = Some(base.borrow().unwrap_or(ctx.held.version));
            let op = Operation { id: id.as_str().to_owned(), ..Operation::new(Endpoint::CancelMaintenance) };
            let body = sitrep_shared::command::Cancellation { body: (*message).clone(), language: None };
            let base = base.clone();
            let extra = Extra { if_match, ..Extra::default() };
            send(&ctx, op, Some(body), extra, sending.clone(), move |_| {
                base.borrow_mut().take();
            });
        })
    };
    let on_message = {
        let (message, base, version) = (message.clone(), base.clone(), ctx.held.version);
        Callback::from(move |v: String| {
            base.borrow_mut().get_or_insert(version);
            message.set(v);
        })
    };
    let on_status = {
        let (status, base, version) = (status.clone(), base.clone(), ctx.held.version);
        Callback::from(move |v: String| {
            base.borrow_mut().get_or_insert(version);
            status.set(v);
        })
    };
    let on_component = {
        let (changes, base, version) = (changes.clone(), base.clone(), ctx.held.version);
        Callback::from(move |(id, status)| {
            base.borrow_mut().get_or_insert(version);
            changes.set(forms::with_change(&changes, id, status));
        })
    };
    let statuses = if maintenance { forms::maintenance_statuses(&ctx) } else { forms::incident_statuses(&ctx) };
    let components = Rc::new(ctx.held.summary.components.to_vec());
    html! {
        <div class="compose">
            <form {onsubmit} novalidate=true aria-label={w.post_update}>
                <Choice id="status" label={w.status} value={(*status).clone()} options={statuses} onchange={on_status}
                    error={problem_for(&problems, "status")} />
                <Field id="message" label={w.message} value={(*message).clone()} oninput={on_message} multiline=true
                    required=true error={problem_for(&problems, "body")} />
                <ComponentControls components={components} changes={(*changes).clone()} onchange={on_component}
                    error={problem_for(&problems, "components")} />
                {refusal(&sending)}
                <div class="actions">
                    <button type="submit" disabled={sending.busy}>{if closed { w.reopen } else { w.post_update }}</button>
                    if !closed && !maintenance {
                        <button type="button" onclick={resolve} disabled={sending.busy}>{w.resolve}</button>
                    }
                    if !closed && maintenance {
                        <button type="button" onclick={cancel} disabled={sending.busy}>{w.cancel_maintenance}</button>
                    }
                </div>
            </form>
            <Preview summary={summary} />
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct EntryProps {
    event: IncidentId,
    update: Rc<IncidentUpdate>,
    maintenance: bool,
}

/// One update in the timeline, with its text fixable in place.
#[function_component]
fn UpdateEntry(props: &EntryProps) -> Html {
    let Some(ctx) = use_context::<Ctx>() else { return html! {} };
    let (w, t) = (ctx.words, ctx.text);
    let u = &props.update;
    let editing = use_state(|| None::<(String, u64)>);
    let sending = use_state(Sending::default);
    let when = ctx.formats.date_time(u.created_at);
    let field_id = format!("fix-{}", u.id.as_str());
    // After a conflict (shown in the alert), the next save starts from the page as it is now.
    {
        let editing = editing.clone();
        use_effect_with((sending.failure.clone(), ctx.held.version), move |(failure, current)| {
            if matches!(failure, Some(Failure::Refused { status: 409, .. }))
                && let Some((text, _)) = (*editing).clone()
            {
                editing.set(Some((text, *current)));
            }
        });
    }
    let body = match &*editing {
        Some((text, version)) => {
            let oninput = {
                let (editing, version) = (editing.clone(), *version);
                Callback::from(move |v: String| editing.set(Some((v, version))))
            };
            let save = {
                let (ctx, sending, editing) = (ctx.clone(), sending.clone(), editing.clone());
                let (event, update, maintenance) = (props.event.clone(), u.id.clone(), props.maintenance);
                let (text, version) = (text.clone(), *version);
                Callback::from(move |_| {
                    let endpoint =
                        if maintenance { Endpoint::EditMaintenanceUpdate } else { Endpoint::EditIncidentUpdate };
                    let op = Operation {
                        id: event.as_str().to_owned(),
                        delivery: update.as_str().to_owned(),
                        ..Operation::new(endpoint)
                    };
                    let editing = editing.clone();
                    let body = UpdateEdit { body: text.clone() };
                    let extra = Extra { if_match: Some(version), ..Extra::default() };
                    send(&ctx, op, Some(body), extra, sending.clone(), move |_| editing.set(None));
                })
            };
            let cancel = {
                let editing = editing.clone();
                Callback::from(move |_| editing.set(None))
            };
            html! {
                <div class="fix">
                    <Field id={field_id} label={format!("{} ({when})", w.fix_text)} value={text.clone()} {oninput}
                        multiline=true error={problem_for(sending.problems(), "body")} />
                    {refusal(&sending)}
                    <button type="button" onclick={save} disabled={sending.busy}>{w.save}</button>{" "}
                    <button type="button" onclick={cancel}>{w.cancel}</button>
                </div>
            }
        }
        None => {
            let edit = {
                let (editing, text, version) = (editing.clone(), u.body.clone(), ctx.held.version);
                Callback::from(move |_| editing.set(Some((text.clone(), version))))
            };
            html! {
                <>
                    <p class="body">{u.body.clone()}</p>
                    if ctx.me.may(Endpoint::EditIncidentUpdate) {
                        <button type="button" class="link" onclick={edit}
                            aria-label={format!("{}: {} {when}", w.fix_text, t.status(u.status))}>{w.fix_text}</button>
                    }
                </>
            }
        }
    };
    html! {
        <li>
            <p class="meta">
                <strong>{t.status(u.status)}</strong>{" · "}<time>{when}</time>
                if u.edited_at.is_some() { {" · "}<em>{w.edited}</em> }
            </p>
            {body}
        </li>
    }
}

#[derive(Properties, PartialEq)]
struct DeleteProps {
    event: Rc<Incident>,
}

/// Deleting a test or mistaken incident or maintenance, in two steps: the button says what it is
/// for, the second step says what deleting does.
#[function_component]
fn Delete(props: &DeleteProps) -> Html {
    let Some(ctx) = use_context::<Ctx>() else { return html! {} };
    let w = ctx.words;
    let asking = use_state(|| false);
    let sending = use_state(Sending::default);
    let event = &props.event;
    let label = format!("{} {}", w.delete, event.name);
    if !*asking {
        let ask = {
            let asking = asking.clone();
            Callback::from(move |_| asking.set(true))
        };
        return html! {
            <p><button type="button" class="danger" onclick={ask}>{label}</button></p>
        };
    }
    let confirm = {
        let (ctx, sending, id, maintenance) = (ctx.clone(), sending.clone(), event.id.clone(), event.is_maintenance());
        Callback::from(move |_| {
            let endpoint = if maintenance { Endpoint::DeleteMaintenance } else { Endpoint::DeleteIncident };
            let op = Operation { id: id.as_str().to_owned(), ..Operation::new(endpoint) };
            let extra = Extra { if_match: Some(ctx.held.version), ..Extra::default() };
            let back = if maintenance { Route::Maintenance } else { Route::Incidents };
            send(&ctx, op, None::<()>, extra, sending.clone(), move |_| go(&back));
        })
    };
    let cancel = {
        let asking = asking.clone();
        Callback::from(move |_| asking.set(false))
    };
    html! {
        <div class="confirm" role="group" aria-label={label}>
            <p>{w.delete_warning}</p>
            {refusal(&sending)}
            <button type="button" class="danger" onclick={confirm} disabled={sending.busy}>{w.confirm_delete}</button>{" "}
            <button type="button" onclick={cancel}>{w.cancel}</button>
        </div>
    }
}
