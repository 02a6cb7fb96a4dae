//! Who may do what through the write API: operators and their roles, the secrets they sign in with,
//! and the rules a cookie-carrying request must meet. Pure: the edge's account store keeps the
//! records, the Worker asks it who a request's credential belongs to, and both judge by these rules.
//!
//! - Three roles, each allowed what the one below is: a [`Role::Viewer`] reads the admin views
//!   and previews drafts, an [`Role::Editor`] writes incidents, updates, maintenance and
//!   postmortems, an [`Role::Owner`] also components, subscriptions, operators and the import.
//!   Which role each endpoint needs is `api::Endpoint::role`. The deployment's admin token is an
//!   owner (the bootstrap credential).
//! - Every write is attributed: the audit log records an [`Actor`], an operator by id, name and
//!   email, or the admin token.
//! - Secrets (sign-in links, sessions, personal tokens) are 256 random bits, shown once, and stored
//!   only as their SHA-256 ([`hash`], feature `sign`): with that much entropy a fast hash is
//!   enough, no password-hashing function is needed, and a leaked store signs nobody in.
//! - A sign-in link is single use and lives [`INVITE_MS`]; a session ends after [`SESSION_IDLE_MS`]
//!   without use and after [`SESSION_MAX_MS`] in any case.
//! - A cookie-authenticated write must come from the edge's own origin ([`same_origin_write`]).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::Timestamp;
use crate::problem::{Problem, ProblemCode};

/// What an operator may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum Role {
    /// Reads the admin views and previews drafts.
    Viewer,
    /// Also writes incidents, updates, maintenance and postmortems.
    Editor,
    /// Also components, subscriptions, operators and the import.
    Owner,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Viewer => "viewer",
            Self::Editor => "editor",
            Self::Owner => "owner",
        }
    }

    /// The role a word names (`viewer`, `editor`, `owner`).
    pub fn parse(word: &str) -> Option<Self> {
        match word {
            "viewer" => Some(Self::Viewer),
            "editor" => Some(Self::Editor),
            "owner" => Some(Self::Owner),
            _ => None,
        }
    }
}

/// Who did something, as the audit log records it: `{"kind": "operator", "id", "name", "email"}`,
/// `{"kind": "admin_token"}` or `{"kind": "sitrep"}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", try_from = "ActorWire")]
pub enum Actor {
    /// The deployment's shared admin token (`SITREP_ADMIN_TOKEN`).
    AdminToken,
    /// An operator, by a session or a personal token.
    Operator { id: String, name: String, email: String },
    /// sitrep itself: a maintenance's scheduled start or end, a pause after a day of failed
    /// deliveries.
    Sitrep,
}

/// [`Actor`] as read: a flat object instead of serde's internally tagged enum, whose reader buffers
/// every field first and added about 11 KB to the console's wasm (the same JSON either way).
#[derive(Deserialize)]
struct ActorWire {
    kind: ActorKind,
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    email: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum ActorKind {
    AdminToken,
    Operator,
    Sitrep,
}

impl TryFrom<ActorWire> for Actor {
    type Error = &'static str;

