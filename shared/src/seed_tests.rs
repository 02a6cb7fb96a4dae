//! The five seed fixtures, compiled in, so they validate and derive on every target (wasm32 too).
//! The host-only contract tests in `tests/` check them in depth.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use crate::page::{PageData, PageState};
use crate::status::Indicator;
use crate::validate::validate;
use crate::views;
use crate::wire::Timestamp;

const SEEDS: [(&str, &str, &str, Indicator); 5] = [
    ("streak", include_str!("../../tests/fixtures/seeds/streak.json"), "2020-12-07T20:00:00Z", Indicator::Major),
    ("stream", include_str!("../../tests/fixtures/seeds/stream.json"), "2020-12-09T17:10:00Z", Indicator::Major),
    ("salesdock", include_str!("../../tests/fixtures/seeds/salesdock.json"), "2024-01-16T12:00:00Z", Indicator::Major),
    (
        "treasure-data",
        include_str!("../../tests/fixtures/seeds/treasure-data.json"),
        "2017-10-24T02:30:00Z",
        Indicator::Maintenance,
    ),
    ("codeship", include_str!("../../tests/fixtures/seeds/codeship.json"), "2014-02-08T09:00:00Z", Indicator::Major),
];

#[test]
fn seeds_parse_validate_and_derive_on_this_target() {
    for (name, json, live, indicator) in SEEDS {
        let data: PageData = serde_json::from_str(json).unwrap();
        assert_eq!(validate(&data), vec![], "{name}");
        let now = Timestamp::parse(live).unwrap();
        let state = PageState::new(data.as_of(now));
        let summary = views::summary(&state, now);
        assert_eq!(summary.status.indicator, indicator, "{name}");
        let text = serde_json::to_string(&summary).unwrap();
        let back: views::Summary<'static> = serde_json::from_str(&text).unwrap();
        assert_eq!(back, summary, "{name}");
    }
}
