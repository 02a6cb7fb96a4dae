//! Which page a request is for (issue 28: several pages per deployment). Statuspage clients read
//! `/api/v2/...` from the origin root, so a page is chosen by the host the request was sent to:
//! its authority is normalised once here ([`Host::of_authority`]) and looked up among the pages'
//! hostnames ([`Directory::page_for`]); a host no page lists is the deployment's default page.
//!
//! Pure: the edge passes the authority of the request's URL (one source, the one the runtime
//! routed by), never a header read separately, so the page a request is answered from and the one
//! it was routed to cannot differ. Every cache and render key is then made from the [`PageId`]
//! this returns, never from the raw host: `Example.COM.`, `example.com:443` and `example.com` are
//! one page and one set of keys.

use serde::{Deserialize, Serialize};

use crate::problem::{Problem, ProblemCode};
use crate::wire::PageId;

/// The most hostnames one page answers to.
pub const HOSTS_PER_PAGE: usize = 8;
/// The most pages in one deployment besides the default one.
pub const PAGES: usize = 500;
/// The longest hostname DNS allows (without its trailing dot).
const HOST_CHARS: usize = 253;

/// A hostname as a page is found by: ASCII lowercase, without a trailing dot or a port. An IPv6
/// literal keeps its brackets. Internationalised names are given in their `xn--` form.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Host(String);

impl Host {
    /// The host of a URL authority (`host`, `host:port`, `[v6]:port`), or `None` when it is not
    /// one a page can be named by (user info, an empty label, a character DNS does not allow).
    pub fn of_authority(authority: &str) -> Option<Host> {
        if authority.contains('@') {
            return None;
        }
        let host = if let Some(rest) = authority.strip_prefix('[') {
            let (inside, after) = rest.split_once(']')?;
            if !port_ok(after) || inside.is_empty() || !inside.bytes().all(|b| b.is_ascii_hexdigit() || b == b':') {
                return None;
            }
            return Some(Host(format!("[{}]", inside.to_ascii_lowercase())));
        } else {
            match authority.rsplit_once(':') {
                Some((host, port)) if port_ok(&format!(":{port}")) => host,
                Some(_) => return None,
                None => authority,
            }
        };
        Self::of_name(host)
    }

    /// A hostname as an operator types it (`status.example.com`, `Status.Example.com.`).
    pub fn of_name(name: &str) -> Option<Host> {
        let name = name.strip_suffix('.').unwrap_or(name).to_ascii_lowercase();
        let label_ok = |label: &str| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        };
        (!name.is_empty() && name.len() <= HOST_CHARS && name.split('.').all(label_ok)).then_some(Host(name))
    }

    /// The hostname as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An empty port (`host:`) is refused: so is anything but one to five digits.
fn port_ok(after_host: &str) -> bool {
    match after_host.strip_prefix(':') {
        None => after_host.is_empty(),
        Some(port) => !port.is_empty() && port.len() <= 5 && port.bytes().all(|b| b.is_ascii_digit()),
    }
}

impl TryFrom<String> for Host {
    type Error = String;

    fn try_from(name: String) -> Result<Self, Self::Error> {
        Host::of_name(&name).ok_or_else(|| format!("{name:?} is not a hostname"))
    }
}

impl From<Host> for String {
    fn from(host: Host) -> Self {
        host.0
    }
}

impl std::fmt::Display for Host {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Who may read a page.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    /// Anyone (what every page was before issue 28).
    #[default]
    Public,
    /// Only a signed-in reader or one holding a reader link.
    Private,
}

/// One page of the deployment besides the default one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageEntry {
    /// Its id: names its store and prefixes its keys.
    pub id: PageId,
    /// What operators call it (readers see the name in the page's own settings).
    pub name: String,
    /// The hostnames it answers to, each on no other page.
    pub hosts: Vec<Host>,
    /// Who may read it.
    #[serde(default)]
    pub audience: Audience,
}

/// The deployment's pages besides the default one, as the account store keeps them and the edge
/// reads them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Directory {
    /// Every page, in the order they were added.
    pub pages: Vec<PageEntry>,
}

impl Directory {
    /// The page a request to `host` is for; `None` for the default page (a host no page lists, or
    /// no usable host at all).
    pub fn page_for(&self, host: Option<&Host>) -> Option<&PageEntry> {
        let host = host?;
        self.pages.iter().find(|p| p.hosts.contains(host))
    }

