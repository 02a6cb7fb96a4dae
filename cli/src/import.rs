//! A Statuspage export (a `summary.json`, `incidents.json` or `scheduled-maintenances.json`
//! response) turned into a page sitrep's strict store accepts.
//!
//! Statuspage is lax where sitrep is strict, so the import repairs what real exports carry:
//! affected components without an id (old "No components were affected" entries) are dropped,
//! components only named inside incidents are added to the page, dangling group ids are cleared,
//! updates are put newest first. Anything else wrong is left for the store to report (422).

use std::collections::HashSet;

use anyhow::{Context, Result};
use serde_json::Value;
use sitrep_shared::{Component, ComponentId, Incident, Page, PageData};

/// The page an export describes.
pub fn page(export: &Value) -> Result<PageData> {
    let page: Page = serde_json::from_value(export["page"].clone()).context("the export has no valid `page`")?;
    let list = |key: &str| -> Result<Vec<Incident>> {
        match &export[key] {
            Value::Null => Ok(vec![]),
            value => {
                serde_json::from_value(value.clone()).with_context(|| format!("`{key}` is not a list of incidents"))
            }
        }
    };
    let mut incidents = list("incidents")?;
    let mut scheduled_maintenances = list("scheduled_maintenances")?;
    let mut components: Vec<Component> = match &export["components"] {
        Value::Null => vec![],
        value => serde_json::from_value(value.clone()).context("`components` is not a list of components")?,
    };
    // Components only named in incidents (an incidents export has no component list).
    let mut known: HashSet<ComponentId> = components.iter().map(|c| c.id.clone()).collect();
    for event in incidents.iter().chain(&scheduled_maintenances) {
        for copy in &event.components {
            if known.insert(copy.id.clone()) {
                components.push(copy.clone());
            }
        }
    }
    for component in &mut components {
        component.page_id = page.id.clone();
        if component.group_id.as_ref().is_some_and(|g| !known.contains(g)) {
            component.group_id = None;
        }
        component.components.retain(|c| known.contains(c));
    }
    for event in incidents.iter_mut().chain(&mut scheduled_maintenances) {
        event.page_id = page.id.clone();
        event.incident_updates.sort_by_key(|u| std::cmp::Reverse(u.created_at));
        for update in &mut event.incident_updates {
            update.incident_id = event.id.clone();
            update.affected_components.retain(|a| a.code.as_ref().is_some_and(|c| known.contains(c)));
        }
    }
    Ok(PageData { page, components, incidents, scheduled_maintenances })
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    /// Every real sample imports; all but one validate as they are. Discord's maintenance says
    /// `completed` while its only update says `scheduled` (Statuspage completed it automatically,
    /// without an update): the import keeps it and the store refuses it with that one problem.
    #[test]
    fn real_statuspage_exports_import() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/statuspage-samples");
        let expected = [
            ("twilio-summary.json", 73, 2, 9, 0),
            ("cloudamqp-summary.json", 23, 0, 1, 0),
            ("htx-summary.json", 2, 1, 1, 0),
            ("github-incidents.json", 2, 2, 0, 0),
            ("emma-incidents.json", 0, 22, 0, 0),
            ("discord-scheduled-maintenances.json", 0, 0, 1, 1),
        ];
        for (name, components, incidents, maintenances, problems) in expected {
            let text = std::fs::read_to_string(dir.join(name)).unwrap();
            let export: Value = serde_json::from_str(&text).unwrap();
            let data = page(&export).unwrap_or_else(|e| panic!("{name}: {e:#}"));
            let found = sitrep_shared::validate(&data);
            assert_eq!(
                (data.components.len(), data.incidents.len(), data.scheduled_maintenances.len(), found.len()),
                (components, incidents, maintenances, problems),
                "{name}: {found:?}"
            );
        }
    }
}
