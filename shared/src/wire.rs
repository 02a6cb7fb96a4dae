//! Wire primitives: timestamps, ids, and the tolerant-reader helpers every type uses.

use std::fmt;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer, de};

/// An instant in UTC; written as RFC 3339 with milliseconds and `Z`, as Statuspage does.
///
/// Readers accept any RFC 3339 offset (`-07:00` in real payloads) and convert to UTC.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(DateTime<Utc>);

impl Timestamp {
    /// Wraps a UTC instant.
    pub fn from_datetime(at: DateTime<Utc>) -> Self {
        Self(at)
    }

    /// Milliseconds since the Unix epoch to a timestamp; `None` when out of chrono's range.
    pub fn from_unix_millis(millis: i64) -> Option<Self> {
        DateTime::from_timestamp_millis(millis).map(Self)
    }

    /// Parses RFC 3339 with any offset.
    pub fn parse(text: &str) -> Result<Self, chrono::ParseError> {
        DateTime::parse_from_rfc3339(text).map(|at| Self(at.with_timezone(&Utc)))
    }

    /// The underlying chrono instant.
    pub fn as_datetime(&self) -> DateTime<Utc> {
        self.0
    }

    /// Milliseconds since the Unix epoch.
    pub fn unix_millis(&self) -> i64 {
        self.0.timestamp_millis()
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.to_rfc3339_opts(SecondsFormat::Millis, true))
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// A calendar day as `YYYY-MM-DD` (a component's `start_date`, an uptime day). Read by hand:
/// chrono's own reader is its general format parser (RFC 2822 and every other item), about 10 KB
/// of every WebAssembly module that reads a component; written as chrono writes it.
pub mod date {
    use std::fmt;

    use chrono::NaiveDate;
    use serde::{Deserializer, Serializer, de};

    /// `YYYY-MM-DD` (the month and day may have one digit), a real date; `None` otherwise. Years
    /// outside 0 to 9999 are read as chrono writes them, signed and with more digits
    /// (`+10000-01-01`, `-0001-12-31`), so every day chrono wrote reads back.
    pub fn parse(text: &str) -> Option<NaiveDate> {
        let (sign, rest) = match (text.strip_prefix('+'), text.strip_prefix('-')) {
            (Some(rest), _) => (1, rest),
            (_, Some(rest)) => (-1, rest),
            _ => (1, text),
        };
        let mut parts = rest.splitn(3, '-');
        let (year, month, day) = (parts.next()?, parts.next()?, parts.next()?);
        let digits = |part: &str, lengths: std::ops::RangeInclusive<usize>| {
            lengths.contains(&part.len()) && part.bytes().all(|b| b.is_ascii_digit())
        };
        if !digits(year, 4..=6) || !digits(month, 1..=2) || !digits(day, 1..=2) {
            return None;
        }
        let year = sign * year.parse::<i32>().ok()?;
        NaiveDate::from_ymd_opt(year, month.parse().ok()?, day.parse().ok()?)
    }

    pub fn serialize<S: Serializer>(date: &NaiveDate, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(date)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<NaiveDate, D::Error> {
        deserializer.deserialize_str(Day)
    }

    struct Day;

    impl de::Visitor<'_> for Day {
        type Value = NaiveDate;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a date such as 2024-01-16")
        }
        fn visit_str<E: de::Error>(self, text: &str) -> Result<NaiveDate, E> {
            parse(text).ok_or_else(|| E::custom(format_args!("invalid date {text:?}: write YYYY-MM-DD")))
        }
    }

    /// The same for an optional day (`null` or absent: none).
    pub mod optional {
        use std::fmt;

        use chrono::NaiveDate;
        use serde::{Deserializer, Serializer, de};

        pub fn serialize<S: Serializer>(date: &Option<NaiveDate>, serializer: S) -> Result<S::Ok, S::Error> {
            match date {
                Some(date) => serializer.collect_str(date),
                None => serializer.serialize_none(),
            }
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<NaiveDate>, D::Error> {
            deserializer.deserialize_option(Maybe)
        }

        struct Maybe;

        impl<'de> de::Visitor<'de> for Maybe {
            type Value = Option<NaiveDate>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a date such as 2024-01-16, or null")
            }
            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
                crate::wire::date::deserialize(deserializer).map(Some)
            }
        }
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl de::Visitor<'_> for Visitor {
            type Value = Timestamp;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an RFC 3339 timestamp such as 2024-01-16T09:55:00.000Z")
            }
            fn visit_str<E: de::Error>(self, text: &str) -> Result<Timestamp, E> {
                Timestamp::parse(text).map_err(|err| E::custom(format_args!("invalid timestamp {text:?}: {err}")))
            }
        }
        deserializer.deserialize_str(Visitor)
    }
}

/// Gives a wire enum a table of its spellings and a reader that, like the serde reader, takes
/// anything else as `Unknown`: for readers that do not use serde (the widget reads JSON through the
/// browser's `JSON.parse`). A test checks each table against serde's spelling.
macro_rules! wire_names {
    ($ty:ident { $($variant:ident => $name:literal),* $(,)? }) => {
        impl $ty {
            /// Every known variant with its wire spelling.
            pub const WIRE: &'static [($ty, &'static str)] = &[$(($ty::$variant, $name)),*];

            /// The variant spelled `text`, or `Unknown`.
            pub fn from_wire(text: &str) -> Self {
                Self::WIRE.iter().find(|(_, name)| *name == text).map_or(Self::Unknown, |(variant, _)| *variant)
            }

            /// The wire spelling (`"unknown"` for `Unknown`).
            pub fn to_wire(self) -> &'static str {
                Self::WIRE.iter().find(|(variant, _)| *variant == self).map_or("unknown", |(_, name)| *name)
            }
        }
    };
}
pub(crate) use wire_names;

