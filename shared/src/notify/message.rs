//! What a delivery sends: sitrep's signed JSON for webhooks, and Slack's and Discord's incoming
//! webhook formats for chat, in the page's words ([`Labels`], which `sitrep-views` implements for
//! each language it speaks, so a chat message says what the status page says).
//!
//! Operator text is inert in chat: Slack's control characters (`&`, `<`, `>`) are escaped, so no
//! text can mention `@channel` or forge a link; Discord messages allow no mentions at all. Every
//! field is cut to the service's limit.

use serde::Serialize;
use serde_json::json;

use super::events::{Event, EventType};
use super::subscription::Channel;
use crate::{ComponentStatus, Impact, Incident, IncidentStatus, Indicator, Page};

/// The words a chat message needs, in one language.
pub trait Labels {
    /// An incident's or maintenance's status ("Investigating", "Cancelled").
    fn event_status(&self, event: &Incident) -> &str;
    /// A component's status ("Partial outage").
    fn component(&self, status: ComponentStatus) -> &str;
    /// What an indicator says about the page ("Partial System Outage").
    fn indicator(&self, indicator: Indicator) -> &str;
    /// A fixed label.
    fn label(&self, label: Label) -> &str;
}

/// The fixed labels of a chat message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Label {
    Status,
    Impact,
    Affected,
    Details,
    Postmortem,
    Deleted,
}

/// The body for a subscription's channel: JSON text, ready to sign and send.
pub fn body(channel: Channel, event: &Event, page: &Page, labels: &dyn Labels) -> String {
    let value = match channel {
        Channel::Webhook => return webhook(event, page),
        Channel::Slack => slack(event, page, labels),
        Channel::Discord => discord(event, page, labels),
    };
    value.to_string()
}

#[derive(Serialize)]
struct Webhook<'a> {
    #[serde(rename = "type")]
    kind: EventType,
    timestamp: crate::Timestamp,
    data: Data<'a>,
}

#[derive(Serialize)]
struct Data<'a> {
    id: &'a str,
    version: u64,
    page: &'a Page,
    #[serde(skip_serializing_if = "Option::is_none")]
    incident: Option<&'a Incident>,
    #[serde(skip_serializing_if = "Option::is_none")]
    component: Option<&'a super::events::StatusChange>,
    /// The incident's page on the status page, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<String>,
}

/// The Standard Webhooks payload shape: `{"type", "timestamp", "data"}`; `data` carries the event's
/// id, the page and the incident as the read API shapes them.
pub fn webhook(event: &Event, page: &Page) -> String {
    let payload = Webhook {
        kind: event.kind,
        timestamp: event.at,
        data: Data {
            id: &event.id,
            version: event.version,
            page,
            incident: event.incident.as_ref(),
            component: event.component.as_ref(),
            url: link(event, page),
        },
    };
    serde_json::to_string(&payload).unwrap_or_default()
}

/// The incident's page, with `?v=` the version the event made: an edge whose list of ids has not
/// caught up with that version yet looks the incident up instead of answering 404 (see the edge's
/// `read::second_look`), so a link followed the moment it arrives works.
fn link(event: &Event, page: &Page) -> Option<String> {
    // A deleted event has no page any more: the page's own address.
    let gone = matches!(event.kind, EventType::IncidentDeleted | EventType::MaintenanceDeleted);
    let incident = event.incident.as_ref().filter(|_| !gone).and_then(|i| page.incident_url(&i.id));
    incident.map(|url| format!("{url}?v={}", event.version)).or_else(|| {
        let base = page.url.trim_end_matches('/');
        (base.starts_with("https://") || base.starts_with("http://")).then(|| base.to_owned())
    })
}

/// What every chat format says about an event.
struct Said {
    title: String,
    text: String,
    fields: Vec<(String, String)>,
    indicator: Indicator,
    link: Option<String>,
}

