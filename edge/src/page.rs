//! Which page a request is for, found once, from the request's URL, before anything of a page is
//! read (issue 28). The rules are `sitrep_shared::host`'s; this module only finds the directory:
//! from isolate memory for [`DIRECTORY_TTL_MS`], else from KV (the account store's copy), else
//! from the account store itself. A request for a host no page lists costs no store request while
//! KV answers. When neither answers, the directory this isolate knew last (of any age) is used,
//! else the last one this location's Cache API kept (a week); with none, the request is refused
//! (503), never answered as the default page's: a page's host must never be given another page's
//! data. A copy with a lower revision than one known (a location's cached KV read lagging a change)
//! never replaces it. Writes find their page in the account store's own directory, never a copy:
//! a write must not reach a page removed a moment ago.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use sitrep_shared::host::{self, DEFAULT_PAGE, Directory, Host, PageEntry};
use worker::Env;

use crate::bindings::KV_BINDING;
use crate::error::EdgeError;

/// How long an isolate keeps the directory before reading KV's again.
const DIRECTORY_TTL_MS: u64 = 5_000;
/// How long a location may keep KV's copy (the least KV allows: a page added, or its reader links
/// revoked, shows everywhere within KV's propagation and this; the isolate that made the change
/// knows at once).
const KV_CACHE_TTL_S: u64 = 30;

/// The page a request is for: the deployment's default page, or one of the directory's, with the
/// prefix of its keys made once (the read path uses it on every request).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Page {
    entry: Option<Rc<PageEntry>>,
    scope: Rc<str>,
    /// Found in a directory read while KV and the account store failed (see `audience`).
    fallback: bool,
}

impl Page {
    /// The page of a directory entry.
    pub fn of_entry(entry: PageEntry) -> Self {
        Self::of(Rc::new(entry))
    }

    fn of(entry: Rc<PageEntry>) -> Self {
        let scope = host::scoped(Some(&entry), "").into();
        Self { entry: Some(entry), scope, fallback: false }
    }

    /// The key of this page's copy of `key` (KV, the Cache API, isolate memory, renders).
    pub fn key(&self, key: &str) -> String {
        format!("{}{key}", self.scope)
    }

    /// [`Page::key`] of a key already made: the default page's is `key` itself, not a copy (the
    /// read path's every request makes one).
    pub fn key_of(&self, key: String) -> String {
        if self.scope.is_empty() { key } else { self.key(&key) }
    }

    /// Whether only signed-in operators and holders of its reader links may read it.
    pub fn private(&self) -> bool {
        self.entry.as_ref().is_some_and(|page| page.audience == sitrep_shared::host::Audience::Private)
    }

    /// Its entry in the directory (`None` for the default page).
    pub fn entry(&self) -> Option<&PageEntry> {
        self.entry.as_deref()
    }

    /// Whether it was found in a directory read while KV and the account store failed, which may
    /// not know of a change made since (a revocation of its reader links).
    pub fn directory_is_fallback(&self) -> bool {
        self.fallback
    }

    /// The prefix of every key of this page's (empty for the default page's).
    pub fn scope(&self) -> &str {
        &self.scope
    }

    /// Its id (`default` for the default page).
    pub fn id(&self) -> &str {
        self.entry.as_ref().map_or(DEFAULT_PAGE, |page| page.id.as_str())
    }

    /// The name of this page's store and delivery object.
    pub fn object(&self) -> String {
        self.entry.as_ref().map_or_else(|| DEFAULT_PAGE.to_owned(), |page| page.object())
    }
}

/// A directory as this isolate keeps it: each hostname's page made once.
#[derive(Debug)]
struct Known {
    directory: Rc<Directory>,
    pages: HashMap<Host, Page>,
    fallback: bool,
}

impl Known {
    fn of(directory: Rc<Directory>) -> Rc<Self> {
        Self::made(directory, false)
    }

    /// One read while KV and the account store failed: its pages say so.
    fn fallback(directory: Rc<Directory>) -> Rc<Self> {
        Self::made(directory, true)
    }

    fn made(directory: Rc<Directory>, fallback: bool) -> Rc<Self> {
        let mut pages = HashMap::new();
        for entry in directory.pages() {
            let mut page = Page::of(Rc::new(entry.clone()));
            page.fallback = fallback;
            for host in &entry.hosts {
                pages.insert(host.clone(), page.clone());
            }
        }
        Rc::new(Self { directory, pages, fallback })
    }

    /// The page of the request to `url`: what `Host::of_url` and `Directory::page_for` find, by the
    /// same rules for the scheme, the port and user info, but the host as the URL spells it is
    /// looked up first, without making a [`Host`]: every hostname in the directory is one already,
    /// so a match is the page; a host spelled otherwise (capitals) is normalised and looked up again.
    fn page_for(&self, url: &str) -> Page {
        let default = || Page { fallback: self.fallback, ..Page::default() };
        if self.pages.is_empty() {
            return default();
        }
        let Some(rest) = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://")) else {
            return default();
        };
        let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
        if authority.contains(['@', '[']) {
            return default();
        }
        let name = match authority.rsplit_once(':') {
            Some((name, port)) if !port.is_empty() && port.len() <= 5 && port.bytes().all(|b| b.is_ascii_digit()) => {
                name
            }
            Some(_) => return default(),
            None => authority,
        };
        let name = name.strip_suffix('.').unwrap_or(name);
        if let Some(page) = self.pages.get(name) {
            return page.clone();
        }
        if !name.bytes().any(|b| b.is_ascii_uppercase()) {
            return default();
        }
        Host::of_url(url).and_then(|host| self.pages.get(&host).cloned()).unwrap_or_else(default)
    }
}

