//! Building the edge Worker and running it in workerd (through wrangler), shared by `dev` and `test`.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::shell::{self, step};

/// How the Worker is built.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Build {
    /// What `dev` runs and `wrangler deploy` ships: wasm-opt'd, no test switches.
    Production,
    /// For the end-to-end tests: with the fault-injection switch, without wasm-opt (faster).
    Test,
}

pub fn edge_dir() -> PathBuf {
    shell::root().join("edge")
}

/// Where a build is run from: `edge/` (whose `wrangler.toml` is what `wrangler deploy` ships) for
/// the production build, `target/sitrep/edge-test/` (a copy of the config beside the test build)
/// for the test build, so a deploy after a test run can never upload the test-only routes.
pub fn dir(kind: Build) -> PathBuf {
    match kind {
        Build::Production => edge_dir(),
        Build::Test => shell::root().join("target/sitrep/edge-test"),
    }
}

/// Bytes only the test build holds: the fault switch's answer to a bad command (the route paths
/// themselves are compared as integers by the compiled code, so they leave no bytes to find).
const TEST_ROUTE_MARKER: &[u8] = b"store-down, store-up or kv-fail";

/// Fails if the deployable build (`edge/build/`, if there is one) contains a test-only route (or,
/// when `demo` is refused, the dev build's demo app), and checks on the test build that the search
/// finds the routes where they are.
pub fn check_deployable(refuse_demo: bool) -> Result<()> {
    step("check that the deployable build in edge/build/ has no test-only route");
    let contains = |path: &std::path::Path| -> Result<bool> {
        let bytes = fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        Ok(bytes.windows(TEST_ROUTE_MARKER.len()).any(|w| w == TEST_ROUTE_MARKER))
    };
    let test_wasm = dir(Build::Test).join("build/index_bg.wasm");
    if test_wasm.exists() && !contains(&test_wasm)? {
        bail!(
            "the test build lacks {:?}: the check would not see a test route",
            String::from_utf8_lossy(TEST_ROUTE_MARKER)
        );
    }
    // What `wrangler deploy` reads: local development's receivers must never be allowed there.
    let config = fs::read_to_string(edge_dir().join("wrangler.toml")).context("cannot read edge/wrangler.toml")?;
    if config.lines().any(|line| !line.trim_start().starts_with('#') && line.contains("SITREP_LOCAL_TARGETS")) {
        bail!("edge/wrangler.toml sets SITREP_LOCAL_TARGETS: a deployed Worker would deliver to its own machine");
    }
    consumer_bounds(&config)?;
    let deployable = edge_dir().join("build");
    if !deployable.exists() {
        println!("no deployable build in edge/build/ (cargo xtask dev makes one)");
        return Ok(());
    }
    for entry in fs::read_dir(&deployable)? {
        let path = entry?.path();
        if path.is_file() && contains(&path)? {
            bail!(
                "{} contains a test-only route (/__sitrep/): rebuild with cargo xtask dev before deploying",
                path.display()
            );
        }
    }
    if refuse_demo && deployable.join("public/demo").exists() {
        bail!("edge/build/public/demo/ holds the demo app of the dev build: run `cargo xtask build` before deploying");
    }
    println!("edge/build/ has no test-only route");
    Ok(())
}

/// The production build for `wrangler deploy`: as `cargo xtask dev` builds it, without the demo app.
pub fn build_deployable() -> Result<()> {
    build(Build::Production)?;
    let demo = dir(Build::Production).join("build/public/demo");
    fs::remove_dir_all(&demo).with_context(|| format!("cannot remove {}", demo.display()))?;
    check_deployable(true)?;
    println!("edge/build/ is ready for `npx wrangler deploy` (from edge/)");
    Ok(())
}

