//! sitrep's safe Markdown subset for postmortems, parsed into a tree the widget renders.
//!
//! Blocks: paragraphs, `#` headings, `-`/`*`/`•` and `1.` lists, fenced code, and tables (GitHub's
//! pipes: a header row, a `---` row, body rows; at most [`MAX_COLUMNS`] columns, cells inline text).
//! Inlines: `**strong**`,
//! `*emphasis*`, `` `code` ``, `[text](url)` and bare `http(s)://` links. Links keep only `http`, `https`
//! and `mailto` targets; anything else, HTML included, stays plain text. The tree has no raw HTML
//! node, so nothing the author writes can become markup.

use serde::{Deserialize, Serialize};

/// Deepest nesting of emphasis, strong and links; deeper markers stay text.
const MAX_DEPTH: u8 = 4;

/// A block of a postmortem section.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum Block {
    /// Running text.
    Paragraph {
        /// Its inlines.
        content: Vec<Inline>,
    },
    /// A heading, level 1 to 6.
    Heading {
        /// 1 to 6.
        level: u8,
        /// Its inlines.
        content: Vec<Inline>,
    },
    /// A bulleted or numbered list.
    List {
        /// Numbered.
        ordered: bool,
        /// The number of the first item, for numbered lists.
        start: u32,
        /// Each item's inlines.
        items: Vec<Vec<Inline>>,
    },
    /// Preformatted text.
    Code {
        /// The text, verbatim.
        text: String,
    },
    /// A table: a header row and body rows, each as long as the header.
    Table {
        /// The header's cells.
        header: Vec<Vec<Inline>>,
        /// The body's rows of cells.
        rows: Vec<Vec<Vec<Inline>>>,
    },
}

/// Most columns a table keeps; cells beyond stay in the last one, so no text is dropped.
pub const MAX_COLUMNS: usize = 16;

/// Inline content.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum Inline {
    /// Plain text, rendered as text.
    Text {
        /// The text.
        text: String,
    },
    /// Strong emphasis.
    Strong {
        /// Its inlines.
        content: Vec<Inline>,
    },
    /// Emphasis.
    Emphasis {
        /// Its inlines.
        content: Vec<Inline>,
    },
    /// Inline code.
    Code {
        /// The code, verbatim.
        text: String,
    },
    /// A link to an `http`, `https` or `mailto` URL.
    Link {
        /// The target; always one of the allowed schemes.
        href: String,
        /// Its inlines.
        content: Vec<Inline>,
    },
}

/// Longest link target, in bytes. Longer ones stay text: a bound on the work one link costs, so
/// that many openers sharing one far-away closer cannot make parsing quadratic.
pub const MAX_HREF: usize = 2_048;

/// Whether a link target is allowed: `http:`, `https:` or `mailto:`, with nothing that could hide another scheme.
pub fn is_safe_href(href: &str) -> bool {
    let lower = href.get(..8).unwrap_or(href).to_ascii_lowercase();
    let scheme_ok = lower.starts_with("https://") || lower.starts_with("http://") || lower.starts_with("mailto:");
    scheme_ok && !href.chars().any(|c| c.is_whitespace() || c.is_control() || c == '"' || c == '<' || c == '>')
}

