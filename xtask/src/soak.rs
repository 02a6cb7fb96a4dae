//! `cargo xtask soak [--widgets N] [--seconds S]`: virtual widgets polling the production Worker in
//! workerd the way the real widget does, while an operator posts updates; then every widget
//! reloading within ten seconds.
//!
//! Each virtual widget keeps its own ETag and its own `shared::embed::Feed`, so its delays (poll
//! interval ±20% jitter, doubling after failures) are the widget's own code. Requests are timed from
//! when they were due, so a server that falls behind is charged for the queue (no coordinated
//! omission). Loopback only; bounded in time and count.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fs;
use std::io::Write;
use std::net::TcpStream;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use sitrep_shared::Timestamp;
use sitrep_shared::embed::{Feed, Outcome};

use crate::edge::{self, Build};
use crate::load;
use crate::shell::{self, step};
use crate::workerd::Workerd;

const PATH: &str = "/api/v2/summary.json";
const POLL_SECS: u32 = 15;
const UPDATES: usize = 20;
const THREADS: usize = 16;
const RELOAD_WINDOW: Duration = Duration::from_secs(10);

/// What one run measured.
#[derive(Debug, Default)]
pub struct Soak {
    pub widgets: usize,
    pub seconds: u64,
    pub steady: Phase,
    pub reload: Phase,
    /// Seconds from the last update being accepted until every widget had seen it (max, p99).
    pub converged_max_s: f64,
    pub converged_p99_s: f64,
    pub never_converged: usize,
    pub update_errors: usize,
}

