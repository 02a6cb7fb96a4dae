//! `cargo xtask bench [shared|edge]`: benchmarks. Every figure is reported next to a baseline
//! measured in the same run, as a ratio: the machines are shared and noisy.

use std::fs;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use anyhow::{Context, Result, bail};

use crate::edge::{self, Build};
use crate::load;
use crate::shell::{self, step};

pub fn run(args: &[String]) -> Result<()> {
    match args.first().map(String::as_str) {
        None => {
            shared()?;
            edge_bench()
        }
        Some("shared") => shared(),
        Some("edge") => edge_bench(),
        Some(other) => bail!("unknown benchmark {other:?}: `shared` or `edge` (none runs both)"),
    }
}

fn shared() -> Result<()> {
    step("shared: derive and serialise the summary as components and history grow");
    let mut bench = shell::cargo();
    bench.args(["bench", "-p", "sitrep-shared", "--bench", "summary"]);
    shell::run(bench)
}

const SATURATION_SECONDS: &str = "10";
const RATE: u32 = 1_000;
const RATE_SECONDS: u32 = 10;
const PATH: &str = "/api/v2/summary.json";

/// A worker in workerd through Miniflare's API (no wrangler dev proxy), stopped when dropped.
struct Workerd {
    child: Child,
    port: u16,
}

impl Workerd {
    fn start(kind: &str, arg: &str) -> Result<Self> {
        let port = free_port()?;
        let mut child = shell::command("node", &["tests/bench/workerd.mjs", kind, &port.to_string(), arg])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .context("cannot start node")?;
        let stdout = child.stdout.take().context("no stdout")?;
        let ready = BufReader::new(stdout).lines().map_while(Result::ok).any(|l| l.starts_with("READY "));
        if !ready {
            bail!("{kind} worker did not start");
        }
        Ok(Self { child, port })
    }
}

impl Drop for Workerd {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind(("127.0.0.1", 0))?.local_addr()?.port())
}

struct Figures {
    rps: f64,
    latency: load::Latency,
}

fn measure(port: u16) -> Result<Figures> {
    let url = format!("http://127.0.0.1:{port}{PATH}");
    // Warm up the isolate, JIT and caches.
    let _ = load::fixed_rate(port, PATH, 500, 2, 8)?;
    let out = Command::new("wrk")
        .args(["-t2", "-c32", &format!("-d{SATURATION_SECONDS}s"), &url])
        .output()
        .context("wrk is not installed (cargo xtask bench installs it with apt-get)")?;
    let text = String::from_utf8_lossy(&out.stdout);
    let rps = text
        .lines()
        .find_map(|l| l.strip_prefix("Requests/sec:"))
        .and_then(|v| v.trim().parse::<f64>().ok())
        .with_context(|| format!("cannot read wrk's output:\n{text}"))?;
    if text.contains("Non-2xx") || text.contains("Socket errors") {
        println!("wrk reported errors:\n{text}");
    }
    let latency = load::fixed_rate(port, PATH, RATE, RATE_SECONDS, 16)?;
    Ok(Figures { rps, latency })
}

fn ensure_wrk() -> Result<()> {
    if shell::output(shell::command("wrk", &["--version"])).is_some()
        || Command::new("wrk").arg("-v").output().is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("wrk"))
    {
        return Ok(());
    }
    step("install wrk (Debian)");
    shell::run(shell::command("apt-get", &["install", "-y", "wrk"]))
}

fn gzip_len(path: &std::path::Path) -> Result<usize> {
    let out = Command::new("gzip").args(["-9", "-c"]).arg(path).output().context("gzip")?;
    Ok(out.stdout.len())
}

fn edge_bench() -> Result<()> {
    ensure_wrk()?;
    edge::build(Build::Production)?;
    let token = edge::dev_token()?;
    let demo = edge::write_pages("http://127.0.0.1:8787")?;
    let state = shell::root().join("target/sitrep/bench-state");
    let _ = fs::remove_dir_all(&state);
    fs::create_dir_all(&state)?;

    step("sitrep: the built Worker in workerd (Miniflare API), the five seeds loaded");
    let ours = Workerd::start("sitrep", &state.to_string_lossy())?;
    edge::load_page(ours.port, &token, &fs::read(&demo)?)?;
    let (status, body) = edge::http(ours.port, "GET", PATH, &[], &[])?;
    if status != 200 {
        bail!("summary answered {status}");
    }
    let body_path = shell::root().join("target/sitrep/bench-summary.json");
    fs::write(&body_path, &body)?;
    let sitrep = measure(ours.port)?;
    drop(ours);

    step("baseline: a bare JavaScript worker returning the same bytes from memory, same workerd");
    let base = Workerd::start("baseline", &body_path.to_string_lossy())?;
    let baseline = measure(base.port)?;
    drop(base);

    let wasm = edge::edge_dir().join("build/index_bg.wasm");
    let js = edge::edge_dir().join("build/index.js");
    let raw = fs::metadata(&wasm)?.len() as usize + fs::metadata(&js)?.len() as usize;
    let gz = gzip_len(&wasm)? + gzip_len(&js)?;

    println!(
        "\nedge bench: GET {PATH} ({} bytes), machine {} cores",
        body.len(),
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!("{:<34} {:>12} {:>12} {:>10}", "", "sitrep", "baseline", "ratio");
    println!(
        "{:<34} {:>12.0} {:>12.0} {:>9.2}x   (goal >= 0.9)",
        "saturation req/s (wrk -c32)",
        sitrep.rps,
        baseline.rps,
        sitrep.rps / baseline.rps
    );
    for (name, a, b) in [
        ("latency p50 ms at 1,000 req/s", sitrep.latency.p50_ms, baseline.latency.p50_ms),
        ("latency p99 ms at 1,000 req/s", sitrep.latency.p99_ms, baseline.latency.p99_ms),
        ("latency max ms at 1,000 req/s", sitrep.latency.max_ms, baseline.latency.max_ms),
    ] {
        println!("{name:<34} {a:>12.2} {b:>12.2} {:>9.2}x", a / b);
    }
    println!(
        "{:<34} {:>12} {:>12}",
        "requests / errors at fixed rate",
        format!("{}/{}", sitrep.latency.requests, sitrep.latency.errors),
        format!("{}/{}", baseline.latency.requests, baseline.latency.errors)
    );
    println!("bundle (index_bg.wasm + index.js): {raw} B raw, {gz} B gzip -9  (goal <= 150 KB gzip)");
    println!("p99 goal <= 5 ms: {}", if sitrep.latency.p99_ms <= 5.0 { "met" } else { "NOT met" });
    Ok(())
}