/// Builds the Worker with worker-build, pointing it at our own wasm-bindgen, esbuild and wasm-opt
/// so nothing is downloaded: into `edge/build/`, or for tests into [`dir`]`(Build::Test)`.
pub fn build(kind: Build) -> Result<()> {
    step(match kind {
        Build::Production => "build the edge Worker (release, wasm-opt)",
        Build::Test => "build the edge Worker for tests (release, fault-injection switch, no wasm-opt)",
    });
    let mut command = worker_build(&edge_dir())?;
    match kind {
        // Size over speed for what ships: the bench measures what this costs in throughput
        // (`SITREP_EDGE_OPT_LEVEL=3 cargo xtask bench edge` builds the other way, to compare).
        // `SITREP_EDGE_SHIM=legacy` builds with worker-build's older shim (no panic recovery, no
        // proxies around each call): only to measure what the default shim costs.
        Build::Production => {
            let level = std::env::var("SITREP_EDGE_OPT_LEVEL").unwrap_or_else(|_| "z".into());
            if std::env::var("SITREP_EDGE_SHIM").is_ok_and(|shim| shim == "legacy") {
                command.arg("--no-panic-recovery");
            }
            command.env("CARGO_PROFILE_RELEASE_OPT_LEVEL", level)
        }
        // Straight into the test directory: the test build never passes through edge/build/.
        Build::Test => {
            let target = dir(Build::Test);
            if target.exists() {
                fs::remove_dir_all(&target).with_context(|| format!("cannot remove {}", target.display()))?;
            }
            command.args(["--out-dir", TEST_OUT_DIR, "--no-opt", "--", "--features", "fault-injection"])
        }
    };
    shell::run(command)?;
    if kind == Build::Production {
        strip_names()?;
    }
    if kind == Build::Test {
        write_test_config()?;
    }
    let public = dir(kind).join("build/public");
    fs::create_dir_all(&public)?;
    // The demo customer app, at /demo/ (production `/` is the status page the Worker renders);
    // `cargo xtask build` removes it again from what is deployed (`build_deployable`).
    fs::create_dir_all(public.join("demo"))?;
    fs::copy(shell::root().join("index.html"), public.join("demo/index.html")).context("cannot copy index.html")?;
    let stale_root = public.join("index.html");
    if stale_root.exists() {
        fs::remove_file(&stale_root)?;
    }
    fs::copy(edge_dir().join("assets/page.js"), public.join("page.js")).context("cannot copy page.js")?;
    // The tests run exactly the widget that ships.
    let widget = crate::widget::build(true)?;
    crate::widget::install(&widget, &public)?;
    let console = crate::console::build()?;
    crate::console::install(&console, &public)?;
    Ok(())
}

/// worker-build for the crate in `dir`, pointed at our own wasm-bindgen, esbuild and wasm-opt so
/// nothing is downloaded.
pub fn worker_build(dir: &Path) -> Result<Command> {
    let wasm_bindgen = shell::output(shell::command("which", &["wasm-bindgen"]))
        .map(|p| p.trim().to_owned())
        .context("wasm-bindgen is not installed: run `cargo xtask setup`")?;
    let mut command = Command::new("worker-build");
    command
        .current_dir(dir)
        .env("WASM_BINDGEN_BIN", wasm_bindgen)
        .env("ESBUILD_BIN", shell::node_bin("esbuild"))
        .env("WASM_OPT_BIN", shell::node_bin("wasm-opt"))
        .arg("--release");
    Ok(command)
}

/// Messages per batch of the delivery consumer at most: a Worker invocation has 6 connections.
const MAX_BATCH: u64 = 6;
/// Consumer invocations side by side at most: each holds up to [`MAX_BATCH`] requests to the page's
/// store, which a write then waits behind (10 x 6 = 60 at most).
const MAX_CONCURRENCY: u64 = 10;

