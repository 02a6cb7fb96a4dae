//! `cargo xtask test`: everything CI checks, in the order that fails fastest.

use anyhow::Result;

use crate::edge::{self, Build};
use crate::shell::{self, step};

const WASM_TARGET: &str = "wasm32-unknown-unknown";
/// Crates that build for wasm32: all of them are linted for it.
const WASM_CRATES: [&str; 6] =
    ["sitrep-shared", "sitrep-views", "sitrep-edge", "sitrep-widget", "sitrep-console", "sitrep-bench-worker"];
/// The widget and the views (which format through the host's `Intl`) only run in a JavaScript host:
/// they are linted and tested on wasm32 only, their tests in Chromium.
const BROWSER_ONLY: [&str; 2] = ["sitrep-widget", "sitrep-views"];

pub fn run() -> Result<()> {
    step("cargo fmt --check");
    let mut fmt = shell::cargo();
    fmt.args(["fmt", "--all", "--", "--check"]);
    shell::run(fmt)?;

    step("no import loop in edge or shared");
    crate::loops::check(&shell::root())?;
    crate::openapi::run(&["--check".to_owned()])?;

    step("the widget's TypeScript declarations: tsc --noEmit over a React 19, a Preact and a Vue example");
    for framework in ["react", "preact", "vue"] {
        let mut tsc = shell::command(&shell::node_bin("tsc").to_string_lossy(), &["--noEmit", "-p"]);
        tsc.arg(shell::root().join("tests/types").join(framework));
        shell::run(tsc)?;
    }

    step("clippy, host");
    let mut clippy = shell::cargo();
    clippy.args(["clippy", "--workspace", "--all-targets"]);
    for krate in BROWSER_ONLY {
        clippy.args(["--exclude", krate]);
    }
    clippy.args(["--", "-D", "warnings"]);
    shell::run(clippy)?;

    step("clippy, wasm32");
    let mut clippy = shell::cargo();
    clippy.args(["clippy", "--target", WASM_TARGET, "--all-targets"]);
    for krate in WASM_CRATES {
        clippy.args(["-p", krate]);
    }
    // The test build's routes are linted too (the host run lints the production build's code).
    clippy.args(["--features", "sitrep-edge/fault-injection", "--", "-D", "warnings"]);
    shell::run(clippy)?;

    step("clippy, wasm32: the widget's badge module (without the banner and full views)");
    let mut clippy = shell::cargo();
    clippy.args(["clippy", "--target", WASM_TARGET, "-p", "sitrep-widget", "--no-default-features"]);
    clippy.args(["--", "-D", "warnings"]);
    shell::run(clippy)?;

    step("clippy, wasm32: the console's second module (the settings screens)");
    let mut clippy = shell::cargo();
    clippy.args(["clippy", "--target", WASM_TARGET, "-p", "sitrep-console", "--features", "settings"]);
    clippy.args(["--", "-D", "warnings"]);
    shell::run(clippy)?;

    step("tests, host");
    let mut test = shell::cargo();
    // expect-test rewrites snapshots whenever UPDATE_EXPECT is set, to any value: never here.
    test.args(["test", "--workspace"]).env_remove("UPDATE_EXPECT");
    for krate in BROWSER_ONLY {
        test.args(["--exclude", krate]);
    }
    shell::run(test)?;

    step("tests, wasm32: shared in Node, the views and the widget in headless Chromium (wasm-bindgen-test-runner)");
    let mut test = shell::cargo();
    test.args(["test", "--target", WASM_TARGET, "-p", "sitrep-shared"]);
    for krate in BROWSER_ONLY {
        test.args(["-p", krate]);
    }
    test
        // The widget's tests run in Chromium through chromedriver, with the flags in widget/webdriver.json.
        .env("CHROMEDRIVER", "/usr/bin/chromedriver");
    shell::run(test)?;

    // `cargo xtask test` checks the committed snapshots; only `cargo xtask e2e` may rewrite them.
    e2e_with(&[], false)?;

    // The coverage phase once died inside Hypothesis (a Python AST error, not an answer of ours); CI
    // runs the fuzzing and stateful phases, `cargo xtask schemathesis` all of them.
    step("Schemathesis against the write API's OpenAPI document (60 s, fuzzing and stateful phases)");
    crate::schemathesis::against_built_edge(60, Some("fuzzing,stateful"))?;

    // `cargo xtask dev` leaves its demo app in edge/build/: only `check-deploy` refuses that.
    edge::check_deployable(false)?;

    println!("\nxtask test: all checks passed");
    Ok(())
}

/// The end-to-end tests: the Worker built with its test switch, run in workerd by Node's test
/// runner (`tests/e2e/*.test.mjs`, or only the files named in `only`), with Chromium for the browser tests.
pub fn e2e(only: &[String]) -> Result<()> {
    e2e_with(only, true)
}

/// The end-to-end run; `update` passes the caller's `UPDATE_EXPECT` through to the tests.
fn e2e_with(only: &[String], update: bool) -> Result<()> {
    edge::build(Build::Test)?;
    step("build the sitrep operator tool");
    let mut cli = shell::cargo();
    cli.args(["build", "-p", "sitrep-cli"]);
    shell::run(cli)?;
    edge::dev_token()?;
    edge::write_pages("http://127.0.0.1:8787")?;
    step("end-to-end tests (node --test tests/e2e/)");
    let mut node = shell::command("node", &["--test", "--test-concurrency=1"]);
    if only.is_empty() {
        node.arg("tests/e2e/");
    } else {
        node.args(only.iter().map(|name| format!("tests/e2e/{name}.test.mjs")));
    }
    node.env("WRANGLER_SEND_METRICS", "false");
    if !update {
        node.env_remove("UPDATE_EXPECT");
    }
    shell::run(node)
}
