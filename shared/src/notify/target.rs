//! Which receiver URLs a subscription may name, decided from the URL alone: before any connection,
//! before any DNS lookup, so a refused target never receives a packet.
//!
//! In production only `https` to a public host name or a public IP address literal is allowed.
//! Refused: other schemes, credentials in the URL, `localhost` and the special-use names
//! (`.localhost`, `.local`, `.internal`, `.home.arpa`, ...), and every IP literal that is not
//! globally routable (loopback, private, link-local, shared, documentation, multicast, the
//! unspecified address, IPv4-mapped forms of them) including the numeric forms a URL parser turns
//! into one (`http://2130706433/`, `http://0x7f.1/`, `http://127.1/`). In local development
//! (`cargo xtask dev` and the tests) loopback receivers are also allowed, over `http` too; private
//! networks never are.
//!
//! Hand-written rather than the `url` crate: its IDNA tables alone add over 100 KB to the Worker
//! (see `edge/src/url.rs`), and what is needed is one strict reading of an absolute URL. A name
//! that resolves to a private address is stopped by the platform (a Worker's `fetch` does not reach
//! private networks); redirects are never followed (a `Location` is a new target nobody checked).

use std::net::{Ipv4Addr, Ipv6Addr};

/// Where the deployment may deliver.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Targets {
    /// A deployed Worker: public https receivers only.
    Production,
    /// Local development and tests: loopback receivers too, over http or https.
    Local,
}

/// A receiver URL that passed the check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    pub https: bool,
    pub host: String,
    pub port: Option<u16>,
}

/// The longest receiver URL accepted.
pub const MAX_URL: usize = 2_000;

/// Checks a receiver URL; the error says what is wrong in the operator's words.
pub fn check(url: &str, targets: Targets) -> Result<Target, String> {
    if url.len() > MAX_URL {
        return Err(format!("the URL is longer than {MAX_URL} characters"));
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control() || c == '\\') {
        return Err("the URL has spaces, control characters or backslashes".into());
    }
    let (scheme, rest) = url.split_once("://").ok_or("the URL must be absolute: https://host/path")?;
    let https = match scheme.to_ascii_lowercase().as_str() {
        "https" => true,
        "http" => false,
        other => return Err(format!("{other}: only https receivers are allowed")),
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if authority.contains('@') {
        return Err("credentials in the URL are not allowed: the payload is signed instead".into());
    }
    let (host, port) = split_port(authority)?;
    if host.is_empty() {
        return Err("the URL has no host".into());
    }
    let host = host.to_ascii_lowercase();
    let loopback = match classify(&host)? {
        Place::Public => false,
        Place::Loopback => true,
        Place::Private(what) => return Err(format!("{host} is {what}: receivers must be on the public internet")),
    };
    match (targets, loopback, https) {
        (Targets::Production, true, _) => {
            Err(format!("{host} is this machine: receivers must be on the public internet"))
        }
        (_, false, false) => Err("http: only https receivers are allowed".into()),
        _ => Ok(Target { https, host, port }),
    }
}

fn split_port(authority: &str) -> Result<(&str, Option<u16>), String> {
    let (host, port) = if let Some(rest) = authority.strip_prefix('[') {
        let (v6, after) = rest.split_once(']').ok_or("an IPv6 address without its closing bracket")?;
        let port = match after {
            "" => None,
            after => Some(after.strip_prefix(':').ok_or(format!("{after:?} after an IPv6 address is not a port"))?),
        };
        (&authority[..v6.len() + 2], port)
    } else {
        match authority.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    };
    let port = match port {
        None | Some("") => None,
        Some(port) => {
            let digits = !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit());
            let number = port.parse::<u16>().ok().filter(|p| digits && *p > 0);
            Some(number.ok_or(format!("{port} is not a port"))?)
        }
    };
    Ok((host, port))
}

/// A receiver URL as it may be shown after its creation: scheme, host and port, the rest elided
/// (a Slack or Discord webhook's path is itself a credential).
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return "…".to_owned() };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..end];
    // Credentials never pass `check`; should one be stored anyway, it is not shown.
    let authority = authority.rsplit_once('@').map_or(authority, |(_, host)| host);
    let elided = if rest[end..].trim_start_matches('/').is_empty() { "/" } else { "/…" };
    format!("{scheme}://{authority}{elided}")
}