    fn try_from(wire: ActorWire) -> Result<Self, Self::Error> {
        Ok(match wire.kind {
            ActorKind::AdminToken => Self::AdminToken,
            ActorKind::Sitrep => Self::Sitrep,
            ActorKind::Operator => match (wire.id, wire.name, wire.email) {
                (Some(id), Some(name), Some(email)) => Self::Operator { id, name, email },
                _ => return Err("an operator needs an id, a name and an email"),
            },
        })
    }
}

impl Actor {
    /// How the audit log and the CLI name it: "Ada Lovelace <ada@example.com>" or "admin token".
    pub fn label(&self) -> String {
        match self {
            Self::AdminToken => "admin token".into(),
            Self::Sitrep => "sitrep".into(),
            Self::Operator { name, email, .. } if name.is_empty() => email.clone(),
            Self::Operator { name, email, .. } => format!("{name} <{email}>"),
        }
    }
}

/// An operator as the account store keeps it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Operator {
    pub id: String,
    pub email: String,
    #[serde(default)]
    pub name: String,
    pub role: Role,
    pub created_at: Timestamp,
    /// Who invited them (an [`Actor::label`]).
    #[serde(default)]
    pub invited_by: String,
    /// When their access was revoked: their sessions and tokens are gone, and a new invitation is
    /// the only way back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<Timestamp>,
    /// Sign-in links made before this instant do not sign them in (it is the last revocation:
    /// a link sent before someone was removed stays void after they are invited again).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub links_valid_from: Option<Timestamp>,
    /// Their role on a page where it is not `role` (by page id): a contractor who edits one
    /// customer's page and only reads the others. Calls about the deployment (operators, pages)
    /// take `role`; a page's own calls take [`Operator::role_on`] that page.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub pages: BTreeMap<String, Role>,
}

impl Operator {
    /// The operator as an actor in the audit log.
    pub fn actor(&self) -> Actor {
        Actor::Operator { id: self.id.clone(), name: self.name.clone(), email: self.email.clone() }
    }

    /// Their role on the page with id `page`.
    pub fn role_on(&self, page: &str) -> Role {
        role_on(self.role, &self.pages, page)
    }
}

/// Whose a credential is, and their roles (`GET me`; the account store's answer to the Worker).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    pub actor: Actor,
    /// Their role on the deployment, and on each page not named in `pages`.
    pub role: Role,
    /// Their role on particular pages ([`Operator::pages`]).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub pages: BTreeMap<String, Role>,
}

impl Identity {
    /// The admin token's: an owner everywhere.
    pub fn admin_token() -> Self {
        Self { actor: Actor::AdminToken, role: Role::Owner, pages: BTreeMap::new() }
    }

    pub fn of(operator: &Operator) -> Self {
        Self { actor: operator.actor(), role: operator.role, pages: operator.pages.clone() }
    }

    /// Their role on the page with id `page`.
    pub fn role_on(&self, page: &str) -> Role {
        role_on(self.role, &self.pages, page)
    }
}

/// The role on page `page` of someone whose deployment role is `role` and whose roles on
/// particular pages are `pages`.
pub fn role_on(role: Role, pages: &BTreeMap<String, Role>, page: &str) -> Role {
    pages.get(page).copied().unwrap_or(role)
}

/// How roles are named to people: `viewer`, or `viewer (editor on acme, owner on beta)`.
pub fn roles_label(role: Role, pages: &BTreeMap<String, Role>) -> String {
    if pages.is_empty() {
        return role.as_str().to_owned();
    }
    format!("{} ({})", role.as_str(), roles_on_pages(pages, "on"))
}

/// Roles on pages, each as `editor {on} acme`, joined by commas: `on` is "on" for people
/// ([`roles_label`]), "on page" for the log.
pub fn roles_on_pages(pages: &BTreeMap<String, Role>, on: &str) -> String {
    let named: Vec<String> = pages.iter().map(|(page, role)| format!("{} {on} {page}", role.as_str())).collect();
    named.join(", ")
}

/// Roles on particular pages an operator may have at most.
pub const MAX_PAGE_ROLES: usize = 100;

/// `POST operators`: invite someone (or invite again someone whose link was lost or whose access
/// was revoked) with a role.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct NewOperator {
    /// Their email address (what they are known by; compared without regard to case).
    pub email: String,
    pub role: Role,
    /// How the audit log names them (the email's local part when empty).
    #[serde(default)]
    pub name: String,
}

/// `PATCH operators/{id}`: a new role or name.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct OperatorEdit {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Roles on particular pages, by page id: a role sets the one on that page, `null` makes
    /// that page follow `role` again. Pages not named keep theirs.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub pages: BTreeMap<String, Option<Role>>,
}