/// Parses the subset into blocks. Never fails: what is not markup is text.
pub fn parse(source: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut paragraph: Vec<&str> = Vec::new();
    let mut lines = source.lines().peekable();
    while let Some(line) = lines.next() {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            flush_paragraph(&mut blocks, &mut paragraph);
        } else if trimmed.starts_with("```") {
            flush_paragraph(&mut blocks, &mut paragraph);
            let mut code = Vec::new();
            for line in lines.by_ref() {
                if line.trim_start().starts_with("```") {
                    break;
                }
                code.push(line);
            }
            blocks.push(Block::Code { text: code.join("\n") });
        } else if trimmed.starts_with('|') && lines.peek().is_some_and(|next| is_table_rule(next.trim())) {
            flush_paragraph(&mut blocks, &mut paragraph);
            lines.next();
            let header = cells(trimmed, MAX_COLUMNS);
            let columns = header.len();
            let mut rows = Vec::new();
            while let Some(row) = lines.peek().map(|l| l.trim()).filter(|l| l.starts_with('|')) {
                let mut row = cells(row, columns);
                row.resize_with(columns, Vec::new);
                rows.push(row);
                lines.next();
            }
            blocks.push(Block::Table { header, rows });
        } else if let Some((level, text)) = heading(trimmed) {
            flush_paragraph(&mut blocks, &mut paragraph);
            blocks.push(Block::Heading { level, content: inlines(text) });
        } else if let Some(marker) = list_marker(trimmed) {
            flush_paragraph(&mut blocks, &mut paragraph);
            let mut items = vec![vec![marker.text]];
            while let Some(next) = lines.peek() {
                let next_trimmed = next.trim();
                if next_trimmed.is_empty() {
                    // A blank line ends the list unless another item of the same kind follows.
                    let mut ahead = lines.clone();
                    ahead.next();
                    let continues = ahead
                        .find(|l| !l.trim().is_empty())
                        .and_then(|l| list_marker(l.trim()))
                        .is_some_and(|m| m.ordered == marker.ordered);
                    if !continues {
                        break;
                    }
                    lines.next();
                } else if let Some(item) = list_marker(next_trimmed) {
                    if item.ordered != marker.ordered {
                        break;
                    }
                    items.push(vec![item.text]);
                    lines.next();
                } else if next.starts_with("  ") || next.starts_with('\t') {
                    if let Some(item) = items.last_mut() {
                        item.push(next_trimmed);
                    }
                    lines.next();
                } else {
                    break;
                }
            }
            let items = items.iter().map(|parts| inlines(&parts.join(" "))).collect();
            blocks.push(Block::List { ordered: marker.ordered, start: marker.start, items });
        } else {
            paragraph.push(trimmed);
        }
    }
    flush_paragraph(&mut blocks, &mut paragraph);
    blocks
}

/// Whether a line is a table's rule under its header: `|---|:--:|`.
fn is_table_rule(line: &str) -> bool {
    let inner = line.trim_matches('|');
    line.starts_with('|')
        && !inner.is_empty()
        && inner.split('|').all(|cell| {
            let cell = cell.trim().trim_start_matches(':').trim_end_matches(':');
            !cell.is_empty() && cell.bytes().all(|b| b == b'-')
        })
}

/// A table row's cells, at most `columns` (the rest joins the last cell, pipes and all). A pipe
/// written `\|` is text.
fn cells(line: &str, columns: usize) -> Vec<Vec<Inline>> {
    let inner = line.strip_prefix('|').unwrap_or(line);
    let inner = if inner.ends_with('|') && !inner.ends_with("\\|") { &inner[..inner.len() - 1] } else { inner };
    let mut parts: Vec<String> = vec![String::new()];
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'|') => {
                chars.next();
                if let Some(p) = parts.last_mut() {
                    p.push('|');
                }
            }
            '|' if parts.len() < columns.max(1) => parts.push(String::new()),
            other => {
                if let Some(p) = parts.last_mut() {
                    p.push(other);
                }
            }
        }
    }
    parts.iter().map(|cell| inlines(cell.trim())).collect()
}

/// Parses one line's worth of inline markup.
pub fn inlines(text: &str) -> Vec<Inline> {
    InlineParser::default().parse(text, 0, true)
}

fn flush_paragraph(blocks: &mut Vec<Block>, paragraph: &mut Vec<&str>) {
    if !paragraph.is_empty() {
        blocks.push(Block::Paragraph { content: inlines(&paragraph.join(" ")) });
        paragraph.clear();
    }
}

fn heading(line: &str) -> Option<(u8, &str)> {
    let hashes = line.bytes().take_while(|&b| b == b'#').count();
    let rest = line.get(hashes..)?;
    ((1..=6).contains(&hashes) && rest.starts_with(' ')).then(|| (hashes as u8, rest.trim()))
}

struct ListMarker<'a> {
    ordered: bool,
    start: u32,
    text: &'a str,
}

