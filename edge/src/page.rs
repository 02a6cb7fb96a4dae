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
use std::rc::Rc;

use sitrep_shared::host::{self, DEFAULT_PAGE, Directory, Host, PageEntry};
use worker::Env;

use crate::bindings::KV_BINDING;
use crate::error::EdgeError;

/// How long an isolate keeps the directory before reading KV's again.
const DIRECTORY_TTL_MS: u64 = 5_000;
/// How long a location may keep KV's copy (a page added shows everywhere within KV's propagation
/// and this; the isolate that added it knows at once).
const KV_CACHE_TTL_S: u64 = 60;

/// The page a request is for: the deployment's default page, or one of the directory's.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Page(Option<Rc<PageEntry>>);

impl Page {
    /// The page of a directory entry.
    pub fn of_entry(entry: PageEntry) -> Self {
        Self(Some(Rc::new(entry)))
    }

    /// The key of this page's copy of `key` (KV, the Cache API, isolate memory, renders).
    pub fn key(&self, key: &str) -> String {
        host::scoped(self.0.as_deref(), key)
    }

    /// [`Page::key`] of a key already made: the default page's is `key` itself, not a copy (the
    /// read path's every request makes one).
    pub fn key_of(&self, key: String) -> String {
        match &self.0 {
            None => key,
            Some(page) => host::scoped(Some(page), &key),
        }
    }

    /// Whether only signed-in operators and holders of its reader links may read it.
    pub fn private(&self) -> bool {
        self.0.as_ref().is_some_and(|page| page.audience == sitrep_shared::host::Audience::Private)
    }

    /// Its entry in the directory (`None` for the default page).
    pub fn entry(&self) -> Option<&PageEntry> {
        self.0.as_deref()
    }

    /// The prefix of every key of this page's (empty for the default page's).
    pub fn scope(&self) -> String {
        self.key("")
    }

    /// The name of this page's store and delivery object.
    pub fn object(&self) -> String {
        self.0.as_ref().map_or_else(|| DEFAULT_PAGE.to_owned(), |page| page.object())
    }
}

thread_local! {
    /// The directory this isolate read last, and when (ms).
    static KNOWN: RefCell<Option<(u64, Rc<Directory>)>> = const { RefCell::new(None) };
}

/// The page the request to `url` (as the runtime gives it) is for.
pub async fn of_url(env: &Env, url: &str, now: u64) -> Result<Page, EdgeError> {
    let directory = directory(env, now).await?;
    if directory.pages().is_empty() {
        return Ok(Page::default());
    }
    Ok(Page(directory.page_for(Host::of_url(url).as_ref()).cloned().map(Rc::new)))
}

/// The page a write API call is for: the one `named` (the `Sitrep-Page` header), else the one of
/// the host of `url`; from the account store's directory itself.
pub async fn for_write(env: &Env, named: Option<&str>, url: &str, now: u64) -> Result<Page, EdgeError> {
    let directory = Rc::new(crate::accounts::directory(env).await?);
    learn(Rc::clone(&directory), now);
    let entry = match named.map(str::trim) {
        Some(DEFAULT_PAGE) => None,
        Some(id) => {
            Some(directory.get(id).ok_or_else(|| EdgeError::Missing(format!("no page with id {:?}", clip(id))))?)
        }
        None => directory.page_for(Host::of_url(url).as_ref()),
    };
    Ok(Page(entry.cloned().map(Rc::new)))
}

/// At most 80 characters of a header, for a message.
fn clip(text: &str) -> String {
    text.chars().take(80).collect()
}

/// Takes the directory as the account store answered a change made through this isolate: the
/// next request here sees the change at once (read-your-writes, as `read::wrote` for documents).
pub async fn refresh(env: &Env, now: u64) -> Result<(), EdgeError> {
    learn(Rc::new(crate::accounts::directory(env).await?), now);
    Ok(())
}

/// Keeps `read` as this isolate's directory (read at `now`), unless the one known is newer (then
/// that one is kept, as read again at `now`). Returns the one kept.
fn learn(read: Rc<Directory>, now: u64) -> Rc<Directory> {
    KNOWN.with_borrow_mut(|known| {
        let kept = match known.take() {
            Some((_, mine)) if mine.revision() > read.revision() => mine,
            _ => read,
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

async fn directory(env: &Env, now: u64) -> Result<Rc<Directory>, EdgeError> {
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
            if CACHED.get() != Some(kept.revision()) && keep_last_good(&kept).await {
                CACHED.set(Some(kept.revision()));
            }
            Ok(kept)
        }
        // Neither answered: the last directory known, looked for again after another while.
        (Err(err), Some((_, directory))) => {
            worker::console_warn!("reading the page directory failed ({err}); keeping the one read before");
            Ok(learn(directory, now))
        }
        (Err(err), None) => match last_good().await {
            Some(directory) => {
                worker::console_warn!(
                    "reading the page directory failed ({err}); using this location's last good copy"
                );
                Ok(learn(Rc::new(directory), now))
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
