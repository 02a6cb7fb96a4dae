//! Contract tests across crates: real Statuspage samples, the seeds as data, snapshots, schema.

mod samples;
mod schema;
mod seeds;
