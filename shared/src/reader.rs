//! Reader links of a private page (issue 28): a token an owner makes (`sitrep page link`) that lets
//! whoever holds it read that page, and nothing else, until it expires or the page's links are
//! revoked. Pure: the edge passes the key (derived from the deployment's admin secret) and the
//! clock.
//!
//! `sitrep_reader_{id}_{serial}_{epoch}_{expires}_{mac}`: the page's id and serial (a page that
//! later takes a removed page's id does not take its readers), the page's link epoch when it was
//! made (revoking bumps it: every earlier link stops at once), the instant it expires (seconds) and
//! a 256-bit HMAC-SHA-256 of all of them under the deployment's reader key, compared in constant
//! time. No state per link: a link is revoked with all of its page's.

use hmac::digest::KeyInit;
use hmac::digest::generic_array::GenericArray;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use crate::host::PageEntry;

/// The prefix of every reader token.
pub const PREFIX: &str = "sitrep_reader_";
/// The longest a link may live: a year.
pub const MAX_DAYS: u32 = crate::limits::READER_LINK_DAYS;
/// How long a link lives unless told otherwise.
pub const DEFAULT_DAYS: u32 = 30;

/// Why a token does not let its bearer read a page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Not a reader token at all.
    Malformed,
    /// A token of another page (or of a page removed since, whose id another took).
    OtherPage,
    /// Made before the page's links were revoked.
    Revoked,
    /// Made after a revocation this reader's location has not heard of yet.
    NotYetKnown,
    /// Past its expiry.
    Expired,
    /// Its MAC is not the key's: forged or altered.
    Forged,
}

impl Refusal {
    /// A sentence for the reader.
    pub fn message(self) -> &'static str {
        match self {
            Self::Malformed | Self::Forged | Self::OtherPage => "this reader link is not one of this page's",
            Self::Revoked => "this reader link was revoked: ask for a new one",
            Self::NotYetKnown => "this reader link is newer than this location knows: try again in a minute",
            Self::Expired => "this reader link has expired: ask for a new one",
        }
    }
}

/// A deployment's reader key: HMAC-SHA-256's block of 64 bytes, from the admin secret (so no second
/// secret is to be set; a new admin secret ends every reader link).
pub type Key = [u8; 64];

/// The reader key of a deployment whose admin secret is `admin_secret`.
pub fn key(admin_secret: &str) -> Key {
    let half = |n: u8| -> [u8; 32] {
        let mut hash = Sha256::new();
        hash.update(b"sitrep reader links\0");
        hash.update([n]);
        hash.update(admin_secret.as_bytes());
        hash.finalize().into()
    };
    let mut key = [0; 64];
    key[..32].copy_from_slice(&half(1));
    key[32..].copy_from_slice(&half(2));
    key
}

fn mac(key: &Key, page: &PageEntry, epoch: u64, expires_s: i64) -> Hmac<Sha256> {
    let mut mac = <Hmac<Sha256> as KeyInit>::new(GenericArray::from_slice(key));
    mac.update(format!("{}\0{}\0{epoch}\0{expires_s}", page.id, page.serial).as_bytes());
    mac
}

/// A token for `page` at its current link epoch, valid until `expires_s` (seconds since the epoch).
pub fn make(key: &Key, page: &PageEntry, expires_s: i64) -> String {
    let tag = mac(key, page, page.links_from, expires_s).finalize().into_bytes();
    let hex: String = tag.iter().map(|b| format!("{b:02x}")).collect();
    format!("{PREFIX}{}_{}_{}_{expires_s}_{hex}", page.id, page.serial, page.links_from)
}