/// Requests of one phase.
#[derive(Debug, Default)]
pub struct Phase {
    pub requests: usize,
    pub not_modified: usize,
    pub errors: usize,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

impl Phase {
    fn from(samples: &mut [u64], not_modified: usize, errors: usize) -> Self {
        samples.sort_unstable();
        let at = |q: f64| load::quantile(samples, q).unwrap_or(0) as f64 / 1000.0;
        Self {
            requests: samples.len() + errors,
            not_modified,
            errors,
            p50_ms: at(0.5),
            p99_ms: at(0.99),
            max_ms: at(1.0),
        }
    }
}

struct Widget {
    etag: Option<String>,
    feed: Feed,
    /// When (ms since start) it first saw a version at least the target, for each target.
    saw_final_at: Option<u64>,
}

/// A tiny xorshift generator: jitter needs spread, not cryptography.
struct Rng(u64);

impl Rng {
    fn unit(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

struct Answer {
    status: u16,
    etag: Option<String>,
    version: u64,
}

fn get(stream: &mut Option<TcpStream>, port: u16, etag: Option<&str>) -> std::io::Result<Answer> {
    if stream.is_none() {
        let s = TcpStream::connect(("127.0.0.1", port))?;
        s.set_nodelay(true)?;
        s.set_read_timeout(Some(Duration::from_secs(10)))?;
        *stream = Some(s);
    }
    let Some(s) = stream.as_mut() else { return Err(std::io::ErrorKind::NotConnected.into()) };
    let conditional = etag.map(|e| format!("If-None-Match: {e}\r\n")).unwrap_or_default();
    write!(s, "GET {PATH} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept-Encoding: identity\r\n{conditional}\r\n")?;
    let head = load::read_response(s)?;
    Ok(Answer {
        status: load::status(&head),
        etag: load::header(&head, "etag"),
        version: load::header(&head, "x-sitrep-version").and_then(|v| v.parse().ok()).unwrap_or(0),
    })
}

/// Shared between the pollers and the operator.
struct Run {
    start: Instant,
    /// The version of the last update, once posted (0 before).
    final_version: AtomicU64,
    final_posted_ms: AtomicU64,
}

/// Latencies (µs from due), 304s and errors of one thread in one phase.
#[derive(Default)]
struct Tally {
    samples: Vec<u64>,
    not_modified: usize,
    errors: usize,
}

impl Tally {
    fn add(&mut self, other: Tally) {
        self.samples.extend(other.samples);
        self.not_modified += other.not_modified;
        self.errors += other.errors;
    }
}

/// What one poller thread saw: both phases, and when each widget first saw the final update.
struct Polled {
    steady: Tally,
    burst: Tally,
    seen: Vec<Option<u64>>,
}

/// One poller thread's widgets through the steady phase, then the reload burst.
fn poll(run: &Run, port: u16, mut widgets: Vec<Widget>, seed: u64, steady_until: Duration) -> Polled {
    let mut rng = Rng(seed | 1);
    let mut stream = None;
    let mut queue: BinaryHeap<Reverse<(Duration, usize)>> =
        (0..widgets.len()).map(|i| Reverse((Duration::from_secs_f64(rng.unit() * f64::from(POLL_SECS)), i))).collect();
    let mut steady = Tally::default();
    while let Some(Reverse((due, i))) = queue.pop() {
        if due >= steady_until {
            break;
        }
        if let Some(wait) = (run.start + due).checked_duration_since(Instant::now()) {
            thread::sleep(wait);
        }
        let widget = &mut widgets[i];
        let now = Timestamp::from_unix_millis(run.start.elapsed().as_millis() as i64)
            .unwrap_or(Timestamp::from_datetime(Default::default()));
        match get(&mut stream, port, widget.etag.as_deref()) {
            Ok(answer) if answer.status == 200 || answer.status == 304 => {
                steady.samples.push((run.start + due).elapsed().as_micros() as u64);
                if answer.status == 304 {
                    steady.not_modified += 1;
                    widget.feed.record(Outcome::NotModified { stale: false }, now);
                } else {
                    widget.etag = answer.etag;
                    widget.feed.record(Outcome::Fresh { stale: false }, now);
                }
                let target = run.final_version.load(Ordering::Acquire);
                if target > 0 && answer.version >= target && widget.saw_final_at.is_none() {
                    widget.saw_final_at = Some(run.start.elapsed().as_millis() as u64);
                }
            }
            Ok(_) | Err(_) => {
                stream = None;
                steady.errors += 1;
                widget.feed.record(Outcome::Failed, now);
            }
        }
        let next = due + Duration::from_millis(widget.feed.next_delay_ms(POLL_SECS, rng.unit()));
        queue.push(Reverse((next.max(run.start.elapsed()), i)));
    }
    let seen = widgets.iter().map(|w| w.saw_final_at).collect();
    // The reload burst: every widget loads the page again within ten seconds, with its stored ETag.
    let burst_start = steady_until;
    let mut burst: Vec<(Duration, usize)> =
        (0..widgets.len()).map(|i| (burst_start + RELOAD_WINDOW.mul_f64(rng.unit()), i)).collect();
    burst.sort_unstable();
    let mut tally = Tally::default();
    for (due, i) in burst {
        if let Some(wait) = (run.start + due).checked_duration_since(Instant::now()) {
            thread::sleep(wait);
        }
        match get(&mut stream, port, widgets[i].etag.as_deref()) {
            Ok(answer) if answer.status == 200 || answer.status == 304 => {
                tally.samples.push((run.start + due).elapsed().as_micros() as u64);
                tally.not_modified += usize::from(answer.status == 304);
            }
            Ok(_) | Err(_) => {
                stream = None;
                tally.errors += 1;
            }
        }
    }
    Polled { steady, burst: tally, seen }
}

fn admin(port: u16, token: &str, method: &str, path: &str, body: &str) -> Result<(u16, serde_json::Value)> {
    let auth = format!("Bearer {token}");
    let (status, bytes) = edge::http(
        port,
        method,
        path,
        &[("authorization", auth.as_str()), ("content-type", "application/json")],
        body.as_bytes(),
    )?;
    Ok((status, serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null)))
}

/// Runs the soak and prints its figures.
pub fn run(args: &[String]) -> Result<Soak> {
    let mut widgets = 10_000usize;
    let mut seconds = 300u64;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--widgets" => widgets = args.next().context("--widgets N")?.parse()?,
            "--seconds" => seconds = args.next().context("--seconds S")?.parse()?,
            other => bail!("unknown soak argument {other:?}: --widgets N, --seconds S"),
        }
    }
    if seconds < 60 || widgets == 0 || widgets > 100_000 {
        bail!("soak needs --seconds >= 60 and 1..=100000 widgets");
    }
    edge::build(Build::Production)?;
    let token = edge::dev_token()?;
    let demo = edge::write_pages("http://127.0.0.1:8787")?;
    let state = shell::fresh_dir("soak-state")?;
    step(&format!(
        "soak: {widgets} virtual widgets polling every {POLL_SECS} s (±20%) for {seconds} s while {UPDATES} updates are posted, then all reloading within {} s",
        RELOAD_WINDOW.as_secs()
    ));
    let worker = Workerd::start("sitrep", &state.to_string_lossy())?;
    let port = worker.port;
    edge::load_page(port, &token, &fs::read(&demo)?)?;
    let (status, opened) = admin(
        port,
        &token,
        "POST",
        "/api/v2/admin/incidents",
        r#"{"name":"Soak: delayed notifications","impact":"minor","body":"Looking into it."}"#,
    )?;
    let id =
        opened["id"].as_str().map(str::to_owned).with_context(|| format!("opening the incident: {status} {opened}"))?;

    let run =
        Arc::new(Run { start: Instant::now(), final_version: AtomicU64::new(0), final_posted_ms: AtomicU64::new(0) });
    let steady = Duration::from_secs(seconds);
    let per_thread = widgets.div_ceil(THREADS);
    let mut pollers = Vec::new();
    for t in 0..THREADS {
        let count = per_thread.min(widgets.saturating_sub(t * per_thread));
        let list = (0..count).map(|_| Widget { etag: None, feed: Feed::default(), saw_final_at: None }).collect();
        let run = Arc::clone(&run);
        pollers.push(thread::spawn(move || poll(&run, port, list, 0x9e37_79b9_7f4a_7c15 ^ (t as u64 + 1), steady)));
    }

