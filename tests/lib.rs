//! Helpers for the contract tests: where fixtures and samples live, and committed snapshots.
//!
//! The Statuspage samples are read in place from `shared/statuspage-samples/` beside the checkout
//! (`SITREP_SHARED_DIR` overrides); they are other people's data and are never copied here.

use std::fs;
use std::path::{Path, PathBuf};

use sitrep_shared::PageData;

mod demo;
pub use demo::demo_page;

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map_or_else(|| PathBuf::from(".."), Path::to_path_buf)
}

/// The `shared/` folder beside the checkout.
pub fn shared_dir() -> PathBuf {
    std::env::var_os("SITREP_SHARED_DIR").map_or_else(|| root().join("../shared"), PathBuf::from)
}

/// Names of the five seed fixtures, in the seeds' order.
pub const SEEDS: [&str; 5] = ["streak", "stream", "salesdock", "treasure-data", "codeship"];

/// Path of a seed fixture.
pub fn seed_path(name: &str) -> PathBuf {
    root().join("tests/fixtures/seeds").join(format!("{name}.json"))
}

/// Reads a seed fixture as page data.
pub fn seed(name: &str) -> Result<PageData, String> {
    let path = seed_path(name);
    let text = fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Compares `actual` with the committed file at `path` (expect-test: on a difference it panics with
/// a diff; `UPDATE_EXPECT=1` rewrites the file, then review it with `git diff`).
pub fn check_snapshot(path: &Path, actual: &str) {
    expect_test::expect_file![path].assert_eq(actual);
}

/// Path of a snapshot file.
pub fn snapshot_path(name: &str) -> PathBuf {
    root().join("tests/snapshots").join(name)
}
