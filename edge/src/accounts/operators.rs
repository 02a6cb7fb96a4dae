//! The write API's account calls: invitations, roles, revocation, sessions and tokens as lists,
//! and the log of every change with who made it.

use serde_json::json;
use sitrep_shared::access::{self, Actor, Invite, NewOperator, NewToken, Operator, OperatorEdit, Session, Token};
use sitrep_shared::api::Endpoint;
use sitrep_shared::{Problem, Timestamp};

use super::layout::{self, Key, LOG_PREFIX, LogEntry, get};
use super::object::AccountStore;
use super::protocol::{AccountCall, AccountReply};
use crate::clock::now;
use crate::error::EdgeError;
use crate::storage::{Batch, entries, from_json};

/// Log entries `GET operators` shows, newest first.
const LOG_SHOWN: usize = 50;

pub(super) fn parse<T: serde::de::DeserializeOwned>(body: &str) -> Result<T, EdgeError> {
    serde_json::from_str(body).map_err(|e| EdgeError::BadRequest(format!("the body does not parse: {e}")))
}

pub(super) fn reply(status: u16, body: serde_json::Value) -> AccountReply {
    AccountReply { status, body }
}

fn unknown(id: &str) -> EdgeError {
    EdgeError::Missing(format!("no operator with id {id:?}"))
}

impl AccountStore {
    pub(super) async fn admin(&self, call: AccountCall) -> Result<AccountReply, EdgeError> {
        let now = now()?;
        let id = call.op.id.as_str();
        match call.op.endpoint {
            Endpoint::ListOperators => self.list().await,
            Endpoint::InviteOperator => {
                let secret =
                    call.secret.ok_or_else(|| EdgeError::Internal("an invitation without its secret".into()))?;
                self.invite(parse(&call.body)?, &secret.hash, &call.actor, now).await
            }
            Endpoint::EditOperator => self.edit(id, parse(&call.body)?, &call.actor, now).await,
            Endpoint::RevokeOperator => self.revoke(id, &call.actor, now).await,
            Endpoint::ListSessions => self.sessions(id).await,
            Endpoint::RevokeSession => self.revoke_session(id, &call.actor, now).await,
            Endpoint::ListTokens => match &call.actor {
                Actor::Operator { id, .. } => self.tokens(id).await,
                _ => Ok(reply(200, json!({ "tokens": [] }))),
            },
            Endpoint::ListOperatorTokens => {
                self.operator(id).await?;
                self.tokens(id).await
            }
            Endpoint::CreateToken => {
                let secret = call.secret.ok_or_else(|| EdgeError::Internal("a token without its secret".into()))?;
                self.create_token(parse(&call.body)?, &secret.hash, &secret.id, &call.actor, now).await
            }
            Endpoint::RevokeToken => {
                let mine = match &call.actor {
                    Actor::Operator { id, .. } => id.clone(),
                    _ => return Err(EdgeError::Missing(format!("you have no token with id {id:?}"))),
                };
                self.revoke_token(&mine, id, &call.actor, now).await
            }
            Endpoint::RevokeOperatorToken => {
                self.operator(id).await?;
                self.revoke_token(id, &call.op.delivery, &call.actor, now).await
            }
            Endpoint::ListPages => self.list_pages().await,
            Endpoint::AddPage => self.add_page(parse(&call.body)?, &call.reserved, &call.actor, now).await,
            Endpoint::RemovePage => self.remove_page(id, &call.actor, now).await,
            Endpoint::CreateReaderLink => {
                let days = crate::directory::link_days(&call.body)?;
                self.reader_link(id, days, &call.actor, now).await
            }
            Endpoint::RevokeReaderLinks => self.revoke_links(id, &call.actor, now).await,
            Endpoint::SetPageReaders => self.set_readers(id, parse(&call.body)?, &call.actor, now).await,
            other => Err(EdgeError::Internal(format!("{other:?} is not the account store's"))),
        }
    }

    async fn list(&self) -> Result<AccountReply, EdgeError> {
        let storage = self.state.storage();
        let operators = layout::operators(&storage).await?;
        let options = worker::ListOptions::new().prefix(LOG_PREFIX).reverse(true).limit(LOG_SHOWN);
        let log: Vec<LogEntry> =
            entries(&storage, options).await?.iter().map(|(_, text)| from_json(text)).collect::<Result<_, _>>()?;
        Ok(reply(200, json!({ "operators": operators, "log": log })))
    }

