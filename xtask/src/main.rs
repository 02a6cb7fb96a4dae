//! `cargo xtask`: sitrep's developer tasks. `main` only parses and reports; each task is a module.

mod bench;
mod console;
mod dev;
mod edge;
mod fuzz;
mod load;
mod loops;
mod openapi;
mod report;
mod schemathesis;
mod setup;
mod shell;
mod soak;
mod test;
mod wasm;
mod widget;
mod workerd;

use anyhow::{Result, bail};

const USAGE: &str = "\
usage: cargo xtask <task>

tasks:
  setup    install what this machine lacks (rustup target and components, wasm-bindgen-cli,
           npm packages from the lockfile, Debian's chromium and chromium-driver); safe to rerun
  test     setup, then fmt check, clippy (host and wasm32) and every test, as CI runs it
  bench    benchmarks (`shared`, `edge`, `write`, `widget`, `facade`, `notify`, `flood`, `hang`; none runs all); figures are
           ratios against a baseline in the same run
  e2e      only the end-to-end tests (the Worker in workerd, Chromium); `e2e trust` runs only
           tests/e2e/trust.test.mjs (any file names under tests/e2e/, without `.test.mjs`)
  build    the deployable Worker in edge/build/: the production build without the demo app
  loops    fail if edge or shared has an import loop between its modules (part of `test`)
  openapi  write edge/openapi.json from the write API's table (`shared::api`) and its types;
           `--check` fails when the committed document differs (part of `test`)
  check-deploy  fail if edge/build/ (what `wrangler deploy` ships) holds a test-only route or the demo app
  widget   build only the widget into target/sitrep/widget (`--stable` skips the nightly size build)
  soak     10,000 virtual widgets polling the production Worker for 5 minutes while updates are posted,
           then all reloading within 10 s (`--widgets N`, `--seconds S`)
  schemathesis  Schemathesis (PyPI) against the write API's OpenAPI document (`--seconds N`, default 120)
  fuzz     cargo fuzz on shared's parser, validator, commands and Markdown (`--seconds N`, default 60 each; not in CI)
  dev      build and run the edge in workerd with the demo data at http://127.0.0.1:8787/";

fn main() {
    if let Err(err) = run() {
        eprintln!("xtask: error: {err:#}");
        std::process::exit(1);
    }
}

fn run() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let rest = args.get(1..).unwrap_or_default();
    match args.first().map(String::as_str) {
        Some("setup") => setup::run(),
        Some("test") => {
            setup::run()?;
            test::run()
        }
        Some("bench") => bench::run(rest),
        Some("loops") => loops::check(&shell::root()),
        Some("openapi") => openapi::run(rest),
        Some("check-deploy") => edge::check_deployable(true),
        Some("build") => {
            setup::run()?;
            edge::build_deployable()
        }
        Some("fuzz") => fuzz::run(rest),
        Some("soak") => soak::run(rest).map(|_| ()),
        Some("schemathesis") => schemathesis::run(rest),
        Some("widget") => {
            let built = widget::build(!rest.iter().any(|a| a == "--stable"))?;
            println!("built {:?} in {}", built.modules, built.dir.display());
            Ok(())
        }
        Some("e2e") => {
            setup::run()?;
            test::e2e(rest)
        }
        Some("dev") => {
            setup::run()?;
            dev::run()
        }
        Some("help" | "-h" | "--help") | None => {
            println!("{USAGE}");
            Ok(())
        }
        Some(other) => bail!("unknown task {other:?}\n\n{USAGE}"),
    }
}