/// Whether `token` lets its bearer read `page` at `now_s`.
pub fn check(key: &Key, token: &str, page: &PageEntry, now_s: i64) -> Result<(), Refusal> {
    let rest = token.strip_prefix(PREFIX).ok_or(Refusal::Malformed)?;
    let parts: Vec<&str> = rest.split('_').collect();
    let [id, serial, epoch, expires, tag] = parts[..] else { return Err(Refusal::Malformed) };
    let number = |text: &str| text.parse::<u64>().ok().filter(|n| n.to_string() == text);
    let (Some(serial), Some(epoch), Some(expires)) = (number(serial), number(epoch), number(expires)) else {
        return Err(Refusal::Malformed);
    };
    let tag = decode_hex(tag).ok_or(Refusal::Malformed)?;
    if id != page.id.as_str() || serial != page.serial {
        return Err(Refusal::OtherPage);
    }
    let expires = i64::try_from(expires).map_err(|_| Refusal::Malformed)?;
    // The MAC first: nothing about a forged token (its epoch, its expiry) is told apart.
    mac(key, page, epoch, expires).verify_slice(&tag).map_err(|_| Refusal::Forged)?;
    if epoch < page.links_from {
        return Err(Refusal::Revoked);
    }
    if epoch > page.links_from {
        return Err(Refusal::NotYetKnown);
    }
    if now_s >= expires {
        return Err(Refusal::Expired);
    }
    Ok(())
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if text.len() != 64 {
        return None;
    }
    // Lowercase hex digits only, as `make` writes them: one token has one spelling.
    if !text.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
        return None;
    }
    (0..text.len()).step_by(2).map(|i| text.get(i..i + 2).and_then(|pair| u8::from_str_radix(pair, 16).ok())).collect()
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::host::{Audience, Host};
    use crate::wire::PageId;

    fn page(id: &str, serial: u64, links_from: u64) -> PageEntry {
        PageEntry {
            id: PageId::from(id),
            serial,
            name: "Internal".into(),
            hosts: vec![Host::of_name("internal.example").unwrap()],
            audience: Audience::Private,
            links_from,
            readers: vec![],
        }
    }

    const NOW: i64 = 1_800_000_000;

    #[test]
    fn a_link_reads_its_page_until_it_expires() {
        let key = key("a-long-admin-secret-of-at-least-32-chars");
        let internal = page("internal", 3, 0);
        let token = make(&key, &internal, NOW + 60);
        assert!(token.starts_with("sitrep_reader_internal_3_0_"));
        assert_eq!(check(&key, &token, &internal, NOW), Ok(()));
        assert_eq!(check(&key, &token, &internal, NOW + 60), Err(Refusal::Expired));
    }

    #[test]
    fn a_link_is_of_one_page_one_key_and_one_epoch() {
        let key = key("a-long-admin-secret-of-at-least-32-chars");
        let internal = page("internal", 3, 0);
        let token = make(&key, &internal, NOW + 60);
        assert_eq!(check(&key, &token, &page("other", 3, 0), NOW), Err(Refusal::OtherPage));
        assert_eq!(check(&key, &token, &page("internal", 4, 0), NOW), Err(Refusal::OtherPage), "a page re-added");
        assert_eq!(check(&key, &token, &page("internal", 3, 1), NOW), Err(Refusal::Revoked));
        let newer = make(&key, &page("internal", 3, 2), NOW + 60);
        assert_eq!(check(&key, &newer, &page("internal", 3, 1), NOW), Err(Refusal::NotYetKnown));
        let other_key = super::key("another-admin-secret-of-at-least-32-chars");
        assert_eq!(check(&other_key, &token, &internal, NOW), Err(Refusal::Forged));
    }

    #[test]
    fn an_altered_or_malformed_token_reads_nothing() {
        let key = key("a-long-admin-secret-of-at-least-32-chars");
        let internal = page("internal", 3, 0);
        let token = make(&key, &internal, NOW + 60);
        // A later expiry, an older epoch written over, one bit of the MAC flipped.
        let later = token.replace(&format!("_{}_", NOW + 60), &format!("_{}_", NOW + 6_000_000));
        assert_eq!(check(&key, &later, &internal, NOW), Err(Refusal::Forged));
        let mut flipped = token.clone().into_bytes();
        let last = flipped.len() - 1;
        flipped[last] = if flipped[last] == b'0' { b'1' } else { b'0' };
        assert_eq!(check(&key, &String::from_utf8(flipped).unwrap(), &internal, NOW), Err(Refusal::Forged));
        for bad in [
            "",
            "sitrep_reader_",
            "sitrep_reader_internal_3_0",
            &token.replace("_3_", "_03_"),
            &format!("{token}_x"),
            &token[..token.len() - 2],
            &token.to_uppercase(),
            // The MAC's hex in another spelling of the same bytes.
            &format!("{}{}", &token[..token.len() - 64], token[token.len() - 64..].to_uppercase()),
            &format!("{}+{}", &token[..token.len() - 64], &token[token.len() - 63..]),
        ] {
            assert!(check(&key, bad, &internal, NOW).is_err(), "{bad:?}");
        }
    }
}