thread_local! {
    /// The directory this isolate read last, and when (ms).
    static KNOWN: RefCell<Option<(u64, Rc<Known>)>> = const { RefCell::new(None) };
}

/// The page the request to `url` (as the runtime gives it) is for.
pub async fn of_url(env: &Env, url: &str, now: u64) -> Result<Page, EdgeError> {
    Ok(directory(env, now).await?.page_for(url))
}

/// [`for_write`] for a call that changes nothing (`GET me`, the console's document reads, polled
/// every few seconds): from this isolate's directory, as a reader's request finds its page,
/// without asking the account store. A page added or removed a moment ago may not be known yet.
pub async fn for_read(env: &Env, named: Option<&str>, url: &str, now: u64) -> Result<Page, EdgeError> {
    let known = directory(env, now).await?;
    match named.map(str::trim) {
        None => Ok(known.page_for(url)),
        Some(DEFAULT_PAGE) => Ok(Page::default()),
        Some(id) => match known.directory.get(id) {
            Some(entry) => Ok(Page { fallback: known.fallback, ..Page::of_entry(entry.clone()) }),
            // Added a moment ago through another isolate, maybe: the account store knows.
            None => for_write(env, Some(id), url).await,
        },
    }
}

/// The page a write API call is for: the one `named` (the `Sitrep-Page` header), else the one of
/// the host of `url`; from the account store's own directory, never a copy (one small request).
pub async fn for_write(env: &Env, named: Option<&str>, url: &str) -> Result<Page, EdgeError> {
    let found = match named.map(str::trim) {
        Some(DEFAULT_PAGE) => return Ok(Page::default()),
        Some(id) => crate::accounts::find_page(env, Some(sitrep_shared::host::clip(id)), None).await?,
        None => match Host::of_url(url) {
            Some(host) => crate::accounts::find_page(env, None, Some(host)).await?,
            None => None,
        },
    };
    Ok(found.map(Page::of_entry).unwrap_or_default())
}

/// Takes the directory as the account store answered a change made through this isolate: the
/// next request here sees the change at once (read-your-writes, as `read::wrote` for documents).
pub async fn refresh(env: &Env, now: u64) -> Result<(), EdgeError> {
    learn(Rc::new(crate::accounts::directory(env).await?), now);
    Ok(())
}

/// Keeps `read` as this isolate's directory (read at `now`), unless the one known is as new (then
/// that one is kept, as read again at `now`). Returns the one kept.
fn learn(read: Rc<Directory>, now: u64) -> Rc<Known> {
    KNOWN.with_borrow_mut(|known| {
        let kept = match known.take() {
            Some((_, mine)) if !mine.fallback && mine.directory == read => mine,
            Some((_, mine)) if mine.directory.revision() > read.revision() => Known::of(Rc::clone(&mine.directory)),
            _ => Known::of(read),
        };
        *known = Some((now, Rc::clone(&kept)));
        kept
    })
}