fn list_marker(line: &str) -> Option<ListMarker<'_>> {
    for bullet in ["- ", "* ", "+ ", "• "] {
        if let Some(text) = line.strip_prefix(bullet) {
            return Some(ListMarker { ordered: false, start: 1, text: text.trim() });
        }
    }
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    if !(1..=9).contains(&digits) {
        return None;
    }
    let rest = line.get(digits..)?;
    let text = rest.strip_prefix(". ").or_else(|| rest.strip_prefix(") "))?;
    let start = line.get(..digits)?.parse().ok()?;
    Some(ListMarker { ordered: true, start, text: text.trim() })
}

/// Delimiters whose failed searches are remembered, so hostile input stays linear.
#[derive(Clone, Copy)]
enum Delimiter {
    Backtick,
    DoubleStar,
    DoubleUnderscore,
    Star,
    Underscore,
    LinkMiddle,
    CloseParen,
    OpenBracket,
}

#[derive(Default)]
struct InlineParser {
    /// For each delimiter, the earliest position from which a search found nothing: later searches also fail.
    failed_from: [Option<usize>; 8],
    /// For each delimiter, the last successful search (from, found): a search starting between the
    /// two finds the same position without scanning again (an opener whose construct is then
    /// rejected, such as `[[[[...](url)`, would otherwise rescan the same stretch each time).
    found: [Option<(usize, usize)>; 8],
    /// Bytes scanned and positions visited, for the tests that show the parser stays linear.
    steps: usize,
}

impl InlineParser {
    fn parse(&mut self, text: &str, depth: u8, links: bool) -> Vec<Inline> {
        // Searches are relative to this text; a fresh cache per nested span keeps positions consistent.
        let saved = (std::mem::take(&mut self.failed_from), std::mem::take(&mut self.found));
        let out = self.parse_span(text, depth, links);
        (self.failed_from, self.found) = saved;
        out
    }

    fn parse_span(&mut self, text: &str, depth: u8, links: bool) -> Vec<Inline> {
        let bytes = text.as_bytes();
        let mut out = Vec::new();
        let mut plain = String::new();
        let mut i = 0;
        let mut run_start = 0;
        while i < bytes.len() {
            self.steps += 1;
            let b = bytes[i];
            if !matches!(b, b'\\' | b'`' | b'*' | b'_' | b'[' | b'h') {
                i += 1;
                continue;
            }
            plain.push_str(&text[run_start..i]);
            run_start = i;
            let consumed = match b {
                b'\\' => match bytes.get(i + 1) {
                    Some(next) if next.is_ascii_punctuation() => {
                        plain.push(*next as char);
                        Some(i + 2)
                    }
                    _ => None,
                },
                b'`' => self.find(text, i + 1, Delimiter::Backtick).filter(|&j| j > i + 1).map(|j| {
                    push_text(&mut out, &mut plain);
                    out.push(Inline::Code { text: text[i + 1..j].to_owned() });
                    j + 1
                }),
                b'*' | b'_' if depth < MAX_DEPTH => self.emphasis(text, i, depth, links, &mut out, &mut plain),
                b'[' if links && depth < MAX_DEPTH => self.link(text, i, depth, &mut out, &mut plain),
                b'h' if links => autolink(text, i, &mut self.steps).inspect(|&end| {
                    push_text(&mut out, &mut plain);
                    let href = &text[i..end];
                    out.push(Inline::Link {
                        href: href.to_owned(),
                        content: vec![Inline::Text { text: href.to_owned() }],
                    });
                }),
                _ => None,
            };
            match consumed {
                Some(next) => {
                    i = next;
                    run_start = next;
                }
                None => i += 1,
            }
        }
        plain.push_str(&text[run_start..]);
        push_text(&mut out, &mut plain);
        out
    }

