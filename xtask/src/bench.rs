//! `cargo xtask bench`: runs the benchmarks.

use anyhow::{Result, bail};

use crate::shell::{self, step};

pub fn run(args: &[String]) -> Result<()> {
    match args.first().map(String::as_str) {
        None | Some("shared") => shared(),
        Some(other) => bail!("unknown benchmark {other:?}: the one that exists is `shared`"),
    }
}

fn shared() -> Result<()> {
    step("shared: derive and serialise the summary as components and history grow");
    let mut bench = shell::cargo();
    bench.args(["bench", "-p", "sitrep-shared", "--bench", "summary"]);
    shell::run(bench)
}
