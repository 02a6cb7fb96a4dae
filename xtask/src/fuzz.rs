//! `cargo xtask fuzz [--seconds N] [target...]`: shared's parser, validator, write commands and
//! Markdown subset under libFuzzer (cargo fuzz, nightly). Not part of CI; a crash is written to
//! `fuzz/artifacts/<target>/` and should become a regression test in `shared`.

use anyhow::{Context, Result, bail};

use crate::shell::{self, step};

const TARGETS: [&str; 3] = ["page", "command", "markdown"];

pub fn run(args: &[String]) -> Result<()> {
    let mut seconds = 60u64;
    let mut targets = Vec::new();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--seconds" => seconds = args.next().context("--seconds needs a number")?.parse().context("--seconds N")?,
            name if TARGETS.contains(&name) => targets.push(name.to_owned()),
            other => bail!("unknown fuzz argument {other:?}: targets are {TARGETS:?}"),
        }
    }
    if targets.is_empty() {
        targets = TARGETS.iter().map(|t| (*t).to_owned()).collect();
    }
    if shell::output(shell::command("cargo", &["+nightly", "fuzz", "--version"])).is_none() {
        step("install cargo-fuzz");
        shell::run(shell::command("cargo", &["+nightly", "install", "cargo-fuzz"]))?;
    }
    for target in &targets {
        step(&format!("fuzz {target} for {seconds} s"));
        let corpus = shell::root().join("fuzz/corpus").join(target);
        std::fs::create_dir_all(&corpus)?;
        if target != "markdown" {
            // Start from real pages: the seeds.
            for entry in std::fs::read_dir(shell::root().join("tests/fixtures/seeds"))? {
                let path = entry?.path();
                if path.extension().is_some_and(|e| e == "json") {
                    std::fs::copy(&path, corpus.join(path.file_name().context("file name")?))?;
                }
            }
        }
        let mut command = shell::command("cargo", &["+nightly", "fuzz", "run", target]);
        command.current_dir(shell::root().join("fuzz")).env_remove("RUSTUP_TOOLCHAIN").env_remove("CARGO");
        command.args(["--", &format!("-max_total_time={seconds}"), "-rss_limit_mb=4096"]);
        shell::run(command)
            .with_context(|| format!("fuzz target {target} found a crash: see fuzz/artifacts/{target}/"))?;
    }
    println!("\nfuzz: no crash in {} target(s), {seconds} s each", targets.len());
    Ok(())
}