enum Place {
    Public,
    Loopback,
    Private(&'static str),
}

fn classify(host: &str) -> Result<Place, String> {
    if let Some(v6) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        let ip: Ipv6Addr = v6.parse().map_err(|_| format!("{host} is not an IPv6 address"))?;
        return Ok(v6_place(ip));
    }
    let name = host.strip_suffix('.').unwrap_or(host);
    if let Some(ip) = ipv4_like(name)? {
        return Ok(v4_place(ip));
    }
    if !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b'_')
        || name.split('.').any(str::is_empty)
    {
        return Err(format!("{host} is not a host name (write international names in their xn-- form)"));
    }
    if name == "localhost" || name.ends_with(".localhost") {
        return Ok(Place::Loopback);
    }
    const SPECIAL: [&str; 7] = [".local", ".internal", ".home.arpa", ".lan", ".intranet", ".corp", ".private"];
    if !name.contains('.') || SPECIAL.iter().any(|s| name.ends_with(s)) {
        return Ok(Place::Private("a local network name"));
    }
    Ok(Place::Public)
}

/// The IPv4 address a WHATWG URL parser reads from a host made of numbers (`127.1`, `0x7f.0.0.1`,
/// `2130706433`, `0177.0.0.1`), or `None` when the host is a name; an error for a numeric host no
/// parser reads the same way.
fn ipv4_like(host: &str) -> Result<Option<Ipv4Addr>, String> {
    let parts: Vec<&str> = host.split('.').collect();
    let numeric = |p: &str| {
        let p = p.to_ascii_lowercase();
        !p.is_empty()
            && (p.bytes().all(|b| b.is_ascii_digit())
                || p.strip_prefix("0x").is_some_and(|h| h.bytes().all(|b| b.is_ascii_hexdigit())))
    };
    // The last label decides (as the URL standard's "ends in a number" does).
    if !parts.last().is_some_and(|last| numeric(last)) {
        return Ok(None);
    }
    let refuse = || format!("{host} is a numeric host that is not a plain IPv4 address");
    if parts.len() > 4 || !parts.iter().all(|p| numeric(p)) {
        return Err(refuse());
    }
    let mut values = Vec::with_capacity(parts.len());
    for part in &parts {
        let lower = part.to_ascii_lowercase();
        let value = if let Some(hex) = lower.strip_prefix("0x") {
            if hex.is_empty() { Some(0) } else { u64::from_str_radix(hex, 16).ok() }
        } else if lower.len() > 1 && lower.starts_with('0') {
            u64::from_str_radix(&lower[1..], 8).ok()
        } else {
            lower.parse::<u64>().ok()
        };
        values.push(value.ok_or_else(refuse)?);
    }
    let (last, first) = values.split_last().ok_or_else(refuse)?;
    if first.iter().any(|v| *v > 255) || *last >= 1u64 << (8 * (5 - values.len())) {
        return Err(refuse());
    }
    let mut address = *last;
    for (n, value) in first.iter().enumerate() {
        address += value << (8 * (3 - n));
    }
    Ok(Some(Ipv4Addr::from(u32::try_from(address).map_err(|_| refuse())?)))
}

fn v4_place(ip: Ipv4Addr) -> Place {
    let [a, b, c, _] = ip.octets();
    if ip.is_loopback() {
        Place::Loopback
    } else if ip.is_private() {
        Place::Private("a private network address")
    } else if ip.is_link_local() {
        Place::Private("a link-local address")
    } else if a == 100 && (64..128).contains(&b) {
        Place::Private("a shared (carrier-grade NAT) address")
    } else if a == 0 || ip.is_broadcast() || ip.is_multicast() || a >= 240 {
        Place::Private("not a unicast address")
    } else if (a, b, c) == (192, 0, 2) || (a, b, c) == (198, 51, 100) || (a, b, c) == (203, 0, 113) {
        Place::Private("a documentation address")
    } else if a == 198 && (b == 18 || b == 19) {
        Place::Private("a benchmarking address")
    } else if (a, b, c) == (192, 0, 0) || (a, b, c) == (192, 88, 99) {
        Place::Private("a special-purpose address")
    } else {
        Place::Public
    }
}