#[cfg(feature = "schema")]
impl schemars::JsonSchema for Timestamp {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Timestamp".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "format": "date-time",
            "description": "RFC 3339 instant; sitrep writes UTC with milliseconds"
        })
    }
}

macro_rules! id_type {
    ($(#[$doc:meta] $name:ident),* $(,)?) => {$(
        #[$doc]
        #[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        #[cfg_attr(feature = "schema", derive(schemars::JsonSchema), schemars(transparent))]
        pub struct $name(pub String);

        impl $name {
            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(id: &str) -> Self {
                Self(id.to_owned())
            }
        }
    )*};
}

id_type! {
    /// Id of a status page.
    PageId,
    /// Id of a component or component group.
    ComponentId,
    /// Id of an incident or a scheduled maintenance (Statuspage keeps both in one id space).
    IncidentId,
    /// Id of one incident or maintenance update.
    UpdateId,
}

/// Reads `null` or a missing field as the type's default: Statuspage sends `null` where it means `[]`.
pub(crate) fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

pub(crate) fn is_false(value: &bool) -> bool {
    !*value
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    fn check(input: &str, expected: &str) {
        let parsed: Timestamp = serde_json::from_str(&format!("\"{input}\"")).unwrap();
        assert_eq!(parsed.to_string(), expected);
    }

    #[test]
    fn days_read_as_chrono_reads_them_and_write_as_it_writes_them() {
        use chrono::NaiveDate;
        for text in ["2019-01-01", "2024-02-29", "1999-12-31", "2024-1-5", "+10000-01-01", "-0001-12-31"] {
            let ours = date::parse(text).unwrap();
            assert_eq!(Some(ours), text.parse::<NaiveDate>().ok(), "{text}");
        }
        // Every day chrono writes reads back, the far ones included.
        for day in [NaiveDate::MIN, NaiveDate::MAX, NaiveDate::from_ymd_opt(-1, 12, 31).unwrap()] {
            assert_eq!(date::parse(&day.to_string()), Some(day), "{day}");
        }
        for text in [
            "2023-02-29",
            "2024-13-01",
            "24-01-01",
            "2024-01-01T00:00",
            "2024/01/01",
            "",
            "2024-01-001",
            "+-2024-01-01",
            "--2024-01-01",
        ] {
            assert_eq!(date::parse(text), None, "{text}");
        }
        #[derive(Serialize, Deserialize, PartialEq, Debug)]
        struct Days {
            #[serde(with = "date")]
            day: NaiveDate,
            #[serde(default, with = "date::optional")]
            since: Option<NaiveDate>,
        }
        let days: Days = serde_json::from_str(r#"{"day":"2024-01-16","since":null}"#).unwrap();
        assert_eq!(days, Days { day: NaiveDate::from_ymd_opt(2024, 1, 16).unwrap(), since: None });
        assert_eq!(serde_json::to_string(&days).unwrap(), r#"{"day":"2024-01-16","since":null}"#);
        let absent: Days = serde_json::from_str(r#"{"day":"2024-01-16"}"#).unwrap();
        assert_eq!(absent.since, None);
        let some: Days = serde_json::from_str(r#"{"day":"2024-01-16","since":"2019-01-01"}"#).unwrap();
        assert_eq!(some.since, NaiveDate::from_ymd_opt(2019, 1, 1));
        assert!(serde_json::from_str::<Days>(r#"{"day":"16 Jan 2024"}"#).is_err());
    }

    #[test]
    fn timestamps_normalise_to_utc_millis() {
        check("2020-06-16T13:48:46.575-07:00", "2020-06-16T20:48:46.575Z");
        check("2024-01-16T10:55:00+01:00", "2024-01-16T09:55:00.000Z");
        check("2017-10-24T03:40:00.000Z", "2017-10-24T03:40:00.000Z");
    }

    #[test]
    fn bad_timestamps_are_rejected_with_the_value() {
        let err = serde_json::from_str::<Timestamp>("\"yesterday\"").unwrap_err();
        assert!(err.to_string().contains("invalid timestamp \"yesterday\""), "{err}");
        assert!(serde_json::from_str::<Timestamp>("12").is_err());
    }

    #[test]
    fn wire_tables_match_serde() {
        use crate::{ComponentStatus, Impact, IncidentStatus, Indicator, Precision};
        fn check<T: serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug + Copy>(
            table: &[(T, &str)],
            from_wire: fn(&str) -> T,
            unknown: T,
        ) {
            for (variant, name) in table {
                assert_eq!(serde_json::to_string(variant).unwrap(), format!("\"{name}\""));
                assert_eq!(from_wire(name), *variant);
                assert_eq!(serde_json::from_str::<T>(&format!("\"{name}\"")).unwrap(), *variant);
            }
            assert_eq!(from_wire("from the future"), unknown);
        }
        check(IncidentStatus::WIRE, IncidentStatus::from_wire, IncidentStatus::Unknown);
        check(Impact::WIRE, Impact::from_wire, Impact::Unknown);
        check(ComponentStatus::WIRE, ComponentStatus::from_wire, ComponentStatus::Unknown);
        check(Indicator::WIRE, Indicator::from_wire, Indicator::Unknown);
        check(Precision::WIRE, Precision::from_wire, Precision::Unknown);
        assert_eq!(IncidentStatus::WIRE.len(), 9);
        assert_eq!(ComponentStatus::WIRE.len(), 5);
    }
}