/// Checks every `[[queues.consumers]]` of `wrangler.toml`: `max_batch_size` at most [`MAX_BATCH`]
/// and `max_concurrency` set, at most [`MAX_CONCURRENCY`] (unset, the platform scales to hundreds).
/// Read line by line: the file is ours, flat `key = value` lines under section headers, and one
/// check does not earn a TOML parser.
fn consumer_bounds(config: &str) -> Result<()> {
    let mut consumers: Vec<Vec<(String, String)>> = Vec::new();
    let mut inside = false;
    // Comments off (no value of ours holds a `#`), and headers without their inner spaces.
    let lines = config.lines().map(|line| line.split('#').next().unwrap_or_default().trim());
    for line in lines.filter(|line| !line.is_empty()) {
        if line.starts_with('[') {
            let header: String = line.chars().filter(|c| !c.is_whitespace()).collect();
            // `[[queues.consumers]]`, and an environment's `[[env.{name}.queues.consumers]]`.
            inside = header.starts_with("[[") && header.ends_with("queues.consumers]]");
            if inside {
                consumers.push(Vec::new());
            }
        } else if let (true, Some((key, value)), Some(consumer)) = (inside, line.split_once('='), consumers.last_mut())
        {
            consumer.push((key.trim().to_owned(), value.trim().to_owned()));
        }
    }
    if consumers.is_empty() {
        bail!("edge/wrangler.toml has no [[queues.consumers]]: nothing would deliver to subscribers");
    }
    for consumer in &consumers {
        let number = |key: &str| consumer.iter().find(|(k, _)| k == key).and_then(|(_, v)| v.parse::<u64>().ok());
        match number("max_batch_size") {
            Some(n) if (1..=MAX_BATCH).contains(&n) => {}
            other => bail!("edge/wrangler.toml: the consumer's max_batch_size is {other:?}, not 1 to {MAX_BATCH}"),
        }
        match number("max_concurrency") {
            Some(n) if (1..=MAX_CONCURRENCY).contains(&n) => {}
            other => bail!(
                "edge/wrangler.toml: the consumer's max_concurrency is {other:?}, not 1 to {MAX_CONCURRENCY}: \
                 unbounded, a fan-out queues thousands of requests in front of the page's writes"
            ),
        }
    }
    Ok(())
}

/// Where worker-build writes the test build, relative to `edge/` (it takes relative paths only).
const TEST_OUT_DIR: &str = "../target/sitrep/edge-test/build";

/// Puts a copy of `wrangler.toml` and `.dev.vars` beside the test build (wrangler reads both next
/// to its config).
fn write_test_config() -> Result<()> {
    let target = dir(Build::Test);
    if !target.join("build/index.js").exists() {
        bail!("worker-build wrote no test build into {}", target.display());
    }
    let config = fs::read_to_string(edge_dir().join("wrangler.toml"))?;
    let header = "# Generated by cargo xtask for the test build (fault-injection routes). Never deploy this.\n";
    fs::write(target.join("wrangler.toml"), format!("{header}{config}"))?;
    dev_token()?;
    fs::copy(edge_dir().join(".dev.vars"), target.join(".dev.vars")).context("cannot copy .dev.vars")?;
    println!("test build: {}", target.display());
    Ok(())
}

/// worker-build keeps the wasm names section (function names in stack traces); it is a fifth of
/// the module, so the shipped build drops it.
fn strip_names() -> Result<()> {
    let wasm = edge_dir().join("build/index_bg.wasm");
    crate::wasm::opt(&wasm, &wasm, &["--strip-debug", "--strip-producers"])
}

/// Creates `edge/.dev.vars` with a random admin token when it is absent; returns the token.
pub fn dev_token() -> Result<String> {
    let path = edge_dir().join(".dev.vars");
    if let Ok(text) = fs::read_to_string(&path)
        && let Some(token) = text.lines().find_map(|l| l.strip_prefix("SITREP_ADMIN_TOKEN="))
    {
        return Ok(token.trim().to_owned());
    }
    let mut bytes = [0u8; 24];
    fs::File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut bytes)).context("cannot read /dev/urandom")?;
    let token: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    fs::write(&path, format!("SITREP_ADMIN_TOKEN={token}\n"))
        .with_context(|| format!("cannot write {}", path.display()))?;
    println!("created {} with a random admin token", path.display());
    Ok(token)
}

