//! Subscriptions: every receiver, whether it is paused, its deliveries (each can be sent again),
//! adding one (its secret shown once) and removing one. Owners only: the edge refuses anyone else.

use serde::Deserialize;
use sitrep_shared::api::{Endpoint, Operation};
use sitrep_shared::notify::delivery::{Delivery, DeliveryState};
use sitrep_shared::notify::{Channel, NewSubscription, Subscription, SubscriptionEdit};
use yew::prelude::*;

use crate::api::{self, Done, Extra, Failure};
use crate::app::{Ctx, act, act_with};
use crate::forms::{Choice, Field, problem_for};

/// A delivery state's wire name.
fn state(state: DeliveryState) -> &'static str {
    match state {
        DeliveryState::Sending => "sending",
        DeliveryState::Retrying => "retrying",
        DeliveryState::Delivered => "delivered",
        DeliveryState::Dead => "dead",
    }
}

/// The channel a wire name names (a webhook for anything else).
fn channel_of(name: &str) -> Channel {
    match name {
        "slack" => Channel::Slack,
        "discord" => Channel::Discord,
        _ => Channel::Webhook,
    }
}

/// A channel's wire name.
fn channel(kind: Channel) -> &'static str {
    match kind {
        Channel::Webhook => "webhook",
        Channel::Slack => "slack",
        Channel::Discord => "discord",
    }
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
struct Listed {
    subscriptions: Vec<Subscription>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
struct Created {
    subscription: Subscription,
    /// A webhook's only: chat deliveries are not signed.
    #[serde(default)]
    secret: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
struct Deliveries {
    deliveries: Vec<Delivery>,
}

/// Subscriptions: add one (its signing secret shown this once), pause or resume one, and see a
/// subscription's recent deliveries with a way to send one again.
#[function_component]
pub fn Subscriptions() -> Html {
    let Some(ctx) = use_context::<Ctx>() else { return html! {} };
    let w = ctx.words;
    let sw = crate::settings_words::of(w.tag);
    let listed = use_state(|| None::<Vec<Subscription>>);
    let failed = use_state(|| None::<Failure>);
    let again = use_state(|| 0_u32);
    {
        let (ctx, listed, failed) = (ctx.clone(), listed.clone(), failed.clone());
        use_effect_with((*again, ctx.held.version), move |_| {
            let op = Operation::new(Endpoint::ListSubscriptions);
            act::<Listed>(&ctx, op, None::<()>, failed, move |l| listed.set(Some(l.subscriptions)));
        });
    }
    let reload = {
        let again = again.clone();
        Callback::from(move |_: ()| again.set(*again + 1))
    };
    let removing = use_state(|| None::<String>);
    let rows = listed.as_ref().cloned().unwrap_or_default().into_iter().map(|sub| {
        let paused = sub.paused.is_some();
        let ask = {
            let (removing, id) = (removing.clone(), sub.id.clone());
            Callback::from(move |_| removing.set(Some(id.clone())))
        };
        let remove = {
            let (ctx, failed, reload, removing, id) =
                (ctx.clone(), failed.clone(), reload.clone(), removing.clone(), sub.id.clone());
            Callback::from(move |_| {
                let (reload, removing) = (reload.clone(), removing.clone());
                let op = Operation::on(Endpoint::DeleteSubscription, id.clone());
                act::<Done>(&ctx, op, None::<()>, failed.clone(), move |_| {
                    removing.set(None);
                    reload.emit(());
                });
            })
        };
        let confirming = removing.as_deref() == Some(sub.id.as_str());
        let toggle = {
            let (ctx, failed, reload, id) = (ctx.clone(), failed.clone(), reload.clone(), sub.id.clone());
            Callback::from(move |_| {
                let op = Operation { id: id.clone(), ..Operation::new(Endpoint::EditSubscription) };
                let edit = SubscriptionEdit { paused: Some(!paused), ..SubscriptionEdit::default() };
                let reload = reload.clone();
                act::<Done>(&ctx, op, Some(edit), failed.clone(), move |_| reload.emit(()));
            })
        };
        // Its id too: two receivers on one host read alike once their URLs are redacted.
        let label = format!("{} {} ({})", channel(sub.kind), sub.url, sub.id);
        html! {
            <tr key={sub.id.clone()}>
                <td>{sub.id.clone()}</td>
                <td>{channel(sub.kind)}</td>
                <td>{sub.url.clone()}</td>
                <td>{if paused { sw.paused } else { sw.active }}</td>
                <td>
                    <button type="button" onclick={toggle} aria-label={format!("{} {label}", if paused { sw.resume } else { sw.pause })}>
                        {if paused { sw.resume } else { sw.pause }}
                    </button>
                    <DeliveryList id={AttrValue::from(sub.id.clone())} label={AttrValue::from(label.clone())} />
                    {" "}
                    if confirming {
                        <button type="button" class="danger" onclick={remove}
                            aria-label={format!("{} {label}", w.confirm_remove)}>{w.confirm_remove}</button>
                    } else {
                        <button type="button" onclick={ask} aria-label={format!("{} {label}", w.remove)}>{w.remove}</button>
                    }
                </td>
            </tr>
        }
    });
    html! {
        <>
            <h1 id="screen" tabindex="-1">{w.subscriptions}</h1>
            if let Some(failure) = &*failed {
                <p class="error" role="alert">{failure.message()}</p>
            }
            if ctx.me.may(Endpoint::CreateSubscription) {
                <AddSubscription on_added={reload.clone()} />
            }
            if listed.is_none() && failed.is_none() {
                <p role="status">{w.loading}</p>
            }
            if listed.is_some() {
                <table>
                    <thead><tr><th scope="col">{sw.id}</th><th scope="col">{sw.kind}</th><th scope="col">{sw.url}</th>
                        <th scope="col">{w.status}</th><th scope="col"><span class="sr-only">{sw.deliveries}</span></th></tr></thead>
                    <tbody>{ for rows }</tbody>
                </table>
            }
        </>
    }
}

#[derive(Properties, PartialEq)]
struct AddProps {
    on_added: Callback<()>,
}

#[function_component]
fn AddSubscription(props: &AddProps) -> Html {
    let Some(ctx) = use_context::<Ctx>() else { return html! {} };
    let w = ctx.words;
    let sw = crate::settings_words::of(w.tag);
    let kind = use_state(|| "webhook".to_owned());
    let url = use_state(String::new);
    let secret = use_state(|| None::<String>);
    let failed = use_state(|| None::<Failure>);
    // One key for this subscription and its retries: a retry after a lost answer adds nothing twice
    // and is answered with the same secret.
    let key = use_state(api::idempotency_key);
    let onsubmit = {
        let (ctx, kind, url, secret, failed, done, key) = (
            ctx.clone(),
            kind.clone(),
            url.clone(),
            secret.clone(),
            failed.clone(),
            props.on_added.clone(),
            key.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let body =
                NewSubscription { kind: channel_of(&kind), url: (*url).clone(), components: vec![], events: vec![] };
            let (secret, done, key) = (secret.clone(), done.clone(), key.clone());
            let extra = Extra { idempotency_key: Some((*key).clone()), ..Extra::default() };
            let op = Operation::new(Endpoint::CreateSubscription);
            act_with::<Created>(&ctx, op, Some(body), extra, failed.clone(), move |c| {
                key.set(api::idempotency_key());
                secret.set(c.secret.map(|s| format!("{s} ({})", c.subscription.id)));
                done.emit(());
            });
        })
    };
    let set = crate::forms::set;
    let problems = failed.as_ref().map(|f| f.problems().to_vec()).unwrap_or_default();
    let kinds: Vec<(AttrValue, AttrValue)> =
        ["webhook", "slack", "discord"].iter().map(|k| (AttrValue::from(*k), AttrValue::from(*k))).collect();
    html! {
        <section aria-labelledby="add-subscription-title">
            <h2 id="add-subscription-title">{sw.add_subscription}</h2>
            <form {onsubmit} novalidate=true>
                <Choice id="sub-kind" label={sw.kind} value={(*kind).clone()} options={kinds} onchange={set(&kind)} />
                <Field id="sub-url" label={sw.url} kind="url" value={(*url).clone()} oninput={set(&url)} required=true
                    error={problem_for(&problems, "url")} />
                if let Some(failure) = failed.as_ref().filter(|f| f.problems().is_empty()) {
                    <p class="error" role="alert">{failure.message()}</p>
                }
                <button type="submit">{sw.add_subscription}</button>
            </form>
            if let Some(secret) = &*secret {
                <div class="field">
                    <label for="sub-secret">{sw.secret_once}</label>
                    <input id="sub-secret" readonly=true value={secret.clone()} />
                </div>
            }
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct DeliveryProps {
    id: AttrValue,
    label: AttrValue,
}

/// A subscription's recent deliveries, opened on demand, each with "Replay".
#[function_component]
fn DeliveryList(props: &DeliveryProps) -> Html {
    let Some(ctx) = use_context::<Ctx>() else { return html! {} };
    let w = ctx.words;
    let sw = crate::settings_words::of(w.tag);
    let open = use_state(|| false);
    let list = use_state(|| None::<Vec<Delivery>>);
    let failed = use_state(|| None::<Failure>);
    let again = use_state(|| 0_u32);
    {
        let (ctx, list, failed, id, open) = (ctx.clone(), list.clone(), failed.clone(), props.id.clone(), *open);
        use_effect_with((open, *again), move |_| {
            if open {
                let op = Operation { id: id.to_string(), ..Operation::new(Endpoint::ListDeliveries) };
                act::<Deliveries>(&ctx, op, None::<()>, failed, move |d| list.set(Some(d.deliveries)));
            }
        });
    }
    let toggle = {
        let open = open.clone();
        Callback::from(move |_| open.set(!*open))
    };
    let region = format!("deliveries-{}", props.id);
    html! {
        <>
            {" "}
            <button type="button" aria-expanded={if *open { "true" } else { "false" }} aria-controls={region.clone()}
                onclick={toggle} aria-label={format!("{}: {}", sw.deliveries, props.label)}>{sw.deliveries}</button>
            if *open {
                <div id={region}>
                    if let Some(failure) = &*failed {
                        <p class="error" role="alert">{failure.message()}</p>
                    }
                    <ul class="deliveries">
                        { for list.as_ref().cloned().unwrap_or_default().into_iter().map(|d| {
                            let replay = {
                                let (ctx, failed, again, sub, event) =
                                    (ctx.clone(), failed.clone(), again.clone(), props.id.to_string(), d.id.clone());
                                Callback::from(move |_| {
                                    let op = Operation { id: sub.clone(), delivery: event.clone(), ..Operation::new(Endpoint::ReplayDelivery) };
                                    let again = again.clone();
                                    act::<Done>(&ctx, op, None::<()>, failed.clone(), move |_| again.set(*again + 1));
                                })
                            };
                            html! {
                                <li key={d.id.clone()}>
                                    <code>{d.kind.as_str()}</code>
                                    {" · "}{sw.state}{": "}{state(d.state)}
                                    {" · "}{sw.tries}{": "}{d.attempts}
                                    {" · "}{sw.last_answer}{": "}{d.last_result.clone().unwrap_or_default()}
                                    {" · "}<time>{ctx.formats.date_time(d.last_try_at)}</time>{" "}
                                    <button type="button" onclick={replay} aria-label={format!("{} {} {}", sw.replay, d.kind.as_str(), d.id)}>{sw.replay}</button>
                                </li>
                            }
                        }) }
                    </ul>
                </div>
            }
        </>
    }
}