/// IPv6 by allow-list: only global unicast (`2000::/3`) is public, less the parts of it that are
/// not (documentation, 6to4 and Teredo, which embed an IPv4 address, and the other IETF
/// assignments of `2001::/23`). Everything outside it (ULA, link-local, site-local, NAT64, IPv4
/// mapped, translated or compatible, discard, multicast) is refused.
fn v6_place(ip: Ipv6Addr) -> Place {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return v4_place(v4);
    }
    let [first, second, ..] = ip.segments();
    if ip.is_loopback() {
        Place::Loopback
    } else if ip.is_unspecified() || ip.is_multicast() {
        Place::Private("not a unicast address")
    } else if first & 0xfe00 == 0xfc00 {
        Place::Private("a private network address")
    } else if first & 0xffc0 == 0xfe80 || first & 0xffc0 == 0xfec0 {
        Place::Private("a link-local address")
    } else if first & 0xe000 != 0x2000 {
        Place::Private("not a global unicast address")
    } else if first == 0x2001 && second == 0x0db8 {
        Place::Private("a documentation address")
    } else if first == 0x2002 || (first == 0x2001 && second < 0x0200) {
        // 6to4 and Teredo embed an IPv4 address that may be private; the rest of 2001::/23 is
        // special-purpose.
        Place::Private("an address that embeds an IPv4 address or is special-purpose")
    } else {
        Place::Public
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(url: &str) -> String {
        check(url, Targets::Production).expect_err(url)
    }

    #[test]
    fn production_takes_public_https_only() {
        let ok = check("https://hooks.slack.com/services/T0/B0/x", Targets::Production).unwrap();
        assert_eq!((ok.https, ok.host.as_str(), ok.port), (true, "hooks.slack.com", None));
        assert_eq!(check("https://example.com:8443/h", Targets::Production).unwrap().port, Some(8443));
        assert!(check("https://93.184.216.34/h", Targets::Production).is_ok());
        assert!(check("https://[2606:2800:220:1::]/h", Targets::Production).is_ok());
        assert!(refused("http://example.com/h").contains("only https"));
        assert!(refused("ftp://example.com/h").contains("only https"));
        assert!(refused("example.com/h").contains("absolute"));
        assert!(refused("https://user:pw@example.com/").contains("credentials"));
        assert!(refused("https://exa mple.com/").contains("spaces"));
        assert!(refused("https:\\\\example.com").contains("backslashes"));
        assert!(refused("https://example.com:0/").contains("port"));
        assert!(refused("https://example.com:99999/").contains("port"));
        assert!(refused(&format!("https://example.com/{}", "a".repeat(MAX_URL))).contains("longer"));
    }

    #[test]
    fn private_loopback_and_special_hosts_are_refused_in_production() {
        for url in [
            "https://localhost/",
            "https://api.localhost/",
            "https://127.0.0.1/",
            "https://127.1/",
            "https://2130706433/",
            "https://0x7f.0.0.1/",
            "https://0177.0.0.1/",
            "https://[::1]/",
            "https://[::ffff:127.0.0.1]/",
        ] {
            assert!(refused(url).contains("this machine"), "{url}: {}", refused(url));
        }
        for url in [
            "https://10.0.0.1/",
            "https://172.16.0.1/",
            "https://172.31.255.255/",
            "https://192.168.1.1/",
            "https://169.254.169.254/latest/meta-data",
            "https://100.64.0.1/",
            "https://0.0.0.0/",
            "https://224.0.0.1/",
            "https://255.255.255.255/",
            "https://192.0.2.1/",
            "https://[fd00::1]/",
            "https://[fe80::1]/",
            "https://[::]/",
            "https://[::ffff:10.0.0.1]/",
            "https://[64:ff9b::a00:1]/",
            "https://[64:ff9b:1::a00:1]/",
            "https://[::ffff:0:a00:1]/",
            "https://[2002:a00:1::]/",
            "https://[2001:0:4136:e378::1]/",
            "https://[2001:db8::1]/",
            "https://[fec0::1]/",
            "https://[100::1]/",
            "https://[::a00:1]/",
            "https://router.local/",
            "https://db.internal/",
            "https://intranet/",
            "https://printer.home.arpa/",
            "https://0xa000001/",
            "https://10.1/",
        ] {
            assert!(refused(url).contains("public internet"), "{url}: {}", refused(url));
        }
        for url in [
            "https://1.2.3.4.5/",
            "https://256.1.1.1/",
            "https://1.2.3.999/",
            "https://[::1/",
            "https://example.com:+443/",
            "https://[2606:2800:220:1::]junk/",
        ] {
            assert!(check(url, Targets::Production).is_err(), "{url}");
        }
    }

    #[test]
    fn a_shown_url_keeps_its_host_only() {
        assert_eq!(redact("https://hooks.slack.com/services/T0/B0/secret"), "https://hooks.slack.com/…");
        assert_eq!(redact("https://discord.com/api/webhooks/1/tok?wait=true"), "https://discord.com/…");
        assert_eq!(redact("http://127.0.0.1:9/hook"), "http://127.0.0.1:9/…");
        assert_eq!(redact("https://example.com"), "https://example.com/");
        assert_eq!(redact("https://example.com/"), "https://example.com/");
        assert_eq!(redact("https://user:pw@example.com/x"), "https://example.com/…");
        assert_eq!(redact("nonsense"), "…");
    }

    #[test]
    fn local_development_adds_loopback_only() {
        for url in ["http://127.0.0.1:9000/hook", "http://localhost:9000/", "https://[::1]:9000/", "http://127.0.0.2/"]
        {
            assert!(check(url, Targets::Local).is_ok(), "{url}");
        }
        for url in ["http://10.0.0.1/", "http://192.168.0.10:8080/", "http://169.254.169.254/", "http://db.internal/"] {
            assert!(check(url, Targets::Local).unwrap_err().contains("public internet"), "{url}");
        }
        // Public receivers still need https, even locally.
        assert!(check("http://example.com/", Targets::Local).is_err());
    }
}
