//! Pages: the deployment's pages, each with its own store and hostnames. Adding one, removing one
//! (two presses: its store is emptied for good), and a private page's readers: reader links, shown
//! once, revoked all together, and the emails and @domains Cloudflare Access lets in. The same
//! calls as `sitrep page …`; the edge decides who may make each (the deployment's owners add and
//! remove pages, a page's owners its links and readers), this screen only hides what it refuses.

use std::rc::Rc;

use serde::Deserialize;
use sitrep_shared::Timestamp;
use sitrep_shared::api::{Endpoint, Operation};
use sitrep_shared::host::{Audience, DEFAULT_PAGE, NewPage, NewReaderLink, PageReaders};
use sitrep_shared::limits::READER_LINK_DAYS;
use sitrep_shared::problem::{Problem, ProblemCode};
use yew::prelude::*;

use crate::api::{Done, Failure};
use crate::app::{Ctx, act_once, focus};
use crate::forms::{Choice, Field, problem_for, set};
use crate::model::Msg;
use crate::switcher::PageLink;

/// `POST pages/{id}/links`: the link, shown this once, and when it stops.
#[derive(Clone, Debug, PartialEq, Deserialize)]
struct Made {
    link: String,
    expires_at: Timestamp,
}

/// Emails, @domains or hostnames as an operator types them: one per line, or split by commas or
/// spaces; blanks dropped. The edge checks each and names the one it refuses.
fn listed(text: &str) -> Vec<String> {
    text.split(|c: char| c == ',' || c.is_whitespace()).filter(|s| !s.is_empty()).map(str::to_owned).collect()
}

/// The console's own address for page `id` (the switcher's form, as a link).
fn console_of(id: &str) -> String {
    format!("/admin/?page={id}")
}

/// Focus follows a two-press confirmation: to its second button (`confirm`) when it is asked,
/// back to the first (`ask`) when it is cancelled. `asked` names what is being confirmed.
#[hook]
fn use_confirm_focus(asked: Option<String>, ask: fn(&str) -> String, confirm: fn(&str) -> String) {
    let last = use_mut_ref(|| None::<String>);
    use_effect_with(asked, move |asked| {
        let before = last.replace(asked.clone());
        match (asked, before) {
            (Some(now), _) => focus(&confirm(now)),
            (None, Some(was)) => focus(&ask(&was)),
            (None, None) => {}
        }
    });
}

/// After a refusal that says the list is out of date (a page removed or changed by someone else),
/// the list is read again.
#[hook]
fn use_reload_on_stale(failed: &UseStateHandle<Option<Failure>>, reload: Callback<()>) {
    use_effect_with((**failed).clone(), move |failed| {
        if matches!(failed, Some(Failure::Refused { status: 404 | 409, .. })) {
            reload.emit(());
        }
    });
}

