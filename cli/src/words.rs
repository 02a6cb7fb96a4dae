//! Refusals in the operator's words: a problem's field path becomes the flag and value they typed,
//! the API's own hints become the tool's flags, and an unknown id or value gets a "did you mean".

use sitrep_shared::{Problem, ProblemCode};

/// The closest of `candidates` to `word`, if one is close enough to be a typo of it or holds it
/// whole between dashes (`rest-api` for `td-us-rest-api`: ids are often prefixed by product or region).
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let word = word.to_lowercase();
    candidates
        .into_iter()
        .map(|c| {
            let candidate = c.to_lowercase();
            let typo = strsim::jaro_winkler(&word, &candidate);
            let part = !word.is_empty() && format!("-{candidate}-").contains(&format!("-{word}-"));
            (if part { 1.0 + typo } else { typo }, c)
        })
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// " (did you mean X?)", or nothing.
pub fn suggestion<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    did_you_mean(word, candidates).map_or_else(String::new, |c| format!("; did you mean {c}?"))
}

/// What the operator typed, to name in messages instead of the request's field paths.
#[derive(Debug, Default)]
pub struct Typed<'a> {
    /// The `--component` values, in order (`components[n]` is the n-th).
    pub components: &'a [String],
    /// The ids of `component order`.
    pub ids: &'a [String],
    /// Whether --reopen was given (so a refused transition can suggest it).
    pub reopen: bool,
}

/// One line per problem, each naming the flag and value it is about.
pub fn explain(problems: &[Problem], typed: &Typed<'_>) -> Vec<String> {
    problems.iter().map(|p| format!("{}: {}", subject(&p.path, typed), message(p, typed))).collect()
}

/// The flag (and value) a field path stands for.
fn subject(path: &str, typed: &Typed<'_>) -> String {
    let field = path.strip_prefix("incident.").or_else(|| path.strip_prefix("maintenance.")).unwrap_or(path);
    let indexed = |prefix: &str, list: &[String], flag: &str| {
        let rest = field.strip_prefix(prefix)?;
        let n: usize = rest.split(']').next()?.parse().ok()?;
        Some(match list.get(n) {
            Some(value) => format!("{flag}{value}"),
            None => format!("{flag}#{}", n + 1),
        })
    };
    if let Some(named) = indexed("components[", typed.components, "--component ") {
        return named;
    }
    if let Some(named) = indexed("ids[", typed.ids, "") {
        return named;
    }
    match field {
        "name" => "--name",
        "status" => "--status",
        "impact" => "--impact",
        "body" | "incident_updates[0].body" => "--body",
        "language" | "incident_updates[0].language" => "--language",
        "scheduled_for" => "--from",
        "scheduled_until" => "--until",
        "started_at" => "--started",
        "components" => "--component",
        "url" => "--url",
        "time_zone" => "--time-zone",
        "ids" => "the ids",
        "summary" | "postmortem.summary" => "the summary",
        other => return other.replace("postmortem.", "the postmortem's "),
    }
    .to_owned()
}

/// The problem's message with the API's hints replaced by the tool's flags.
fn message(problem: &Problem, typed: &Typed<'_>) -> String {
    let text = match problem.message.find(" (") {
        Some(cut) if problem.message[cut..].contains(": true") => &problem.message[..cut],
        _ => problem.message.as_str(),
    };
    let hint = match problem.code {
        ProblemCode::Duplicate if problem.path == "status" || problem.path == "body" => " (--force posts it anyway)",
        ProblemCode::Transition if !typed.reopen && text.contains("from resolved") => " (--reopen reopens it)",
        _ => "",
    };
    format!("{text}{hint}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(path: &str, code: ProblemCode, message: &str) -> Problem {
        Problem { path: path.into(), code, message: message.into() }
    }

    #[test]
    fn paths_become_the_flags_and_values_typed() {
        let components = ["td-us-workflow=major_outage".to_owned(), "ghost=degraded_performance".to_owned()];
        let typed = Typed { components: &components, ..Typed::default() };
        let lines = explain(
            &[
                problem("components[1].id", ProblemCode::NotFound, "no component \"ghost\""),
                problem("incident.name", ProblemCode::Missing, "must not be empty"),
                problem("incident.incident_updates[0].body", ProblemCode::Missing, "must not be empty"),
                problem(
                    "status",
                    ProblemCode::Transition,
                    "cannot move from resolved to investigating (send reopen: true to reopen)",
                ),
                problem("status", ProblemCode::Duplicate, "x is already resolved; ... (force: true to post it anyway)"),
            ],
            &typed,
        );
        assert_eq!(
            lines,
            [
                "--component ghost=degraded_performance: no component \"ghost\"",
                "--name: must not be empty",
                "--body: must not be empty",
                "--status: cannot move from resolved to investigating (--reopen reopens it)",
                "--status: x is already resolved; ... (--force posts it anyway)",
            ]
        );
    }

    #[test]
    fn typos_get_the_likely_id() {
        let ids = ["td-us-workflow", "td-us-console", "stream-chat-us-east"];
        assert_eq!(did_you_mean("td-us-workflw", ids), Some("td-us-workflow"));
        assert_eq!(did_you_mean("stream-chat-useast", ids), Some("stream-chat-us-east"));
        assert_eq!(did_you_mean("billing", ids), None);
        let ids = ["td-eu-console", "td-us-rest-api", "td-us-workflow"];
        assert_eq!(did_you_mean("rest-api", ids), Some("td-us-rest-api"));
        assert_eq!(did_you_mean("REST-API", ids), Some("td-us-rest-api"));
        assert_eq!(did_you_mean("api", ids), Some("td-us-rest-api"));
        assert_eq!(did_you_mean("st-api", ids), None, "a part is whole between dashes");
    }
}
