//! An open-loop, fixed-rate HTTP/1.1 load generator for latency on loopback.
//!
//! Each request has a due time (start + n / rate); latency is measured from the due time, not from
//! when it was sent, so a server that falls behind is charged for the queue it causes (no
//! coordinated omission). Bounded in count and time; 127.0.0.1 only.

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
    pub max_ms: f64,
    pub requests: usize,
    pub errors: usize,
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
                    read_response(s)
                })();
                match ok {
                    Ok(()) => local.push(due.elapsed().as_micros() as u64),
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
    let at = |q: f64| all[((all.len() as f64 * q) as usize).min(all.len() - 1)] as f64 / 1000.0;
    Ok(Latency {
        p50_ms: at(0.50),
        p99_ms: at(0.99),
        max_ms: at(1.0),
        requests: all.len(),
        errors: errors.load(Ordering::Relaxed),
    })
}

/// Reads one response with a Content-Length body (what workerd sends for these documents).
fn read_response(stream: &mut TcpStream) -> std::io::Result<()> {
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
    let head = String::from_utf8_lossy(&buf[..header_end]).to_ascii_lowercase();
    if !head.starts_with("http/1.1 200") {
        return Err(std::io::Error::other("status is not 200"));
    }
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .ok_or_else(|| std::io::Error::other("no content-length"))?;
    while buf.len() < header_end + length {
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    Ok(())
}
