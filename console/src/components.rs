//! Components and groups: each component's status set directly outside an incident, adding a
//! component or a group, renaming and describing one (and whether readers see it while it is
//! operational), the order readers see them in, and removing one. Owners only: the edge refuses anyone else.
//!
//! A status and the order are set outright, as the operator sees them, so they carry no
//! `If-Match`: two statuses set a second apart must both land, not the second be refused because
//! the first moved the page's version. (An order naming other components than the page has is
//! refused by the store.) The edit form, which replaces what was read, does carry it.

use std::rc::Rc;

use sitrep_shared::api::{Endpoint, Operation};
use sitrep_shared::command::{ComponentEdit, ComponentOrder, NewComponent, WriteReply};
use sitrep_shared::{Component, ComponentId, ComponentStatus};
use yew::prelude::*;

use crate::api::{self, Extra};
use crate::app::Ctx;
use crate::forms::{self, Choice, Field, problem_for};
use crate::incidents::{Sending, refusal, send};
use crate::overview::component_list;

const SETTABLE: [ComponentStatus; 5] = [
    ComponentStatus::Operational,
    ComponentStatus::DegradedPerformance,
    ComponentStatus::PartialOutage,
    ComponentStatus::MajorOutage,
    ComponentStatus::UnderMaintenance,
];

/// Every id in display order with `id` swapped with its neighbour among its siblings (same group)
/// `up` or down; `None` when it is already first or last there.
pub fn moved(components: &[Component], id: &ComponentId, up: bool) -> Option<Vec<ComponentId>> {
    let me = components.iter().position(|c| c.id == *id)?;
    let group = &components[me].group_id;
    let siblings: Vec<usize> = (0..components.len()).filter(|&n| components[n].group_id == *group).collect();
    let here = siblings.iter().position(|&n| n == me)?;
    let other = if up { siblings.get(here.checked_sub(1)?)? } else { siblings.get(here + 1)? };
    let mut ids: Vec<ComponentId> = components.iter().map(|c| c.id.clone()).collect();
    ids.swap(me, *other);
    Some(ids)
}

#[function_component]
pub fn Components() -> Html {
    let Some(ctx) = use_context::<Ctx>() else { return html! {} };
    let w = ctx.words;
    let sending = use_state(Sending::default);
    let editing = use_state(|| None::<String>);
    let removing = use_state(|| None::<String>);
    let components = Rc::new(ctx.held.summary.components.to_vec());
    if !ctx.me.may(Endpoint::EditComponent) {
        return html! {
            <>
                <h1 id="screen" tabindex="-1">{w.components}</h1>
                {component_list(&ctx, &components)}
            </>
        };
    }
    let status = |c: &Component| {
        let onchange = {
            let (ctx, sending, id) = (ctx.clone(), sending.clone(), c.id.clone());
            Callback::from(move |e: Event| {
                let status = ComponentStatus::from_wire(&forms::chosen(&e));
                let edit = ComponentEdit { status: Some(status), ..ComponentEdit::default() };
                let extra = Extra::default();
                send(
                    &ctx,
                    Operation::on(Endpoint::EditComponent, id.as_str()),
                    Some(edit),
                    extra,
                    sending.clone(),
                    |_: WriteReply| {},
                );
            })
        };
        let id = format!("set-{}", c.id.as_str());
        html! {
            <select id={id} {onchange} disabled={sending.busy} aria-label={format!("{}: {}", w.status, c.name)}>
                { for SETTABLE.iter().map(|s| html! {
                    <option value={s.to_wire()} selected={*s == c.status}>{ctx.text.component(*s)}</option>
                }) }
            </select>
        }
    };
    let row = |c: &Component| {
        let reorder = |up: bool| {
            let ids = moved(&components, &c.id, up);
            let disabled = ids.is_none() || sending.busy;
            let (ctx, sending) = (ctx.clone(), sending.clone());
            let onclick = Callback::from(move |_| {
                if let Some(ids) = ids.clone() {
                    let extra = Extra::default();
                    let op = Operation::new(Endpoint::ReorderComponents);
                    send(&ctx, op, Some(ComponentOrder { ids }), extra, sending.clone(), |_: WriteReply| {});
                }
            });
            let label = if up { w.move_up } else { w.move_down };
            html! { <button type="button" {onclick} {disabled} aria-label={format!("{label}: {}", c.name)}>{label}</button> }
        };
        let edit = {
            let (editing, id) = (editing.clone(), c.id.as_str().to_owned());
            Callback::from(move |_| editing.set(Some(id.clone())))
        };
        // Two presses, as for a template: the store refuses a component an open event lists,
        // and the refusal says which.
        let remove = if removing.as_deref() == Some(c.id.as_str()) {
            let onclick = {
                let (ctx, sending, id) = (ctx.clone(), sending.clone(), c.id.clone());
                Callback::from(move |_| {
                    let op = Operation::on(Endpoint::RemoveComponent, id.as_str());
                    send(&ctx, op, None::<()>, Extra::default(), sending.clone(), |_: WriteReply| {});
                })
            };
            html! {
                <button type="button" class="danger" {onclick} disabled={sending.busy}
                    aria-label={format!("{}: {}", w.confirm_remove, c.name)}>{w.confirm_remove}</button>
            }
        } else {
            let (removing, id) = (removing.clone(), c.id.as_str().to_owned());
            let onclick = Callback::from(move |_| removing.set(Some(id.clone())));
            html! { <button type="button" {onclick} aria-label={format!("{}: {}", w.remove, c.name)}>{w.remove}</button> }
        };
        let kind = if c.group { format!(" ({})", w.group) } else { String::new() };
        html! {
            <li key={c.id.as_str().to_owned()} class={classes!(c.group_id.is_some().then_some("child"))}>
                <span class="name">{c.name.clone()}{kind}</span>{" "}
                if !c.group { {status(c)} }{" "}
                <button type="button" onclick={edit} aria-label={format!("{}: {}", w.edit, c.name)}>{w.edit}</button>
                {" "}{reorder(true)}{" "}{reorder(false)}{" "}{remove}
                if editing.as_deref() == Some(c.id.as_str()) {
                    <EditComponent component={c.clone()} sending={sending.clone()}
                        done={let editing = editing.clone(); Callback::from(move |_| editing.set(None))} />
                }
            </li>
        }
    };
    let top = components.iter().filter(|c| c.group_id.is_none());
    html! {
        <>
            <h1 id="screen" tabindex="-1">{w.components}</h1>
            <ul class="component-admin">
                { for top.map(|c| html! {
                    <>
                        {row(c)}
                        if c.group {
                            <li class="children"><ul>
                                { for components.iter().filter(|k| k.group_id.as_ref() == Some(&c.id)).map(&row) }
                            </ul></li>
                        }
                    </>
                }) }
            </ul>
            {refusal(&sending)}
            <AddComponent components={components.clone()} />
        </>
    }
}

