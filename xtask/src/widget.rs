//! Building the widget: Rust to wasm32 (size profile), wasm-bindgen, wasm-opt, a content-hashed
//! `.wasm`, and `widget.js` (the loader and the wasm-bindgen glue bundled by esbuild).
//!
//! Output goes to `target/sitrep/widget/` (`widget.js`, `widget/sitrep-<hash>.wasm`, `_headers`)
//! and is copied into the edge's static assets by [`install`].

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result};

use crate::shell::{self, step};
use crate::wasm;

/// What the shipped widget (and the floor it is measured against) gets from wasm-opt.
const SIZE_PASSES: &[&str] = &["-Oz", "--converge", "--strip-debug", "--strip-producers"];

/// The built files, ready to serve.
#[derive(Debug)]
pub struct Built {
    /// Directory holding `widget.js`, `widget/` and `_headers`.
    pub dir: PathBuf,
    /// `widget/sitrep-<hash>.wasm`, relative to `dir`.
    pub wasm: String,
}

/// FNV-1a, 64 bits: enough to name a file by its content.
fn hash(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// Whether the nightly toolchain with `rust-src` is here, for the size-tuned build.
pub fn nightly_available() -> bool {
    shell::output(shell::command("rustup", &["component", "list", "--installed", "--toolchain", "nightly"]))
        .is_some_and(|out| out.lines().any(|l| l.starts_with("rust-src")))
}

/// Compiles the widget crate; with `size_tuned`, nightly rebuilds std for size.
fn compile(size_tuned: bool) -> Result<PathBuf> {
    let (mut cargo, base) = if size_tuned {
        (wasm::nightly_build(), wasm::nightly_target_dir())
    } else {
        let mut c = shell::cargo();
        c.arg("build");
        (c, shell::root().join("target"))
    };
    cargo.args(["-p", "sitrep-widget", "--target", "wasm32-unknown-unknown", "--profile", "widget"]);
    shell::run(cargo)?;
    Ok(base.join("wasm32-unknown-unknown/widget/sitrep_widget.wasm"))
}

/// Builds the widget; `size_tuned` uses nightly's build-std when it is installed.
pub fn build(size_tuned: bool) -> Result<Built> {
    let size_tuned = size_tuned && nightly_available();
    step(if size_tuned {
        "build the widget (nightly build-std for size, wasm-bindgen, wasm-opt -Oz, esbuild)"
    } else {
        "build the widget (stable, wasm-bindgen, wasm-opt -Oz, esbuild)"
    });
    let wasm = compile(size_tuned)?;
    let out = shell::root().join("target/sitrep/widget");
    let glue = out.join("glue");
    let _ = fs::remove_dir_all(&out);
    fs::create_dir_all(out.join("widget"))?;
    wasm::bindgen(&wasm, &glue, &[])?;
    let optimised = out.join("opt.wasm");
    wasm::opt(&glue.join("sitrep_widget_bg.wasm"), &optimised, SIZE_PASSES)?;
    let bytes = fs::read(&optimised)?;
    let name = format!("widget/sitrep-{}.wasm", hash(&bytes));
    fs::rename(&optimised, out.join(&name))?;

    let css = serde_json::to_string(&fs::read_to_string(shell::root().join("views/src/widget.css"))?)?;
    let loader = fs::read_to_string(shell::root().join("widget/js/widget.js"))?
        .replace("__SITREP_WASM__", &name)
        .replace("\"__SITREP_CSS__\"", &css);
    let entry = glue.join("entry.js");
    fs::write(&entry, loader)?;
    let mut esbuild = Command::new(shell::node_bin("esbuild"));
    esbuild
        .arg(&entry)
        .args(["--bundle", "--format=esm", "--minify", "--target=es2022", "--legal-comments=none"])
        .arg(format!("--outfile={}", out.join("widget.js").display()));
    shell::run(esbuild)?;
    fs::copy(shell::root().join("widget/js/_headers"), out.join("_headers"))?;
    fs::remove_dir_all(&glue)?;
    println!("widget: {} ({} B), widget.js ({} B)", name, bytes.len(), fs::metadata(out.join("widget.js"))?.len());
    Ok(Built { dir: out, wasm: name })
}

fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    fs::create_dir_all(to)?;
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            fs::copy(entry.path(), &target).with_context(|| format!("cannot copy to {}", target.display()))?;
        }
    }
    Ok(())
}

/// Copies the built widget into the edge's static assets (`edge/build/public/`).
pub fn install(built: &Built, public: &Path) -> Result<()> {
    let _ = fs::remove_dir_all(public.join("widget"));
    copy_dir(&built.dir, public)
}

/// Builds `widget/examples/floor.rs` (a bare Yew badge) through the same pipeline; returns the
/// directory holding `floor.wasm` and `floor.js`.
pub fn build_floor() -> Result<PathBuf> {
    step("build the floor: a bare Yew badge through the same pipeline");
    let mut cargo = wasm::nightly_build();
    cargo.args([
        "-p",
        "sitrep-widget",
        "--example",
        "floor",
        "--target",
        "wasm32-unknown-unknown",
        "--profile",
        "widget",
    ]);
    shell::run(cargo)?;
    let out = shell::root().join("target/sitrep/floor");
    let _ = fs::remove_dir_all(&out);
    fs::create_dir_all(&out)?;
    let wasm = wasm::nightly_target_dir().join("wasm32-unknown-unknown/widget/examples/floor.wasm");
    wasm::bindgen(&wasm, &out, &[])?;
    wasm::opt(&out.join("floor_bg.wasm"), &out.join("floor.wasm"), SIZE_PASSES)?;
    let mut esbuild = Command::new(shell::node_bin("esbuild"));
    esbuild
        .arg(out.join("floor.js"))
        .args(["--format=esm", "--minify", "--target=es2022", "--legal-comments=none", "--allow-overwrite"])
        .arg(format!("--outfile={}", out.join("floor.js").display()));
    shell::run(esbuild)?;
    fs::remove_file(out.join("floor_bg.wasm"))?;
    Ok(out)
}
