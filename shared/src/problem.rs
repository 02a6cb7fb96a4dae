//! A problem with the input: its field path, its kind and what is wrong. On the ground floor of the
//! crate: `validate`, `limits` and `command` all report problems, and none of them needs another to.

use serde::{Deserialize, Serialize};

/// What kind of problem a field has.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum ProblemCode {
    /// Required and empty.
    Missing,
    /// Longer than its limit.
    TooLong,
    /// Not in the allowed form.
    Invalid,
    /// Same id used twice.
    Duplicate,
    /// Refers to something that does not exist.
    NotFound,
    /// A timestamp earlier than one it must follow.
    Backwards,
    /// A status change the lifecycle does not allow.
    Transition,
    /// Two fields that must agree do not.
    Inconsistent,
    /// A value this version does not know.
    #[serde(other)]
    Unknown,
}

/// One thing wrong with the input.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Problem {
    /// Path of the field, such as `incidents[0].incident_updates[2].status`.
    pub path: String,
    /// Kind of problem.
    pub code: ProblemCode,
    /// What is wrong, in lowercase prose.
    pub message: String,
}