    // The operator: 20 updates spread over the first part, leaving at least two intervals to converge.
    let last_at = seconds.saturating_sub(u64::from(POLL_SECS) * 3).max(20);
    let update_errors = Arc::new(Mutex::new(0usize));
    for n in 0..UPDATES {
        let at =
            Duration::from_secs(10) + Duration::from_secs_f64((last_at - 10) as f64 * n as f64 / (UPDATES - 1) as f64);
        if let Some(wait) = (run.start + at).checked_duration_since(Instant::now()) {
            thread::sleep(wait);
        }
        let status = if n + 1 == UPDATES {
            "resolved"
        } else if n % 2 == 0 {
            "identified"
        } else {
            "monitoring"
        };
        let body = format!(r#"{{"status":"{status}","body":"Update {} of {UPDATES}."}}"#, n + 1);
        match admin(port, &token, "POST", &format!("/api/v2/admin/incidents/{id}/updates"), &body) {
            Ok((200 | 201, answer)) => {
                if n + 1 == UPDATES {
                    run.final_posted_ms.store(run.start.elapsed().as_millis() as u64, Ordering::Release);
                    run.final_version.store(answer["version"].as_u64().unwrap_or(u64::MAX), Ordering::Release);
                }
                println!(
                    "  update {:>2}/{UPDATES} at {:>5.1} s: version {}",
                    n + 1,
                    run.start.elapsed().as_secs_f64(),
                    answer["version"]
                );
            }
            other => {
                println!("  update {} failed: {other:?}", n + 1);
                if let Ok(mut e) = update_errors.lock() {
                    *e += 1;
                }
            }
        }
    }

    let (mut steady, mut burst, mut seen) = (Tally::default(), Tally::default(), Vec::new());
    for poller in pollers {
        let polled = poller.join().map_err(|_| anyhow::anyhow!("a poller panicked"))?;
        steady.add(polled.steady);
        burst.add(polled.burst);
        seen.extend(polled.seen);
    }
    drop(worker);
    let posted = run.final_posted_ms.load(Ordering::Acquire);
    let mut delays: Vec<f64> = seen.iter().flatten().map(|at| at.saturating_sub(posted) as f64 / 1000.0).collect();
    let never_converged = seen.iter().filter(|s| s.is_none()).count();
    delays.sort_by(f64::total_cmp);
    let soak = Soak {
        widgets,
        seconds,
        steady: Phase::from(&mut steady.samples, steady.not_modified, steady.errors),
        reload: Phase::from(&mut burst.samples, burst.not_modified, burst.errors),
        converged_max_s: delays.last().copied().unwrap_or(f64::NAN),
        converged_p99_s: delays.get((delays.len() as f64 * 0.99) as usize).copied().unwrap_or(f64::NAN),
        never_converged,
        update_errors: update_errors.lock().map(|e| *e).unwrap_or(0),
    };
    println!("\n{}", report(&soak));
    Ok(soak)
}

/// The soak's figures as Markdown.
pub fn report(s: &Soak) -> String {
    let rate = s.widgets as f64 / f64::from(POLL_SECS);
    let interval = f64::from(POLL_SECS);
    format!(
        "{} virtual widgets polling `{PATH}` every {POLL_SECS} s ±20% (about {rate:.0} requests/s) for {} s, \
         {UPDATES} updates posted meanwhile ({} failed), then every widget reloading within {} s.\n\n\
         | phase | requests | 304 | errors (goal 0) | p50 | p99 | max |\n|---|---|---|---|---|---|---|\n\
         | steady polling | {} | {} | {} | {:.2} ms | {:.2} ms | {:.1} ms |\n\
         | reload burst | {} | {} | {} | {:.2} ms | {:.2} ms | {:.1} ms |\n\n\
         Every widget had seen the final update {:.1} s after it was accepted (p99 {:.1} s): {:.2} poll intervals \
         (goal <= 2); {} never saw it.\n",
        s.widgets,
        s.seconds,
        s.update_errors,
        RELOAD_WINDOW.as_secs(),
        s.steady.requests,
        s.steady.not_modified,
        s.steady.errors,
        s.steady.p50_ms,
        s.steady.p99_ms,
        s.steady.max_ms,
        s.reload.requests,
        s.reload.not_modified,
        s.reload.errors,
        s.reload.p50_ms,
        s.reload.p99_ms,
        s.reload.max_ms,
        s.converged_max_s,
        s.converged_p99_s,
        s.converged_max_s / interval,
        s.never_converged,
    )
}
