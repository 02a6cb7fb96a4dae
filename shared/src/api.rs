//! The write API under `/api/v2/admin/`, as one table: each operation's method, path, summary,
//! request body and success status ([`Endpoint::spec`]). From it come the edge's routing with its
//! 405 and `Allow` answers ([`route`]), the body rules ([`Endpoint::takes_body`], [`Endpoint::max_body`])
//! and the command a body asks for ([`command`]), the OpenAPI document (`cargo xtask openapi`),
//! and the paths the CLI calls ([`Operation::path`]). Pure.

use serde::{Deserialize, Serialize};

use crate::access::Role;
use crate::command::{self, Command};
use crate::limits::{IMPORT_BYTES, POSTMORTEM_REQUEST_BYTES, REQUEST_BYTES};

/// The header that names the page a write API call is for (by id; without it, the page of the
/// host the call came to).
pub const PAGE_HEADER: &str = "sitrep-page";

/// An HTTP method of the write API.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Method {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Post => "POST",
            Self::Put => "PUT",
            Self::Patch => "PATCH",
            Self::Delete => "DELETE",
        }
    }
}

/// A request body: its type's name in the OpenAPI document, and how large it may be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Body {
    pub schema: &'static str,
    pub max_bytes: usize,
}

/// One row of the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Spec {
    pub method: Method,
    /// The path after `/api/v2/admin/`; `{id}`, `{delivery}`, `{update}` and `{token}` stand for ids.
    pub path: &'static str,
    pub summary: &'static str,
    pub body: Option<Body>,
    /// The status of a success.
    pub status: u16,
}

/// Every operation of the write API (the ids it acts on are in [`Operation`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Endpoint {
    ImportPage,
    EditPage,
    OpenIncident,
    GetIncident,
    EditIncident,
    PostIncidentUpdate,
    EditIncidentUpdate,
    DeleteIncident,
    WritePostmortem,
    PublishPostmortem,
    PreviewPostmortem,
    ScheduleMaintenance,
    GetMaintenance,
    EditMaintenance,
    PostMaintenanceUpdate,
    EditMaintenanceUpdate,
    CancelMaintenance,
    DeleteMaintenance,
    CreateComponent,
    EditComponent,
    ReorderComponents,
    RemoveComponent,
    ListTemplates,
    CreateTemplate,
    EditTemplate,
    DeleteTemplate,
    CreateSubscription,
    ListSubscriptions,
    EditSubscription,
    DeleteSubscription,
    ListDeliveries,
    ReplayDelivery,
    Log,
    OpenApi,
    Me,
    ListOperators,
    InviteOperator,
    EditOperator,
    RevokeOperator,
    ListSessions,
    RevokeSession,
    ListTokens,
    CreateToken,
    RevokeToken,
    ListOperatorTokens,
    RevokeOperatorToken,
    ListPages,
    AddPage,
    RemovePage,
    CreateReaderLink,
    RevokeReaderLinks,
    SetPageReaders,
    ReadDocument,
}

/// Which Durable Object answers an endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Store {
    /// The page's writer (`PageStore`).
    Page,
    /// The deployment's account store (operators, sessions, tokens).
    Accounts,
}

const fn body(schema: &'static str) -> Option<Body> {
    Some(Body { schema, max_bytes: REQUEST_BYTES })
}

const fn spec(method: Method, path: &'static str, summary: &'static str, body: Option<Body>, status: u16) -> Spec {
    Spec { method, path, summary, body, status }
}

impl Endpoint {
    /// Every operation, in the order the OpenAPI document lists them.
    pub const ALL: [Endpoint; 53] = [
        Endpoint::ImportPage,
        Endpoint::EditPage,
        Endpoint::OpenIncident,
        Endpoint::GetIncident,
        Endpoint::EditIncident,
        Endpoint::PostIncidentUpdate,
        Endpoint::EditIncidentUpdate,
        Endpoint::DeleteIncident,
        Endpoint::WritePostmortem,
        Endpoint::PublishPostmortem,
        Endpoint::PreviewPostmortem,
        Endpoint::ScheduleMaintenance,
        Endpoint::GetMaintenance,
        Endpoint::EditMaintenance,
        Endpoint::PostMaintenanceUpdate,
        Endpoint::EditMaintenanceUpdate,
        Endpoint::CancelMaintenance,
        Endpoint::DeleteMaintenance,
        Endpoint::CreateComponent,
        Endpoint::EditComponent,
        Endpoint::ReorderComponents,
        Endpoint::RemoveComponent,
        Endpoint::ListTemplates,
        Endpoint::CreateTemplate,
        Endpoint::EditTemplate,
        Endpoint::DeleteTemplate,
        Endpoint::CreateSubscription,
        Endpoint::ListSubscriptions,
        Endpoint::EditSubscription,
        Endpoint::DeleteSubscription,
        Endpoint::ListDeliveries,
        Endpoint::ReplayDelivery,
        Endpoint::Log,
        Endpoint::OpenApi,
        Endpoint::Me,
        Endpoint::ListOperators,
        Endpoint::InviteOperator,
        Endpoint::EditOperator,
        Endpoint::RevokeOperator,
        Endpoint::ListSessions,
        Endpoint::RevokeSession,
        Endpoint::ListTokens,
        Endpoint::CreateToken,
        Endpoint::RevokeToken,
        Endpoint::ListOperatorTokens,
        Endpoint::RevokeOperatorToken,
        Endpoint::ListPages,
        Endpoint::AddPage,
        Endpoint::RemovePage,
        Endpoint::CreateReaderLink,
        Endpoint::RevokeReaderLinks,
        Endpoint::SetPageReaders,
        Endpoint::ReadDocument,
    ];