    fn emphasis(
        &mut self,
        text: &str,
        i: usize,
        depth: u8,
        links: bool,
        out: &mut Vec<Inline>,
        plain: &mut String,
    ) -> Option<usize> {
        let bytes = text.as_bytes();
        let marker = bytes[i];
        // Underscores inside words (snake_case) are text.
        if marker == b'_' && i > 0 && bytes[i - 1].is_ascii_alphanumeric() {
            return None;
        }
        let double = bytes.get(i + 1) == Some(&marker);
        let width = if double { 2 } else { 1 };
        let start = i + width;
        if bytes.get(start).is_none_or(|b| b.is_ascii_whitespace()) {
            return None;
        }
        let delimiter = match (marker, double) {
            (b'*', true) => Delimiter::DoubleStar,
            (b'*', false) => Delimiter::Star,
            (_, true) => Delimiter::DoubleUnderscore,
            (_, false) => Delimiter::Underscore,
        };
        let close = self.find(text, start + 1, delimiter)?;
        if bytes[close - 1].is_ascii_whitespace() {
            return None;
        }
        let inner = self.parse(&text[start..close], depth + 1, links);
        push_text(out, plain);
        out.push(if double { Inline::Strong { content: inner } } else { Inline::Emphasis { content: inner } });
        Some(close + width)
    }

    fn link(&mut self, text: &str, i: usize, depth: u8, out: &mut Vec<Inline>, plain: &mut String) -> Option<usize> {
        let middle = self.find(text, i + 1, Delimiter::LinkMiddle)?;
        // A label holds no `[`: the next opener comes after the middle (a cached search, so a run
        // of openers costs one scan in all, not one each).
        if middle == i + 1 || self.find(text, i + 1, Delimiter::OpenBracket).is_some_and(|open| open < middle) {
            return None;
        }
        let close = self.find(text, middle + 2, Delimiter::CloseParen)?;
        if close - (middle + 2) > MAX_HREF {
            return None;
        }
        let label = &text[i + 1..middle];
        let href = text[middle + 2..close].trim();
        self.steps += href.len();
        if !is_safe_href(href) {
            // Not a link we allow: the whole construct stays visible as text.
            return None;
        }
        let content = self.parse(label, depth + 1, false);
        push_text(out, plain);
        out.push(Inline::Link { href: href.to_owned(), content });
        Some(close + 1)
    }

    /// Position of the delimiter at or after `from`, remembering failures.
    fn find(&mut self, text: &str, from: usize, delimiter: Delimiter) -> Option<usize> {
        let slot = delimiter as usize;
        if self.failed_from[slot].is_some_and(|failed| from >= failed) {
            return None;
        }
        if let Some((searched, at)) = self.found[slot]
            && (searched..=at).contains(&from)
        {
            return Some(at);
        }
        let whole = text.as_bytes();
        let found = text.get(from..).and_then(|rest| {
            let bytes = rest.as_bytes();
            let single = |marker: u8| {
                // A lone marker: not part of a double one, and not opening a word. The byte before
                // is read from the whole text, so the answer does not depend on where the search began.
                (0..bytes.len()).find(|&j| {
                    bytes[j] == marker
                        && bytes.get(j + 1) != Some(&marker)
                        && (from + j == 0 || whole[from + j - 1] != marker)
                        && (marker != b'_' || bytes.get(j + 1).is_none_or(|b| !b.is_ascii_alphanumeric()))
                })
            };
            match delimiter {
                Delimiter::Backtick => rest.find('`'),
                Delimiter::DoubleStar => rest.find("**"),
                Delimiter::DoubleUnderscore => rest.find("__"),
                Delimiter::Star => single(b'*'),
                Delimiter::Underscore => single(b'_'),
                Delimiter::LinkMiddle => rest.find("]("),
                Delimiter::CloseParen => rest.find(')'),
                Delimiter::OpenBracket => rest.find('['),
            }
            .map(|j| j + from)
        });
        self.steps += found.map_or(text.len().saturating_sub(from), |at| at + 1 - from);
        match found {
            Some(at) => self.found[slot] = Some((from, at)),
            None => self.failed_from[slot] = Some(self.failed_from[slot].map_or(from, |f| f.min(from))),
        }
        found
    }
}

