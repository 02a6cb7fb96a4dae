//! Write requests on arbitrary JSON applied to a valid page: no panic, and a command that applies
//! leaves a page that still validates.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sitrep_shared::command::{self, Command};
use sitrep_shared::{PageData, PageState, Timestamp, validate};

const PAGE: &str = include_str!("../../tests/fixtures/seeds/treasure-data.json");

fuzz_target!(|input: (u8, &[u8])| {
    let (kind, bytes) = input;
    let id = "abc123".into();
    let parsed = match kind % 6 {
        0 => serde_json::from_slice(bytes).map(Command::OpenIncident),
        1 => serde_json::from_slice(bytes).map(|u| Command::PostUpdate(id, u)),
        2 => serde_json::from_slice(bytes).map(|e| Command::Edit(id, e)),
        3 => serde_json::from_slice(bytes).map(|d| Command::WritePostmortem(id, d)),
        4 => serde_json::from_slice(bytes).map(Command::ScheduleMaintenance),
        _ => serde_json::from_slice(bytes).map(Command::CreateComponent),
    };
    let Ok(command) = parsed else { return };
    let data: PageData = serde_json::from_str(PAGE).expect("the seed parses");
    let state = PageState::new(data);
    let now = Timestamp::parse("2030-01-01T00:00:00Z").expect("valid");
    if let Ok(change) = command::apply(&state, &command, now, "new1") {
        let mut state = state;
        for (kind, event) in change.events {
            state.upsert(kind, event);
        }
        if let Some(components) = change.components {
            state.set_components(components);
        }
        let problems = validate(&state.into_data());
        assert!(problems.is_empty(), "an applied command left an invalid page: {problems:?}");
    }
});