    /// The table: this operation's row. Always inlined, so a caller that reads only the method and
    /// the path (the console) does not carry every summary (3 KB of the console's wasm otherwise).
    #[inline(always)]
    pub const fn spec(self) -> Spec {
        use Method::{Delete, Get, Patch, Post, Put};
        match self {
            Self::ImportPage => spec(
                Put,
                "page",
                "Replace the whole page (import); all or nothing",
                Some(Body { schema: "PageData", max_bytes: IMPORT_BYTES }),
                200,
            ),
            Self::OpenIncident => {
                spec(Post, "incidents", "Open an incident with its first update", body("NewIncident"), 201)
            }
            Self::GetIncident => spec(
                Get,
                "incidents/{id}",
                "The stored incident or maintenance, its postmortem draft included",
                None,
                200,
            ),
            Self::EditIncident => {
                spec(Patch, "incidents/{id}", "Edit an incident without posting an update", body("EventEdit"), 200)
            }
            Self::PostIncidentUpdate => {
                spec(Post, "incidents/{id}/updates", "Post an update (reopen: true to reopen)", body("NewUpdate"), 200)
            }
            Self::EditIncidentUpdate => spec(
                Patch,
                "incidents/{id}/updates/{update}",
                "Fix the text of an earlier update (kept in the audit log; its updated_at says when)",
                body("UpdateEdit"),
                200,
            ),
            Self::DeleteIncident => spec(
                Delete,
                "incidents/{id}",
                "Delete a test or mistaken incident: gone from every public document, page, feed and uptime bar; \
                 the audit log keeps the record and subscribers get incident.deleted",
                None,
                200,
            ),
            Self::WritePostmortem => spec(
                Put,
                "incidents/{id}/postmortem",
                "Write or replace the postmortem",
                Some(Body { schema: "PostmortemDraft", max_bytes: POSTMORTEM_REQUEST_BYTES }),
                200,
            ),
            Self::PublishPostmortem => {
                spec(Post, "incidents/{id}/postmortem/publish", "Publish the postmortem", None, 200)
            }
            Self::PreviewPostmortem => spec(
                Get,
                "incidents/{id}/postmortem/preview",
                "The incident page (HTML) with the draft, as readers will see it once published",
                None,
                200,
            ),
            Self::ScheduleMaintenance => {
                spec(Post, "maintenances", "Schedule a maintenance", body("NewMaintenance"), 201)
            }
            Self::GetMaintenance => spec(
                Get,
                "maintenances/{id}",
                "The stored incident or maintenance, its postmortem draft included",
                None,
                200,
            ),
            Self::EditMaintenance => {
                spec(Patch, "maintenances/{id}", "Edit a maintenance (name, window)", body("EventEdit"), 200)
            }
            Self::PostMaintenanceUpdate => {
                spec(Post, "maintenances/{id}/updates", "Post a maintenance update", body("NewUpdate"), 200)
            }
            Self::EditMaintenanceUpdate => spec(
                Patch,
                "maintenances/{id}/updates/{update}",
                "Fix the text of an earlier maintenance update",
                body("UpdateEdit"),
                200,
            ),
            Self::CancelMaintenance => spec(
                Post,
                "maintenances/{id}/cancel",
                "Cancel a maintenance (it becomes completed, with cancelled_at)",
                body("Cancellation"),
                200,
            ),
            Self::DeleteMaintenance => spec(
                Delete,
                "maintenances/{id}",
                "Delete a test or mistaken maintenance (subscribers get maintenance.deleted)",
                None,
                200,
            ),
            Self::EditPage => spec(
                Patch,
                "page",
                "Change the page's name, URL or time zone (what is left out stays)",
                body("PageEdit"),
                200,
            ),
            Self::CreateComponent => spec(Post, "components", "Create a component or group", body("NewComponent"), 201),
            Self::EditComponent => spec(Patch, "components/{id}", "Edit a component", body("ComponentEdit"), 200),
            Self::ReorderComponents => {
                spec(Put, "components/order", "Reorder all components", body("ComponentOrder"), 200)
            }
            Self::RemoveComponent => spec(
                Delete,
                "components/{id}",
                "Remove a component (refused while an open incident or maintenance lists it, or for a group \
                 with components): closed incidents keep naming it",
                None,
                200,
            ),
            Self::ListTemplates => spec(Get, "templates", "The incident templates, by name", None, 200),
            Self::CreateTemplate => spec(
                Post,
                "templates",
                "Add an incident template: the incident it opens (checked as it would open now), under a name",
                body("NewTemplate"),
                201,
            ),
            Self::EditTemplate => spec(Put, "templates/{id}", "Replace an incident template", body("NewTemplate"), 200),
            Self::DeleteTemplate => spec(Delete, "templates/{id}", "Remove an incident template", None, 200),
            Self::CreateSubscription => spec(
                Post,
                "subscriptions",
                "Add a subscription (a receiver of events); the answer carries its secret, shown this once",
                body("NewSubscription"),
                201,
            ),
            Self::ListSubscriptions => {
                spec(Get, "subscriptions", "Every subscription, without their secrets", None, 200)
            }
            Self::EditSubscription => spec(
                Patch,
                "subscriptions/{id}",
                "Pause, resume or change a subscription's filters",
                body("SubscriptionEdit"),
                200,
            ),
            Self::DeleteSubscription => spec(Delete, "subscriptions/{id}", "Remove a subscription", None, 200),
            Self::ListDeliveries => spec(
                Get,
                "subscriptions/{id}/deliveries",
                "A subscription's recent deliveries, newest first, and what each came to",
                None,
                200,
            ),
            Self::ReplayDelivery => spec(
                Post,
                "subscriptions/{id}/deliveries/{delivery}/replay",
                "Send an event to a subscription again (once however often asked; same webhook-id)",
                None,
                202,
            ),
            Self::Log => spec(Get, "log", "The audit log, newest first", None, 200),
            Self::OpenApi => spec(Get, "openapi.json", "This document", None, 200),
            Self::Me => {
                spec(Get, "me", "Who the credential belongs to, their roles, and the page the call is for", None, 200)
            }
            Self::ReadDocument => spec(
                Get,
                "documents/{id}",
                "One of the page's read documents (summary, incidents, scheduled-maintenances) as readers \
                 read it: how the console reads a page other than its host's",
                None,
                200,
            ),
            Self::ListOperators => spec(Get, "operators", "Every operator, revoked ones included", None, 200),
            Self::InviteOperator => spec(
                Post,
                "operators",
                "Invite an operator (or invite again); the answer carries a single-use sign-in link, valid 24 h",
                body("NewOperator"),
                201,
            ),
            Self::EditOperator => spec(
                Patch,
                "operators/{id}",
                "Change an operator's role, their roles on pages, or their name",
                body("OperatorEdit"),
                200,
            ),
            Self::RevokeOperator => {
                spec(Delete, "operators/{id}", "Revoke an operator: their sessions and tokens end", None, 200)
            }
            Self::ListSessions => spec(Get, "operators/{id}/sessions", "An operator's signed-in browsers", None, 200),
            Self::RevokeSession => spec(Delete, "sessions/{id}", "Sign a browser out", None, 200),
            Self::ListTokens => {
                spec(Get, "tokens", "The caller's personal tokens (never the tokens themselves)", None, 200)
            }
            Self::CreateToken => spec(
                Post,
                "tokens",
                "Create a personal token for the CLI; the answer carries it, shown this once",
                body("NewToken"),
                201,
            ),
            Self::RevokeToken => spec(Delete, "tokens/{id}", "Revoke one of the caller's personal tokens", None, 200),
            Self::ListOperatorTokens => spec(
                Get,
                "operators/{id}/tokens",
                "An operator's personal tokens (never the tokens themselves)",
                None,
                200,
            ),
            Self::RevokeOperatorToken => spec(
                Delete,
                "operators/{id}/tokens/{token}",
                "Revoke one personal token of an operator (a leaked one), leaving the rest",
                None,
                200,
            ),
            Self::ListPages => {
                spec(Get, "pages", "The deployment's pages besides the default one, with their hostnames", None, 200)
            }
            Self::AddPage => spec(
                Post,
                "pages",
                "Add a page that answers on its own hostnames, with its own store; every other call names it \
                 with the Sitrep-Page header",
                body("NewPage"),
                201,
            ),
            Self::RemovePage => spec(
                Delete,
                "pages/{id}",
                "Remove a page: its hostnames are the default page's again and its copies are never served",
                None,
                200,
            ),
            Self::CreateReaderLink => spec(
                Post,
                "pages/{id}/links",
                "A reader link of a private page: whoever holds it reads the page until it expires or the page's \
                 links are revoked; the answer carries it, shown this once",
                body("NewReaderLink"),
                201,
            ),
            Self::SetPageReaders => spec(
                Put,
                "pages/{id}/readers",
                "Set a private page's readers by Cloudflare Access: emails, and @domains whose every address reads it",
                body("PageReaders"),
                200,
            ),
            Self::RevokeReaderLinks => {
                spec(Delete, "pages/{id}/links", "Revoke every reader link of a page made so far", None, 200)
            }
        }
    }

