//! The committed JSON Schema of the wire format matches the types.

use schemars::{JsonSchema, schema_for};
use sitrep_shared::feed::JsonFeed;
use sitrep_shared::markdown::Block;
use sitrep_shared::uptime::{ComponentUptime, UptimeDocument};
use sitrep_shared::views::{
    ComponentsDocument, IncidentDocument, IncidentsDocument, MaintenancesDocument, PostmortemsDocument, StatusDocument,
    Summary,
};
use sitrep_shared::{PageData, Problem};
use sitrep_tests::{check_snapshot, root};

fn check<T: JsonSchema>(name: &str) {
    let schema = schema_for!(T);
    let text = serde_json::to_string_pretty(&schema).unwrap() + "\n";
    let path = root().join("shared/schema").join(format!("{name}.schema.json"));
    // On a difference the wire types and the committed schema drift apart.
    check_snapshot(&path, &text);
}

#[test]
fn committed_schema_matches_the_types() {
    check::<PageData>("page-data");
    check::<Summary<'static>>("summary");
    check::<StatusDocument<'static>>("status");
    check::<ComponentsDocument<'static>>("components");
    check::<IncidentsDocument<'static>>("incidents");
    check::<MaintenancesDocument<'static>>("scheduled-maintenances");
    check::<IncidentDocument<'static>>("incident");
    check::<PostmortemsDocument<'static>>("postmortems");
    check::<Vec<Block>>("markdown");
    check::<Vec<Problem>>("problems");
    check::<Vec<ComponentUptime>>("uptime-components");
    check::<UptimeDocument<'static>>("uptime");
    check::<JsonFeed>("feed");
}