impl OperatorEdit {
    /// `operator`'s page roles after this edit, checked: each page id one the deployment has
    /// (`known`), at most [`MAX_PAGE_ROLES`]. Also what the audit log says of the change.
    pub fn page_roles(
        &self,
        operator: &Operator,
        known: impl Fn(&str) -> bool,
    ) -> Result<(BTreeMap<String, Role>, Vec<String>), Problem> {
        let mut pages = operator.pages.clone();
        let mut said = Vec::new();
        for (page, role) in &self.pages {
            if !known(page) {
                let page: String = page.chars().take(80).collect();
                return Err(problem("pages", ProblemCode::NotFound, format!("no page with id {page:?}")));
            }
            match role {
                Some(role) => {
                    pages.insert(page.clone(), *role);
                    said.push(format!("{} on page {page}", role.as_str()));
                }
                None => {
                    if pages.remove(page).is_some() {
                        said.push(format!("their deployment role on page {page}"));
                    }
                }
            }
        }
        if pages.len() > MAX_PAGE_ROLES {
            return Err(problem("pages", ProblemCode::TooLong, format!("roles on {MAX_PAGE_ROLES} pages at most")));
        }
        Ok((pages, said))
    }
}

/// `POST tokens`: a personal token for the CLI, named so its owner can tell them apart.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct NewToken {
    pub name: String,
}

/// The longest email address (RFC 5321's path limit).
pub const MAX_EMAIL: usize = 254;
/// The longest operator or token name, in characters.
pub const MAX_NAME: usize = 100;
/// Operators a deployment keeps at most (revoked ones included).
pub const MAX_OPERATORS: usize = 200;
/// Sessions one operator may have at once; signing in past it ends the oldest.
pub const MAX_SESSIONS: usize = 20;
/// Personal tokens one operator may have at once.
pub const MAX_TOKENS: usize = 20;
/// Sign-in links pending at once (expired ones are removed at each invitation).
pub const MAX_PENDING_INVITES: usize = 100;
/// Entries the account log keeps (the oldest go first).
pub const MAX_LOG: usize = 1_000;

/// How long a sign-in link may be followed.
pub const INVITE_MS: i64 = 24 * 3_600_000;
/// How long a session lasts without being used.
pub const SESSION_IDLE_MS: i64 = 12 * 3_600_000;
/// How long a session lasts at most, used or not.
pub const SESSION_MAX_MS: i64 = 7 * 24 * 3_600_000;
/// How stale a session's "last used" may get before a request writes it again (a write per
/// request would put every console poll on the account store's storage).
pub const SESSION_TOUCH_MS: i64 = 5 * 60_000;

fn problem(path: &str, code: ProblemCode, message: impl Into<String>) -> Problem {
    Problem { path: path.to_owned(), code, message: message.into() }
}

/// An email address as kept: trimmed and lowercased; checked for one `@` between a local part and
/// a domain with a dot (or `localhost`), no spaces or control characters, at most [`MAX_EMAIL`].
pub fn email(text: &str) -> Result<String, Problem> {
    let email = text.trim().to_lowercase();
    let invalid = |why: &str| Err(problem("email", ProblemCode::Invalid, format!("{email:?} {why}")));
    if email.is_empty() {
        return Err(problem("email", ProblemCode::Missing, "an email address is required"));
    }
    if email.len() > MAX_EMAIL {
        return Err(problem("email", ProblemCode::TooLong, format!("at most {MAX_EMAIL} bytes")));
    }
    if email.chars().any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '"' | ',' | ';')) {
        return invalid("has a space or a character an address cannot have");
    }
    let Some((local, domain)) = email.split_once('@') else { return invalid("has no @") };
    if local.is_empty() || domain.is_empty() || domain.contains('@') {
        return invalid("is not local-part@domain");
    }
    if !(domain.contains('.') || domain == "localhost") || domain.starts_with('.') || domain.ends_with('.') {
        return invalid("has no domain such as example.com");
    }
    Ok(email)
}

