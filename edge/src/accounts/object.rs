//! The account store itself: its entry point and its one router.

use worker::{DurableObject, Env, Request, Response, State, durable_object};

use super::protocol::AccountRequest;
use crate::error::EdgeError;
use crate::seam::answer;

/// The deployment's operators, sign-in links, sessions and personal tokens (see the module).
#[durable_object]
pub struct AccountStore {
    pub(super) state: State,
    pub(super) env: Env,
    /// The directory of pages as stored, once read (this object is its only writer, so the copy
    /// in memory is the stored one: every change replaces it).
    pub(super) directory: std::cell::RefCell<Option<std::rc::Rc<sitrep_shared::host::Directory>>>,
}

impl std::fmt::Debug for AccountStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccountStore").finish_non_exhaustive()
    }
}

impl DurableObject for AccountStore {
    fn new(state: State, env: Env) -> Self {
        Self { state, env, directory: Default::default() }
    }

    async fn fetch(&self, mut req: Request) -> worker::Result<Response> {
        let request = match req.json::<AccountRequest>().await {
            Ok(request) => request,
            Err(err) => {
                return answer::<()>(Err(EdgeError::Internal(format!("accounts cannot read the request: {err}"))));
            }
        };
        match request {
            AccountRequest::Authenticate { credential } => answer(self.authenticate(credential).await),
            AccountRequest::Redeem { invite, session, session_id, user_agent } => {
                answer(self.redeem(&invite, &session, &session_id, &user_agent).await)
            }
            AccountRequest::SignOut { session } => answer(self.sign_out(&session).await),
            AccountRequest::Admin(call) => answer(self.admin(call).await),
            AccountRequest::Directory => answer(self.directory().await),
            AccountRequest::FindPage { id, host } => answer(self.find_page(id.as_deref(), host.as_ref()).await),
        }
    }

    /// Set only when publishing the directory to KV failed: publish it again.
    async fn alarm(&self) -> worker::Result<Response> {
        self.publish_owed().await;
        Response::empty()
    }
}

impl AccountStore {
    /// How long a sign-in link lives: a day, or `SITREP_INVITE_SECS` (the tests' short one).
    pub(super) fn invite_ms(&self) -> i64 {
        self.seconds_var("SITREP_INVITE_SECS").unwrap_or(sitrep_shared::access::INVITE_MS)
    }

    /// How long a session lasts unused: 12 h, or `SITREP_SESSION_IDLE_SECS`.
    pub(super) fn session_idle_ms(&self) -> i64 {
        self.seconds_var("SITREP_SESSION_IDLE_SECS").unwrap_or(sitrep_shared::access::SESSION_IDLE_MS)
    }

    fn seconds_var(&self, name: &str) -> Option<i64> {
        let text = self.env.var(name).ok()?.to_string();
        text.parse::<i64>().ok().filter(|s| *s > 0).map(|s| s.saturating_mul(1000))
    }
}
