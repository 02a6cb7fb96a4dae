//! The tolerant reader, the validator and every renderer on arbitrary JSON: no panic, and what
//! parses survives a round trip.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sitrep_shared::document::{Document, FIXED};
use sitrep_shared::{PageData, PageState, Timestamp, validate};

fuzz_target!(|bytes: &[u8]| {
    let Ok(data) = serde_json::from_slice::<PageData>(bytes) else { return };
    let text = serde_json::to_vec(&data).expect("a parsed page serialises");
    let again: PageData = serde_json::from_slice(&text).expect("what we write, we read");
    assert_eq!(serde_json::to_vec(&again).expect("serialises"), text, "round trip is stable");
    let problems = validate(&data);
    if !problems.is_empty() {
        return;
    }
    let state = PageState::new(data);
    let now = state.page().updated_at;
    for document in FIXED.iter().chain([&Document::Uptime]) {
        let _ = document.render(&state, now, "https://status.example.com");
    }
    let _ = Timestamp::from_unix_millis(0);
});
