//! The pieces every form is made of: labelled fields with the edge's refusal beside them, the
//! component status controls (each labelled with its component's name), and the status and impact
//! choices in the operator's language.

use std::rc::Rc;

use sitrep_shared::command::{ComponentChange, NewIncident};
use sitrep_shared::problem::Problem;
use sitrep_shared::template::OPENING;
use sitrep_shared::{Component, ComponentId, ComponentStatus, Impact, IncidentStatus};
use web_sys::{HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

use crate::app::Ctx;

/// The problem the edge (or the preview) named for a field: its path ends with `field`, or names
/// one of its items (`components[0].id` for `components`).
pub fn problem_for(problems: &[Problem], field: &str) -> Option<AttrValue> {
    let (dotted, item) = (format!(".{field}"), format!("{field}["));
    let names = |path: &str| {
        path == field || path.ends_with(&dotted) || path.starts_with(&item) || path.contains(&format!(".{item}"))
    };
    problems.iter().find(|p| names(&p.path)).map(|p| p.message.clone().into())
}

/// A text input's or text area's value, from its input event.
pub fn typed(event: &InputEvent) -> String {
    if let Some(area) = event.target_dyn_into::<HtmlTextAreaElement>() {
        return area.value();
    }
    event.target_dyn_into::<HtmlInputElement>().map(|i| i.value()).unwrap_or_default()
}

/// The callback that keeps what is typed in `handle`.
pub fn set(handle: &UseStateHandle<String>) -> Callback<String> {
    let handle = handle.clone();
    Callback::from(move |v: String| handle.set(v))
}

/// A select's value, from its change event.
pub fn chosen(event: &Event) -> String {
    event.target_dyn_into::<HtmlSelectElement>().map(|s| s.value()).unwrap_or_default()
}

/// A checkbox's state, from its change event.
pub fn checked(event: &Event) -> bool {
    event.target_dyn_into::<HtmlInputElement>().is_some_and(|i| i.checked())
}

#[derive(Properties, PartialEq)]
pub struct FieldProps {
    pub id: AttrValue,
    pub label: AttrValue,
    pub value: AttrValue,
    pub oninput: Callback<String>,
    #[prop_or_default]
    pub error: Option<AttrValue>,
    #[prop_or_default]
    pub multiline: bool,
    #[prop_or_default]
    pub kind: Option<AttrValue>,
    #[prop_or_default]
    pub required: bool,
}

/// A labelled text field; its refusal is beside it and named by `aria-describedby`.
#[function_component]
pub fn Field(props: &FieldProps) -> Html {
    let error_id = format!("{}-error", props.id);
    let described = props.error.as_ref().map(|_| error_id.clone());
    let invalid = props.error.as_ref().map(|_| "true");
    let oninput = {
        let cb = props.oninput.clone();
        Callback::from(move |e: InputEvent| cb.emit(typed(&e)))
    };
    html! {
        <div class="field">
            <label for={props.id.clone()}>{props.label.clone()}</label>
            if props.multiline {
                <textarea id={props.id.clone()} value={props.value.clone()} {oninput} rows="5"
                    required={props.required} aria-invalid={invalid} aria-describedby={described} />
            } else {
                <input id={props.id.clone()} type={props.kind.clone().unwrap_or("text".into())} value={props.value.clone()}
                    {oninput} required={props.required} aria-invalid={invalid} aria-describedby={described} />
            }
            if let Some(error) = &props.error {
                <p class="error" id={error_id}>{error.clone()}</p>
            }
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct ChoiceProps {
    pub id: AttrValue,
    pub label: AttrValue,
    pub value: AttrValue,
    /// (value, label) pairs.
    pub options: Vec<(AttrValue, AttrValue)>,
    pub onchange: Callback<String>,
    #[prop_or_default]
    pub error: Option<AttrValue>,
}

/// A labelled select.
#[function_component]
pub fn Choice(props: &ChoiceProps) -> Html {
    let onchange = {
        let cb = props.onchange.clone();
        Callback::from(move |e: Event| cb.emit(chosen(&e)))
    };
    let error_id = format!("{}-error", props.id);
    html! {
        <div class="field">
            <label for={props.id.clone()}>{props.label.clone()}</label>
            <select id={props.id.clone()} {onchange} aria-describedby={props.error.as_ref().map(|_| error_id.clone())}>
                { for props.options.iter().map(|(value, label)| html! {
                    <option value={value.clone()} selected={*value == props.value}>{label.clone()}</option>
                }) }
            </select>
            if let Some(error) = &props.error {
                <p class="error" id={error_id}>{error.clone()}</p>
            }
        </div>
    }
}

/// The statuses an incident's update may take, in the operator's language.
pub fn incident_statuses(ctx: &Ctx) -> Vec<(AttrValue, AttrValue)> {
    [IncidentStatus::Investigating, IncidentStatus::Identified, IncidentStatus::Monitoring, IncidentStatus::Resolved]
        .into_iter()
        .map(|s| (s.as_str().into(), ctx.text.status(s).into()))
        .collect()
}

/// The statuses a maintenance's update may take.
pub fn maintenance_statuses(ctx: &Ctx) -> Vec<(AttrValue, AttrValue)> {
    [IncidentStatus::Scheduled, IncidentStatus::InProgress, IncidentStatus::Verifying, IncidentStatus::Completed]
        .into_iter()
        .map(|s| (s.as_str().into(), ctx.text.status(s).into()))
        .collect()
}

/// The impacts an incident may have.
pub fn impacts(ctx: &Ctx) -> Vec<(AttrValue, AttrValue)> {
    let w = ctx.words;
    vec![
        ("none".into(), w.impact_none.into()),
        ("minor".into(), w.impact_minor.into()),
        ("major".into(), w.impact_major.into()),
        ("critical".into(), w.impact_critical.into()),
    ]
}

pub fn impact_of(value: &str) -> Impact {
    Impact::from_wire(value)
}

const COMPONENT_STATUSES: [ComponentStatus; 5] = [
    ComponentStatus::Operational,
    ComponentStatus::DegradedPerformance,
    ComponentStatus::PartialOutage,
    ComponentStatus::MajorOutage,
    ComponentStatus::UnderMaintenance,
];

/// The components' new statuses a form holds (`None`: unchanged).
pub type Changes = Rc<Vec<(ComponentId, ComponentStatus)>>;

/// `changes` with `id` set to `status` (or back to unchanged).
pub fn with_change(changes: &Changes, id: ComponentId, status: Option<ComponentStatus>) -> Changes {
    let mut next: Vec<_> = changes.iter().filter(|(c, _)| *c != id).cloned().collect();
    if let Some(status) = status {
        next.push((id, status));
    }
    Rc::new(next)
}

#[derive(Properties, PartialEq)]
pub struct ControlsProps {
    pub components: Rc<Vec<Component>>,
    pub changes: Changes,
    pub onchange: Callback<(ComponentId, Option<ComponentStatus>)>,
    #[prop_or_default]
    pub error: Option<AttrValue>,
}

/// One select per component, labelled with its name, under its group's name (groups follow their
/// components and have no control of their own).
#[function_component]
pub fn ComponentControls(props: &ControlsProps) -> Html {
    let Some(ctx) = use_context::<Ctx>() else { return html! {} };
    let control = |c: &Component| {
        let id = c.id.clone();
        let onchange = props.onchange.clone();
        let onchange = Callback::from(move |e: Event| {
            let value = chosen(&e);
            let status = (!value.is_empty()).then(|| ComponentStatus::from_wire(&value));
            onchange.emit((id.clone(), status));
        });
        let current = props.changes.iter().find(|(id, _)| *id == c.id).map(|(_, s)| *s);
        let select_id = format!("component-{}", c.id.as_str());
        html! {
            <div class="field inline">
                <label for={select_id.clone()}>{c.name.clone()}</label>
                <select id={select_id} {onchange}>
                    <option value="" selected={current.is_none()}>
                        {format!("{} ({})", ctx.words.unchanged, ctx.text.component(c.status))}
                    </option>
                    { for COMPONENT_STATUSES.iter().map(|s| html! {
                        <option value={s.to_wire()} selected={current == Some(*s)}>{ctx.text.component(*s)}</option>
                    }) }
                </select>
            </div>
        }
    };
    // Groups as fieldsets of their components (a group's own status follows them).
    let all = &props.components;
    let rows = all.iter().filter(|c| c.group_id.is_none()).map(|c| {
        if c.group {
            let children = all.iter().filter(|k| k.group_id.as_ref() == Some(&c.id) && !k.group);
            html! {
                <fieldset class="group">
                    <legend>{c.name.clone()}</legend>
                    { for children.map(&control) }
                </fieldset>
            }
        } else {
            control(c)
        }
    });
    html! {
        <fieldset class="components">
            <legend>{ctx.words.components}</legend>
            { for rows }
            if let Some(error) = &props.error {
                <p class="error">{error.clone()}</p>
            }
        </fieldset>
    }
}

/// What an incident form holds, as typed: the incident it opens (the Open screen) or that a
/// template keeps (the Templates screen).
#[derive(Clone, Debug, PartialEq)]
pub struct Draft {
    pub name: String,
    pub impact: String,
    pub status: String,
    pub message: String,
    pub changes: Changes,
    /// The message's language, when a template named one (kept as it is; the form has no field).
    pub language: Option<String>,
}

impl Default for Draft {
    fn default() -> Self {
        Self {
            name: String::new(),
            impact: "minor".into(),
            status: "investigating".into(),
            message: String::new(),
            changes: Changes::default(),
            language: None,
        }
    }
}

impl Draft {
    /// The incident it opens.
    pub fn incident(&self) -> NewIncident {
        NewIncident {
            name: self.name.clone(),
            status: Some(IncidentStatus::from_wire(&self.status)),
            impact: Some(impact_of(&self.impact)),
            body: self.message.clone(),
            components: self
                .changes
                .iter()
                .map(|(id, status)| ComponentChange { id: id.clone(), status: *status })
                .collect(),
            language: None,
            started_at: None,
        }
    }

    /// The form filled from an incident (a template's) on a page with `components`: a change of a
    /// component the page no longer has, or that became a group, is left out (the form could not
    /// show it, nor take it back), and a status the form does not offer reads as the first.
    pub fn of(incident: &NewIncident, components: &[Component]) -> Self {
        let settable = |id: &ComponentId| components.iter().any(|c| c.id == *id && !c.group);
        let status = incident.status.filter(|s| OPENING.contains(s)).unwrap_or(IncidentStatus::Investigating);
        Self {
            name: incident.name.clone(),
            impact: incident.impact.map_or("minor", Impact::to_wire).to_owned(),
            status: status.as_str().to_owned(),
            message: incident.body.clone(),
            changes: Rc::new(
                incident.components.iter().filter(|c| settable(&c.id)).map(|c| (c.id.clone(), c.status)).collect(),
            ),
            language: incident.language.clone(),
        }
    }
}

/// One change to a [`Draft`], applied to the draft as it is when it arrives, so no field's edit
/// depends on when the form last rendered (the e2e fills two fields in one tick, as autofill does).
#[derive(Clone, Debug, PartialEq)]
pub enum Edit {
    Name(String),
    Impact(String),
    Status(String),
    Message(String),
    Component(ComponentId, Option<ComponentStatus>),
    /// A whole draft (a template picked, a form emptied).
    Load(Draft),
}

impl Draft {
    pub fn apply(&mut self, edit: Edit) {
        match edit {
            Edit::Name(name) => self.name = name,
            Edit::Impact(impact) => self.impact = impact,
            Edit::Status(status) => self.status = status,
            Edit::Message(message) => self.message = message,
            Edit::Component(id, status) => self.changes = with_change(&self.changes, id, status),
            Edit::Load(draft) => *self = draft,
        }
    }
}

impl Reducible for Draft {
    type Action = Edit;

    fn reduce(self: Rc<Self>, edit: Edit) -> Rc<Self> {
        let mut next = (*self).clone();
        next.apply(edit);
        Rc::new(next)
    }
}

#[derive(Properties, PartialEq)]
pub struct DraftProps {
    pub draft: Draft,
    pub onchange: Callback<Edit>,
    pub problems: Rc<Vec<Problem>>,
}

/// An incident's fields: name, impact, first status, message and each component's status, with
/// the refusal for each beside it.
#[function_component]
pub fn IncidentFields(props: &DraftProps) -> Html {
    let Some(ctx) = use_context::<Ctx>() else { return html! {} };
    let w = ctx.words;
    let edit = |change: fn(String) -> Edit| {
        let onchange = props.onchange.clone();
        Callback::from(move |value: String| onchange.emit(change(value)))
    };
    let on_component = {
        let onchange = props.onchange.clone();
        Callback::from(move |(id, status)| onchange.emit(Edit::Component(id, status)))
    };
    let problems = &props.problems;
    let components = Rc::new(ctx.held.summary.components.to_vec());
    html! {
        <>
            <Field id="name" label={w.name} value={props.draft.name.clone()} oninput={edit(Edit::Name)}
                required=true error={problem_for(problems, "incident.name")} />
            <Choice id="impact" label={w.impact} value={props.draft.impact.clone()} options={impacts(&ctx)}
                onchange={edit(Edit::Impact)} error={problem_for(problems, "impact")} />
            <Choice id="status" label={w.status} value={props.draft.status.clone()}
                options={incident_statuses(&ctx)[..OPENING.len()].to_vec()} onchange={edit(Edit::Status)} />
            <Field id="message" label={w.message} value={props.draft.message.clone()}
                oninput={edit(Edit::Message)} multiline=true required=true error={problem_for(problems, "body")} />
            <ComponentControls components={components} changes={props.draft.changes.clone()} onchange={on_component}
                error={problem_for(problems, "components")} />
        </>
    }
}