#[function_component]
pub fn Pages() -> Html {
    let Some(ctx) = use_context::<Ctx>() else { return html! {} };
    let w = ctx.words;
    let sw = crate::settings_words::of(w.tag);
    let failed = use_state(|| None::<Failure>);
    let busy = use_state(|| false);
    let removing = use_state(|| None::<String>);
    // Read again on opening: another operator (or the CLI) may have changed the pages since.
    {
        let reload = ctx.reload_pages.clone();
        use_effect_with((), move |_| reload.emit(()));
    }
    use_reload_on_stale(&failed, ctx.reload_pages.clone());
    use_confirm_focus((*removing).clone(), |id| format!("remove-{id}"), |id| format!("remove-{id}-confirm"));
    let origin = web_sys::window().and_then(|w| w.location().origin().ok()).unwrap_or_default();
    let may_remove = ctx.me.may(Endpoint::RemovePage);

    let audience = |audience: Audience| match audience {
        Audience::Public => sw.anyone,
        Audience::Private => sw.private_page,
    };
    let row = |p: &PageLink| {
        let confirming = removing.as_deref() == Some(p.id.as_str());
        let remove = if confirming {
            let (ctx, failed, sending, asked, id) =
                (ctx.clone(), failed.clone(), busy.clone(), removing.clone(), p.id.clone());
            let onclick = Callback::from(move |_| {
                let (reload, dispatch, asked) = (ctx.reload_pages.clone(), ctx.dispatch.clone(), asked.clone());
                let line = format!("{}: {id}", ctx.words.remove);
                // The page the console works on is gone with it: back to the default page, by its
                // id (on the removed page's own hostname, `/admin/` alone would load nothing new).
                let current = ctx.me.page == id;
                let op = Operation::on(Endpoint::RemovePage, id.as_str());
                act_once::<Done>(&ctx, op, None::<()>, sending.clone(), failed.clone(), move |_| {
                    if current && let Some(location) = web_sys::window().map(|w| w.location()) {
                        let route = crate::model::Route::Pages;
                        let _ = location.assign(&format!("{}?page={DEFAULT_PAGE}{}", route.document(), route.href()));
                        return;
                    }
                    asked.set(None);
                    dispatch.emit(Msg::Wrote(line));
                    reload.emit(());
                });
            });
            let keep = {
                let removing = removing.clone();
                Callback::from(move |_| removing.set(None))
            };
            html! {
                <>
                    <p class="note" id={format!("remove-{}-warning", p.id)}>{sw.remove_page_warning}</p>
                    <button type="button" class="danger" id={format!("remove-{}-confirm", p.id)} {onclick}
                        disabled={*busy} aria-describedby={format!("remove-{}-warning", p.id)}
                        aria-label={format!("{}: {}", w.confirm_remove, p.name)}>{w.confirm_remove}</button>{" "}
                    <button type="button" onclick={keep} aria-label={format!("{}: {}", w.cancel, p.name)}>{w.cancel}</button>
                </>
            }
        } else if may_remove {
            let (removing, id) = (removing.clone(), p.id.clone());
            let onclick = Callback::from(move |_| removing.set(Some(id.clone())));
            html! {
                <button type="button" id={format!("remove-{}", p.id)} {onclick}
                    aria-label={format!("{}: {}", w.remove, p.name)}>{w.remove}</button>
            }
        } else {
            html! {}
        };
        let here = ctx.me.page == p.id;
        html! {
            <tr key={p.id.clone()}>
                <th scope="row">{p.name.clone()}{" "}<code>{p.id.clone()}</code></th>
                <td><ul class="hosts">
                    { for p.hosts.iter().map(|h| {
                        let href = sitrep_shared::host::page_origin(&origin, h);
                        html! { <li><a href={href}>{h.clone()}</a></li> }
                    }) }
                </ul></td>
                <td>{audience(p.audience)}</td>
                <td>
                    if !here {
                        <a href={console_of(&p.id)} aria-label={format!("{}: {}", w.open_page, p.name)}>{w.open_page}</a>{" "}
                    }
                    {remove}
                </td>
            </tr>
        }
    };
    html! {
        <>
            <h1 id="screen" tabindex="-1">{w.pages_nav}</h1>
            <p>{sw.pages_intro}</p>
            if let Some(trouble) = &ctx.pages_trouble {
                <p class="error" role="alert">{trouble.clone()}</p>
            }
            if let Some(failure) = &*failed {
                <p class="error" role="alert">{failure.message()}</p>
            }
            <table>
                <thead><tr>
                    <th scope="col">{w.name}</th><th scope="col">{sw.hostnames}</th>
                    <th scope="col">{sw.audience}</th><th scope="col"><span class="sr-only">{w.open_page}</span></th>
                </tr></thead>
                <tbody>
                    <tr key={DEFAULT_PAGE}>
                        <th scope="row">{w.default_page}{" "}<code>{DEFAULT_PAGE}</code></th>
                        <td>{sw.every_other_host}</td>
                        <td>{sw.anyone}</td>
                        <td>
                            if ctx.me.page != DEFAULT_PAGE {
                                <a href={console_of(DEFAULT_PAGE)} aria-label={format!("{}: {}", w.open_page, w.default_page)}>{w.open_page}</a>
                            }
                        </td>
                    </tr>
                    { for ctx.pages.iter().map(row) }
                </tbody>
            </table>
            { for ctx.pages.iter().filter(|p| p.audience == Audience::Private).map(|p| html! {
                <Readers key={p.id.clone()} page={Rc::new(p.clone())} />
            }) }
            if ctx.me.may(Endpoint::AddPage) {
                <AddPage />
            }
        </>
    }
}

