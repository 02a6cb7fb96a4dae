//! The audit log: who did what, and when, newest first; filtered by operator and by event.

use serde::Deserialize;
use sitrep_shared::Timestamp;
use sitrep_shared::access::Actor;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

use crate::api::{self, Failure};
use crate::app::Ctx;
use crate::forms::Choice;
use crate::model::Msg;

/// How many entries the console reads (the edge gives at most 500).
const SHOWN: usize = 200;

#[derive(Clone, Debug, PartialEq, Deserialize)]
struct Log {
    entries: Vec<Entry>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
struct Entry {
    version: u64,
    at: Timestamp,
    summary: String,
    #[serde(default)]
    target: String,
    #[serde(default)]
    by: Option<By>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
struct By {
    #[serde(default)]
    actor: Option<Actor>,
}

impl Entry {
    /// Who, as the CLI names them.
    fn who(&self) -> String {
        self.by.as_ref().and_then(|b| b.actor.as_ref()).map_or_else(|| "unknown".to_owned(), Actor::label)
    }

    /// What kind of event: the line without the id it acted on ("opened incident", "posted an update to").
    fn event(&self) -> String {
        let line = if self.target.is_empty() { self.summary.clone() } else { self.summary.replace(&self.target, "") };
        line.split_whitespace().collect::<Vec<_>>().join(" ")
    }
}

#[function_component]
pub fn AuditLog() -> Html {
    let Some(ctx) = use_context::<Ctx>() else { return html! {} };
    let w = ctx.words;
    let sw = crate::settings_words::of(w.tag);
    let log = use_state(|| None::<Result<Vec<Entry>, String>>);
    let who = use_state(String::new);
    let what = use_state(String::new);
    {
        let (log, dispatch) = (log.clone(), ctx.dispatch.clone());
        // Read again whenever the page moves (a write here or elsewhere).
        use_effect_with(ctx.held.version, move |_| {
            spawn_local(async move {
                match api::read::<Log>(&format!("/api/v2/admin/log?limit={SHOWN}")).await {
                    Ok(read) => log.set(Some(Ok(read.value.entries))),
                    Err(Failure::SignedOut(why)) => dispatch.emit(Msg::SignedOut(why)),
                    Err(failure) => log.set(Some(Err(failure.message()))),
                }
            });
        });
    }
    // The heading is one element whatever follows it: focus moved to it stays when the log comes.
    let heading = html! { <h1 id="screen" tabindex="-1">{w.audit_log}</h1> };
    let entries = match &*log {
        None => return html! { <>{heading}<p role="status">{w.loading}</p></> },
        Some(Err(why)) => return html! { <>{heading}<p role="alert">{why.clone()}</p></> },
        Some(Ok(entries)) => entries,
    };
    let distinct = |of: &dyn Fn(&Entry) -> String| {
        let mut values: Vec<String> = entries.iter().map(of).collect();
        values.sort();
        values.dedup();
        let mut options = vec![(AttrValue::from(""), AttrValue::from(sw.all))];
        options.extend(values.into_iter().map(|v| (AttrValue::from(v.clone()), AttrValue::from(v))));
        options
    };
    let shown =
        entries.iter().filter(|e| who.is_empty() || e.who() == *who).filter(|e| what.is_empty() || e.event() == *what);
    let set = crate::forms::set;
    // Two children, as while loading (Yew matches unkeyed children from the end: a third would
    // take the heading's place).
    html! {
        <>
            {heading}
            <>
            <div class="filters">
                <Choice id="log-who" label={w.operators} value={(*who).clone()} options={distinct(&Entry::who)} onchange={set(&who)} />
                <Choice id="log-what" label={sw.event} value={(*what).clone()} options={distinct(&Entry::event)} onchange={set(&what)} />
            </div>
            <table>
                <thead><tr><th scope="col">{w.when}</th><th scope="col">{sw.who}</th><th scope="col">{sw.what}</th></tr></thead>
                <tbody>
                    { for shown.map(|e| html! {
                        <tr data-version={e.version.to_string()}>
                            <td>{ctx.formats.date_time(e.at)}</td>
                            <td>{e.who()}</td>
                            <td>{e.summary.clone()}</td>
                        </tr>
                    }) }
                </tbody>
            </table>
            </>
        </>
    }
}
