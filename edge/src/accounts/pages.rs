//! The directory of the deployment's pages (`sitrep_shared::host::Directory`): kept here, one
//! value, and copied to KV for the Worker, which finds a request's page in it without asking this
//! object (see `crate::page`). A change is logged with who made it, like every account change.

use std::rc::Rc;

use serde_json::json;
use sitrep_shared::Timestamp;
use sitrep_shared::access::Actor;
use sitrep_shared::host::{Directory, Host, NewPage};

use super::layout::{Key, get};
use super::object::AccountStore;
use super::operators::reply;
use super::protocol::{AccountReply, FoundPage};
use crate::error::EdgeError;
use crate::storage::Batch;

/// How long after a failed publication to KV the alarm tries again (ms).
const REPUBLISH_MS: i64 = 5_000;

impl AccountStore {
    /// The stored directory (checked again as it is read: see `Directory`'s deserialisation),
    /// read once per instance.
    pub(super) async fn stored_directory(&self) -> Result<Rc<Directory>, EdgeError> {
        if let Some(directory) = self.directory.borrow().clone() {
            return Ok(directory);
        }
        let directory: Rc<Directory> = Rc::new(get(&self.state.storage(), Key::Directory).await?.unwrap_or_default());
        self.directory.replace(Some(Rc::clone(&directory)));
        Ok(directory)
    }

    /// The stored directory, to change or to answer with.
    pub(super) async fn directory(&self) -> Result<Directory, EdgeError> {
        Ok(Directory::clone(&*self.stored_directory().await?))
    }

    /// `AccountRequest::FindPage`.
    pub(super) async fn find_page(&self, id: Option<&str>, host: Option<&Host>) -> Result<FoundPage, EdgeError> {
        let directory = self.stored_directory().await?;
        let page = match id {
            Some(id) => Some(directory.get(id).ok_or_else(|| EdgeError::Missing(format!("no page with id {id:?}")))?),
            None => directory.page_for(host),
        };
        Ok(FoundPage { page: page.cloned() })
    }

    pub(super) async fn list_pages(&self) -> Result<AccountReply, EdgeError> {
        Ok(reply(200, json!({ "pages": self.directory().await?.pages() })))
    }

    pub(super) async fn add_page(
        &self,
        new: NewPage,
        reserved: &[Host],
        by: &Actor,
        now: Timestamp,
    ) -> Result<AccountReply, EdgeError> {
        self.readers_possible(&new.readers)?;
        let mut directory = self.directory().await?;
        let page = directory.add_new(new, reserved).map_err(EdgeError::Invalid)?.clone();
        let hosts: Vec<&str> = page.hosts.iter().map(Host::as_str).collect();
        let mut summary = format!("added page {} on {}", page.id.as_str(), hosts.join(", "));
        if page.audience == sitrep_shared::host::Audience::Private {
            summary.push_str(", private");
        }
        if !page.readers.is_empty() {
            summary.push_str(&format!(", read by Cloudflare Access by {}", page.readers.join(", ")));
        }
        self.change(Batch::default(), &directory, by, summary, now).await?;
        Ok(reply(201, json!({ "page": page })))
    }

    pub(super) async fn remove_page(&self, id: &str, by: &Actor, now: Timestamp) -> Result<AccountReply, EdgeError> {
        let mut directory = self.directory().await?;
        let page = directory.remove(&id.into()).ok_or_else(|| {
            EdgeError::Missing(format!("no page with id {id:?} (the default page cannot be removed)"))
        })?;
        // Roles on it go with it: a page added later under its id starts with nobody's.
        let mut batch = Batch::default();
        let mut held = Vec::new();
        for mut operator in super::layout::operators(&self.state.storage()).await? {
            if let Some(role) = operator.pages.remove(id) {
                held.push(format!("{} ({})", operator.actor().label(), role.as_str()));
                batch.put(Key::Operator(&operator.id), &operator)?;
            }
        }
        let mut summary = format!("removed page {}", page.id.as_str());
        if !held.is_empty() {
            summary.push_str(&format!(" and the roles on it of {}", held.join(", ")));
        }
        self.change(batch, &directory, by, summary, now).await?;
        Ok(reply(200, json!({ "page": page })))
    }

    /// `POST pages/{id}/links`: the page as the directory has it now, if it is a private one (the
    /// Worker signs the link: the key never reaches this object). The log names who made a link
    /// and for how long (`days`, which the Worker checked): a link is a credential, shown once.
    pub(super) async fn reader_link(
        &self,
        id: &str,
        days: u32,
        by: &Actor,
        now: Timestamp,
    ) -> Result<AccountReply, EdgeError> {
        let directory = self.directory().await?;
        let page = directory.get(id).ok_or_else(|| EdgeError::Missing(format!("no page with id {id:?}")))?;
        if page.audience != sitrep_shared::host::Audience::Private {
            return Err(EdgeError::Conflict(format!("page {id:?} is public: anyone reads it without a link")));
        }
        let page = page.clone();
        let mut batch = Batch::default();
        self.log(&mut batch, by, format!("made a reader link of page {id} for {days} days"), now).await?;
        batch.commit(&self.state.storage()).await?;
        Ok(reply(200, json!({ "page": page })))
    }

