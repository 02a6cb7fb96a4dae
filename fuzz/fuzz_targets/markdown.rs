//! The safe Markdown subset on arbitrary text: no panic, no unsafe link, and output no larger than
//! the input allows.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sitrep_shared::markdown::{self, Block, Inline};

fn check(inlines: &[Inline], budget: &mut usize) {
    for inline in inlines {
        *budget = budget.checked_sub(1).expect("the tree grows at most linearly with the input");
        match inline {
            Inline::Text { .. } | Inline::Code { .. } => {}
            Inline::Strong { content } | Inline::Emphasis { content } => check(content, budget),
            Inline::Link { href, content } => {
                assert!(markdown::is_safe_href(href), "unsafe link {href:?}");
                check(content, budget);
            }
        }
    }
}

fuzz_target!(|text: &str| {
    let mut budget = text.len() * 2 + 16;
    for block in markdown::parse(text) {
        match block {
            Block::Paragraph { content } | Block::Heading { content, .. } => check(&content, &mut budget),
            Block::List { items, .. } => items.iter().for_each(|item| check(item, &mut budget)),
            Block::Code { .. } => {}
            Block::Table { header, rows } => {
                header.iter().chain(rows.iter().flatten()).for_each(|cell| check(cell, &mut budget))
            }
        }
    }
    check(&markdown::inlines(text), &mut budget);
});
