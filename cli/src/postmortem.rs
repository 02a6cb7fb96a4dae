//! A postmortem written as a Markdown file, turned into the write API's draft.
//!
//! ```text
//! # Title (optional, ignored)
//! The first paragraph is the summary.
//!
//! ## A section
//! Body in sitrep's safe Markdown subset.
//!
//! ## Action items
//! - [x] something done
//! - [ ] something to do
//! ```

use serde_json::{Value, json};

/// The draft for `PUT /api/v2/admin/incidents/{id}/postmortem`.
pub fn draft(markdown: &str, language: Option<&str>) -> Value {
    let mut summary = Vec::new();
    let mut sections: Vec<(String, Vec<&str>)> = Vec::new();
    for line in markdown.lines() {
        if let Some(title) = line.strip_prefix("## ") {
            sections.push((title.trim().to_owned(), Vec::new()));
        } else if line.starts_with("# ") && sections.is_empty() && summary.is_empty() {
            continue;
        } else if let Some((_, body)) = sections.last_mut() {
            body.push(line);
        } else {
            summary.push(line);
        }
    }
    let summary = summary.join("\n").trim().split("\n\n").next().unwrap_or("").replace('\n', " ");
    let mut action_items = Vec::new();
    let mut kept = Vec::new();
    for (title, body) in sections {
        if title.eq_ignore_ascii_case("action items") {
            for line in body {
                let line = line.trim();
                if let Some(text) = line.strip_prefix("- [x] ").or_else(|| line.strip_prefix("- [X] ")) {
                    action_items.push(json!({ "text": text.trim(), "done": true }));
                } else if let Some(text) = line.strip_prefix("- [ ] ").or_else(|| line.strip_prefix("- ")) {
                    action_items.push(json!({ "text": text.trim(), "done": false }));
                }
            }
        } else {
            kept.push(json!({ "title": title, "body": body.join("\n").trim() }));
        }
    }
    json!({ "summary": summary, "language": language, "sections": kept, "action_items": action_items })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_summary_and_action_items() {
        let md = "# Outage\nWe lost events.\nSorry.\n\nMore.\n\n## Cause\nA **bad** deploy.\n\n- one\n\n## Action items\n- [x] Roll back\n- [ ] Canary\n";
        let got = draft(md, Some("en"));
        assert_eq!(got["summary"], "We lost events. Sorry.");
        assert_eq!(got["sections"][0]["title"], "Cause");
        assert_eq!(got["sections"][0]["body"], "A **bad** deploy.\n\n- one");
        assert_eq!(
            got["action_items"],
            json!([{ "text": "Roll back", "done": true }, { "text": "Canary", "done": false }])
        );
    }
}
