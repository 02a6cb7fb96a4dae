//! History feeds: Atom, RSS 2.0 and JSON Feed 1.1, one entry per update (maintenance included)
//! plus one per published postmortem, with ids that never change.

use std::fmt::Write;

use serde::{Deserialize, Serialize};

use crate::incident::{Incident, IncidentStatus, IncidentUpdate};
use crate::page::PageState;
use crate::wire::Timestamp;

/// How many entries a feed carries.
pub const FEED_LIMIT: usize = 100;

/// What an entry announces.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum EntryKind<'a> {
    /// An incident or maintenance update.
    Update(&'a IncidentUpdate),
    /// A published postmortem.
    Postmortem,
}

/// One feed entry.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry<'a> {
    /// Stable id, a URN: `urn:sitrep:{page}:update:{update}` or `urn:sitrep:{page}:postmortem:{incident}`.
    pub id: String,
    /// The incident or maintenance.
    pub incident: &'a Incident,
    /// What the entry is.
    pub kind: EntryKind<'a>,
    /// When it was posted.
    pub published: Timestamp,
    /// When it last changed.
    pub updated: Timestamp,
}

impl Entry<'_> {
    /// "Name: Status", as feed readers show it.
    pub fn title(&self) -> String {
        match self.kind {
            // A cancelled maintenance's last update is Completed on the wire (Statuspage has no
            // cancelled status) but says Cancelled here, as the page and chat do.
            EntryKind::Update(update)
                if update.status == IncidentStatus::Completed && self.incident.cancelled_at.is_some() =>
            {
                format!("{}: Cancelled", self.incident.name)
            }
            EntryKind::Update(update) => format!("{}: {}", self.incident.name, status_label(update.status)),
            EntryKind::Postmortem => format!("{}: Postmortem published", self.incident.name),
        }
    }

    /// The entry's text.
    pub fn text(&self) -> &str {
        match self.kind {
            EntryKind::Update(update) => &update.body,
            EntryKind::Postmortem => self.incident.postmortem.as_ref().map_or("", |p| p.summary.as_str()),
        }
    }

    /// BCP 47 tag of the text, when known.
    pub fn language(&self) -> Option<&str> {
        match self.kind {
            EntryKind::Update(update) => update.language.as_deref(),
            EntryKind::Postmortem => self.incident.postmortem.as_ref().and_then(|p| p.language.as_deref()),
        }
    }

    /// The lifecycle status the entry reports.
    pub fn status(&self) -> IncidentStatus {
        match self.kind {
            EntryKind::Update(update) => update.status,
            EntryKind::Postmortem => IncidentStatus::Postmortem,
        }
    }
}

/// English label of a status, for feed titles.
pub fn status_label(status: IncidentStatus) -> &'static str {
    match status {
        IncidentStatus::Investigating => "Investigating",
        IncidentStatus::Identified => "Identified",
        IncidentStatus::Monitoring => "Monitoring",
        IncidentStatus::Resolved => "Resolved",
        IncidentStatus::Postmortem => "Postmortem",
        IncidentStatus::Scheduled => "Scheduled",
        IncidentStatus::InProgress => "In progress",
        IncidentStatus::Verifying => "Verifying",
        IncidentStatus::Completed => "Completed",
        IncidentStatus::Unknown => "Update",
    }
}

/// The newest `limit` entries shown by `now`, newest first.
///
/// Walks events by latest activity and stops once no older event can hold a newer entry, so the
/// cost follows what is recent, not the length of history.
pub fn entries(state: &PageState, now: Timestamp, limit: usize) -> Vec<Entry<'_>> {
    let page = state.page().id.as_str();
    let mut list: Vec<Entry<'_>> = Vec::new();
    for incident in state.by_activity() {
        if list.len() >= limit {
            // Every entry of this and older events is no newer than their last activity.
            let oldest_kept = list.iter().map(|e| e.published).min();
            if oldest_kept.is_some_and(|oldest| incident.last_activity() < oldest) {
                break;
            }
        }
        for update in incident.incident_updates.iter().filter(|u| u.shown_at() <= now) {
            list.push(Entry {
                id: format!("urn:sitrep:{page}:update:{}", update.id),
                incident,
                kind: EntryKind::Update(update),
                published: update.shown_at(),
                updated: update.updated_at.max(update.shown_at()),
            });
        }
        if let Some(published) = incident.published_postmortem().and_then(|p| p.published_at).filter(|t| *t <= now) {
            list.push(Entry {
                id: format!("urn:sitrep:{page}:postmortem:{}", incident.id),
                incident,
                kind: EntryKind::Postmortem,
                published,
                updated: published,
            });
        }
        if list.len() > limit * 2 {
            trim(&mut list, limit);
        }
    }
    trim(&mut list, limit);
    list
}

