//! One table of limits, chosen together so that they agree with each other and with the platform:
//! any body that passes the field rules fits its request cap, any event a write may produce fits
//! one Durable Object value, and every served document fits one KV value. The compile-time
//! assertions at the bottom hold the table to that; `check_change` applies the per-write rules.
//!
//! Characters are Unicode scalar values. Two worst cases size every byte bound: in a request one
//! character can take [`REQUEST_BYTES_PER_CHAR`] bytes (an escaped surrogate pair,
//! `\ud83d\ude00`), and in what sitrep stores and serves, written by serde_json, at most
//! [`STORED_BYTES_PER_CHAR`] (a control character escaped as `\u001f`).

use crate::component::Component;
use crate::incident::{Incident, IncidentStatus, Kind};
use crate::page::PageState;
use crate::problem::{Problem, ProblemCode};

/// A page's URL (an origin, copied into every shortlink, feed entry and notification).
/// The most days a reader link of a private page may live (a year): the edge refuses more, the
/// console says so before asking.
pub const READER_LINK_DAYS: u32 = 366;
pub const PAGE_URL_CHARS: usize = 200;

/// How far a recorded time may run ahead of the writer's clock (clock skew between machines): an
/// import with a later time is refused, and a stored `updated_at` further ahead never moves the
/// writer's clock (see `command::apply`).
pub const CLOCK_SKEW_MS: i64 = 60_000;

/// The platform: a Durable Object key plus its value (SQLite-backed objects).
pub const DURABLE_OBJECT_VALUE_BYTES: usize = 2_000_000;
/// The platform: one KV value.
pub const KV_VALUE_BYTES: usize = 25 * 1024 * 1024;

/// Worst-case bytes of one character in a JSON request.
pub const REQUEST_BYTES_PER_CHAR: usize = 12;
/// Worst-case bytes of one character in JSON that sitrep writes.
pub const STORED_BYTES_PER_CHAR: usize = 6;

/// Longest id: ids are `[A-Za-z0-9_-]`.
pub const ID_CHARS: usize = 64;
/// Longest page, component, incident or section name.
pub const NAME_CHARS: usize = 255;
/// Longest component description.
pub const DESCRIPTION_CHARS: usize = 1_000;
/// Longest update body (the longest in the six real Statuspage samples has 5,157).
pub const UPDATE_BODY_CHARS: usize = 8_000;
/// Longest postmortem summary.
pub const POSTMORTEM_SUMMARY_CHARS: usize = 2_000;
/// Longest action item or timeline entry.
pub const ITEM_CHARS: usize = 1_000;
/// Every text of one postmortem together: summary, titles, bodies, items, timeline (the longest
/// seed postmortem, Codeship's, has 9,488).
pub const POSTMORTEM_CHARS: usize = 12_000;
/// Most sections, action items or timeline entries in one postmortem.
pub const POSTMORTEM_ENTRIES: usize = 100;

/// Most components and groups on a page.
pub const COMPONENTS: usize = 250;
/// Most components one request lists (a maintenance's components, an update's changes); a closing
/// update that restores what its event touched is not limited.
pub const COMPONENT_CHANGES: usize = 20;
/// Most updates on one incident or maintenance (the one that closes it may go one past).
pub const UPDATES_PER_EVENT: usize = 100;
/// Most incidents open at once (they are all in `summary.json`, which every widget reads).
pub const OPEN_INCIDENTS: usize = 12;
/// Most maintenances scheduled or under way at once, counted apart from incidents so that queued
/// maintenance never keeps an operator from opening an incident (Twilio's real summary lists 9).
pub const OPEN_MAINTENANCES: usize = 16;
/// How many events the list documents carry (`incidents.json`, `scheduled-maintenances.json`),
/// as Statuspage does.
pub const RECENT_EVENTS: usize = 50;

/// Largest request body of a write, except postmortems and imports.
pub const REQUEST_BYTES: usize = 128 * 1024;
/// Largest postmortem request body.
pub const POSTMORTEM_REQUEST_BYTES: usize = 512 * 1024;
/// Largest page import.
pub const IMPORT_BYTES: usize = 16 * 1024 * 1024;

