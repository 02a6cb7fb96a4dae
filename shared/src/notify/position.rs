//! A place in the outbox: the `n`th event of the write that made page version `version`.
//!
//! Positions compare as commits happen (by version, then by `n`), as numbers: never as text.
//! They are stored and sent as the outbox key's text (`outbox/{version:016}/{n:04}`, and `""` for
//! [`Position::Start`]), which is what cursors, hand-offs and replays have always held, so stored
//! data reads back unchanged. The storage lists keys in text order; that order is the positions'
//! because a write makes fewer than 10,000 events (checked below against the limits).

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Storage prefix of the outbox (kept by the delivery object).
pub const OUTBOX_PREFIX: &str = "outbox/";
/// Storage prefix of the outbox's index: beside each event, what a filter judges it by.
pub const INDEX_PREFIX: &str = "outdex/";

/// Events one write makes at most, generously: a write changes one incident or maintenance (a few
/// events) and at most every component (one each); the key's four digits of `n` sort only below
/// 10,000.
const MOST_EVENTS_PER_WRITE: usize = 16 + crate::limits::COMPONENTS;
const _: () = assert!(MOST_EVENTS_PER_WRITE < 10_000);

/// A place in the outbox.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Position {
    /// Before every event (an empty outbox's end, a cursor that has seen nothing).
    #[default]
    Start,
    /// The `n`th event of the write that made `version`.
    At { version: u64, n: u32 },
}

impl Position {
    /// The `n`th event of the write that made `version`.
    pub fn at(version: u64, n: usize) -> Self {
        Self::At { version, n: u32::try_from(n).unwrap_or(u32::MAX) }
    }

    /// The first position of the write that made `version`.
    pub fn version_start(version: u64) -> Self {
        Self::At { version, n: 0 }
    }

    /// The page version of the write that made the event, if this is one.
    pub fn version(self) -> Option<u64> {
        match self {
            Self::Start => None,
            Self::At { version, .. } => Some(version),
        }
    }

    /// Its outbox key (`""` for the start, which no event is stored under).
    pub fn key(self) -> String {
        self.under(OUTBOX_PREFIX)
    }

    /// Its index key.
    pub fn index_key(self) -> String {
        self.under(INDEX_PREFIX)
    }

    fn under(self, prefix: &str) -> String {
        match self {
            Self::Start => String::new(),
            Self::At { version, n } => format!("{prefix}{version:016}/{n:04}"),
        }
    }

    /// The position an outbox key names (`""` is the start).
    pub fn of_key(key: &str) -> Option<Self> {
        Self::parse(key, OUTBOX_PREFIX)
    }

    /// The position an index key names.
    pub fn of_index_key(key: &str) -> Option<Self> {
        Self::parse(key, INDEX_PREFIX).filter(|p| *p != Self::Start)
    }

    fn parse(key: &str, prefix: &str) -> Option<Self> {
        if key.is_empty() {
            return Some(Self::Start);
        }
        let (version, n) = key.strip_prefix(prefix)?.split_once('/')?;
        let digits = |s: &str| !s.is_empty() && s.len() <= 20 && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(version) || !digits(n) {
            return None;
        }
        Some(Self::At { version: version.parse().ok()?, n: n.parse().ok()? })
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.key())
    }
}

impl Serialize for Position {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.key())
    }
}

impl<'de> Deserialize<'de> for Position {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let key = String::deserialize(deserializer)?;
        Self::of_key(&key).ok_or_else(|| serde::de::Error::custom(format!("not an outbox key: {key:?}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_order_as_numbers_where_text_would_not() {
        // As text, "…/0010" sorts before "…/0009" only when widths differ; these are wider than four.
        assert!(Position::at(2, 10_000) > Position::at(2, 9_999));
        assert!(Position::at(10, 0) > Position::at(9, 9_999));
        assert!(Position::Start < Position::at(0, 0));
        let mut keys: Vec<Position> = vec![Position::at(3, 1), Position::Start, Position::at(1, 2), Position::at(1, 0)];
        keys.sort();
        assert_eq!(keys, vec![Position::Start, Position::at(1, 0), Position::at(1, 2), Position::at(3, 1)]);
    }

    #[test]
    fn stored_text_reads_back_and_keys_sort_as_positions_within_a_write_s_events() {
        for position in [Position::Start, Position::at(12, 3), Position::at(u64::MAX, 9_999)] {
            let json = serde_json::to_string(&position).unwrap();
            assert_eq!(serde_json::from_str::<Position>(&json).unwrap(), position);
            assert_eq!(Position::of_key(&position.key()), Some(position));
        }
        assert_eq!(Position::at(12, 3).key(), "outbox/0000000000000012/0003");
        assert_eq!(Position::at(12, 3).index_key(), "outdex/0000000000000012/0003");
        assert_eq!(Position::of_index_key("outdex/0000000000000012/0003"), Some(Position::at(12, 3)));
        assert_eq!(serde_json::to_string(&Position::Start).unwrap(), "\"\"");
        for bad in ["outbox/x/1", "outdex/0000000000000012/0003", "outbox/1", "outbox/1/-2", "outbox//1"] {
            assert_eq!(Position::of_key(bad), None, "{bad}");
        }
        assert!(serde_json::from_str::<Position>("\"outbox/1\"").is_err());
        let (a, b) = (Position::at(7, 999), Position::at(7, 1_000));
        assert!(a < b && a.key() < b.key(), "text order is position order below 10,000 events a write");
    }
}
