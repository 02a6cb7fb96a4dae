//! `cargo xtask dev`: build, start workerd with state on disk, load the seeds, serve until Ctrl-C.

use std::fs;

use anyhow::Result;

use crate::edge::{self, Build, Edge};
use crate::shell::{self, step};

const PORT: u16 = 8787;

pub fn run() -> Result<()> {
    edge::build(Build::Production)?;
    let token = edge::dev_token()?;
    let state = shell::root().join(".wrangler/state");
    fs::create_dir_all(&state)?;
    step("start workerd (wrangler dev, local mode)");
    let mut running = Edge::start(PORT, &state.to_string_lossy(), None)?;
    let base = format!("http://127.0.0.1:{PORT}");
    step("load the five seeds as the demo page");
    let demo = edge::write_pages(&base)?;
    let answer = edge::load_page(PORT, &token, &fs::read(&demo)?)?;
    println!("loaded {} -> {answer}", demo.display());
    println!("\nsitrep is running at {base}/ (state in {}):", state.display());
    for path in [
        "/ (the status page)",
        "/incidents/stream-2020-12-09",
        "/history",
        "/demo/ (a customer app embedding the widget)",
        "/api/v2/summary.json",
        "/api/v2/status.json",
        "/api/v2/components.json",
        "/api/v2/incidents.json",
        "/api/v2/incidents/unresolved.json",
        "/api/v2/scheduled-maintenances.json",
        "/api/v2/scheduled-maintenances/upcoming.json",
        "/api/v2/scheduled-maintenances/active.json",
        "/api/v2/postmortems.json",
        "/api/v2/incidents/stream-2020-12-09.json",
        "/badge.svg",
        "/history.atom",
        "/history.rss",
        "/feed.json",
    ] {
        println!("  {base}{path}");
    }
    println!("admin token: edge/.dev.vars (SITREP_ADMIN_TOKEN); Ctrl-C stops");
    println!("the operator tool, from another shell:");
    println!("  export SITREP_URL={base} SITREP_TOKEN={token}");
    running.wait()
}
