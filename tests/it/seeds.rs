//! The five seed postmortems as data: they load, validate, derive and serialise to committed
//! snapshots, and the facts the texts state survive.

use serde::Serialize;
use serde_json::json;
use sitrep_shared::markdown::{self, Block};
use sitrep_shared::views;
use sitrep_shared::{
    ComponentStatus, Impact, IncidentStatus, Indicator, PageData, PageState, Precision, Timestamp, uptime, validate,
};
use sitrep_tests::{SEEDS, check_snapshot, seed, snapshot_path};

fn ts(text: &str) -> Timestamp {
    Timestamp::parse(text).unwrap()
}

fn load(name: &str) -> PageData {
    seed(name).unwrap()
}

/// A moment while each seed's event was live, and what the page said then.
const LIVE: [(&str, &str, Indicator); 5] = [
    ("streak", "2020-12-07T20:00:00Z", Indicator::Major),
    ("stream", "2020-12-09T17:10:00Z", Indicator::Major),
    ("salesdock", "2024-01-16T12:00:00Z", Indicator::Major),
    ("treasure-data", "2017-10-24T02:30:00Z", Indicator::Maintenance),
    ("codeship", "2014-02-08T09:00:00Z", Indicator::Major),
];

/// Long after every seed: everything is resolved and every postmortem published.
const LATER: &str = "2026-01-01T00:00:00Z";

fn to_json<T: Serialize>(value: &T) -> serde_json::Value {
    serde_json::to_value(value).unwrap()
}

#[test]
fn every_seed_validates() {
    for name in SEEDS {
        let data = load(name);
        let problems = validate(&data);
        assert!(problems.is_empty(), "{name}: {problems:#?}");
        for (_, live, _) in LIVE.iter().filter(|(n, _, _)| *n == name) {
            let problems = validate(&data.as_of(ts(live)));
            assert!(problems.is_empty(), "{name} as of {live}: {problems:#?}");
        }
    }
}

#[test]
fn every_seed_round_trips() {
    for name in SEEDS {
        let data = load(name);
        let text = serde_json::to_string(&data).unwrap();
        let back: PageData = serde_json::from_str(&text).unwrap();
        assert_eq!(back, data, "{name}");
        let state = PageState::new(data.clone());
        let again: PageData = serde_json::from_value(to_json(&state)).unwrap();
        assert_eq!(PageState::new(again), state, "{name} through PageState");
    }
}

#[test]
fn every_seed_derives_to_its_committed_snapshot() {
    for (name, live, indicator) in LIVE {
        let data = load(name);
        let live_at = ts(live);
        let live_state = PageState::new(data.as_of(live_at));
        let live_summary = views::summary(&live_state, live_at);
        assert_eq!(live_summary.status.indicator, indicator, "{name} at {live}");

        let later = ts(LATER);
        let state = PageState::new(data.clone());
        let summary = views::summary(&state, later);
        assert_eq!(summary.status.indicator, Indicator::None, "{name} is all clear today");
        let incidents = views::incidents(&state, later);
        let maintenances = views::maintenances(&state, later);
        let postmortems = views::postmortems(&state, later, 5);
        let written =
            data.incidents.iter().chain(&data.scheduled_maintenances).filter(|e| e.postmortem.is_some()).count();
        assert_eq!(postmortems.postmortems.len(), written, "{name}: every published postmortem is listed");
        let window_end = state.all_events().filter_map(|e| e.resolved_at).max().unwrap();
        let days =
            uptime::daily(&state, Timestamp::from_datetime(window_end.as_datetime() + chrono::Duration::days(2)), 14);

        let snapshot = json!({
            "live": { "at": live, "summary": live_summary },
            "later": {
                "at": LATER,
                "summary": summary,
                "incidents": incidents,
                "scheduled_maintenances": maintenances,
                "postmortems": postmortems,
                "uptime_14_days": days,
            },
        });
        let text = serde_json::to_string_pretty(&snapshot).unwrap() + "\n";
        check_snapshot(&snapshot_path(&format!("{name}.json")), &text);
    }
}

#[test]
fn every_postmortem_section_is_safe_markdown_with_content() {
    for name in SEEDS {
        let data = load(name);
        for event in data.incidents.iter().chain(&data.scheduled_maintenances) {
            let Some(postmortem) = &event.postmortem else { continue };
            for section in &postmortem.sections {
                let blocks = markdown::parse(&section.body);
                assert!(!blocks.is_empty(), "{name}: section {:?} is empty", section.title);
                let tree = serde_json::to_string(&blocks).unwrap();
                assert!(!tree.contains("**"), "{name}: unparsed strong markers in {:?}", section.title);
            }
        }
    }
}