    async fn operator(&self, id: &str) -> Result<Operator, EdgeError> {
        get(&self.state.storage(), Key::Operator(id)).await?.ok_or_else(|| unknown(id))
    }

    /// Adds the log entry of a change to `batch`, and the removal of the oldest entries past
    /// [`access::MAX_LOG`] (counted under `log-count`, so no write lists the whole log).
    pub(super) async fn log(
        &self,
        batch: &mut Batch,
        by: &Actor,
        summary: String,
        now: Timestamp,
    ) -> Result<(), EdgeError> {
        let storage = self.state.storage();
        let id = crate::secrets::public_id("")?;
        batch.put(Key::Log(now.unix_millis(), &id), &LogEntry { at: now, by: by.label(), summary })?;
        let mut count: usize = get(&storage, Key::LogCount).await?.unwrap_or(0) + 1;
        if count > access::MAX_LOG {
            let options = worker::ListOptions::new().prefix(LOG_PREFIX).limit(count - access::MAX_LOG);
            for (key, _) in entries(&storage, options).await? {
                batch.delete_listed(key);
                count -= 1;
            }
        }
        batch.put(Key::LogCount, &count)
    }

    /// Adds to `batch` the removal of expired sign-in links (a batch at most), and refuses a new
    /// one when [`access::MAX_PENDING_INVITES`] are still pending.
    async fn prune_invites(&self, batch: &mut Batch, now: Timestamp) -> Result<(), EdgeError> {
        let storage = self.state.storage();
        let pending = entries(&storage, worker::ListOptions::new().prefix(layout::INVITE_PREFIX)).await?;
        let mut left = 0;
        for (key, text) in pending {
            match from_json::<Invite>(&text) {
                Ok(invite) if invite.expires_at > now => left += 1,
                _ => batch.delete_listed(key),
            }
        }
        if left >= access::MAX_PENDING_INVITES {
            return Err(EdgeError::Conflict(format!(
                "{} sign-in links are pending already: wait for them to be used or to expire",
                access::MAX_PENDING_INVITES
            )));
        }
        Ok(())
    }

    async fn invite(
        &self,
        new: NewOperator,
        hash: &str,
        by: &Actor,
        now: Timestamp,
    ) -> Result<AccountReply, EdgeError> {
        let new = new.checked().map_err(EdgeError::Invalid)?;
        let storage = self.state.storage();
        let known: Option<String> = get(&storage, Key::Email(&new.email)).await?;
        let mut batch = Batch::default();
        let mut dropped = std::collections::BTreeMap::new();
        let operator = match known {
            Some(id) => {
                let mut operator = self.operator(&id).await?;
                operator.role = new.role;
                // Invited again, they start from the role this invitation gives (the log says
                // which roles on pages went).
                dropped = std::mem::take(&mut operator.pages);
                if !new.name.is_empty() {
                    operator.name = new.name;
                }
                operator.revoked_at = None;
                // A new link voids every earlier one (a link sent to the wrong place is replaced).
                operator.links_valid_from = Some(now);
                operator
            }
            None => {
                if layout::operators(&storage).await?.len() >= access::MAX_OPERATORS {
                    let message = format!("{} operators at most (revoked ones count)", access::MAX_OPERATORS);
                    return Err(EdgeError::Invalid(vec![Problem {
                        path: "email".into(),
                        code: sitrep_shared::ProblemCode::TooLong,
                        message,
                    }]));
                }
                let id = crate::secrets::public_id("op_")?;
                batch.put(Key::Email(&new.email), &id)?;
                Operator {
                    id,
                    email: new.email,
                    name: new.name,
                    role: new.role,
                    created_at: now,
                    invited_by: by.label(),
                    revoked_at: None,
                    links_valid_from: None,
                    pages: Default::default(),
                }
            }
        };
        self.prune_invites(&mut batch, now).await?;
        let invite = Invite::new(&operator.id, now, self.invite_ms());
        batch.put(Key::Invite(hash), &invite)?;
        batch.put(Key::Operator(&operator.id), &operator)?;
        let mut summary = format!("invited {} as {}", operator.actor().label(), operator.role.as_str());
        if !dropped.is_empty() {
            summary.push_str(&format!(" (no longer {})", access::roles_on_pages(&dropped, "on page")));
        }
        self.log(&mut batch, by, summary, now).await?;
        batch.commit(&storage).await?;
        Ok(reply(201, json!({ "operator": operator, "expires_at": invite.expires_at })))
    }

