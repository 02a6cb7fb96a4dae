//! Incident templates: the words prepared on a calm day for outages an operator can foresee,
//! each checked by the store's own rules (`sitrep_shared::template::check`) before it is sent and
//! previewed as readers would see the incident it opens. "New incident" starts from one of them.
//! A template is private: saving one changes nothing readers see.

use std::rc::Rc;

use sitrep_shared::api::{Endpoint, Operation};
use sitrep_shared::command::Command;
use sitrep_shared::problem::Problem;
use sitrep_shared::template::{self, NewTemplate, Template, TemplateList};
use sitrep_shared::{PageState, preview};
use yew::prelude::*;

use crate::api::{self, Done, Extra, Failure};
use crate::app::{Ctx, act, act_with};
use crate::forms::{Draft, Edit, Field, IncidentFields};
use crate::model::Msg;
use crate::preview::Preview;

/// The template form: a new one, or the one being edited.
#[derive(Clone, Debug, Default, PartialEq)]
struct Form {
    editing: Option<String>,
    name: String,
    draft: Draft,
    tried: bool,
    /// Bumped whenever the form is filled from outside (an edit begun, a save, a cancel): the
    /// fields are drawn anew, since a select the operator already changed ignores a new default.
    epoch: u32,
}

/// One change to the form, applied to it as it is when it arrives (see `forms::Edit`).
#[derive(Debug)]
enum Change {
    Name(String),
    Draft(Edit),
    /// Pressed "Save template" with problems: show them.
    Tried,
    /// Begin editing a template: its id, name and words.
    Load(String, String, Draft),
    /// Saved or cancelled: an empty form.
    Reset,
}

impl Reducible for Form {
    type Action = Change;

    fn reduce(self: Rc<Self>, change: Change) -> Rc<Self> {
        let mut next = (*self).clone();
        match change {
            Change::Name(name) => next.name = name,
            Change::Draft(edit) => next.draft.apply(edit),
            Change::Tried => next.tried = true,
            Change::Load(id, name, draft) => {
                next = Form { editing: Some(id), name, draft, tried: false, epoch: self.epoch + 1 };
            }
            Change::Reset => next = Form { epoch: self.epoch + 1, ..Form::default() },
        }
        Rc::new(next)
    }
}