    /// `DELETE pages/{id}/links`: every reader link of the page made so far stops.
    pub(super) async fn revoke_links(&self, id: &str, by: &Actor, now: Timestamp) -> Result<AccountReply, EdgeError> {
        let mut directory = self.directory().await?;
        if directory.get(id).is_some_and(|page| page.audience != sitrep_shared::host::Audience::Private) {
            return Err(EdgeError::Conflict(format!("page {id:?} is public: it has no reader links")));
        }
        let page =
            directory.revoke_links(id).ok_or_else(|| EdgeError::Missing(format!("no page with id {id:?}")))?.clone();
        self.change(Batch::default(), &directory, by, format!("revoked the reader links of page {id}"), now).await?;
        Ok(reply(200, json!({ "page": page })))
    }

    /// `PUT pages/{id}/readers`: a private page's readers by Cloudflare Access, all of them.
    pub(super) async fn set_readers(
        &self,
        id: &str,
        new: sitrep_shared::host::PageReaders,
        by: &Actor,
        now: Timestamp,
    ) -> Result<AccountReply, EdgeError> {
        self.readers_possible(&new.readers)?;
        let mut directory = self.directory().await?;
        // A list set from one read is not set over another owner's change made since.
        if let (Some(was), Some(page)) = (&new.was, directory.get(id))
            && page.readers != *was
        {
            let now = if page.readers.is_empty() { "none".to_owned() } else { page.readers.join(", ") };
            return Err(EdgeError::Conflict(format!(
                "the readers of page {id} changed since you read them (now: {now}): read them again and make \
                 your change to that list"
            )));
        }
        let page = directory
            .set_readers(id, &new.readers)
            .ok_or_else(|| EdgeError::Missing(format!("no page with id {id:?}")))?
            .map_err(EdgeError::Invalid)?
            .clone();
        let summary = match page.readers.is_empty() {
            true => format!("let no one read page {id} by Cloudflare Access"),
            false => format!("let {} read page {id} by Cloudflare Access", page.readers.join(", ")),
        };
        self.change(Batch::default(), &directory, by, summary, now).await?;
        Ok(reply(200, json!({ "page": page })))
    }

    /// Readers by Access need the readers' own Access application: without it nobody they list
    /// could get in, and saying "stored" would mislead.
    fn readers_possible(&self, readers: &[String]) -> Result<(), EdgeError> {
        if readers.is_empty() || crate::cf_access::reader_config(&self.env).is_some() {
            return Ok(());
        }
        Err(EdgeError::Conflict(
            "readers by Cloudflare Access need SITREP_ACCESS_TEAM_DOMAIN and SITREP_ACCESS_READER_AUD (the readers' \
             own Access application) set: see the README's Several pages"
                .into(),
        ))
    }

    /// Stores the changed directory with its log entry and `batch`, then copies it to KV; a copy
    /// that fails is owed, and the alarm tries again until it is made.
    async fn change(
        &self,
        mut batch: Batch,
        directory: &Directory,
        by: &Actor,
        summary: String,
        now: Timestamp,
    ) -> Result<(), EdgeError> {
        batch.put(Key::Directory, directory)?;
        batch.put(Key::DirectoryOwed, &true)?;
        self.log(&mut batch, by, summary, now).await?;
        // Forgotten before the commit: a failed one leaves the next reader to read storage again.
        self.directory.replace(None);
        batch.commit(&self.state.storage()).await?;
        self.directory.replace(Some(Rc::new(directory.clone())));
        self.publish().await;
        Ok(())
    }

    /// Copies the stored directory to KV (read again here: another change may have committed while
    /// an earlier copy was on its way, and the last copy written must be the newest) and notes that
    /// nothing is owed if no change came meanwhile; on failure sets the alarm.
    async fn publish(&self) {
        let storage = self.state.storage();
        let published = async {
            let directory = self.directory().await?;
            let text = serde_json::to_string(&directory).map_err(|e| EdgeError::Internal(e.to_string()))?;
            self.env.kv(crate::bindings::KV_BINDING)?.put(&crate::copy::directory_key(), text)?.execute().await?;
            if self.directory().await?.revision() == directory.revision() {
                // Stored as JSON text, as `get` reads it.
                storage.put(&Key::DirectoryOwed.text(), "false".to_owned()).await?;
            }
            Ok::<_, EdgeError>(())
        };
        if let Err(err) = published.await {
            worker::console_warn!("copying the page directory to KV failed: {err}; trying again");
            if let Err(err) = storage.set_alarm(REPUBLISH_MS).await {
                worker::console_error!("setting the alarm to copy the page directory again failed: {err}");
            }
        }
    }

    /// The alarm's job: the directory's copy in KV, if one is owed.
    pub(super) async fn publish_owed(&self) {
        match get::<bool>(&self.state.storage(), Key::DirectoryOwed).await {
            Ok(Some(true)) => self.publish().await,
            Ok(_) => {}
            Err(err) => worker::console_error!("reading whether the page directory is owed failed: {err}"),
        }
    }
}
