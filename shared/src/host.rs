//! Which page a request is for (issue 28: several pages per deployment). Statuspage clients read
//! `/api/v2/...` from the origin root, so a page is chosen by the host the request was sent to:
//! its authority is normalised once here ([`Host::of_authority`]) and looked up among the pages'
//! hostnames ([`Directory::page_for`]); a host no page lists is the deployment's default page.
//!
//! Pure: the edge passes the request's URL as the runtime gives it ([`Host::of_url`]: one source,
//! the one the runtime routed by), never a header read beside it, so the page a request is
//! answered from and the one it was routed to cannot differ. Every key of a page's copies is then
//! made by [`scoped`] from the page found, never from the raw host: `Example.COM.`,
//! `example.com:443` and `example.com` are one page and one set of keys. A directory read back
//! from storage is checked again as it is read: two pages on one host, or one id twice, is a
//! refused directory, never a guess.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::problem::{Problem, ProblemCode};
use crate::wire::PageId;

/// The most hostnames one page answers to.
pub const HOSTS_PER_PAGE: usize = 8;
/// The most pages in one deployment besides the default one.
pub const PAGES: usize = 500;
/// The most readers (emails or domains Cloudflare Access vouches for) one private page lists.
pub const READERS_PER_PAGE: usize = 20;
/// The readers of every page together, in bytes as JSON spells them: with every page's hostnames
/// and name at their limits, the directory still fits one Durable Object value (a test shows it).
pub const READER_BYTES: usize = 100_000;
/// The longest hostname DNS allows (without its trailing dot).
const HOST_CHARS: usize = 253;
/// The default page's id: the name of its store and of its delivery object (what the one page of
/// a deployment was always called), and an id no other page may take.
pub const DEFAULT_PAGE: &str = "default";

/// A hostname as a page is found by: ASCII lowercase, without a trailing dot or a port, in the
/// one spelling the runtime's URL parser gives it. Internationalised names are given in their
/// `xn--` form. An IP address names no page unless it is a dotted IPv4 address in its canonical
/// form (`127.0.0.1`, not `127.1`, `0x7f.0.0.1` or `2130706433`, which a URL parser reads as the
/// same address); IPv6 literals name none (pages are found by name; such a request is the default
/// page's).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Host(String);

impl Host {
    /// The host of an absolute URL as the runtime gives it (`request.url`): the one source a page
    /// is chosen from, never a header read beside it.
    pub fn of_url(url: &str) -> Option<Host> {
        let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"))?;
        let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        Self::of_authority(&rest[..end])
    }

    /// The host of a URL authority (`host` or `host:port`), or `None` when it is not one a page can
    /// be named by (user info, an IPv6 literal, an empty label, a character DNS does not allow).
    pub fn of_authority(authority: &str) -> Option<Host> {
        if authority.contains(['@', '[']) {
            return None;
        }
        let host = match authority.rsplit_once(':') {
            Some((host, port)) if !port.is_empty() && port.len() <= 5 && port.bytes().all(|b| b.is_ascii_digit()) => {
                host
            }
            Some(_) => return None,
            None => authority,
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
        if name.is_empty() || name.len() > HOST_CHARS || !name.split('.').all(label_ok) {
            return None;
        }
        // A URL parser reads a host whose last label is a number (or 0x...) as an IPv4 address, in
        // any of several spellings: only the canonical dotted one is a host here.
        let last = name.rsplit('.').next().unwrap_or_default();
        if last.bytes().all(|b| b.is_ascii_digit()) || last.starts_with("0x") {
            let parts: Vec<&str> = name.split('.').collect();
            let canonical = |p: &&str| p.parse::<u8>().is_ok_and(|n| n.to_string() == **p);
            if parts.len() != 4 || !parts.iter().all(canonical) {
                return None;
            }
        }
        Some(Host(name))
    }

    /// The hostname as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Host {
    type Error = String;

    fn try_from(name: String) -> Result<Self, Self::Error> {
        Host::of_name(&name).ok_or_else(|| format!("{name:?} is not a hostname"))
    }
}

/// A host is looked up by the text it is (its `Hash` and `Eq` are its text's): a name already in
/// normal form finds its entry without being made a `Host` first.
impl std::borrow::Borrow<str> for Host {
    fn borrow(&self) -> &str {
        &self.0
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
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
    /// Its id: names its store.
    pub id: PageId,
    /// Which page of that id it is: the directory's count of pages added when it was added, so the
    /// copies of a removed page are never another's that takes its id later (see [`scoped`]).
    pub serial: u64,
    /// What operators call it (readers see the name in the page's own settings).
    pub name: String,
    /// The hostnames it answers to, each on no other page.
    pub hosts: Vec<Host>,
    /// Who may read it.
    #[serde(default)]
    pub audience: Audience,
    /// The epoch of its reader links (`crate::reader`): revoking them counts it up, and every link
    /// made before stops at once.
    #[serde(default)]
    pub links_from: u64,
    /// Who else reads a private page when Cloudflare Access signs them in: an email
    /// (`ada@example.com`) or every address of a domain (`@example.com`, that domain exactly).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub readers: Vec<String>,
}

impl PageEntry {
    /// Whether it lets the person Cloudflare Access signed in as `claimed` (the assertion's email,
    /// as sent) read it: listed by their address or their domain. Readers are ASCII, and so must
    /// the claim be before it is lowercased: Unicode lowercasing turns the Kelvin sign into `k`.
    pub fn admits_claimed(&self, claimed: &str) -> bool {
        claimed.is_ascii() && crate::access::email(claimed).is_ok_and(|email| self.admits(&email))
    }

