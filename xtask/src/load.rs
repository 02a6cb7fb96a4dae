//! An open-loop, fixed-rate HTTP/1.1 load generator for latency on loopback.
//!
//! Each request has a due time (start + n / rate); latency is measured from the due time, not from
//! when it was sent, so a server that falls behind is charged for the queue it causes (no
//! coordinated omission). Bounded in count and time; 127.0.0.1 only.
//!
//! Hand-written on purpose: wrk (closed loop) measures saturation, but open-loop pacing is what
//! wrk2 does, and wrk2 is not packaged by Debian; no crate on crates.io paces requests on a fixed
//! schedule while charging latency from the due time (the HTTP clients, ureq included, time from
//! when a request is sent). Writing requests and reading heads on raw keep-alive sockets is the
//! small part; the schedule is the point.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Result, bail};

/// What a run measured.
#[derive(Debug)]
pub struct Latency {
    pub p50_ms: f64,
    pub p99_ms: f64,
    /// The median of each second's own p99: the worker's tail without the rare stall of the whole
    /// machine that sets the run's p99 (one pause of a few hundred ms holds up every connection, and
    /// a run's p99 is then the length of its longest pause, for any worker).
    pub p99_window_ms: f64,
    pub max_ms: f64,
    pub requests: usize,
    pub errors: usize,
    /// The slowest requests: when each was due (seconds into the run) and its latency (ms), slowest first.
    pub slowest: Vec<(f64, f64)>,
}

/// Sends `rate` GET requests per second to `path` for `seconds`, over `connections` keep-alive connections.
pub fn fixed_rate(port: u16, path: &str, rate: u32, seconds: u32, connections: usize) -> Result<Latency> {
    let total = rate as usize * seconds as usize;
    let interval = Duration::from_secs_f64(1.0 / f64::from(rate));
    let start = Instant::now() + Duration::from_millis(200);
    let samples = Arc::new(Mutex::new(Vec::with_capacity(total)));
    let errors = Arc::new(AtomicUsize::new(0));
    let request = format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept-Encoding: identity\r\n\r\n");
    let mut threads = Vec::new();
    for first in 0..connections {
        let (samples, errors, request) = (Arc::clone(&samples), Arc::clone(&errors), request.clone());
        threads.push(thread::spawn(move || {
            let mut local = Vec::with_capacity(total / connections + 1);
            let mut stream: Option<TcpStream> = None;
            for n in (first..total).step_by(connections) {
                let due = start + interval * n as u32;
                if let Some(wait) = due.checked_duration_since(Instant::now()) {
                    thread::sleep(wait);
                }
                let ok = (|| -> std::io::Result<()> {
                    if stream.is_none() {
                        let s = TcpStream::connect(("127.0.0.1", port))?;
                        s.set_nodelay(true)?;
                        s.set_read_timeout(Some(Duration::from_secs(10)))?;
                        stream = Some(s);
                    }
                    let Some(s) = stream.as_mut() else { return Err(std::io::ErrorKind::NotConnected.into()) };
                    s.write_all(request.as_bytes())?;
                    let head = read_response(s)?;
                    if status(&head) != 200 || header(&head, "content-length").is_none() {
                        return Err(std::io::Error::other("not a 200 with a Content-Length"));
                    }
                    Ok(())
                })();
                match ok {
                    Ok(()) => local.push((due.elapsed().as_micros() as u64, n)),
                    Err(_) => {
                        stream = None;
                        errors.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
            if let Ok(mut all) = samples.lock() {
                all.extend(local);
            }
        }));
    }
    for t in threads {
        if t.join().is_err() {
            bail!("a load thread panicked");
        }
    }
    let mut all = std::mem::take(&mut *samples.lock().map_err(|_| anyhow::anyhow!("poisoned"))?);
    if all.is_empty() {
        bail!("no request succeeded");
    }
    all.sort_unstable();
    let slowest = all.iter().rev().take(10).map(|(us, n)| (*n as f64 / f64::from(rate), *us as f64 / 1000.0)).collect();
    let p99_window_ms = window_p99(&all, rate as usize, seconds as usize) as f64 / 1000.0;
    let all: Vec<u64> = all.into_iter().map(|(us, _)| us).collect();
    let at = |q: f64| quantile(&all, q).unwrap_or(0) as f64 / 1000.0;
    Ok(Latency {
        p99_window_ms,
        slowest,
        p50_ms: at(0.50),
        p99_ms: at(0.99),
        max_ms: at(1.0),
        requests: all.len(),
        errors: errors.load(Ordering::Relaxed),
    })
}

/// Reads one HTTP/1.1 response from a keep-alive stream and returns its head (status line and
/// headers); the body, sized by Content-Length (empty without one, as for a 304), is read and dropped.
pub fn read_response(stream: &mut TcpStream) -> std::io::Result<String> {
    let mut buf = Vec::with_capacity(16 * 1024);
    let mut chunk = [0u8; 16 * 1024];
    let header_end = loop {
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break p + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..header_end]).into_owned();
    let length: usize = header(&head, "content-length").and_then(|v| v.parse().ok()).unwrap_or(0);
    while buf.len() < header_end + length {
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    Ok(head)
}

/// The status code of a response head (0 when unreadable).
pub fn status(head: &str) -> u16 {
    head.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0)
}

/// A header's value in a response head, by case-insensitive name.
pub fn header(head: &str, name: &str) -> Option<String> {
    head.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.trim().eq_ignore_ascii_case(name).then(|| value.trim().to_owned())
    })
}