/// End of a bare `http(s)://` URL starting at `i`, if one starts there at a word boundary. A URL
/// ends where a character it may not hold begins (so an unsafe one ends early instead of being
/// rescanned by every opener before it), and one longer than [`MAX_HREF`] stays text.
fn autolink(text: &str, i: usize, steps: &mut usize) -> Option<usize> {
    let rest = &text[i..];
    if !(rest.starts_with("https://") || rest.starts_with("http://")) {
        return None;
    }
    if i > 0 && !matches!(text.as_bytes()[i - 1], b' ' | b'(' | b'\t' | b'\n') {
        return None;
    }
    let mut end = (MAX_HREF + 1).min(rest.len());
    while !rest.is_char_boundary(end) {
        end -= 1;
    }
    let window = &rest[..end];
    let ends = |c: char| c.is_whitespace() || c.is_control() || c == '<' || c == '>' || c == '"';
    let len = match window.find(ends) {
        Some(len) => len,
        None if window.len() > MAX_HREF => return None,
        None => window.len(),
    };
    *steps += len;
    let url = rest[..len].trim_end_matches(['.', ',', ';', ':', '!', '?', ')', '\'']);
    (url.len() > "https://".len() && is_safe_href(url)).then_some(i + url.len())
}

fn push_text(out: &mut Vec<Inline>, plain: &mut String) {
    if plain.is_empty() {
        return;
    }
    let text = std::mem::take(plain);
    if let Some(Inline::Text { text: last }) = out.last_mut() {
        last.push_str(&text);
    } else {
        out.push(Inline::Text { text });
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    fn t(text: &str) -> Inline {
        Inline::Text { text: text.to_owned() }
    }

    fn check(source: &str, expected: Vec<Inline>) {
        assert_eq!(inlines(source), expected, "source: {source:?}");
    }

    /// Issue 26, item 4: a table was published as a line of pipes.
    #[test]
    fn tables_keep_their_rows_and_cells() {
        let source = "Before.\n\n| Region | Lost | Note |\n|---|:--:|---|\n| US-east | **66%** | a \\| b |\n| Singapore | 12% |\n| x | y | z | extra |\nAfter.";
        let blocks = parse(source);
        let cell = |text: &str| vec![t(text)];
        assert_eq!(blocks[0], Block::Paragraph { content: vec![t("Before.")] });
        assert_eq!(
            blocks[1],
            Block::Table {
                header: vec![cell("Region"), cell("Lost"), cell("Note")],
                rows: vec![
                    vec![cell("US-east"), vec![Inline::Strong { content: vec![t("66%")] }], cell("a | b")],
                    vec![cell("Singapore"), cell("12%"), vec![]],
                    vec![cell("x"), cell("y"), cell("z | extra")],
                ],
            }
        );
        assert_eq!(blocks[2], Block::Paragraph { content: vec![t("After.")] });
        // Pipes without a rule under them are text, as before.
        assert_eq!(parse("| a | b |\n| c | d |"), vec![Block::Paragraph { content: vec![t("| a | b | | c | d |")] }]);
        assert!(!is_table_rule("|---|"[..0].trim()));
        assert!(is_table_rule("| --- | :-: |"));
        assert!(!is_table_rule("|   |"));
    }

    #[test]
    fn inline_markup() {
        check("plain text", vec![t("plain text")]);
        check("a **b** c", vec![t("a "), Inline::Strong { content: vec![t("b")] }, t(" c")]);
        check("a *b* c", vec![t("a "), Inline::Emphasis { content: vec![t("b")] }, t(" c")]);
        check("run `td query`", vec![t("run "), Inline::Code { text: "td query".into() }]);
        check(
            "*em **strong** em*",
            vec![Inline::Emphasis { content: vec![t("em "), Inline::Strong { content: vec![t("strong")] }, t(" em")] }],
        );
        check("td_agent and fluent_bit", vec![t("td_agent and fluent_bit")]);
        check("2 * 3 * 4", vec![t("2 * 3 * 4")]);
        check("\\*not em\\*", vec![t("*not em*")]);
        check("**unclosed", vec![t("**unclosed")]);
    }

    #[test]
    fn links_keep_only_safe_schemes() {
        let link = |href: &str, text: &str| Inline::Link { href: href.into(), content: vec![t(text)] };
        check("[docs](https://example.com/a)", vec![link("https://example.com/a", "docs")]);
        check("[mail](mailto:support@example.com)", vec![link("mailto:support@example.com", "mail")]);
        check("[x](javascript:alert(1))", vec![t("[x](javascript:alert(1))")]);
        check("[x](JaVaScRiPt:alert(1))", vec![t("[x](JaVaScRiPt:alert(1))")]);
        check("[x](data:text/html,hi)", vec![t("[x](data:text/html,hi)")]);
        check(
            "see http://www.postgresql.org/docs/9.3/static/sql-analyze.html.",
            vec![
                t("see "),
                link(
                    "http://www.postgresql.org/docs/9.3/static/sql-analyze.html",
                    "http://www.postgresql.org/docs/9.3/static/sql-analyze.html",
                ),
                t("."),
            ],
        );
        check("javascript:alert(1)", vec![t("javascript:alert(1)")]);
    }

    #[test]
    fn html_stays_text() {
        check("<script>alert(1)</script>", vec![t("<script>alert(1)</script>")]);
        check("<img src=x onerror=alert(1)>", vec![t("<img src=x onerror=alert(1)>")]);
        check("&lt;b&gt;", vec![t("&lt;b&gt;")]);
    }

    #[test]
    fn blocks() {
        let doc = "# Summary\n\nFirst line\nsame paragraph.\n\n- one\n- two\n  continued\n\n1. a\n2. b\n\n```\nraw *text*\n```";
        assert_eq!(
            parse(doc),
            vec![
                Block::Heading { level: 1, content: vec![t("Summary")] },
                Block::Paragraph { content: vec![t("First line same paragraph.")] },
                Block::List { ordered: false, start: 1, items: vec![vec![t("one")], vec![t("two continued")]] },
                Block::List { ordered: true, start: 1, items: vec![vec![t("a")], vec![t("b")]] },
                Block::Code { text: "raw *text*".into() },
            ]
        );
    }

    #[test]
    fn loose_lists_stay_one_list() {
        let doc = "• first\n\n• second\n\nafter";
        assert_eq!(
            parse(doc),
            vec![
                Block::List { ordered: false, start: 1, items: vec![vec![t("first")], vec![t("second")]] },
                Block::Paragraph { content: vec![t("after")] },
            ]
        );
    }

    /// Steps the inline parser takes on `text`.
    fn steps(text: &str) -> usize {
        let mut parser = InlineParser::default();
        let _ = parser.parse(text, 0, true);
        parser.steps
    }

    /// Doubling the input at most (about) doubles the work, for every hostile shape: counted in
    /// parser steps, not timed.
    #[test]
    fn parse_work_is_linear_in_the_input() {
        type Shape = fn(usize) -> String;
        let shapes: [(&str, Shape); 10] = [
            ("rejected link openers", |n| "[".repeat(n) + "](https://a.example)"),
            ("unsafe links", |n| "[a](javascript:x)".repeat(n)),
            ("link middles without a close", |n| "[a](".repeat(n)),
            ("stars around one word", |n| "*".repeat(n) + "x" + &"*".repeat(n)),
            ("unclosed emphasis", |n| "*a ".repeat(n)),
            ("unclosed strong", |n| "**a ".repeat(n)),
            ("backticks", |n| "`a".repeat(n)),
            ("underscores in words", |n| "_a_b".repeat(n)),
            ("autolinks ending in a control character", |n| "(http://x".repeat(n) + "\u{1}"),
            ("links sharing a far close", |n| "[a](https://x".repeat(n) + "\u{1})"),
        ];
        for (name, shape) in shapes {
            let (small, large) = (steps(&shape(2_000)), steps(&shape(4_000)));
            assert!(large <= small * 5 / 2, "{name}: {small} steps for n, {large} for 2n");
        }
    }

    #[test]
    fn hostile_input_stays_linear_and_bounded() {
        let deep = "*".repeat(10_000) + "x" + &"*".repeat(10_000);
        let _ = parse(&deep);
        let brackets = "[a](".repeat(20_000);
        assert_eq!(parse(&brackets), vec![Block::Paragraph { content: vec![t(&brackets)] }]);
        let ticks = "`a".repeat(20_000);
        let _ = parse(&ticks);
    }
}
