//! `cargo xtask bench [shared|edge]`: benchmarks. Every figure is reported next to a baseline
//! measured in the same run, as a ratio: the machines are shared and noisy.

use std::fs;
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};

use crate::edge::{self, Build};
use crate::load;
use crate::report::{Goal, Table, met};
use crate::shell::{self, step};
use crate::workerd::{Workerd, free_port};

pub fn run(args: &[String]) -> Result<()> {
    match args.first().map(String::as_str) {
        None => all(),
        Some("shared") => shared().map(drop),
        Some("edge") => edge_bench().map(drop),
        Some("write") => write_bench().map(drop),
        Some("widget") => widget_bench().map(drop),
        // Only issue 12's facade and status page figures (also part of `widget`).
        Some("facade") => facade_bench().map(drop),
        // Issue 15: deliveries to 1,000 webhook subscriptions.
        Some("notify") => notify_bench().map(drop),
        // Issue 24: 10,000 made-up locale and zone spellings against the render cache.
        Some("flood") => flood_bench().map(drop),
        // Issue 24: one receiver population hanging beside one that answers.
        Some("hang") => hang_bench().map(drop),
        // Issue 25: the operator console's bytes and time to interactive.
        Some("console") => console_bench().map(drop),
        // Issue 28: one page among 100 against a deployment of one.
        Some("pages") => pages_bench().map(drop),
        // A worker already running on 127.0.0.1: `rate <port> <path>`, its latency at RATE req/s
        // and when its slowest requests were due (for finding where a tail comes from).
        Some("rate") => rate_of_running(&args[1..]),
        // Only the per-crate table, from the last widget build.
        Some("widget-crates") => crate_breakdown(&nightly_widget()).map(drop),
        Some(other) => {
            bail!(
                "unknown benchmark {other:?}: `shared`, `edge`, `write`, `widget`, `facade`, `notify`, `flood`, `hang`, `console` or `pages` (none runs all)"
            )
        }
    }
}

fn rate_of_running(args: &[String]) -> Result<()> {
    let [port, path] = args else { bail!("usage: cargo xtask bench rate <port> <path>") };
    let l = load::fixed_rate(port.parse().context("the port")?, path, RATE, RATE_SECONDS, 16)?;
    println!(
        "p50 {:.2} ms, p99 {:.2} ms (median of 1-s windows {:.2} ms), max {:.2} ms; {} requests, {} errors",
        l.p50_ms, l.p99_ms, l.p99_window_ms, l.max_ms, l.requests, l.errors
    );
    for (due, ms) in &l.slowest {
        println!("  due at {due:.3} s: {ms:.1} ms");
    }
    Ok(())
}

/// Every benchmark, then BENCHMARKS.md with all their figures, the machine and the date.
fn all() -> Result<()> {
    let sections = [
        ("Model: summary derive and serialise (issue 2)", shared()?),
        ("Edge: read throughput, latency and bundle (issue 3)", edge_bench()?),
        ("Edge: write path (issues 4 and 11)", write_bench()?),
        ("Widget: bytes and first paint (issue 5)", widget_bench()?),
        ("Widget: the facade and the status page (issue 12)", facade_bench()?),
        ("Subscribers: deliveries to 1,000 webhooks (issue 15)", notify_bench()?),
        ("Edge: made-up locales and zones against the render cache (issue 24)", flood_bench()?),
        ("Subscribers: one receiver population hanging (issue 24)", hang_bench()?),
        ("Console: bytes and time to an interactive overview (issue 25)", console_bench()?),
        ("Edge: one page among 100 (issue 28)", pages_bench()?),
        ("Soak: 10,000 widgets at incident peak (issue 6)", crate::soak::report(&crate::soak::run(&[])?)),
    ];
    let date = shell::output(shell::command("date", &["-u", "+%Y-%m-%d %H:%M UTC"])).unwrap_or_default();
    let cpu = fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find_map(|l| l.strip_prefix("model name").map(|m| m.trim_start_matches([' ', '\t', ':']).to_owned()))
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let memory = fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| m.lines().next().and_then(|l| l.split_whitespace().nth(1)).and_then(|kb| kb.parse::<u64>().ok()))
        .map_or_else(|| "unknown".into(), |kb| format!("{} GiB", kb / 1024 / 1024));
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let mut text = format!(
        "# Benchmarks\n\nWritten by `cargo xtask bench` on {}. Machine: {cpu}, {cores} cores, {memory} memory; \
         shared and noisy, so every figure stands next to a baseline measured in the same run, as a ratio.\n",
        date.trim()
    );
    for (title, body) in sections {
        text.push_str(&format!("\n## {title}\n\n{}\n", body.trim_end()));
    }
    fs::write(shell::root().join("BENCHMARKS.md"), text)?;
    println!("\nwrote BENCHMARKS.md");
    Ok(())
}

fn shared() -> Result<String> {
    step("shared: derive and serialise the summary as components and history grow");
    let mut bench = shell::cargo();
    bench.args(["bench", "-q", "-p", "sitrep-shared", "--bench", "summary"]);
    let out = shell::output(bench).context("the shared bench failed")?;
    println!("{out}");
    Ok(format!(
        "`cargo bench -p sitrep-shared --bench summary`; baselines are 10 components and 100 incidents in the same run.\n\n```\n{}\n```\n",
        out.trim_end()
    ))
}

const SATURATION_SECONDS: &str = "10";
const RATE: u32 = 1_000;
const RATE_SECONDS: u32 = 10;
const PATH: &str = "/api/v2/summary.json";

struct Figures {
    /// Saturation on the summary.
    rps: f64,
    /// Saturation on the same path with a matching `If-None-Match` (every answer a 304).
    not_modified_rps: f64,
    /// Saturation on the server-rendered status page.
    page_rps: f64,
    latency: load::Latency,
}

impl Figures {
    /// Each figure's median over the rounds.
    fn median(rounds: &[Figures]) -> Figures {
        let of = |pick: fn(&Figures) -> f64| median(rounds.iter().map(pick).collect());
        let latency = load::Latency {
            p50_ms: of(|f| f.latency.p50_ms),
            p99_ms: of(|f| f.latency.p99_ms),
            p99_window_ms: of(|f| f.latency.p99_window_ms),
            max_ms: of(|f| f.latency.max_ms),
            requests: rounds.iter().map(|f| f.latency.requests).sum(),
            errors: rounds.iter().map(|f| f.latency.errors).sum(),
            slowest: Vec::new(),
        };
        Figures {
            rps: of(|f| f.rps),
            not_modified_rps: of(|f| f.not_modified_rps),
            page_rps: of(|f| f.page_rps),
            latency,
        }
    }
}

/// The status page's path.
const PAGE_PATH: &str = "/";

/// wrk's requests per second at 32 connections for `path` (with `header`, if any).
fn saturation(port: u16, path: &str, header: Option<&str>) -> Result<f64> {
    let url = format!("http://127.0.0.1:{port}{path}");
    let mut wrk = Command::new("wrk");
    wrk.args(["-t2", "-c32", &format!("-d{SATURATION_SECONDS}s")]);
    if let Some(header) = header {
        wrk.args(["-H", header]);
    }
    let out = wrk.arg(&url).output().context("wrk is not installed (cargo xtask bench installs it with apt-get)")?;
    let text = String::from_utf8_lossy(&out.stdout);
    // A busy machine times out a few of tens of thousands of requests: shown, not fatal.
    if text.contains("Non-2xx") || text.contains("Socket errors") {
        println!("wrk reported errors on {path}:\n{text}");
    }
    text.lines()
        .find_map(|l| l.strip_prefix("Requests/sec:"))
        .and_then(|v| v.trim().parse::<f64>().ok())
        .with_context(|| format!("cannot read wrk's output:\n{text}"))
}

/// Rounds of the read figures, alternating between sitrep and the baseline.
const ROUNDS: usize = 5;
/// Fresh processes per worker for the startup figure.
const STARTUPS: usize = 5;

/// Builds the minimal workers-rs Worker (`tests/bench/minimal-worker`) as the edge Worker is built;
/// returns its build directory.
fn build_minimal_worker() -> Result<std::path::PathBuf> {
    let dir = shell::root().join("tests/bench/minimal-worker");
    let mut command = edge::worker_build(&dir)?;
    // worker-build takes a relative output directory; into the one target directory.
    command
        .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "z")
        .args(["--out-dir", "../../../target/sitrep/minimal-worker/build"]);
    shell::run(command)?;
    Ok(shell::root().join("target/sitrep/minimal-worker/build"))
}

/// Milliseconds from starting a worker's process to its first answer (any status), median of [`STARTUPS`].
fn startup_ms(kind: &str, arg: &str) -> Result<f64> {
    let mut runs = Vec::new();
    for _ in 0..STARTUPS {
        let started = std::time::Instant::now();
        let worker = Workerd::start(kind, arg)?;
        edge::http(worker.port, "GET", "/api/v2/status.json", &[], &[])?;
        runs.push(started.elapsed().as_secs_f64() * 1000.0);
        drop(worker);
    }
    Ok(median(runs))
}