fn said(event: &Event, page: &Page, labels: &dyn Labels) -> Said {
    let link = link(event, page);
    if let Some(change) = &event.component {
        let title = format!(
            "{}: {} → {}",
            change.name,
            labels.component(change.old_status),
            labels.component(change.new_status)
        );
        let indicator = match change.new_status {
            ComponentStatus::Operational => Indicator::None,
            ComponentStatus::DegradedPerformance | ComponentStatus::Unknown => Indicator::Minor,
            ComponentStatus::PartialOutage => Indicator::Major,
            ComponentStatus::MajorOutage => Indicator::Critical,
            ComponentStatus::UnderMaintenance => Indicator::Maintenance,
        };
        return Said { title, text: String::new(), fields: vec![], indicator, link };
    }
    let Some(incident) = &event.incident else {
        return Said {
            title: page.name.clone(),
            text: String::new(),
            fields: vec![],
            indicator: Indicator::None,
            link,
        };
    };
    if matches!(event.kind, EventType::IncidentDeleted | EventType::MaintenanceDeleted) {
        // Gone from the page: no status to show, and the link is the page's own.
        let title = format!("{}: {}", labels.label(Label::Deleted), incident.name);
        return Said { title, text: String::new(), fields: vec![], indicator: Indicator::None, link };
    }
    let closed = incident.status.is_closed();
    let indicator = if closed {
        Indicator::None
    } else if incident.is_maintenance() {
        Indicator::Maintenance
    } else {
        Indicator::of_open_incident(incident.impact)
    };
    let (title, text) = match (event.kind, incident.published_postmortem()) {
        (EventType::PostmortemPublished, Some(postmortem)) => {
            (format!("{}: {}", labels.label(Label::Postmortem), incident.name), postmortem.summary.clone())
        }
        _ => (incident.name.clone(), incident.latest_update().map(|u| u.body.clone()).unwrap_or_default()),
    };
    let mut fields = vec![(labels.label(Label::Status).to_owned(), labels.event_status(incident).to_owned())];
    if !incident.is_maintenance() && incident.impact != Impact::None && incident.status != IncidentStatus::Postmortem {
        let impact = labels.indicator(Indicator::of_open_incident(incident.impact));
        fields.push((labels.label(Label::Impact).to_owned(), impact.to_owned()));
    }
    // With their statuses: the write's component changes are told here, not in messages of their own.
    let names: Vec<String> =
        incident.components.iter().map(|c| format!("{} ({})", c.name, labels.component(c.status))).collect();
    if !names.is_empty() {
        fields.push((labels.label(Label::Affected).to_owned(), names.join(", ")));
    }
    Said { title, text, fields, indicator, link }
}

/// Cuts `text` to at most `max` characters, marking the cut.
fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// Slack's three control characters, escaped as Slack asks (no mention, no link can be forged).
fn slack_escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// A Slack incoming-webhook message (Block Kit), with a plain-text fallback for notifications.
pub fn slack(event: &Event, page: &Page, labels: &dyn Labels) -> serde_json::Value {
    let said = said(event, page, labels);
    let emoji = match said.indicator {
        Indicator::None => "🟢",
        Indicator::Minor | Indicator::Unknown => "🟡",
        Indicator::Major => "🟠",
        Indicator::Critical => "🔴",
        Indicator::Maintenance => "🔧",
    };
    let title = cut(&format!("{emoji} {}", said.title), 150);
    let mut blocks = vec![json!({"type": "header", "text": {"type": "plain_text", "text": title, "emoji": true}})];
    if !said.fields.is_empty() {
        let fields: Vec<_> = said
            .fields
            .iter()
            .map(|(name, value)| json!({"type": "mrkdwn", "text": cut(&format!("*{}*\n{}", slack_escape(name), slack_escape(value)), 2000)}))
            .collect();
        blocks.push(json!({"type": "section", "fields": fields}));
    }
    if !said.text.is_empty() {
        blocks
            .push(json!({"type": "section", "text": {"type": "mrkdwn", "text": cut(&slack_escape(&said.text), 3000)}}));
    }
    if let Some(url) = &said.link {
        let details = cut(labels.label(Label::Details), 75);
        blocks.push(json!({"type": "actions", "elements": [{"type": "button", "text": {"type": "plain_text", "text": details}, "url": url}]}));
    }
    let fallback = cut(&slack_escape(&format!("{}: {}", page.name, said.title)), 3000);
    json!({"text": fallback, "blocks": blocks, "unfurl_links": false})
}

