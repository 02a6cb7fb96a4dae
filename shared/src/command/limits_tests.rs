//! The table of limits as a write meets it: `apply` refuses what crosses one (`limits::check_change`).

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use super::{Command, NewUpdate, apply};
use crate::incident::IncidentStatus::*;
use crate::limits::*;
use crate::page::PageState;
use crate::testing::{at, incident, page};
use crate::{Impact, IncidentId};

fn update(status: crate::IncidentStatus, body: String) -> Command {
    Command::PostUpdate(IncidentId::from("i"), NewUpdate::new(status, body))
}

fn open(name: &str) -> Command {
    Command::OpenIncident(crate::command::NewIncident {
        name: name.into(),
        status: None,
        impact: None,
        body: "b".into(),
        components: vec![],
        language: None,
        started_at: None,
    })
}

fn paths(result: Result<crate::command::Change, crate::command::ApplyError>) -> Vec<String> {
    match result {
        Ok(_) => vec![],
        Err(crate::command::ApplyError::Invalid(problems)) => problems.into_iter().map(|p| p.path).collect(),
        Err(other) => vec![other.to_string()],
    }
}

#[test]
fn an_incident_fills_up_but_resolving_it_always_works() {
    let mut data = page();
    data.incidents.push(incident("i", Impact::Major, 0, &[Investigating]));
    let mut state = PageState::new(data);
    let body = "漢".repeat(UPDATE_BODY_CHARS);
    let mut accepted = 0;
    let refused = loop {
        // Each update differs from the last (a repeat is refused for that alone).
        let body = format!("{accepted}{body}");
        let body: String = body.chars().take(UPDATE_BODY_CHARS).collect();
        match apply(&state, &update(Identified, body), at(10 + accepted), "x") {
            Ok(change) => {
                state.commit(&change);
                accepted += 1;
            }
            Err(err) => break err,
        }
        assert!(accepted < 1_000, "never refused");
    };
    assert!(accepted >= 3, "only {accepted} updates fit");
    assert_eq!(paths(Err(refused)), ["incident"]);
    let resolve = apply(&state, &update(Resolved, body), at(2_000), "x").expect("resolving always works");
    let (_, event) = &resolve.events[0];
    assert!(event_bytes(event) <= CLOSED_EVENT_BYTES);
    // Reopening is a write like any other: refused while the incident is full.
    state.commit(&resolve);
    let mut reopen = update(Investigating, "again".into());
    if let Command::PostUpdate(_, new) = &mut reopen {
        new.reopen = true;
    }
    assert_eq!(paths(apply(&state, &reopen, at(2_001), "x")), ["incident"]);
}

#[test]
fn updates_per_incident_are_counted() {
    let mut data = page();
    let statuses = vec![Identified; UPDATES_PER_EVENT];
    data.incidents.push(incident("i", Impact::Major, 0, &statuses));
    let state = PageState::new(data);
    assert_eq!(paths(apply(&state, &update(Identified, "more".into()), at(500), "x")), ["incident.incident_updates"]);
    assert_eq!(paths(apply(&state, &update(Resolved, "done".into()), at(500), "x")), Vec::<String>::new());
}

#[test]
fn queued_maintenance_never_blocks_an_incident() {
    let mut data = page();
    for n in 0..OPEN_MAINTENANCES {
        data.scheduled_maintenances.push(crate::testing::maintenance(&format!("m{n}"), 0, (60, 120), &[Scheduled]));
    }
    let state = PageState::new(data);
    assert_eq!(paths(apply(&state, &open("on the worst day"), at(10), "x")), Vec::<String>::new());
}

#[test]
fn open_events_are_bounded() {
    let mut data = page();
    for n in 0..OPEN_INCIDENTS {
        data.incidents.push(incident(&format!("o{n}"), Impact::Minor, n as i64, &[Investigating]));
    }
    let state = PageState::new(data);
    assert_eq!(paths(apply(&state, &open("one more"), at(100), "x")), ["status"]);
}

#[test]
fn an_uptime_row_fits_its_bound() {
    let mut data = page();
    data.components[0].name = "\u{1}".repeat(NAME_CHARS);
    let state = PageState::new(data);
    let doc = crate::uptime::document(&state, at(90 * 24 * 60));
    let row = serde_json::to_vec(&doc.components[0]).unwrap();
    assert!(row.len() <= UPTIME_ROW_BYTES, "{} bytes", row.len());
}