#[derive(Properties, PartialEq)]
struct EditProps {
    component: Component,
    sending: UseStateHandle<Sending>,
    done: Callback<()>,
}

/// A component's name, description and whether readers see it while it is operational.
#[function_component]
fn EditComponent(props: &EditProps) -> Html {
    let Some(ctx) = use_context::<Ctx>() else { return html! {} };
    let w = ctx.words;
    let c = &props.component;
    let name = use_state(|| c.name.clone());
    let description = use_state(|| c.description.clone().unwrap_or_default());
    let hidden = use_state(|| c.only_show_if_degraded);
    let onsubmit = {
        let (ctx, id, name, description, hidden) =
            (ctx.clone(), c.id.clone(), name.clone(), description.clone(), hidden.clone());
        let (sending, done) = (props.sending.clone(), props.done.clone());
        let had_description = c.description.is_some();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let edit = ComponentEdit {
                name: Some((*name).clone()),
                // An empty description stays absent (`null`) rather than becoming "".
                description: (!description.is_empty() || had_description).then(|| (*description).clone()),
                only_show_if_degraded: Some(*hidden),
                status: None,
            };
            let extra = Extra { if_match: Some(ctx.held.version), ..Extra::default() };
            let done = done.clone();
            send(
                &ctx,
                Operation::on(Endpoint::EditComponent, id.as_str()),
                Some(edit),
                extra,
                sending.clone(),
                move |_| done.emit(()),
            );
        })
    };
    let set = crate::forms::set;
    let on_hidden = {
        let hidden = hidden.clone();
        Callback::from(move |e: Event| hidden.set(forms::checked(&e)))
    };
    let cancel = {
        let done = props.done.clone();
        Callback::from(move |_| done.emit(()))
    };
    let problems = props.sending.problems();
    let base = format!("edit-{}", c.id.as_str());
    html! {
        <form class="inline-edit" {onsubmit} novalidate=true aria-label={format!("{}: {}", w.edit, c.name)}>
            <Field id={format!("{base}-name")} label={w.name} value={(*name).clone()} oninput={set(&name)} required=true
                error={problem_for(problems, "name")} />
            <Field id={format!("{base}-description")} label={w.description} value={(*description).clone()}
                oninput={set(&description)} error={problem_for(problems, "description")} />
            <div class="check">
                <input type="checkbox" id={format!("{base}-hidden")} checked={*hidden} onchange={on_hidden} />
                <label for={format!("{base}-hidden")}>{w.only_if_degraded}</label>
            </div>
            <button type="submit" disabled={props.sending.busy}>{w.save}</button>{" "}
            <button type="button" onclick={cancel}>{w.cancel}</button>
        </form>
    }
}

