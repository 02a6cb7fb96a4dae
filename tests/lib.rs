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

/// Compares `actual` with the committed snapshot `tests/snapshots/{name}`, or rewrites it when
/// `SITREP_BLESS=1` (`cargo xtask bless`). Returns a message describing the difference.
pub fn check_snapshot(path: &Path, actual: &str) -> Result<(), String> {
    if std::env::var_os("SITREP_BLESS").is_some_and(|v| v == "1") {
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).map_err(|e| e.to_string())?;
        }
        return fs::write(path, actual).map_err(|e| format!("cannot write {}: {e}", path.display()));
    }
    let expected = fs::read_to_string(path)
        .map_err(|e| format!("cannot read {} ({e}); run `cargo xtask bless` to create it", path.display()))?;
    if expected == actual {
        return Ok(());
    }
    let line = expected
        .lines()
        .zip(actual.lines())
        .position(|(a, b)| a != b)
        .unwrap_or_else(|| expected.lines().count().min(actual.lines().count()));
    Err(format!(
        "{} differs from the code's output at line {}:\n  committed: {}\n  now:       {}\nif the change is intended, run `cargo xtask bless` and review the diff",
        path.display(),
        line + 1,
        expected.lines().nth(line).unwrap_or("<end>"),
        actual.lines().nth(line).unwrap_or("<end>"),
    ))
}

/// Path of a snapshot file.
pub fn snapshot_path(name: &str) -> PathBuf {
    root().join("tests/snapshots").join(name)
}