#[test]
fn stream_timeline_is_exact_in_gmt() {
    let data = load("stream");
    let incident = &data.incidents[0];
    assert_eq!(incident.started_at, Some(ts("2020-12-09T11:28:00Z")), "rolling deploy began 11:28 GMT");
    let identified = incident.incident_updates.iter().find(|u| u.status == IncidentStatus::Identified).unwrap();
    assert_eq!(identified.created_at, ts("2020-12-09T17:00:00Z"));
    assert_eq!(incident.resolved_at, Some(ts("2020-12-09T17:38:00Z")));
    let names: Vec<_> = data.components.iter().map(|c| c.name.as_str()).collect();
    assert!(names.iter().any(|n| n.contains("US-east")) && names.iter().any(|n| n.contains("Singapore")), "{names:?}");
    let postmortem = incident.postmortem.as_ref().unwrap();
    assert_eq!(postmortem.action_items.len(), 3, "three numbered resolutions");
    assert!(postmortem.action_items.iter().all(|a| !a.done));
    assert!(postmortem.sections.iter().any(|s| s.body.contains("66% of message events")));
    let deploy = &postmortem.timeline[0];
    assert_eq!((deploy.at, deploy.precision), (ts("2020-12-09T11:28:00Z"), Precision::Minute));
}

#[test]
fn salesdock_updates_are_dutch_and_touch_nine_components() {
    let data = load("salesdock");
    let incident = &data.incidents[0];
    let statuses: Vec<_> = incident.incident_updates.iter().rev().map(|u| u.status).collect();
    assert_eq!(statuses, [IncidentStatus::Monitoring, IncidentStatus::Monitoring, IncidentStatus::Resolved]);
    assert!(incident.incident_updates.iter().all(|u| u.language.as_deref() == Some("nl")));
    assert_eq!(incident.incident_updates[2].created_at, ts("2024-01-16T09:55:00Z"), "10:55 CET");
    assert_eq!(incident.incident_updates[0].created_at, ts("2024-01-17T04:05:00Z"), "05:05 CET");
    assert!(incident.incident_updates[0].body.starts_with("We hebben een fix geïmplementeerd"));
    assert_eq!(incident.components.len(), 9);
    let names: Vec<_> = data.components.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "API",
            "SMS",
            "Agent portaal",
            "Admin portaal",
            "E-mails",
            "Contract generatie",
            "Integraties",
            "Outside",
            "Exports"
        ]
    );
    let postmortem = incident.postmortem.as_ref().unwrap();
    assert_eq!(postmortem.language.as_deref(), Some("en"));
    assert_eq!(postmortem.published_at, Some(ts("2024-01-23T11:40:00Z")), "12:40 CET");
    assert!(
        postmortem.timeline.first().unwrap().at < ts("2023-10-26T00:00:00Z"),
        "the cause goes back to 25 October 2023"
    );
}

#[test]
fn treasure_data_maintenance_goes_back_and_forth_and_keeps_required_actions() {
    let data = load("treasure-data");
    assert!(data.incidents.is_empty());
    let m = &data.scheduled_maintenances[0];
    let statuses: Vec<_> = m.incident_updates.iter().rev().map(|u| u.status).collect();
    use IncidentStatus::*;
    assert_eq!(statuses, [Scheduled, Scheduled, InProgress, Verifying, InProgress, Verifying, Completed]);
    assert_eq!(m.incident_updates[6].created_at, ts("2017-10-17T04:53:00Z"), "Oct 16 21:53 PDT");
    assert_eq!(m.incident_updates[0].created_at, ts("2017-10-24T03:40:00Z"), "Oct 23 20:40 PDT");
    assert_eq!(m.scheduled_for, Some(ts("2017-10-24T01:00:00Z")), "6 PM PDT");
    assert_eq!(m.impact, Impact::Maintenance);
    let group = data.components.iter().find(|c| c.group).unwrap();
    assert_eq!(group.name, "US");
    assert_eq!(group.components.len(), 7);
    let postmortem = m.postmortem.as_ref().unwrap();
    let actions = postmortem.sections.iter().find(|s| s.title == "Required Customer Actions").unwrap();
    assert!(actions.body.contains("Rerun any CREATE TABLE Presto query that may have failed."));
    let impact = postmortem.sections.iter().find(|s| s.title == "Impact on Customers").unwrap();
    let list = markdown::parse(&impact.body).into_iter().find_map(|b| match b {
        Block::List { ordered: true, items, .. } => Some(items.len()),
        _ => None,
    });
    assert_eq!(list, Some(6), "six numbered customer-visible issues");
}

#[test]
fn treasure_data_upcoming_then_active() {
    let data = load("treasure-data");
    let before = ts("2017-10-20T00:00:00Z");
    let state = PageState::new(data.as_of(before));
    assert_eq!(views::upcoming_maintenances(&state, before).scheduled_maintenances.len(), 1);
    assert_eq!(views::summary(&state, before).status.indicator, Indicator::None, "announced is not under way");
    let during = ts("2017-10-24T01:45:00Z");
    let state = PageState::new(data.as_of(during));
    let active = views::active_maintenances(&state, during);
    assert_eq!(active.scheduled_maintenances[0].status, IncidentStatus::Verifying);
    assert!(state.components().iter().filter(|c| !c.group).all(|c| c.status == ComponentStatus::UnderMaintenance));
}

