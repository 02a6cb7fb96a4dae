//! Cloudflare Access's identity assertion, `Cf-Access-Jwt-Assertion`: a JWT that Access signs with
//! RS256 for every request it lets through to an application. This module reads it and judges its
//! claims (pure); the edge checks its signature against the team's keys (WebCrypto) and maps its
//! email to an operator.
//!
//! What is refused: anything but three base64url parts; any algorithm but RS256 (`none` above all:
//! the algorithm is the verifier's choice, never the token's); an audience that is not the
//! application's tag; an issuer that is not the team's domain; an expired token, or one not valid
//! yet (with [`LEEWAY_S`] for clocks that differ); no email.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;

/// Seconds of clock difference allowed at `exp` and `nbf`.
pub const LEEWAY_S: i64 = 30;
/// The longest assertion read (Access's are about 1 KB).
pub const MAX_TOKEN: usize = 8 * 1024;

/// Why an assertion is refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    Shape,
    Algorithm(String),
    Audience,
    Issuer,
    Expired,
    NotYet,
    NoEmail,
    /// No key of the team's has the token's `kid`.
    UnknownKey,
    Signature,
}

impl Refusal {
    pub fn message(&self) -> String {
        match self {
            Self::Shape => "it is not a JWT".into(),
            Self::Algorithm(alg) => format!("it is signed with {alg:?}, and only RS256 is accepted"),
            Self::Audience => "it is for another application (aud)".into(),
            Self::Issuer => "it was issued by another team (iss)".into(),
            Self::Expired => "it has expired".into(),
            Self::NotYet => "it is not valid yet".into(),
            Self::NoEmail => "it names no email".into(),
            Self::UnknownKey => "it is signed with a key the team does not have".into(),
            Self::Signature => "its signature does not verify".into(),
        }
    }
}

