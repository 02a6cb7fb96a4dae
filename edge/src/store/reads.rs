//! Admin reads: the audit log, the stored event (its draft included), the postmortem preview's
//! document, the subscriptions (their deliveries are read in `claims`).

use super::layout::{self, to_json};
use super::object::PageStore;
use super::protocol::AdminReply;
use super::subscriptions;
use crate::clock::now;
use crate::error::EdgeError;

impl PageStore {
    pub(super) async fn log(&self, limit: Option<usize>) -> Result<AdminReply, EdgeError> {
        let entries = layout::log(&self.state.storage(), limit.unwrap_or(50).clamp(1, 500)).await?;
        let version = self.load().await.map(|l| l.version).unwrap_or(0);
        let body = serde_json::json!({ "version": version, "entries": entries }).to_string();
        Ok(AdminReply { status: 200, version, body, replay: false })
    }

    /// The stored incident or maintenance, its draft included, as `incidents/{id}.json` shapes it.
    pub(super) async fn event(&self, id: &str) -> Result<AdminReply, EdgeError> {
        self.event_document(id, |_| Ok(())).await
    }

    /// The incident with its postmortem draft shown as published now: the document the Worker
    /// renders as the preview (never a public document, never cached).
    pub(super) async fn preview(&self, id: &str) -> Result<AdminReply, EdgeError> {
        let now = now()?;
        self.event_document(id, |incident| {
            let Some(postmortem) = incident.postmortem.as_mut() else {
                return Err(EdgeError::Missing(format!("{} has no postmortem draft yet", incident.id)));
            };
            // A revision of a published postmortem previews as it will read once published.
            if let Some(revision) = postmortem.revision.take() {
                *postmortem = sitrep_shared::Postmortem { published_at: postmortem.published_at, ..*revision };
            }
            // A postmortem scheduled for later previews as it will read then.
            postmortem.published_at = Some(postmortem.published_at.map_or(now, |at| at.min(now)));
            Ok(())
        })
        .await
    }

    pub(super) async fn event_document(
        &self,
        id: &str,
        adjust: impl FnOnce(&mut sitrep_shared::Incident) -> Result<(), EdgeError>,
    ) -> Result<AdminReply, EdgeError> {
        let loaded = self.load().await?;
        let Some((_, event)) = loaded.page.find(&id.into()) else {
            return Err(EdgeError::Missing(format!("no incident or maintenance with id {id:?}")));
        };
        let mut incident = event.clone();
        adjust(&mut incident)?;
        let doc = sitrep_shared::views::IncidentDocument {
            page: std::borrow::Cow::Borrowed(loaded.page.page()),
            incident: std::borrow::Cow::Owned(incident),
        };
        let body = to_json(&doc)?;
        Ok(AdminReply { status: 200, version: loaded.version, body, replay: false })
    }

    pub(super) async fn list_subscriptions(&self) -> Result<AdminReply, EdgeError> {
        let stored = self.subscriptions().await?;
        let version = self.load().await.map(|l| l.version).unwrap_or(0);
        let subscriptions: Vec<_> = stored.iter().map(|s| subscriptions::shown(s.subscription.clone())).collect();
        let body = serde_json::json!({ "version": version, "subscriptions": subscriptions }).to_string();
        Ok(AdminReply { status: 200, version, body, replay: false })
    }
}