/// A name as kept: trimmed, control characters refused, at most [`MAX_NAME`] characters.
pub fn name(text: &str, path: &str) -> Result<String, Problem> {
    let name = text.trim();
    if name.chars().count() > MAX_NAME {
        return Err(problem(path, ProblemCode::TooLong, format!("at most {MAX_NAME} characters")));
    }
    if name.chars().any(|c| c.is_control() || is_format(c)) {
        return Err(problem(path, ProblemCode::Invalid, "has a control or direction-changing character"));
    }
    Ok(name.to_owned())
}

/// Invisible characters that change how the text around them reads (zero-width, bidi controls):
/// a name with them could pass for another in the audit log.
fn is_format(c: char) -> bool {
    matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2069}' | '\u{feff}' | '\u{00ad}')
}

/// Text from a request header as kept for display (a session's browser): control and
/// direction-changing characters become spaces, at most 200 characters.
pub fn shown(text: &str) -> String {
    text.chars().map(|c| if c.is_control() || is_format(c) { ' ' } else { c }).take(200).collect()
}

impl Operator {
    /// Whether a session or token made at `at` still stands: not before the last revocation
    /// (revocation deletes them too; this holds even if one were left behind).
    pub fn issued_validly(&self, at: Timestamp) -> bool {
        self.revoked_at.is_none() && self.links_valid_from.is_none_or(|from| at >= from)
    }
}

impl NewOperator {
    /// The invitation as kept (email normalised, a name given), or every problem with it.
    pub fn checked(&self) -> Result<Self, Vec<Problem>> {
        let mut problems = Vec::new();
        let email = email(&self.email).map_err(|p| problems.push(p)).unwrap_or_default();
        let name = name(&self.name, "name").map_err(|p| problems.push(p)).unwrap_or_default();
        if !problems.is_empty() {
            return Err(problems);
        }
        let name = if name.is_empty() { email.split('@').next().unwrap_or_default().to_owned() } else { name };
        Ok(Self { email, role: self.role, name })
    }
}

/// What a secret is for: its text starts with the kind's prefix, so a personal token is told from
/// the admin token by its look, and a secret pasted in the wrong place is refused for what it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Secret {
    /// A single-use sign-in link's token.
    Invite,
    /// A browser session (the cookie).
    Session,
    /// A personal token for the CLI.
    Token,
}

impl Secret {
    pub const fn prefix(self) -> &'static str {
        match self {
            Self::Invite => "sitrep_invite_",
            Self::Session => "sitrep_session_",
            Self::Token => "sitrep_pat_",
        }
    }

    /// The secret's text: its prefix and 32 random bytes in hex.
    pub fn text(self, random: &[u8; 32]) -> String {
        let hex: String = random.iter().map(|b| format!("{b:02x}")).collect();
        format!("{}{hex}", self.prefix())
    }

    /// Whether `text` has this kind's shape (prefix and 64 lowercase hex digits).
    pub fn fits(self, text: &str) -> bool {
        text.strip_prefix(self.prefix())
            .is_some_and(|hex| hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)))
    }
}

/// What a secret is stored as: its SHA-256, in hex. The store never sees the secret itself.
#[cfg(feature = "sign")]
pub fn hash(secret: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(secret.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// A pending sign-in link (kept under its hash; deleted when followed).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invite {
    /// The operator it signs in.
    pub operator: String,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
}

impl Invite {
    pub fn new(operator: &str, now: Timestamp, lifetime_ms: i64) -> Self {
        Self { operator: operator.to_owned(), created_at: now, expires_at: after(now, lifetime_ms) }
    }

    /// Whether it still signs `operator` in at `now`: not expired, the operator not revoked, and
    /// made after their last revocation.
    pub fn signs_in(&self, operator: &Operator, now: Timestamp) -> bool {
        now < self.expires_at
            && operator.revoked_at.is_none()
            && operator.links_valid_from.is_none_or(|from| self.created_at >= from)
    }
}

/// A signed-in browser (kept under its secret's hash).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// Its public id: what the sessions list shows and a revocation names (never the secret).
    pub id: String,
    pub operator: String,
    pub created_at: Timestamp,
    pub last_used: Timestamp,
    /// The browser that signed in, cut to 200 characters.
    #[serde(default)]
    pub user_agent: String,
}

