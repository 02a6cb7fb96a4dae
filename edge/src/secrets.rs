//! Random bytes from the runtime's cryptographic generator, and the secrets and public ids made of
//! them. On the ground floor: the writer makes subscription secrets, the Worker sign-in secrets.

use sitrep_shared::access::{self, Secret};
use wasm_bindgen::JsCast;

use crate::error::EdgeError;

/// Fills `bytes` from the runtime's cryptographic generator.
pub fn random(bytes: &mut [u8]) -> Result<(), EdgeError> {
    let crypto = js_sys::Reflect::get(&js_sys::global(), &"crypto".into())
        .map_err(|_| EdgeError::Internal("no crypto in this runtime".into()))?
        .unchecked_into::<web_sys::Crypto>();
    crypto
        .get_random_values_with_u8_array(bytes)
        .map_err(|_| EdgeError::Internal("the runtime gave no random bytes".into()))?;
    Ok(())
}

/// A new secret of `kind` and what it is stored as (its hash): the secret itself is shown once and
/// never kept.
pub fn new_secret(kind: Secret) -> Result<(String, String), EdgeError> {
    let mut bytes = [0u8; 32];
    random(&mut bytes)?;
    let text = kind.text(&bytes);
    let hash = access::hash(&text);
    Ok((text, hash))
}

/// A new public id: `prefix` and 16 random hex digits (what lists show and revocations name).
pub fn public_id(prefix: &str) -> Result<String, EdgeError> {
    let mut bytes = [0u8; 8];
    random(&mut bytes)?;
    Ok(format!("{prefix}{}", bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()))
}
