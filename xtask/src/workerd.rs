//! A worker run in workerd for the benchmarks and the soak (through Miniflare, no wrangler proxy).

use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};

use anyhow::{Context, Result, bail};

use crate::edge;
use crate::shell;

/// A worker in workerd through Miniflare's API (no wrangler dev proxy), stopped when dropped.
pub(crate) struct Workerd {
    child: Child,
    pub(crate) port: u16,
}

impl Workerd {
    pub(crate) fn start(kind: &str, arg: &str) -> Result<Self> {
        let port = free_port()?;
        let mut command = shell::command("node", &["tests/bench/workerd.mjs", kind, &port.to_string(), arg]);
        // Its own process group, so dropping it also stops the workerd that Miniflare started.
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        let mut child = command
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
        // Closing stdin lets the script dispose of Miniflare; the group is stopped in any case.
        drop(self.child.stdin.take());
        edge::stop_group(&mut self.child);
    }
}

pub(crate) fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind(("127.0.0.1", 0))?.local_addr()?.port())
}
