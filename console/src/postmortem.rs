//! The postmortem editor: the summary and the sections in Markdown (each starts with a `## `
//! heading, as in the CLI's file), saved as a draft, previewed as the full view will show it once
//! published, and published. The draft's timeline, impact window and action items are kept as
//! they are (the CLI's file writes those); nothing of a draft is dropped by saving it here.

use std::borrow::Cow;
use std::rc::Rc;

use sitrep_shared::api::{Endpoint, Operation};
use sitrep_shared::command::PostmortemDraft;
use sitrep_shared::views::{IncidentDocument, PostmortemEntry, PostmortemsDocument};
use sitrep_shared::{Incident, Section};
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

use crate::api::{self, Extra, Failure};
use crate::app::Ctx;
use crate::forms::{Field, problem_for};
use crate::incidents::{Sending, refusal, send};
use crate::model::{Msg, Route};
use crate::preview::Preview;

/// Sections from Markdown: a `## ` line starts each; text before the first is refused by the edge
/// as a section without a title (kept, so nothing typed is lost).
pub fn sections(text: &str) -> Vec<Section> {
    let mut out: Vec<Section> = Vec::new();
    for line in text.lines() {
        if let Some(title) = line.strip_prefix("## ") {
            out.push(Section { title: title.trim().to_owned(), body: String::new() });
        } else {
            if out.is_empty() && line.trim().is_empty() {
                continue;
            }
            if out.is_empty() {
                out.push(Section { title: String::new(), body: String::new() });
            }
            if let Some(last) = out.last_mut() {
                if !last.body.is_empty() {
                    last.body.push('\n');
                }
                last.body.push_str(line);
            }
        }
    }
    for section in &mut out {
        section.body = section.body.trim().to_owned();
    }
    out
}

/// The Markdown the sections are edited as.
pub fn markdown(sections: &[Section]) -> String {
    sections.iter().map(|s| format!("## {}\n\n{}\n", s.title, s.body)).collect::<Vec<_>>().join("\n")
}

#[derive(Properties, PartialEq)]
pub struct EditorProps {
    pub id: AttrValue,
}

