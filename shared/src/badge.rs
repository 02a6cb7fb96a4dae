//! The status badge: an SVG with a label, the status text, a colour and a shape, so it never
//! relies on colour alone. Text is escaped; the label is capped in length.

use crate::component::ComponentStatus;
use crate::embed;
use crate::feed::xml;
use crate::limits;
use crate::status::{Indicator, Status};
use crate::views::Summary;
use crate::wire::{ComponentId, Timestamp};

/// Longest label kept, in characters.
pub const MAX_LABEL: usize = 40;

/// Colour of an indicator; white text on each has at least 4.5:1 contrast.
pub fn colour(indicator: Indicator) -> &'static str {
    match indicator {
        Indicator::None => "#1a7f37",
        Indicator::Minor => "#9a6700",
        Indicator::Major => "#bc4c00",
        Indicator::Critical => "#cf222e",
        Indicator::Maintenance => "#0969da",
        Indicator::Unknown => "#59636e",
    }
}

/// A 10x10 shape drawn at (x, 5): check in a circle, triangle, diamond, cross, or wrench-like bar.
fn shape(indicator: Indicator, x: u32) -> String {
    match indicator {
        Indicator::None => format!(
            "<circle cx=\"{}\" cy=\"10\" r=\"5\" fill=\"#fff\"/><path d=\"M{} 10l2 2 4-4\" stroke=\"{}\" stroke-width=\"1.6\" fill=\"none\"/>",
            x + 5,
            x + 2,
            colour(indicator)
        ),
        Indicator::Minor | Indicator::Unknown => format!("<path d=\"M{} 15h10l-5-10z\" fill=\"#fff\"/>", x),
        Indicator::Major => format!("<path d=\"M{} 10l5-5 5 5-5 5z\" fill=\"#fff\"/>", x),
        Indicator::Critical => {
            format!("<path d=\"M{} 6l8 8m0-8l-8 8\" stroke=\"#fff\" stroke-width=\"2.2\"/>", x + 1)
        }
        Indicator::Maintenance => {
            format!("<rect x=\"{}\" y=\"5\" width=\"10\" height=\"10\" rx=\"2\" fill=\"#fff\"/>", x)
        }
    }
}

/// The status page's icon for `indicator`: the badge's shape, white on the status colour, in a
/// rounded square (a browser tab then shows the status, in shape as well as colour).
pub fn favicon(indicator: Indicator) -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 20 20\" width=\"32\" height=\"32\">\
         <rect width=\"20\" height=\"20\" rx=\"4\" fill=\"{}\"/>{}</svg>",
        colour(indicator),
        shape(indicator, 5)
    )
}

/// Rough width of text in 11px Verdana: enough to size the badge without a font.
fn text_width(text: &str) -> u32 {
    text.chars()
        .map(|c| {
            if c.is_ascii_uppercase() || c == 'm' || c == 'w' {
                8
            } else if c.is_ascii() {
                6
            } else {
                11
            }
        })
        .sum()
}

/// What a stale badge adds to its text: the edge serves its last good copy because the store
/// cannot be reached, so the status may have changed since.
pub const STALE_NOTE: &str = " (may be out of date)";

/// The badge for `status`, labelled `label` (trimmed and capped). A `stale` badge (drawn from the
/// last good copy) says so in its text and trades the status colour for grey: never a confident
/// green that nobody confirmed.
pub fn svg(label: &str, status: &Status, stale: bool) -> String {
    let label: String = label.trim().chars().take(MAX_LABEL).collect();
    let label = if label.is_empty() { "status".to_owned() } else { label };
    let text = if stale { format!("{}{STALE_NOTE}", status.description) } else { status.description.clone() };
    let text = &text;
    let left = text_width(&label) + 12;
    let right = text_width(text) + 30;
    let width = left + right;
    let fill = if stale { colour(Indicator::Unknown) } else { colour(status.indicator) };
    let (label, text) = (xml(&label), xml(text));
    format!(
        concat!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"20\" role=\"img\" aria-label=\"{label}: {text}\">",
            "<title>{label}: {text}</title>",
            "<rect width=\"{left}\" height=\"20\" fill=\"#3d444d\"/>",
            "<rect x=\"{left}\" width=\"{right}\" height=\"20\" fill=\"{fill}\"/>",
            "{shape}",
            "<g fill=\"#fff\" font-family=\"Verdana,DejaVu Sans,sans-serif\" font-size=\"11\">",
            "<text x=\"6\" y=\"14\">{label}</text>",
            "<text x=\"{text_x}\" y=\"14\">{text}</text>",
            "</g></svg>"
        ),
        width = width,
        left = left,
        right = right,
        fill = fill,
        label = label,
        text = text,
        shape = shape(status.indicator, left + 6),
        text_x = left + 22,
    )
}

/// Reads `?components=` as the widget reads its attribute (commas or spaces), keeping the first
/// [`limits::COMPONENT_CHANGES`] distinct ids of at most [`limits::ID_CHARS`] characters: a query
/// cannot make the edge compare unbounded text.
pub fn filter(query: &str) -> Vec<ComponentId> {
    embed::component_filter(query, limits::COMPONENT_CHANGES)
}

/// The badge of the components `filter` names (a group stands for its children), by the widget's
/// rules (`embed::shown_indicator`). Naming components the page knows, it is labelled with their
/// names and speaks of them in a component's words ("Operational", "Major outage"); naming none,
/// it is the whole page's badge ("status", "All Systems Operational").
pub fn scoped(summary: &Summary<'_>, filter: &[ComponentId], now: Timestamp) -> (String, Status) {
    let known: Vec<&str> = filter
        .iter()
        .filter_map(|id| summary.components.iter().find(|c| &c.id == id))
        .map(|c| c.name.as_str())
        .collect();
    let indicator = embed::shown_indicator(summary, filter, now);
    if known.is_empty() {
        return ("status".to_owned(), indicator.into());
    }
    let words = component_words(indicator.as_component());
    (names(&known), Status { indicator, description: words.to_owned() })
}