#[derive(Properties, PartialEq)]
struct AddProps {
    components: Rc<Vec<Component>>,
}

/// Adds a component (in a group or not) or a group.
#[function_component]
fn AddComponent(props: &AddProps) -> Html {
    let Some(ctx) = use_context::<Ctx>() else { return html! {} };
    let w = ctx.words;
    let name = use_state(String::new);
    let description = use_state(String::new);
    let group = use_state(String::new);
    let is_group = use_state(|| false);
    let sending = use_state(Sending::default);
    let key = use_state(api::idempotency_key);
    let onsubmit = {
        let (ctx, name, description, group, is_group, sending, key) = (
            ctx.clone(),
            name.clone(),
            description.clone(),
            group.clone(),
            is_group.clone(),
            sending.clone(),
            key.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let new = NewComponent {
                name: (*name).clone(),
                description: (!description.is_empty()).then(|| (*description).clone()),
                status: None,
                group_id: (!*is_group && !group.is_empty()).then(|| ComponentId::from(group.as_str())),
                group: *is_group,
                only_show_if_degraded: false,
            };
            let extra = Extra { idempotency_key: Some((*key).clone()), ..Extra::default() };
            let (name, description, key) = (name.clone(), description.clone(), key.clone());
            send(&ctx, Operation::new(Endpoint::CreateComponent), Some(new), extra, sending.clone(), move |_| {
                name.set(String::new());
                description.set(String::new());
                key.set(api::idempotency_key());
            });
        })
    };
    let set = crate::forms::set;
    let on_group = {
        let is_group = is_group.clone();
        Callback::from(move |e: Event| is_group.set(forms::checked(&e)))
    };
    let mut groups: Vec<(AttrValue, AttrValue)> = vec![("".into(), w.no_group.into())];
    groups.extend(
        props
            .components
            .iter()
            .filter(|c| c.group)
            .map(|c| (AttrValue::from(c.id.as_str().to_owned()), AttrValue::from(c.name.clone()))),
    );
    let problems = sending.problems();
    html! {
        <section aria-labelledby="add-component-title">
            <h2 id="add-component-title">{w.add_component}</h2>
            <form {onsubmit} novalidate=true>
                <Field id="new-component-name" label={w.name} value={(*name).clone()} oninput={set(&name)} required=true
                    error={problem_for(problems, "name")} />
                <Field id="new-component-description" label={w.description} value={(*description).clone()}
                    oninput={set(&description)} error={problem_for(problems, "description")} />
                <div class="check">
                    <input type="checkbox" id="new-component-is-group" checked={*is_group} onchange={on_group} />
                    <label for="new-component-is-group">{w.make_group}</label>
                </div>
                if !*is_group {
                    <Choice id="new-component-group" label={w.group} value={(*group).clone()} options={groups}
                        onchange={set(&group)} error={problem_for(problems, "group_id")} />
                }
                {refusal(&sending)}
                <button type="submit" disabled={sending.busy}>{w.add_component}</button>
            </form>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn component(id: &str, group: Option<&str>) -> Component {
        let mut c: Component = serde_json::from_value(serde_json::json!({
            "id": id, "name": id, "status": "operational", "created_at": "2024-01-01T00:00:00Z",
            "updated_at": "2024-01-01T00:00:00Z", "position": 1, "group": false, "showcase": true,
            "only_show_if_degraded": false, "page_id": "p"
        }))
        .unwrap();
        c.group_id = group.map(ComponentId::from);
        c
    }

    #[test]
    fn a_component_moves_among_its_siblings_only() {
        let list = [component("g", None), component("a", Some("g")), component("x", None), component("b", Some("g"))];
        let ids = |v: Vec<ComponentId>| v.into_iter().map(|c| c.0).collect::<Vec<_>>();
        assert_eq!(ids(moved(&list, &"b".into(), true).unwrap()), ["g", "b", "x", "a"]);
        assert_eq!(ids(moved(&list, &"x".into(), true).unwrap()), ["x", "a", "g", "b"]);
        assert_eq!(moved(&list, &"a".into(), true), None, "first in its group");
        assert_eq!(moved(&list, &"x".into(), false), None, "last at the top level");
        assert_eq!(moved(&list, &"nope".into(), true), None);
    }
}