    /// Every problem with adding `entry`; empty when it may be added.
    pub fn check_new(&self, entry: &PageEntry, default_page: &PageId) -> Vec<Problem> {
        let mut problems = Vec::new();
        let mut fail = |path: String, code, message: String| problems.push(Problem { path, code, message });
        let id = entry.id.as_str();
        if id.is_empty()
            || id.len() > crate::limits::ID_CHARS
            || !id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            let rule = format!("1 to {} lowercase letters, digits or '-'", crate::limits::ID_CHARS);
            fail("id".into(), ProblemCode::Invalid, format!("a page id is {rule}"));
        }
        if &entry.id == default_page || self.pages.iter().any(|p| p.id == entry.id) {
            fail("id".into(), ProblemCode::Duplicate, format!("there is a page {id:?} already"));
        }
        if entry.name.trim().is_empty() {
            fail("name".into(), ProblemCode::Missing, "a page needs a name".into());
        } else if entry.name.chars().count() > crate::limits::NAME_CHARS {
            let limit = crate::limits::NAME_CHARS;
            fail("name".into(), ProblemCode::TooLong, format!("a name is at most {limit} characters"));
        }
        if entry.hosts.is_empty() {
            fail("hosts".into(), ProblemCode::Missing, "a page needs a hostname".into());
        }
        if entry.hosts.len() > HOSTS_PER_PAGE {
            let message = format!("at most {HOSTS_PER_PAGE} hostnames per page");
            fail("hosts".into(), ProblemCode::TooLong, message);
        }
        for (n, host) in entry.hosts.iter().enumerate() {
            if entry.hosts[..n].contains(host) {
                fail(format!("hosts[{n}]"), ProblemCode::Duplicate, format!("{host} is listed twice"));
            }
            if let Some(other) = self.pages.iter().find(|p| p.hosts.contains(host)) {
                let message = format!("{host} is page {:?}'s already", other.id.as_str());
                fail(format!("hosts[{n}]"), ProblemCode::Duplicate, message);
            }
        }
        if self.pages.len() >= PAGES {
            fail(String::new(), ProblemCode::TooLong, format!("at most {PAGES} pages besides the default one"));
        }
        problems
    }
}