    /// The least role that may call it: an owner for components, subscriptions, operators and the
    /// import; an editor for incidents, maintenance, postmortems and templates; a viewer for reads (and for
    /// the caller's own tokens). The admin token is an owner.
    pub const fn role(self) -> Role {
        match self {
            Self::ImportPage
            | Self::EditPage
            | Self::CreateComponent
            | Self::EditComponent
            | Self::ReorderComponents
            | Self::RemoveComponent
            | Self::CreateSubscription
            | Self::ListSubscriptions
            | Self::EditSubscription
            | Self::DeleteSubscription
            | Self::ListDeliveries
            | Self::ReplayDelivery
            | Self::ListOperators
            | Self::InviteOperator
            | Self::EditOperator
            | Self::RevokeOperator
            | Self::ListSessions
            | Self::RevokeSession
            | Self::ListOperatorTokens
            | Self::RevokeOperatorToken
            | Self::AddPage
            | Self::RemovePage
            | Self::CreateReaderLink
            | Self::RevokeReaderLinks
            | Self::SetPageReaders => Role::Owner,
            Self::OpenIncident
            | Self::EditIncident
            | Self::PostIncidentUpdate
            | Self::EditIncidentUpdate
            | Self::EditMaintenanceUpdate
            | Self::DeleteIncident
            | Self::DeleteMaintenance
            | Self::WritePostmortem
            | Self::PublishPostmortem
            | Self::ScheduleMaintenance
            | Self::EditMaintenance
            | Self::PostMaintenanceUpdate
            | Self::CancelMaintenance
            | Self::CreateTemplate
            | Self::EditTemplate
            | Self::DeleteTemplate => Role::Editor,
            Self::GetIncident
            | Self::PreviewPostmortem
            | Self::GetMaintenance
            | Self::Log
            | Self::ListTemplates
            | Self::OpenApi
            | Self::Me
            | Self::ReadDocument
            | Self::ListTokens
            | Self::CreateToken
            | Self::RevokeToken
            | Self::ListPages => Role::Viewer,
        }
    }

