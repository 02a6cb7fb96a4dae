//! Reads the read API's JSON into `sitrep_shared`'s types through the browser's `JSON.parse`.
//!
//! serde's derived code for the whole model was the largest part of the widget (see
//! `cargo xtask bench widget`), and the browser already has a JSON parser. This reader is as
//! tolerant as shared's serde reader (unknown fields ignored, unknown enum values `Unknown`, `null`
//! lists empty) and as strict about what it needs: a document missing a required field (an id, a
//! name, a timestamp) is rejected whole, so the widget never shows part of a page as if it were all of it.
//! Fields the widget never shows are left at their defaults.

use std::borrow::Cow;

use js_sys::{Array, JSON, Reflect};
use sitrep_shared::postmortem::{ActionItem, ImpactWindow, Postmortem, Precision, Section, TimelineEntry};
use sitrep_shared::uptime::{ComponentUptime, DayUptime, UptimeDocument};
use sitrep_shared::views::{PostmortemEntry, PostmortemsDocument, Summary};
use sitrep_shared::{
    AffectedComponent, Component, ComponentStatus, Impact, Incident, IncidentStatus, IncidentUpdate, Indicator, Page,
    Status, Timestamp,
};
use wasm_bindgen::JsValue;

use crate::fetch::Error;

/// A JSON object from `JSON.parse`.
struct Obj(JsValue);

impl Obj {
    fn get(&self, key: &str) -> JsValue {
        Reflect::get(&self.0, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
    }

    fn text(&self, key: &str) -> Option<String> {
        self.get(key).as_string()
    }

    fn text_or_empty(&self, key: &str) -> String {
        self.text(key).unwrap_or_default()
    }

    fn flag(&self, key: &str) -> bool {
        self.get(key).as_bool().unwrap_or(false)
    }

    fn number(&self, key: &str) -> Option<f64> {
        self.get(key).as_f64()
    }

    fn time(&self, key: &str) -> Option<Timestamp> {
        time(&self.text(key)?)
    }

    fn object(&self, key: &str) -> Option<Obj> {
        object(self.get(key))
    }

    /// Every item read by `read`; `None` if any item fails. A missing or `null` list is empty.
    /// A plain loop: iterator adapters collecting into `Option<Vec<T>>` cost kilobytes per `T`.
    fn list<T>(&self, key: &str, read: impl Fn(Obj) -> Option<T>) -> Option<Vec<T>> {
        let items = self.array(key)?;
        let mut out = Vec::with_capacity(items.length() as usize);
        for i in 0..items.length() {
            out.push(read(object(items.get(i))?)?);
        }
        Some(out)
    }

    /// The array at `key` (empty when missing or `null`); `None` when it is something else.
    fn array(&self, key: &str) -> Option<Array> {
        let value = self.get(key);
        if value.is_undefined() || value.is_null() {
            return Some(Array::new());
        }
        Array::is_array(&value).then(|| Array::from(&value))
    }

    fn texts(&self, key: &str) -> Option<Vec<String>> {
        let value = self.get(key);
        if !Array::is_array(&value) {
            return Some(Vec::new());
        }
        Some(Array::from(&value).iter().filter_map(|v| v.as_string()).collect())
    }
}

fn object(value: JsValue) -> Option<Obj> {
    (value.is_object() && !Array::is_array(&value)).then_some(Obj(value))
}

/// An RFC 3339 instant through `Date.parse` (any offset; `NaN` for anything else).
fn time(text: &str) -> Option<Timestamp> {
    let millis = js_sys::Date::parse(text);
    if millis.is_finite() { Timestamp::from_unix_millis(millis as i64) } else { None }
}

fn parse(text: &str) -> Result<Obj, Error> {
    let value = JSON::parse(text).map_err(|_| Error::Invalid("not JSON".into()))?;
    object(value).ok_or_else(|| Error::Invalid("not a JSON object".into()))
}

fn required<T>(what: &str, value: Option<T>) -> Result<T, Error> {
    value.ok_or_else(|| Error::Invalid(format!("{what} is missing or malformed")))
}

fn page(o: &Obj) -> Option<Page> {
    Some(Page {
        id: o.text_or_empty("id").as_str().into(),
        name: o.text("name")?,
        url: o.text_or_empty("url"),
        time_zone: o.text_or_empty("time_zone"),
        updated_at: o.time("updated_at")?,
    })
}

fn component(o: Obj) -> Option<Component> {
    Some(Component {
        id: o.text("id")?.as_str().into(),
        page_id: Default::default(),
        name: o.text("name")?,
        description: o.text("description"),
        status: ComponentStatus::from_wire(&o.text_or_empty("status")),
        position: o.number("position").map_or(0, |p| p as i64),
        group_id: o.text("group_id").map(|g| g.as_str().into()),
        group: o.flag("group"),
        only_show_if_degraded: o.flag("only_show_if_degraded"),
        showcase: o.flag("showcase"),
        start_date: None,
        created_at: o.time("created_at")?,
        updated_at: o.time("updated_at")?,
        components: o.texts("components")?.iter().map(|c| c.as_str().into()).collect(),
    })
}

fn status(text: Option<String>) -> Option<ComponentStatus> {
    text.map(|s| ComponentStatus::from_wire(&s))
}

fn affected(o: Obj) -> Option<AffectedComponent> {
    Some(AffectedComponent {
        code: o.text("code").map(|c| c.as_str().into()),
        name: o.text_or_empty("name"),
        old_status: status(o.text("old_status")),
        new_status: status(o.text("new_status")),
    })
}

fn update(o: Obj) -> Option<IncidentUpdate> {
    Some(IncidentUpdate {
        id: o.text("id")?.as_str().into(),
        incident_id: o.text_or_empty("incident_id").as_str().into(),
        status: IncidentStatus::from_wire(&o.text_or_empty("status")),
        body: o.text_or_empty("body"),
        created_at: o.time("created_at")?,
        updated_at: o.time("updated_at")?,
        display_at: o.time("display_at"),
        affected_components: o.list("affected_components", affected)?,
        language: o.text("language"),
        reopened: o.flag("reopened"),
        edited_at: o.time("edited_at"),
    })
}

fn incident(o: Obj) -> Option<Incident> {
    Some(Incident {
        id: o.text("id")?.as_str().into(),
        page_id: Default::default(),
        name: o.text("name")?,
        status: IncidentStatus::from_wire(&o.text_or_empty("status")),
        impact: Impact::from_wire(&o.text_or_empty("impact")),
        started_at: o.time("started_at"),
        created_at: o.time("created_at")?,
        updated_at: o.time("updated_at")?,
        monitoring_at: o.time("monitoring_at"),
        resolved_at: o.time("resolved_at"),
        shortlink: o.text("shortlink"),
        incident_updates: o.list("incident_updates", update)?,
        components: o.list("components", component)?,
        scheduled_for: o.time("scheduled_for"),
        scheduled_until: o.time("scheduled_until"),
        postmortem: None,
        cancelled_at: None,
        auto_transition: false,
    })
}

/// `/api/v2/summary.json`.
pub fn summary(text: &str) -> Result<Summary<'static>, Error> {
    let o = parse(text)?;
    let page = required("page", o.object("page").as_ref().and_then(page))?;
    let indicator = o.object("status").and_then(|s| s.text("indicator"));
    let indicator = required("status.indicator", indicator.map(|i| Indicator::from_wire(&i)))?;
    Ok(Summary {
        page: Cow::Owned(page),
        status: Status::from(indicator),
        components: Cow::Owned(required("components", o.list("components", component))?),
        incidents: required("incidents", o.list("incidents", incident))?.into_iter().map(Cow::Owned).collect(),
        scheduled_maintenances: required("scheduled_maintenances", o.list("scheduled_maintenances", incident))?
            .into_iter()
            .map(Cow::Owned)
            .collect(),
    })
}