    async fn edit(&self, id: &str, edit: OperatorEdit, by: &Actor, now: Timestamp) -> Result<AccountReply, EdgeError> {
        let mut operator = self.operator(id).await?;
        let mut said = Vec::new();
        if let Some(name) = &edit.name {
            operator.name = access::name(name, "name").map_err(|p| EdgeError::Invalid(vec![p]))?;
            said.push(format!("renamed {}", operator.email));
        }
        if let Some(role) = edit.role {
            said.push(format!("made {} {}", operator.actor().label(), role.as_str()));
            operator.role = role;
        }
        if !edit.pages.is_empty() {
            if operator.revoked_at.is_some() {
                return Err(EdgeError::Conflict(format!(
                    "{} was revoked: invite them again first",
                    operator.actor().label()
                )));
            }
            let directory = self.stored_directory().await?;
            let known = |page: &str| page == sitrep_shared::host::DEFAULT_PAGE || directory.get(page).is_some();
            let (pages, on_pages) = edit.page_roles(&operator, known).map_err(|p| EdgeError::Invalid(vec![p]))?;
            operator.pages = pages;
            if !on_pages.is_empty() {
                said.push(format!("gave {} {}", operator.actor().label(), on_pages.join(", ")));
            }
        }
        let mut batch = Batch::default();
        batch.put(Key::Operator(id), &operator)?;
        if !said.is_empty() {
            self.log(&mut batch, by, said.join("; "), now).await?;
        }
        batch.commit(&self.state.storage()).await?;
        Ok(reply(200, json!({ "operator": operator })))
    }

    async fn revoke(&self, id: &str, by: &Actor, now: Timestamp) -> Result<AccountReply, EdgeError> {
        let mut operator = self.operator(id).await?;
        let storage = self.state.storage();
        let mut batch = Batch::default();
        // Every session and token goes with them, and every link sent before now is void.
        let sessions = self.index(&layout::sessions_of(id)).await?;
        for (session, hash) in &sessions {
            batch.delete(Key::SessionOf(id, session));
            batch.delete(Key::SessionId(session));
            batch.delete(Key::Session(hash));
        }
        for (token, hash) in &self.index(&layout::tokens_of(id)).await? {
            batch.delete(Key::TokenOf(id, token));
            batch.delete(Key::Token(hash));
        }
        operator.revoked_at = Some(now);
        operator.links_valid_from = Some(now);
        // Invited again, they start from the role that invitation gives.
        let dropped = std::mem::take(&mut operator.pages);
        batch.put(Key::Operator(id), &operator)?;
        let mut summary = format!("revoked {}", operator.actor().label());
        if !dropped.is_empty() {
            summary.push_str(&format!(" (and {})", access::roles_on_pages(&dropped, "on page")));
        }
        self.log(&mut batch, by, summary, now).await?;
        batch.commit(&storage).await?;
        Ok(reply(200, json!({ "operator": operator, "sessions_ended": sessions.len() })))
    }

    /// (index key, stored hash) under `prefix`.
    async fn entries(&self, prefix: &str) -> Result<Vec<(String, String)>, EdgeError> {
        let found = entries(&self.state.storage(), worker::ListOptions::new().prefix(prefix)).await?;
        found.into_iter().map(|(key, text)| Ok((key, from_json::<String>(&text)?))).collect()
    }

    /// (public id, hash) under `prefix`.
    pub(super) async fn index(&self, prefix: &str) -> Result<Vec<(String, String)>, EdgeError> {
        let found = self.entries(prefix).await?;
        Ok(found.into_iter().map(|(key, hash)| (key.trim_start_matches(prefix).to_owned(), hash)).collect())
    }

