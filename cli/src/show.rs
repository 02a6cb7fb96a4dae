//! Output for people: short lines with ids to copy, times in the page's zone, and what each write
//! changed.

use std::borrow::Cow;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::Deserialize;
use sitrep_shared::access::{Actor, Operator};
use sitrep_shared::command::WriteReply;
use sitrep_shared::views::Summary;
use sitrep_shared::{Component, ComponentStatus, Incident, Timestamp};

/// A time in the page's zone, such as `2026-11-30 02:00 CET`.
pub fn local(at: Timestamp, zone: Tz) -> String {
    DateTime::<Utc>::from_timestamp_millis(at.unix_millis())
        .map_or_else(|| at.to_string(), |t| t.with_timezone(&zone).format("%Y-%m-%d %H:%M %Z").to_string())
}

/// `sitrep status`.
pub fn status(summary: &Summary<'_>, zone: Tz) {
    out!("{}: {} (times in {zone})", summary.page.name, summary.status.description);
    for incident in &summary.incidents {
        event(incident, zone);
    }
    for maintenance in &summary.scheduled_maintenances {
        event(maintenance, zone);
    }
    let down: Vec<String> = summary
        .components
        .iter()
        .filter(|c| c.status != ComponentStatus::Operational && !c.group)
        .map(|c| format!("{} ({}, {})", c.id, c.name, c.status.to_wire()))
        .collect();
    if down.is_empty() {
        out!("  every component is operational (ids: sitrep component list)");
    } else {
        out!("  not operational: {}", down.join(", "));
    }
}

/// One incident or maintenance on one line, then its latest update.
pub fn event(event: &Incident, zone: Tz) {
    let kind = if event.is_maintenance() { "maintenance" } else { "incident" };
    let status = if event.cancelled_at.is_some() { "cancelled" } else { event.status.as_str() };
    let when = match (event.scheduled_for, event.scheduled_until) {
        (Some(from), Some(until)) => format!(" {} to {}", local(from, zone), local(until, zone)),
        _ => format!(" since {}", local(event.started_at.unwrap_or(event.created_at), zone)),
    };
    let auto =
        if event.is_maintenance() && event.auto_transition && !event.status.is_closed() { ", automatic" } else { "" };
    out!("  {kind} {} [{status}, {}{auto}] {}:{when}", event.id, event.impact.to_wire(), event.name);
    if let Some(update) = event.latest_update() {
        out!("    {}: {}", update.status.as_str(), first_line(&update.body));
    }
}

