//! Every real Statuspage sample parses, and serialises back with every field sitrep understood.

use std::fs;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use sitrep_shared::views::{IncidentsDocument, MaintenancesDocument, Summary};
use sitrep_shared::{ComponentStatus, Impact, Indicator, Timestamp};
use sitrep_tests::shared_dir;

/// Fields sitrep does not model: Twitter cross-posting, notification delivery and reminder settings
/// are the writer's business, not what readers show.
const IGNORED: [&str; 4] = ["custom_tweet", "tweet_id", "deliver_notifications", "reminder_intervals"];

fn read(name: &str) -> Value {
    let path = shared_dir().join("statuspage-samples").join(name);
    let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

/// Parses a sample as `T`, serialises it back, and checks that nothing understood was lost.
fn round_trip<T: DeserializeOwned + Serialize>(name: &str) -> T {
    let input = read(name);
    let parsed: T = serde_json::from_value(input.clone()).unwrap_or_else(|e| panic!("{name} does not parse: {e}"));
    let output = serde_json::to_value(&parsed).unwrap();
    let mut problems = Vec::new();
    kept(&input, &output, "$", &mut problems);
    assert!(problems.is_empty(), "{name} lost data:\n{}", problems.join("\n"));
    parsed
}

/// Records every place where `output` does not carry what `input` said.
fn kept(input: &Value, output: &Value, path: &str, problems: &mut Vec<String>) {
    match (input, output) {
        (Value::Object(a), Value::Object(b)) => {
            for (key, value) in a {
                if IGNORED.contains(&key.as_str()) {
                    continue;
                }
                match b.get(key) {
                    Some(out) => kept(value, out, &format!("{path}.{key}"), problems),
                    None => problems.push(format!("{path}.{key}: dropped")),
                }
            }
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            for (n, (x, y)) in a.iter().zip(b).enumerate() {
                kept(x, y, &format!("{path}[{n}]"), problems);
            }
        }
        // Statuspage sends null where it means an empty list.
        (Value::Null, Value::Array(b)) if b.is_empty() => {}
        (Value::String(a), Value::String(b)) if a != b => {
            // Timestamps come back in UTC: the same instant is the same value.
            let same_instant = matches!((Timestamp::parse(a), Timestamp::parse(b)), (Ok(x), Ok(y)) if x == y);
            if !same_instant {
                problems.push(format!("{path}: {a:?} became {b:?}"));
            }
        }
        (a, b) if a != b => problems.push(format!("{path}: {a} became {b}")),
        _ => {}
    }
}

#[test]
fn twilio_summary() {
    let summary: Summary<'static> = round_trip("twilio-summary.json");
    assert_eq!(summary.status.indicator, Indicator::Minor);
    assert_eq!(summary.components.len(), 73);
    let groups: Vec<_> = summary.components.iter().filter(|c| c.group).collect();
    assert_eq!(groups.len(), 8);
    for group in groups {
        for child in &group.components {
            let child = summary.components.iter().find(|c| &c.id == child).unwrap();
            assert_eq!(child.group_id.as_ref(), Some(&group.id));
        }
    }
    assert!(summary.components.iter().any(|c| c.status == ComponentStatus::DegradedPerformance));
    assert!(summary.scheduled_maintenances.iter().filter(|m| m.impact == Impact::Maintenance).count() >= 9);
}

#[test]
fn cloudamqp_summary_under_maintenance() {
    let summary: Summary<'static> = round_trip("cloudamqp-summary.json");
    assert_eq!(summary.status.indicator, Indicator::Maintenance);
    assert_eq!(summary.status.description, "Service Under Maintenance");
    assert!(summary.components.iter().any(|c| c.status == ComponentStatus::UnderMaintenance));
}

#[test]
fn htx_summary_with_a_group_left_out() {
    let summary: Summary<'static> = round_trip("htx-summary.json");
    assert_eq!(summary.components.len(), 1);
    assert!(summary.components[0].group_id.is_some());
}

#[test]
fn github_incidents() {
    let doc: IncidentsDocument<'static> = round_trip("github-incidents.json");
    assert_eq!(doc.incidents.len(), 2);
    assert!(
        doc.incidents.iter().flat_map(|i| &i.incident_updates).any(|u| u.body.contains("<br />")),
        "HTML stays in the text, as text"
    );
}

#[test]
fn emma_incidents() {
    let doc: IncidentsDocument<'static> = round_trip("emma-incidents.json");
    assert_eq!(doc.incidents.len(), 22);
    assert!(doc.incidents.iter().all(|i| i.started_at.is_none() && i.components.is_empty()));
    let odd = doc
        .incidents
        .iter()
        .flat_map(|i| &i.incident_updates)
        .flat_map(|u| &u.affected_components)
        .find(|a| a.code.is_none())
        .unwrap();
    assert_eq!(odd.name, "No components were affected by this update.");
}

#[test]
fn discord_scheduled_maintenances() {
    let doc: MaintenancesDocument<'static> = round_trip("discord-scheduled-maintenances.json");
    assert_eq!(doc.scheduled_maintenances.len(), 1);
    let m = &doc.scheduled_maintenances[0];
    assert_eq!(m.impact, Impact::Major);
    assert!(m.scheduled_until > m.scheduled_for);
    assert!(m.incident_updates.iter().any(|u| u.body.contains("\r\n")));
}

#[test]
fn unknown_values_parse_as_unknown() {
    let json = r#"{"id":"x","name":"X","status":"on_fire","created_at":"2024-01-01T00:00:00Z","updated_at":"2024-01-01T00:00:00Z","new_field":1}"#;
    let component: sitrep_shared::Component = serde_json::from_str(json).unwrap();
    assert_eq!(component.status, ComponentStatus::Unknown);
    let status: sitrep_shared::Status =
        serde_json::from_str(r#"{"indicator":"apocalyptic","description":"?"}"#).unwrap();
    assert_eq!(status.indicator, Indicator::Unknown);
}
