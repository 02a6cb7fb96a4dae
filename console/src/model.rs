//! The console's state in one reducer: who is signed in, the page as readers read it (with the
//! version it was read at), where the operator is, and the last thing that happened. Effects
//! (fetching, polling, writing) live in the components and dispatch [`Msg`]s here.

use std::rc::Rc;

use sitrep_shared::views::Summary;
use sitrep_shared::{Incident, IncidentId, PageData};
use yew::Reducible;

/// `GET /api/v2/admin/me`: `Me::may` tells whether the edge lets this operator make a call (it
/// decides again on every call).
pub use sitrep_shared::api::Me;

/// The page as readers read it.
#[derive(Debug)]
pub struct Held {
    pub summary: Rc<Summary<'static>>,
    /// `incidents.json`: the latest incidents, newest first.
    pub incidents: Vec<Incident>,
    /// `scheduled-maintenances.json`: the latest maintenances.
    pub maintenances: Vec<Incident>,
    /// The oldest version of the three documents: what a write's `If-Match` names, so a write
    /// never claims to have seen more than the operator was shown.
    pub version: u64,
    /// Whether the three were read at the same version (each comes through its own cache); when
    /// not, the next poll reads them all again.
    pub settled: bool,
}

impl Held {
    /// The page as a model, for previews (`sitrep_shared::preview`).
    pub fn data(&self) -> PageData {
        PageData {
            page: self.summary.page.clone().into_owned(),
            components: self.summary.components.to_vec(),
            incidents: self.incidents.clone(),
            scheduled_maintenances: self.maintenances.clone(),
        }
    }

    /// An incident or maintenance by id.
    pub fn event(&self, id: &str) -> Option<&Incident> {
        let id = IncidentId::from(id);
        self.incidents.iter().chain(&self.maintenances).find(|e| e.id == id)
    }
}

/// Where the operator is (the part of the URL after `#`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route {
    Overview,
    Incidents,
    NewIncident,
    Incident(String),
    Maintenance,
    Postmortem(String),
    Components,
    Templates,
    Subscriptions,
    Operators,
    Pages,
    Log,
}

impl Route {
    /// The route a location hash names (anything unknown is the overview).
    pub fn parse(hash: &str) -> Self {
        let path = hash.trim_start_matches('#').trim_start_matches('/');
        let mut parts = path.splitn(2, '/');
        match (parts.next().unwrap_or_default(), parts.next()) {
            ("incidents", None | Some("")) => Self::Incidents,
            ("incidents", Some("new")) => Self::NewIncident,
            ("incidents", Some(id)) if sitrep_shared::api::is_id(id) => Self::Incident(id.to_owned()),
            ("maintenance", _) => Self::Maintenance,
            ("postmortem", Some(id)) if sitrep_shared::api::is_id(id) => Self::Postmortem(id.to_owned()),
            ("components", _) => Self::Components,
            ("templates", _) => Self::Templates,
            ("subscriptions", _) => Self::Subscriptions,
            ("operators", _) => Self::Operators,
            ("pages", _) => Self::Pages,
            ("log", _) => Self::Log,
            _ => Self::Overview,
        }
    }

    /// Whether it is one of the screens of the second module (`/admin/settings/`): those an owner
    /// opens now and then. The everyday screens are the first module's (`/admin/`).
    pub fn in_settings(&self) -> bool {
        matches!(self, Self::Templates | Self::Subscriptions | Self::Operators | Self::Pages | Self::Log)
    }

    /// The document that runs the module with its screen: `/admin/settings/` or `/admin/`.
    pub fn document(&self) -> &'static str {
        if self.in_settings() { "/admin/settings/" } else { "/admin/" }
    }

    /// The hash that names it.
    pub fn href(&self) -> String {
        match self {
            Self::Overview => "#/".into(),
            Self::Incidents => "#/incidents".into(),
            Self::NewIncident => "#/incidents/new".into(),
            Self::Incident(id) => format!("#/incidents/{id}"),
            Self::Maintenance => "#/maintenance".into(),
            Self::Postmortem(id) => format!("#/postmortem/{id}"),
            Self::Components => "#/components".into(),
            Self::Templates => "#/templates".into(),
            Self::Subscriptions => "#/subscriptions".into(),
            Self::Operators => "#/operators".into(),
            Self::Pages => "#/pages".into(),
            Self::Log => "#/log".into(),
        }
    }
}