impl Session {
    /// Whether it has ended at `now`: unused for `idle_ms`, or older than [`SESSION_MAX_MS`].
    pub fn expired(&self, now: Timestamp, idle_ms: i64) -> bool {
        now >= after(self.last_used, idle_ms) || now >= after(self.created_at, SESSION_MAX_MS)
    }

    /// Whether a use at `now` should be written: its last use is [`SESSION_TOUCH_MS`] old, or a
    /// quarter of the idle time `idle_ms` when that is shorter (so a session in use never ends).
    pub fn needs_touch(&self, now: Timestamp, idle_ms: i64) -> bool {
        now >= after(self.last_used, SESSION_TOUCH_MS.min(idle_ms / 4))
    }
}

/// A personal token (kept under its hash).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Token {
    /// Its public id, for the list and revocation.
    pub id: String,
    pub operator: String,
    pub name: String,
    pub created_at: Timestamp,
}

fn after(at: Timestamp, ms: i64) -> Timestamp {
    Timestamp::from_unix_millis(at.unix_millis().saturating_add(ms)).unwrap_or(at)
}

/// Why a cookie-authenticated write is refused before anything else is looked at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CrossSite {
    /// `Sec-Fetch-Site` says another site or origin sent it.
    FetchSite,
    /// `Origin` names another origin.
    Origin,
    /// Neither header says where it came from.
    Unknown,
}

impl CrossSite {
    pub fn message(self) -> &'static str {
        match self {
            Self::FetchSite | Self::Origin => {
                "this request came from another site: signed-in writes come from this console only"
            }
            Self::Unknown => {
                "a signed-in write must say where it came from (Origin or Sec-Fetch-Site); use a token for scripts"
            }
        }
    }
}

/// Whether a request that carries the session cookie may change anything: reads may come from
/// anywhere (the cookie is `SameSite=Strict` anyway, and nothing they answer is readable across
/// origins); a write must come from `own_origin`, by `Sec-Fetch-Site: same-origin` where the
/// browser sends it and by `Origin` where it sends that. A request with neither is refused: every
/// browser that can run the console sends one of them on a POST. `Origin: null` is what a page
/// with `Referrer-Policy: no-referrer` sends on its own posts (and a sandboxed frame on any): it
/// passes only beside `Sec-Fetch-Site: same-origin`, a header no page can set.
pub fn same_origin_write(
    method: &str,
    origin: Option<&str>,
    fetch_site: Option<&str>,
    own_origin: &str,
) -> Result<(), CrossSite> {
    if matches!(method, "GET" | "HEAD" | "OPTIONS") {
        return Ok(());
    }
    if let Some(site) = fetch_site
        && !site.eq_ignore_ascii_case("same-origin")
    {
        return Err(CrossSite::FetchSite);
    }
    let vouched = fetch_site.is_some_and(|site| site.eq_ignore_ascii_case("same-origin")) && origin == Some("null");
    if let Some(origin) = origin
        && !vouched
        && !origin.trim_end_matches('/').eq_ignore_ascii_case(own_origin.trim_end_matches('/'))
    {
        return Err(CrossSite::Origin);
    }
    if origin.is_none() && fetch_site.is_none() {
        return Err(CrossSite::Unknown);
    }
    Ok(())
}

/// The session cookie's name: with the `__Host-` prefix on https (the browser then keeps it only
/// if it is `Secure`, for this host alone, on every path), plain on http (local development).
pub fn cookie_name(secure: bool) -> &'static str {
    if secure { "__Host-sitrep_session" } else { "sitrep_session" }
}

/// The session secret a `Cookie` header carries, if it has one of the right shape.
pub fn session_from_cookies(header: &str, secure: bool) -> Option<&str> {
    let name = cookie_name(secure);
    header
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.trim())
        .filter(|value| Secret::Session.fits(value))
}

