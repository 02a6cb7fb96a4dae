//! `sitrep`: the operator tool. `main` parses and reports; `api` speaks HTTP, `postmortem` reads a
//! postmortem file, `import` converts a Statuspage export, `show` prints for people.

mod api;
mod import;
mod postmortem;
mod show;

use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use lexopt::prelude::*;
use serde_json::{Value, json};

use crate::api::Api;

const USAGE: &str = "\
usage: sitrep [--json] <command> ...

  sitrep status
  sitrep incident open --name NAME --body TEXT [--status S] [--impact I] [--component ID=STATUS]... [--language TAG]
  sitrep incident update ID --status S --body TEXT [--component ID=STATUS]... [--impact I] [--language TAG] [--reopen]
  sitrep incident resolve ID --body TEXT [--language TAG]    (its components go back to operational)
  sitrep postmortem publish ID --file postmortem.md [--language TAG]
  sitrep maintenance schedule --name NAME --body TEXT --from TIME --until TIME [--component ID]...
  sitrep maintenance update ID --status S --body TEXT
  sitrep maintenance complete ID --body TEXT
  sitrep component add --name NAME [--description TEXT] [--group-id ID] [--group]
  sitrep component set ID [--status S] [--name NAME] [--description TEXT]
  sitrep component order ID...
  sitrep import statuspage FILE
  sitrep log [--limit N]

SITREP_URL is the edge's origin; SITREP_TOKEN the admin token. --json prints the edge's JSON.
Creating writes carry an Idempotency-Key and are retried once on a connection error, so a dropped
answer never creates a duplicate. A refused write prints every problem and exits non-zero.";

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("sitrep: {err:#}");
            ExitCode::FAILURE
        }
    }
}

/// Parsed options of one command.
#[derive(Default)]
struct Options {
    positional: Vec<String>,
    name: Option<String>,
    body: Option<String>,
    status: Option<String>,
    impact: Option<String>,
    language: Option<String>,
    description: Option<String>,
    group_id: Option<String>,
    group: bool,
    reopen: bool,
    file: Option<String>,
    from: Option<String>,
    until: Option<String>,
    limit: Option<String>,
    components: Vec<String>,
}

fn run() -> Result<()> {
    let mut parser = lexopt::Parser::from_env();
    let mut json_out = false;
    let mut words = Vec::new();
    let mut o = Options::default();
    while let Some(arg) = parser.next()? {
        match arg {
            Long("json") => json_out = true,
            Short('h') | Long("help") => {
                println!("{USAGE}");
                return Ok(());
            }
            Long("name") => o.name = Some(parser.value()?.string()?),
            Long("body") => o.body = Some(parser.value()?.string()?),
            Long("status") => o.status = Some(parser.value()?.string()?),
            Long("impact") => o.impact = Some(parser.value()?.string()?),
            Long("language") => o.language = Some(parser.value()?.string()?),
            Long("description") => o.description = Some(parser.value()?.string()?),
            Long("group-id") => o.group_id = Some(parser.value()?.string()?),
            Long("group") => o.group = true,
            Long("reopen") => o.reopen = true,
            Long("file") => o.file = Some(parser.value()?.string()?),
            Long("from") => o.from = Some(parser.value()?.string()?),
            Long("until") => o.until = Some(parser.value()?.string()?),
            Long("limit") => o.limit = Some(parser.value()?.string()?),
            Long("component") => o.components.push(parser.value()?.string()?),
            Value(word) => words.push(word.string()?),
            other => return Err(other.unexpected().into()),
        }
    }
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    let (command, rest) = match words.as_slice() {
        [] => {
            println!("{USAGE}");
            return Ok(());
        }
        ["status" | "log", rest @ ..] => (words[..1].join(" "), rest),
        [group, action, rest @ ..] => (format!("{group} {action}"), rest),
        [one] => bail!("unknown command {one:?}\n\n{USAGE}"),
    };
    o.positional = rest.iter().map(|s| (*s).to_owned()).collect();
    let api = Api::from_env()?;
    let answer = dispatch(&api, &command, &o)?;
    if json_out {
        println!("{}", serde_json::to_string_pretty(&answer)?);
    } else {
        show::answer(&command, &answer);
    }
    Ok(())
}

fn need<'a>(value: &'a Option<String>, flag: &str) -> Result<&'a str> {
    value.as_deref().with_context(|| format!("missing --{flag}"))
}

fn id(o: &Options) -> Result<&str> {
    o.positional.first().map(String::as_str).context("missing the incident, maintenance or component id")
}

/// `ID=STATUS` pairs.
fn component_changes(list: &[String]) -> Result<Vec<Value>> {
    list.iter()
        .map(|pair| {
            let (id, status) =
                pair.split_once('=').with_context(|| format!("--component {pair:?}: write ID=STATUS"))?;
            Ok(json!({ "id": id, "status": status }))
        })
        .collect()
}

