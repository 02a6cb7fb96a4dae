//! Building the operator console: Rust to wasm32 (the widget's size profile), wasm-bindgen,
//! wasm-opt, and esbuild into one stable loader per module.
//!
//! Output, copied into the edge's static assets under `/console/`, for each of its two modules
//! (`MODULES`): `console.js` or `settings.js` (the loader with the glue bundled in; one name,
//! revalidated) and `sitrep-console-<hash>.wasm` or `sitrep-console-settings-<hash>.wasm` (named
//! by content, kept a year); and `console.css` for both (the console's rules, and the widget's for
//! the previews). The edge's `/admin/` and `/admin/settings/` pages name the loaders and the
//! stylesheet.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::shell::{self, step};
use crate::{wasm, widget};

/// The widget's size passes, with `--merge-similar-functions` before and after them: Yew's hooks
/// and serde's readers come in many copies that differ only in constants (1.3 KB brotli).
const PASSES: &[&str] = &[
    "--merge-similar-functions",
    "-Oz",
    "--converge",
    "--merge-similar-functions",
    "--strip-debug",
    "--strip-producers",
];

/// The rules appended to the assets' `_headers` for the console's files.
const HEADERS: &str = "/console/console.js
  Cache-Control: no-cache
  X-Content-Type-Options: nosniff
/console/settings.js
  Cache-Control: no-cache
  X-Content-Type-Options: nosniff
/console/console.css
  Cache-Control: no-cache
  X-Content-Type-Options: nosniff
/console/sitrep-console-*
  Cache-Control: public, max-age=31536000, immutable
  X-Content-Type-Options: nosniff
";

/// The console's two modules, built from one crate: its cargo features, its loader and the prefix
/// of its wasm's name. The first is what `/admin/` loads (the everyday screens); the second,
/// `/admin/settings/`, the screens an owner opens now and then (see the console's lib.rs).
const MODULES: [(&str, &str, &str); 2] =
    [("", "console.js", "sitrep-console"), ("sitrep-console/settings", "settings.js", "sitrep-console-settings")];

/// Builds the console into `target/sitrep/console/`; returns that directory.
pub fn build() -> Result<PathBuf> {
    // As the widget: nightly's build-std for size where it is installed (`cargo xtask setup`), else stable.
    let size_tuned = widget::nightly_available();
    step(if size_tuned {
        "build the operator console's two modules (nightly build-std for size, wasm-bindgen, wasm-opt -Oz, esbuild)"
    } else {
        "build the operator console's two modules (stable, wasm-bindgen, wasm-opt -Oz, esbuild)"
    });
    let out = shell::root().join("target/sitrep/console");
    let _ = fs::remove_dir_all(&out);
    let files = out.join("console");
    fs::create_dir_all(&files)?;
    for (features, loader, prefix) in MODULES {
        let (mut cargo, base) = wasm::size_build(size_tuned);
        cargo.args(["-p", "sitrep-console", "--target", "wasm32-unknown-unknown", "--profile", "widget"]);
        if !features.is_empty() {
            cargo.args(["--features", features]);
        }
        shell::run(cargo)?;
        let wasm = base.join("wasm32-unknown-unknown/widget/sitrep_console.wasm");
        let glue = out.join("glue");
        let _ = fs::remove_dir_all(&glue);
        fs::create_dir_all(&glue)?;
        wasm::bindgen(&wasm, &glue, &[])?;
        let optimised = glue.join("opt.wasm");
        wasm::opt(&glue.join("sitrep_console_bg.wasm"), &optimised, PASSES)?;
        let bytes = fs::read(&optimised)?;
        let wasm_name = format!("{prefix}-{}.wasm", widget::hash(&bytes));
        fs::rename(&optimised, files.join(&wasm_name))?;
        let entry = glue.join("entry.js");
        fs::write(
            &entry,
            format!(
                "import init from './sitrep_console.js';\n\
                 init({{ module_or_path: new URL('./{wasm_name}', import.meta.url) }});\n"
            ),
        )?;
        widget::esbuild(&entry, &files.join(loader))?;
        fs::remove_dir_all(&glue)?;
        println!("console: console/{wasm_name} ({} B), console/{loader}", bytes.len());
    }
    // The previews are the widget's views, so they take the widget's stylesheet, nested under
    // `.preview` (it is written for a shadow root, and its element rules must not reach the console).
    let widget_css = fs::read_to_string(shell::root().join("views/src/widget.css"))?;
    let console_css = fs::read_to_string(shell::root().join("console/assets/console.css"))?;
    fs::write(files.join("console.css"), format!("{console_css}.preview{{{widget_css}}}\n"))?;
    Ok(out)
}

/// Copies the built console into the edge's static assets and adds its `_headers` rules.
pub fn install(built: &Path, public: &Path) -> Result<()> {
    let target = public.join("console");
    let _ = fs::remove_dir_all(&target);
    fs::create_dir_all(&target)?;
    for entry in fs::read_dir(built.join("console"))? {
        let entry = entry?;
        fs::copy(entry.path(), target.join(entry.file_name()))?;
    }
    let headers = public.join("_headers");
    let mut rules = fs::read_to_string(&headers).unwrap_or_default();
    if !rules.contains("/console/") {
        rules.push_str(HEADERS);
        fs::write(&headers, rules)?;
    }
    Ok(())
}