/// Most bytes of one stored event for any write but the one that closes it.
pub const EVENT_BYTES: usize = 160 * 1024;
/// Most bytes one update adds to a stored event: its body, its component changes, its fields.
pub const UPDATE_BYTES: usize =
    UPDATE_BODY_CHARS * STORED_BYTES_PER_CHAR + COMPONENT_CHANGES * AFFECTED_COMPONENT_BYTES + 1024;
/// Most bytes of one stored event closed by an update of at most [`COMPONENT_CHANGES`] components:
/// the closing update fits on top of [`EVENT_BYTES`]. The documents' bounds below assume it.
pub const CLOSED_EVENT_BYTES: usize = EVENT_BYTES + UPDATE_BYTES;
/// The only cap on the write that closes an event (resolving always works): what one Durable
/// Object value holds, with room for its key.
pub const HARD_EVENT_BYTES: usize = DURABLE_OBJECT_VALUE_BYTES - 64 * 1024;
/// Most bytes of one stored component (its texts, ids and a group's children).
pub const COMPONENT_BYTES: usize = (NAME_CHARS + DESCRIPTION_CHARS) * STORED_BYTES_PER_CHAR + 1024;
/// One `affected_components` entry: id and name and two statuses.
const AFFECTED_COMPONENT_BYTES: usize = (ID_CHARS + NAME_CHARS) * STORED_BYTES_PER_CHAR + 128;
/// Most bytes of one component's row in `uptime.json` (90 days), checked by a test.
pub const UPTIME_ROW_BYTES: usize = 24 * 1024;

/// Most bytes of `summary.json`: every open event at its largest and every component.
pub const SUMMARY_BYTES: usize =
    (OPEN_INCIDENTS + OPEN_MAINTENANCES) * CLOSED_EVENT_BYTES + COMPONENTS * COMPONENT_BYTES + PAGE_BYTES;
/// Most bytes of a list document (`incidents.json`).
pub const LIST_BYTES: usize = RECENT_EVENTS * CLOSED_EVENT_BYTES + PAGE_BYTES;
/// Most bytes of `uptime.json`.
pub const UPTIME_BYTES: usize = COMPONENTS * UPTIME_ROW_BYTES + PAGE_BYTES;
/// Most bytes of `postmortems.json`: ten postmortems at their largest, with their incidents' names.
pub const POSTMORTEMS_BYTES: usize = 10 * (POSTMORTEM_BYTES + NAME_CHARS * STORED_BYTES_PER_CHAR + 1024) + PAGE_BYTES;
/// Most bytes of one stored postmortem.
pub const POSTMORTEM_BYTES: usize = POSTMORTEM_CHARS * STORED_BYTES_PER_CHAR + 3 * POSTMORTEM_ENTRIES * 128 + 1024;
/// The page object every document starts with.
const PAGE_BYTES: usize = (ID_CHARS + 2 * NAME_CHARS + 2048) * STORED_BYTES_PER_CHAR;
/// The most a reader (the widget) needs to read of any document it asks for.
pub const READ_BYTES: usize = max(max(SUMMARY_BYTES, UPTIME_BYTES), POSTMORTEMS_BYTES);

const fn max(a: usize, b: usize) -> usize {
    if a > b { a } else { b }
}