/// An Idempotency-Key for one invocation, so the retry after a connection error is safe.
fn idempotency_key() -> String {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    format!("cli-{}-{nanos:x}", std::process::id())
}

/// POSTs with an Idempotency-Key, retrying once if the connection failed.
fn post(api: &Api, path: &str, body: Option<&Value>) -> Result<Value> {
    let key = idempotency_key();
    match api.write("POST", path, body, Some(&key)) {
        Err(err) if err.downcast_ref::<api::Refused>().is_none() => api.write("POST", path, body, Some(&key)),
        other => other,
    }
}

fn dispatch(api: &Api, command: &str, o: &Options) -> Result<Value> {
    match command {
        "status" => api.get("/api/v2/summary.json"),
        "log" => api.admin_get(&format!("log?limit={}", o.limit.as_deref().unwrap_or("20"))),
        "incident open" => {
            let mut body = json!({ "name": need(&o.name, "name")?, "body": need(&o.body, "body")?, "components": component_changes(&o.components)? });
            for (key, value) in [("status", &o.status), ("impact", &o.impact), ("language", &o.language)] {
                if let Some(value) = value {
                    body[key] = json!(value);
                }
            }
            post(api, "incidents", Some(&body))
        }
        "incident update" | "maintenance update" => {
            let kind = if command.starts_with("incident") { "incidents" } else { "maintenances" };
            let mut body = json!({ "status": need(&o.status, "status")?, "body": need(&o.body, "body")?, "components": component_changes(&o.components)?, "reopen": o.reopen });
            for (key, value) in [("impact", &o.impact), ("language", &o.language)] {
                if let Some(value) = value {
                    body[key] = json!(value);
                }
            }
            post(api, &format!("{kind}/{}/updates", id(o)?), Some(&body))
        }
        "incident resolve" => {
            let id = id(o)?;
            let current = api.get(&format!("/api/v2/incidents/{id}.json"))?;
            let summary = api.get("/api/v2/components.json")?;
            let touched: Vec<&str> = current["incident"]["components"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|c| c["id"].as_str())
                .collect();
            let back: Vec<Value> = summary["components"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|c| {
                    touched.contains(&c["id"].as_str().unwrap_or(""))
                        && c["status"] != "operational"
                        && c["group"] != true
                })
                .map(|c| json!({ "id": c["id"], "status": "operational" }))
                .collect();
            let mut body = json!({ "status": "resolved", "body": need(&o.body, "body")?, "components": back });
            if let Some(language) = &o.language {
                body["language"] = json!(language);
            }
            post(api, &format!("incidents/{id}/updates"), Some(&body))
        }
        "postmortem publish" => {
            let id = id(o)?;
            let file = need(&o.file, "file")?;
            let text = std::fs::read_to_string(file).with_context(|| format!("cannot read {file}"))?;
            let draft = postmortem::draft(&text, o.language.as_deref());
            api.write("PUT", &format!("incidents/{id}/postmortem"), Some(&draft), None)?;
            post(api, &format!("incidents/{id}/postmortem/publish"), None)
        }
        "maintenance schedule" => {
            let components: Vec<Value> = o.components.iter().map(|c| json!(c)).collect();
            let body = json!({ "name": need(&o.name, "name")?, "body": need(&o.body, "body")?, "scheduled_for": need(&o.from, "from")?, "scheduled_until": need(&o.until, "until")?, "components": components });
            post(api, "maintenances", Some(&body))
        }
        "maintenance complete" => {
            let body = json!({ "status": "completed", "body": need(&o.body, "body")? });
            post(api, &format!("maintenances/{}/updates", id(o)?), Some(&body))
        }
        "component add" => {
            let mut body = json!({ "name": need(&o.name, "name")?, "group": o.group });
            for (key, value) in [("description", &o.description), ("group_id", &o.group_id), ("status", &o.status)] {
                if let Some(value) = value {
                    body[key] = json!(value);
                }
            }
            post(api, "components", Some(&body))
        }
        "component set" => {
            let mut body = json!({});
            for (key, value) in [("name", &o.name), ("description", &o.description), ("status", &o.status)] {
                if let Some(value) = value {
                    body[key] = json!(value);
                }
            }
            api.write("PATCH", &format!("components/{}", id(o)?), Some(&body), None)
        }
        "component order" => api.write("PUT", "components/order", Some(&json!({ "ids": o.positional })), None),
        "import statuspage" => {
            let file = o.positional.first().context("missing the export file")?;
            let text = std::fs::read_to_string(file).with_context(|| format!("cannot read {file}"))?;
            let export: Value = serde_json::from_str(&text).with_context(|| format!("{file} is not JSON"))?;
            let page = serde_json::to_value(import::page(&export)?)?;
            api.write("PUT", "page", Some(&page), None)
        }
        other => bail!("unknown command {other:?}\n\n{USAGE}"),
    }
}