/// The `Set-Cookie` value that keeps `secret` in the browser: `HttpOnly` (no script reads it),
/// `SameSite=Strict` (no other site's request carries it), `Secure` on https; it lives as long as
/// a session can ([`SESSION_MAX_MS`]); the server ends it sooner when it is idle.
pub fn set_cookie(secret: &str, secure: bool) -> String {
    let secure_flag = if secure { "; Secure" } else { "" };
    format!(
        "{}={secret}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{secure_flag}",
        cookie_name(secure),
        SESSION_MAX_MS / 1000
    )
}

/// The `Set-Cookie` value that removes the session cookie (signing out).
pub fn clear_cookie(secure: bool) -> String {
    let secure_flag = if secure { "; Secure" } else { "" };
    format!("{}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{secure_flag}", cookie_name(secure))
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    fn at(ms: i64) -> Timestamp {
        Timestamp::from_unix_millis(1_800_000_000_000 + ms).unwrap()
    }

    #[test]
    fn actors_read_back_as_written_and_a_partial_operator_is_refused() {
        let operator = Actor::Operator { id: "op_1".into(), name: "Ada".into(), email: "ada@example.com".into() };
        for actor in [Actor::AdminToken, Actor::Sitrep, operator] {
            let json = serde_json::to_string(&actor).unwrap();
            assert_eq!(serde_json::from_str::<Actor>(&json).unwrap(), actor, "{json}");
        }
        assert_eq!(serde_json::to_string(&Actor::AdminToken).unwrap(), r#"{"kind":"admin_token"}"#);
        assert!(serde_json::from_str::<Actor>(r#"{"kind":"operator","id":"op_1"}"#).is_err());
        assert!(serde_json::from_str::<Actor>(r#"{"kind":"robot"}"#).is_err());
    }

    #[test]
    fn roles_order_and_parse() {
        assert!(Role::Viewer < Role::Editor && Role::Editor < Role::Owner);
        for role in [Role::Viewer, Role::Editor, Role::Owner] {
            assert_eq!(Role::parse(role.as_str()), Some(role));
            assert_eq!(serde_json::to_string(&role).unwrap(), format!("\"{}\"", role.as_str()));
        }
        assert_eq!(Role::parse("admin"), None);
    }

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(email("  Ada@Example.COM ").unwrap(), "ada@example.com");
        assert_eq!(email("dev@localhost").unwrap(), "dev@localhost");
        for bad in [
            "",
            "ada",
            "@example.com",
            "ada@",
            "ada@example",
            "a b@example.com",
            "a@b@example.com",
            "ada@.com",
            "<a@b.c>",
        ] {
            assert!(email(bad).is_err(), "{bad:?}");
        }
        assert_eq!(email(&format!("{}@example.com", "a".repeat(250))).unwrap_err().code, ProblemCode::TooLong);
        let invited = NewOperator { email: "Grace@Example.com".into(), role: Role::Editor, name: " ".into() };
        assert_eq!(invited.checked().unwrap().name, "grace", "the local part names them by default");
        let bad = NewOperator { email: "x".into(), role: Role::Viewer, name: "a\u{7}".into() };
        assert_eq!(bad.checked().unwrap_err().len(), 2, "every problem at once");
        assert!(name("Ada\u{202e}nimda", "name").is_err(), "a bidi override could pass for another name");
        assert_eq!(shown("curl\u{85}/8\u{200f}"), "curl /8 ");
    }

    #[test]
    fn actors_are_named_for_the_log() {
        assert_eq!(Actor::AdminToken.label(), "admin token");
        let ada = Actor::Operator { id: "op_1".into(), name: "Ada".into(), email: "ada@example.com".into() };
        assert_eq!(ada.label(), "Ada <ada@example.com>");
        let json = serde_json::to_value(&ada).unwrap();
        assert_eq!(json["kind"], "operator");
        assert_eq!(serde_json::from_value::<Actor>(json).unwrap(), ada);
    }

    #[test]
    fn secrets_have_their_kind_s_shape_and_are_stored_hashed() {
        let session = Secret::Session.text(&[0xab; 32]);
        assert!(Secret::Session.fits(&session));
        assert!(!Secret::Token.fits(&session), "a session is not a token");
        assert!(!Secret::Session.fits(&session[..session.len() - 1]));
        assert!(!Secret::Session.fits(&session.to_uppercase()));
        #[cfg(feature = "sign")]
        {
            assert_eq!(hash("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
            assert_ne!(hash(&session), session);
        }
    }

    #[test]
    fn a_role_on_a_page_overrides_the_deployment_role_there_only_and_null_gives_it_back() {
        let mut ada = Operator {
            id: "op_1".into(),
            email: "ada@example.com".into(),
            name: "Ada".into(),
            role: Role::Viewer,
            created_at: at(0),
            invited_by: "admin token".into(),
            revoked_at: None,
            links_valid_from: None,
            pages: BTreeMap::new(),
        };
        let known = |page: &str| matches!(page, "acme" | "beta");
        let edit: OperatorEdit = serde_json::from_str(r#"{"pages":{"acme":"editor","beta":"owner"}}"#).unwrap();
        let (pages, said) = edit.page_roles(&ada, known).unwrap();
        ada.pages = pages;
        assert_eq!(
            (ada.role_on("acme"), ada.role_on("beta"), ada.role_on("default")),
            (Role::Editor, Role::Owner, Role::Viewer)
        );
        assert_eq!(said, ["editor on page acme", "owner on page beta"]);
        assert_eq!(roles_label(ada.role, &ada.pages), "viewer (editor on acme, owner on beta)");
        let back: OperatorEdit = serde_json::from_str(r#"{"pages":{"beta":null}}"#).unwrap();
        let (pages, said) = back.page_roles(&ada, known).unwrap();
        ada.pages = pages;
        assert_eq!((ada.role_on("acme"), ada.role_on("beta")), (Role::Editor, Role::Viewer));
        assert_eq!(said, ["their deployment role on page beta"]);
        let unknown: OperatorEdit = serde_json::from_str(r#"{"pages":{"gone":"owner"}}"#).unwrap();
        let problem = unknown.page_roles(&ada, known).unwrap_err();
        assert_eq!((problem.path.as_str(), problem.code), ("pages", ProblemCode::NotFound));
        assert!(serde_json::from_str::<OperatorEdit>(r#"{"pages":{"acme":"admin"}}"#).is_err(), "no such role");
        let many = OperatorEdit {
            pages: (0..=MAX_PAGE_ROLES).map(|n| (format!("p{n}"), Some(Role::Editor))).collect(),
            ..OperatorEdit::default()
        };
        assert_eq!(many.page_roles(&ada, |_| true).unwrap_err().code, ProblemCode::TooLong);
        let json = serde_json::to_value(&ada).unwrap();
        assert_eq!(json["pages"], serde_json::json!({"acme": "editor"}));
        ada.pages.clear();
        assert!(serde_json::to_value(&ada).unwrap().get("pages").is_none(), "none kept, none written");
    }

    #[test]
    fn links_expire_after_a_day_and_sessions_when_idle_or_old() {
        let invite = Invite::new("op_1", at(0), INVITE_MS);
        let mut ada = Operator {
            id: "op_1".into(),
            email: "ada@example.com".into(),
            name: "Ada".into(),
            role: Role::Editor,
            created_at: at(0),
            invited_by: "admin token".into(),
            revoked_at: None,
            links_valid_from: None,
            pages: BTreeMap::new(),
        };
        assert!(invite.signs_in(&ada, at(INVITE_MS - 1)));
        assert!(!invite.signs_in(&ada, at(INVITE_MS)), "a day at most");
        ada.revoked_at = Some(at(10));
        assert!(!invite.signs_in(&ada, at(20)), "revoked");
        (ada.revoked_at, ada.links_valid_from) = (None, Some(at(10)));
        assert!(!invite.signs_in(&ada, at(20)), "a link from before a revocation stays void after a new invitation");
        assert!(Invite::new("op_1", at(10), INVITE_MS).signs_in(&ada, at(20)));
        let mut session = Session {
            id: "s".into(),
            operator: "op_1".into(),
            created_at: at(0),
            last_used: at(0),
            user_agent: String::new(),
        };
        assert!(!session.expired(at(SESSION_IDLE_MS - 1), SESSION_IDLE_MS));
        assert!(session.expired(at(SESSION_IDLE_MS), SESSION_IDLE_MS), "12 h idle");
        assert!(!session.needs_touch(at(SESSION_TOUCH_MS - 1), SESSION_IDLE_MS));
        assert!(session.needs_touch(at(SESSION_TOUCH_MS), SESSION_IDLE_MS));
        assert!(session.needs_touch(at(500), 2_000), "a short idle time is touched within it");
        session.last_used = at(SESSION_MAX_MS - 1);
        assert!(session.expired(at(SESSION_MAX_MS), SESSION_IDLE_MS), "a week at most, however used");
    }

    #[test]
    fn a_signed_in_write_must_come_from_this_origin() {
        let own = "https://status.example.com";
        assert_eq!(same_origin_write("GET", Some("https://evil.example"), Some("cross-site"), own), Ok(()));
        assert_eq!(same_origin_write("POST", Some(own), Some("same-origin"), own), Ok(()));
        assert_eq!(same_origin_write("POST", Some("https://STATUS.example.com"), None, own), Ok(()));
        assert_eq!(same_origin_write("DELETE", None, Some("same-origin"), own), Ok(()));
        assert_eq!(same_origin_write("POST", Some("https://evil.example"), None, own), Err(CrossSite::Origin));
        assert_eq!(same_origin_write("POST", Some(own), Some("same-site"), own), Err(CrossSite::FetchSite));
        assert_eq!(same_origin_write("PATCH", None, Some("cross-site"), own), Err(CrossSite::FetchSite));
        assert_eq!(same_origin_write("POST", Some("null"), None, own), Err(CrossSite::Origin), "a sandboxed frame");
        // A page sent with `Referrer-Policy: no-referrer` (the sign-in page: the link is in its
        // URL) posts its own form with `Origin: null`; the browser's Sec-Fetch-Site, which no page
        // can set, still says where it came from.
        assert_eq!(same_origin_write("POST", Some("null"), Some("same-origin"), own), Ok(()));
        assert_eq!(same_origin_write("POST", Some("null"), Some("cross-site"), own), Err(CrossSite::FetchSite));
        assert_eq!(same_origin_write("POST", Some("null"), Some("none"), own), Err(CrossSite::FetchSite));
        assert_eq!(same_origin_write("POST", None, None, own), Err(CrossSite::Unknown));
        assert_eq!(same_origin_write("POST", Some("http://status.example.com"), None, own), Err(CrossSite::Origin));
    }

    #[test]
    fn the_session_cookie_is_host_only_http_only_and_strict() {
        let secret = Secret::Session.text(&[1; 32]);
        let set = set_cookie(&secret, true);
        assert!(set.starts_with(&format!("__Host-sitrep_session={secret}; Path=/;")));
        for part in ["HttpOnly", "SameSite=Strict", "Secure", "Max-Age=604800"] {
            assert!(set.contains(part), "{part}");
        }
        assert!(!set_cookie(&secret, false).contains("Secure"));
        assert!(!set.contains("Domain"), "host-only");
        let header = format!("theme=dark; __Host-sitrep_session={secret}; other=1");
        assert_eq!(session_from_cookies(&header, true), Some(secret.as_str()));
        assert_eq!(session_from_cookies(&header, false), None, "the http name is another cookie");
        assert_eq!(session_from_cookies("__Host-sitrep_session=forged", true), None);
        assert!(clear_cookie(true).contains("Max-Age=0"));
    }
}