/// The names of a badge's components, joined while they fit its label ("US, EU"), else the first
/// with how many more ("US API +2").
fn names(known: &[&str]) -> String {
    let all = known.join(", ");
    match known {
        [first, rest @ ..] if all.chars().count() > MAX_LABEL && !rest.is_empty() => {
            let first: String = first.chars().take(MAX_LABEL - 4).collect();
            format!("{first} +{}", rest.len())
        }
        _ => all,
    }
}

/// A component status in the badge's English (the edge's badges are English, as Statuspage's are).
fn component_words(status: ComponentStatus) -> &'static str {
    match status {
        ComponentStatus::Operational => "Operational",
        ComponentStatus::DegradedPerformance => "Degraded performance",
        ComponentStatus::PartialOutage => "Partial outage",
        ComponentStatus::MajorOutage => "Major outage",
        ComponentStatus::UnderMaintenance => "Under maintenance",
        ComponentStatus::Unknown => "Status unknown",
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    /// Review 2, finding 12: a badge drawn from the last good copy looked exactly like a fresh one.
    #[test]
    fn a_stale_badge_says_so_and_is_never_green() {
        let svg = svg("status", &Indicator::None.into(), true);
        assert!(svg.contains("aria-label=\"status: All Systems Operational (may be out of date)\""), "{svg}");
        assert!(!svg.contains(&format!("fill=\"{}\"/>", colour(Indicator::None))), "{svg}");
        assert_ne!(svg, super::svg("status", &Indicator::None.into(), false));
    }

    #[test]
    fn badge_names_the_status_in_text_and_shape() {
        let svg = svg("status", &Indicator::Major.into(), false);
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(svg.contains("aria-label=\"status: Partial System Outage\""));
        assert!(svg.contains("M") && svg.contains(colour(Indicator::Major)));
        let shapes: std::collections::HashSet<String> =
            [Indicator::None, Indicator::Minor, Indicator::Major, Indicator::Critical, Indicator::Maintenance]
                .iter()
                .map(|i| shape(*i, 0).replace(colour(*i), ""))
                .collect();
        assert_eq!(shapes.len(), 5, "every indicator has its own shape");
    }

    #[test]
    fn a_components_badge_shows_their_status_under_their_name() {
        use crate::component::ComponentStatus;
        use crate::testing::{at, component, page};
        use std::borrow::Cow;
        let mut group = component("us", ComponentStatus::Operational);
        group.group = true;
        group.components = vec!["us-api".into()];
        let mut api = component("us-api", ComponentStatus::MajorOutage);
        api.group_id = Some("us".into());
        let eu = component("eu", ComponentStatus::Operational);
        let summary = Summary {
            page: Cow::Owned(page().page),
            status: Indicator::Critical.into(),
            components: Cow::Owned(vec![group, api, eu]),
            incidents: Vec::new(),
            scheduled_maintenances: Vec::new(),
        };
        let said = |filter_text: &str| {
            let (label, status) = scoped(&summary, &filter(filter_text), at(0));
            (label, status.indicator, status.description)
        };
        // Issue 26, item 6: a component's badge spoke of the whole page ("All Systems Operational").
        assert_eq!(said("eu"), ("EU".into(), Indicator::None, "Operational".into()), "named after the component");
        assert_eq!(
            said("us"),
            ("US".into(), Indicator::Critical, "Major outage".into()),
            "a group stands for its children"
        );
        assert_eq!(
            said("nope"),
            ("status".into(), Indicator::Critical, "Major System Outage".into()),
            "unknown: the whole page"
        );
        assert_eq!(said("eu,us"), ("EU, US".into(), Indicator::Critical, "Major outage".into()), "both named");
        assert_eq!(
            names(&["A very long component name", "Another long one", "Third"]),
            "A very long component name +2"
        );
        assert_eq!(names(&[&"x".repeat(60)]), "x".repeat(60), "one name is capped by the badge, not here");
        assert_eq!(filter(&format!("a,{},b c", "x".repeat(65))), [ComponentId::from("a"), "b".into(), "c".into()]);
        assert_eq!(filter(&"a,".repeat(1000)).len(), 1, "distinct ids");
        let many: Vec<String> = (0..1000).map(|i| format!("c{i}")).collect();
        assert_eq!(filter(&many.join(",")).len(), limits::COMPONENT_CHANGES);
    }

    #[test]
    fn label_is_escaped_and_capped() {
        let svg = svg(&format!("<script>{}", "x".repeat(100)), &Indicator::None.into(), false);
        assert!(!svg.contains("<script>"));
        assert!(svg.contains("&lt;script&gt;"));
        assert!(!svg.contains(&"x".repeat(MAX_LABEL)));
    }

    #[test]
    fn the_favicon_has_each_status_colour_and_shape() {
        let icons: Vec<String> =
            Indicator::WIRE.iter().map(|(i, _)| favicon(*i)).chain([favicon(Indicator::Unknown)]).collect();
        for (icon, (indicator, _)) in icons.iter().zip(Indicator::WIRE) {
            assert!(icon.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""), "{icon}");
            assert!(icon.contains(&format!("fill=\"{}\"", colour(*indicator))), "{icon}");
        }
        let distinct: std::collections::HashSet<&String> = icons.iter().collect();
        assert_eq!(distinct.len(), icons.len(), "one icon per status");
    }
}
