//! Signing in through Cloudflare Access, when the deployment puts the console behind it: Access
//! sends every request it lets through with `Cf-Access-Jwt-Assertion`, an RS256 JWT naming the
//! person's email. Configured by two variables in `wrangler.toml`: `SITREP_ACCESS_TEAM_DOMAIN`
//! (`yourteam.cloudflareaccess.com`) and `SITREP_ACCESS_AUD` (the application's audience tag).
//! The team's keys come from `https://{team}/cdn-cgi/access/certs`, kept in isolate memory for
//! [`KEYS_FOR_MS`] and fetched again (at most once a minute) when a token names a key not among
//! them; `SITREP_ACCESS_CERTS` pins them instead (a JWKS document), which is how the tests give
//! the test build a key pair of their own.
//!
//! The claims are judged in `shared::jwt`; the signature here, by the runtime's WebCrypto (no RSA
//! code of our own, nothing added to the Worker).

use std::cell::RefCell;

use js_sys::{Array, Function, JSON, Promise, Reflect, Uint8Array};
use sitrep_shared::jwt::{self, Refusal};
use wasm_bindgen::{JsCast, JsValue};
use worker::Env;
use worker::wasm_bindgen_futures::JsFuture;

use crate::error::EdgeError;

/// How long fetched keys are used before they are fetched again.
const KEYS_FOR_MS: u64 = 3_600_000;
/// The least time between two fetches of the keys.
const REFETCH_MS: u64 = 60_000;

thread_local! {
    /// The team's keys (a JWKS document) and when they were fetched.
    static KEYS: RefCell<Option<(String, u64)>> = const { RefCell::new(None) };
}

/// The deployment's Access settings, if it has them.
pub struct Config {
    team: String,
    audience: String,
    pinned: Option<String>,
}

/// Whether the deployment signs operators in through Access (both variables set, the team a host name).
pub fn config(env: &Env) -> Option<Config> {
    config_for(env, "SITREP_ACCESS_AUD")
}

/// Whether private pages take readers through Access: the team, and `SITREP_ACCESS_READER_AUD`,
/// the audience of an Access application of their own. Never the operators' application: an
/// identity provider let in for partners must not be able to assert an operator's email there.
pub fn reader_config(env: &Env) -> Option<Config> {
    config_for(env, "SITREP_ACCESS_READER_AUD")
}

fn config_for(env: &Env, audience: &str) -> Option<Config> {
    let var = |name: &str| env.var(name).ok().map(|v| v.to_string()).filter(|v| !v.trim().is_empty());
    let team = var("SITREP_ACCESS_TEAM_DOMAIN")?.trim().to_ascii_lowercase();
    let host = team.trim_start_matches("https://").trim_end_matches('/').to_owned();
    if !host.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-') || !host.contains('.') {
        worker::console_warn!("SITREP_ACCESS_TEAM_DOMAIN is not a host name: Access sign-in is off");
        return None;
    }
    Some(Config { team: host, audience: var(audience)?, pinned: var("SITREP_ACCESS_CERTS") })
}

fn refused(why: &Refusal) -> EdgeError {
    EdgeError::SignedOut(format!("the Cloudflare Access assertion was refused: {}", why.message()))
}

/// The email an assertion names, once its claims and signature hold.
pub async fn email(config: &Config, token: &str, now_ms: u64) -> Result<String, EdgeError> {
    let assertion = jwt::parse(token).map_err(|r| refused(&r))?;
    jwt::check(&assertion.claims, &config.audience, &jwt::issuer(&config.team), (now_ms / 1000) as i64)
        .map_err(|r| refused(&r))?;
    let mut key = jwt::key(&keys(config, now_ms, false).await?, &assertion.kid);
    if key.is_none() && config.pinned.is_none() {
        // The team may have rotated its keys since they were fetched.
        key = jwt::key(&keys(config, now_ms, true).await?, &assertion.kid);
    }
    let key = key.ok_or_else(|| refused(&Refusal::UnknownKey))?;
    if !verify(&key, &assertion.signed, &assertion.signature).await? {
        return Err(refused(&Refusal::Signature));
    }
    Ok(assertion.claims.email)
}

/// The team's keys: pinned, kept, or fetched (again when `again` and the last fetch is a minute old).
async fn keys(config: &Config, now_ms: u64, again: bool) -> Result<String, EdgeError> {
    if let Some(pinned) = &config.pinned {
        return Ok(pinned.clone());
    }
    let kept = KEYS.with_borrow(|k| k.clone());
    if let Some((jwks, at)) = &kept {
        let fresh = now_ms < at + KEYS_FOR_MS;
        if fresh && (!again || now_ms < at + REFETCH_MS) {
            return Ok(jwks.clone());
        }
    }
    let url = format!("https://{}/cdn-cgi/access/certs", config.team);
    let fetched = async {
        let url = worker::Url::parse(&url).map_err(|e| EdgeError::Internal(e.to_string()))?;
        let mut response = worker::Fetch::Url(url).send().await?;
        if response.status_code() != 200 {
            return Err(EdgeError::Unavailable);
        }
        Ok::<_, EdgeError>(response.text().await?)
    };
    match fetched.await {
        Ok(jwks) => {
            KEYS.with_borrow_mut(|k| *k = Some((jwks.clone(), now_ms)));
            Ok(jwks)
        }
        // The keys kept still serve while the team's endpoint is down.
        Err(_) if kept.is_some() => Ok(kept.map(|(jwks, _)| jwks).unwrap_or_default()),
        Err(_) => Err(EdgeError::Unavailable),
    }
}

/// Checks an RS256 signature with the runtime's WebCrypto.
async fn verify(key: &serde_json::Value, signed: &str, signature: &[u8]) -> Result<bool, EdgeError> {
    let failed = |what: &str| EdgeError::Internal(format!("WebCrypto: {what}"));
    let js = |text: &str| JSON::parse(text).map_err(|_| failed("a JSON value"));
    let crypto = Reflect::get(&js_sys::global(), &"crypto".into()).map_err(|_| failed("no crypto"))?;
    let subtle = Reflect::get(&crypto, &"subtle".into()).map_err(|_| failed("no subtle"))?;
    let method = |name: &str| -> Result<Function, EdgeError> {
        Reflect::get(&subtle, &name.into()).ok().and_then(|f| f.dyn_into::<Function>().ok()).ok_or_else(|| failed(name))
    };
    let algorithm = js(r#"{"name":"RSASSA-PKCS1-v1_5","hash":"SHA-256"}"#)?;
    let args = Array::of5(&"jwk".into(), &js(&key.to_string())?, &algorithm, &JsValue::FALSE, &js(r#"["verify"]"#)?);
    let imported = method("importKey")?.apply(&subtle, &args).map_err(|_| failed("importKey"))?;
    // A key the runtime will not import (a malformed modulus) verifies nothing.
    let Ok(key) = JsFuture::from(imported.unchecked_into::<Promise>()).await else { return Ok(false) };
    let args = Array::of4(
        &"RSASSA-PKCS1-v1_5".into(),
        &key,
        &Uint8Array::from(signature).into(),
        &Uint8Array::from(signed.as_bytes()).into(),
    );
    let verified = method("verify")?.apply(&subtle, &args).map_err(|_| failed("verify"))?;
    let verified = JsFuture::from(verified.unchecked_into::<Promise>()).await.map_err(|_| failed("verify"))?;
    Ok(verified.as_bool() == Some(true))
}
