//! Cache policy: pure functions, tested on the host.

/// How long each kind of document may be cached by browsers and CDNs, in seconds.
pub fn max_age(content_type: &str) -> u32 {
    if content_type.starts_with("image/") {
        60
    } else if content_type.contains("atom") || content_type.contains("rss") || content_type.contains("feed+json") {
        300
    } else {
        30
    }
}

/// How long a served copy may be reused while revalidating, and when the origin fails.
const STALE_WHILE_REVALIDATE: u32 = 30;
const STALE_IF_ERROR: u32 = 86_400;

/// `Cache-Control` for a document: never cached past the instant it stops being true.
pub fn cache_control(content_type: &str, now_ms: u64, valid_until_ms: Option<u64>, stale: bool) -> String {
    let left = valid_until_ms.map_or(u32::MAX, |until| (until.saturating_sub(now_ms) / 1000) as u32);
    if stale {
        // The store is down: let clients retry soon, and keep using this copy if they fail too.
        return format!("public, max-age=0, stale-if-error={STALE_IF_ERROR}");
    }
    let age = max_age(content_type).min(left);
    let swr = STALE_WHILE_REVALIDATE.min(left.saturating_sub(age));
    format!("public, max-age={age}, stale-while-revalidate={swr}, stale-if-error={STALE_IF_ERROR}")
}

/// A strong ETag of the body: FNV-1a 64 (fast, stable, enough to tell versions apart).
pub fn etag(body: &[u8]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in body {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("\"{hash:016x}-{:x}\"", body.len())
}

/// Whether an `If-None-Match` header matches the ETag (weak comparison, as RFC 9110 asks for it).
pub fn if_none_match(header: &str, etag: &str) -> bool {
    let bare = |tag: &str| tag.trim().trim_start_matches("W/").to_owned();
    let etag = bare(etag);
    header.split(',').any(|tag| tag.trim() == "*" || bare(tag) == etag)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn max_age_never_outlives_the_document() {
        assert_eq!(
            cache_control("application/json", 0, None, false),
            "public, max-age=30, stale-while-revalidate=30, stale-if-error=86400"
        );
        assert_eq!(
            cache_control("application/json", 0, Some(10_000), false),
            "public, max-age=10, stale-while-revalidate=0, stale-if-error=86400"
        );
        assert_eq!(
            cache_control("application/atom+xml", 0, Some(400_000), false),
            "public, max-age=300, stale-while-revalidate=30, stale-if-error=86400"
        );
        assert_eq!(cache_control("image/svg+xml", 5, None, true), "public, max-age=0, stale-if-error=86400");
    }

    #[test]
    fn etags_are_strong_and_differ_by_content() {
        let a = etag(b"{\"a\":1}");
        assert!(a.starts_with('"') && a.ends_with('"') && !a.starts_with("W/"));
        assert_ne!(a, etag(b"{\"a\":2}"));
        assert_eq!(a, etag(b"{\"a\":1}"));
    }

    #[test]
    fn if_none_match_lists_and_weak_tags() {
        let tag = etag(b"x");
        assert!(if_none_match(&tag, &tag));
        assert!(if_none_match(&format!("\"other\", W/{tag}"), &tag));
        assert!(if_none_match("*", &tag));
        assert!(!if_none_match("\"other\"", &tag));
    }
}
