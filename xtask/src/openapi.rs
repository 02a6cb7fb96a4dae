//! `cargo xtask openapi`: the write API's OpenAPI 3.1 document, generated from the one table of
//! the write API (`sitrep_shared::api`) and the request types' schemas, written to
//! `edge/openapi.json` (served at `/api/v2/admin/openapi.json`). `cargo xtask test` runs it with
//! `--check`: the committed document is the snapshot, and a table or a type that changed without
//! it fails, naming the command that brings it up to date.

use anyhow::{Result, bail};
use schemars::JsonSchema;
use schemars::generate::SchemaGenerator;
use schemars::generate::SchemaSettings;
use serde_json::{Value, json};
use sitrep_shared::access::{NewOperator, NewToken, OperatorEdit};
use sitrep_shared::api::{Endpoint, Store};
use sitrep_shared::command::{
    Cancellation, ComponentEdit, ComponentOrder, EventEdit, NewComponent, NewIncident, NewMaintenance, NewUpdate,
    PageEdit, PostmortemDraft, UpdateEdit,
};
use sitrep_shared::notify::delivery::Delivery;
use sitrep_shared::notify::{NewSubscription, SubscriptionEdit};
use sitrep_shared::template::NewTemplate;
use sitrep_shared::{PageData, Problem};

use crate::shell::{self, step};

/// Where the document is committed.
const DOCUMENT: &str = "edge/openapi.json";

/// Writes the document, or with `--check` fails when the committed one differs.
pub fn run(args: &[String]) -> Result<()> {
    let text = text();
    let path = shell::root().join(DOCUMENT);
    if args.iter().any(|a| a == "--check") {
        step("the OpenAPI document matches the write API's table and types");
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        if committed != text {
            bail!(
                "{DOCUMENT} differs from what the table and the types make: run `cargo xtask openapi` and review the diff"
            );
        }
        println!("{DOCUMENT} is up to date");
        return Ok(());
    }
    std::fs::write(&path, text)?;
    println!("wrote {DOCUMENT}");
    Ok(())
}

/// The document as committed (pretty, with a final newline).
pub fn text() -> String {
    serde_json::to_string_pretty(&document()).unwrap_or_default() + "\n"
}

fn error(description: &str) -> Value {
    json!({ "description": description, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } })
}

