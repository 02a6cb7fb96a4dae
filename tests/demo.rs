//! The demo page: the five seeds merged into one page, each company's components under a group
//! named after it (a seed's own groups keep their children and get the company's name in front).

use sitrep_shared::{Component, ComponentId, PageData, PageId};

/// Merges the five seeds into one page served from `base`; fails when a fixture does not load.
pub fn demo_page(base: &str) -> Result<PageData, String> {
    let page_id = PageId::from("demo");
    let mut merged: Option<PageData> = None;
    let mut position = 0;
    for name in crate::SEEDS {
        let mut seed = crate::seed(name)?;
        let company = seed.page.name.clone();
        let has_groups = seed.components.iter().any(|c| c.group);
        if has_groups {
            for group in seed.components.iter_mut().filter(|c| c.group) {
                group.name = format!("{company} {}", group.name);
            }
        } else {
            let group_id = ComponentId(format!("{}-group", seed.page.id));
            let first = seed.components.first().cloned().ok_or_else(|| format!("{name} has no components"))?;
            for component in &mut seed.components {
                component.group_id = Some(group_id.clone());
            }
            let children = seed.components.iter().map(|c| c.id.clone()).collect();
            seed.components.insert(
                0,
                Component {
                    id: group_id,
                    name: company.clone(),
                    description: None,
                    group: true,
                    group_id: None,
                    components: children,
                    ..first
                },
            );
        }
        for component in &mut seed.components {
            position += 1;
            component.position = position;
            component.page_id = page_id.clone();
        }
        // Incidents carry copies of their components: keep them equal to the page's.
        for event in seed.incidents.iter_mut().chain(&mut seed.scheduled_maintenances) {
            event.page_id = page_id.clone();
            for copy in &mut event.components {
                if let Some(current) = seed.components.iter().find(|c| c.id == copy.id) {
                    *copy = current.clone();
                }
            }
        }
        match &mut merged {
            None => merged = Some(seed),
            Some(all) => {
                all.page.updated_at = all.page.updated_at.max(seed.page.updated_at);
                all.components.append(&mut seed.components);
                all.incidents.append(&mut seed.incidents);
                all.scheduled_maintenances.append(&mut seed.scheduled_maintenances);
            }
        }
    }
    let mut page = merged.ok_or("no seeds")?;
    page.page.id = page_id;
    page.page.name = "sitrep demo".into();
    page.page.url = base.trim_end_matches('/').to_owned();
    page.page.time_zone = "Etc/UTC".into();
    // Every incident's and maintenance's shortlink is its page on this status page.
    for event in page.incidents.iter_mut().chain(page.scheduled_maintenances.iter_mut()) {
        event.shortlink = page.page.incident_url(&event.id);
    }
    Ok(page)
}