fn trim(list: &mut Vec<Entry<'_>>, limit: usize) {
    list.sort_by(|a, b| b.published.cmp(&a.published).then_with(|| a.id.cmp(&b.id)));
    list.truncate(limit);
}

/// Where a reader follows an entry: the incident's page on this origin, for a person to read (its
/// JSON is one `.json` away, at `/api/v2/incidents/{id}.json`).
fn link(base: &str, incident: &Incident) -> String {
    format!("{base}/incidents/{}", incident.id)
}

/// Atom 1.0 document.
pub fn atom(state: &PageState, entries: &[Entry<'_>], base: &str) -> String {
    let page = state.page();
    let updated = entries.first().map_or(page.updated_at, |e| e.updated);
    let mut out = String::with_capacity(1024 + entries.len() * 512);
    out.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    let _ = writeln!(out, "  <id>urn:sitrep:{}</id>", xml(page.id.as_str()));
    let _ = writeln!(out, "  <title>{} status history</title>", xml(&page.name));
    let _ = writeln!(out, "  <updated>{updated}</updated>");
    let _ = writeln!(out, "  <author><name>{}</name></author>", xml(&page.name));
    let _ = writeln!(out, "  <link rel=\"self\" type=\"application/atom+xml\" href=\"{}/history.atom\"/>", xml(base));
    let _ = writeln!(out, "  <link rel=\"alternate\" href=\"{}/\"/>", xml(base));
    for entry in entries {
        match entry.language() {
            Some(lang) => {
                let _ = writeln!(out, "  <entry xml:lang=\"{}\">", xml(lang));
            }
            None => out.push_str("  <entry>\n"),
        }
        let _ = writeln!(out, "    <id>{}</id>", xml(&entry.id));
        let _ = writeln!(out, "    <title>{}</title>", xml(&entry.title()));
        let _ = writeln!(out, "    <published>{}</published>", entry.published);
        let _ = writeln!(out, "    <updated>{}</updated>", entry.updated);
        let _ = writeln!(out, "    <link rel=\"alternate\" href=\"{}\"/>", xml(&link(base, entry.incident)));
        let _ = writeln!(out, "    <category term=\"{}\"/>", entry.status().as_str());
        let _ = writeln!(out, "    <content type=\"text\">{}</content>", xml(entry.text()));
        out.push_str("  </entry>\n");
    }
    out.push_str("</feed>\n");
    out
}

/// RSS 2.0 document. Its `<title>` and `<description>` hold HTML that readers decode after the
/// XML (RSS has no `type="text"`), so operator text is escaped twice: once as HTML, once as XML.
pub fn rss(state: &PageState, entries: &[Entry<'_>], base: &str) -> String {
    let page = state.page();
    let updated = entries.first().map_or(page.updated_at, |e| e.updated);
    let mut out = String::with_capacity(1024 + entries.len() * 512);
    out.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    out.push_str("<rss version=\"2.0\" xmlns:atom=\"http://www.w3.org/2005/Atom\">\n<channel>\n");
    let _ = writeln!(out, "  <title>{} status history</title>", html_in_xml(&page.name));
    let _ = writeln!(out, "  <link>{}/</link>", xml(base));
    let _ = writeln!(
        out,
        "  <description>Incidents, maintenance and postmortems for {}</description>",
        html_in_xml(&page.name)
    );
    let _ =
        writeln!(out, "  <atom:link href=\"{}/history.rss\" rel=\"self\" type=\"application/rss+xml\"/>", xml(base));
    let _ = writeln!(out, "  <lastBuildDate>{}</lastBuildDate>", updated.as_datetime().to_rfc2822());
    for entry in entries {
        out.push_str("  <item>\n");
        let _ = writeln!(out, "    <title>{}</title>", html_in_xml(&entry.title()));
        let _ = writeln!(out, "    <link>{}</link>", xml(&link(base, entry.incident)));
        let _ = writeln!(out, "    <guid isPermaLink=\"false\">{}</guid>", xml(&entry.id));
        let _ = writeln!(out, "    <pubDate>{}</pubDate>", entry.published.as_datetime().to_rfc2822());
        let _ = writeln!(out, "    <category>{}</category>", entry.status().as_str());
        let _ = writeln!(out, "    <description>{}</description>", html_in_xml(entry.text()));
        out.push_str("  </item>\n");
    }
    out.push_str("</channel>\n</rss>\n");
    out
}

/// JSON Feed 1.1 document.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct JsonFeed {
    /// Always `https://jsonfeed.org/version/1.1`.
    pub version: String,
    /// Feed title.
    pub title: String,
    /// The status page.
    pub home_page_url: String,
    /// This feed.
    pub feed_url: String,
    /// Newest first.
    pub items: Vec<JsonFeedItem>,
}

/// One JSON Feed item.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct JsonFeedItem {
    /// Stable id.
    pub id: String,
    /// The incident's document.
    pub url: String,
    /// "Name: Status".
    pub title: String,
    /// The text, as text.
    pub content_text: String,
    /// When posted.
    pub date_published: Timestamp,
    /// When last changed.
    pub date_modified: Timestamp,
    /// Language of the text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// Status, and `maintenance` for maintenance entries.
    pub tags: Vec<String>,
}

