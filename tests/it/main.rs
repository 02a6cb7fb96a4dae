//! Contract tests across crates: real Statuspage samples, the seeds as data, snapshots, schema.

// A failed unwrap in a test helper is a failed test, with its message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod openapi;
mod samples;
mod schema;
mod seeds;