    /// Whether it lists `email` (as `access::email` keeps it) by address or domain.
    pub fn admits(&self, email: &str) -> bool {
        let domain = email.rsplit_once('@').map(|(_, domain)| domain);
        self.readers.iter().any(|reader| match reader.strip_prefix('@') {
            Some(listed) => domain == Some(listed),
            None => reader == email,
        })
    }

    /// The prefix of every key of its copies: `p/{id}.{serial}/`, which no key of the default
    /// page starts with (theirs never start with `p/`).
    pub fn scope(&self) -> String {
        format!("p/{}.{}/", self.id, self.serial)
    }

    /// The name of its store and of its delivery object: `{id}.{serial}`, so a page that takes a
    /// removed page's id starts with empty ones (a page id has no `.`; the default page's objects
    /// are [`DEFAULT_PAGE`]).
    pub fn object(&self) -> String {
        format!("{}.{}", self.id, self.serial)
    }
}

/// The key scope of the page whose objects are named `object` ([`PageEntry::object`], or
/// [`DEFAULT_PAGE`] for the default page's, whose scope is empty): how a store that knows only its
/// own name publishes under its page's keys. `None` for a name no page's objects have.
pub fn scope_of_object(object: &str) -> Option<String> {
    if object == DEFAULT_PAGE {
        return Some(String::new());
    }
    let (id, serial) = object.rsplit_once('.')?;
    let id_ok = valid_id(id) && id != DEFAULT_PAGE;
    let serial_ok = !serial.is_empty() && serial.len() <= 20 && serial.bytes().all(|b| b.is_ascii_digit());
    let serial = serial.parse::<u64>().ok().filter(|n| serial_ok && n.to_string() == serial)?;
    id_ok.then(|| format!("p/{id}.{serial}/"))
}

/// Whether `id` is a page id: 1 to 64 lowercase letters, digits or `-`.
fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= crate::limits::ID_CHARS
        && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// `POST pages/{id}/links`: a reader link of a private page.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct NewReaderLink {
    /// How many days it lets its bearer read the page (1 to 366; default 30).
    #[serde(default)]
    pub days: Option<u32>,
}

/// `POST pages`: a page to add. Its hostnames are checked as [`Host::of_name`] reads them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct NewPage {
    /// 1 to 64 lowercase letters, digits or '-'; not `default`. `--page` and the `Sitrep-Page`
    /// header name the page by it.
    pub id: String,
    /// What operators call it; the new page's title until it is changed.
    pub name: String,
    /// The hostnames it answers to (1 to 8), each on no other page.
    pub hosts: Vec<String>,
    /// Who may read it: `public` (anyone, the default) or `private` (a signed-in operator, or a
    /// reader link: `POST pages/{id}/links`).
    #[serde(default)]
    pub audience: Audience,
    /// A private page's readers by Cloudflare Access: emails and `@domain`s ([`PageEntry::readers`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub readers: Vec<String>,
}

/// `PUT pages/{id}/readers`: a private page's readers by Cloudflare Access, all of them (an empty
/// list: none).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PageReaders {
    pub readers: Vec<String>,
    /// The readers the caller started from, as `GET pages` answered them: if the page's are no
    /// longer those (another owner changed them meanwhile), nothing changes and the answer is 409.
    /// Without it the list is set whatever it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub was: Option<Vec<String>>,
}

/// A reader as a page keeps it: an email as `access::email` keeps it, or `@` and a domain (a
/// hostname with a dot) in lowercase; `path` names it in the problem.
pub fn reader(text: &str, path: &str) -> Result<String, Problem> {
    let text = text.trim();
    let invalid = |message: String| Problem { path: path.to_owned(), code: ProblemCode::Invalid, message };
    match text.strip_prefix('@') {
        Some(domain) => match Host::of_name(domain) {
            Some(host) if host.as_str().contains('.') && host.as_str().parse::<std::net::Ipv4Addr>().is_err() => {
                Ok(format!("@{host}"))
            }
            _ => Err(invalid(format!("{:?} is not @ and a domain such as @example.com", clip(text)))),
        },
        None if !text.is_ascii() => Err(invalid(format!("{:?}: a reader's address is ASCII", clip(text)))),
        None => crate::access::email(text).map_err(|problem| Problem { path: path.to_owned(), ..problem }),
    }
}

