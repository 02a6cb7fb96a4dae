//! Incident templates in the writer: kept under `template/{id}`, checked by
//! `shared::template`, and changed like any other write (a new version, the audit log, the
//! idempotent reply, one transaction) without touching a public document: a template is private.

use sitrep_shared::api::Endpoint;
use sitrep_shared::template::{self, NewTemplate, Template, TemplateList, TemplateReply};

use super::layout::{Batch, Key, TEMPLATE_PREFIX, fresh_id, from_json, to_json, values};
use super::object::PageStore;
use super::protocol::{AdminCall, AdminReply, read_object};
use crate::clock::now;
use crate::error::EdgeError;

impl PageStore {
    /// `GET templates`: every template, by name.
    pub(super) async fn list_templates(&self) -> Result<AdminReply, EdgeError> {
        let templates = template::sorted(self.templates().await?);
        let version = self.load().await.map(|l| l.version).unwrap_or(0);
        let body = to_json(&TemplateList { version, templates })?;
        Ok(AdminReply { status: 200, version, body, replay: false })
    }

    /// Adds, replaces or removes a template.
    pub(super) async fn template_write(&self, call: &AdminCall) -> Result<AdminReply, EdgeError> {
        let loaded = self.loaded_for_write(call).await?;
        let (now, version) = (now()?, loaded.version + 1);
        let stored = self.templates().await?;
        let id = call.op.id.as_str();
        let found = || {
            stored
                .iter()
                .find(|t| t.id == id)
                .cloned()
                .ok_or_else(|| EdgeError::Missing(format!("no template with id {id:?}")))
        };
        let checked = |others: usize| -> Result<NewTemplate, EdgeError> {
            let new: NewTemplate = read_object(call.body.as_bytes(), "is not a template")?;
            let problems = template::check(&new, &loaded.page, others);
            if problems.is_empty() { Ok(new) } else { Err(EdgeError::Invalid(problems)) }
        };
        let mut batch = Batch::default();
        let (kept, summary, status) = match call.op.endpoint {
            Endpoint::CreateTemplate => {
                let new = checked(stored.len())?;
                let made = Template::made(format!("tpl_{}", fresh_id(&loaded.page, now, version)), new, now);
                let summary = format!("added template {} ({})", made.id, made.name);
                (Some(made), summary, 201)
            }
            Endpoint::EditTemplate => {
                let old = found()?;
                let new = checked(stored.len() - 1)?;
                (
                    Some(Template { updated_at: now, ..Template::made(old.id.clone(), new, now) }),
                    format!("replaced template {id}"),
                    200,
                )
            }
            Endpoint::DeleteTemplate => {
                let old = found()?;
                batch.delete(Key::Template(&old.id));
                (None, format!("removed template {id} ({})", old.name), 200)
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

    async fn templates(&self) -> Result<Vec<Template>, EdgeError> {
        values(&self.state.storage(), TEMPLATE_PREFIX).await?.iter().map(|text| from_json(text)).collect()
    }
}