#[function_component]
pub fn Templates() -> Html {
    let Some(ctx) = use_context::<Ctx>() else { return html! {} };
    let w = ctx.words;
    let sw = crate::settings_words::of(w.tag);
    let listed = use_state(|| None::<Vec<Template>>);
    let failed = use_state(|| None::<Failure>);
    let again = use_state(|| 0_u32);
    let form = use_reducer(Form::default);
    let removing = use_state(|| None::<String>);
    // A save or a removal in flight: its buttons wait (a second press would send it twice).
    let busy = use_state(|| false);
    // One key for a new template and its retries: a retry after a lost answer adds nothing twice.
    let key = use_state(api::idempotency_key);
    // A refusal ends what was in flight.
    {
        let busy = busy.clone();
        use_effect_with((*failed).clone(), move |_| busy.set(false));
    }
    {
        let (ctx, listed, failed) = (ctx.clone(), listed.clone(), failed.clone());
        use_effect_with(*again, move |_| {
            let op = Operation::new(Endpoint::ListTemplates);
            act::<TemplateList>(&ctx, op, None::<()>, failed, move |list| listed.set(Some(list.templates)));
        });
    }
    let reload = {
        let again = again.clone();
        Callback::from(move |_: ()| again.set(*again + 1))
    };
    let may = ctx.me.may(Endpoint::CreateTemplate);
    let new = NewTemplate { name: form.name.clone(), incident: form.draft.incident() };
    // The store's rules before anything is sent (the edge counts the templates it keeps).
    let local = template::check(&new, &PageState::new(ctx.held.data()), 0);
    let sent = failed.as_ref().map(|f| f.problems().to_vec()).unwrap_or_default();
    let problems: Rc<Vec<Problem>> = Rc::new(if !sent.is_empty() {
        sent
    } else if form.tried {
        local.clone()
    } else {
        Vec::new()
    });
    let summary = match preview::after(ctx.held.data(), &Command::OpenIncident(new.incident.clone()), ctx.now()) {
        Ok(summary) => Rc::new(summary),
        Err(_) => ctx.held.summary.clone(),
    };

    let onsubmit = {
        let (ctx, form, failed, reload, key, busy) =
            (ctx.clone(), form.clone(), failed.clone(), reload.clone(), key.clone(), busy.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if *busy {
                return;
            }
            if !local.is_empty() {
                return form.dispatch(Change::Tried);
            }
            let (op, extra) = match &form.editing {
                Some(id) => (Operation::on(Endpoint::EditTemplate, id.clone()), Extra::default()),
                None => {
                    let extra = Extra { idempotency_key: Some((*key).clone()), ..Extra::default() };
                    (Operation::new(Endpoint::CreateTemplate), extra)
                }
            };
            let (form, reload, dispatch, key) = (form.dispatcher(), reload.clone(), ctx.dispatch.clone(), key.clone());
            let line = format!("{}: {}", sw.save_template, new.name);
            busy.set(true);
            let settled = busy.clone();
            act_with::<Done>(&ctx, op, Some(new.clone()), extra, failed.clone(), move |_| {
                settled.set(false);
                key.set(api::idempotency_key());
                form.dispatch(Change::Reset);
                dispatch.emit(Msg::Wrote(line));
                reload.emit(());
            });
        })
    };
    let on_name = {
        let form = form.dispatcher();
        Callback::from(move |name: String| form.dispatch(Change::Name(name)))
    };
    let on_draft = {
        let form = form.dispatcher();
        Callback::from(move |edit: Edit| form.dispatch(Change::Draft(edit)))
    };
    let cancel = {
        let (form, failed) = (form.dispatcher(), failed.clone());
        Callback::from(move |_| {
            failed.set(None);
            form.dispatch(Change::Reset);
        })
    };
    let name_problem = problems.iter().find(|p| p.path == "name").map(|p| AttrValue::from(p.message.clone()));
    let rows = listed.as_ref().cloned().unwrap_or_default().into_iter().map(|t| {
        let edit = {
            let (form, failed, t, components) =
                (form.dispatcher(), failed.clone(), t.clone(), ctx.held.summary.components.clone());
            Callback::from(move |_| {
                failed.set(None);
                form.dispatch(Change::Load(t.id.clone(), t.name.clone(), Draft::of(&t.incident, &components)));
            })
        };
        let ask = {
            let (removing, id) = (removing.clone(), t.id.clone());
            Callback::from(move |_| removing.set(Some(id.clone())))
        };
        let remove = {
            let (ctx, failed, reload, removing, id, name, busy) =
                (ctx.clone(), failed.clone(), reload.clone(), removing.clone(), t.id.clone(), t.name.clone(), busy.clone());
            Callback::from(move |_| {
                if *busy {
                    return;
                }
                busy.set(true);
                let (reload, removing, dispatch, settled) =
                    (reload.clone(), removing.clone(), ctx.dispatch.clone(), busy.clone());
                let line = format!("{}: {name}", ctx.words.remove);
                act::<Done>(&ctx, Operation::on(Endpoint::DeleteTemplate, id.clone()), None::<()>, failed.clone(), move |_| {
                    settled.set(false);
                    removing.set(None);
                    dispatch.emit(Msg::Wrote(line));
                    reload.emit(());
                });
            })
        };
        let impact = match t.incident.impact.map(sitrep_shared::Impact::to_wire) {
            Some("none") => w.impact_none,
            Some("major") => w.impact_major,
            Some("critical") => w.impact_critical,
            _ => w.impact_minor,
        };
        let confirming = removing.as_deref() == Some(t.id.as_str());
        html! {
            <tr key={t.id.clone()}>
                <th scope="row">{t.name.clone()}</th>
                <td>{format!("{} · {impact}", t.incident.name)}</td>
                <td>
                    if may {
                        <button type="button" onclick={edit} aria-label={format!("{} {}", w.edit, t.name)}>{w.edit}</button>
                        {" "}
                        if confirming {
                            <button type="button" class="danger" onclick={remove}
                                aria-label={format!("{} {}", w.confirm_remove, t.name)}>{w.confirm_remove}</button>
                        } else {
                            <button type="button" onclick={ask} aria-label={format!("{} {}", w.remove, t.name)}>{w.remove}</button>
                        }
                    }
                </td>
            </tr>
        }
    });
    let empty = listed.as_ref().is_some_and(Vec::is_empty);
    html! {
        <>
            <h1 id="screen" tabindex="-1">{w.templates}</h1>
            if let Some(failure) = failed.as_ref().filter(|f| f.problems().is_empty()) {
                <p class="error" role="alert">{failure.message()}</p>
            }
            if listed.is_none() && failed.is_none() {
                <p role="status">{w.loading}</p>
            }
            if empty {
                <p>{sw.no_templates}</p>
            }
            if listed.as_ref().is_some_and(|l| !l.is_empty()) {
                <table>
                    <thead><tr><th scope="col">{sw.template_name}</th><th scope="col">{sw.opens}</th>
                        <th scope="col"><span class="sr-only">{w.edit}</span></th></tr></thead>
                    <tbody>{ for rows }</tbody>
                </table>
            }
            if may {
                <section aria-labelledby="template-form-title">
                    <h2 id="template-form-title">{if form.editing.is_some() { w.edit } else { sw.new_template }}</h2>
                    <div class="compose">
                        <form {onsubmit} novalidate=true>
                            <Field id="template-name" label={sw.template_name} value={form.name.clone()} oninput={on_name}
                                required=true error={name_problem} />
                            <IncidentFields key={form.epoch.to_string()} draft={form.draft.clone()} onchange={on_draft} problems={problems.clone()} />
                            if let Some(failure) = failed.as_ref().filter(|f| !f.problems().is_empty()) {
                                <p class="error" role="alert">{failure.message()}</p>
                            }
                            <button type="submit">{sw.save_template}</button>
                            if form.editing.is_some() {
                                {" "}<button type="button" onclick={cancel}>{w.cancel}</button>
                            }
                        </form>
                        <Preview summary={summary} />
                    </div>
                </section>
            }
        </>
    }
}