/// A key of page `page`'s copies (KV, the Cache API, isolate memory): the default page (`None`)
/// keeps the keys it always had, so a deployment's one page moves nothing; another page's key is
/// prefixed with `p/{id}/`, which no default key starts with (none holds a '/'). Every key of a
/// page's copies goes through here, so no two pages share one.
pub fn scoped(page: Option<&PageId>, key: &str) -> String {
    match page {
        None => key.to_owned(),
        Some(id) => format!("p/{id}/{key}"),
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    fn host(name: &str) -> Host {
        Host::of_name(name).unwrap()
    }

    fn entry(id: &str, hosts: &[&str]) -> PageEntry {
        PageEntry {
            id: id.into(),
            name: id.to_uppercase(),
            hosts: hosts.iter().map(|h| host(h)).collect(),
            audience: Audience::Public,
        }
    }

    #[test]
    fn spellings_of_one_host_are_one_host() {
        let plain = Host::of_authority("status.example.com");
        for spelling in
            ["Status.Example.COM", "status.example.com.", "status.example.com:443", "STATUS.example.com.:8787"]
        {
            assert_eq!(Host::of_authority(spelling), plain, "{spelling}");
        }
        assert_eq!(Host::of_authority("[::1]:8787").map(String::from).as_deref(), Some("[::1]"));
        assert_eq!(Host::of_authority("127.0.0.1:8787").map(String::from).as_deref(), Some("127.0.0.1"));
        assert_eq!(Host::of_authority("a.localhost").map(String::from).as_deref(), Some("a.localhost"));
    }

    #[test]
    fn what_is_not_a_host_names_no_page() {
        for bad in [
            "",
            ".",
            "a..b",
            "-a.example",
            "a-.example",
            "user@status.example.com",
            "status.example.com:",
            "status.example.com:123456",
            "status.example.com:80:80",
            "status_page.example",
            "stätus.example",
            "[::1",
            "[zz]:80",
            "a b",
            &"a".repeat(64),
            &format!("{}.x", ["a"; 127].join(".")),
        ] {
            assert_eq!(Host::of_authority(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn a_request_finds_its_page_and_an_unknown_host_the_default() {
        let directory = Directory {
            pages: vec![
                entry("public", &["status.example.com"]),
                entry("internal", &["internal.example.com", "int.localhost"]),
            ],
        };
        let page = |authority: &str| directory.page_for(Host::of_authority(authority).as_ref()).map(|p| p.id.as_str());
        assert_eq!(page("Status.Example.com.:443"), Some("public"));
        assert_eq!(page("int.localhost:8787"), Some("internal"));
        assert_eq!(page("other.example.com"), None, "the default page");
        assert_eq!(page("status.example.com.evil.example"), None);
        assert_eq!(page("user@status.example.com"), None, "not a host at all: the default page, never a guess");
    }

    #[test]
    fn a_new_page_is_checked_against_the_others() {
        let default = PageId::from("main");
        let directory = Directory { pages: vec![entry("public", &["status.example.com"])] };
        assert_eq!(directory.check_new(&entry("eu", &["eu.example.com"]), &default), vec![]);
        let codes =
            |e: &PageEntry| directory.check_new(e, &default).into_iter().map(|p| (p.path, p.code)).collect::<Vec<_>>();
        assert_eq!(codes(&entry("public", &["x.example.com"])), [("id".to_owned(), ProblemCode::Duplicate)]);
        assert_eq!(codes(&entry("main", &["x.example.com"])), [("id".to_owned(), ProblemCode::Duplicate)]);
        assert_eq!(codes(&entry("Bad Id", &["x.example.com"])), [("id".to_owned(), ProblemCode::Invalid)]);
        assert_eq!(codes(&entry("eu", &["STATUS.example.com."])), [("hosts[0]".to_owned(), ProblemCode::Duplicate)]);
        assert_eq!(codes(&entry("eu", &["a.example", "a.example"])), [("hosts[1]".to_owned(), ProblemCode::Duplicate)]);
        assert_eq!(codes(&entry("eu", &[])), [("hosts".to_owned(), ProblemCode::Missing)]);
        let many: Vec<String> = (0..=HOSTS_PER_PAGE).map(|n| format!("h{n}.example")).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        assert_eq!(codes(&entry("eu", &many)), [("hosts".to_owned(), ProblemCode::TooLong)]);
    }

    #[test]
    fn a_full_directory_fits_one_durable_object_value() {
        // Every host as long as DNS allows (253 characters), every name and id at its limit.
        let longest = |n: usize, k: usize| format!("{0}.{0}.{0}.{n:03}{k}{1}", "a".repeat(63), "b".repeat(57));
        assert_eq!(longest(0, 0).len(), HOST_CHARS);
        let pages = (0..PAGES)
            .map(|n| PageEntry {
                id: PageId(format!("{}{n:03}", "p".repeat(crate::limits::ID_CHARS - 3))),
                name: "ü".repeat(crate::limits::NAME_CHARS),
                hosts: (0..HOSTS_PER_PAGE).map(|k| host(&longest(n, k))).collect(),
                audience: Audience::Private,
            })
            .collect();
        let bytes = serde_json::to_vec(&Directory { pages }).unwrap().len();
        assert!(bytes <= crate::limits::DURABLE_OBJECT_VALUE_BYTES, "{bytes} B");
    }

    #[test]
    fn no_two_pages_share_a_key_and_the_default_keeps_its_own() {
        use crate::document::{Document, FIXED};
        use crate::wire::IncidentId;
        let docs: Vec<Document> = FIXED
            .iter()
            .cloned()
            .chain([Document::Uptime, Document::Ids, Document::Incident(IncidentId::from("p"))])
            .collect();
        let (a, b) = (PageId::from("a"), PageId::from("a-b"));
        let mut seen = std::collections::HashSet::new();
        for doc in &docs {
            let key = doc.key();
            assert!(!key.contains('/'), "{key}");
            assert_eq!(scoped(None, &key), key, "the default page's keys do not move");
            for page in [None, Some(&a), Some(&b)] {
                assert!(seen.insert(scoped(page, &key)), "{page:?} {key} twice");
            }
        }
        // An incident id cannot reach into another page's keys either.
        assert_ne!(scoped(Some(&a), "incident-b-x"), scoped(Some(&PageId::from("a-b")), "incident-x"));
    }

    #[test]
    fn a_stored_host_is_read_back_only_if_it_is_one() {
        assert_eq!(serde_json::from_str::<Host>(r#""Status.Example.com.""#).unwrap(), host("status.example.com"));
        assert!(serde_json::from_str::<Host>(r#""a b""#).is_err());
    }
}