#[derive(Deserialize)]
struct Header {
    alg: String,
    #[serde(default)]
    kid: String,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Audience {
    One(String),
    Many(Vec<String>),
}

/// The claims this edge reads.
#[derive(Debug, Deserialize)]
pub struct Claims {
    aud: Audience,
    iss: String,
    exp: i64,
    #[serde(default)]
    nbf: Option<i64>,
    #[serde(default)]
    pub email: String,
}

/// A read assertion, its signature not yet checked.
#[derive(Debug)]
pub struct Assertion {
    /// The id of the key it says it is signed with.
    pub kid: String,
    /// What is signed: `header.payload`, as sent.
    pub signed: String,
    pub signature: Vec<u8>,
    pub claims: Claims,
}

/// Reads an assertion: three parts, RS256, claims that parse.
pub fn parse(token: &str) -> Result<Assertion, Refusal> {
    if token.len() > MAX_TOKEN {
        return Err(Refusal::Shape);
    }
    let mut parts = token.split('.');
    let (Some(header), Some(payload), Some(signature), None) = (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(Refusal::Shape);
    };
    let decode = |part: &str| URL_SAFE_NO_PAD.decode(part).map_err(|_| Refusal::Shape);
    let header: Header = serde_json::from_slice(&decode(header)?).map_err(|_| Refusal::Shape)?;
    if header.alg != "RS256" {
        return Err(Refusal::Algorithm(header.alg.chars().take(20).collect()));
    }
    let claims: Claims = serde_json::from_slice(&decode(payload)?).map_err(|_| Refusal::Shape)?;
    let signature = decode(signature)?;
    let signed = token[..token.len() - token.rsplit('.').next().map_or(0, str::len) - 1].to_owned();
    Ok(Assertion { kid: header.kid, signed, signature, claims })
}

/// The issuer a team domain's assertions carry (`https://{team}.cloudflareaccess.com`).
pub fn issuer(team_domain: &str) -> String {
    let host = team_domain.trim().trim_start_matches("https://").trim_end_matches('/');
    format!("https://{host}")
}

/// Judges the claims at `now_s` (seconds since the epoch) for the application `audience` of the
/// team that issues as `issuer`.
pub fn check(claims: &Claims, audience: &str, issuer: &str, now_s: i64) -> Result<(), Refusal> {
    let for_us = match &claims.aud {
        Audience::One(aud) => aud == audience,
        Audience::Many(auds) => auds.iter().any(|aud| aud == audience),
    };
    if !for_us {
        return Err(Refusal::Audience);
    }
    if claims.iss.trim_end_matches('/') != issuer {
        return Err(Refusal::Issuer);
    }
    if now_s >= claims.exp.saturating_add(LEEWAY_S) {
        return Err(Refusal::Expired);
    }
    if claims.nbf.is_some_and(|nbf| now_s < nbf.saturating_sub(LEEWAY_S)) {
        return Err(Refusal::NotYet);
    }
    if claims.email.trim().is_empty() {
        return Err(Refusal::NoEmail);
    }
    Ok(())
}

/// The RSA key with id `kid` from a JWKS document (`{"keys": [...]}`), as JSON for WebCrypto.
pub fn key(jwks: &str, kid: &str) -> Option<serde_json::Value> {
    let jwks: serde_json::Value = serde_json::from_str(jwks).ok()?;
    jwks.get("keys")?
        .as_array()?
        .iter()
        .find(|key| key["kid"] == kid && key["kty"] == "RSA" && key["n"].is_string() && key["e"].is_string())
        .map(|key| serde_json::json!({ "kty": "RSA", "n": key["n"], "e": key["e"], "alg": "RS256", "ext": true }))
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    fn token(header: serde_json::Value, claims: serde_json::Value) -> String {
        let part = |v: serde_json::Value| URL_SAFE_NO_PAD.encode(v.to_string());
        format!("{}.{}.{}", part(header), part(claims), URL_SAFE_NO_PAD.encode([1, 2, 3]))
    }

    fn claims(exp: i64) -> serde_json::Value {
        serde_json::json!({ "aud": ["app-tag"], "iss": "https://team.cloudflareaccess.com", "exp": exp, "nbf": 900, "email": "ada@example.com" })
    }

    const RS256: fn() -> serde_json::Value = || serde_json::json!({ "alg": "RS256", "kid": "k1", "typ": "JWT" });

    #[test]
    fn a_good_assertion_is_read_and_its_claims_judged() {
        let text = token(RS256(), claims(2_000));
        let read = parse(&text).unwrap();
        assert_eq!(read.kid, "k1");
        assert_eq!(read.signature, [1, 2, 3]);
        assert_eq!(format!("{}.", read.signed), text[..text.rfind('.').unwrap() + 1]);
        let iss = issuer("team.cloudflareaccess.com");
        assert_eq!(check(&read.claims, "app-tag", &iss, 1_000), Ok(()));
        assert_eq!(check(&read.claims, "other", &iss, 1_000), Err(Refusal::Audience));
        assert_eq!(check(&read.claims, "app-tag", &issuer("evil.cloudflareaccess.com"), 1_000), Err(Refusal::Issuer));
        assert_eq!(check(&read.claims, "app-tag", &iss, 2_000 + LEEWAY_S), Err(Refusal::Expired));
        assert_eq!(check(&read.claims, "app-tag", &iss, 2_000 + LEEWAY_S - 1), Ok(()), "a little clock difference");
        assert_eq!(check(&read.claims, "app-tag", &iss, 800), Err(Refusal::NotYet));
    }

    #[test]
    fn the_algorithm_is_ours_to_choose_and_the_shape_is_checked() {
        for alg in ["none", "HS256", "RS512", "ES256"] {
            let header = serde_json::json!({ "alg": alg, "kid": "k1" });
            assert_eq!(parse(&token(header, claims(2_000))).err(), Some(Refusal::Algorithm(alg.into())));
        }
        for bad in ["", "a.b", "a.b.c.d", "!!.e30.AQ", &"a".repeat(MAX_TOKEN + 1)] {
            assert_eq!(parse(bad).err(), Some(Refusal::Shape), "{bad:.20}");
        }
        let no_email =
            serde_json::json!({ "aud": "app-tag", "iss": "https://team.cloudflareaccess.com", "exp": 2_000 });
        let read = parse(&token(RS256(), no_email)).unwrap();
        assert_eq!(check(&read.claims, "app-tag", "https://team.cloudflareaccess.com", 1_000), Err(Refusal::NoEmail));
    }

    #[test]
    fn keys_are_found_by_id_and_only_rsa() {
        let jwks = r#"{"keys":[{"kid":"k0","kty":"EC","x":"a","y":"b"},{"kid":"k1","kty":"RSA","n":"nn","e":"AQAB"}]}"#;
        assert_eq!(key(jwks, "k1").unwrap()["n"], "nn");
        assert_eq!(key(jwks, "k0"), None, "not RSA");
        assert_eq!(key(jwks, "k9"), None);
        assert_eq!(key("not json", "k1"), None);
    }
}
