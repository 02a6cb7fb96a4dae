//! The little URL handling the edge needs, without the `url` crate: its IDNA tables alone would
//! add over 100 KB to the Worker. Request URLs from the runtime are already absolute and normalised.

/// Splits an absolute URL into origin (`scheme://host[:port]`), path and query (without `?`).
pub fn split(url: &str) -> (&str, &str, &str) {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    let path_start = url[after_scheme..].find(['/', '?', '#']).map_or(url.len(), |i| i + after_scheme);
    let origin = &url[..path_start];
    let rest = &url[path_start..];
    let rest = rest.split('#').next().unwrap_or("");
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    (origin, if path.is_empty() { "/" } else { path }, query)
}

/// The first value of a query parameter, percent-decoded (`+` is a space).
pub fn query_param(query: &str, name: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        (decode(key) == name).then(|| decode(value))
    })
}

/// `path` with `query` but every `name` parameter: where a page read with a reader link sends the
/// browser on, so the link leaves its address bar and history. Always a path on this host: a
/// path that starts `//` (or `/\`) would be read as another host's address, so it starts with one `/`.
pub fn without_param(path: &str, query: &str, name: &str) -> String {
    let path = format!("/{}", path.trim_start_matches(['/', '\\']));
    let kept: Vec<&str> = (query.split('&'))
        .filter(|pair| !pair.is_empty() && decode(pair.split_once('=').map_or(pair, |(key, _)| key)) != name)
        .collect();
    if kept.is_empty() { path } else { format!("{path}?{}", kept.join("&")) }
}

/// Percent-decodes form-encoded text; invalid escapes stay as they are, invalid UTF-8 becomes U+FFFD.
pub fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok().and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(byte) => {
                        out.push(byte);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            byte => out.push(byte),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Percent-encodes a query value.
    fn encode(value: &str) -> String {
        let mut out = String::with_capacity(value.len());
        for byte in value.bytes() {
            if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
                out.push(byte as char);
            } else {
                out.push_str(&format!("%{byte:02X}"));
            }
        }
        out
    }

    #[test]
    fn splits_absolute_urls() {
        assert_eq!(
            split("http://127.0.0.1:8787/api/v2/summary.json"),
            ("http://127.0.0.1:8787", "/api/v2/summary.json", "")
        );
        assert_eq!(
            split("https://s.example.com/badge.svg?label=a%20b#x"),
            ("https://s.example.com", "/badge.svg", "label=a%20b")
        );
        assert_eq!(split("https://s.example.com"), ("https://s.example.com", "/", ""));
        assert_eq!(split("https://s.example.com?x=1"), ("https://s.example.com", "/", "x=1"));
    }

    #[test]
    fn query_values_round_trip() {
        for value in ["plain", "a b", "<b>Acme</b>", "ünï©ødé", "100%", "a&b=c", ""] {
            let query = format!("x=1&label={}&y=2", encode(value));
            assert_eq!(query_param(&query, "label").as_deref(), Some(value), "{value:?}");
        }
        assert_eq!(query_param("label=a+b", "label").as_deref(), Some("a b"));
        assert_eq!(query_param("label=%zz%4", "label").as_deref(), Some("%zz%4"));
        assert_eq!(query_param("other=1", "label"), None);
    }

    #[test]
    fn a_parameter_is_taken_out_and_the_rest_kept_in_order() {
        assert_eq!(without_param("/", "reader=t", "reader"), "/");
        assert_eq!(without_param("/history", "a=1&reader=t&b=2", "reader"), "/history?a=1&b=2");
        assert_eq!(without_param("/", "re%61der=t&reader=u&x", "reader"), "/?x", "every spelling, every copy");
        assert_eq!(without_param("/", "", "reader"), "/");
        assert_eq!(without_param("/", "readers=1", "reader"), "/?readers=1");
        assert_eq!(without_param("//evil.example/x", "reader=t", "reader"), "/evil.example/x", "never another host");
        assert_eq!(without_param("/\\evil.example", "reader=t", "reader"), "/evil.example");
    }
}