    /// Which object answers it.
    pub const fn store(self) -> Store {
        match self {
            Self::ListOperators
            | Self::InviteOperator
            | Self::EditOperator
            | Self::RevokeOperator
            | Self::ListSessions
            | Self::RevokeSession
            | Self::ListTokens
            | Self::CreateToken
            | Self::RevokeToken
            | Self::ListOperatorTokens
            | Self::RevokeOperatorToken
            | Self::ListPages
            | Self::AddPage
            | Self::RemovePage
            | Self::CreateReaderLink
            | Self::RevokeReaderLinks
            | Self::SetPageReaders => Store::Accounts,
            _ => Store::Page,
        }
    }

    /// The page whose role a call takes: `call_page` (the one `Sitrep-Page` or the host names) for a
    /// page's own calls, the page in the path (`path_id`) for a page's reader links and readers, and
    /// none, the deployment role, for the rest (operators, pages, tokens, the caller's own).
    pub fn role_page<'a>(self, call_page: &'a str, path_id: &'a str) -> Option<&'a str> {
        match self {
            Self::CreateReaderLink | Self::RevokeReaderLinks | Self::SetPageReaders => Some(path_id),
            _ if self.store() == Store::Page => Some(call_page),
            _ => None,
        }
    }

    /// The role someone whose deployment role is `role` and whose roles on pages are `pages` has
    /// for this call (see [`Endpoint::role_page`]): what the edge checks and the console shows.
    pub fn caller_role(
        self,
        role: Role,
        pages: &std::collections::BTreeMap<String, Role>,
        call_page: &str,
        path_id: &str,
    ) -> Role {
        self.role_page(call_page, path_id).map_or(role, |page| crate::access::role_on(role, pages, page))
    }

    /// Whether it may change the page (every method but GET).
    pub fn writes(self) -> bool {
        self.spec().method != Method::Get
    }

    /// Whether it creates something (answers 201).
    pub fn creates(self) -> bool {
        self.spec().status == 201
    }

    /// Whether it takes a JSON body.
    pub fn takes_body(self) -> bool {
        self.spec().body.is_some()
    }

    /// The largest body it takes.
    pub fn max_body(self) -> usize {
        self.spec().body.map_or(REQUEST_BYTES, |b| b.max_bytes)
    }
}