pub fn document() -> Value {
    let mut generator = SchemaGenerator::new(SchemaSettings::openapi3().for_deserialize());
    let add =
        |name: &str, schema: schemars::Schema| (name.to_owned(), serde_json::to_value(schema).unwrap_or_default());
    fn of<T: JsonSchema>(g: &mut SchemaGenerator) -> schemars::Schema {
        g.subschema_for::<T>()
    }
    let refs = [
        add("PageData", of::<PageData>(&mut generator)),
        add("NewIncident", of::<NewIncident>(&mut generator)),
        add("EventEdit", of::<EventEdit>(&mut generator)),
        add("NewUpdate", of::<NewUpdate>(&mut generator)),
        add("UpdateEdit", of::<UpdateEdit>(&mut generator)),
        add("PostmortemDraft", of::<PostmortemDraft>(&mut generator)),
        add("NewMaintenance", of::<NewMaintenance>(&mut generator)),
        add("Cancellation", of::<Cancellation>(&mut generator)),
        add("NewComponent", of::<NewComponent>(&mut generator)),
        add("ComponentEdit", of::<ComponentEdit>(&mut generator)),
        add("ComponentOrder", of::<ComponentOrder>(&mut generator)),
        add("PageEdit", of::<PageEdit>(&mut generator)),
        add("NewTemplate", of::<NewTemplate>(&mut generator)),
        add("NewSubscription", of::<NewSubscription>(&mut generator)),
        add("SubscriptionEdit", of::<SubscriptionEdit>(&mut generator)),
        add("Problem", of::<Problem>(&mut generator)),
        add("Delivery", of::<Delivery>(&mut generator)),
        add("NewOperator", of::<NewOperator>(&mut generator)),
        add("OperatorEdit", of::<OperatorEdit>(&mut generator)),
        add("NewToken", of::<NewToken>(&mut generator)),
        add("NewPage", of::<sitrep_shared::host::NewPage>(&mut generator)),
        add("NewReaderLink", of::<sitrep_shared::host::NewReaderLink>(&mut generator)),
        add("PageReaders", of::<sitrep_shared::host::PageReaders>(&mut generator)),
    ];
    let mut schemas = serde_json::Map::new();
    for (name, schema) in generator.take_definitions(true) {
        schemas.insert(name, schema);
    }
    for (name, schema) in refs {
        schemas.entry(name).or_insert(schema);
    }
    schemas.insert(
        "Error".into(),
        json!({
            "type": "object", "required": ["error"],
            "properties": { "error": { "type": "object", "required": ["code", "message"], "properties": {
                "code": { "type": "string" }, "message": { "type": "string" },
                "problems": { "type": "array", "items": { "$ref": "#/components/schemas/Problem" } } } } }
        }),
    );
    schemas.insert(
        "WriteResult".into(),
        json!({
            "type": "object", "required": ["version"],
            "properties": { "version": { "type": "integer", "minimum": 1 }, "id": { "type": "string" },
                "summary": { "type": "string" }, "incident": { "type": ["object", "null"] },
                "components": { "type": ["array", "null"] } }
        }),
    );
    schemas.insert(
        "Operator".into(),
        json!({
            "type": "object", "required": ["id", "email", "name", "role", "created_at"],
            "properties": { "id": { "type": "string" }, "email": { "type": "string" }, "name": { "type": "string" },
                "role": { "type": "string", "enum": ["viewer", "editor", "owner"] },
                "created_at": { "type": "string", "format": "date-time" }, "invited_by": { "type": "string" },
                "revoked_at": { "type": "string", "format": "date-time" },
                "links_valid_from": { "type": "string", "format": "date-time" },
                "pages": { "type": "object", "description": "Their role on particular pages, by page id",
                    "additionalProperties": { "type": "string", "enum": ["viewer", "editor", "owner"] } } }
        }),
    );
    let mut paths = serde_json::Map::new();
    for endpoint in Endpoint::ALL {
        // Answered by the edge itself, with no page version: shaped as account operations are.
        if endpoint.store() == Store::Accounts || matches!(endpoint, Endpoint::Me | Endpoint::ReadDocument) {
            let path = format!("/api/v2/admin/{}", endpoint.spec().path);
            let entry = paths.entry(path).or_insert_with(|| json!({}));
            entry[endpoint.spec().method.as_str().to_lowercase()] = account_operation(endpoint);
            continue;
        }
        let spec = endpoint.spec();
        let method = spec.method.as_str();
        let path = format!("/api/v2/admin/{}", spec.path);
        let path = path.as_str();
        let (summary, body, ok) = (spec.summary, spec.body.map(|b| b.schema), spec.status);
        let mut parameters = vec![];
        if path.contains("{id}") {
            parameters.push(json!({ "name": "id", "in": "path", "required": true, "schema": { "type": "string", "pattern": "^[A-Za-z0-9_-]{1,64}$" } }));
        }
        if path.contains("{update}") {
            parameters.push(json!({ "name": "update", "in": "path", "required": true, "description": "the update's id, as the incident's document shows it", "schema": { "type": "string", "pattern": "^[A-Za-z0-9_-]{1,64}$" } }));
        }
        if path.contains("{delivery}") {
            parameters.push(json!({ "name": "delivery", "in": "path", "required": true, "description": "the event's id, as the deliveries list shows it", "schema": { "type": "string", "pattern": "^evt_([0-9a-f]{16}_)?[0-9]{1,20}_[0-9]{1,20}$" } }));
        }
        // A replay changes no page: no version to match, and asking twice is asking once.
        let replay = path.ends_with("/replay");
        let writes = method != "GET" && !replay;
        if writes {
            parameters.push(json!({ "name": "If-Match", "in": "header", "required": false, "description": "the page version the change was made against; 409 when stale", "schema": { "type": "string" } }));
        }
        if method == "POST" && !replay {
            parameters.push(json!({ "name": "Idempotency-Key", "in": "header", "required": false, "description": "a retry with the same key within its retention (a day unless SITREP_IDEMPOTENCY_SECS says otherwise) returns the first result and changes nothing", "schema": { "type": "string", "minLength": 1, "maxLength": 200 } }));
        }
        let mut responses = serde_json::Map::new();
        let success = if path.ends_with("openapi.json") {
            json!({ "description": "this document", "content": { "application/json": { "schema": { "type": "object" } } } })
        } else if path.ends_with("/log") {
            json!({ "description": "audit log", "content": { "application/json": { "schema": { "type": "object", "required": ["version", "entries"],
                "properties": { "version": { "type": "integer" }, "entries": { "type": "array", "items": { "type": "object",
                "required": ["version", "at", "summary"], "properties": { "version": { "type": "integer" }, "at": { "type": "string", "format": "date-time" },
                "summary": { "type": "string" }, "target": { "type": "string" } } } } } } } } })
        } else if path.ends_with("/deliveries") {
            json!({ "description": "the subscription (URL without path) and its most recent deliveries (at most 50)", "content": { "application/json": { "schema": { "type": "object",
                "required": ["version", "subscription", "deliveries", "replays_waiting"],
                "properties": { "version": { "type": "integer" }, "subscription": { "type": "object" },
                "deliveries": { "type": "array", "items": { "$ref": "#/components/schemas/Delivery" } },
                "replays_waiting": { "type": "integer" } } } } } })
        } else if replay {
            json!({ "description": "queued: it goes out before the next new event (after a resume, if the subscription is paused)", "content": { "application/json": { "schema": { "type": "object",
                "required": ["version", "subscription", "delivery", "queued", "paused"],
                "properties": { "version": { "type": "integer" }, "subscription": { "type": "string" }, "delivery": { "type": "string" },
                "queued": { "type": "boolean" }, "paused": { "type": "boolean" } } } } } })
        } else if path.contains("/subscriptions") {
            let subscription = json!({ "type": "object", "required": ["id", "kind", "url", "components", "events", "created_at"],
                "properties": { "id": { "type": "string" }, "kind": { "type": "string", "enum": ["webhook", "slack", "discord"] },
                "url": { "type": "string" }, "components": { "type": "array", "items": { "type": "string" } },
                "events": { "type": "array", "items": { "type": "string" } }, "created_at": { "type": "string", "format": "date-time" },
                "paused": { "type": "object", "required": ["at", "reason"] } } });
            let (required, properties, description) = match method {
                "GET" => (
                    json!(["version", "subscriptions"]),
                    json!({ "version": { "type": "integer" }, "subscriptions": { "type": "array", "items": subscription } }),
                    "every subscription",
                ),
                "POST" => (
                    json!(["version", "subscription"]),
                    json!({ "version": { "type": "integer" }, "subscription": subscription,
                    "secret": { "type": "string", "pattern": "^whsec_", "description": "the signing secret (Standard Webhooks), for a webhook only (chat deliveries are not signed); never shown again" } }),
                    "added",
                ),
                "PATCH" => (
                    json!(["version", "subscription"]),
                    json!({ "version": { "type": "integer" }, "subscription": subscription }),
                    "changed",
                ),
                _ => (
                    json!(["version", "id"]),
                    json!({ "version": { "type": "integer" }, "id": { "type": "string" } }),
                    "removed",
                ),
            };
            json!({ "description": description, "content": { "application/json": { "schema": { "type": "object", "required": required, "properties": properties } } } })
        } else if method == "GET" && path.ends_with("/{id}") {
            json!({ "description": "the event as incidents/{id}.json shapes it, draft included", "content": { "application/json": { "schema": { "type": "object", "required": ["page", "incident"] } } } })
        } else if path.ends_with("/preview") {
            json!({ "description": "the incident page, its draft shown as published", "content": { "text/html": { "schema": { "type": "string" } } } })
        } else {
            json!({ "description": "accepted; carries the new page version", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/WriteResult" } } } })
        };
        responses.insert(ok.to_string(), success);
        if path.ends_with("/preview") {
            responses.insert("404".into(), error("unknown id, or no draft yet"));
        } else if method == "GET" && path.ends_with("/{id}") || path.ends_with("/deliveries") {
            responses.insert("404".into(), error("unknown id"));
        } else if replay {
            responses.insert("404".into(), error("unknown subscription, or an event it was never sent"));
            responses.insert("409".into(), error("100 replays already wait for this subscription"));
        }
        if !path.ends_with("openapi.json") {
            responses.insert("401".into(), error("missing or wrong token"));
            responses.insert("403".into(), error("the credential's role may not do this"));
            responses.insert("429".into(), error("too many failed tokens from this client; see Retry-After"));
            responses.insert("405".into(), error("method not allowed"));
        }
        if writes {
            for (code, text) in [
                ("400", "malformed JSON or wrong types"),
                ("404", "unknown id"),
                ("409", "stale If-Match, reused Idempotency-Key, or no page yet"),
                ("413", "body over the limit (128 KiB; 512 KiB for a postmortem; 16 MiB for the page import)"),
                ("415", "not application/json"),
                ("422", "breaks the model's rules: every problem by field path"),
            ] {
                responses.insert(code.into(), error(text));
            }
        }
        let mut operation = json!({ "summary": summary, "operationId": format!("{}_{}", method.to_lowercase(), path.trim_start_matches("/api/v2/admin/").replace(['/', '{', '}', '.'], "_")), "parameters": parameters, "responses": responses });
        if path.ends_with("openapi.json") {
            operation["security"] = json!([]);
        }
        if let Some(body) = body {
            operation["requestBody"] = json!({ "required": true, "content": { "application/json": { "schema": { "$ref": format!("#/components/schemas/{body}") } } } });
        }
        let entry = paths.entry(path.to_owned()).or_insert_with(|| json!({}));
        entry[method.to_lowercase()] = operation;
    }
    json!({
        "openapi": "3.1.0",
        "info": { "title": "sitrep write API", "version": "1", "description": "Operators' API: every write is atomic, validated, recorded in the audit log, and bumps the page version." },
        "servers": [{ "url": "/" }],
        "security": [{ "bearer": [] }],
        "paths": paths,
        "components": { "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer" } }, "schemas": schemas },
    })
}