/// The value at quantile `q` (0 to 1) of a sorted list; `None` when it is empty.
/// The median over each second of the run of that second's p99, from (latency, request number)
/// samples at `rate` requests per second.
fn window_p99(samples: &[(u64, usize)], rate: usize, seconds: usize) -> u64 {
    let mut windows = vec![Vec::new(); seconds.max(1)];
    for (us, n) in samples {
        if let Some(window) = windows.get_mut(n / rate.max(1)) {
            window.push(*us);
        }
    }
    let mut p99s: Vec<u64> = windows
        .into_iter()
        .filter(|w| !w.is_empty())
        .map(|mut w| {
            w.sort_unstable();
            quantile(&w, 0.99).unwrap_or(0)
        })
        .collect();
    p99s.sort_unstable();
    quantile(&p99s, 0.5).unwrap_or(0)
}

pub fn quantile<T: Copy>(sorted: &[T], q: f64) -> Option<T> {
    sorted.get(((sorted.len() as f64 * q) as usize).min(sorted.len().saturating_sub(1))).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_p99_leaves_out_one_stalled_second() {
        // Ten seconds at 100 req/s: 1 ms each, but every request of second 4 stalled 300 ms.
        let samples: Vec<(u64, usize)> =
            (0..1000).map(|n| (if (400..500).contains(&n) { 300_000 } else { 1_000 + n as u64 % 7 }, n)).collect();
        assert_eq!(window_p99(&samples, 100, 10), 1_006);
        // A stall in most seconds is the worker's own tail, and shows.
        let slow: Vec<(u64, usize)> = (0..1000).map(|n| (if n % 100 == 0 { 300_000 } else { 1_000 }, n)).collect();
        assert_eq!(window_p99(&slow, 100, 10), 300_000);
    }

    #[test]
    fn reads_status_headers_and_quantiles() {
        let head = "HTTP/1.1 304 Not Modified\r\nETag: \"a-1\"\r\nx-sitrep-version: 7\r\n\r\n";
        assert_eq!(status(head), 304);
        assert_eq!(header(head, "etag").as_deref(), Some("\"a-1\""));
        assert_eq!(header(head, "X-Sitrep-Version").as_deref(), Some("7"));
        assert_eq!(header(head, "content-length"), None);
        let sorted: Vec<u64> = (1..=100).collect();
        assert_eq!(quantile(&sorted, 0.5), Some(51));
        assert_eq!(quantile(&sorted, 0.99), Some(100));
        assert_eq!(quantile(&sorted, 1.0), Some(100));
        assert_eq!(quantile::<u64>(&[], 0.5), None);
    }
}
