//! Operators: who may run the page, with what role; inviting someone (the single-use sign-in link
//! is shown here once), changing a role, revoking someone (every session and token of theirs ends).
//! Owners only: the edge refuses anyone else, and this screen says so in the edge's words.

use serde::Deserialize;
use sitrep_shared::Timestamp;
use sitrep_shared::access::{NewOperator, Operator, OperatorEdit, Role};
use sitrep_shared::api::{Endpoint, Operation};
use yew::prelude::*;

use crate::api::{Done, Failure};
use crate::app::{Ctx, act};
use crate::forms::{Choice, Field, problem_for};

#[derive(Clone, Debug, PartialEq, Deserialize)]
struct Listed {
    operators: Vec<Operator>,
    #[serde(default)]
    log: Vec<AccountEntry>,
}

/// One line of the account log (invitations, role changes, revocations).
#[derive(Clone, Debug, PartialEq, Deserialize)]
struct AccountEntry {
    at: Timestamp,
    by: String,
    summary: String,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
struct Invited {
    link: String,
}

fn roles() -> Vec<(AttrValue, AttrValue)> {
    [Role::Viewer, Role::Editor, Role::Owner].iter().map(|r| (r.as_str().into(), r.as_str().into())).collect()
}

#[function_component]
pub fn Operators() -> Html {
    let Some(ctx) = use_context::<Ctx>() else { return html! {} };
    let w = ctx.words;
    let sw = crate::settings_words::of(w.tag);
    let listed = use_state(|| None::<Listed>);
    let failed = use_state(|| None::<Failure>);
    let again = use_state(|| 0_u32);
    {
        let (ctx, listed, failed) = (ctx.clone(), listed.clone(), failed.clone());
        use_effect_with(*again, move |_| {
            act::<Listed>(&ctx, Operation::new(Endpoint::ListOperators), None::<()>, failed, move |l| {
                listed.set(Some(l))
            });
        });
    }
    let reload = {
        let again = again.clone();
        Callback::from(move |_: ()| again.set(*again + 1))
    };
    let rows = listed.as_ref().map(|l| l.operators.clone()).unwrap_or_default().into_iter().map(|op| {
        let label = if op.name.is_empty() { op.email.clone() } else { op.name.clone() };
        let set_role = {
            let (ctx, failed, reload, id) = (ctx.clone(), failed.clone(), reload.clone(), op.id.clone());
            Callback::from(move |value: String| {
                let edit = OperatorEdit { role: Role::parse(&value), ..OperatorEdit::default() };
                let op = Operation { id: id.clone(), ..Operation::new(Endpoint::EditOperator) };
                let reload = reload.clone();
                act::<Done>(&ctx, op, Some(edit), failed.clone(), move |_| reload.emit(()));
            })
        };
        let revoke = {
            let (ctx, failed, reload, id) = (ctx.clone(), failed.clone(), reload.clone(), op.id.clone());
            Callback::from(move |_| {
                let op = Operation { id: id.clone(), ..Operation::new(Endpoint::RevokeOperator) };
                let reload = reload.clone();
                act::<Done>(&ctx, op, None::<()>, failed.clone(), move |_| reload.emit(()));
            })
        };
        let revoked = op.revoked_at.is_some();
        html! {
            <tr>
                <td>{label.clone()}</td>
                <td>{op.email.clone()}</td>
                <td>
                    if revoked {
                        {sw.revoked}
                    } else {
                        <Choice id={format!("role-{}", op.id)} label={format!("{} ({label})", sw.role)}
                            value={op.role.as_str()} options={roles()} onchange={set_role} />
                        // Roles on particular pages stay when the deployment role changes: say so.
                        if !op.pages.is_empty() {
                            <p class="quiet">{sitrep_shared::access::roles_label(op.role, &op.pages)}</p>
                        }
                    }
                </td>
                <td>
                    if !revoked {
                        <button type="button" onclick={revoke} aria-label={format!("{} {label}", sw.revoke)}>{sw.revoke}</button>
                        <Sessions id={AttrValue::from(op.id.clone())} label={AttrValue::from(label.clone())} />
                    }
                </td>
            </tr>
        }
    });
    let log = listed.as_ref().map(|l| l.log.clone()).unwrap_or_default();
    html! {
        <>
            <h1 id="screen" tabindex="-1">{w.operators}</h1>
            if let Some(failure) = &*failed {
                <p class="error" role="alert">{failure.message()}</p>
            }
            if ctx.me.may(Endpoint::InviteOperator) {
                <Invite on_invited={reload.clone()} />
            }
            if listed.is_some() {
                <table>
                    <thead><tr><th scope="col">{w.name}</th><th scope="col">{sw.email}</th><th scope="col">{sw.role}</th><th scope="col"><span class="sr-only">{sw.revoke}</span></th></tr></thead>
                    <tbody>{ for rows }</tbody>
                </table>
                <ul class="account-log">
                    { for log.iter().map(|e| html! {
                        <li><time>{ctx.formats.date_time(e.at)}</time>{" · "}{e.by.clone()}{" · "}{e.summary.clone()}</li>
                    }) }
                </ul>
            }
        </>
    }
}

#[derive(Properties, PartialEq)]
struct InviteProps {
    on_invited: Callback<()>,
}

#[function_component]
fn Invite(props: &InviteProps) -> Html {
    let Some(ctx) = use_context::<Ctx>() else { return html! {} };
    let w = ctx.words;
    let sw = crate::settings_words::of(w.tag);
    let email = use_state(String::new);
    let name = use_state(String::new);
    let role = use_state(|| "editor".to_owned());
    let link = use_state(|| None::<String>);
    let failed = use_state(|| None::<Failure>);
    let onsubmit = {
        let (ctx, email, name, role, link, failed) =
            (ctx.clone(), email.clone(), name.clone(), role.clone(), link.clone(), failed.clone());
        let done = props.on_invited.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let body = NewOperator {
                email: (*email).clone(),
                role: Role::parse(&role).unwrap_or(Role::Viewer),
                name: (*name).clone(),
            };
            let (link, done) = (link.clone(), done.clone());
            act::<Invited>(&ctx, Operation::new(Endpoint::InviteOperator), Some(body), failed.clone(), move |i| {
                link.set(Some(i.link));
                done.emit(());
            });
        })
    };
    let set = crate::forms::set;
    let problems = failed.as_ref().map(|f| f.problems().to_vec()).unwrap_or_default();
    html! {
        <section aria-labelledby="invite-title">
            <h2 id="invite-title">{sw.invite}</h2>
            <form {onsubmit} novalidate=true>
                <Field id="invite-email" label={sw.email} kind="email" value={(*email).clone()} oninput={set(&email)}
                    required=true error={problem_for(&problems, "email")} />
                <Field id="invite-name" label={w.name} value={(*name).clone()} oninput={set(&name)}
                    error={problem_for(&problems, "name")} />
                <Choice id="invite-role" label={sw.role} value={(*role).clone()} options={roles()} onchange={set(&role)} />
                if let Some(failure) = &*failed {
                    <p class="error" role="alert">{failure.message()}</p>
                }
                <button type="submit">{sw.invite}</button>
            </form>
            if let Some(link) = &*link {
                <div class="field">
                    <label for="invite-link">{sw.sign_in_link}</label>
                    <input id="invite-link" readonly=true value={link.clone()} />
                </div>
            }
        </section>
    }
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
struct SessionList {
    sessions: Vec<SessionRow>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
struct SessionRow {
    id: String,
    created_at: Timestamp,
    last_used: Timestamp,
    #[serde(default)]
    user_agent: String,
}

#[derive(Properties, PartialEq)]
struct SessionsProps {
    id: AttrValue,
    label: AttrValue,
}

/// An operator's signed-in browsers, opened on demand, each of which can be signed out.
#[function_component]
fn Sessions(props: &SessionsProps) -> Html {
    let Some(ctx) = use_context::<Ctx>() else { return html! {} };
    let w = ctx.words;
    let sw = crate::settings_words::of(w.tag);
    let open = use_state(|| false);
    let list = use_state(|| None::<Vec<SessionRow>>);
    let failed = use_state(|| None::<Failure>);
    let again = use_state(|| 0_u32);
    {
        let (ctx, list, failed, id, open) = (ctx.clone(), list.clone(), failed.clone(), props.id.clone(), *open);
        use_effect_with((open, *again), move |_| {
            if open {
                let op = Operation { id: id.to_string(), ..Operation::new(Endpoint::ListSessions) };
                act::<SessionList>(&ctx, op, None::<()>, failed, move |l| list.set(Some(l.sessions)));
            }
        });
    }
    let toggle = {
        let open = open.clone();
        Callback::from(move |_| open.set(!*open))
    };
    let region = format!("sessions-{}", props.id);
    html! {
        <>
            {" "}
            <button type="button" aria-expanded={if *open { "true" } else { "false" }} aria-controls={region.clone()}
                onclick={toggle} aria-label={format!("{}: {}", sw.sessions, props.label)}>{sw.sessions}</button>
            if *open {
                <div id={region}>
                    if let Some(failure) = &*failed {
                        <p class="error" role="alert">{failure.message()}</p>
                    }
                    <ul>
                        { for list.as_ref().cloned().unwrap_or_default().into_iter().map(|session| {
                            let end = {
                                let (ctx, failed, again, id) = (ctx.clone(), failed.clone(), again.clone(), session.id.clone());
                                Callback::from(move |_| {
                                    let op = Operation { id: id.clone(), ..Operation::new(Endpoint::RevokeSession) };
                                    let again = again.clone();
                                    act::<Done>(&ctx, op, None::<()>, failed.clone(), move |_| again.set(*again + 1));
                                })
                            };
                            let agent: String = session.user_agent.chars().take(80).collect();
                            html! {
                                <li key={session.id.clone()}>
                                    {agent}{" · "}{sw.last_used}{": "}<time>{ctx.formats.date_time(session.last_used)}</time>
                                    {" · "}<time>{ctx.formats.date_time(session.created_at)}</time>{" "}
                                    <button type="button" onclick={end} aria-label={format!("{} {}", sw.sign_out, session.id)}>{sw.sign_out}</button>
                                </li>
                            }
                        }) }
                    </ul>
                </div>
            }
        </>
    }
}