/// The deployment's pages besides the default one, as the account store keeps them and the edge
/// reads them. Only ever made checked: read back from storage it is checked again (a stored copy
/// with two pages on one host, or one id twice, is refused, never resolved to the first).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "StoredDirectory", into = "StoredDirectory")]
pub struct Directory {
    pages: Vec<PageEntry>,
    /// How many pages were ever added: the next one's serial.
    added: u64,
    /// How many times it changed (a page added or removed): of two copies, the one with more is
    /// the newer (see [`Directory::revision`]).
    changes: u64,
    /// Each host's page, by index into `pages`.
    index: HashMap<Host, usize>,
}

/// [`Directory`] as stored.
#[derive(Serialize, Deserialize)]
struct StoredDirectory {
    pages: Vec<PageEntry>,
    added: u64,
    #[serde(default)]
    changes: u64,
}

impl TryFrom<StoredDirectory> for Directory {
    type Error = String;

    fn try_from(stored: StoredDirectory) -> Result<Self, Self::Error> {
        let mut directory =
            Directory { pages: vec![], added: stored.added, changes: stored.changes, index: HashMap::new() };
        for page in stored.pages {
            if page.serial >= stored.added {
                return Err(format!(
                    "page {:?} has serial {} of {} added",
                    page.id.as_str(),
                    page.serial,
                    stored.added
                ));
            }
            let problems = directory.check(&page, None, &[]);
            if let Some(problem) = problems.first() {
                return Err(format!("page {:?}: {}", page.id.as_str(), problem.message));
            }
            directory.insert(page);
        }
        Ok(directory)
    }
}

impl From<Directory> for StoredDirectory {
    fn from(directory: Directory) -> Self {
        StoredDirectory { pages: directory.pages, added: directory.added, changes: directory.changes }
    }
}

impl Directory {
    /// Every page, in the order they were added.
    pub fn pages(&self) -> &[PageEntry] {
        &self.pages
    }

    /// How many changes made it: a copy read from a cache with a lower revision than one already
    /// known is older, and never replaces it.
    pub fn revision(&self) -> u64 {
        self.changes
    }

    /// The page a request to `host` is for; `None` for the default page (a host no page lists, or
    /// no usable host at all).
    pub fn page_for(&self, host: Option<&Host>) -> Option<&PageEntry> {
        self.index.get(host?).map(|&n| &self.pages[n])
    }

    /// Adds a page (its serial is given here); every problem with it otherwise, and nothing
    /// changes. `default_page` is the default page's id and `reserved` the hostnames the default
    /// page answers to by configuration (its custom domain): no page may take either.
    pub fn add(
        &mut self,
        id: PageId,
        name: String,
        hosts: Vec<Host>,
        audience: Audience,
        default_page: &PageId,
        reserved: &[Host],
    ) -> Result<&PageEntry, Vec<Problem>> {
        let page = PageEntry { id, serial: self.added, name, hosts, audience, links_from: 0, readers: vec![] };
        let problems = self.check(&page, Some(default_page), reserved);
        if !problems.is_empty() {
            return Err(problems);
        }
        self.added += 1;
        self.changes += 1;
        let n = self.insert(page);
        Ok(&self.pages[n])
    }

    /// The page with id `id`.
    pub fn get(&self, id: &str) -> Option<&PageEntry> {
        self.pages.iter().find(|p| p.id.as_str() == id)
    }