thread_local! {
    /// The revision this isolate last wrote to the Cache API, and whether a read is under way.
    static CACHED: std::cell::Cell<Option<u64>> = const { std::cell::Cell::new(None) };
    static READING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// The Cache API URL of this location's last good copy of the directory.
fn last_good_url() -> String {
    format!("https://sitrep.internal/{}/last-good/pages", crate::copy::COPIES)
}

/// How long a location keeps its last good copy of the directory.
const LAST_GOOD_TTL_S: u64 = 7 * 86_400;

async fn directory(env: &Env, now: u64) -> Result<Rc<Known>, EdgeError> {
    let known = KNOWN.with_borrow(Clone::clone);
    match &known {
        Some((at, directory)) if now.saturating_sub(*at) < DIRECTORY_TTL_MS => return Ok(Rc::clone(directory)),
        // Another request is reading it: this one goes on with the copy it has.
        Some((_, directory)) if READING.get() => return Ok(Rc::clone(directory)),
        _ => {}
    }
    let read = {
        let _reading = Reading::start();
        read(env).await
    };
    match (read, known) {
        (Ok(directory), _) => {
            let kept = learn(Rc::new(directory), now);
            let revision = kept.directory.revision();
            if CACHED.get() != Some(revision) && keep_last_good(&kept.directory).await {
                CACHED.set(Some(revision));
            }
            Ok(kept)
        }
        // Neither answered: the last directory known, looked for again after another while.
        (Err(err), Some((_, known))) => {
            worker::console_warn!("reading the page directory failed ({err}); keeping the one read before");
            let kept = Known::fallback(Rc::clone(&known.directory));
            KNOWN.set(Some((now, Rc::clone(&kept))));
            Ok(kept)
        }
        (Err(err), None) => match last_good().await {
            Some(directory) => {
                worker::console_warn!(
                    "reading the page directory failed ({err}); using this location's last good copy"
                );
                let kept = Known::fallback(Rc::new(directory));
                KNOWN.set(Some((now, Rc::clone(&kept))));
                Ok(kept)
            }
            None => {
                worker::console_error!("reading the page directory failed ({err}), and none is known here");
                Err(EdgeError::Unavailable)
            }
        },
    }
}

/// A read of the directory under way in this isolate (cleared however the request ends).
struct Reading;

impl Reading {
    fn start() -> Self {
        READING.set(true);
        Self
    }
}

impl Drop for Reading {
    fn drop(&mut self) {
        READING.set(false);
    }
}

/// KV's copy, else the account store's.
async fn read(env: &Env) -> Result<Directory, EdgeError> {
    match from_kv(env).await {
        Ok(directory) => Ok(directory),
        Err(err) => {
            worker::console_warn!("reading the page directory from KV failed ({err}); asking the account store");
            #[cfg(feature = "fault-injection")]
            crate::faults::count("directory");
            crate::accounts::directory(env).await
        }
    }
}

async fn keep_last_good(directory: &Directory) -> bool {
    let Ok(text) = serde_json::to_string(directory) else { return false };
    let headers = worker::Headers::new();
    let _ = headers.set("cache-control", &format!("max-age={LAST_GOOD_TTL_S}"));
    let response = worker::Response::builder().with_headers(headers).fixed(text.into_bytes());
    worker::Cache::default().put(last_good_url(), response).await.is_ok()
}

async fn last_good() -> Option<Directory> {
    let mut response = worker::Cache::default().get(last_good_url(), false).await.ok().flatten()?;
    serde_json::from_str(&response.text().await.ok()?).ok()
}

async fn from_kv(env: &Env) -> Result<Directory, EdgeError> {
    if crate::faults::store_down() {
        return Err(EdgeError::Unavailable);
    }
    let text = env.kv(KV_BINDING)?.get(&crate::copy::directory_key()).cache_ttl(KV_CACHE_TTL_S).text().await?;
    match text {
        None => Ok(Directory::default()),
        Some(text) => serde_json::from_str(&text)
            .map_err(|e| EdgeError::Internal(format!("KV's page directory does not read back: {e}"))),
    }
}

#[cfg(test)]
mod tests {
    use sitrep_shared::host::{Audience, NewPage};

    use super::*;

    fn known() -> Rc<Known> {
        let mut directory = Directory::default();
        let new = NewPage {
            id: "acme".into(),
            name: "Acme".into(),
            hosts: vec!["acme.localhost".into()],
            audience: Audience::Public,
            readers: vec![],
        };
        directory.add_new(new, &[]).unwrap();
        Known::of(Rc::new(directory))
    }

    #[test]
    fn every_spelling_of_a_host_finds_its_page_and_nothing_else_does() {
        let known = known();
        let id = |url: &str| known.page_for(url).entry().map(|e| e.id.as_str().to_owned());
        for url in [
            "http://acme.localhost:8787/x",
            "http://ACME.Localhost./",
            "https://acme.localhost",
            "http://acme.localhost?x",
        ] {
            assert_eq!(id(url).as_deref(), Some("acme"), "{url}");
        }
        for url in [
            "http://user@acme.localhost/",
            "http://acme.localhost.evil.test/",
            "http://[::1]:8787/",
            "http://other.localhost/",
            "http://acme.localhost:x/",
            "http://ACME.localhost:8787:99/",
            "acme.localhost",
        ] {
            assert_eq!(id(url), None, "{url}");
        }
        let page = known.page_for("http://acme.localhost/");
        assert_eq!(page.key("summary"), "p/acme.0/summary");
        assert_eq!(page.key_of("badge".into()), "p/acme.0/badge");
        assert_eq!(page.object(), "acme.0");
        // The same answer as normalising first and looking the directory up, for every spelling.
        let hosts = [
            "acme.localhost",
            "ACME.localhost",
            "acme.localhost.",
            "Acme.Localhost.",
            "other",
            "user@acme.localhost",
            "[::1]",
        ];
        let ports = ["", ":8787", ":", ":123456", ":x", ":80:80"];
        let rests = ["", "/", "/x?y", "?q", "#f"];
        for scheme in ["http://", "https://", "ftp://", ""] {
            for host in hosts {
                for port in ports {
                    for rest in rests {
                        let url = format!("{scheme}{host}{port}{rest}");
                        let reference =
                            known.directory.page_for(Host::of_url(&url).as_ref()).map(|e| e.id.as_str().to_owned());
                        assert_eq!(id(&url), reference, "{url}");
                    }
                }
            }
        }
        let default = known.page_for("http://127.0.0.1/");
        assert_eq!(
            (default.key_of("summary".into()), default.scope(), default.object()),
            ("summary".into(), "", "default".into())
        );
    }
}
