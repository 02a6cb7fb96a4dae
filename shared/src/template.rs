//! Incident templates: the words an operator prepared on a calm day for an outage they can foresee
//! ("Database degraded", "Payments delayed"), picked when opening an incident and edited before it
//! is sent. A template is the incident it opens (`NewIncident`, without a start time) under a name
//! operators pick it by. It is checked as that incident would be on this page: the same words, the
//! same limits, components that exist and are not groups. It is private: no public document,
//! feed or event ever carries it. Pure.

use serde::{Deserialize, Serialize};

use crate::command::{self, ApplyError, Command, NewIncident};
use crate::incident::IncidentStatus;
use crate::limits::NAME_CHARS;
use crate::page::{PageData, PageState};
use crate::problem::{Problem, ProblemCode};
use crate::wire::Timestamp;

/// Templates a page keeps at most.
pub const TEMPLATES: usize = 50;

/// The statuses a template may open an incident with.
pub const OPENING: [IncidentStatus; 3] =
    [IncidentStatus::Investigating, IncidentStatus::Identified, IncidentStatus::Monitoring];

/// `POST /api/v2/admin/templates` and `PUT /api/v2/admin/templates/{id}`: a template, whole.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct NewTemplate {
    /// What operators pick it by (never shown to readers).
    #[cfg_attr(feature = "schema", schemars(pattern(r"\S")))]
    pub name: String,
    /// The incident it opens, as `POST incidents` takes it, without `started_at`.
    pub incident: NewIncident,
}

/// A stored template.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Template {
    pub id: String,
    pub name: String,
    pub incident: NewIncident,
    /// When it was added or last replaced.
    pub updated_at: Timestamp,
}

impl Template {
    /// The template `new` makes under `id` at `now`.
    pub fn made(id: String, new: NewTemplate, now: Timestamp) -> Self {
        Self { id, name: new.name, incident: new.incident, updated_at: now }
    }
}

/// `GET templates`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TemplateList {
    pub version: u64,
    pub templates: Vec<Template>,
    /// Ids of stored templates that no longer read as one (written by another version of sitrep):
    /// they can be replaced or removed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unreadable: Vec<String>,
}

/// The answer to a template write: the template as kept (none for a removal, which names its id).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TemplateReply {
    pub version: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<Template>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
}

/// What is wrong with `new` on `page`, which holds `existing` other templates (empty: it may be kept).
/// The incident is judged as it would open on this page with nothing else open, so a template
/// stays valid however many incidents are open when it is written.
pub fn check(new: &NewTemplate, page: &PageState, existing: usize) -> Vec<Problem> {
    let mut problems = Vec::new();
    let fail = |path: &str, code, message: String| Problem { path: path.into(), code, message };
    let chars = new.name.chars().take(NAME_CHARS + 1).count();
    if new.name.trim().is_empty() {
        problems.push(fail("name", ProblemCode::Missing, "text is required".into()));
    } else if chars > NAME_CHARS {
        problems.push(fail("name", ProblemCode::TooLong, format!("text is longer than {NAME_CHARS} characters")));
    }
    if existing >= TEMPLATES {
        let why = format!("a page keeps at most {TEMPLATES} templates: remove one first");
        problems.push(fail("templates", ProblemCode::TooLong, why));
    }
    // An incident opened from a template is under way: not resolved, not a maintenance.
    if let Some(status) = new.incident.status
        && !OPENING.contains(&status)
    {
        let why =
            format!("a template opens an incident: investigating, identified or monitoring, not {}", status.as_str());
        problems.push(fail("incident.status", ProblemCode::Invalid, why));
    }
    if new.incident.started_at.is_some() {
        let why = "a template has no start time: the incident starts when it is opened".into();
        problems.push(fail("incident.started_at", ProblemCode::Invalid, why));
    }
    let calm = PageState::new(PageData {
        page: page.page().clone(),
        components: page.components().to_vec(),
        incidents: vec![],
        scheduled_maintenances: vec![],
    });
    let now = page.page().updated_at;
    if let Err(ApplyError::Invalid(found)) =
        command::apply(&calm, &Command::OpenIncident(new.incident.clone()), now, "t")
    {
        // The incident's own problems already name it (`incident.name`); the request's are put under it.
        let under = |path: String| if path.starts_with("incident.") { path } else { format!("incident.{path}") };
        problems.extend(found.into_iter().map(|p| Problem { path: under(p.path), ..p }));
    }
    problems
}

