//! Derive plus serialise of the summary as components and history grow.
//!
//! Own harness (no criterion or divan): the question is a ratio between cases measured in the same
//! run, which the table prints directly. Each figure is the median of 15 samples of at least 20 ms.
//! `cargo xtask bench` runs it.

use std::hint::black_box;
use std::time::{Duration, Instant};

use sitrep_shared::views;
use sitrep_shared::{
    AffectedComponent, Component, ComponentId, ComponentStatus, Impact, Incident, IncidentId, IncidentStatus,
    IncidentUpdate, Page, PageData, PageId, PageState, Timestamp, UpdateId,
};

const SAMPLES: usize = 15;
const SAMPLE_TIME: Duration = Duration::from_millis(20);

fn at(minutes: i64) -> Timestamp {
    Timestamp::from_unix_millis(1_700_000_000_000 + minutes * 60_000).unwrap_or_else(|| panic!("bad time"))
}

fn component(n: usize) -> Component {
    Component {
        id: ComponentId(format!("c{n}")),
        page_id: PageId::from("bench"),
        name: format!("Component {n}"),
        description: Some("A part of the product".into()),
        status: if n.is_multiple_of(97) { ComponentStatus::DegradedPerformance } else { ComponentStatus::Operational },
        position: n as i64,
        group_id: None,
        group: false,
        only_show_if_degraded: false,
        showcase: true,
        start_date: None,
        created_at: at(0),
        updated_at: at(0),
        components: vec![],
    }
}

fn incident(n: usize, start: i64, statuses: &[IncidentStatus]) -> Incident {
    let id = IncidentId(format!("i{n}"));
    let updates: Vec<IncidentUpdate> = statuses
        .iter()
        .enumerate()
        .rev()
        .map(|(k, status)| IncidentUpdate {
            id: UpdateId(format!("i{n}-u{k}")),
            incident_id: id.clone(),
            status: *status,
            body: "We are looking into elevated error rates on the API and will update within 30 minutes.".into(),
            created_at: at(start + k as i64),
            updated_at: at(start + k as i64),
            display_at: None,
            affected_components: vec![AffectedComponent {
                code: Some(ComponentId(format!("c{}", n % 10))),
                name: format!("Component {}", n % 10),
                old_status: Some(ComponentStatus::Operational),
                new_status: Some(ComponentStatus::PartialOutage),
            }],
            language: None,
            reopened: false,
            edited_at: None,
        })
        .collect();
    let status = updates.first().map_or(IncidentStatus::Investigating, |u| u.status);
    Incident {
        id,
        page_id: PageId::from("bench"),
        name: format!("Elevated error rates {n}"),
        status,
        impact: Impact::Minor,
        started_at: Some(at(start)),
        created_at: at(start),
        updated_at: at(start + statuses.len() as i64),
        monitoring_at: None,
        resolved_at: status.is_closed().then(|| at(start + statuses.len() as i64)),
        shortlink: None,
        incident_updates: updates,
        components: vec![],
        scheduled_for: None,
        scheduled_until: None,
        postmortem: None,
        cancelled_at: None,
        auto_transition: false,
    }
}

/// A page with `components` components, `history` resolved incidents and two open ones.
fn data(components: usize, history: usize) -> PageData {
    let mut incidents: Vec<Incident> = (0..history)
        .map(|n| incident(n, n as i64 * 10, &[IncidentStatus::Investigating, IncidentStatus::Resolved]))
        .collect();
    let now = history as i64 * 10;
    incidents.push(incident(history, now, &[IncidentStatus::Investigating]));
    incidents.push(incident(history + 1, now + 1, &[IncidentStatus::Investigating, IncidentStatus::Identified]));
    PageData {
        page: Page {
            id: PageId::from("bench"),
            name: "Bench".into(),
            url: String::new(),
            time_zone: "Etc/UTC".into(),
            updated_at: at(now),
        },
        components: (0..components).map(component).collect(),
        incidents,
        scheduled_maintenances: vec![],
    }
}

/// Median time of one call, over samples of at least `SAMPLE_TIME`.
fn median(mut run: impl FnMut()) -> Duration {
    let mut iterations = 1u32;
    loop {
        let started = Instant::now();
        for _ in 0..iterations {
            run();
        }
        if started.elapsed() >= SAMPLE_TIME {
            break;
        }
        iterations = iterations.saturating_mul(2);
    }
    let mut samples: Vec<Duration> = (0..SAMPLES)
        .map(|_| {
            let started = Instant::now();
            for _ in 0..iterations {
                run();
            }
            started.elapsed() / iterations
        })
        .collect();
    samples.sort();
    samples[SAMPLES / 2]
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

fn main() {
    // `cargo bench` passes --bench; nothing else is understood.
    let cases = [(10, 100), (1_000, 100), (10_000, 100), (10, 10_000), (1_000, 10_000), (10_000, 10_000)];
    println!("summary: status derivation + view + serde_json::to_vec, median of {SAMPLES} samples");
    println!("{:>10} {:>10} {:>12} {:>10} {:>14}", "components", "incidents", "time (µs)", "bytes", "vs 10/100");
    let mut results = Vec::new();
    for (components, history) in cases {
        let state = PageState::new(data(components, history));
        let now = at(history as i64 * 10 + 5);
        let bytes = serde_json::to_vec(&views::summary(&state, now)).map_or(0, |b| b.len());
        let time = median(|| {
            let body = serde_json::to_vec(&views::summary(black_box(&state), now));
            black_box(body.map(|b| b.len()).unwrap_or(0));
        });
        let base = results.first().map_or(time, |(_, _, t)| *t);
        println!(
            "{components:>10} {history:>10} {:>12.1} {bytes:>10} {:>13.2}x",
            micros(time),
            time.as_secs_f64() / base.as_secs_f64()
        );
        results.push((components, history, time));
    }
    let time = |c: usize, h: usize| {
        results.iter().find(|(rc, rh, _)| *rc == c && *rh == h).map_or(f64::NAN, |(_, _, t)| t.as_secs_f64())
    };
    println!("\ngrowth (ratios within this run):");
    for history in [100, 10_000] {
        let (a, b, c) = (time(10, history), time(1_000, history), time(10_000, history));
        let linear = b / a <= 100.0 * 1.25 && c / b <= 10.0 * 1.25;
        let verdict = if linear { "linear or better" } else { "WORSE THAN LINEAR" };
        println!(
            "  components x100 (10 -> 1,000): cost x{:.1}; x10 (1,000 -> 10,000): cost x{:.1}  [{verdict}] at {history} incidents",
            b / a,
            c / b
        );
    }
    for components in [10, 1_000, 10_000] {
        let ratio = time(components, 10_000) / time(components, 100);
        let verdict = if ratio <= 1.25 { "does not grow with history" } else { "GROWS WITH HISTORY" };
        println!("  history x100 (100 -> 10,000 incidents): cost x{ratio:.2} at {components} components  [{verdict}]");
    }

    // Not the summary: indexing a whole page happens when the store loads it (writes upsert instead).
    println!("\nPageState::new (once when the store loads a page; writes upsert, reads never index):");
    let small = data(100, 100);
    let large = data(100, 10_000);
    let t_small = median(|| drop(black_box(PageState::new(black_box(small.clone())))));
    let t_large = median(|| drop(black_box(PageState::new(black_box(large.clone())))));
    println!(
        "  100 -> 10,000 incidents: {:.1} µs -> {:.1} µs (x{:.1}, clone of the data included)",
        micros(t_small),
        micros(t_large),
        t_large.as_secs_f64() / t_small.as_secs_f64()
    );
}