#[test]
fn codeship_has_a_maintenance_inside_a_days_long_incident() {
    let data = load("codeship");
    let incident = &data.incidents[0];
    let m = &data.scheduled_maintenances[0];
    let (start, end) = (m.scheduled_for.unwrap(), m.scheduled_until.unwrap());
    assert!(incident.created_at < start && incident.resolved_at.unwrap() >= end, "the window lies inside the incident");
    assert_eq!(incident.started_at.unwrap().as_datetime().date_naive().to_string(), "2014-01-30");
    let postmortem = incident.postmortem.as_ref().unwrap();
    let first = &postmortem.timeline[0];
    assert_eq!(first.precision, Precision::Day, "the text gives only the date");
    assert!(postmortem.action_items.len() >= 4);
    // While the window is open, the open incident outranks the maintenance.
    let at = ts("2014-02-08T09:00:00Z");
    let state = PageState::new(data.as_of(at));
    let summary = views::summary(&state, at);
    assert_eq!(summary.incidents.len(), 1);
    assert_eq!(summary.scheduled_maintenances.len(), 1);
}

#[test]
fn streak_affects_boxes_contacts_and_loading() {
    let data = load("streak");
    let names: Vec<_> = data.components.iter().map(|c| c.name.to_lowercase()).collect();
    assert!(names.iter().any(|n| n.contains("boxes")) && names.iter().any(|n| n.contains("loading")), "{names:?}");
    let incident = &data.incidents[0];
    let postmortem = incident.postmortem.as_ref().unwrap();
    let window = postmortem.impact_window.unwrap();
    assert!(window.start.as_datetime().date_naive().to_string() == "2020-12-07");
    assert!(postmortem.sections.iter().any(|s| s.body.contains("Google Cloud Datastore")));
}

#[test]
fn summary_size_depends_on_what_is_open_not_on_history() {
    // The same page with 200 more resolved incidents has the same summary.
    let data = load("stream");
    let at = ts("2020-12-09T17:10:00Z");
    let base = serde_json::to_string(&views::summary(&PageState::new(data.as_of(at)), at)).unwrap();
    let mut bigger = data.clone();
    for n in 0..200 {
        // The same incident, n+1 days earlier.
        let earlier = |t: Timestamp| Timestamp::from_datetime(t.as_datetime() - chrono::Duration::days(n + 1));
        let mut old = data.incidents[0].clone();
        old.id.0 = format!("old-{n}");
        old.created_at = earlier(old.created_at);
        old.updated_at = earlier(old.updated_at);
        old.resolved_at = old.resolved_at.map(earlier);
        old.started_at = old.started_at.map(earlier);
        old.postmortem = None;
        old.status = IncidentStatus::Resolved;
        for (k, u) in old.incident_updates.iter_mut().enumerate() {
            u.id.0 = format!("old-{n}-u{k}");
            u.incident_id = old.id.clone();
            u.created_at = earlier(u.created_at);
            u.updated_at = earlier(u.updated_at);
            u.display_at = u.display_at.map(earlier);
        }
        bigger.incidents.push(old);
    }
    assert_eq!(validate(&bigger), vec![]);
    let big = serde_json::to_string(&views::summary(&PageState::new(bigger.as_of(at)), at)).unwrap();
    assert_eq!(big.len(), base.len());
}

#[test]
fn demo_page_merges_all_seeds_and_validates() {
    let demo = sitrep_tests::demo_page("http://127.0.0.1:8787").unwrap();
    assert_eq!(validate(&demo), vec![]);
    let groups: Vec<_> = demo.components.iter().filter(|c| c.group).map(|c| c.name.as_str()).collect();
    assert_eq!(groups, ["Streak", "Stream Chat API", "Salesdock", "Treasure Data US", "Codeship"]);
    let total: usize = SEEDS.iter().map(|n| load(n).incidents.len() + load(n).scheduled_maintenances.len()).sum();
    assert_eq!(demo.incidents.len() + demo.scheduled_maintenances.len(), total);
}

/// Issue 26, item 13: the Deploy section's `page.json` had no example. The one README points to
/// (`edge/page.example.json`) is a page the write API's import takes as it is.
#[test]
fn the_example_page_imports() {
    let text = std::fs::read_to_string(sitrep_tests::root().join("edge/page.example.json")).unwrap();
    let data: PageData = serde_json::from_str(&text).unwrap();
    assert_eq!(validate::validate(&data), vec![], "the example validates");
    let state = PageState::new(data);
    assert_eq!(state.components().len(), 4);
    assert_eq!(state.page().time_zone, "Europe/Amsterdam");
}