fn postmortem(o: Obj) -> Option<Postmortem> {
    let window = o.object("impact_window");
    Some(Postmortem {
        published_at: o.time("published_at"),
        summary: o.text_or_empty("summary"),
        language: o.text("language"),
        impact_window: match window {
            Some(w) => Some(ImpactWindow { start: w.time("start")?, end: w.time("end")? }),
            None => None,
        },
        sections: o.list("sections", |s| Some(Section { title: s.text("title")?, body: s.text_or_empty("body") }))?,
        action_items: o.list("action_items", |a| Some(ActionItem { text: a.text("text")?, done: a.flag("done") }))?,
        timeline: o.list("timeline", |t| {
            Some(TimelineEntry {
                at: t.time("at")?,
                precision: Precision::from_wire(&t.text("precision").unwrap_or_else(|| "minute".into())),
                text: t.text("text")?,
            })
        })?,
        timeline_after: o.number("timeline_after").filter(|n| *n >= 0.0 && n.fract() == 0.0).map(|n| n as u32),
        revision: None,
    })
}

/// `/api/v2/postmortems.json`.
pub fn postmortems(text: &str) -> Result<PostmortemsDocument<'static>, Error> {
    let o = parse(text)?;
    let page = required("page", o.object("page").as_ref().and_then(page))?;
    let entries = o.list("postmortems", |e| {
        Some(PostmortemEntry {
            incident_id: e.text("incident_id")?.as_str().into(),
            name: Cow::Owned(e.text("name")?),
            impact: Impact::from_wire(&e.text_or_empty("impact")),
            started_at: e.time("started_at"),
            resolved_at: e.time("resolved_at"),
            postmortem: Cow::Owned(postmortem(e.object("postmortem")?)?),
            component_ids: e.texts("component_ids")?.iter().map(|c| c.as_str().into()).collect(),
        })
    });
    Ok(PostmortemsDocument { page: Cow::Owned(page), postmortems: required("postmortems", entries)? })
}

