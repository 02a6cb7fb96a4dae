//! The WebAssembly tools every build here shares: wasm-bindgen, binaryen's wasm-opt (from npm), and
//! the nightly size-tuned cargo.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::Result;

use crate::shell;

/// wasm-opt's features for what rustc emits today.
const FEATURES: [&str; 7] = [
    "mutable-globals",
    "sign-ext",
    "nontrapping-float-to-int",
    "bulk-memory",
    "multivalue",
    "reference-types",
    "exception-handling",
];

/// Where the nightly size-tuned builds go, apart from the stable ones.
pub fn nightly_target_dir() -> PathBuf {
    shell::root().join("target/nightly")
}

/// `cargo +nightly build` that rebuilds std for size, aborts on panic without formatting it, and
/// leaves out panic locations and `Debug` output (nothing shipped prints either); the caller adds
/// what to build.
pub fn nightly_build() -> Command {
    let mut cargo = shell::command("cargo", &["+nightly"]);
    cargo
        .env("RUSTFLAGS", "-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none -Zfmt-debug=none")
        .env("CARGO_TARGET_DIR", nightly_target_dir())
        // rustup's proxy picks nightly from `+nightly`; the toolchain file must not override it.
        .env_remove("RUSTUP_TOOLCHAIN")
        .env_remove("CARGO")
        .args(["build", "-Zbuild-std=std,panic_abort", "-Zbuild-std-features=optimize_for_size"]);
    cargo
}

/// `cargo build` for what ships to browsers: nightly's size-tuned build when `size_tuned`, else
/// stable; the caller adds what to build. With the target directory its artefacts land under.
pub fn size_build(size_tuned: bool) -> (Command, PathBuf) {
    if size_tuned {
        (nightly_build(), nightly_target_dir())
    } else {
        let mut cargo = shell::cargo();
        cargo.arg("build");
        (cargo, shell::root().join("target"))
    }
}

/// `wasm-bindgen --target web` of `wasm` into `out_dir`, with `extra` flags.
pub fn bindgen(wasm: &Path, out_dir: &Path, extra: &[&str]) -> Result<()> {
    let mut command = shell::command("wasm-bindgen", &["--target", "web", "--no-typescript"]);
    command.args(extra).arg("--out-dir").arg(out_dir).arg(wasm);
    shell::run(command)
}

/// wasm-opt `input` with `passes` into `output` (which may be `input`).
pub fn opt(input: &Path, output: &Path, passes: &[&str]) -> Result<()> {
    let mut command = Command::new(shell::node_bin("wasm-opt"));
    command.arg(input).args(passes).arg("-o").arg(output);
    for feature in FEATURES {
        command.arg(format!("--enable-{feature}"));
    }
    shell::run(command)
}
