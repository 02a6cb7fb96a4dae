//! BENCHMARKS.md's tables, built with `tabled` (its Markdown style) rather than rows formatted by
//! hand, and the one rule for marking a figure met or not.

use std::fmt;

use tabled::builder::Builder;
use tabled::settings::Style;

/// A Markdown table under construction.
pub struct Table {
    builder: Builder,
}

/// A goal for a ratio against the same run's baseline.
#[derive(Clone, Copy, Debug)]
pub enum Goal {
    /// The ratio must be at most this.
    AtMost(f64),
    /// The ratio must be at least this.
    AtLeast(f64),
}

impl Goal {
    /// The goal as written in a table, and whether `ratio` meets it, judged on the two decimals the
    /// table shows (so "1.20x" is never marked against "<= 1.2x").
    pub fn judge(self, ratio: f64) -> (String, bool) {
        let ratio = (ratio * 100.0).round() / 100.0;
        match self {
            Goal::AtMost(limit) => (format!("<= {limit}x"), ratio <= limit),
            Goal::AtLeast(limit) => (format!(">= {limit}x"), ratio >= limit),
        }
    }
}

impl Table {
    /// A table with these column titles.
    pub fn new<const N: usize>(header: [&str; N]) -> Self {
        let mut builder = Builder::default();
        builder.push_record(header);
        Self { builder }
    }

    /// Appends a row of cells.
    pub fn row<S: Into<String>>(&mut self, cells: impl IntoIterator<Item = S>) -> &mut Self {
        self.builder.push_record(cells.into_iter().map(Into::into));
        self
    }

    /// Appends `| name | baseline | figure | ratio | goal: met |` (`unit` empty: whole numbers).
    pub fn ratio(&mut self, name: &str, unit: &str, baseline: f64, figure: f64, goal: Goal) -> &mut Self {
        let ratio = figure / baseline;
        let (goal, ok) = goal.judge(ratio);
        let value = |v: f64| if unit.is_empty() { format!("{v:.0}") } else { format!("{v:.2} {unit}") };
        self.row([
            name.to_owned(),
            value(baseline),
            value(figure),
            format!("{ratio:.2}x"),
            format!("{goal}: {}", met(ok)),
        ])
    }
}

impl fmt::Display for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut table = self.builder.clone().build();
        table.with(Style::markdown());
        writeln!(f, "{table}")
    }
}

/// How a line is marked.
pub fn met(ok: bool) -> &'static str {
    if ok { "met" } else { "**not met**" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_markdown_table_with_its_verdicts() {
        let mut table = Table::new(["figure", "baseline", "sitrep", "ratio", "goal"]);
        table.ratio("p99", "ms", 40.0, 44.0, Goal::AtMost(1.2)).ratio("req/s", "", 5000.0, 4000.0, Goal::AtLeast(0.9));
        let text = table.to_string();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 4, "{text}");
        assert!(lines[1].starts_with("|--"), "{text}");
        assert!(lines[2].contains("| 1.10x ") && lines[2].contains("<= 1.2x: met"), "{text}");
        assert!(lines[3].contains("0.80x") && lines[3].contains(">= 0.9x: **not met**"), "{text}");
        // Judged on what the table shows: 1.2049 reads "1.20x", which meets "<= 1.2x".
        assert_eq!(Goal::AtMost(1.2).judge(1.2049), ("<= 1.2x".to_owned(), true));
    }
}
