//! Standard Webhooks signatures (<https://www.standardwebhooks.com/>), so receivers verify
//! deliveries with that project's libraries: `webhook-signature: v1,<base64 HMAC-SHA256>` of
//! `{webhook-id}.{webhook-timestamp}.{body}`, keyed with the secret's bytes; the secret is shown to
//! the operator once, as `whsec_` followed by their base64.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The prefix of a secret's text form.
pub const SECRET_PREFIX: &str = "whsec_";
/// Bytes of a secret (the specification asks for 24 to 64).
pub const SECRET_BYTES: usize = 32;

/// A secret's text form, from its bytes.
pub fn secret_text(bytes: &[u8]) -> String {
    format!("{SECRET_PREFIX}{}", STANDARD.encode(bytes))
}

/// A secret's bytes, from its text form.
pub fn secret_bytes(text: &str) -> Option<Vec<u8>> {
    STANDARD.decode(text.strip_prefix(SECRET_PREFIX)?).ok()
}

/// The `webhook-signature` header's value for a delivery.
pub fn signature(secret: &[u8], id: &str, timestamp_s: i64, body: &str) -> String {
    // HMAC takes a key of any length: this cannot fail.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret) else { return String::new() };
    mac.update(format!("{id}.{timestamp_s}.").as_bytes());
    mac.update(body.as_bytes());
    format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_specifications_example() {
        // The test vector of the Standard Webhooks reference libraries.
        let secret = secret_bytes("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let body = r#"{"test": 2432232314}"#;
        assert_eq!(
            signature(&secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
    }

    #[test]
    fn secrets_round_trip() {
        let bytes = [7u8; SECRET_BYTES];
        let text = secret_text(&bytes);
        assert!(text.starts_with("whsec_"));
        assert_eq!(secret_bytes(&text).unwrap(), bytes);
        assert_eq!(secret_bytes("nope"), None);
    }
}
