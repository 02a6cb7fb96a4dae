//! Signing in and out, and whose a credential is.

use sitrep_shared::access::{self, Invite, Operator, Session, Token};

use super::layout::{self, Key, get};
use super::object::AccountStore;
use super::protocol::{Authenticated, Credential, Done};
use crate::clock::now;
use crate::error::EdgeError;
use crate::storage::Batch;

const SESSION_ENDED: &str = "your session has ended (signed out, revoked, or unused for too long): sign in again";
const TOKEN_UNKNOWN: &str = "this personal token is unknown or revoked";
const LINK_UNUSABLE: &str = "this sign-in link is unknown, already used or expired: ask an owner for a new one";

impl AccountStore {
    /// Whose credential this is; a session's use is noted (at most every few minutes).
    pub(super) async fn authenticate(&self, credential: Credential) -> Result<Authenticated, EdgeError> {
        let now = now()?;
        let storage = self.state.storage();
        match credential {
            Credential::Session { hash, poll } => {
                let ended = || EdgeError::SignedOut(SESSION_ENDED.into());
                let mut session: Session = get(&storage, Key::Session(&hash)).await?.ok_or_else(ended)?;
                let operator: Option<Operator> = get(&storage, Key::Operator(&session.operator)).await?;
                let operator = operator.filter(|o| o.issued_validly(session.created_at));
                let Some(operator) = operator.filter(|_| !session.expired(now, self.session_idle_ms())) else {
                    let mut batch = Batch::default();
                    self.end_session(&mut batch, &hash, &session);
                    batch.commit(&storage).await?;
                    return Err(ended());
                };
                // A console's poll is not a use: an open tab alone never keeps a session alive.
                if !poll && session.needs_touch(now, self.session_idle_ms()) {
                    session.last_used = now;
                    let mut batch = Batch::default();
                    batch.put(Key::Session(&hash), &session)?;
                    batch.commit(&storage).await?;
                }
                Ok(Authenticated::of(&operator))
            }
            Credential::Access { email } => {
                let unknown = || {
                    EdgeError::SignedOut(format!(
                        "no operator has the email {email:?} that Cloudflare Access signed in: an owner invites them first"
                    ))
                };
                let email = access::email(&email).map_err(|_| unknown())?;
                let id: String = get(&storage, Key::Email(&email)).await?.ok_or_else(unknown)?;
                let operator: Option<Operator> = get(&storage, Key::Operator(&id)).await?;
                let operator = operator.filter(|o| o.revoked_at.is_none()).ok_or_else(unknown)?;
                Ok(Authenticated::of(&operator))
            }
            Credential::Token { hash } => {
                let unknown = || EdgeError::SignedOut(TOKEN_UNKNOWN.into());
                let token: Token = get(&storage, Key::Token(&hash)).await?.ok_or_else(unknown)?;
                let operator: Option<Operator> = get(&storage, Key::Operator(&token.operator)).await?;
                let operator = operator.filter(|o| o.issued_validly(token.created_at)).ok_or_else(unknown)?;
                Ok(Authenticated::of(&operator))
            }
        }
    }

    /// Spends a sign-in link on a new session. The link goes whether it still signs in or not
    /// (single use); an operator past [`access::MAX_SESSIONS`] loses their oldest session.
    pub(super) async fn redeem(
        &self,
        invite: &str,
        session: &str,
        session_id: &str,
        user_agent: &str,
    ) -> Result<Authenticated, EdgeError> {
        let now = now()?;
        let storage = self.state.storage();
        let unusable = || EdgeError::SignedOut(LINK_UNUSABLE.into());
        let found: Invite = get(&storage, Key::Invite(invite)).await?.ok_or_else(unusable)?;
        let mut batch = Batch::default();
        batch.delete(Key::Invite(invite));
        let operator: Option<Operator> = get(&storage, Key::Operator(&found.operator)).await?;
        let Some(operator) = operator.filter(|o| found.signs_in(o, now)) else {
            batch.commit(&storage).await?;
            return Err(unusable());
        };
        let mut open: Vec<(Session, String)> = Vec::new();
        for (_, hash) in self.index(&layout::sessions_of(&operator.id)).await? {
            if let Some(session) = get::<Session>(&storage, Key::Session(&hash)).await? {
                open.push((session, hash));
            }
        }
        open.sort_by_key(|(session, _)| session.last_used);
        let too_many = (open.len() + 1).saturating_sub(access::MAX_SESSIONS);
        for (old, hash) in open.iter().take(too_many) {
            self.end_session(&mut batch, hash, old);
        }
        let user_agent = access::shown(user_agent);
        let new = Session {
            id: session_id.to_owned(),
            operator: operator.id.clone(),
            created_at: now,
            last_used: now,
            user_agent,
        };
        batch.put(Key::Session(session), &new)?;
        batch.put(Key::SessionId(session_id), &session)?;
        batch.put(Key::SessionOf(&operator.id, session_id), &session)?;
        batch.commit(&storage).await?;
        Ok(Authenticated::of(&operator))
    }

    /// Ends a session (nothing to end is fine: signing out twice is signing out).
    pub(super) async fn sign_out(&self, hash: &str) -> Result<Done, EdgeError> {
        let storage = self.state.storage();
        if let Some(session) = get::<Session>(&storage, Key::Session(hash)).await? {
            let mut batch = Batch::default();
            self.end_session(&mut batch, hash, &session);
            batch.commit(&storage).await?;
        }
        Ok(Done {})
    }
}