/// Everything the console holds.
#[derive(Debug, Default)]
pub struct Model {
    pub me: Option<Rc<Me>>,
    pub held: Option<Rc<Held>>,
    /// Why the console is signed out, once it is.
    pub signed_out: Option<String>,
    /// Why the last read failed (cleared by the next good one).
    pub trouble: Option<String>,
    /// The last write's line, as the audit log has it (announced to screen readers).
    pub notice: Option<String>,
    /// Bumped to read the page again now.
    pub wanted: u32,
    /// Bumped to ask the edge again who is signed in.
    pub who_wanted: u32,
    /// Whether that asking is a background poll (not the operator's doing: it does not keep the
    /// session alive).
    pub who_polled: bool,
    /// Reads failed in a row (polls back off while it grows).
    pub failures: u32,
}

/// What happens to it.
#[derive(Debug)]
pub enum Msg {
    Me(Me),
    Held(Rc<Held>),
    SignedOut(String),
    Trouble(String),
    /// A write was accepted: its audit-log line; the page is read again.
    Wrote(String),
    /// A read came back and nothing changed: the trouble, if any, is over.
    Fine,
    /// Read the page again now.
    Reload,
    /// Ask again who is signed in (a revoked operator's console signs out); `true` from a
    /// background poll, `false` from the operator's own move.
    Recheck(bool),
}

impl Reducible for Model {
    type Action = Msg;

    fn reduce(self: Rc<Self>, msg: Msg) -> Rc<Self> {
        let mut next = Model {
            me: self.me.clone(),
            held: self.held.clone(),
            signed_out: self.signed_out.clone(),
            trouble: self.trouble.clone(),
            notice: self.notice.clone(),
            wanted: self.wanted,
            who_wanted: self.who_wanted,
            who_polled: self.who_polled,
            failures: self.failures,
        };
        match msg {
            Msg::Me(me) => next.me = Some(Rc::new(me)),
            // A read older than what is held (a slow poll overtaken by a write's read) is dropped.
            Msg::Held(held) if self.held.as_ref().is_some_and(|h| h.version > held.version) => return self,
            Msg::Held(held) => {
                next.held = Some(held);
                next.trouble = None;
                next.failures = 0;
            }
            Msg::SignedOut(why) => next.signed_out = Some(why),
            Msg::Trouble(why) => {
                next.trouble = Some(why);
                next.failures = self.failures.saturating_add(1);
            }
            Msg::Wrote(line) => {
                next.notice = Some(line);
                next.wanted += 1;
            }
            Msg::Fine if self.failures == 0 && self.trouble.is_none() => return self,
            Msg::Fine => {
                next.failures = 0;
                next.trouble = None;
            }
            Msg::Reload => next.wanted += 1,
            Msg::Recheck(polled) => {
                next.who_wanted += 1;
                next.who_polled = polled;
            }
        }
        Rc::new(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_read_back_from_their_hash() {
        for route in [
            Route::Overview,
            Route::Incidents,
            Route::NewIncident,
            Route::Incident("abc".into()),
            Route::Maintenance,
            Route::Postmortem("abc".into()),
            Route::Components,
            Route::Templates,
            Route::Subscriptions,
            Route::Operators,
            Route::Pages,
            Route::Log,
        ] {
            assert_eq!(Route::parse(&route.href()), route);
            // The first load's module has what an incident needs; the rest is the second's.
            let settings =
                matches!(route, Route::Templates | Route::Subscriptions | Route::Operators | Route::Pages | Route::Log);
            let document = if settings { "/admin/settings/" } else { "/admin/" };
            assert_eq!((route.in_settings(), route.document()), (settings, document), "{route:?}");
        }
        assert_eq!(Route::parse(""), Route::Overview);
        assert_eq!(Route::parse("#/nowhere"), Route::Overview);
        assert_eq!(Route::parse("#/postmortem/"), Route::Overview);
        // An id that is not one never reaches a path: `#/postmortem/../log` is not the audit log.
        assert_eq!(Route::parse("#/postmortem/../log"), Route::Overview);
        assert_eq!(Route::parse("#/incidents/a%2Fb"), Route::Overview);
    }

    #[test]
    fn a_quiet_good_read_ends_the_backoff() {
        let model = Rc::new(Model::default());
        let troubled = model.reduce(Msg::Trouble("offline".into())).reduce(Msg::Trouble("offline".into()));
        assert_eq!(troubled.failures, 2);
        let fine = troubled.reduce(Msg::Fine);
        assert_eq!((fine.failures, fine.trouble.clone()), (0, None));
        // Already fine: the same state, nothing re-rendered.
        assert!(Rc::ptr_eq(&fine.clone().reduce(Msg::Fine), &fine));
    }
}
