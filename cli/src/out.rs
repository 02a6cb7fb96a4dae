//! Standard output that a closed pipe ends quietly.
//!
//! `println!` panics when the reader has gone (`sitrep log | head -1`: "failed printing to stdout:
//! Broken pipe", exit 101). Rust ignores SIGPIPE, and restoring it needs `unsafe`, which this
//! workspace forbids; so every line goes through [`line`], which ends the process with success when
//! the pipe is closed, as ripgrep does: the reader took what it wanted.

use std::fmt;
use std::io::{self, Write as _};

/// `println!` for the tool's output: see the module's doc.
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::out::line(format_args!($($arg)*))
    };
}

/// Writes one line to stdout; a closed pipe exits with success, any other failure with failure.
pub fn line(args: fmt::Arguments<'_>) {
    let mut stdout = io::stdout().lock();
    if let Err(err) = writeln!(stdout, "{args}").and_then(|()| stdout.flush()) {
        if err.kind() == io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("sitrep: cannot write to stdout: {err}");
        std::process::exit(1);
    }
}