/// A running workerd (wrangler dev, local mode).
pub struct Edge {
    child: Child,
    pub port: u16,
    /// Started in its own process group, which is stopped as a whole when dropped.
    group: bool,
}

impl Edge {
    /// Starts wrangler dev on `port` with the production build, state in `persist`, output to `log` (or inherited).
    pub fn start(port: u16, persist: &str, log: Option<&str>) -> Result<Self> {
        Self::spawn(Build::Production, port, persist, log, false)
    }

    /// Like [`Edge::start`] with the build `kind`, in a process group of its own: dropping it stops
    /// wrangler and workerd together. For runs in the background of a task; `dev` keeps the
    /// terminal's group so Ctrl-C reaches it.
    pub fn start_background(kind: Build, port: u16, persist: &str, log: Option<&str>) -> Result<Self> {
        Self::spawn(kind, port, persist, log, true)
    }

    fn spawn(kind: Build, port: u16, persist: &str, log: Option<&str>, group: bool) -> Result<Self> {
        let mut command = Command::new(shell::node_bin("wrangler"));
        if group {
            std::os::unix::process::CommandExt::process_group(&mut command, 0);
        }
        command
            .current_dir(dir(kind))
            .env("WRANGLER_SEND_METRICS", "false")
            .args(["dev", "--ip", "127.0.0.1", "--port", &port.to_string(), "--persist-to", persist])
            .args(["--show-interactive-dev-session=false", "--log-level", "warn"])
            // Local development: subscriptions may name receivers on this machine (never a private network).
            .args(["--var", "SITREP_LOCAL_TARGETS:1"])
            .stdin(Stdio::null());
        if let Some(log) = log {
            let file = fs::File::create(log)?;
            command.stdout(file.try_clone()?).stderr(file);
        }
        let child = command.spawn().context("cannot start wrangler (run `cargo xtask setup`)")?;
        let mut edge = Self { child, port, group };
        edge.wait_ready(Duration::from_secs(60))?;
        Ok(edge)
    }

    fn wait_ready(&mut self, limit: Duration) -> Result<()> {
        let started = Instant::now();
        while started.elapsed() < limit {
            if let Some(status) = self.child.try_wait()? {
                bail!("wrangler exited early ({status})");
            }
            if http(self.port, "GET", "/api/v2/status.json", &[], &[]).is_ok() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(250));
        }
        bail!("workerd did not answer on port {} within {limit:?}", self.port)
    }

    /// Waits for the process (until Ctrl-C ends it).
    pub fn wait(&mut self) -> Result<()> {
        self.child.wait()?;
        Ok(())
    }
}