    /// Adds the page `new` asks for, a public one (see [`Directory::add`]); a hostname that is not
    /// one is a problem of its own.
    pub fn add_new(&mut self, new: NewPage, reserved: &[Host]) -> Result<&PageEntry, Vec<Problem>> {
        let mut problems = Vec::new();
        let mut hosts = Vec::new();
        for (n, name) in new.hosts.iter().enumerate() {
            match Host::of_name(name) {
                Some(host) => hosts.push(host),
                None => problems.push(Problem {
                    path: format!("hosts[{n}]"),
                    code: ProblemCode::Invalid,
                    message: format!("{:?} is not a hostname (letters, digits, '-' and dots; no port)", clip(name)),
                }),
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        let readers = self.readers_checked(&new.readers, new.audience, None)?;
        let default_page = PageId::from(DEFAULT_PAGE);
        let id = PageId::from(new.id.as_str());
        self.add(id.clone(), new.name, hosts, new.audience, &default_page, reserved)?;
        let n = self.pages.iter().position(|p| p.id == id).ok_or_else(Vec::new)?;
        self.pages[n].readers = readers;
        Ok(&self.pages[n])
    }

    /// Sets page `id`'s readers by Cloudflare Access (all of them); the page as it is now. `None`:
    /// no page has that id.
    pub fn set_readers(&mut self, id: &str, readers: &[String]) -> Option<Result<&PageEntry, Vec<Problem>>> {
        let n = self.pages.iter().position(|p| p.id.as_str() == id)?;
        let audience = self.pages[n].audience;
        Some(match self.readers_checked(readers, audience, Some(n)) {
            Ok(readers) => {
                self.pages[n].readers = readers;
                self.changes += 1;
                Ok(&self.pages[n])
            }
            Err(problems) => Err(problems),
        })
    }

    /// `readers` as a page of `audience` keeps them, checked: each one a [`reader`], none twice, at
    /// most [`READERS_PER_PAGE`], only on a private page, and every page's together (but page
    /// `replacing`'s, which these replace) within [`READER_BYTES`].
    fn readers_checked(
        &self,
        readers: &[String],
        audience: Audience,
        replacing: Option<usize>,
    ) -> Result<Vec<String>, Vec<Problem>> {
        let problem = |path: &str, code, message: String| vec![Problem { path: path.to_owned(), code, message }];
        if readers.is_empty() {
            return Ok(Vec::new());
        }
        if audience != Audience::Private {
            return Err(problem(
                "readers",
                ProblemCode::Inconsistent,
                "readers are for private pages: a public page is anyone's".into(),
            ));
        }
        if readers.len() > READERS_PER_PAGE {
            return Err(problem(
                "readers",
                ProblemCode::TooLong,
                format!("at most {READERS_PER_PAGE} readers per page"),
            ));
        }
        let mut kept: Vec<String> = Vec::new();
        let mut problems = Vec::new();
        for (n, text) in readers.iter().enumerate() {
            match reader(text, &format!("readers[{n}]")) {
                Ok(one) if kept.contains(&one) => problems.push(Problem {
                    path: format!("readers[{n}]"),
                    code: ProblemCode::Duplicate,
                    message: format!("{one} is listed twice"),
                }),
                Ok(one) => kept.push(one),
                Err(one) => problems.push(one),
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        let others: usize = (self.pages.iter().enumerate())
            .filter(|(n, _)| Some(*n) != replacing)
            .map(|(_, page)| reader_bytes(&page.readers))
            .sum();
        if others + reader_bytes(&kept) > READER_BYTES {
            let message = format!(
                "the pages' readers together are at most {READER_BYTES} bytes: list a domain instead of its people"
            );
            return Err(problem("readers", ProblemCode::TooLong, message));
        }
        Ok(kept)
    }

    /// Revokes every reader link of page `id` made so far; the page as it is now.
    pub fn revoke_links(&mut self, id: &str) -> Option<&PageEntry> {
        let n = self.pages.iter().position(|p| p.id.as_str() == id)?;
        self.pages[n].links_from += 1;
        self.changes += 1;
        Some(&self.pages[n])
    }

    /// Removes page `id`, returning it; its hosts are the default page's again.
    pub fn remove(&mut self, id: &PageId) -> Option<PageEntry> {
        let n = self.pages.iter().position(|p| &p.id == id)?;
        let gone = self.pages.remove(n);
        self.changes += 1;
        // The pages after it moved: index them anew.
        self.index.clear();
        for page in std::mem::take(&mut self.pages) {
            self.insert(page);
        }
        Some(gone)
    }

    fn insert(&mut self, page: PageEntry) -> usize {
        let n = self.pages.len();
        for host in &page.hosts {
            self.index.insert(host.clone(), n);
        }
        self.pages.push(page);
        n
    }

    /// Every problem with `page` beside the pages there are.
    fn check(&self, page: &PageEntry, default_page: Option<&PageId>, reserved: &[Host]) -> Vec<Problem> {
        let mut problems = Vec::new();
        let mut fail = |path: String, code, message: String| problems.push(Problem { path, code, message });
        let id = page.id.as_str();
        if !valid_id(id) {
            let rule = format!("1 to {} lowercase letters, digits or '-'", crate::limits::ID_CHARS);
            fail("id".into(), ProblemCode::Invalid, format!("a page id is {rule}"));
        }
        if default_page == Some(&page.id) || self.pages.iter().any(|p| p.id == page.id) {
            fail("id".into(), ProblemCode::Duplicate, format!("there is a page {id:?} already"));
        }
        if page.name.trim().is_empty() {
            fail("name".into(), ProblemCode::Missing, "a page needs a name".into());
        } else if page.name.chars().count() > crate::limits::NAME_CHARS {
            let limit = crate::limits::NAME_CHARS;
            fail("name".into(), ProblemCode::TooLong, format!("a name is at most {limit} characters"));
        }
        if page.hosts.is_empty() {
            fail("hosts".into(), ProblemCode::Missing, "a page needs a hostname".into());
        }
        // As set (`readers_checked`): read back, a copy that was not is refused.
        let kept_as_set = page.readers.iter().all(|r| reader(r, "readers").as_ref() == Ok(r));
        if page.readers.len() > READERS_PER_PAGE || !kept_as_set {
            fail("readers".into(), ProblemCode::Invalid, "readers are emails or @domains, at most 20".into());
        }
        if page.hosts.len() > HOSTS_PER_PAGE {
            let message = format!("at most {HOSTS_PER_PAGE} hostnames per page");
            fail("hosts".into(), ProblemCode::TooLong, message);
        }
        for (n, host) in page.hosts.iter().enumerate() {
            if page.hosts[..n].contains(host) {
                fail(format!("hosts[{n}]"), ProblemCode::Duplicate, format!("{host} is listed twice"));
            } else if let Some(other) = self.page_for(Some(host)) {
                let message = format!("{host} is page {:?}'s already", other.id.as_str());
                fail(format!("hosts[{n}]"), ProblemCode::Duplicate, message);
            } else if reserved.contains(host) {
                fail(format!("hosts[{n}]"), ProblemCode::Duplicate, format!("{host} is the default page's"));
            }
        }
        if self.pages.len() >= PAGES {
            fail(String::new(), ProblemCode::TooLong, format!("at most {PAGES} pages besides the default one"));
        }
        problems
    }
}

/// What `readers` take in the stored directory, as JSON spells them.
fn reader_bytes(readers: &[String]) -> usize {
    readers.iter().map(|r| serde_json::to_string(r).map_or(r.len() * 6, |json| json.len()) + 1).sum()
}

/// At most 80 characters of what a caller sent, for a message (or a lookup: a page id sent
/// longer than any id is kept short, and still names no page).
pub fn clip(text: &str) -> String {
    text.chars().take(80).collect()
}

/// A page's origin: its hostname `host` under the scheme and port of `origin`, how the deployment
/// is reached (`http://127.0.0.1:8787` and `acme.localhost` give `http://acme.localhost:8787`). The
/// edge's links, the CLI's reads and the console's links to a page all make it here.
pub fn page_origin(origin: &str, host: &str) -> String {
    let (scheme, rest) = origin.split_once("://").unwrap_or(("https", origin));
    let port = rest.rsplit_once(':').map(|(_, port)| port).filter(|p| p.bytes().all(|b| b.is_ascii_digit()));
    match port {
        Some(port) => format!("{scheme}://{host}:{port}"),
        None => format!("{scheme}://{host}"),
    }
}

/// A key of a page's copies (KV, the Cache API, isolate memory, rendered pages): the default page
/// (`None`) keeps the keys it always had, so a deployment's one page moves nothing; another page's
/// key starts with its [`PageEntry::scope`]. Every key of a page's copies goes through here, so no
/// two pages share one, and a page that takes a removed page's id never sees its copies.
pub fn scoped(page: Option<&PageEntry>, key: &str) -> String {
    match page {
        None => key.to_owned(),
        Some(page) => format!("{}{key}", page.scope()),
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

    fn hosts(names: &[&str]) -> Vec<Host> {
        names.iter().map(|h| host(h)).collect()
    }

    const MAIN: &str = "main";

    fn add(directory: &mut Directory, id: &str, names: &[&str]) -> Result<PageEntry, Vec<(String, ProblemCode)>> {
        let main = PageId::from(MAIN);
        let reserved = hosts(&["status.main.example"]);
        directory
            .add(id.into(), id.to_uppercase(), hosts(names), Audience::Public, &main, &reserved)
            .cloned()
            .map_err(|problems| problems.into_iter().map(|p| (p.path, p.code)).collect())
    }

    #[test]
    fn spellings_of_one_host_are_one_host() {
        let plain = Host::of_authority("status.example.com");
        for spelling in
            ["Status.Example.COM", "status.example.com.", "status.example.com:443", "STATUS.example.com.:8787"]
        {
            assert_eq!(Host::of_authority(spelling), plain, "{spelling}");
        }
        assert_eq!(Host::of_url("https://STATUS.Example.com.:8443/api/v2/summary.json?x=1"), plain);
        assert_eq!(Host::of_url("http://status.example.com"), plain);
        assert_eq!(Host::of_url("http://status.example.com?x#y"), plain);
        assert_eq!(Host::of_authority("127.0.0.1:8787").map(String::from).as_deref(), Some("127.0.0.1"));
        assert_eq!(Host::of_authority("a.localhost").map(String::from).as_deref(), Some("a.localhost"));
        assert_eq!(Host::of_name("xn--sttus-gra.example").map(String::from).as_deref(), Some("xn--sttus-gra.example"));
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
            "status.example.com ",
            "status%2eexample.com",
            "status.example.com\\x",
            "[::1]",
            "[::1]:8787",
            "[fe80::1%25eth0]",
            // IPv4 in a spelling a URL parser reads as another (or the same) address.
            "127.1",
            "0x7f.0.0.1",
            "2130706433",
            "010.0.0.1",
            "127.0.0.256",
            "example.123",
            &"a".repeat(64),
            &format!("{}.x", ["a"; 127].join(".")),
        ] {
            assert_eq!(Host::of_authority(bad), None, "{bad:?}");
        }
        assert_eq!(Host::of_url("ftp://status.example.com/"), None);
        assert_eq!(Host::of_url("status.example.com/"), None);
    }

    #[test]
    fn a_request_finds_its_page_and_an_unknown_host_the_default() {
        let mut directory = Directory::default();
        add(&mut directory, "public", &["status.example.com"]).unwrap();
        add(&mut directory, "internal", &["internal.example.com", "int.localhost"]).unwrap();
        fn find<'a>(directory: &'a Directory, url: &str) -> Option<&'a str> {
            directory.page_for(Host::of_url(url).as_ref()).map(|p| p.id.as_str())
        }
        let page = |url: &str| find(&directory, url);
        assert_eq!(page("https://Status.Example.com.:443/"), Some("public"));
        assert_eq!(page("http://int.localhost:8787/api/v2/summary.json"), Some("internal"));
        assert_eq!(page("https://other.example.com/"), None, "the default page");
        assert_eq!(page("https://status.example.com.evil.example/"), None);
        assert_eq!(
            page("https://user@status.example.com/"),
            None,
            "not a host at all: the default page, never a guess"
        );
        // Removed, its hosts are the default page's again.
        assert_eq!(directory.remove(&"public".into()).map(|p| p.id), Some(PageId::from("public")));
        assert_eq!(find(&directory, "https://status.example.com/"), None);
        assert_eq!(find(&directory, "http://int.localhost/"), Some("internal"), "the index follows the removal");
    }

    #[test]
    fn a_new_page_is_checked_against_the_others() {
        let mut directory = Directory::default();
        add(&mut directory, "public", &["status.example.com"]).unwrap();
        let before = directory.clone();
        let refused = |directory: &mut Directory, id: &str, names: &[&str]| add(directory, id, names).unwrap_err();
        assert_eq!(refused(&mut directory, "public", &["x.example.com"]), [("id".to_owned(), ProblemCode::Duplicate)]);
        assert_eq!(refused(&mut directory, MAIN, &["x.example.com"]), [("id".to_owned(), ProblemCode::Duplicate)]);
        assert_eq!(refused(&mut directory, "Bad/Id", &["x.example.com"]), [("id".to_owned(), ProblemCode::Invalid)]);
        assert_eq!(
            refused(&mut directory, "eu", &["STATUS.example.com."]),
            [("hosts[0]".to_owned(), ProblemCode::Duplicate)]
        );
        assert_eq!(
            refused(&mut directory, "eu", &["status.main.example"]),
            [("hosts[0]".to_owned(), ProblemCode::Duplicate)],
            "the default page's own domain"
        );
        assert_eq!(
            refused(&mut directory, "eu", &["a.example", "a.example"]),
            [("hosts[1]".to_owned(), ProblemCode::Duplicate)]
        );
        assert_eq!(refused(&mut directory, "eu", &[]), [("hosts".to_owned(), ProblemCode::Missing)]);
        let many: Vec<String> = (0..=HOSTS_PER_PAGE).map(|n| format!("h{n}.example")).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        assert_eq!(refused(&mut directory, "eu", &many), [("hosts".to_owned(), ProblemCode::TooLong)]);
        assert_eq!(directory, before, "nothing refused changed anything");
    }

    #[test]
    fn at_most_so_many_pages() {
        let mut directory = Directory::default();
        for n in 0..PAGES {
            add(&mut directory, &format!("p{n}"), &[&format!("p{n}.example")]).unwrap();
        }
        assert_eq!(
            add(&mut directory, "one-more", &["one-more.example"]).unwrap_err(),
            [(String::new(), ProblemCode::TooLong)]
        );
    }

    #[test]
    fn a_page_that_takes_a_removed_pages_id_never_shares_its_keys() {
        let mut directory = Directory::default();
        let first = add(&mut directory, "acme", &["acme.example"]).unwrap();
        directory.remove(&"acme".into());
        let second = add(&mut directory, "acme", &["acme.example"]).unwrap();
        assert_ne!(scoped(Some(&first), "summary"), scoped(Some(&second), "summary"));
    }

    #[test]
    fn no_two_pages_share_a_key_and_the_default_keeps_its_own() {
        use crate::document::{Document, FIXED};
        use crate::wire::IncidentId;
        let mut directory = Directory::default();
        let a = add(&mut directory, "a", &["a.example"]).unwrap();
        let b = add(&mut directory, "a-1", &["b.example"]).unwrap();
        let docs =
            FIXED.iter().cloned().chain([Document::Uptime, Document::Ids, Document::Incident(IncidentId::from("1.0"))]);
        let mut seen = std::collections::HashSet::new();
        for doc in docs {
            let key = doc.key();
            assert!(!key.starts_with("p/"), "a default key in another page's space: {key}");
            assert_eq!(scoped(None, &key), key, "the default page's keys do not move");
            for page in [None, Some(&a), Some(&b)] {
                assert!(seen.insert(scoped(page, &key)), "{page:?} {key} twice");
            }
        }
    }

    #[test]
    fn a_stored_directory_is_checked_again_when_read() {
        let mut directory = Directory::default();
        add(&mut directory, "public", &["status.example.com"]).unwrap();
        add(&mut directory, "internal", &["internal.example.com"]).unwrap();
        let json = serde_json::to_value(&directory).unwrap();
        assert_eq!(serde_json::from_value::<Directory>(json.clone()).unwrap(), directory, "a round trip");
        // One host on two pages (spelled apart, one in normal form once read), one id twice, a
        // serial not yet given: each refused, never resolved to the first.
        let mut twice = json.clone();
        twice["pages"][1]["hosts"][0] = "Status.Example.com.".into();
        let mut same_id = json.clone();
        same_id["pages"][1]["id"] = "public".into();
        same_id["pages"][1]["audience"] = "private".into();
        let mut serial = json.clone();
        serial["pages"][1]["serial"] = 7.into();
        for (what, bad) in [("a host twice", twice), ("an id twice", same_id), ("a serial", serial)] {
            assert!(serde_json::from_value::<Directory>(bad).is_err(), "{what}");
        }
    }

    #[test]
    fn a_full_directory_fits_one_durable_object_value() {
        // Every host as long as DNS allows (253 characters), every name at its limit in the
        // characters JSON spells longest (a control character, six bytes).
        let longest = |n: usize, k: usize| format!("{0}.{0}.{0}.{n:03}{k}{1}", "a".repeat(63), "b".repeat(57));
        assert_eq!(longest(0, 0).len(), HOST_CHARS);
        let mut directory = Directory::default();
        for n in 0..PAGES {
            let id = PageId(format!("{}{n:03}", "p".repeat(crate::limits::ID_CHARS - 3)));
            let name = "\u{1}".repeat(crate::limits::NAME_CHARS);
            let hosts = (0..HOSTS_PER_PAGE).map(|k| host(&longest(n, k))).collect();
            directory.add(id, name, hosts, Audience::Private, &MAIN.into(), &[]).unwrap();
        }
        let bytes = serde_json::to_vec(&directory).unwrap().len();
        assert!(bytes <= crate::limits::DURABLE_OBJECT_VALUE_BYTES, "{bytes} B");
        // Then readers, each an email as long as allowed with every character JSON doubles, until
        // the budget refuses one more page's: it still fits.
        let reader = |k: usize| format!("{}{k:02}@{}.com", "\\".repeat(62), "d".repeat(185));
        assert_eq!(reader(0).len(), crate::access::MAX_EMAIL);
        let readers: Vec<String> = (0..READERS_PER_PAGE).map(reader).collect();
        let ids: Vec<String> = directory.pages().iter().map(|p| p.id.as_str().to_owned()).collect();
        let refused = ids.iter().find_map(|id| directory.set_readers(id, &readers).unwrap().err());
        assert_eq!(refused.map(|problems| problems[0].code), Some(ProblemCode::TooLong), "the budget ran out");
        let bytes = serde_json::to_vec(&directory).unwrap().len();
        assert!(bytes <= crate::limits::DURABLE_OBJECT_VALUE_BYTES, "{bytes} B with readers");
        let read_back: Directory = serde_json::from_slice(&serde_json::to_vec(&directory).unwrap()).unwrap();
        assert_eq!(read_back, directory, "readers read back as set");
    }

    #[test]
    fn readers_are_emails_or_domains_of_private_pages_and_admit_exactly_those() {
        assert_eq!(reader(" Ada@Example.com ", "r"), Ok("ada@example.com".to_owned()));
        assert_eq!(reader("@Example.COM.", "r"), Ok("@example.com".to_owned()));
        for bad in [
            "@localhost",
            "@127.0.0.1",
            "@",
            "@a b.example",
            "not-an-email",
            "",
            "@@example.com",
            "\u{212a}im@example.com",
            "ki\u{200b}m@example.com",
        ] {
            assert!(reader(bad, "r").is_err(), "{bad:?}");
        }
        let mut directory = Directory::default();
        let new = |id: &str, host: &str, audience, readers: &[&str]| NewPage {
            id: id.into(),
            name: id.into(),
            hosts: vec![host.into()],
            audience,
            readers: readers.iter().map(|r| r.to_string()).collect(),
        };
        let codes = |problems: Vec<Problem>| problems.into_iter().map(|p| (p.path, p.code)).collect::<Vec<_>>();
        let public =
            directory.add_new(new("pub", "pub.example", Audience::Public, &["@example.com"]), &[]).unwrap_err();
        assert_eq!(codes(public), [("readers".to_owned(), ProblemCode::Inconsistent)]);
        let twice = new("int", "int.example", Audience::Private, &["ADA@example.com", "ada@example.com"]);
        assert_eq!(
            codes(directory.add_new(twice, &[]).unwrap_err()),
            [("readers[1]".to_owned(), ProblemCode::Duplicate)]
        );
        assert!(directory.pages().is_empty(), "nothing refused was added");
        let page = directory
            .add_new(new("int", "int.example", Audience::Private, &["@Example.com", "lin@other.example"]), &[])
            .unwrap()
            .clone();
        assert_eq!(page.readers, ["@example.com", "lin@other.example"]);
        assert!(page.admits("ada@example.com") && page.admits("lin@other.example"));
        assert!(page.admits_claimed("Lin@Other.example") && page.admits_claimed("ANA@EXAMPLE.COM"));
        assert!(!page.admits_claimed("ada@ex\u{0430}mple.com"), "a look-alike domain");
        let kim = directory.set_readers("int", &["kim@other.example".into()]).unwrap().unwrap().clone();
        assert!(kim.admits_claimed("Kim@Other.example"));
        assert_eq!("\u{212a}im@other.example".to_lowercase(), "kim@other.example", "what Unicode lowercasing does");
        assert!(!kim.admits_claimed("\u{212a}im@other.example"), "the Kelvin sign is no k");
        for other in
            ["ada@eng.example.com", "ada@notexample.com", "ada@example.com.evil", "kim@other.example", "example.com"]
        {
            assert!(!page.admits(other), "{other}");
        }
        let revision = directory.revision();
        assert_eq!(directory.set_readers("int", &[]).unwrap().unwrap().readers, Vec::<String>::new());
        assert!(directory.revision() > revision, "a change readers of other copies see as newer");
        assert!(directory.set_readers("nope", &[]).is_none());
        let many: Vec<String> = (0..=READERS_PER_PAGE).map(|n| format!("r{n}@example.com")).collect();
        assert_eq!(
            codes(directory.set_readers("int", &many).unwrap().unwrap_err()),
            [("readers".to_owned(), ProblemCode::TooLong)]
        );
        let stored = r#"{"pages":[{"id":"x","serial":0,"name":"X","hosts":["x.example"],"audience":"private","readers":["Not An Email"]}],"added":1}"#;
        assert!(serde_json::from_str::<Directory>(stored).is_err(), "a stored reader that was never checked");
    }

    #[test]
    fn a_stored_host_is_read_back_only_if_it_is_one() {
        assert_eq!(serde_json::from_str::<Host>(r#""Status.Example.com.""#).unwrap(), host("status.example.com"));
        assert!(serde_json::from_str::<Host>(r#""a b""#).is_err());
        assert!(serde_json::from_str::<Host>(r#""127.1""#).is_err());
    }

    #[test]
    fn a_store_knows_its_pages_keys_from_its_name_alone() {
        let mut directory = Directory::default();
        let acme = add(&mut directory, "acme", &["acme.example"]).unwrap();
        assert_eq!(scope_of_object(&acme.object()), Some(acme.scope()));
        assert_eq!(scope_of_object(DEFAULT_PAGE), Some(String::new()), "the default page's keys do not move");
        for bad in ["", "acme", "acme.", ".0", "acme.01", "acme.-1", "acme.1.2", "Acme.1", "default.0", "a/b.1"] {
            assert_eq!(scope_of_object(bad), None, "{bad:?}");
        }
        assert_eq!(scope_of_object("a.b.1"), None, "a page id has no dot");
    }

    #[test]
    fn a_page_asked_for_is_added_with_its_hosts_read_as_hostnames() {
        let mut directory = Directory::default();
        let new = |id: &str, names: &[&str]| NewPage {
            id: id.into(),
            name: "Acme".into(),
            hosts: names.iter().map(|h| h.to_string()).collect(),
            audience: Audience::Public,
            readers: vec![],
        };
        let reserved = hosts(&["localhost"]);
        let added = directory.add_new(new("acme", &["Status.Acme.example."]), &reserved).unwrap().clone();
        assert_eq!(added.hosts, hosts(&["status.acme.example"]));
        assert_eq!(directory.get("acme"), Some(&added));
        assert_eq!(directory.get("other"), None);
        let codes = |problems: Vec<Problem>| problems.into_iter().map(|p| (p.path, p.code)).collect::<Vec<_>>();
        let refused = directory.add_new(new("eu", &["ok.example", "not a host", "x.example:8787"]), &reserved);
        assert_eq!(
            codes(refused.unwrap_err()),
            [("hosts[1]".to_owned(), ProblemCode::Invalid), ("hosts[2]".to_owned(), ProblemCode::Invalid)]
        );
        assert_eq!(
            codes(directory.add_new(new(DEFAULT_PAGE, &["d.example"]), &reserved).unwrap_err()),
            [("id".to_owned(), ProblemCode::Duplicate)],
            "the default page's id"
        );
        assert_eq!(
            codes(directory.add_new(new("eu", &["LOCALHOST"]), &reserved).unwrap_err()),
            [("hosts[0]".to_owned(), ProblemCode::Duplicate)]
        );
        assert_eq!(directory.pages().len(), 1, "nothing refused was added");
        assert_eq!(directory.revision(), 1, "nor counted as a change");
        directory.remove(&"acme".into());
        assert_eq!(directory.revision(), 2, "a removal is a change too");
        let json = serde_json::to_value(&directory).unwrap();
        assert_eq!(serde_json::from_value::<Directory>(json).unwrap().revision(), 2);
    }
}