/// `/api/v2/uptime.json`.
pub fn uptime(text: &str) -> Result<UptimeDocument<'static>, Error> {
    let o = parse(text)?;
    let page = required("page", o.object("page").as_ref().and_then(page))?;
    let seconds = |d: &Obj, key: &str| d.number(key).map_or(0, |s| s as u32);
    let rows = o.list("components", |c| {
        Some(ComponentUptime {
            component_id: c.text("component_id")?.as_str().into(),
            uptime: c.number("uptime"),
            days: c.list("days", |d| {
                Some(DayUptime {
                    date: time(&d.text("date")?)?.as_datetime().date_naive(),
                    uptime: d.number("uptime"),
                    worst: ComponentStatus::from_wire(&d.text_or_empty("worst")),
                    major_outage_seconds: seconds(&d, "major_outage_seconds"),
                    partial_outage_seconds: seconds(&d, "partial_outage_seconds"),
                    degraded_seconds: seconds(&d, "degraded_seconds"),
                    maintenance_seconds: seconds(&d, "maintenance_seconds"),
                })
            })?,
        })
    });
    Ok(UptimeDocument {
        page: Cow::Owned(page),
        days: o.number("days").map_or(0, |d| d as u32),
        components: required("components", rows)?,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::Value;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    /// Every seed's snapshot: the documents as the edge serves them, live and later.
    const SNAPSHOTS: [&str; 5] = [
        include_str!("../../tests/snapshots/codeship.json"),
        include_str!("../../tests/snapshots/salesdock.json"),
        include_str!("../../tests/snapshots/streak.json"),
        include_str!("../../tests/snapshots/stream.json"),
        include_str!("../../tests/snapshots/treasure-data.json"),
    ];
    /// Real Statuspage summaries.
    const SAMPLES: [&str; 3] = [
        include_str!("../../../shared/statuspage-samples/cloudamqp-summary.json"),
        include_str!("../../../shared/statuspage-samples/htx-summary.json"),
        include_str!("../../../shared/statuspage-samples/twilio-summary.json"),
    ];

    /// The document `name` of every snapshot, at each instant it was taken.
    fn documents(name: &str) -> Vec<String> {
        let mut out = Vec::new();
        for snapshot in SNAPSHOTS {
            let value: Value = serde_json::from_str(snapshot).unwrap();
            for at in ["live", "later"] {
                if let Some(doc) = value.get(at).and_then(|v| v.get(name)) {
                    out.push(doc.to_string());
                }
            }
        }
        out
    }

    fn component(c: &mut Component) {
        c.page_id = Default::default();
        c.start_date = None;
    }

    fn event(i: &mut Incident) {
        i.page_id = Default::default();
        i.postmortem = None;
        i.components.iter_mut().for_each(component);
    }

    /// What shared's serde reader reads, with the fields this reader leaves at their defaults
    /// (the widget never shows them) cleared the same way: everything else must be equal.
    fn shown(mut s: Summary<'static>) -> Summary<'static> {
        s.status = Status::from(s.status.indicator);
        s.components.to_mut().iter_mut().for_each(component);
        for list in [&mut s.incidents, &mut s.scheduled_maintenances] {
            list.iter_mut().for_each(|i| event(i.to_mut()));
        }
        s
    }

    #[test]
    fn summaries_read_exactly_what_serde_reads() {
        let texts: Vec<String> = documents("summary").into_iter().chain(SAMPLES.map(str::to_owned)).collect();
        assert_eq!(texts.len(), 5 * 2 + 3);
        for text in texts {
            let expected = shown(serde_json::from_str(&text).unwrap());
            assert_eq!(summary(&text).unwrap(), expected, "{}", &text[..120]);
        }
    }

    #[test]
    fn postmortems_read_exactly_what_serde_reads() {
        let texts = documents("postmortems");
        assert_eq!(texts.len(), 5);
        for text in texts {
            let expected: PostmortemsDocument<'static> = serde_json::from_str(&text).unwrap();
            assert_eq!(postmortems(&text).unwrap(), expected, "{}", &text[..120]);
        }
    }

    #[test]
    fn uptime_reads_exactly_what_serde_reads() {
        // The snapshots keep the rows; the document around them is the page and the window.
        let pages = documents("summary")
            .into_iter()
            .filter_map(|s| serde_json::from_str::<Value>(&s).ok()?.get("page").cloned());
        let texts: Vec<String> = documents("uptime_14_days")
            .into_iter()
            .zip(pages.step_by(2))
            .map(|(rows, page)| format!(r#"{{"page":{page},"days":14,"components":{rows}}}"#))
            .collect();
        assert_eq!(texts.len(), 5);
        for text in texts {
            let expected: UptimeDocument<'static> = serde_json::from_str(&text).unwrap();
            assert_eq!(uptime(&text).unwrap(), expected, "{}", &text[..120]);
        }
    }

    #[test]
    fn a_document_missing_what_the_widget_needs_is_refused_whole() {
        assert!(summary("{}").is_err());
        assert!(summary("[]").is_err());
        assert!(
            summary(r#"{"page":{"name":"x","updated_at":"2024-01-01T00:00:00Z"},"status":{},"components":[]}"#)
                .is_err()
        );
        assert!(
            postmortems(r#"{"page":{"name":"x","updated_at":"2024-01-01T00:00:00Z"},"postmortems":[{"name":"n"}]}"#)
                .is_err()
        );
    }
}