/// `GET me`: who the credential belongs to, their roles, and the page the call was for (the one
/// `Sitrep-Page` names, else the host's).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub actor: crate::access::Actor,
    /// Their role on the deployment, and on each page not named in `pages`.
    pub role: Role,
    /// Their role on particular pages, by id.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub pages: std::collections::BTreeMap<String, Role>,
    /// The id of the page the call was for.
    #[serde(default = "default_page")]
    pub page: String,
}

fn default_page() -> String {
    crate::host::DEFAULT_PAGE.to_owned()
}

impl Me {
    /// Their role on the page the call was for.
    pub fn page_role(&self) -> Role {
        crate::access::role_on(self.role, &self.pages, &self.page)
    }

    /// Whether the edge lets them make `endpoint`'s call on that page (it decides again on every
    /// call, by the same rule: [`Endpoint::caller_role`]).
    pub fn may(&self, endpoint: Endpoint) -> bool {
        self.may_on(endpoint, &self.page)
    }

    /// [`Me::may`] for a call whose path names page `path_id` (a page's reader links and readers
    /// take the role on that page, whichever page the call is for).
    pub fn may_on(&self, endpoint: Endpoint, path_id: &str) -> bool {
        endpoint.caller_role(self.role, &self.pages, &self.page, path_id) >= endpoint.role()
    }
}

/// One operation with the ids from its path. It crosses to the store as itself (serde).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Operation {
    pub endpoint: Endpoint,
    /// `{id}`: the incident, maintenance, component or subscription ("" when the path has none).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub id: String,
    /// The second id: `{delivery}`, the event a replay names, `{update}`, the update an edit
    /// names, or `{token}`, an operator's token ("" otherwise).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub delivery: String,
}

impl Operation {
    /// An operation whose path has no id.
    pub fn new(endpoint: Endpoint) -> Self {
        Self { endpoint, id: String::new(), delivery: String::new() }
    }

    /// An operation on `id`.
    pub fn on(endpoint: Endpoint, id: impl Into<String>) -> Self {
        Self { endpoint, id: id.into(), delivery: String::new() }
    }

    /// An edit of update `update` of incident or maintenance `id`.
    pub fn update(endpoint: Endpoint, id: impl Into<String>, update: impl Into<String>) -> Self {
        Self { endpoint, id: id.into(), delivery: update.into() }
    }

    /// A replay of event `delivery` to subscription `subscription`.
    pub fn replay(subscription: impl Into<String>, delivery: impl Into<String>) -> Self {
        Self { endpoint: Endpoint::ReplayDelivery, id: subscription.into(), delivery: delivery.into() }
    }

    pub fn method(&self) -> Method {
        self.endpoint.spec().method
    }

    /// The path after `/api/v2/admin/`, its ids filled in.
    pub fn path(&self) -> String {
        let path = self.endpoint.spec().path.replace("{id}", &self.id);
        path.replace("{delivery}", &self.delivery)
            .replace("{update}", &self.delivery)
            .replace("{token}", &self.delivery)
    }
}

/// Why a method and path name no operation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Miss {
    /// No such path.
    NotFound,
    /// The path exists; these methods are allowed (for `Allow`).
    Method(String),
}

/// Whether a path segment may be an id: 1 to 64 letters, digits, `-` and `_`.
pub fn is_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The ids a path holds for a pattern, or `None` when it does not fit; with the number of literal
/// segments (a literal beats an id: `components/order` is not `components/{id}`).
fn fit(pattern: &str, parts: &[&str]) -> Option<(usize, String, String)> {
    let shape: Vec<&str> = pattern.split('/').collect();
    if shape.len() != parts.len() {
        return None;
    }
    let (mut literals, mut id, mut delivery) = (0, String::new(), String::new());
    for (want, got) in shape.iter().zip(parts) {
        match *want {
            "{id}" if is_id(got) => id = (*got).to_owned(),
            "{delivery}" | "{update}" | "{token}" if is_id(got) => delivery = (*got).to_owned(),
            literal if literal == *got => literals += 1,
            _ => return None,
        }
    }
    Some((literals, id, delivery))
}

/// The operation `method` on `path` (the part after `/api/v2/admin/`) names.
pub fn route(method: &str, path: &str) -> Result<Operation, Miss> {
    let parts: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    let fits: Vec<(Endpoint, (usize, String, String))> =
        Endpoint::ALL.iter().filter_map(|kind| Some((*kind, fit(kind.spec().path, &parts)?))).collect();
    let best = fits.iter().map(|(_, (literals, ..))| *literals).max().ok_or(Miss::NotFound)?;
    let mut allowed: Vec<Method> = Vec::new();
    for (kind, (literals, id, delivery)) in fits {
        if literals != best {
            continue;
        }
        if kind.spec().method.as_str() == method {
            return Ok(Operation { endpoint: kind, id, delivery });
        }
        allowed.push(kind.spec().method);
    }
    allowed.sort();
    allowed.dedup();
    Err(Miss::Method(allowed.iter().map(|m| m.as_str()).collect::<Vec<_>>().join(", ")))
}