/// A list of events, or a line saying there are none.
pub fn events(list: &[Cow<'_, Incident>], none: &str, zone: Tz) {
    if list.is_empty() {
        out!("{none}");
    }
    for item in list {
        event(item, zone);
    }
}

/// `sitrep component list`: groups with their children indented, ids first.
pub fn components(list: &[Component]) {
    let width = list.iter().map(|c| c.id.as_str().len()).max().unwrap_or(0) + 2;
    let line = |c: &Component, indent: &str| {
        let status = if c.group { "group" } else { c.status.to_wire() };
        let id = format!("{indent}{}", c.id);
        out!("{id:<width$}  {status:<20}  {}", c.name);
    };
    for top in list.iter().filter(|c| c.group_id.is_none()) {
        line(top, "");
        for child in list.iter().filter(|c| c.group_id.as_ref() == Some(&top.id)) {
            line(child, "  ");
        }
    }
}

/// What a write did, and the components it changed (from the update it posted, which records
/// each one's status before and after).
pub fn reply(reply: &WriteReply) {
    let summary = if reply.summary.is_empty() { "done" } else { reply.summary.as_str() };
    // The summary names what it acted on ("opened incident abc (investigating)"); else the id.
    let id = if reply.id.is_empty() || summary.contains(reply.id.as_str()) {
        String::new()
    } else {
        format!(" (id {})", reply.id)
    };
    out!("{summary}{id}; page version {}", reply.version);
    // Only a write that changed components has them in its answer; its update records each change.
    let changes = reply
        .incident
        .as_ref()
        .filter(|_| reply.components.is_some())
        .and_then(Incident::latest_update)
        .map(|u| u.affected_components.as_slice());
    let status = |s: Option<ComponentStatus>| s.map_or("?", ComponentStatus::to_wire);
    for change in changes.unwrap_or_default() {
        let code = change.code.as_ref().map_or("", |c| c.as_str());
        out!("  {code} ({}): {} -> {}", change.name, status(change.old_status), status(change.new_status));
    }
    if reply.incident.is_none() {
        for component in reply.components.iter().flatten() {
            out!("  {} ({}): {}", component.id, component.name, component.status.to_wire());
        }
    }
}

/// One entry of the audit log, as the edge writes it.
#[derive(Debug, Deserialize)]
pub struct LogEntry {
    version: u64,
    at: Timestamp,
    summary: String,
    #[serde(default)]
    by: Option<By>,
}

/// Who wrote an entry (entries from before names were kept have no actor).
#[derive(Debug, Deserialize)]
struct By {
    #[serde(default)]
    actor: Option<Actor>,
}

/// `GET /api/v2/admin/log`.
#[derive(Debug, Deserialize)]
pub struct Log {
    entries: Vec<LogEntry>,
}

/// `sitrep log`.
pub fn log(log: &Log, zone: Tz) {
    for entry in &log.entries {
        let by = entry.by.as_ref().and_then(|b| b.actor.as_ref()).map_or_else(|| "unknown".to_owned(), Actor::label);
        out!("v{:<6} {}  {}  (by {by})", entry.version, local(entry.at, zone), entry.summary);
    }
}

fn first_line(text: &str) -> String {
    let line = text.lines().next().unwrap_or("");
    if line.chars().count() > 100 {
        format!("{}...", line.chars().take(100).collect::<String>())
    } else {
        line.to_owned()
    }
}

/// `GET subscriptions`.
#[derive(Debug, serde::Serialize, Deserialize)]
pub struct SubscriptionList {
    pub version: u64,
    pub subscriptions: Vec<sitrep_shared::notify::Subscription>,
}

/// The answer to a subscription write: the subscription (none for a removal), and its secret once.
#[derive(Debug, serde::Serialize, Deserialize)]
pub struct SubscriptionReply {
    pub version: u64,
    #[serde(default)]
    pub subscription: Option<sitrep_shared::notify::Subscription>,
    #[serde(default)]
    pub secret: Option<String>,
    #[serde(default)]
    pub id: Option<String>,
}

/// `GET subscriptions/{id}/deliveries`.
#[derive(Debug, serde::Serialize, Deserialize)]
pub struct DeliveryList {
    pub version: u64,
    pub subscription: sitrep_shared::notify::Subscription,
    pub deliveries: Vec<sitrep_shared::notify::delivery::Delivery>,
    pub replays_waiting: usize,
    /// Events it lost while paused (the outbox keeps only the newest for a paused subscription).
    #[serde(default)]
    pub gaps: Vec<sitrep_shared::notify::delivery::Gap>,
}

/// The answer to a replay.
#[derive(Debug, serde::Serialize, Deserialize)]
pub struct ReplayReply {
    pub subscription: String,
    pub delivery: String,
    pub paused: bool,
}

/// `sitrep deliveries list`.
pub fn deliveries(list: &DeliveryList, zone: Tz) {
    out!("{}", subscription_line(&list.subscription, zone));
    if list.deliveries.is_empty() {
        out!("  nothing sent yet");
    }
    for d in &list.deliveries {
        let state = serde_json::to_value(d.state).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
        let tries = if d.attempts == 1 { "1 try".to_owned() } else { format!("{} tries", d.attempts) };
        let result = d.last_result.as_deref().map_or_else(String::new, |r| format!(": {r}"));
        let next = d.next_try_at.map_or_else(String::new, |t| format!("; next try {}", local(t, zone)));
        let replay = if d.replay { " (replay)" } else { "" };
        out!(
            "  {} {} {state}{replay}, {tries}, last {}{result}{next}",
            d.id,
            d.kind.as_str(),
            local(d.last_try_at, zone)
        );
    }
    if list.replays_waiting > 0 {
        out!("  {} replay(s) waiting", list.replays_waiting);
    }
    for gap in &list.gaps {
        out!(
            "  never sent: the events of page versions {} to {}, dropped while it was paused",
            gap.from_version,
            gap.to_version
        );
    }
}

/// What a replay did.
pub fn replay(reply: &ReplayReply) {
    out!("{} will be sent to {} again, before its next new event", reply.delivery, reply.subscription);
    if reply.paused {
        out!(
            "  the subscription is paused: it goes out once resumed (sitrep subscribers resume {})",
            reply.subscription
        );
    }
}

fn subscription_line(s: &sitrep_shared::notify::Subscription, zone: Tz) -> String {
    let kind = serde_json::to_value(s.kind).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
    let events = if s.events.is_empty() {
        "every event".to_owned()
    } else {
        s.events.iter().map(|e| e.as_str()).collect::<Vec<_>>().join(", ")
    };
    let components = if s.components.is_empty() {
        "every component".to_owned()
    } else {
        s.components.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(", ")
    };
    let paused =
        s.paused.as_ref().map_or_else(String::new, |p| format!(" [paused {}: {}]", local(p.at, zone), p.reason));
    format!("{} {kind} {}: {events}; {components}{paused}", s.id, s.url)
}

/// `sitrep subscribers list`.
pub fn subscriptions(list: &[sitrep_shared::notify::Subscription], zone: Tz) {
    if list.is_empty() {
        out!("no subscriptions (add one: sitrep subscribers add --help)");
    }
    for s in list {
        out!("  {}", subscription_line(s, zone));
    }
}

/// `sitrep template list`: each template's id and name, then what it opens.
pub fn templates(list: &[sitrep_shared::template::Template]) {
    if list.is_empty() {
        out!("no templates (add one: sitrep template add --help)");
    }
    for t in list {
        let impact = t.incident.impact.map_or("minor", |i| i.to_wire());
        let components = t.incident.components.iter().map(|c| format!("{}={}", c.id.0, c.status.to_wire()));
        let components: Vec<String> = components.collect();
        out!("  {}  {}", t.id, t.name);
        out!("      opens \"{}\" ({impact}) {}", t.incident.name, components.join(" "));
    }
}

/// What a subscription write did; the secret, when there is one, with how to keep it.
pub fn subscription_reply(reply: &SubscriptionReply, what: &str) {
    let id = reply.subscription.as_ref().map(|s| s.id.as_str()).or(reply.id.as_deref()).unwrap_or("?");
    out!("{what} subscription {id}; page version {}", reply.version);
    if let Some(secret) = &reply.secret {
        out!("  signing secret: {secret}");
        out!("  it is shown this once: keep it where the receiver reads it (it verifies each delivery)");
    }
}

/// `sitrep whoami`: who, their role on the page asked about, and their roles on other pages.
pub fn me(me: &sitrep_shared::api::Me) {
    let on = if me.page == sitrep_shared::host::DEFAULT_PAGE { String::new() } else { format!(" on page {}", me.page) };
    out!("{}, {}{on}", me.actor.label(), me.page_role().as_str());
    if !me.pages.is_empty() {
        out!("  deployment role: {}", me.role.as_str());
        for (page, role) in &me.pages {
            out!("  on page {page}: {}", role.as_str());
        }
    }
}

/// `GET operators`.
#[derive(Debug, serde::Serialize, Deserialize)]
pub struct Operators {
    pub operators: Vec<Operator>,
    #[serde(default)]
    pub log: Vec<AccountLogEntry>,
}

/// One change to the accounts.
#[derive(Debug, serde::Serialize, Deserialize)]
pub struct AccountLogEntry {
    pub at: Timestamp,
    pub by: String,
    pub summary: String,
}

/// `sitrep operator list`.
pub fn operators(list: &Operators, zone: Tz) {
    if list.operators.is_empty() {
        out!("no operators yet: invite one with sitrep operator invite EMAIL --role ROLE");
    }
    for operator in &list.operators {
        let state = match operator.revoked_at {
            Some(at) => format!("revoked {}", local(at, zone)),
            None => sitrep_shared::access::roles_label(operator.role, &operator.pages),
        };
        out!("{:<22} {:<40} {state}", operator.id, operator.actor().label());
    }
}

/// `GET pages`.
#[derive(Debug, serde::Serialize, Deserialize)]
pub struct PageList {
    pub pages: Vec<sitrep_shared::host::PageEntry>,
}

/// `POST pages`, `DELETE pages/{id}`.
#[derive(Debug, serde::Serialize, Deserialize)]
pub struct PageReply {
    pub page: sitrep_shared::host::PageEntry,
    /// A removal: whether its store and deliveries stopped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stopped: Option<bool>,
}

/// `POST pages/{id}/links`.
#[derive(Debug, serde::Serialize, Deserialize)]
pub struct ReaderLink {
    pub page: sitrep_shared::host::PageEntry,
    pub link: String,
    pub expires_at: Timestamp,
}

/// `sitrep page list`.
pub fn pages(list: &PageList) {
    out!("{:<24} {:<28} every hostname no other page has", "default", "(the default page)");
    for page in &list.pages {
        let hosts: Vec<&str> = page.hosts.iter().map(|h| h.as_str()).collect();
        let private = if page.audience == sitrep_shared::host::Audience::Private { " (private)" } else { "" };
        out!("{:<24} {:<28} {}{private}", page.id, page.name, hosts.join(", "));
    }
}

/// `sitrep page readers`.
pub fn page_readers(page: &sitrep_shared::host::PageEntry) {
    match page.readers.is_empty() {
        true => out!("nobody reads page {} by Cloudflare Access (reader links and operators still do)", page.id),
        false => out!("page {} is read by Cloudflare Access by {}", page.id, page.readers.join(", ")),
    }
}

/// `sitrep page add`.
pub fn page_added(page: &sitrep_shared::host::PageEntry) {
    let hosts: Vec<&str> = page.hosts.iter().map(|h| h.as_str()).collect();
    out!("added page {} ({}), answering on {}", page.id, page.name, hosts.join(", "));
    if !page.readers.is_empty() {
        page_readers(page);
    }
    out!("point each hostname at this deployment; work on the page with --page {} (or SITREP_PAGE)", page.id);
}

/// `POST operators`.
#[derive(Debug, serde::Serialize, Deserialize)]
pub struct Invited {
    pub operator: Operator,
    pub expires_at: Timestamp,
    pub link: String,
}

/// `PATCH` or `DELETE operators/{id}`.
#[derive(Debug, serde::Serialize, Deserialize)]
pub struct OperatorReply {
    pub operator: Operator,
}

/// `GET operators/{id}/sessions`.
#[derive(Debug, serde::Serialize, Deserialize)]
pub struct Sessions {
    pub sessions: Vec<SessionLine>,
}

#[derive(Debug, serde::Serialize, Deserialize)]
pub struct SessionLine {
    pub id: String,
    pub created_at: Timestamp,
    pub last_used: Timestamp,
    #[serde(default)]
    pub user_agent: String,
}

/// `sitrep operator sessions`.
pub fn sessions(list: &Sessions, zone: Tz) {
    if list.sessions.is_empty() {
        out!("no signed-in browsers");
    }
    for session in &list.sessions {
        out!(
            "{:<22} signed in {}, last used {}  {}",
            session.id,
            local(session.created_at, zone),
            local(session.last_used, zone),
            first_line(&session.user_agent)
        );
    }
}
