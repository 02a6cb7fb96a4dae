//! Building the widget: Rust to wasm32 (size profile), wasm-bindgen, wasm-opt, and esbuild, twice:
//! the full module, and the badge module (without the banner and full views) that a page whose
//! widgets are all badges downloads instead.
//!
//! Output goes to `target/sitrep/widget/`: `widget.js` (the loader, which names both modules),
//! `widget/sitrep-{badge,full}-<hash>.{js,wasm}` (each module's wasm-bindgen glue and wasm, named
//! by content) and `_headers`. [`install`] copies it into the edge's static assets.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result};

use crate::shell::{self, step};
use crate::wasm;

/// What the shipped widget (and the floor it is measured against) gets from wasm-opt.
pub const SIZE_PASSES: &[&str] = &["-Oz", "--converge", "--strip-debug", "--strip-producers"];

/// One of the widget's modules.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Module {
    /// Badges only: `sitrep-widget` without its `full` feature.
    Badge,
    /// Every view.
    Full,
}

impl Module {
    /// Both, the full one last (so the nightly target directory ends with it, for the per-crate table).
    pub const ALL: [Self; 2] = [Self::Badge, Self::Full];

    /// Its name in file names and in the loader's placeholders.
    pub fn name(self) -> &'static str {
        match self {
            Self::Badge => "badge",
            Self::Full => "full",
        }
    }
}

/// The TypeScript declarations served beside the loader: the element, `mount()` and the event, and
/// the JSX of each framework (`tests/types/` type-checks an example of each against them).
pub const TYPINGS: [&str; 4] = ["widget.d.ts", "widget-react.d.ts", "widget-preact.d.ts", "widget-vue.d.ts"];

/// The built files, ready to serve.
#[derive(Debug)]
pub struct Built {
    /// Directory holding `widget.js`, `widget/` and `_headers`.
    pub dir: PathBuf,
    /// Each module's glue and wasm, relative to `dir`.
    pub modules: Vec<(Module, String, String)>,
}

/// FNV-1a, 64 bits: enough to name a file by its content.
pub fn hash(bytes: &[u8]) -> String {
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

/// Compiles one module of the widget crate; with `size_tuned`, nightly rebuilds std for size.
fn compile(size_tuned: bool, module: Module) -> Result<PathBuf> {
    let (mut cargo, base) = wasm::size_build(size_tuned);
    cargo.args(["-p", "sitrep-widget", "--target", "wasm32-unknown-unknown", "--profile", "widget"]);
    if module == Module::Badge {
        cargo.arg("--no-default-features");
    }
    shell::run(cargo)?;
    Ok(base.join("wasm32-unknown-unknown/widget/sitrep_widget.wasm"))
}

/// esbuild, minifying `entry` (bundling what it imports) into `out`.
pub fn esbuild(entry: &Path, out: &Path) -> Result<()> {
    let mut esbuild = Command::new(shell::node_bin("esbuild"));
    esbuild
        .arg(entry)
        .args(["--bundle", "--format=esm", "--minify", "--target=es2022", "--legal-comments=none"])
        .arg(format!("--outfile={}", out.display()));
    shell::run(esbuild)
}

/// Builds one module into `out/widget/`: its wasm and its glue, each named by content.
fn build_module(size_tuned: bool, module: Module, out: &Path) -> Result<(String, String)> {
    let wasm = compile(size_tuned, module)?;
    let glue = out.join("glue").join(module.name());
    wasm::bindgen(&wasm, &glue, &[])?;
    let optimised = glue.join("opt.wasm");
    wasm::opt(&glue.join("sitrep_widget_bg.wasm"), &optimised, SIZE_PASSES)?;
    let bytes = fs::read(&optimised)?;
    let wasm_name = format!("widget/sitrep-{}-{}.wasm", module.name(), hash(&bytes));
    fs::rename(&optimised, out.join(&wasm_name))?;
    let minified = glue.join("glue.min.js");
    esbuild(&glue.join("sitrep_widget.js"), &minified)?;
    let js_name = format!("widget/sitrep-{}-{}.js", module.name(), hash(&fs::read(&minified)?));
    fs::rename(&minified, out.join(&js_name))?;
    println!("widget {}: {wasm_name} ({} B), {js_name}", module.name(), bytes.len());
    Ok((js_name, wasm_name))
}

/// Builds the widget; `size_tuned` uses nightly's build-std when it is installed.
pub fn build(size_tuned: bool) -> Result<Built> {
    let size_tuned = size_tuned && nightly_available();
    step(if size_tuned {
        "build the widget's badge and full modules (nightly build-std for size, wasm-bindgen, wasm-opt -Oz, esbuild)"
    } else {
        "build the widget's badge and full modules (stable, wasm-bindgen, wasm-opt -Oz, esbuild)"
    });
    let out = shell::root().join("target/sitrep/widget");
    let _ = fs::remove_dir_all(&out);
    fs::create_dir_all(out.join("widget"))?;
    let mut modules = Vec::new();
    for module in Module::ALL {
        let (js, wasm) = build_module(size_tuned, module, &out)?;
        modules.push((module, js, wasm));
    }

    let css = serde_json::to_string(&fs::read_to_string(shell::root().join("views/src/widget.css"))?)?;
    let mut loader = fs::read_to_string(shell::root().join("widget/js/widget.js"))?
        .replace("\"__SITREP_CSS__\"", &css)
        .replace("\"__SITREP_POLICY__\"", &policy());
    for (module, js, wasm) in &modules {
        let name = module.name().to_uppercase();
        loader = loader
            .replace(&format!("__SITREP_{name}_JS__"), &format!("./{js}"))
            .replace(&format!("__SITREP_{name}_WASM__"), &format!("./{wasm}"));
    }
    anyhow::ensure!(!loader.contains("__SITREP_"), "widget.js has a placeholder the build did not fill");
    let entry = out.join("glue/entry.js");
    fs::write(&entry, loader)?;
    esbuild(&entry, &out.join("widget.js"))?;
    fs::copy(shell::root().join("widget/js/_headers"), out.join("_headers"))?;
    // The classic entry and the TypeScript declarations, served beside the loader as they are written.
    fs::copy(shell::root().join("widget/js/widget.classic.js"), out.join("widget.classic.js"))?;
    for typings in TYPINGS {
        fs::copy(shell::root().join("widget/js").join(typings), out.join(typings))?;
    }
    fs::remove_dir_all(out.join("glue"))?;
    println!("widget.js ({} B)", fs::metadata(out.join("widget.js"))?.len());
    Ok(Built { dir: out, modules })
}

/// The polling policy of `sitrep_shared::embed`, for the loader's badges without wasm: the numbers
/// are written once, in shared, and the loader is given them by the build.
fn policy() -> String {
    use sitrep_shared::embed;
    serde_json::json!({
        "defaultPoll": embed::DEFAULT_POLL_SECS,
        "minPoll": embed::MIN_POLL_SECS,
        "maxDelay": embed::MAX_DELAY_SECS,
        "staleAfter": embed::STALE_AFTER_INTERVALS,
        "tickMs": embed::TICK_MS,
        "freshMs": embed::SHARED_ANSWER_MS,
        "timeoutMs": embed::TIMEOUT_MS,
    })
    .to_string()
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