/// The middle value (the upper one of an even count).
fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(f64::NAN)
}

/// Every figure of one worker: `etag` is the summary's, so the 304 run asks with a tag that matches.
fn measure(port: u16, etag: &str) -> Result<Figures> {
    // Warm up the isolate, JIT and caches.
    let _ = load::fixed_rate(port, PATH, 500, 2, 8)?;
    let _ = load::fixed_rate(port, PAGE_PATH, 200, 2, 8)?;
    let rps = saturation(port, PATH, None)?;
    let (status, _) = edge::http(port, "GET", PATH, &[("If-None-Match", etag)], &[])?;
    if status != 304 {
        bail!("If-None-Match {etag} answered {status}, not 304");
    }
    let not_modified_rps = saturation(port, PATH, Some(&format!("If-None-Match: {etag}")))?;
    let page_rps = saturation(port, PAGE_PATH, None)?;
    let latency = load::fixed_rate(port, PATH, RATE, RATE_SECONDS, 16)?;
    Ok(Figures { rps, not_modified_rps, page_rps, latency })
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

fn edge_bench() -> Result<String> {
    ensure_wrk()?;
    edge::build(Build::Production)?;
    let token = edge::dev_token()?;
    let demo = edge::write_pages("http://127.0.0.1:8787")?;
    let state = shell::fresh_dir("bench-state")?;

    step("sitrep: the built Worker in workerd (Miniflare API), the five seeds loaded");
    let ours = Workerd::start("sitrep", &state.to_string_lossy())?;
    edge::load_page(ours.port, &token, &fs::read(&demo)?)?;
    // What the baseline serves: the same bytes, ETags and types sitrep answered with.
    let mut docs = serde_json::Map::new();
    let mut summary = (String::new(), 0);
    for path in [PATH, PAGE_PATH] {
        let (status, [etag, content_type], body) = edge::http_full(ours.port, "GET", path, &[], &[])?;
        if status != 200 || etag.is_empty() {
            bail!("{path} answered {status} (ETag {etag:?})");
        }
        if path == PATH {
            summary = (etag.clone(), body.len());
        }
        let body = String::from_utf8(body).context("a document that is not UTF-8")?;
        docs.insert(path.to_owned(), serde_json::json!({ "body": body, "etag": etag, "type": content_type }));
    }
    let (etag, body_len) = summary;
    let docs_path = shell::root().join("target/sitrep/bench-baseline-docs.json");
    fs::write(&docs_path, serde_json::to_vec(&docs)?)?;

    step("baseline: a bare JavaScript worker returning the same bytes from memory, same workerd");
    let base = Workerd::start("baseline", &docs_path.to_string_lossy())?;
    step("floor: the minimal workers-rs Worker, answering a body of the same size from objects built once");
    let minimal = build_minimal_worker()?;
    let floor = Workerd::start("minimal", &minimal.to_string_lossy())?;
    // Rounds alternate between the workers, all running: a machine that slows down for a while
    // slows each, and each figure is the median of its rounds.
    let (mut ours_rounds, mut base_rounds, mut floor_rounds) = (Vec::new(), Vec::new(), Vec::new());
    for round in 1..=ROUNDS {
        step(&format!("round {round} of {ROUNDS}: sitrep, the bare JS worker, the workers-rs floor"));
        ours_rounds.push(measure(ours.port, &etag)?);
        base_rounds.push(measure(base.port, &etag)?);
        let _ = load::fixed_rate(floor.port, PATH, 500, 2, 8)?;
        floor_rounds.push(saturation(floor.port, PATH, None)?);
    }
    drop((ours, base, floor));
    let (sitrep, baseline) = (Figures::median(&ours_rounds), Figures::median(&base_rounds));
    let floor_rps = median(floor_rounds.clone());

    step("startup: from a fresh workerd process to the first answer, median of five each");
    let startup = (
        startup_ms("sitrep", &state.to_string_lossy())?,
        startup_ms("minimal", &minimal.to_string_lossy())?,
        startup_ms("baseline", &docs_path.to_string_lossy())?,
    );

    let wasm = edge::edge_dir().join("build/index_bg.wasm");
    let js = edge::edge_dir().join("build/index.js");
    let raw = fs::metadata(&wasm)?.len() as usize + fs::metadata(&js)?.len() as usize;
    let gz = gzip_len(&wasm)? + gzip_len(&js)?;

    let mut table = Table::new(["figure", "sitrep", "bare JS baseline", "ratio", "goal"]);
    let (s, b) = (&sitrep.latency, &baseline.latency);
    let rate_row = |name: &str, ours: f64, base: f64, goal: Goal| {
        let (goal, ok) = goal.judge(ours / base);
        [
            name.to_owned(),
            format!("{ours:.0} req/s"),
            format!("{base:.0} req/s"),
            format!("{:.2}x", ours / base),
            format!("{goal}: {}", met(ok)),
        ]
    };
    let (startup_ours, startup_minimal, startup_base) = startup;
    let rounds = |pick: fn(&Figures) -> f64, rounds: &[Figures]| {
        rounds.iter().map(|f| format!("{:.0}", pick(f))).collect::<Vec<_>>().join(" / ")
    };
    table
        .row(rate_row("saturation on summary.json, wrk -c32", sitrep.rps, baseline.rps, Goal::AtLeast(0.9)))
        .row(rate_row(
            "304s per second (If-None-Match), wrk -c32",
            sitrep.not_modified_rps,
            baseline.not_modified_rps,
            Goal::AtLeast(0.9),
        ))
        .row(rate_row("status page `/` from memory, wrk -c32", sitrep.page_rps, baseline.page_rps, Goal::AtLeast(0.8)))
        .row([
            "floor: minimal workers-rs Worker, same-size body, wrk -c32".to_owned(),
            format!("{floor_rps:.0} req/s"),
            format!("{:.0} req/s", baseline.rps),
            format!("{:.2}x", floor_rps / baseline.rps),
            format!("sitrep's summary at {:.2}x of it", sitrep.rps / floor_rps),
        ])
        .row(latency_row(&format!("p50 at {RATE} req/s"), s.p50_ms, b.p50_ms, None))
        .row(latency_row(
            &format!("p99 at {RATE} req/s, median of 1-s windows"),
            s.p99_window_ms,
            b.p99_window_ms,
            Some(Goal::AtMost(1.2)),
        ))
        .row(latency_row(&format!("p99 at {RATE} req/s, whole run"), s.p99_ms, b.p99_ms, Some(Goal::AtMost(1.2))))
        .row(latency_row(&format!("max at {RATE} req/s"), s.max_ms, b.max_ms, None))
        .row([
            "requests / errors at the fixed rate, all rounds".to_owned(),
            format!("{}/{}", s.requests, s.errors),
            format!("{}/{}", b.requests, b.errors),
            String::new(),
            String::new(),
        ]);
    let mut startup_table =
        Table::new(["startup: process start to first answer", "ms", "ratio to minimal workers-rs", "goal"]);
    let (goal, ok) = Goal::AtMost(1.5).judge(startup_ours / startup_minimal);
    startup_table
        .row([
            "sitrep's Worker".to_owned(),
            format!("{startup_ours:.0}"),
            format!("{:.2}x", startup_ours / startup_minimal),
            format!("{goal}: {}", met(ok)),
        ])
        .row([
            "minimal workers-rs Worker".to_owned(),
            format!("{startup_minimal:.0}"),
            "1.00x".to_owned(),
            String::new(),
        ])
        .row([
            "bare JS worker".to_owned(),
            format!("{startup_base:.0}"),
            format!("{:.2}x", startup_base / startup_minimal),
            String::new(),
        ]);
    let md = format!(
        "GET `{PATH}` ({} bytes, the five seeds) from the production Worker and from a bare JavaScript worker \
         returning the same bytes, both in workerd through Miniflare's API (no dev proxy), running side by side; \
         {ROUNDS} rounds alternate between them and each figure is the median of its rounds.\n\n\
         {table}\nRounds (sitrep | baseline): saturation {} | {} req/s; 304s {} | {} req/s; page {} | {} req/s; \
         p99 {} | {} ms; floor {} req/s.\n\n\
         {startup_table}\nStartup includes Miniflare starting workerd, the same for all three (median of \
         {STARTUPS}).\n\nBundle (index_bg.wasm + index.js): {raw} B raw, {gz} B gzip -9.\n",
        body_len,
        rounds(|f| f.rps, &ours_rounds),
        rounds(|f| f.rps, &base_rounds),
        rounds(|f| f.not_modified_rps, &ours_rounds),
        rounds(|f| f.not_modified_rps, &base_rounds),
        rounds(|f| f.page_rps, &ours_rounds),
        rounds(|f| f.page_rps, &base_rounds),
        rounds(|f| f.latency.p99_ms, &ours_rounds),
        rounds(|f| f.latency.p99_ms, &base_rounds),
        floor_rounds.iter().map(|r| format!("{r:.0}")).collect::<Vec<_>>().join(" / "),
    );
    println!("\n{md}");
    Ok(md)
}

/// A latency row: sitrep's figure, the baseline's, the ratio and, when there is one, the goal's verdict.
fn latency_row(name: &str, ours: f64, base: f64, goal: Option<Goal>) -> [String; 5] {
    let ratio = ours / base;
    let verdict = goal.map_or_else(String::new, |goal| {
        let (text, ok) = goal.judge(ratio);
        format!("{text}: {}", met(ok))
    });
    [name.to_owned(), format!("{ours:.2} ms"), format!("{base:.2} ms"), format!("{ratio:.2}x"), verdict]
}

const WRITES: usize = 300;
const CONCURRENT_CLIENTS: usize = 8;

/// A page with a few components and `history` resolved incidents (two short updates each).
fn history_page(history: usize) -> Result<Vec<u8>> {
    use sitrep_shared::{
        Component, ComponentId, Impact, Incident, IncidentId, IncidentStatus, IncidentUpdate, Page, PageData, PageId,
        Timestamp, UpdateId,
    };
    let at = |minutes: i64| Timestamp::from_unix_millis(1_600_000_000_000 + minutes * 60_000).context("time");
    let page_id = PageId::from("bench");
    let components: Vec<Component> = (0..5)
        .map(|n| -> Result<Component> {
            Ok(Component {
                id: ComponentId(format!("c{n}")),
                page_id: page_id.clone(),
                name: format!("Component {n}"),
                description: None,
                status: sitrep_shared::ComponentStatus::Operational,
                position: n,
                group_id: None,
                group: false,
                only_show_if_degraded: false,
                showcase: true,
                start_date: None,
                created_at: at(0)?,
                updated_at: at(0)?,
                components: vec![],
            })
        })
        .collect::<Result<_>>()?;
    let mut incidents = Vec::with_capacity(history);
    for n in 0..history {
        let id = IncidentId(format!("h{n}"));
        let start = n as i64 * 30;
        let update = |k: usize, status: IncidentStatus, minute: i64| -> Result<IncidentUpdate> {
            Ok(IncidentUpdate {
                id: UpdateId(format!("h{n}-u{k}")),
                incident_id: id.clone(),
                status,
                body: "Elevated error rates".into(),
                created_at: at(minute)?,
                updated_at: at(minute)?,
                display_at: None,
                affected_components: vec![],
                language: None,
                reopened: false,
                edited_at: None,
            })
        };
        incidents.push(Incident {
            id: id.clone(),
            page_id: page_id.clone(),
            name: format!("Incident {n}"),
            status: IncidentStatus::Resolved,
            impact: Impact::Minor,
            started_at: Some(at(start)?),
            created_at: at(start)?,
            updated_at: at(start + 10)?,
            monitoring_at: None,
            resolved_at: Some(at(start + 10)?),
            shortlink: None,
            incident_updates: vec![
                update(2, IncidentStatus::Resolved, start + 10)?,
                update(1, IncidentStatus::Investigating, start)?,
            ],
            components: vec![],
            scheduled_for: None,
            scheduled_until: None,
            postmortem: None,
            cancelled_at: None,
            auto_transition: false,
        });
    }
    let updated = at(history as i64 * 30 + 10)?;
    let page = Page {
        id: page_id,
        name: "Bench".into(),
        url: String::new(),
        time_zone: "Etc/UTC".into(),
        updated_at: updated,
    };
    Ok(serde_json::to_vec(&PageData { page, components, incidents, scheduled_maintenances: vec![] })?)
}

struct WriteFigures {
    p50_ms: f64,
    p99_ms: f64,
    writes_per_s: f64,
    errors: usize,
}

/// Incidents the write bench spreads its updates over (each stays under `limits::UPDATES_PER_EVENT`).
const BENCH_INCIDENTS: usize = 8;

/// What other clients do while the write bench's sequential writes run.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Flood {
    /// Nothing.
    None,
    /// [`FLOOD_CLIENTS`] clients request unknown incident ids as fast as they can.
    UnknownIds,
    /// The same clients request a known incident (the same load on the Worker, none on the store).
    KnownId,
}

