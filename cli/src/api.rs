//! The HTTP side: one agent, the token, and every answer turned into JSON or a readable error.

use anyhow::{Context, Result, bail};
use serde_json::Value;

/// A client of one sitrep edge.
pub struct Api {
    agent: ureq::Agent,
    base: String,
    token: Option<String>,
}

/// A refused request: the status and the edge's error body.
#[derive(Debug)]
pub struct Refused {
    pub status: u16,
    pub code: String,
    pub message: String,
    pub problems: Vec<(String, String)>,
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({}): {}", self.status, self.code, self.message)?;
        for (path, message) in &self.problems {
            write!(f, "\n  - {path}: {message}")?;
            if message.contains("reopen: true") {
                write!(f, " (with this tool: --reopen)")?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for Refused {}

impl Api {
    /// From `SITREP_URL` and `SITREP_TOKEN`.
    pub fn from_env() -> Result<Self> {
        let base =
            std::env::var("SITREP_URL").context("set SITREP_URL to the edge's origin, e.g. http://127.0.0.1:8787")?;
        let token = std::env::var("SITREP_TOKEN").ok().filter(|t| !t.is_empty());
        let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
        Ok(Self { agent, base: base.trim_end_matches('/').to_owned(), token })
    }

    fn auth(&self) -> Result<String> {
        match &self.token {
            Some(token) => Ok(format!("Bearer {token}")),
            None => bail!("set SITREP_TOKEN to the admin token (edge/.dev.vars locally)"),
        }
    }

    /// A public read.
    pub fn get(&self, path: &str) -> Result<Value> {
        let response = self
            .agent
            .get(format!("{}{path}", self.base))
            .call()
            .with_context(|| format!("cannot reach {}", self.base))?;
        answer(response)
    }

    /// An admin read.
    pub fn admin_get(&self, path: &str) -> Result<Value> {
        let url = format!("{}/api/v2/admin/{path}", self.base);
        let response = self
            .agent
            .get(url)
            .header("authorization", self.auth()?)
            .call()
            .with_context(|| format!("cannot reach {}", self.base))?;
        answer(response)
    }

    /// An admin write with a JSON body (`None` sends no body).
    pub fn write(
        &self,
        method: &str,
        path: &str,
        body: Option<&Value>,
        idempotency_key: Option<&str>,
    ) -> Result<Value> {
        let url = format!("{}/api/v2/admin/{path}", self.base);
        let builder = match method {
            "POST" => self.agent.post(url),
            "PUT" => self.agent.put(url),
            "PATCH" => self.agent.patch(url),
            other => bail!("unsupported method {other}"),
        };
        let mut builder = builder.header("authorization", self.auth()?);
        if let Some(key) = idempotency_key {
            builder = builder.header("idempotency-key", key);
        }
        let response = match body {
            Some(body) => builder.header("content-type", "application/json").send(serde_json::to_vec(body)?),
            None => builder.send_empty(),
        }
        .with_context(|| format!("cannot reach {}", self.base))?;
        answer(response)
    }
}

fn answer(mut response: ureq::http::Response<ureq::Body>) -> Result<Value> {
    let status = response.status().as_u16();
    let text = response.body_mut().read_to_string().context("cannot read the answer")?;
    let json: Value = serde_json::from_str(&text).unwrap_or(Value::String(text));
    if (200..300).contains(&status) {
        return Ok(json);
    }
    let error = &json["error"];
    let problems = error["problems"]
        .as_array()
        .map(|list| {
            list.iter()
                .map(|p| (p["path"].as_str().unwrap_or("").to_owned(), p["message"].as_str().unwrap_or("").to_owned()))
                .collect()
        })
        .unwrap_or_default();
    Err(Refused {
        status,
        code: error["code"].as_str().unwrap_or("unknown").to_owned(),
        message: error["message"].as_str().map_or_else(|| json.to_string(), str::to_owned),
        problems,
    }
    .into())
}
