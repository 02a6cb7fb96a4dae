//! A page's object (its store, its delivery object) and the name it was addressed by: `default`,
//! or a page's `{id}.{serial}` (see `crate::page::Page::object`), which says where its page's copies
//! are published and which delivery object is its pair. On the ground floor: both objects keep one.
//!
//! The runtime gives the name with every request (`state.id().name()`), but not to an alarm that
//! wakes an instance after a restart, so the first request an instance serves stores it, and an
//! alarm reads it back. A page's objects are made by a request (the store by the import that starts
//! it, the delivery object by the store's hand-off), so each has stored its name before it does
//! anything; an object that never stored one and is not told is the default page's (the objects
//! that existed before there were several pages). A removed page's objects are retired: their
//! storage emptied, their alarm stopped, every later request refused.

use std::cell::{Cell, RefCell};

use worker::State;

use crate::error::EdgeError;

/// Where the name is kept, in the object's own storage (no key of either object's layout).
const NAME_KEY: &str = "object-name";
/// Set when the page was removed.
const RETIRED_KEY: &str = "object-retired";

/// An object's name and whether it is retired, as this instance knows them.
#[derive(Debug, Default)]
pub struct Named {
    name: RefCell<Option<String>>,
    retired: Cell<Option<bool>>,
}

impl Named {
    /// Before serving a request: learns the name the request carries (stored once per instance;
    /// the request fails if it cannot be), and refuses it if the object is retired.
    pub async fn request(&self, state: &State) -> Result<(), EdgeError> {
        self.check_retired(state).await?;
        if self.name.borrow().is_some() {
            return Ok(());
        }
        let storage = state.storage();
        let stored = storage.get::<String>(NAME_KEY).await?;
        let name = match (state.id().name(), stored) {
            (Some(given), Some(stored)) if given != stored => {
                return Err(EdgeError::Internal(format!("addressed as {given:?}, stored as {stored:?}")));
            }
            (Some(given), Some(_)) => given,
            (Some(given), None) => {
                storage.put(NAME_KEY, given.clone()).await?;
                given
            }
            (None, stored) => stored.unwrap_or_else(|| crate::bindings::PAGE_NAME.to_owned()),
        };
        self.name.replace(Some(name));
        Ok(())
    }

    /// Before an alarm's work: the name as stored (or given); `Err` if the object is retired.
    pub async fn alarm(&self, state: &State) -> Result<(), EdgeError> {
        self.request(state).await
    }

    /// The name, once [`Named::request`] or [`Named::alarm`] has run in this instance.
    pub fn name(&self) -> Result<String, EdgeError> {
        self.name.borrow().clone().ok_or_else(|| EdgeError::Internal("the object does not know its name yet".into()))
    }

    async fn check_retired(&self, state: &State) -> Result<(), EdgeError> {
        let retired = match self.retired.get() {
            Some(retired) => retired,
            None => {
                let retired = state.storage().get::<bool>(RETIRED_KEY).await?.unwrap_or(false);
                self.retired.set(Some(retired));
                retired
            }
        };
        if retired { Err(EdgeError::Missing("this page was removed".into())) } else { Ok(()) }
    }

    /// Retires the object: its alarm stopped, its storage emptied, and every later request refused.
    pub async fn retire(&self, state: &State) -> Result<(), EdgeError> {
        let storage = state.storage();
        storage.delete_alarm().await?;
        storage.delete_all().await?;
        storage.put(RETIRED_KEY, true).await?;
        self.retired.set(Some(true));
        Ok(())
    }
}