/// Write latency (sequential) and throughput (concurrent clients), with `flood` running during
/// the sequential writes.
fn write_figures(port: u16, token: &str, flood: Flood) -> Result<WriteFigures> {
    let auth = format!("Bearer {token}");
    let headers = [("Authorization", auth.as_str()), ("Content-Type", "application/json")];
    let mut paths = Vec::new();
    for _ in 0..BENCH_INCIDENTS {
        let (status, body) = edge::http(
            port,
            "POST",
            "/api/v2/admin/incidents",
            &headers,
            br#"{"name":"Bench incident","body":"Opened"}"#,
        )?;
        if status != 201 {
            bail!("opening a bench incident answered {status}: {}", String::from_utf8_lossy(&body));
        }
        let answer: serde_json::Value = serde_json::from_slice(&body)?;
        paths.push(format!("/api/v2/admin/incidents/{}/updates", answer["id"].as_str().context("no id")?));
    }
    let turn = std::sync::atomic::AtomicUsize::new(0);
    let post = |n: usize| -> Result<std::time::Duration> {
        let path = &paths[turn.fetch_add(1, std::sync::atomic::Ordering::Relaxed) % paths.len()];
        let body = format!(r#"{{"status":"monitoring","body":"Update {n}"}}"#);
        let started = std::time::Instant::now();
        let (status, answer) = edge::http(port, "POST", path, &headers, body.as_bytes())?;
        if status != 200 {
            bail!("update answered {status}: {}", String::from_utf8_lossy(&answer));
        }
        Ok(started.elapsed())
    };
    for n in 0..20 {
        post(n)?;
    }
    let stop = std::sync::atomic::AtomicBool::new(false);
    let flooded = std::sync::atomic::AtomicUsize::new(0);
    let mut latencies: Vec<f64> = Vec::with_capacity(WRITES);
    let mut errors = 0;
    let known = paths[0].trim_start_matches("/api/v2/admin/incidents/").trim_end_matches("/updates").to_owned();
    std::thread::scope(|scope| {
        if flood != Flood::None {
            for c in 0..FLOOD_CLIENTS {
                let (stop, flooded, known) = (&stop, &flooded, &known);
                scope.spawn(move || {
                    let mut n = 0u64;
                    while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                        n += 1;
                        let (path, status) = match flood {
                            Flood::KnownId => (format!("/api/v2/incidents/{known}.json"), 200),
                            _ => (format!("/api/v2/incidents/r{c}x{n}.json"), 404),
                        };
                        if matches!(edge::http(port, "GET", &path, &[], &[]), Ok((got, _)) if got == status) {
                            flooded.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        }
                    }
                });
            }
        }
        for n in 0..WRITES {
            match post(n) {
                Ok(d) => latencies.push(d.as_secs_f64() * 1000.0),
                Err(_) => errors += 1,
            }
        }
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
    });
    if flood != Flood::None {
        println!("{} flood requests answered as expected during the writes", flooded.into_inner());
    }
    latencies.sort_by(f64::total_cmp);
    let at = |q: f64| load::quantile(&latencies, q).unwrap_or(f64::NAN);
    let started = std::time::Instant::now();
    errors += std::thread::scope(|scope| {
        let threads: Vec<_> = (0..CONCURRENT_CLIENTS)
            .map(|c| {
                let post = &post;
                scope.spawn(move || (0..WRITES / CONCURRENT_CLIENTS).filter(|n| post(c * 1000 + n).is_err()).count())
            })
            .collect();
        threads.into_iter().map(|t| t.join().unwrap_or(WRITES)).sum::<usize>()
    });
    let writes_per_s = WRITES as f64 / started.elapsed().as_secs_f64();
    Ok(WriteFigures { p50_ms: at(0.5), p99_ms: at(0.99), writes_per_s, errors })
}

/// Clients requesting unknown incident ids during the flood run of the write bench.
const FLOOD_CLIENTS: usize = 4;
/// Writes whose publication lag is measured, one at a time, at an operator's pace.
const LAG_WRITES: usize = 30;