/// Templates in the order operators look for them: by name, then id.
pub fn sorted(mut templates: Vec<Template>) -> Vec<Template> {
    templates.sort_by(|a, b| a.name.to_lowercase().cmp(&b.name.to_lowercase()).then_with(|| a.id.cmp(&b.id)));
    templates
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::ComponentChange;
    use crate::testing::{at, page};
    use crate::{ComponentId, ComponentStatus, Impact};

    fn new(name: &str) -> NewTemplate {
        NewTemplate {
            name: name.into(),
            incident: NewIncident {
                name: "Database slow".into(),
                status: None,
                impact: Some(Impact::Major),
                body: "We are looking into slow queries.".into(),
                components: vec![ComponentChange {
                    id: ComponentId::from("api"),
                    status: ComponentStatus::DegradedPerformance,
                }],
                language: None,
                started_at: None,
            },
        }
    }

    fn paths(problems: &[Problem]) -> Vec<&str> {
        problems.iter().map(|p| p.path.as_str()).collect()
    }

    #[test]
    fn a_template_is_checked_as_the_incident_it_opens() {
        let state = PageState::new(page());
        assert!(check(&new("DB"), &state, 0).is_empty());
        let mut unknown = new("DB");
        unknown.incident.components[0].id = ComponentId::from("nope");
        let problems = check(&unknown, &state, 0);
        assert!(paths(&problems).iter().all(|p| p.starts_with("incident.components")), "{problems:?}");
        assert!(!problems.is_empty());
        let mut empty = new(" ");
        empty.incident.body = String::new();
        let problems = check(&empty, &state, 0);
        assert_eq!(paths(&problems)[0], "name");
        assert!(paths(&problems)[1].starts_with("incident.") && paths(&problems)[1].ends_with(".body"), "{problems:?}");
    }

    #[test]
    fn limits_and_start_times_are_refused() {
        let state = PageState::new(page());
        assert_eq!(paths(&check(&new("DB"), &state, TEMPLATES)), ["templates"]);
        for status in [IncidentStatus::Resolved, IncidentStatus::Postmortem, IncidentStatus::Scheduled] {
            let mut closed = new("DB");
            closed.incident.status = Some(status);
            assert_eq!(paths(&check(&closed, &state, 0))[0], "incident.status", "{status:?}");
        }
        let mut monitoring = new("DB");
        monitoring.incident.status = Some(IncidentStatus::Monitoring);
        assert!(check(&monitoring, &state, 0).is_empty());
        assert_eq!(paths(&check(&new(&"x".repeat(NAME_CHARS + 1)), &state, 0)), ["name"]);
        let mut started = new("DB");
        started.incident.started_at = Some(at(1));
        assert_eq!(paths(&check(&started, &state, 0)), ["incident.started_at"]);
    }

    #[test]
    fn a_template_stays_valid_however_many_incidents_are_open() {
        let mut data = page();
        let state = PageState::new(data.clone());
        let mut opened = state.clone();
        for n in 0..crate::limits::OPEN_INCIDENTS {
            let change =
                command::apply(&opened, &Command::OpenIncident(new("x").incident), at(10), &format!("i{n}")).unwrap();
            opened.commit(&change);
        }
        assert!(command::apply(&opened, &Command::OpenIncident(new("x").incident), at(10), "more").is_err());
        assert!(check(&new("DB"), &opened, 0).is_empty());
        data.components.clear();
        assert!(!check(&new("DB"), &PageState::new(data), 0).is_empty());
    }

    #[test]
    fn templates_are_listed_by_name() {
        let t = |id: &str, name: &str| Template::made(id.into(), new(name), at(0));
        let names: Vec<String> =
            sorted(vec![t("b", "payments"), t("a", "Database"), t("c", "api")]).into_iter().map(|t| t.name).collect();
        assert_eq!(names, ["api", "Database", "payments"]);
    }
}