/// Why a body does not make a command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BodyError {
    /// Not a JSON object, or not of the operation's shape: the message says how.
    Unfit(String),
    /// The operation is not a command on the page (a read, an import, a subscription call).
    NotACommand,
}

/// The command an operation and its JSON body ask for.
pub fn command(op: &Operation, body: &[u8]) -> Result<Command, BodyError> {
    fn parse<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, BodyError> {
        if !command::is_json_object(body) {
            return Err(BodyError::Unfit("the body must be a JSON object".into()));
        }
        serde_json::from_slice(body).map_err(|e| BodyError::Unfit(format!("the body does not fit this request: {e}")))
    }
    let id = || crate::IncidentId::from(op.id.as_str());
    Ok(match op.endpoint {
        Endpoint::OpenIncident => Command::OpenIncident(parse(body)?),
        Endpoint::EditIncident | Endpoint::EditMaintenance => Command::Edit(id(), parse(body)?),
        Endpoint::PostIncidentUpdate | Endpoint::PostMaintenanceUpdate => Command::PostUpdate(id(), parse(body)?),
        Endpoint::EditIncidentUpdate | Endpoint::EditMaintenanceUpdate => {
            Command::EditUpdate(id(), op.delivery.as_str().into(), parse(body)?)
        }
        Endpoint::WritePostmortem => Command::WritePostmortem(id(), parse(body)?),
        Endpoint::PublishPostmortem => Command::PublishPostmortem(id()),
        Endpoint::ScheduleMaintenance => Command::ScheduleMaintenance(parse(body)?),
        Endpoint::CancelMaintenance => Command::CancelMaintenance(id(), parse(body)?),
        Endpoint::CreateComponent => Command::CreateComponent(parse(body)?),
        Endpoint::EditComponent => Command::EditComponent(op.id.as_str().into(), parse(body)?),
        Endpoint::ReorderComponents => Command::ReorderComponents(parse(body)?),
        Endpoint::RemoveComponent => Command::RemoveComponent(op.id.as_str().into()),
        Endpoint::EditPage => Command::EditPage(parse(body)?),
        Endpoint::DeleteIncident | Endpoint::DeleteMaintenance => Command::Delete(id()),
        Endpoint::ImportPage
        | Endpoint::GetIncident
        | Endpoint::GetMaintenance
        | Endpoint::PreviewPostmortem
        | Endpoint::CreateSubscription
        | Endpoint::ListSubscriptions
        | Endpoint::EditSubscription
        | Endpoint::DeleteSubscription
        | Endpoint::ListDeliveries
        | Endpoint::ReplayDelivery
        | Endpoint::ListTemplates
        | Endpoint::CreateTemplate
        | Endpoint::EditTemplate
        | Endpoint::DeleteTemplate
        | Endpoint::Log
        | Endpoint::OpenApi
        | Endpoint::Me
        | Endpoint::ListOperators
        | Endpoint::InviteOperator
        | Endpoint::EditOperator
        | Endpoint::RevokeOperator
        | Endpoint::ListSessions
        | Endpoint::RevokeSession
        | Endpoint::ListTokens
        | Endpoint::CreateToken
        | Endpoint::RevokeToken
        | Endpoint::ListOperatorTokens
        | Endpoint::RevokeOperatorToken
        | Endpoint::ListPages
        | Endpoint::AddPage
        | Endpoint::RemovePage
        | Endpoint::CreateReaderLink
        | Endpoint::RevokeReaderLinks
        | Endpoint::SetPageReaders
        | Endpoint::ReadDocument => return Err(BodyError::NotACommand),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(endpoint: Endpoint, id: &str) -> Operation {
        Operation::on(endpoint, id)
    }

    fn allow(methods: &str) -> Miss {
        Miss::Method(methods.into())
    }

    #[test]
    fn me_may_call_a_pages_endpoints_by_its_role_there_and_the_deployments_by_its_own() {
        let me: Me = serde_json::from_str(
            r#"{"actor":{"kind":"admin_token"},"role":"viewer","pages":{"acme":"owner"},"page":"acme"}"#,
        )
        .unwrap();
        assert_eq!(me.page_role(), Role::Owner);
        assert!(me.may(Endpoint::EditComponent), "an owner on acme");
        assert!(!me.may(Endpoint::InviteOperator), "a viewer of the deployment");
        let elsewhere = Me { page: "default".into(), ..me.clone() };
        assert!(!elsewhere.may(Endpoint::OpenIncident));
        // The console's pages screen, working on the default page: acme's links are theirs to make.
        assert!(
            elsewhere.may_on(Endpoint::CreateReaderLink, "acme") && elsewhere.may_on(Endpoint::SetPageReaders, "acme")
        );
        assert!(
            !elsewhere.may_on(Endpoint::CreateReaderLink, "beta") && !elsewhere.may_on(Endpoint::RemovePage, "acme")
        );
        // The edge's rule, by call: a page's calls and its links take the page's role, the rest not.
        let pages = me.pages.clone();
        let role =
            |endpoint: Endpoint, call_page, path_id| endpoint.caller_role(Role::Viewer, &pages, call_page, path_id);
        assert_eq!(role(Endpoint::EditComponent, "acme", "c1"), Role::Owner);
        assert_eq!(role(Endpoint::EditComponent, "default", "acme"), Role::Viewer, "the call's page, not the path's");
        assert_eq!(role(Endpoint::CreateReaderLink, "default", "acme"), Role::Owner, "a page's links: the path's page");
        assert_eq!(role(Endpoint::SetPageReaders, "acme", "other"), Role::Viewer);
        for deployment in [Endpoint::InviteOperator, Endpoint::EditOperator, Endpoint::RemovePage, Endpoint::AddPage] {
            assert_eq!(role(deployment, "acme", "acme"), Role::Viewer, "{deployment:?} takes the deployment role");
        }
        let old: Me = serde_json::from_str(r#"{"actor":{"kind":"admin_token"},"role":"editor"}"#).unwrap();
        assert_eq!((old.page.as_str(), old.page_role()), ("default", Role::Editor), "an answer from before pages");
    }

    #[test]
    fn routes_name_operations() {
        assert_eq!(route("POST", "incidents"), Ok(Operation::new(Endpoint::OpenIncident)));
        assert_eq!(route("POST", "incidents/abc/updates"), Ok(op(Endpoint::PostIncidentUpdate, "abc")));
        assert_eq!(route("POST", "maintenances/m-1/updates"), Ok(op(Endpoint::PostMaintenanceUpdate, "m-1")));
        assert_eq!(route("POST", "incidents/abc/postmortem/publish"), Ok(op(Endpoint::PublishPostmortem, "abc")));
        assert_eq!(route("PUT", "components/order"), Ok(Operation::new(Endpoint::ReorderComponents)));
        assert_eq!(route("PATCH", "page"), Ok(Operation::new(Endpoint::EditPage)));
        assert_eq!(route("PUT", "page"), Ok(Operation::new(Endpoint::ImportPage)));
        assert_eq!(route("PATCH", "components/order"), Err(allow("PUT")), "a literal is not an id");
        assert_eq!(route("POST", "maintenances/m-1/cancel"), Ok(op(Endpoint::CancelMaintenance, "m-1")));
        assert_eq!(route("GET", "incidents/abc"), Ok(op(Endpoint::GetIncident, "abc")));
        assert_eq!(route("DELETE", "maintenances/abc"), Ok(op(Endpoint::DeleteMaintenance, "abc")));
        assert_eq!(route("PUT", "maintenances/abc"), Err(allow("GET, PATCH, DELETE")));
        assert_eq!(route("DELETE", "maintenances/m-1/cancel"), Err(allow("POST")));
        assert_eq!(route("POST", "incidents/m-1/cancel"), Err(Miss::NotFound));
        assert_eq!(route("PATCH", "components/api"), Ok(op(Endpoint::EditComponent, "api")));
        assert_eq!(route("DELETE", "components/api"), Ok(op(Endpoint::RemoveComponent, "api")));
        assert_eq!(route("GET", "incidents"), Err(allow("POST")));
        assert_eq!(route("DELETE", "incidents/abc"), Ok(op(Endpoint::DeleteIncident, "abc")));
        assert_eq!(route("PUT", "incidents/abc"), Err(allow("GET, PATCH, DELETE")));
        assert_eq!(route("POST", "incidents/a%20b/updates"), Err(Miss::NotFound));
        assert_eq!(route("POST", "nothing"), Err(Miss::NotFound));
        assert_eq!(route("POST", "subscriptions"), Ok(Operation::new(Endpoint::CreateSubscription)));
        assert_eq!(route("GET", "subscriptions"), Ok(Operation::new(Endpoint::ListSubscriptions)));
        assert_eq!(route("DELETE", "subscriptions"), Err(allow("GET, POST")));
        assert_eq!(route("PATCH", "subscriptions/sub_1"), Ok(op(Endpoint::EditSubscription, "sub_1")));
        assert_eq!(route("DELETE", "subscriptions/sub_1"), Ok(op(Endpoint::DeleteSubscription, "sub_1")));
        assert_eq!(route("GET", "subscriptions/sub_1"), Err(allow("PATCH, DELETE")));
        assert_eq!(route("GET", "subscriptions/sub_1/deliveries"), Ok(op(Endpoint::ListDeliveries, "sub_1")));
        assert_eq!(
            route("POST", "subscriptions/sub_1/deliveries/evt_3_0/replay"),
            Ok(Operation::replay("sub_1", "evt_3_0"))
        );
        assert_eq!(route("GET", "subscriptions/sub_1/deliveries/evt_3_0/replay"), Err(allow("POST")));
        assert_eq!(route("POST", "subscriptions/sub_1/deliveries/evt..1/replay"), Err(Miss::NotFound));
        assert_eq!(route("GET", "openapi.json"), Ok(Operation::new(Endpoint::OpenApi)));
        assert_eq!(route("GET", "log/"), Ok(Operation::new(Endpoint::Log)), "a trailing slash is the same path");
    }

    /// Issue 25: what each role may call. A viewer reads (and keeps its own tokens); every page
    /// write but components, subscriptions and the import is an editor's; operators are an owner's.
    #[test]
    fn roles_gate_the_table() {
        for kind in Endpoint::ALL {
            let role = kind.role();
            if kind.spec().method != Method::Get && role == Role::Viewer {
                assert!(
                    matches!(kind, Endpoint::CreateToken | Endpoint::RevokeToken),
                    "{kind:?}: a viewer writes nothing else"
                );
            }
        }
        assert_eq!(Endpoint::PostIncidentUpdate.role(), Role::Editor);
        assert_eq!(Endpoint::CancelMaintenance.role(), Role::Editor);
        assert_eq!(Endpoint::PublishPostmortem.role(), Role::Editor);
        for owner in [
            Endpoint::ImportPage,
            Endpoint::CreateComponent,
            Endpoint::CreateSubscription,
            Endpoint::InviteOperator,
            Endpoint::ListDeliveries,
        ] {
            assert_eq!(owner.role(), Role::Owner, "{owner:?}");
        }
        assert_eq!(Endpoint::Log.role(), Role::Viewer);
        assert_eq!(Endpoint::PreviewPostmortem.role(), Role::Viewer);
        assert_eq!(route("POST", "operators").map(|op| op.endpoint.store()), Ok(Store::Accounts));
        assert_eq!(route("DELETE", "sessions/s_1"), Ok(op(Endpoint::RevokeSession, "s_1")));
        assert_eq!(route("GET", "operators/op_1/sessions"), Ok(op(Endpoint::ListSessions, "op_1")));
        assert_eq!(route("POST", "incidents").map(|op| op.endpoint.store()), Ok(Store::Page));
    }

    #[test]
    fn every_operation_routes_back_to_itself_from_its_path() {
        for kind in Endpoint::ALL {
            let spec = kind.spec();
            let op = Operation { endpoint: kind, id: "x1".into(), delivery: "evt_1_0".into() };
            let expected = Operation {
                endpoint: kind,
                id: if spec.path.contains("{id}") { "x1".into() } else { String::new() },
                delivery: if ["{delivery}", "{update}", "{token}"].iter().any(|p| spec.path.contains(p)) {
                    "evt_1_0".into()
                } else {
                    String::new()
                },
            };
            assert_eq!(route(spec.method.as_str(), &op.path()), Ok(expected), "{kind:?}");
        }
        let unique: std::collections::HashSet<(Method, &str)> =
            Endpoint::ALL.iter().map(|k| (k.spec().method, k.spec().path)).collect();
        assert_eq!(unique.len(), Endpoint::ALL.len(), "one row per method and path");
    }

    #[test]
    fn the_body_rules_come_from_the_table() {
        assert!(
            Endpoint::OpenIncident.creates() && Endpoint::OpenIncident.takes_body() && Endpoint::OpenIncident.writes()
        );
        assert!(!Endpoint::PublishPostmortem.takes_body() && Endpoint::PublishPostmortem.writes());
        assert!(!Endpoint::Log.writes() && !Endpoint::ListDeliveries.writes());
        assert_eq!(Endpoint::ImportPage.max_body(), IMPORT_BYTES);
        assert_eq!(Endpoint::WritePostmortem.max_body(), POSTMORTEM_REQUEST_BYTES);
        assert_eq!(Endpoint::EditComponent.max_body(), REQUEST_BYTES);
    }

    #[test]
    fn a_body_makes_the_command_its_operation_names_or_says_why_not() {
        let update = br#"{"status":"identified","body":"Found it"}"#;
        assert!(matches!(
            command(&op(Endpoint::PostMaintenanceUpdate, "m1"), update),
            Ok(Command::PostUpdate(id, _)) if id.0 == "m1"
        ));
        assert!(matches!(command(&op(Endpoint::PostIncidentUpdate, "i1"), b"[1]"), Err(BodyError::Unfit(_))));
        assert!(matches!(command(&op(Endpoint::PostIncidentUpdate, "i1"), b"{\"x\":1}"), Err(BodyError::Unfit(_))));
        assert_eq!(command(&Operation::new(Endpoint::Log), b""), Err(BodyError::NotACommand));
    }
}