/// Publication lag: from a write's answer until the store reports every document of that version
/// (or newer) written to KV, p50 and p99 in ms. Runs the test build (its `/__sitrep/stats` reports
/// publication) through wrangler dev, so the figure includes the dev proxy on the poll.
fn publication_lag(token: &str) -> Result<(f64, f64)> {
    edge::build(Build::Test)?;
    step(&format!("publication lag: {LAG_WRITES} writes, each until every KV document has its version (test build)"));
    let state = shell::fresh_dir("bench-publication")?;
    let port = free_port()?;
    let log = shell::root().join("target/sitrep/bench-publication.log");
    let _edge =
        edge::Edge::start_background(Build::Test, port, &state.to_string_lossy(), Some(&log.to_string_lossy()))?;
    edge::load_page(port, token, &history_page(0)?)?;
    let auth = format!("Bearer {token}");
    let headers = [("Authorization", auth.as_str()), ("Content-Type", "application/json")];
    let (status, body) =
        edge::http(port, "POST", "/api/v2/admin/incidents", &headers, br#"{"name":"Lag","body":"Opened"}"#)?;
    if status != 201 {
        bail!("opening the incident answered {status}: {}", String::from_utf8_lossy(&body));
    }
    let id = serde_json::from_slice::<serde_json::Value>(&body)?["id"].as_str().context("no id")?.to_owned();
    let published = || -> Result<u64> {
        let (_, body) = edge::http(port, "GET", "/__sitrep/stats", &[], &[])?;
        let stats: serde_json::Value = serde_json::from_slice(&body)?;
        stats["store"]["published"].as_u64().context("no published version in /__sitrep/stats")
    };
    let mut lags = Vec::with_capacity(LAG_WRITES);
    for n in 0..LAG_WRITES {
        // An operator's pace: past the second between two publication runs.
        std::thread::sleep(std::time::Duration::from_millis(1_100));
        let update = format!(r#"{{"status":"identified","body":"Update {n}"}}"#);
        let path = format!("/api/v2/admin/incidents/{id}/updates");
        let (status, body) = edge::http(port, "POST", &path, &headers, update.as_bytes())?;
        let answered = std::time::Instant::now();
        if status != 200 {
            bail!("update answered {status}: {}", String::from_utf8_lossy(&body));
        }
        let version = serde_json::from_slice::<serde_json::Value>(&body)?["version"].as_u64().context("no version")?;
        while published()? < version {
            if answered.elapsed() > std::time::Duration::from_secs(30) {
                bail!("version {version} was not published within 30 s");
            }
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        lags.push(answered.elapsed().as_secs_f64() * 1000.0);
    }
    lags.sort_by(f64::total_cmp);
    let at = |q: f64| load::quantile(&lags, q).unwrap_or(f64::NAN);
    Ok((at(0.5), at(0.99)))
}

fn write_bench() -> Result<String> {
    edge::build(Build::Production)?;
    let token = edge::dev_token()?;
    let mut results = Vec::new();
    for history in [0usize, 10_000] {
        step(&format!(
            "write path on a page with {history} historic incidents (production Worker, workerd via Miniflare)"
        ));
        let state = shell::fresh_dir(&format!("bench-write-{history}"))?;
        let worker = Workerd::start("sitrep", &state.to_string_lossy())?;
        let page = history_page(history)?;
        println!("importing {} bytes", page.len());
        edge::load_page(worker.port, &token, &page)?;
        results.push((history, write_figures(worker.port, &token, Flood::None)?));
    }
    let mut floods = Vec::new();
    for flood in [Flood::UnknownIds, Flood::KnownId] {
        step(&format!(
            "write path while clients request {} (production Worker, workerd via Miniflare)",
            if flood == Flood::KnownId { "a known incident" } else { "unknown incident ids" }
        ));
        let state = shell::fresh_dir("bench-write-flood")?;
        let worker = Workerd::start("sitrep", &state.to_string_lossy())?;
        edge::load_page(worker.port, &token, &history_page(0)?)?;
        floods.push(write_figures(worker.port, &token, flood)?);
    }
    let (flooded, known) = (&floods[0], &floods[1]);
    let (lag_p50, lag_p99) = publication_lag(&token)?;
    let (empty, big) = (&results[0].1, &results[1].1);
    let errors = |a: usize, b: usize| ["errors".to_owned(), a.to_string(), b.to_string(), String::new(), String::new()];
    let mut history = Table::new(["figure", "empty page", "10,000 historic incidents", "ratio", "goal"]);
    history
        .ratio("latency p50", "ms", empty.p50_ms, big.p50_ms, Goal::AtMost(1.2))
        .ratio("latency p99", "ms", empty.p99_ms, big.p99_ms, Goal::AtMost(1.2))
        .ratio("writes/s", "", empty.writes_per_s, big.writes_per_s, Goal::AtLeast(0.83))
        .row(errors(empty.errors, big.errors));
    let mut flood = Table::new(["figure", "no flood", "flood", "ratio", "goal"]);
    flood
        .ratio("latency p50", "ms", empty.p50_ms, flooded.p50_ms, Goal::AtMost(1.2))
        .ratio("latency p99", "ms", empty.p99_ms, flooded.p99_ms, Goal::AtMost(1.2))
        .row(errors(empty.errors, flooded.errors));
    let mut against_known = Table::new(["figure", "known-id flood", "unknown-id flood", "ratio", "goal"]);
    against_known.ratio("latency p50", "ms", known.p50_ms, flooded.p50_ms, Goal::AtMost(1.2)).ratio(
        "latency p99",
        "ms",
        known.p99_ms,
        flooded.p99_ms,
        Goal::AtMost(1.2),
    );
    let mut md = format!(
        "{WRITES} sequential updates spread over {BENCH_INCIDENTS} incidents (p50/p99), then {WRITES} from \
         {CONCURRENT_CLIENTS} concurrent clients (writes/s), production Worker in workerd; the baseline is the same on \
         an empty page.\n\n{history}\nThe same {WRITES} sequential updates on the empty page while {FLOOD_CLIENTS} \
         clients request unknown incident ids as fast as they can (issue 11: unknown ids must not reach the store):\n\n\
         {flood}\nLocally one workerd process on these two cores runs the Worker and the Durable Object, so any flood \
         slows writes by taking the CPU. The same writes while the same clients request a known incident (served \
         from isolate memory: the Worker's work without the store's) tell the two apart; unknown ids costing no \
         more than known ones means they do not reach the store:\n\n{against_known}"
    );
    md.push_str(&format!(
        "\nPublication lag, from a write's answer until every KV document is at its version ({LAG_WRITES} writes \
         1.1 s apart, test build under wrangler dev; no goal was set, the documented bound is a second plus the run \
         itself): p50 {lag_p50:.0} ms, p99 {lag_p99:.0} ms.\n"
    ));
    println!("\n{md}");
    Ok(md)
}

/// Bytes of the widget per crate, from the names-kept module before wasm-opt (twiggy's shallow sizes).
fn crate_breakdown(wasm: &std::path::Path) -> Result<String> {
    if shell::output(shell::command("twiggy", &["--version"])).is_none() {
        let mut install = shell::cargo();
        install.args(["install", "twiggy", "--version", "0.8.0"]);
        if shell::run(install).is_err() {
            println!("twiggy is not available: no per-crate breakdown");
            return Ok("(twiggy was not available: no per-crate breakdown)\n".into());
        }
    }
    let dir = shell::root().join("target/sitrep/widget-names");
    let _ = fs::remove_dir_all(&dir);
    crate::wasm::bindgen(wasm, &dir, &["--keep-debug"])?;
    let csv = shell::output(shell::command(
        "twiggy",
        &["top", "-n", "1000000", "--format", "csv", &dir.join("sitrep_widget_bg.wasm").to_string_lossy()],
    ))
    .context("twiggy failed")?;
    let mut by_crate: std::collections::BTreeMap<String, u64> = Default::default();
    let mut total = 0;
    for line in csv.lines().skip(1) {
        // Name,ShallowSize,ShallowSizePercent,RetainedSize,RetainedSizePercent: names may hold commas, numbers never.
        let mut fields = line.rsplitn(5, ',').skip(3);
        let (Some(size), Some(name)) = (fields.next(), fields.next()) else { continue };
        let Ok(size) = size.parse::<u64>() else { continue };
        if name.contains("function names") || name.contains("custom section") {
            continue;
        }
        total += size;
        *by_crate.entry(crate_of(name)).or_default() += size;
    }
    let mut rows: Vec<_> = by_crate.into_iter().collect();
    rows.sort_by_key(|(_, size)| std::cmp::Reverse(*size));
    let mut md = format!(
        "Widget code and data by crate, before wasm-opt ({total} B; generic code counts for the crate of its outermost \
         type, so `core` and `alloc` hold much of the widget's own iterator and collection code):\n\n| crate | bytes | share |\n|---|---|---|\n"
    );
    for (name, size) in rows.iter().take(16) {
        md.push_str(&format!("| {name} | {size} | {:.1}% |\n", *size as f64 * 100.0 / total as f64));
    }
    println!("\n{md}");
    Ok(md)
}

/// The crate a symbol belongs to: the first path segment, or the implementing type's for `<T as Trait>`.
fn crate_of(name: &str) -> String {
    let name = name.trim_matches('"');
    if name.starts_with("data segment") {
        return "(static data)".into();
    }
    let name = name.trim_start_matches('<').trim_start_matches("&mut ").trim_start_matches('&');
    let segment = name.split("::").next().unwrap_or(name);
    let segment = segment.split('[').next().unwrap_or(segment);
    if segment.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') && !segment.is_empty() {
        segment.to_owned()
    } else {
        "(other)".into()
    }
}

fn widget_bench() -> Result<String> {
    step("widget: bytes a page downloads and time to the first badge, against Atlassian's status widget");
    let stable = crate::widget::build(false)?;
    let stable_dir = shell::root().join("target/sitrep/widget-stable");
    let _ = fs::remove_dir_all(&stable_dir);
    fs::rename(&stable.dir, &stable_dir)?;
    edge::build(Build::Production)?;
    let floor = crate::widget::build_floor()?;
    edge::dev_token()?;
    edge::write_pages("http://127.0.0.1:8787")?;
    let dir = shell::root().join("target/sitrep/widget");
    let out = shell::output(shell::command(
        "node",
        &[
            "tests/bench/widget.mjs",
            &dir.to_string_lossy(),
            "15",
            &stable_dir.to_string_lossy(),
            &floor.to_string_lossy(),
        ],
    ))
    .context("tests/bench/widget.mjs failed")?;
    let figures: serde_json::Value = serde_json::from_str(out.trim()).context("bench output is not JSON")?;
    let n = |v: &serde_json::Value| v.as_f64().unwrap_or(f64::NAN);
    let ours = &figures["ours"]["total"];
    let theirs = &figures["theirs"]["total"];
    let brotli = n(&ours["brotli"]) / n(&theirs["brotli"]);
    let mut md = String::from(
        "What a badge-only page downloads for the widget (`widget.js`, the loader with the CSS, and the badge \
         module: its wasm-bindgen glue and its wasm) next to Atlassian's `@statuspage/status-widget` (`dist/index.js`, its badge), compressed \
         the same way in the same run.\n\n| transfer | sitrep widget | Atlassian status-widget | ratio |\n|---|---|---|---|\n",
    );
    for kind in ["raw", "gzip", "brotli"] {
        md.push_str(&format!(
            "| {kind} | {} B | {} B | {:.2}x |\n",
            ours[kind],
            theirs[kind],
            n(&ours[kind]) / n(&theirs[kind])
        ));
    }
    md.push_str(&format!(
        "\nGoal: brotli <= 1.0x ({}); must not exceed 1.5x ({}).\n",
        met(brotli <= 1.0),
        met(brotli <= 1.5)
    ));
    if let Some(floor) = figures["ours"]["floor"].as_object() {
        let floor_brotli = floor.get("brotli").map_or(f64::NAN, n);
        md.push_str(&format!(
            "\nFloor: a bare Yew + gloo-net badge (`widget/examples/floor.rs`, fetch and show the status text), same \
             pipeline: {floor_brotli} B brotli, {:.2}x Atlassian's. The widget's features add {} B on top.\n",
            floor_brotli / n(&theirs["brotli"]),
            n(&ours["brotli"]) - floor_brotli
        ));
    }
    if let Some(stable) = figures["ours"]["stable"].as_object() {
        let stable_brotli = stable.get("brotli").map_or(f64::NAN, n);
        md.push_str(&format!(
            "\nSize-tuned build (nightly `-Zbuild-std` with `optimize_for_size`, `panic=immediate-abort`) against the \
             stable build: {} B vs {stable_brotli} B brotli, {:.2}x: it ships.\n",
            ours["brotli"],
            n(&ours["brotli"]) / stable_brotli
        ));
    }
    let paint = &figures["paint_ms"];
    let ratio = n(&paint["sitrep"]) / n(&paint["atlassian"]);
    md.push_str(&format!(
        "\nTime from script start to the first painted badge, headless Chromium, same page and data (both widgets' files \
         from the page's server, both reading the edge in workerd), median of {} cold loads each (fresh context, \
         alternating): sitrep {:.1} ms, Atlassian {:.1} ms: {ratio:.2}x (goal <= 0.5x: {}).\n\n",
        paint["runs"],
        n(&paint["sitrep"]),
        n(&paint["atlassian"]),
        met(ratio <= 0.5)
    ));
    println!("\n{md}");
    md.push_str(&crate_breakdown(&nightly_widget())?);
    Ok(md)
}

/// Issue 12's figures: the facade (the edge's first frame before the wasm) against Atlassian's
/// widget, both served by the same workerd, the host page on another origin; the demo app's layout
/// shift; the status page's bytes and paint; render time at the edge (`tests/bench/facade.mjs`).
fn facade_bench() -> Result<String> {
    step("widget facade and status page (tests/bench/facade.mjs), against Atlassian's status widget");
    edge::build(Build::Test)?;
    let out = shell::output(shell::command("node", &["tests/bench/facade.mjs", "9"]))
        .context("tests/bench/facade.mjs failed")?;
    let f: serde_json::Value = serde_json::from_str(out.trim()).context("facade bench output is not JSON")?;
    let n = |v: &serde_json::Value| v.as_f64().unwrap_or(f64::NAN);
    let mut md = String::from(
        "`cargo xtask bench facade`: both widgets' code from the same workerd (sitrep's loader and \
         wasm, and a copy of Atlassian's `dist/index.js` beside them), the host page on another origin, the live fixture, \
         median of 9 cold loads each (fresh context, alternating). Bytes are each distinct response compressed with brotli \
         q11 (what a CDN sends), counted once.\n\n| figure | sitrep | Atlassian | ratio | must | goal |\n|---|---|---|---|---|---|\n",
    );
    let mut row = |what: &str, key: &str, which: &str, unit: &str, must: f64, goal: f64| {
        let (ours, theirs) = (n(&f[key][which]), n(&f[key]["atlassian"]));
        let ratio = ours / theirs;
        md.push_str(&format!(
            "| {what} | {ours:.0} {unit} | {theirs:.0} {unit} | {ratio:.2}x | <= {must}x: {} | <= {goal}x: {} |\n",
            met(ratio <= must),
            met(ratio <= goal)
        ));
    };
    // Issue 27's lines: the badge with README's snippet (script and the frame's preload) and with
    // the script alone; a badge page loads no wasm.
    row(
        "navigation to the first painted status (badge, README's snippet with the frame's preload)",
        "paint_ms",
        "sitrep-preload",
        "ms",
        0.5,
        0.3,
    );
    row("the same, the script alone", "paint_ms", "sitrep", "ms", 0.5, 0.3);
    row("bytes finished before that paint (script alone)", "before_paint_brotli", "sitrep", "B", 0.25, 0.05);
    row("everything a badge-only page downloads", "badge_page_brotli", "sitrep", "B", 0.3, 0.15);
    row(
        "everything a full-view page downloads before a postmortem is opened",
        "full_page_brotli",
        "sitrep",
        "B",
        2.3,
        2.0,
    );
    md.push_str(&format!(
        "\nFrame requests on a badge page with the preload: {} (1: the loader's request was answered by the preload).\n\
         Everything the full-view page downloaded: {}.\n",
        f["frame_requests_with_preload"],
        f["full_page_urls"]["sitrep"]
            .as_array()
            .map(|a| a.iter().filter_map(|u| u.as_str()).collect::<Vec<_>>().join(", "))
            .unwrap_or_default(),
    ));
    let cls = &f["cls"];
    md.push_str(&format!(
        "\nFinished before sitrep's paint: {}. Cumulative Layout Shift of the demo app at `/demo/` (badge in the header, \
         banner above the content with room reserved for it, full view in a side panel), from navigation until every \
         widget's wasm has taken over: phone (412x823) {:.3}, desktop (1350x940) {:.3} (must <= 0.1: {}). On a bare host \
         page whose content follows the widget with no room reserved: badge {:.3} (Atlassian {:.3}), full view {:.3} \
         (Atlassian's `basic` {:.3}): a full view inserted above content moves it, whoever renders it.\n",
        f["before_paint_urls"].as_array().map(|a| a.iter().filter_map(|u| u.as_str()).collect::<Vec<_>>().join(", ")).unwrap_or_default(),
        n(&cls["demo_mobile"]),
        n(&cls["demo_desktop"]),
        met(n(&cls["demo_mobile"]) <= 0.1 && n(&cls["demo_desktop"]) <= 0.1),
        n(&cls["sitrep"]),
        n(&cls["atlassian"]),
        n(&cls["sitrep_full"]),
        n(&cls["atlassian_full"]),
    ));
    let page = &f["status_page"];
    md.push_str(&format!(
        "\nThe status page `/` (demo data, 22 components in 5 groups with 90-day bars): {} B of HTML, {} B brotli. Time to first \
         byte and first contentful paint, median of 9 cold loads: without JavaScript (the page's script refused) {:.0} ms / \
         {:.0} ms, with it {:.0} ms / {:.0} ms.\n",
        page["html_raw"], page["html_brotli"],
        n(&page["without_js"]["ttfb_ms"]), n(&page["without_js"]["fcp_ms"]),
        n(&page["with_js"]["ttfb_ms"]), n(&page["with_js"]["fcp_ms"]),
    ));
    md.push_str("\nServer rendering at the edge, seen from outside (workerd does not advance its clock during CPU work): a request \
        that renders (a language region not yet rendered) against the same request served from the isolate's memory, median \
        of 15 each:\n\n| page | bytes | rendered | from memory | render cost |\n|---|---|---|---|---|\n");
    for (name, key) in [
        ("status page", "render_ms_status"),
        ("incident page", "render_ms_incident"),
        ("full view frame", "render_ms_frame_full"),
    ] {
        let r = &f[key];
        md.push_str(&format!(
            "| {name} | {} | {:.1} ms | {:.1} ms | {:.1} ms |\n",
            r["bytes"],
            n(&r["fresh"]),
            n(&r["memory"]),
            n(&r["fresh"]) - n(&r["memory"])
        ));
    }
    md.push_str(&lighthouse());
    println!("{md}");
    Ok(md)
}

/// Valid IANA zones the flood spells in several ways (the edge must key each by its canonical name).
const FLOOD_ZONES: [&str; 8] = [
    "Europe/Amsterdam",
    "America/New_York",
    "Asia/Tokyo",
    "Australia/Sydney",
    "America/Sao_Paulo",
    "Africa/Lagos",
    "Asia/Kolkata",
    "Pacific/Auckland",
];

/// Issue 24, finding 5: 10,000 requests for the status page and the widget's frame with made-up
/// `locale` and `time-zone` spellings (regions nobody formats for, odd case, zones that do not
/// exist, valid zones in other case), with a reader's plain request for `/` after every tenth. The
/// test build counts the renderings its isolate performs (`/__sitrep/renders`); locally there is
/// one isolate, so every request meets the same memory.
fn flood_bench() -> Result<String> {
    const REQUESTS: usize = 10_000;
    edge::build(Build::Test)?;
    step(&format!("render flood: {REQUESTS} made-up locale and zone spellings (test build)"));
    let token = edge::dev_token()?;
    let state = shell::fresh_dir("bench-flood")?;
    let port = free_port()?;
    let log = shell::root().join("target/sitrep/bench-flood.log");
    let _edge =
        edge::Edge::start_background(Build::Test, port, &state.to_string_lossy(), Some(&log.to_string_lossy()))?;
    let demo = edge::write_pages("http://127.0.0.1:8787")?;
    edge::load_page(port, &token, &fs::read(demo)?)?;
    let renders = || -> Result<u64> {
        let (_, body) = edge::http(port, "GET", "/__sitrep/renders", &[], &[])?;
        serde_json::from_slice::<serde_json::Value>(&body)?["renders"].as_u64().context("no renders count")
    };
    let get = |path: &str| -> Result<()> {
        let (status, _) = edge::http(port, "GET", path, &[], &[])?;
        if status != 200 {
            bail!("{path} answered {status}");
        }
        Ok(())
    };
    // Warm: the page and the frame once each, as a reader would have.
    get("/")?;
    get("/embed/frame?view=badge")?;
    let languages = ["en", "nl", "de", "fr", "es", "ja"];
    let start = renders()?;
    let started = std::time::Instant::now();
    let (mut legit, mut legit_rendered) = (0u64, 0u64);
    for n in 0..REQUESTS {
        let language = languages[(n / 2) % languages.len()];
        let region = 100 + n % 900; // UN M.49-like numbers: no language is formatted for them
        let locale =
            if n % 4 < 2 { format!("{language}-{region}") } else { format!("{}_x{n}", language.to_uppercase()) };
        if n % 2 == 0 {
            get(&format!("/?locale={locale}"))?;
        } else {
            let zone = FLOOD_ZONES[(n / 12) % FLOOD_ZONES.len()];
            let zone = match (n / 2) % 5 {
                0 => format!("Mars/Base{n}"),
                1 => zone.to_lowercase(),
                2 => zone.to_uppercase(),
                3 => zone.to_owned(),
                _ => format!("Etc/Nowhere{n}"),
            };
            get(&format!("/embed/frame?view=badge&locale={locale}&time-zone={zone}"))?;
        }
        if n % 10 == 9 {
            let before = renders()?;
            get("/")?;
            legit += 1;
            legit_rendered += renders()? - before;
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    let performed = renders()? - start;
    // What may be rendered per frame lifetime (30 s; a page lives 5 minutes): one page per
    // language, one frame per language and zone (each valid zone by its canonical name, any other
    // as the page's own).
    let per_window = (languages.len() * (FLOOD_ZONES.len() + 1) + languages.len()) as u64;
    let windows = (seconds / 30.0).ceil().max(1.0) as u64;
    let bound = per_window * windows;
    let hit_rate = 1.0 - legit_rendered as f64 / legit as f64;
    let md = format!(
        "`cargo xtask bench flood`: {REQUESTS} requests to `/?locale=` and `/embed/frame?locale=&time-zone=` with made-up \
         spellings (regions no language is formatted for, odd case and underscores, zones that do not exist, and {} valid \
         zones in lower, upper and their own case), and a reader's plain `/` after every tenth; renderings counted by the \
         test build in its one isolate. The flood took {seconds:.0} s; a frame's rendering lives 30 s (relative times), a \
         page's 5 minutes, so the bound is what one window may render ({per_window}: 6 languages x ({} valid zones + the \
         page's own) frames and 6 pages) times {windows} windows.\n\n\
         | figure | measured | bound | met |\n|---|---|---|---|\n\
         | renderings performed during the flood | {performed} | <= {bound} | {} |\n\
         | readers' `/` served from memory | {:.3} ({legit} requests) | >= 0.95 | {} |\n",
        FLOOD_ZONES.len(),
        FLOOD_ZONES.len(),
        met(performed <= bound),
        hit_rate,
        met(hit_rate >= 0.95),
    );
    println!("{md}");
    Ok(md)
}

/// Runs `tests/bench/{name}.mjs` against the test build of the Worker, its progress lines and, on
/// failure, its error on stderr; its one line of JSON on stdout.
/// Pages besides the default one in the many-page deployment of [`pages_bench`].
const BENCH_PAGES: usize = 100;
/// Sequential writes per deployment and round for the write latency of [`pages_bench`].
const PAGE_WRITES: usize = 40;

/// Issue 28: a deployment of one page against one of 101, both running, in alternating rounds:
/// saturation on one page's summary (the many-page one read through its page's host), on a host
/// no page lists, and the p50 of sequential writes to the page.
fn pages_bench() -> Result<String> {
    ensure_wrk()?;
    edge::build(Build::Production)?;
    let token = edge::dev_token()?;
    let demo = fs::read(edge::write_pages("http://127.0.0.1:8787")?)?;
    let auth = format!("Bearer {token}");
    let json = [("Authorization", auth.as_str()), ("Content-Type", "application/json")];

    step("one page: the built Worker in workerd (Miniflare API), the demo page loaded");
    let one_state = shell::fresh_dir("bench-pages-one")?;
    let one = Workerd::start("sitrep", &one_state.to_string_lossy())?;
    edge::load_page(one.port, &token, &demo)?;

    step(&format!("{BENCH_PAGES} pages: the same Worker, the demo page loaded into the default page and page p50"));
    let many_state = shell::fresh_dir("bench-pages-many")?;
    let many = Workerd::start("sitrep", &many_state.to_string_lossy())?;
    edge::load_page(many.port, &token, &demo)?;
    for n in 0..BENCH_PAGES {
        let body = serde_json::json!({ "id": format!("p{n}"), "name": format!("Page {n}"), "hosts": [format!("p{n}.localhost")] });
        let (status, answer) =
            edge::http(many.port, "POST", "/api/v2/admin/pages", &json, body.to_string().as_bytes())?;
        if status != 201 {
            bail!("adding page p{n} answered {status}: {}", String::from_utf8_lossy(&answer));
        }
    }
    let named = [json[0], json[1], ("Sitrep-Page", "p50")];
    let (status, answer) = edge::http(many.port, "PUT", "/api/v2/admin/page", &named, &demo)?;
    if status != 200 {
        bail!("loading page p50 answered {status}: {}", String::from_utf8_lossy(&answer));
    }
    let host = format!("Host: p50.localhost:{}", many.port);
    let unknown = format!("Host: nobody.localhost:{}", many.port);
    // Both answer the same document for the page (its bytes), so the reads compare like with like.
    let read = |port: u16, header: Option<&str>| -> Result<usize> {
        let headers: Vec<(&str, &str)> = header.and_then(|h| h.split_once(": ")).into_iter().collect();
        let (status, body) = edge::http(port, "GET", PATH, &headers, &[])?;
        if status != 200 {
            bail!("{PATH} ({header:?}) answered {status}");
        }
        Ok(body.len())
    };
    let (a, b) = (read(one.port, None)?, read(many.port, Some(&host))?);
    println!("summary: {a} B on the one-page deployment, {b} B on page p50 of {BENCH_PAGES}");

    let open = |port: u16, headers: &[(&str, &str)]| -> Result<String> {
        let (status, body) =
            edge::http(port, "POST", "/api/v2/admin/incidents", headers, br#"{"name":"Bench","body":"Opened"}"#)?;
        if status != 201 {
            bail!("opening an incident answered {status}: {}", String::from_utf8_lossy(&body));
        }
        let answer: serde_json::Value = serde_json::from_slice(&body)?;
        Ok(format!("/api/v2/admin/incidents/{}/updates", answer["id"].as_str().context("no id")?))
    };
    let write_p50 = |port: u16, headers: &[(&str, &str)], path: &str| -> Result<f64> {
        let mut times = Vec::with_capacity(PAGE_WRITES);
        for n in 0..PAGE_WRITES {
            let body = format!(r#"{{"status":"monitoring","body":"Update {n}"}}"#);
            let started = std::time::Instant::now();
            let (status, _) = edge::http(port, "POST", path, headers, body.as_bytes())?;
            if status != 200 {
                bail!("an update answered {status}");
            }
            times.push(started.elapsed().as_secs_f64() * 1000.0);
        }
        Ok(median(times))
    };
    let (mut one_rps, mut many_rps, mut unknown_rps, mut one_write, mut many_write) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for round in 1..=ROUNDS {
        step(&format!("round {round} of {ROUNDS}: one page, page p50 of {BENCH_PAGES}, a host no page lists"));
        let _ = load::fixed_rate(one.port, PATH, 500, 2, 8)?;
        one_rps.push(saturation(one.port, PATH, None)?);
        many_rps.push(saturation(many.port, PATH, Some(&host))?);
        unknown_rps.push(saturation(many.port, PATH, Some(&unknown))?);
        // A new incident each round, resolved after its updates: an incident takes only so many
        // updates, and the summary both deployments answer stays the size it was.
        let (one_path, many_path) = (open(one.port, &json)?, open(many.port, &named)?);
        one_write.push(write_p50(one.port, &json, &one_path)?);
        many_write.push(write_p50(many.port, &named, &many_path)?);
        for (port, headers, path) in [(one.port, &json[..], &one_path), (many.port, &named[..], &many_path)] {
            let (status, _) = edge::http(port, "POST", path, headers, br#"{"status":"resolved","body":"Done"}"#)?;
            if status != 200 {
                bail!("resolving the bench incident answered {status}");
            }
        }
    }
    drop((one, many));
    let rounds = |values: &[f64]| values.iter().map(|v| format!("{v:.0}")).collect::<Vec<_>>().join(" / ");
    let ms_rounds = |values: &[f64]| values.iter().map(|v| format!("{v:.1}")).collect::<Vec<_>>().join(" / ");
    println!("one page req/s: {}", rounds(&one_rps));
    println!("page p50 of {BENCH_PAGES} req/s: {}", rounds(&many_rps));
    println!("unknown host req/s: {}", rounds(&unknown_rps));
    println!(
        "write p50 ms, one page: {}; page p50 of {BENCH_PAGES}: {}",
        ms_rounds(&one_write),
        ms_rounds(&many_write)
    );
    let (one_rps, many_rps, unknown_rps) = (median(one_rps), median(many_rps), median(unknown_rps));
    let (one_write, many_write) = (median(one_write), median(many_write));
    let mut table = Table::new(["figure", "page p50 of 101", "one-page deployment", "ratio", "goal"]);
    let row = |name: &str, ours: f64, base: f64, unit: &str, goal: Goal| {
        let (goal, ok) = goal.judge(ours / base);
        [
            name.to_owned(),
            format!("{ours:.1} {unit}"),
            format!("{base:.1} {unit}"),
            format!("{:.2}x", ours / base),
            format!("{goal}: {}", met(ok)),
        ]
    };
    table
        .row(row("saturation on summary.json, wrk -c32", many_rps, one_rps, "req/s", Goal::AtLeast(0.95)))
        .row(row(
            "a host no page lists (the default page), wrk -c32",
            unknown_rps,
            one_rps,
            "req/s",
            Goal::AtLeast(0.95),
        ))
        .row(row(
            &format!("write p50, {PAGE_WRITES} sequential updates"),
            many_write,
            one_write,
            "ms",
            Goal::AtMost(1.05),
        ));
    let md = format!(
        "{}\nMedians of {ROUNDS} alternating rounds, both deployments running. The many-page deployment has \
         {BENCH_PAGES} pages besides its default one, each added through `POST pages` (each with its own store); \
         page p50 holds the same page as the one-page deployment's, read through its host (`Host: p50.localhost`). \
         A host no page lists is found with no store request (the directory comes from isolate memory or KV; the \
         e2e test \"a request for a host no page lists costs no store request\" counts them in the test build).\n",
        table
    );
    println!("{md}");
    Ok(md)
}

fn node_bench(name: &str, args: &[&str]) -> Result<serde_json::Value> {
    edge::build(Build::Test)?;
    let script = format!("tests/bench/{name}.mjs");
    let mut node = shell::command("node", &[&[script.as_str()], args].concat());
    node.stderr(Stdio::inherit());
    let out = shell::output(node).with_context(|| format!("{script} failed"))?;
    serde_json::from_str(out.trim()).with_context(|| format!("{name} bench output is not JSON"))
}

/// Issue 24, finding 7: one receiver population that never answers beside one that does
/// (`tests/bench/hang.mjs`): the answering one's write-to-delivery p50 against the same writes
/// before the hanging one was added, in the same workerd.
fn hang_bench() -> Result<String> {
    step("one receiver population hanging (tests/bench/hang.mjs)");
    let f = node_bench("hang", &["60", "5"])?;
    let list = |key: &str| f[key].as_array().map(|a| a.iter().filter_map(|v| v.as_f64()).collect()).unwrap_or_default();
    let (alone, hanging) = (median(list("alone")), median(list("hanging")));
    let ratio = hanging / alone;
    // The first write after the population started hanging, before the circuit has heard two silences.
    let first = list("hanging").first().copied().unwrap_or(f64::NAN);
    let md = format!(
        "`cargo xtask bench hang`: {} webhook subscriptions to a receiver that answers 204, then {} more to one that \
         never answers (another port: another host to the circuit), in workerd with its Durable Object, alarm and Queues. \
         Write to delivery at the answering receiver, median over {} writes of each write's p50.\n\n\
         | figure | nobody hangs | one population hangs | ratio | must |\n|---|---|---|---|---|\n\
         | write to delivery, p50, answering receivers | {alone:.0} ms | {hanging:.0} ms | {ratio:.2}x | <= 1.2x: {} |\n\
         | the same, first write after the population started hanging | {alone:.0} ms | {first:.0} ms | {:.2}x | <= 1.2x: {} |\n",
        f["subscriptions"],
        f["subscriptions"],
        f["rounds"],
        met(ratio <= 1.2),
        first / alone,
        met(first / alone <= 1.2),
    );
    println!("{md}");
    Ok(md)
}

/// Issue 25: the console's bytes (brotli, as a CDN sends them) and its time from navigation to an
/// interactive overview, cold and warm, beside the status page's first contentful paint in the same
/// run (`tests/bench/console.mjs`); and pressing "Open incident" to the incident in `summary.json`.
fn console_bench() -> Result<String> {
    step("the operator console (tests/bench/console.mjs)");
    let f = node_bench("console", &["9"])?;
    let n = |v: &serde_json::Value| v.as_f64().unwrap_or(f64::NAN);
    let bytes = &f["bytes"];
    let total: f64 = ["document", "loader", "css", "wasm"].iter().map(|k| n(&bytes[k]["brotli"])).sum();
    let (cold, warm, floor) = (n(&f["cold_ms"]), n(&f["warm_ms"]), n(&f["status_page_fcp_ms"]));
    let md = format!(
        "`cargo xtask bench console`: the console served by the test build in workerd (live fixture), an editor signed \
         in by a real sign-in link, Debian's Chromium; median of {} loads each. Cold: a fresh browser context (nothing \
         cached); warm: the same context loading it again (the wasm is named by content and kept a year). Interactive: \
         the overview's heading in the console's `<main>`, rendered by the application after it read who is signed in \
         and the page. The status page's first contentful paint, cold, from the same workerd in the same run, is the \
         floor any page here meets.\n\n\
         | figure | console | status page FCP (floor) | ratio | must | goal |\n|---|---|---|---|---|---|\n\
         | navigation to an interactive overview, cold | {cold:.0} ms | {floor:.0} ms | {:.1}x | <= 1000 ms: {} | <= 500 ms: {} |\n\
         | the same, warm | {warm:.0} ms | | {:.1}x | | <= 500 ms: {} |\n\
         | everything it downloads, brotli | {:.1} KB | | | <= 250 KB: {} | <= 150 KB: {} |\n\
         | pressing \"Open incident\" to the incident in the public summary.json | {:.0} ms | | | | |\n\
         | the second module (templates, subscriptions, operators, pages, the log), brotli, loaded when one of its \
         screens opens | {:.1} KB | | | | |\n\
         | pressing the Templates tab on the overview to its heading, that module's first load (the rest warm) | \
         {:.0} ms | | | | |\n\n\
         Bytes, raw / brotli: document {} / {} B, loader (wasm-bindgen glue, esbuild) {} / {} B, stylesheet (the \
         console's and the widget's, for the previews) {} / {} B, wasm {} / {} B.\n\n\
         Lighthouse 12.2.3 on the overview, signed in: accessibility {} mobile, {} desktop (must 100: {}); best \
         practices {} mobile, {} desktop. Audits not passed: {} mobile, {} desktop.\n",
        f["runs"],
        cold / floor,
        met(cold <= 1000.0),
        met(cold <= 500.0),
        warm / floor,
        met(warm <= 500.0),
        total / 1000.0,
        met(total <= 250_000.0),
        met(total <= 150_000.0),
        n(&f["open_to_summary_ms"]),
        ["document", "loader", "wasm"].iter().map(|k| n(&f["settings_bytes"][k]["brotli"])).sum::<f64>() / 1000.0,
        n(&f["crossing_ms"]),
        bytes["document"]["raw"],
        bytes["document"]["brotli"],
        bytes["loader"]["raw"],
        bytes["loader"]["brotli"],
        bytes["css"]["raw"],
        bytes["css"]["brotli"],
        bytes["wasm"]["raw"],
        bytes["wasm"]["brotli"],
        f["lighthouse"]["mobile"]["accessibility"],
        f["lighthouse"]["desktop"]["accessibility"],
        met(n(&f["lighthouse"]["mobile"]["accessibility"]) >= 100.0
            && n(&f["lighthouse"]["desktop"]["accessibility"]) >= 100.0),
        f["lighthouse"]["mobile"]["best-practices"],
        f["lighthouse"]["desktop"]["best-practices"],
        f["lighthouse"]["mobile_failed"],
        f["lighthouse"]["desktop_failed"],
    );
    println!("{md}");
    Ok(md)
}

/// Issue 15: deliveries to 1,000 webhook subscriptions of one page, through the real Queues of
/// workerd, to one receiver on loopback (`tests/bench/notify.mjs`).
fn notify_bench() -> Result<String> {
    step("deliveries to 1,000 webhook subscriptions (tests/bench/notify.mjs)");
    let f = node_bench("notify", &["1000", "3"])?;
    let n = |v: &serde_json::Value| v.as_f64().unwrap_or(f64::NAN);
    let rounds = f["rounds"].as_array().cloned().unwrap_or_default();
    let round = |key: &str| median(rounds.iter().map(|r| n(&r[key])).collect());
    let mut md = format!(
        "`cargo xtask bench notify`: {} webhook subscriptions on one page, in workerd with its Durable Object, alarm \
         and Queues (wrangler dev), all delivering to one Node receiver on loopback that answers 204. Write latency is \
         the write API's answer time for an incident update, p50 of {} sequential writes (10 while deliveries flow, 10 \
         with the receiver down, 10 right after a restart on a second page against 10 right after a restart there before its subscriptions); \
         delivery times run from that answer to each arrival, median of {} writes each sent to every subscription.\n\n\
         | figure | measured | baseline (no subscription) | ratio | goal |\n|---|---|---|---|---|\n",
        f["subscriptions"],
        f["writes"],
        rounds.len()
    );
    for (what, key, base, goal) in [
        (
            "write latency, p50, subscriptions wanting none of the writes (outbox and wake-up only)",
            "unwanted",
            "without",
            1.1,
        ),
        (
            "write latency, p50, right after a restart, behind a 500-event backlog the subscriptions do not want (issue 24; a page of its own)",
            "restarted",
            "restart_baseline",
            1.2,
        ),
        ("write latency, p50, while every write goes to every subscription", "flowing", "without", 1.1),
        (
            "write latency, p50, while every receiver is down (each write fails everywhere, then retries)",
            "down",
            "without",
            1.1,
        ),
    ] {
        let ours = n(&f[key]["p50"]);
        let theirs = n(&f[base]["p50"]);
        let ratio = ours / theirs;
        md.push_str(&format!(
            "| {what} | {ours:.1} ms (p99 {:.1}) | {theirs:.1} ms (p99 {:.1}) | {ratio:.2}x | <= {goal}x: {} |\n",
            n(&f[key]["p99"]),
            n(&f[base]["p99"]),
            met(ratio <= goal)
        ));
    }
    md.push_str(&format!(
        "| write to delivery, p50 | {:.0} ms | | | |\n| write to delivery, p99 | {:.0} ms | | | |\n\
         | write to the last delivery | {:.0} ms | | | |\n| deliveries per second | {:.0} | | | |\n",
        round("p50"),
        round("p99"),
        round("last"),
        round("per_s"),
    ));
    let duplicates: f64 = rounds.iter().map(|r| n(&r["duplicates"])).sum();
    md.push_str(&format!("\nDuplicate deliveries in the measured rounds: {duplicates:.0}.\n"));
    md.push_str(&notify_floor(&f));
    println!("{md}");
    Ok(md)
}

/// Where a write's slowdown comes from: after each timed write the bench timed a request the Worker
/// answers without the store (`worker`: what every request of this one-threaded workerd suffers)
/// and a store round trip that writes nothing (`store`). The write's own share is its ratio over
/// the Worker-only request's ratio in the same window.
fn notify_floor(f: &serde_json::Value) -> String {
    let n = |v: &serde_json::Value| v.as_f64().unwrap_or(f64::NAN);
    let base = |what: &str| n(&f["without"][what]["p50"]);
    let (write0, worker0, store0) = (n(&f["without"]["p50"]), base("worker"), base("store"));
    let mut md = format!(
        "\nWhere the time goes: after each timed write, a request the Worker answers 404 without the store \
         (this workerd's floor: one thread runs the Worker, the store and the queue consumer) and a store round \
         trip that writes nothing (`GET log?limit=1`), p50 in the same windows. Without subscriptions: write \
         {write0:.1} ms, Worker only {worker0:.1} ms, store round trip {store0:.1} ms; the table gives each as a \
         ratio to that.\n\n\
         | window | write | Worker only (floor) | store round trip | write over the floor |\n|---|---|---|---|---|\n"
    );
    for (what, key) in [
        ("subscriptions wanting none of the writes", "unwanted"),
        ("while deliveries flow", "flowing"),
        ("while every receiver is down", "down"),
    ] {
        let write = n(&f[key]["p50"]) / write0;
        let worker = n(&f[key]["worker"]["p50"]) / worker0;
        let store = n(&f[key]["store"]["p50"]) / store0;
        md.push_str(&format!("| {what} | {write:.2}x | {worker:.2}x | {store:.2}x | {:.2}x |\n", write / worker));
    }
    // The restart window is on a second page: against that page's own writes before its subscriptions.
    let base = |what: &str| n(&f["restart_baseline"][what]["p50"]);
    let write = n(&f["restarted"]["p50"]) / n(&f["restart_baseline"]["p50"]);
    let worker = n(&f["restarted"]["worker"]["p50"]) / base("worker");
    let store = n(&f["restarted"]["store"]["p50"]) / base("store");
    md.push_str(&format!(
        "| right after a restart (second page, against its writes after a restart before subscriptions) | {write:.2}x | {worker:.2}x | \
         {store:.2}x | {:.2}x |\n",
        write / worker
    ));
    md
}

/// Lighthouse's scores for the status page, an incident page and the demo app, or why there are none
/// (it comes from the npm registry through `npx`, or `LIGHTHOUSE`).
fn lighthouse() -> String {
    step("Lighthouse 12.2.3 on the status page, an incident page and the demo app");
    let Some(out) = shell::output(shell::command("node", &["tests/bench/lighthouse.mjs"])) else {
        return "\nLighthouse did not run (its error is in the bench's output above).\n".into();
    };
    let Ok(report) = serde_json::from_str::<serde_json::Value>(out.trim()) else {
        return "\nLighthouse gave no report.\n".into();
    };
    let mut md = String::from(
        "\nLighthouse 12.2.3 (`node tests/bench/lighthouse.mjs`, Debian's Chromium, live fixture):\n\n\
         | page | form factor | performance | accessibility | best practices | SEO | CLS | FCP |\n|---|---|---|---|---|---|---|---|\n",
    );
    for (key, v) in report.as_object().into_iter().flatten() {
        let (path, form) = key.rsplit_once(' ').unwrap_or((key, ""));
        md.push_str(&format!(
            "| `{path}` | {form} | {} | {} | {} | {} | {:.3} | {:.0} ms |\n",
            v["performance"],
            v["accessibility"],
            v["best-practices"],
            v["seo"],
            v["cls"].as_f64().unwrap_or(f64::NAN),
            v["fcp_ms"].as_f64().unwrap_or(f64::NAN)
        ));
    }
    md
}

fn nightly_widget() -> std::path::PathBuf {
    crate::wasm::nightly_target_dir().join("wasm32-unknown-unknown/widget/sitrep_widget.wasm")
}