// The table agrees with the platform: every stored value fits a Durable Object value, and every
// document fits a KV value.
const _: () = assert!(CLOSED_EVENT_BYTES + 100 < DURABLE_OBJECT_VALUE_BYTES);
const _: () = assert!(COMPONENT_BYTES < DURABLE_OBJECT_VALUE_BYTES);
const _: () = assert!(SUMMARY_BYTES < KV_VALUE_BYTES);
const _: () = assert!(LIST_BYTES < KV_VALUE_BYTES);
const _: () = assert!(UPTIME_BYTES < KV_VALUE_BYTES);
const _: () = assert!(POSTMORTEMS_BYTES < KV_VALUE_BYTES);
// The widget reads any document the edge serves within 10 MB.
const _: () = assert!(READ_BYTES < 10 * 1024 * 1024);
// ... and with itself: a postmortem that passes the field rules fits in an event, and the largest
// update request that passes them fits the request cap.
const _: () = assert!(POSTMORTEM_BYTES < EVENT_BYTES * 3 / 4);
const _: () = assert!(
    (UPDATE_BODY_CHARS + NAME_CHARS + 64) * REQUEST_BYTES_PER_CHAR
        + COMPONENT_CHANGES * (ID_CHARS * REQUEST_BYTES_PER_CHAR + 64)
        < REQUEST_BYTES
);
const _: () =
    assert!(POSTMORTEM_CHARS * REQUEST_BYTES_PER_CHAR + 3 * POSTMORTEM_ENTRIES * 128 + 1024 < POSTMORTEM_REQUEST_BYTES);

/// The bytes an event takes when stored (as serde_json writes it).
pub fn event_bytes(event: &Incident) -> usize {
    serde_json::to_vec(event).map_or(usize::MAX, |v| v.len())
}

/// The per-write rules of the table, for a change `apply` built from `state`: events stay inside
/// [`EVENT_BYTES`] (the write that closes one only inside [`HARD_EVENT_BYTES`], so resolving always
/// works; a write that does not grow an event is never refused for its size), at most
/// [`UPDATES_PER_EVENT`] updates (the closing one may go past), at most [`OPEN_INCIDENTS`] incidents
/// and [`OPEN_MAINTENANCES`] maintenances open at once, at most [`COMPONENTS`] components.
/// `events` and `components` are a change's new versions (`command::Change`).
pub fn check_change(state: &PageState, events: &[(Kind, Incident)], components: Option<&[Component]>) -> Vec<Problem> {
    let mut problems = Vec::new();
    for (kind, event) in events {
        let before = state.find(&event.id).map(|(_, e)| e);
        let was_open = before.is_some_and(|e| !e.status.is_closed());
        let closing = was_open && event.status.is_closed();
        let (path, limit, what) = match kind {
            Kind::Incident => ("incident", OPEN_INCIDENTS, "incidents are open"),
            Kind::Maintenance => ("maintenance", OPEN_MAINTENANCES, "maintenances are scheduled or under way"),
        };
        let bytes = event_bytes(event);
        let cap = if closing { HARD_EVENT_BYTES } else { EVENT_BYTES };
        // The earlier version is measured only when this one is over the cap.
        if bytes > cap && before.is_none_or(|b| bytes > event_bytes(b)) {
            problems.push(Problem {
                path: path.into(),
                code: ProblemCode::TooLong,
                message: format!(
                    "this would make the {path} {bytes} bytes; the limit is {cap} (resolving it is always allowed): \
                     shorten the text or open a new one"
                ),
            });
        }
        let updates = event.incident_updates.len();
        let grew_updates = before.is_none_or(|b| updates > b.incident_updates.len());
        if grew_updates && !closing && updates > UPDATES_PER_EVENT {
            problems.push(Problem {
                path: format!("{path}.incident_updates"),
                code: ProblemCode::TooLong,
                message: format!("more than {UPDATES_PER_EVENT} updates on one {path}; resolve it and open a new one"),
            });
        }
        let opening = !event.status.is_closed() && !was_open && event.status != IncidentStatus::Unknown;
        let open_now = || match kind {
            Kind::Incident => state.open_incidents().count(),
            Kind::Maintenance => state.open_maintenances().count(),
        };
        if opening && open_now() >= limit {
            problems.push(Problem {
                path: "status".into(),
                code: ProblemCode::TooLong,
                message: format!("{limit} {what} already; resolve or complete one first"),
            });
        }
    }
    if let Some(components) = components
        && components.len() > COMPONENTS
        && components.len() > state.components().len()
    {
        problems.push(Problem {
            path: "components".into(),
            code: ProblemCode::TooLong,
            message: format!("a page has at most {COMPONENTS} components and groups"),
        });
    }
    problems
}
