//! Components (their statuses, set directly outside an incident) and subscriptions (every
//! receiver, and whether it is paused). Owners only: the edge refuses anyone else.

use serde::Deserialize;
use sitrep_shared::ComponentStatus;
use sitrep_shared::api::{Endpoint, Operation};
use sitrep_shared::command::{ComponentEdit, WriteReply};
use sitrep_shared::notify::Subscription;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

use crate::api::{self, Extra, Failure};
use crate::app::Ctx;
use crate::incidents::{Sending, refusal, send};
use crate::model::Msg;
use crate::overview::component_list;

#[function_component]
pub fn Components() -> Html {
    let Some(ctx) = use_context::<Ctx>() else { return html! {} };
    let w = ctx.words;
    let sending = use_state(Sending::default);
    let components = ctx.held.summary.components.to_vec();
    let may = ctx.me.may(Endpoint::EditComponent);
    let controls = components.iter().filter(|c| !c.group).map(|c| {
        let onchange = {
            let (ctx, sending, id) = (ctx.clone(), sending.clone(), c.id.clone());
            Callback::from(move |e: Event| {
                let status = ComponentStatus::from_wire(&crate::forms::chosen(&e));
                let edit = ComponentEdit { status: Some(status), ..ComponentEdit::default() };
                let op = Operation { id: id.as_str().to_owned(), ..Operation::new(Endpoint::EditComponent) };
                let extra = Extra { if_match: Some(ctx.held.version), ..Extra::default() };
                send(&ctx, op, Some(edit), extra, sending.clone(), |_: WriteReply| {});
            })
        };
        let id = format!("set-{}", c.id.as_str());
        html! {
            <div class="field inline">
                <label for={id.clone()}>{c.name.clone()}</label>
                <select id={id} {onchange} disabled={sending.busy}>
                    { for [ComponentStatus::Operational, ComponentStatus::DegradedPerformance, ComponentStatus::PartialOutage,
                            ComponentStatus::MajorOutage, ComponentStatus::UnderMaintenance].iter().map(|s| html! {
                        <option value={s.to_wire()} selected={*s == c.status}>{ctx.text.component(*s)}</option>
                    }) }
                </select>
            </div>
        }
    });
    html! {
        <>
            <h1 id="screen" tabindex="-1">{w.components}</h1>
            if may {
                <form aria-label={w.components} onsubmit={Callback::from(|e: SubmitEvent| e.prevent_default())}>
                    { for controls }
                    {refusal(&sending)}
                </form>
            } else {
                {component_list(&ctx, &components)}
            }
        </>
    }
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
struct Listed {
    subscriptions: Vec<Subscription>,
}

#[function_component]
pub fn Subscriptions() -> Html {
    let Some(ctx) = use_context::<Ctx>() else { return html! {} };
    let w = ctx.words;
    let listed = use_state(|| None::<Result<Vec<Subscription>, String>>);
    {
        let (listed, dispatch) = (listed.clone(), ctx.dispatch.clone());
        use_effect_with(ctx.held.version, move |_| {
            spawn_local(async move {
                let op = Operation::new(Endpoint::ListSubscriptions);
                match api::call::<Listed>(&op, None::<&()>, None).await {
                    Ok(l) => listed.set(Some(Ok(l.subscriptions))),
                    Err(Failure::SignedOut(why)) => dispatch.emit(Msg::SignedOut(why)),
                    Err(failure) => listed.set(Some(Err(failure.message()))),
                }
            });
        });
    }
    let body = match &*listed {
        None => html! { <p role="status">{w.loading}</p> },
        Some(Err(why)) => html! { <p role="alert">{why.clone()}</p> },
        Some(Ok(list)) => html! {
            <table>
                <thead><tr><th scope="col">{w.id}</th><th scope="col">{w.url}</th><th scope="col">{w.status}</th></tr></thead>
                <tbody>
                    { for list.iter().map(|s| html! {
                        <tr>
                            <td>{s.id.clone()}</td>
                            <td>{s.url.clone()}</td>
                            <td>{if s.paused.is_some() { w.paused } else { w.active }}</td>
                        </tr>
                    }) }
                </tbody>
            </table>
        },
    };
    html! {
        <>
            <h1 id="screen" tabindex="-1">{w.subscriptions}</h1>
            {body}
        </>
    }
}