#[function_component]
pub fn Editor(props: &EditorProps) -> Html {
    let Some(ctx) = use_context::<Ctx>() else { return html! {} };
    let w = ctx.words;
    // The incident as the store holds it, and the page version it was read at (what saving names
    // in If-Match: an edit made elsewhere since is never overwritten).
    let loaded = use_state(|| None::<Result<(Rc<Incident>, u64), String>>);
    let summary = use_state(String::new);
    let body = use_state(String::new);
    let sending = use_state(Sending::default);
    {
        let (loaded, summary, body, dispatch) = (loaded.clone(), summary.clone(), body.clone(), ctx.dispatch.clone());
        let held_version = ctx.held.version;
        use_effect_with(props.id.clone(), move |id| {
            let op = Operation { id: id.to_string(), ..Operation::new(Endpoint::GetIncident) };
            spawn_local(async move {
                match api::request::<IncidentDocument<'static>>(&op, None::<&()>, Extra::default()).await {
                    Ok(read) => {
                        let version = read.version.unwrap_or(held_version);
                        let incident = read.value.incident.into_owned();
                        if let Some(pm) = &incident.postmortem {
                            let pm = pm.revision.as_deref().unwrap_or(pm);
                            summary.set(pm.summary.clone());
                            body.set(markdown(&pm.sections));
                        }
                        loaded.set(Some(Ok((Rc::new(incident), version))));
                    }
                    Err(Failure::SignedOut(why)) => dispatch.emit(Msg::SignedOut(why)),
                    Err(failure) => loaded.set(Some(Err(failure.message()))),
                }
            });
        });
    }
    let incident = match &*loaded {
        None => return html! { <><h1 id="screen" tabindex="-1">{w.postmortem}</h1><p role="status">{w.loading}</p></> },
        Some(Err(why)) => {
            return html! { <><h1 id="screen" tabindex="-1">{w.postmortem}</h1><p role="alert">{why.clone()}</p></> };
        }
        Some(Ok((incident, version))) => (incident.clone(), *version),
    };
    let (incident, version) = incident;
    let stored = incident.postmortem.as_ref().map(|pm| pm.revision.as_deref().unwrap_or(pm).clone());
    let draft = PostmortemDraft {
        summary: (*summary).clone(),
        language: stored.as_ref().and_then(|p| p.language.clone()),
        impact_window: stored.as_ref().and_then(|p| p.impact_window),
        sections: sections(&body),
        action_items: stored.as_ref().map(|p| p.action_items.clone()).unwrap_or_default(),
        timeline: stored.as_ref().map(|p| p.timeline.clone()).unwrap_or_default(),
        timeline_after: stored.as_ref().and_then(|p| p.timeline_after),
    };
    let shown = draft.postmortem(Some(ctx.now()));
    let entry = PostmortemEntry {
        incident_id: incident.id.clone(),
        name: Cow::Owned(incident.name.clone()),
        impact: incident.impact,
        started_at: incident.started_at,
        resolved_at: incident.resolved_at,
        postmortem: Cow::Owned(shown),
        component_ids: incident.touched_components(),
    };
    let doc =
        PostmortemsDocument { page: Cow::Owned(ctx.held.summary.page.clone().into_owned()), postmortems: vec![entry] };
    let id = incident.id.as_str().to_owned();
    // After a save the editor holds what the store holds, at the version the save made.
    let saved = {
        let (loaded, incident) = (loaded.clone(), incident.clone());
        move |version: u64| loaded.set(Some(Ok((incident.clone(), version))))
    };
    // After a conflict the operator has seen what changed (the alert names it): the next save
    // starts from the page as it is now.
    {
        let (loaded, incident) = (loaded.clone(), incident.clone());
        use_effect_with((sending.failure.clone(), ctx.held.version), move |(failure, current)| {
            if matches!(failure, Some(Failure::Refused { status: 409, .. })) {
                loaded.set(Some(Ok((incident, *current))));
            }
        });
    }
    let save = {
        let (ctx, sending, draft, id, saved) = (ctx.clone(), sending.clone(), draft.clone(), id.clone(), saved.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let op = Operation { id: id.clone(), ..Operation::new(Endpoint::WritePostmortem) };
            let extra = Extra { if_match: Some(version), ..Extra::default() };
            let saved = saved.clone();
            send(&ctx, op, Some(draft.clone()), extra, sending.clone(), move |reply| saved(reply.version));
        })
    };
    let publish = {
        let (ctx, sending, draft, id) = (ctx.clone(), sending.clone(), draft.clone(), id.clone());
        Callback::from(move |_| {
            // Saved first, so what is published is what is on screen.
            let op = Operation { id: id.clone(), ..Operation::new(Endpoint::WritePostmortem) };
            let (ctx2, sending2, id, saved) = (ctx.clone(), sending.clone(), id.clone(), saved.clone());
            let extra = Extra { if_match: Some(version), ..Extra::default() };
            send(&ctx, op, Some(draft.clone()), extra, sending.clone(), move |reply| {
                let op = Operation { id, ..Operation::new(Endpoint::PublishPostmortem) };
                let extra = Extra { if_match: Some(reply.version), ..Extra::default() };
                send(&ctx2, op, None::<()>, extra, sending2, move |reply| saved(reply.version));
            });
        })
    };
    let set = crate::forms::set;
    let problems = sending.problems().to_vec();
    let may = ctx.me.may(Endpoint::WritePostmortem);
    html! {
        <>
            <h1 id="screen" tabindex="-1">{format!("{}: {}", w.postmortem, incident.name)}</h1>
            <p><a href={Route::Incident(id.clone()).href()}>{incident.name.clone()}</a></p>
            <div class="compose">
                <form onsubmit={save} novalidate=true>
                    <Field id="pm-summary" label={w.summary} value={(*summary).clone()} oninput={set(&summary)}
                        multiline=true error={problem_for(&problems, "summary")} />
                    <Field id="pm-sections" label={w.sections} value={(*body).clone()} oninput={set(&body)}
                        multiline=true error={problem_for(&problems, "sections")} />
                    {refusal(&sending)}
                    if may {
                        <div class="actions">
                            <button type="submit" disabled={sending.busy}>{w.save_draft}</button>
                            <button type="button" onclick={publish} disabled={sending.busy}>{w.publish_postmortem}</button>
                        </div>
                    }
                </form>
                <Preview summary={ctx.held.summary.clone()} postmortems={Some(Rc::new(doc))}
                    views={vec![sitrep_shared::embed::View::Full]} />
            </div>
        </>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_read_back_from_their_markdown() {
        let text = "## What happened\n\nThe cache fell over.\n\n## What we changed\n\n- one\n- two\n";
        let read = sections(text);
        assert_eq!(read.len(), 2);
        assert_eq!(read[0].title, "What happened");
        assert_eq!(read[1].body, "- one\n- two");
        assert_eq!(sections(&markdown(&read)), read);
        // Text before the first heading is kept as an untitled section (the edge names the problem).
        assert_eq!(sections("loose\n## A\nb")[0].title, "");
    }
}