/// A Discord webhook message (one embed) that may mention nobody.
pub fn discord(event: &Event, page: &Page, labels: &dyn Labels) -> serde_json::Value {
    let said = said(event, page, labels);
    let color = match said.indicator {
        Indicator::None => 0x1f_883d,
        Indicator::Minor | Indicator::Unknown => 0xbf_8700,
        Indicator::Major => 0xbc_4c00,
        Indicator::Critical => 0xcf_222e,
        Indicator::Maintenance => 0x09_69da,
    };
    let fields: Vec<_> = said
        .fields
        .iter()
        .map(|(name, value)| json!({"name": cut(name, 256), "value": cut(value, 1024), "inline": true}))
        .collect();
    let mut embed = json!({
        "title": cut(&said.title, 256),
        "description": cut(&said.text, 4096),
        "color": color,
        "fields": fields,
        "timestamp": event.at,
        "footer": {"text": cut(&page.name, 2048)},
    });
    if let Some(url) = said.link {
        embed["url"] = json!(url);
    }
    // No username: Discord refuses names with some words in them; the webhook keeps its own.
    json!({"embeds": [embed], "allowed_mentions": {"parse": []}})
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::testing::{at, incident, page};
    use crate::{AffectedComponent, Component};

    struct English;

    impl Labels for English {
        fn event_status(&self, event: &Incident) -> &str {
            if event.cancelled_at.is_some() { "Cancelled" } else { event.status.as_str() }
        }
        fn component(&self, status: ComponentStatus) -> &str {
            match status {
                ComponentStatus::Operational => "Operational",
                ComponentStatus::MajorOutage => "Major outage",
                _ => "Other",
            }
        }
        fn indicator(&self, indicator: Indicator) -> &str {
            match indicator {
                Indicator::Major => "Partial System Outage",
                _ => "Something",
            }
        }
        fn label(&self, label: Label) -> &str {
            match label {
                Label::Status => "Status",
                Label::Impact => "Impact",
                Label::Affected => "Affected",
                Label::Details => "Details",
                Label::Postmortem => "Postmortem",
                Label::Deleted => "Deleted",
            }
        }
    }

    fn hostile_event() -> (Event, Page) {
        let mut page = page().page;
        page.url = "https://status.example.com/".into();
        let mut event = incident("inc1", Impact::Major, 0, &[IncidentStatus::Investigating]);
        event.name = "<!channel> @everyone & <https://evil.example|click>".into();
        event.incident_updates[0].body = "Errors <@U123> & more".into();
        event.components = vec![Component {
            name: "API <b>".into(),
            ..crate::testing::component("api", ComponentStatus::MajorOutage)
        }];
        event.incident_updates[0].affected_components = vec![AffectedComponent {
            code: Some("api".into()),
            name: "API".into(),
            old_status: None,
            new_status: None,
        }];
        let event = Event {
            id: "evt_3_0".into(),
            kind: EventType::IncidentOpened,
            at: at(1),
            version: 3,
            incident: Some(event),
            component: None,
            components: vec!["api".into()],
            told_by: None,
        };
        (event, page)
    }

    #[test]
    fn slack_text_cannot_mention_or_link() {
        let (event, page) = hostile_event();
        let value = slack(&event, &page, &English);
        let text = value.to_string();
        // Everything Slack parses (mrkdwn and the notification's fallback) has its controls escaped;
        // the header is plain_text, which Slack shows as it is and never parses.
        let mut parsed = vec![value["text"].as_str().unwrap().to_owned()];
        for block in value["blocks"].as_array().unwrap() {
            let texts =
                block["fields"].as_array().cloned().unwrap_or_default().into_iter().chain([block["text"].clone()]);
            parsed.extend(texts.filter(|t| t["type"] == "mrkdwn").map(|t| t["text"].as_str().unwrap().to_owned()));
        }
        assert_eq!(parsed.len(), 5, "{text}");
        assert!(parsed.iter().all(|t| !t.contains('<') && !t.contains('>')), "{parsed:?}");
        assert!(parsed[0].contains("&lt;!channel&gt;") && parsed[0].contains("&amp;"), "{parsed:?}");
        assert_eq!(value["blocks"][0]["text"]["type"], "plain_text");
        assert!(text.contains("https://status.example.com/incidents/inc1?v=3"), "{text}");
        assert!(text.contains("*Impact*\\nPartial System Outage"), "{text}");
    }

    #[test]
    fn discord_mentions_nobody_and_keeps_to_its_limits() {
        let (mut event, page) = hostile_event();
        if let Some(incident) = event.incident.as_mut() {
            incident.incident_updates[0].body = "x".repeat(10_000);
        }
        let value = discord(&event, &page, &English);
        assert_eq!(value["allowed_mentions"]["parse"], serde_json::json!([]));
        let embed = &value["embeds"][0];
        assert_eq!(embed["description"].as_str().unwrap().chars().count(), 4096);
        assert!(embed["description"].as_str().unwrap().ends_with('…'));
        assert_eq!(embed["url"], "https://status.example.com/incidents/inc1?v=3");
        assert_eq!(embed["color"], 0xbc_4c00);
    }

    #[test]
    fn a_webhook_carries_the_event_page_and_incident() {
        let (event, page) = hostile_event();
        let value: serde_json::Value = serde_json::from_str(&webhook(&event, &page)).unwrap();
        assert_eq!(value["type"], "incident.opened");
        assert_eq!(value["data"]["id"], "evt_3_0");
        assert_eq!(value["data"]["incident"]["id"], "inc1");
        assert_eq!(value["data"]["page"]["id"], "p");
        // Review 2, finding 8: the version lets an edge whose list of ids lags look the incident up.
        assert_eq!(value["data"]["url"], "https://status.example.com/incidents/inc1?v=3");
        assert_eq!(value["timestamp"], serde_json::to_value(at(1)).unwrap());
    }
}