    async fn sessions(&self, id: &str) -> Result<AccountReply, EdgeError> {
        self.operator(id).await?;
        let storage = self.state.storage();
        let mut sessions = Vec::new();
        for (_, hash) in self.index(&layout::sessions_of(id)).await? {
            if let Some(session) = get::<Session>(&storage, Key::Session(&hash)).await? {
                sessions.push(json!({ "id": session.id, "created_at": session.created_at,
                    "last_used": session.last_used, "user_agent": session.user_agent }));
            }
        }
        Ok(reply(200, json!({ "sessions": sessions })))
    }

    async fn revoke_session(&self, id: &str, by: &Actor, now: Timestamp) -> Result<AccountReply, EdgeError> {
        let storage = self.state.storage();
        let missing = || EdgeError::Missing(format!("no session with id {id:?}"));
        let hash: String = get(&storage, Key::SessionId(id)).await?.ok_or_else(missing)?;
        let session: Session = get(&storage, Key::Session(&hash)).await?.ok_or_else(missing)?;
        let mut batch = Batch::default();
        self.end_session(&mut batch, &hash, &session);
        self.log(&mut batch, by, format!("signed out a browser of {}", session.operator), now).await?;
        batch.commit(&storage).await?;
        Ok(reply(200, json!({ "id": id })))
    }

    /// Removes a session and its index entries.
    pub(super) fn end_session(&self, batch: &mut Batch, hash: &str, session: &Session) {
        batch.delete(Key::Session(hash));
        batch.delete(Key::SessionId(&session.id));
        batch.delete(Key::SessionOf(&session.operator, &session.id));
    }

    /// An operator's personal tokens (never the tokens themselves).
    async fn tokens(&self, id: &str) -> Result<AccountReply, EdgeError> {
        let storage = self.state.storage();
        let mut tokens = Vec::new();
        for (_, hash) in self.entries(&layout::tokens_of(id)).await? {
            if let Some(token) = get::<Token>(&storage, Key::Token(&hash)).await? {
                tokens.push(json!({ "id": token.id, "name": token.name, "created_at": token.created_at }));
            }
        }
        Ok(reply(200, json!({ "tokens": tokens })))
    }

    async fn create_token(
        &self,
        new: NewToken,
        hash: &str,
        token_id: &str,
        actor: &Actor,
        now: Timestamp,
    ) -> Result<AccountReply, EdgeError> {
        let Actor::Operator { id, .. } = actor else {
            return Err(EdgeError::Conflict(
                "the admin token is not an operator: sign in as one to make a personal token".into(),
            ));
        };
        let name = access::name(&new.name, "name").map_err(|p| EdgeError::Invalid(vec![p]))?;
        if self.entries(&layout::tokens_of(id)).await?.len() >= access::MAX_TOKENS {
            return Err(EdgeError::Conflict(format!(
                "{} personal tokens at most: revoke one first",
                access::MAX_TOKENS
            )));
        }
        let token = Token { id: token_id.to_owned(), operator: id.clone(), name, created_at: now };
        let mut batch = Batch::default();
        batch.put(Key::Token(hash), &token)?;
        batch.put(Key::TokenOf(id, token_id), &hash)?;
        self.log(&mut batch, actor, format!("made the personal token {:?}", token.name), now).await?;
        batch.commit(&self.state.storage()).await?;
        Ok(reply(201, json!({ "token": { "id": token.id, "name": token.name, "created_at": token.created_at } })))
    }

    /// Revokes operator `id`'s token `token_id` (their own, or any operator's for an owner).
    async fn revoke_token(
        &self,
        id: &str,
        token_id: &str,
        actor: &Actor,
        now: Timestamp,
    ) -> Result<AccountReply, EdgeError> {
        let missing = || EdgeError::Missing(format!("no token with id {token_id:?} of {id}"));
        let storage = self.state.storage();
        let hash: String = get(&storage, Key::TokenOf(id, token_id)).await?.ok_or_else(missing)?;
        let mut batch = Batch::default();
        batch.delete(Key::TokenOf(id, token_id));
        batch.delete(Key::Token(&hash));
        self.log(&mut batch, actor, format!("revoked the personal token {token_id} of {id}"), now).await?;
        batch.commit(&storage).await?;
        Ok(reply(200, json!({ "id": token_id })))
    }
}
