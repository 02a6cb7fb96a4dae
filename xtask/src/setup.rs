//! `cargo xtask setup`: installs what a fresh machine lacks and skips what is there.

use std::fs;
use std::path::Path;

use anyhow::{Context, Result, bail};

use crate::shell::{self, step};

const WASM_TARGET: &str = "wasm32-unknown-unknown";
const COMPONENTS: [&str; 2] = ["clippy", "rustfmt"];
const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

pub fn run() -> Result<()> {
    rustup()?;
    cargo_tools()?;
    npm_packages()?;
    chromium()?;
    println!("\nsetup: everything is installed");
    Ok(())
}

fn rustup() -> Result<()> {
    step("rustup: wasm32 target, clippy and rustfmt; nightly with rust-src for the widget");
    let targets = shell::output(shell::command("rustup", &["target", "list", "--installed"])).unwrap_or_default();
    if targets.lines().any(|l| l.trim() == WASM_TARGET) {
        println!("{WASM_TARGET}: installed");
    } else {
        shell::run(shell::command("rustup", &["target", "add", WASM_TARGET]))?;
    }
    let components = shell::output(shell::command("rustup", &["component", "list", "--installed"])).unwrap_or_default();
    for component in COMPONENTS {
        if components.lines().any(|l| l.starts_with(component)) {
            println!("{component}: installed");
        } else {
            shell::run(shell::command("rustup", &["component", "add", component]))?;
        }
    }
    // The widget ships from a nightly build that rebuilds std for size (see `xtask/src/widget.rs`).
    if crate::widget::nightly_available() {
        println!("nightly with rust-src: installed");
    } else {
        shell::run(shell::command(
            "rustup",
            &["toolchain", "install", "nightly", "--profile", "minimal", "--component", "rust-src"],
        ))?;
    }
    Ok(())
}

/// A tool installed with `cargo install` at the version a crate has in Cargo.lock.
struct Tool {
    /// The crates.io package to install.
    package: &'static str,
    /// The crate in Cargo.lock whose version it must match.
    locked: &'static str,
    /// Whether what is on the PATH is that version.
    installed: fn(&str) -> bool,
    /// Why it must match, for the progress line.
    why: &'static str,
}

const TOOLS: [Tool; 2] = [
    Tool {
        package: "wasm-bindgen-cli",
        locked: "wasm-bindgen",
        installed: |version| {
            let cli = shell::output(shell::command("wasm-bindgen", &["--version"])).unwrap_or_default();
            let runner = shell::output(shell::command("wasm-bindgen-test-runner", &["--version"])).unwrap_or_default();
            cli.trim() == format!("wasm-bindgen {version}") && runner.contains(version)
        },
        why: "the CLI must be exactly the wasm-bindgen crate's version",
    },
    Tool {
        package: "worker-build",
        locked: "worker",
        installed: |version| {
            shell::output(shell::command("worker-build", &["--version"])).is_some_and(|v| v.trim() == version)
        },
        why: "worker-build is released with the worker crate; it is pointed at local tools, so it downloads nothing",
    },
];

/// Installs each tool at its Cargo.lock version unless it is there.
fn cargo_tools() -> Result<()> {
    let lock = fs::read_to_string(shell::root().join("Cargo.lock")).context("cannot read Cargo.lock")?;
    for tool in &TOOLS {
        step(&format!("{} at the Cargo.lock version of {}", tool.package, tool.locked));
        let Some(version) = locked_version(&lock, tool.locked) else {
            bail!("Cargo.lock has no {} entry", tool.locked);
        };
        if (tool.installed)(&version) {
            println!("{} {version}: installed", tool.package);
            continue;
        }
        println!("installing {} {version} ({}; a few minutes on 2 cores)", tool.package, tool.why);
        // Not --locked: wasm-bindgen-cli's own lockfile names a webpki-roots release the registry no longer serves.
        let mut install = shell::cargo();
        install.args(["install", tool.package, "--force", "--version", &format!("={version}")]);
        shell::run(install)?;
    }
    Ok(())
}

/// The version of `name` in a Cargo.lock.
fn locked_version(lock: &str, name: &str) -> Option<String> {
    let needle = format!("name = \"{name}\"");
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == needle {
            let version = lines.next()?.trim().strip_prefix("version = \"")?.strip_suffix('"')?;
            return Some(version.to_owned());
        }
    }
    None
}

fn npm_packages() -> Result<()> {
    step("npm packages from package-lock.json");
    let root = shell::root();
    let lock = root.join("package-lock.json");
    if !lock.exists() {
        println!("no package-lock.json yet: nothing to install");
        return Ok(());
    }
    // npm writes node_modules/.package-lock.json after an install; newer than the lockfile means current.
    if is_newer(&root.join("node_modules/.package-lock.json"), &lock) {
        println!("node_modules: current");
        return Ok(());
    }
    let mut npm = shell::command("npm", &["ci", "--no-audit", "--no-fund"]);
    npm.env("WRANGLER_SEND_METRICS", "false");
    shell::run(npm)
}

fn is_newer(path: &Path, than: &Path) -> bool {
    let modified = |p: &Path| fs::metadata(p).and_then(|m| m.modified()).ok();
    matches!((modified(path), modified(than)), (Some(a), Some(b)) if a >= b)
}

fn chromium() -> Result<()> {
    step("Debian's chromium and chromium-driver");
    if Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists() {
        println!("{CHROMIUM}, {CHROMEDRIVER}: installed");
        return Ok(());
    }
    let root = shell::output(shell::command("id", &["-u"])).is_some_and(|uid| uid.trim() == "0");
    let apt = |args: &[&str]| {
        let mut command = if root { shell::command("apt-get", args) } else { shell::command("sudo", &["apt-get"]) };
        if !root {
            command.args(args);
        }
        command.env("DEBIAN_FRONTEND", "noninteractive");
        command
    };
    shell::run(apt(&["update"]))?;
    shell::run(apt(&["install", "-y", "--no-install-recommends", "chromium", "chromium-driver"]))
}

#[cfg(test)]
mod tests {
    use super::locked_version;

    #[test]
    fn reads_a_version_from_cargo_lock() {
        let lock = "[[package]]\nname = \"wasm-bindgen\"\nversion = \"0.2.130\"\n\n[[package]]\nname = \"wasm-bindgen-test\"\nversion = \"0.3.80\"\n";
        assert_eq!(locked_version(lock, "wasm-bindgen").as_deref(), Some("0.2.130"));
        assert_eq!(locked_version(lock, "wasm-bindgen-test").as_deref(), Some("0.3.80"));
        assert_eq!(locked_version(lock, "yew"), None);
    }
}
