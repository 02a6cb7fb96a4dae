//! Incident templates in the writer: kept under `template/{id}`, checked by
//! `shared::template`, and changed like any other write (a new version, the audit log, the
//! idempotent reply, one transaction) without touching a public document: a template is private.

use sitrep_shared::api::Endpoint;
use sitrep_shared::template::{self, NewTemplate, Template, TemplateList, TemplateReply};

use super::layout::{Batch, Key, TEMPLATE_PREFIX, entries, fresh_id, from_json, to_json};
use super::object::PageStore;
use super::protocol::{AdminCall, AdminReply, read_object};
use crate::clock::now;
use crate::error::EdgeError;
use worker::ListOptions;

impl PageStore {
    /// `GET templates`: every template, by name.
    pub(super) async fn list_templates(&self) -> Result<AdminReply, EdgeError> {
        let kept = self.templates().await?;
        let version = self.load().await.map(|l| l.version).unwrap_or(0);
        let body = to_json(&TemplateList {
            version,
            templates: template::sorted(kept.readable),
            unreadable: kept.unreadable,
        })?;
        Ok(AdminReply { status: 200, version, body, replay: false })
    }

    /// Adds, replaces or removes a template.
    pub(super) async fn template_write(&self, call: &AdminCall) -> Result<AdminReply, EdgeError> {
        let loaded = self.loaded_for_write(call).await?;
        let (now, version) = (now()?, loaded.version + 1);
        let kept = self.templates().await?;
        let id = call.op.id.as_str();
        // What is kept under `id`: its name if it can be read (one that cannot is still replaced or removed).
        let found = || match kept.readable.iter().find(|t| t.id == id) {
            Some(old) => Ok(old.name.clone()),
            None if kept.unreadable.iter().any(|u| u == id) => Ok(String::new()),
            None => Err(EdgeError::Missing(format!("no template with id {id:?}"))),
        };
        let count = kept.readable.len() + kept.unreadable.len();
        let checked = |others: usize| -> Result<NewTemplate, EdgeError> {
            let new: NewTemplate = read_object(call.body.as_bytes(), "is not a template")?;
            let problems = template::check(&new, &loaded.page, others);
            if problems.is_empty() { Ok(new) } else { Err(EdgeError::Invalid(problems)) }
        };
        let mut batch = Batch::default();
        let (kept, summary, status) = match call.op.endpoint {
            Endpoint::CreateTemplate => {
                let new = checked(count)?;
                let made = Template::made(format!("tpl_{}", fresh_id(&loaded.page, now, version)), new, now);
                let summary = format!("added template {} ({})", made.id, made.name);
                (Some(made), summary, 201)
            }
            Endpoint::EditTemplate => {
                found()?;
                let made = Template::made(id.to_owned(), checked(count - 1)?, now);
                let summary = format!("replaced template {id} ({})", made.name);
                (Some(made), summary, 200)
            }
            Endpoint::DeleteTemplate => {
                let name = found()?;
                batch.delete(Key::Template(id));
                (None, format!("removed template {id} ({name})"), 200)
            }
            other => return Err(EdgeError::Internal(format!("{other:?} is not a template write"))),
        };
        drop(loaded);
        let target = kept.as_ref().map_or_else(|| id.to_owned(), |t| t.id.clone());
        if let Some(made) = &kept {
            batch.put(Key::Template(&made.id), made)?;
        }
        let id = kept.is_none().then(|| target.clone());
        let body = to_json(&TemplateReply { version, template: kept, id })?;
        let reply = AdminReply { status, version, body, replay: false };
        let pending = self.pending().await?.merge(version, [], false);
        self.commit(batch, (summary, target), call, &reply, pending).await?;
        if let Some(current) = self.loaded.borrow_mut().as_mut() {
            std::rc::Rc::make_mut(current).version = version;
        }
        self.schedule(0).await;
        Ok(reply)
    }

    /// Every stored template; one that no longer reads as a template (written by another version)
    /// is named apart, so it neither holds the others back nor escapes removal.
    async fn templates(&self) -> Result<Kept, EdgeError> {
        let mut kept = Kept::default();
        for (key, text) in entries(&self.state.storage(), ListOptions::new().prefix(TEMPLATE_PREFIX)).await? {
            match from_json::<Template>(&text) {
                Ok(template) => kept.readable.push(template),
                Err(_) => kept.unreadable.push(key.trim_start_matches(TEMPLATE_PREFIX).to_owned()),
            }
        }
        Ok(kept)
    }
}

/// The templates in storage.
#[derive(Default)]
struct Kept {
    readable: Vec<Template>,
    /// The ids of values under `template/` that do not read as a template.
    unreadable: Vec<String>,
}