/// The JSON Feed document.
pub fn json_feed(state: &PageState, entries: &[Entry<'_>], base: &str) -> JsonFeed {
    let page = state.page();
    JsonFeed {
        version: "https://jsonfeed.org/version/1.1".into(),
        title: format!("{} status history", page.name),
        home_page_url: format!("{base}/"),
        feed_url: format!("{base}/feed.json"),
        items: entries
            .iter()
            .map(|entry| {
                let mut tags = vec![entry.status().as_str().to_owned()];
                if entry.incident.is_maintenance() {
                    tags.push("maintenance".into());
                }
                JsonFeedItem {
                    id: entry.id.clone(),
                    url: link(base, entry.incident),
                    title: entry.title(),
                    content_text: entry.text().to_owned(),
                    date_published: entry.published,
                    date_modified: entry.updated,
                    language: entry.language().map(str::to_owned),
                    tags,
                }
            })
            .collect(),
    }
}

/// Text for an RSS element that readers decode as HTML: escaped as HTML, then as XML.
fn html_in_xml(text: &str) -> String {
    xml(&xml(text))
}

/// Escapes text for XML content and attributes, dropping characters XML 1.0 forbids.
pub fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::incident::{Impact, IncidentStatus::*};
    use crate::testing::{at, incident, maintenance, page};

    fn state() -> PageState {
        let mut data = page();
        let mut i = incident("i", Impact::Major, 10, &[Investigating, Resolved]);
        i.incident_updates[0].body = "Fixed <b>it</b> & \u{0}more".into();
        i.incident_updates[0].language = Some("nl".into());
        data.incidents.push(i);
        data.scheduled_maintenances.push(maintenance("m", 0, (60, 120), &[Scheduled]));
        PageState::new(data)
    }

    #[test]
    fn one_entry_per_update_shown_by_now_newest_first() {
        let state = state();
        let list = entries(&state, at(10), FEED_LIMIT);
        let ids: Vec<_> = list.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids, ["urn:sitrep:p:update:i-u0", "urn:sitrep:p:update:m-u0"]);
        assert_eq!(entries(&state, at(100), FEED_LIMIT).len(), 3);
        assert_eq!(entries(&state, at(100), 1).len(), 1);
    }

    #[test]
    fn xml_is_escaped_and_illegal_characters_dropped() {
        let state = state();
        let list = entries(&state, at(100), FEED_LIMIT);
        let atom = atom(&state, &list, "https://status.example.com");
        assert!(atom.contains("Fixed &lt;b&gt;it&lt;/b&gt; &amp; more"), "{atom}");
        assert!(atom.contains("<entry xml:lang=\"nl\">"));
        assert!(!atom.contains('\u{0}'));
        let rss = rss(&state, &list, "https://status.example.com");
        assert!(rss.contains("<guid isPermaLink=\"false\">urn:sitrep:p:update:i-u1</guid>"));
        let feed = json_feed(&state, &list, "https://status.example.com");
        assert_eq!(feed.items[0].content_text, "Fixed <b>it</b> & \u{0}more", "JSON carries the text as it is");
        assert!(feed.items.iter().any(|i| i.tags.contains(&"maintenance".to_owned())));
    }

    /// Review 2, finding 10: RSS readers decode `<title>` and `<description>` as HTML, so
    /// operator text escaped only once was rendered as markup.
    #[test]
    fn rss_text_is_escaped_for_the_html_readers_decode_it_into() {
        let state = state();
        let list = entries(&state, at(100), FEED_LIMIT);
        let first = rss(&state, &list, "https://status.example.com");
        assert!(
            first.contains("<description>Fixed &amp;lt;b&amp;gt;it&amp;lt;/b&amp;gt; &amp;amp; more</description>"),
            "{first}"
        );
        assert!(!first.contains("&lt;b&gt;it"), "{first}");
        let mut data = page();
        data.page.name = "A <i>page</i>".into();
        let mut named = incident("j", Impact::Minor, 10, &[Investigating]);
        named.name = "Login <script>".into();
        data.incidents.push(named);
        let state = PageState::new(data);
        let list = entries(&state, at(100), FEED_LIMIT);
        let text = rss(&state, &list, "https://status.example.com");
        assert!(text.contains("<title>A &amp;lt;i&amp;gt;page&amp;lt;/i&amp;gt; status history</title>"), "{text}");
        assert!(text.contains("Login &amp;lt;script&amp;gt;"), "{text}");
        assert!(!text.contains("&lt;script"), "{text}");
    }

    /// Issue 26, item 5: the page and chat said Cancelled while every feed said Completed.
    #[test]
    fn a_cancelled_maintenance_is_cancelled_in_every_feed() {
        let mut data = page();
        let mut m = maintenance("m", 0, (60, 120), &[Scheduled, Completed]);
        m.cancelled_at = Some(at(2));
        data.scheduled_maintenances.push(m);
        data.scheduled_maintenances.push(maintenance("done", 0, (10, 20), &[InProgress, Completed]));
        let state = PageState::new(data);
        let list = entries(&state, at(100), FEED_LIMIT);
        let base = "https://status.example.com";
        let titles: Vec<String> = list.iter().map(Entry::title).collect();
        assert!(titles.contains(&"Incident m: Cancelled".to_owned()), "{titles:?}");
        assert!(titles.contains(&"Incident done: Completed".to_owned()), "{titles:?}");
        assert!(titles.contains(&"Incident m: Scheduled".to_owned()), "{titles:?}");
        assert!(atom(&state, &list, base).contains("<title>Incident m: Cancelled</title>"));
        assert!(rss(&state, &list, base).contains("<title>Incident m: Cancelled</title>"));
        assert!(json_feed(&state, &list, base).items.iter().any(|i| i.title == "Incident m: Cancelled"));
    }

    #[test]
    fn entries_link_to_the_page_a_person_reads() {
        let state = state();
        let list = entries(&state, at(100), FEED_LIMIT);
        let base = "https://status.example.com";
        let page = "https://status.example.com/incidents/i";
        assert!(atom(&state, &list, base).contains(&format!("<link rel=\"alternate\" href=\"{page}\"/>")));
        assert!(rss(&state, &list, base).contains(&format!("<link>{page}</link>")));
        assert_eq!(
            json_feed(&state, &list, base).items.iter().find(|i| i.url.ends_with("/i")).map(|i| i.url.as_str()),
            Some(page)
        );
    }
}