/// An account endpoint's operation (operators, sessions, tokens): no page version, no
/// Idempotency-Key; its answers' shapes.
fn account_operation(endpoint: Endpoint) -> Value {
    let spec = endpoint.spec();
    let operator = json!({ "$ref": "#/components/schemas/Operator" });
    let id_only = json!({ "type": "object", "required": ["id"], "properties": { "id": { "type": "string" } } });
    let token = json!({ "type": "object", "required": ["id", "name", "created_at"], "properties": {
        "id": { "type": "string" }, "name": { "type": "string" }, "created_at": { "type": "string", "format": "date-time" } } });
    let page = json!({ "type": "object", "required": ["id", "serial", "name", "hosts", "audience"], "properties": {
        "id": { "type": "string" }, "serial": { "type": "integer", "minimum": 0 }, "name": { "type": "string" },
        "hosts": { "type": "array", "items": { "type": "string" } },
        "audience": { "type": "string", "enum": ["public", "private"] }, "links_from": { "type": "integer", "minimum": 0 },
        "readers": { "type": "array", "items": { "type": "string" } } } });
    let success = match endpoint {
        Endpoint::Me => json!({ "type": "object", "required": ["actor", "role", "page"], "properties": {
            "actor": { "type": "object", "required": ["kind"] }, "role": { "type": "string", "enum": ["viewer", "editor", "owner"] },
            "pages": { "type": "object", "additionalProperties": { "type": "string", "enum": ["viewer", "editor", "owner"] } },
            "page": { "type": "string" } } }),
        Endpoint::ListOperators => json!({ "type": "object", "required": ["operators", "log"], "properties": {
            "operators": { "type": "array", "items": operator },
            "log": { "type": "array", "items": { "type": "object", "required": ["at", "by", "summary"] } } } }),
        Endpoint::InviteOperator => {
            json!({ "type": "object", "required": ["operator", "expires_at", "link"], "properties": {
            "operator": operator, "expires_at": { "type": "string", "format": "date-time" },
            "link": { "type": "string", "description": "the single-use sign-in link, valid 24 h; shown this once" } } })
        }
        Endpoint::EditOperator => {
            json!({ "type": "object", "required": ["operator"], "properties": { "operator": operator } })
        }
        Endpoint::RevokeOperator => {
            json!({ "type": "object", "required": ["operator", "sessions_ended"], "properties": {
            "operator": operator, "sessions_ended": { "type": "integer", "minimum": 0 } } })
        }
        Endpoint::ListSessions => {
            json!({ "type": "object", "required": ["sessions"], "properties": { "sessions": { "type": "array",
            "items": { "type": "object", "required": ["id", "created_at", "last_used"], "properties": { "id": { "type": "string" },
            "created_at": { "type": "string", "format": "date-time" }, "last_used": { "type": "string", "format": "date-time" },
            "user_agent": { "type": "string" } } } } } })
        }
        Endpoint::ListTokens | Endpoint::ListOperatorTokens => {
            json!({ "type": "object", "required": ["tokens"], "properties": { "tokens": { "type": "array", "items": token } } })
        }
        Endpoint::CreateToken => json!({ "type": "object", "required": ["token", "secret"], "properties": {
            "token": token, "secret": { "type": "string", "pattern": "^sitrep_pat_", "description": "the token; never shown again" } } }),
        Endpoint::ReadDocument => json!({ "type": "object", "required": ["page"], "description":
            "the document as the read API answers it: summary.json, incidents.json or scheduled-maintenances.json" }),
        Endpoint::ListPages => {
            json!({ "type": "object", "required": ["pages"], "properties": { "pages": { "type": "array", "items": page.clone() } } })
        }
        Endpoint::AddPage | Endpoint::RevokeReaderLinks | Endpoint::SetPageReaders => {
            json!({ "type": "object", "required": ["page"], "properties": { "page": page.clone() } })
        }
        Endpoint::RemovePage => json!({ "type": "object", "required": ["page", "stopped"], "properties": {
            "page": page.clone(), "stopped": { "type": "boolean", "description": "whether its store and deliveries stopped" } } }),
        Endpoint::CreateReaderLink => {
            json!({ "type": "object", "required": ["page", "link", "expires_at"], "properties": {
            "page": page.clone(), "link": { "type": "string", "description": "the reader link; shown this once" },
            "expires_at": { "type": "string", "format": "date-time" } } })
        }
        _ => id_only,
    };
    let mut responses = serde_json::Map::new();
    responses.insert(
        spec.status.to_string(),
        json!({ "description": spec.summary, "content": { "application/json": { "schema": success } } }),
    );
    let mut refusals = vec![
        ("401", "missing or wrong token, or a session or personal token that ended"),
        ("403", "the credential's role may not do this, or a signed-in write came from another site"),
        ("405", "method not allowed"),
        ("429", "too many failed credentials from this client; see Retry-After"),
    ];
    if spec.path.contains("{id}") {
        refusals.push(("404", "unknown id"));
    }
    if spec.body.is_some() {
        refusals.extend([
            ("400", "malformed JSON or wrong types"),
            ("413", "body over the limit (128 KiB)"),
            ("415", "not application/json"),
            ("422", "breaks the rules: every problem by field path"),
        ]);
    }
    if endpoint == Endpoint::CreateToken {
        refusals.push(("409", "the admin token is not an operator, or 20 tokens already"));
    }
    match endpoint {
        Endpoint::AddPage | Endpoint::SetPageReaders => refusals
            .push(("409", "readers by Cloudflare Access while the readers' Access application is not configured")),
        Endpoint::CreateReaderLink | Endpoint::RevokeReaderLinks => {
            refusals.push(("409", "a public page: it has no reader links"))
        }
        Endpoint::EditOperator => {
            refusals.push(("409", "roles on pages for a revoked operator: invite them again first"))
        }
        _ => {}
    }
    for (code, text) in refusals {
        responses.insert(code.into(), error(text));
    }
    let mut parameters = vec![];
    if endpoint == Endpoint::ReadDocument {
        parameters.push(json!({ "name": "id", "in": "path", "required": true, "schema": { "type": "string", "enum": ["summary", "incidents", "scheduled-maintenances"] } }));
        parameters.push(json!({ "name": "Sitrep-Page", "in": "header", "required": false, "description": "the page (by id); without it, the page of the host called", "schema": { "type": "string" } }));
    } else if spec.path.contains("{id}") {
        parameters.push(json!({ "name": "id", "in": "path", "required": true, "schema": { "type": "string", "pattern": "^[A-Za-z0-9_-]{1,64}$" } }));
    }
    if spec.path.contains("{token}") {
        parameters.push(json!({ "name": "token", "in": "path", "required": true, "description": "the token's id, as the tokens list shows it", "schema": { "type": "string", "pattern": "^[A-Za-z0-9_-]{1,64}$" } }));
    }
    let operation_id =
        format!("{}_{}", spec.method.as_str().to_lowercase(), spec.path.replace(['/', '{', '}', '.'], "_"));
    let mut operation = json!({ "summary": spec.summary, "operationId": operation_id, "parameters": parameters, "responses": responses });
    if let Some(body) = spec.body {
        operation["requestBody"] = json!({ "required": true, "content": { "application/json": { "schema": { "$ref": format!("#/components/schemas/{}", body.schema) } } } });
    }
    operation
}
