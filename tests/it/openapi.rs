//! The committed OpenAPI document (`edge/openapi.json`, written by `cargo xtask openapi` from the
//! write API's table, `sitrep_shared::api`) against the router: every documented operation is
//! routed, and every route documented.

use serde_json::Value;
use sitrep_shared::api::{self, Endpoint};
use sitrep_tests::root;

#[test]
fn every_documented_operation_is_routed_and_every_route_documented() {
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(root().join("edge/openapi.json")).unwrap()).unwrap();
    let paths = doc["paths"].as_object().unwrap();
    let mut documented = 0;
    for (path, item) in paths {
        for method in item.as_object().unwrap().keys() {
            documented += 1;
            let rest =
                path.trim_start_matches("/api/v2/admin/").replace("{id}", "abc").replace("{delivery}", "evt_1_0");
            assert!(api::route(&method.to_uppercase(), &rest).is_ok(), "{method} {path} is documented but not routed");
        }
    }
    assert_eq!(documented, Endpoint::ALL.len());
}