impl Drop for Edge {
    fn drop(&mut self) {
        if self.group {
            stop_group(&mut self.child);
        } else {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Stops a child started as the leader of its own process group, with everything it started:
/// SIGTERM to the group, up to five seconds to exit, then SIGKILL.
pub fn stop_group(child: &mut Child) {
    let group = format!("-{}", child.id());
    let _ = Command::new("kill").args(["-TERM", "--", &group]).stderr(Stdio::null()).status();
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        if matches!(child.try_wait(), Ok(Some(_))) {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = Command::new("kill").args(["-KILL", "--", &group]).stderr(Stdio::null()).status();
    let _ = child.wait();
}

/// One HTTP request to 127.0.0.1 (loopback only: the URL is built here, never passed in, no proxy
/// from the environment is used and no redirect followed); the status and body whatever the
/// status, within 120 s (a page import of 10,000 incidents included).
pub fn http(port: u16, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Result<(u16, Vec<u8>)> {
    http_full(port, method, path, headers, body).map(|(status, _, bytes)| (status, bytes))
}

/// [`http`], with the answer's `ETag` and `Content-Type`.
pub fn http_full(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Result<(u16, [String; 2], Vec<u8>)> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .proxy(None)
        .max_redirects(0)
        .timeout_global(Some(Duration::from_secs(120)))
        .build()
        .into();
    let request = ureq::http::Request::builder().method(method).uri(format!("http://127.0.0.1:{port}{path}"));
    let request = headers.iter().fold(request, |request, (name, value)| request.header(*name, *value));
    // ureq refuses a body on GET: send none when there is none.
    let mut response =
        if body.is_empty() { agent.run(request.body(())?)? } else { agent.run(request.body(body.to_vec())?)? };
    let status = response.status().as_u16();
    let header = |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let meta = [header("etag"), header("content-type")];
    let bytes = response.body_mut().with_config().limit(64 << 20).read_to_vec()?;
    Ok((status, meta, bytes))
}

/// Writes the pages the demo and the tests load into `target/sitrep/`: `demo.json` (the five seeds
/// merged, served from `base`) and `live.json` (the same page as readers saw it during the Stream
/// outage, so something is open).
pub fn write_pages(base: &str) -> Result<PathBuf> {
    let page = sitrep_tests::demo_page(base).map_err(anyhow::Error::msg)?;
    let live_at = sitrep_shared::Timestamp::parse(LIVE_AT)?;
    let dir = shell::root().join("target/sitrep");
    fs::create_dir_all(&dir)?;
    fs::write(dir.join("live.json"), serde_json::to_vec(&page.as_of(live_at))?)?;
    let path = dir.join("demo.json");
    fs::write(&path, serde_json::to_vec(&page)?)?;
    Ok(path)
}

/// During the Stream outage: identified, not yet resolved.
const LIVE_AT: &str = "2020-12-09T17:10:00Z";

/// Loads a page into a running edge through the admin API.
pub fn load_page(port: u16, token: &str, page: &[u8]) -> Result<String> {
    let auth = format!("Bearer {token}");
    let headers = [("Authorization", auth.as_str()), ("Content-Type", "application/json")];
    let (status, body) = http(port, "PUT", "/api/v2/admin/page", &headers, page)?;
    let body = String::from_utf8_lossy(&body).into_owned();
    if status != 200 {
        bail!("loading the page failed with {status}: {body}");
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONSUMER: &str = "[[queues.consumers]]\nqueue = \"q\"\n# max_concurrency = 500\nmax_batch_size = 6\n";

    #[test]
    fn the_shipped_config_bounds_its_consumer() {
        let config = fs::read_to_string(edge_dir().join("wrangler.toml")).unwrap();
        consumer_bounds(&config).unwrap();
    }

    #[test]
    fn a_consumer_without_bounds_is_refused() {
        consumer_bounds(&format!("{CONSUMER}max_concurrency = 10\n")).unwrap();
        // Unset (a comment does not count), too many, a batch over 6, no consumer at all.
        let unset = consumer_bounds(CONSUMER).unwrap_err().to_string();
        assert!(unset.contains("max_concurrency is None"), "{unset}");
        assert!(consumer_bounds(&format!("{CONSUMER}max_concurrency = 250\n")).is_err());
        let big = CONSUMER.replace("max_batch_size = 6", "max_batch_size = 100");
        assert!(consumer_bounds(&format!("{big}max_concurrency = 10\n")).is_err());
        // A key of the next section is not the consumer's.
        assert!(consumer_bounds(&format!("{CONSUMER}[observability]\nmax_concurrency = 10\n")).is_err());
        // Trailing comments and spaced headers are read; an environment's consumer is checked too.
        consumer_bounds("[[ queues.consumers ]] # deliveries\nmax_batch_size = 6 # six\nmax_concurrency = 10 # ten\n")
            .unwrap();
        let env = format!("{CONSUMER}max_concurrency = 10\n[[env.staging.queues.consumers]]\nmax_batch_size = 6\n");
        assert!(consumer_bounds(&env).is_err(), "the staging consumer has no max_concurrency");
        assert!(consumer_bounds("[observability]\nenabled = false\n").is_err());
    }
}