#[function_component]
fn AddPage() -> Html {
    let Some(ctx) = use_context::<Ctx>() else { return html! {} };
    let w = ctx.words;
    let sw = crate::settings_words::of(w.tag);
    let id = use_state(String::new);
    let name = use_state(String::new);
    let hosts = use_state(String::new);
    let audience = use_state(|| "public".to_owned());
    let readers = use_state(String::new);
    let failed = use_state(|| None::<Failure>);
    let busy = use_state(|| false);
    let private = *audience == "private";
    let onsubmit = {
        let (ctx, id, name, hosts, readers, failed, busy, audience) = (
            ctx.clone(),
            id.clone(),
            name.clone(),
            hosts.clone(),
            readers.clone(),
            failed.clone(),
            busy.clone(),
            audience.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let body = NewPage {
                id: id.trim().to_owned(),
                name: name.trim().to_owned(),
                hosts: listed(&hosts),
                audience: if private { Audience::Private } else { Audience::Public },
                readers: if private { listed(&readers) } else { Vec::new() },
            };
            let line = format!("{}: {}", sw.add_page, body.id);
            let (reload, dispatch) = (ctx.reload_pages.clone(), ctx.dispatch.clone());
            let cleared = [id.clone(), name.clone(), hosts.clone(), readers.clone()];
            let audience = audience.clone();
            act_once::<Done>(
                &ctx,
                Operation::new(Endpoint::AddPage),
                Some(body),
                busy.clone(),
                failed.clone(),
                move |_| {
                    for field in cleared {
                        field.set(String::new());
                    }
                    audience.set("public".to_owned());
                    dispatch.emit(Msg::Wrote(line));
                    reload.emit(());
                },
            );
        })
    };
    let problems = failed.as_ref().map(|f| f.problems().to_vec()).unwrap_or_default();
    let audiences = vec![("public".into(), sw.anyone.into()), ("private".into(), sw.private_page.into())];
    html! {
        <section aria-labelledby="add-page-title">
            <h2 id="add-page-title">{sw.add_page}</h2>
            <form {onsubmit} novalidate=true>
                <Field id="page-id" label={sw.id} value={(*id).clone()} oninput={set(&id)} required=true
                    error={problem_for(&problems, "id")} />
                <Field id="page-name" label={w.name} value={(*name).clone()} oninput={set(&name)} required=true
                    error={problem_for(&problems, "name")} />
                <Field id="page-hosts" label={sw.hostnames_one_a_line} value={(*hosts).clone()} oninput={set(&hosts)}
                    multiline=true required=true error={problem_for(&problems, "hosts")} />
                <Choice id="page-audience" label={sw.audience} value={(*audience).clone()} options={audiences}
                    onchange={set(&audience)} />
                if private {
                    <Field id="page-readers" label={sw.access_readers} value={(*readers).clone()} oninput={set(&readers)}
                        multiline=true error={problem_for(&problems, "readers")} />
                }
                // A refusal named beside its fields is not said twice.
                if let Some(failure) = failed.as_ref().filter(|f| f.problems().is_empty()) {
                    <p class="error" role="alert">{failure.message()}</p>
                }
                <button type="submit" disabled={*busy}>{sw.add_page}</button>
            </form>
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct ReadersProps {
    page: Rc<PageLink>,
}

/// A private page's readers: a reader link made (and shown this once), every link revoked, and
/// the emails and @domains Cloudflare Access lets in.
#[function_component]
fn Readers(props: &ReadersProps) -> Html {
    let Some(ctx) = use_context::<Ctx>() else { return html! {} };
    let w = ctx.words;
    let sw = crate::settings_words::of(w.tag);
    let page = &props.page;
    let days = use_state(|| "30".to_owned());
    let made = use_state(|| None::<Made>);
    let revoking = use_state(|| false);
    let readers = use_state(|| page.readers.join("\n"));
    let failed = use_state(|| None::<Failure>);
    let busy = use_state(|| false);
    use_reload_on_stale(&failed, ctx.reload_pages.clone());
    {
        let prefix = format!("page-{}", page.id);
        let asked = (*revoking).then_some(prefix);
        use_confirm_focus(asked, |p| format!("{p}-revoke"), |p| format!("{p}-revoke-confirm"));
    }
    // Another operator's change to the readers shows once the list is read again.
    {
        let readers = readers.clone();
        use_effect_with(page.readers.clone(), move |now| readers.set(now.join("\n")));
    }
    if !ctx.me.may_on(Endpoint::CreateReaderLink, &page.id) {
        return html! {};
    }
    let make = {
        let (ctx, days, made, failed, busy, id) =
            (ctx.clone(), days.clone(), made.clone(), failed.clone(), busy.clone(), page.id.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            // Empty: the edge's default (30 days). Anything but a whole number is refused here: a
            // link is a credential, and none is made for a lifetime nobody asked for.
            let days = match days.trim() {
                "" => None,
                typed => match typed.parse::<u32>() {
                    Ok(days) => Some(days),
                    Err(_) => {
                        let message = sw.days_rule.replace("{max}", &READER_LINK_DAYS.to_string());
                        let problem = Problem { path: "days".into(), code: ProblemCode::Invalid, message };
                        let message = problem.message.clone();
                        failed.set(Some(Failure::Refused { status: 400, message, problems: vec![problem] }));
                        return;
                    }
                },
            };
            let body = NewReaderLink { days };
            let (made, dispatch) = (made.clone(), ctx.dispatch.clone());
            let line = format!("{}: {id}", sw.make_link);
            let op = Operation::on(Endpoint::CreateReaderLink, id.as_str());
            act_once::<Made>(&ctx, op, Some(body), busy.clone(), failed.clone(), move |m| {
                made.set(Some(m));
                dispatch.emit(Msg::Wrote(line));
            });
        })
    };
    let revoke = if *revoking {
        let (ctx, made, asked, failed, sending, id) =
            (ctx.clone(), made.clone(), revoking.clone(), failed.clone(), busy.clone(), page.id.clone());
        let onclick = Callback::from(move |_| {
            let (made, revoking, dispatch) = (made.clone(), asked.clone(), ctx.dispatch.clone());
            let line = format!("{}: {id}", sw.revoke_links);
            let op = Operation::on(Endpoint::RevokeReaderLinks, id.as_str());
            act_once::<Done>(&ctx, op, None::<()>, sending.clone(), failed.clone(), move |_| {
                made.set(None);
                revoking.set(false);
                dispatch.emit(Msg::Wrote(line));
            });
        });
        let keep = {
            let revoking = revoking.clone();
            Callback::from(move |_| revoking.set(false))
        };
        html! {
            <>
                <button type="button" class="danger" id={format!("page-{}-revoke-confirm", page.id)} {onclick}
                    disabled={*busy} aria-label={format!("{}: {}", sw.confirm_revoke_links, page.name)}>
                    {sw.confirm_revoke_links}
                </button>{" "}
                <button type="button" onclick={keep} aria-label={format!("{}: {}", w.cancel, page.name)}>{w.cancel}</button>
            </>
        }
    } else {
        let revoking = revoking.clone();
        let onclick = Callback::from(move |_| revoking.set(true));
        html! {
            <button type="button" id={format!("page-{}-revoke", page.id)} {onclick}
                aria-label={format!("{}: {}", sw.revoke_links, page.name)}>{sw.revoke_links}</button>
        }
    };
    let save = {
        let (ctx, readers, failed, busy, id, was) =
            (ctx.clone(), readers.clone(), failed.clone(), busy.clone(), page.id.clone(), page.readers.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            // The list as read: the edge refuses it if another owner changed it since (409, and
            // the list is read again).
            let body = PageReaders { readers: listed(&readers), was: Some(was.clone()) };
            let (reload, dispatch) = (ctx.reload_pages.clone(), ctx.dispatch.clone());
            let line = format!("{}: {id}", sw.save_readers);
            let op = Operation::on(Endpoint::SetPageReaders, id.as_str());
            act_once::<Done>(&ctx, op, Some(body), busy.clone(), failed.clone(), move |_| {
                dispatch.emit(Msg::Wrote(line));
                reload.emit(());
            });
        })
    };
    let problems = failed.as_ref().map(|f| f.problems().to_vec()).unwrap_or_default();
    let prefix = format!("page-{}", page.id);
    html! {
        <section aria-labelledby={format!("{prefix}-readers")}>
            <h2 id={format!("{prefix}-readers")}>{format!("{}: {}", page.name, sw.readers)}</h2>
            if let Some(failure) = &*failed {
                <p class="error" role="alert">{failure.message()}</p>
            }
            <form onsubmit={make} novalidate=true>
                <Field id={format!("{prefix}-days")} label={sw.link_days} kind="number" value={(*days).clone()}
                    oninput={set(&days)} error={problem_for(&problems, "days")} />
                <button type="submit" disabled={*busy}>{sw.make_link}</button>{" "}{revoke}
            </form>
            if let Some(made) = &*made {
                <div class="field">
                    <label for={format!("{prefix}-link")}>{sw.link_once}</label>
                    <input id={format!("{prefix}-link")} readonly=true value={made.link.clone()} />
                    <p class="quiet">{sw.expires}{": "}
                        <time datetime={made.expires_at.to_string()}>{ctx.formats.date_time(made.expires_at)}</time></p>
                </div>
            }
            <form onsubmit={save} novalidate=true>
                <Field id={format!("{prefix}-access")} label={sw.access_readers} value={(*readers).clone()}
                    oninput={set(&readers)} multiline=true error={problem_for(&problems, "readers")} />
                <button type="submit" disabled={*busy}>{sw.save_readers}</button>
            </form>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_is_split_by_lines_commas_or_spaces() {
        assert_eq!(listed("a@x.com\n@y.org, b@z.net  \n\n"), ["a@x.com", "@y.org", "b@z.net"]);
        assert!(listed(" \n ,").is_empty());
    }
}
