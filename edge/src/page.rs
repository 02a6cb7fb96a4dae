//! Which page a request is for, found once, from the request's URL, before anything of a page is
//! read (issue 28). The rules are `sitrep_shared::host`'s; this module only finds the directory:
//! from isolate memory for [`DIRECTORY_TTL_MS`], else from KV (the account store's copy), else
//! from the account store itself. A request for a host no page lists costs no store request while
//! KV answers. When neither answers, the directory this isolate knew last (of any age) is used;
//! with none, the request is refused (503), never answered as the default page's: a page's host
//! must never be given another page's data.

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

    /// The name of this page's store and delivery object.
    pub fn object(&self) -> String {
        self.0.as_ref().map_or_else(|| DEFAULT_PAGE.to_owned(), |page| page.object())
    }

    /// Its id (`default` for the default page).
    pub fn id(&self) -> &str {
        self.0.as_ref().map_or(DEFAULT_PAGE, |page| page.id.as_str())
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

/// The page named `id` (the write API's `Sitrep-Page` header).
pub async fn by_id(env: &Env, id: &str, now: u64) -> Result<Page, EdgeError> {
    if id == DEFAULT_PAGE {
        return Ok(Page::default());
    }
    let directory = directory(env, now).await?;
    let entry = directory.get(id).ok_or_else(|| EdgeError::Missing(format!("no page with id {:?}", clip(id))))?;
    Ok(Page(Some(Rc::new(entry.clone()))))
}

/// At most 80 characters of a header, for a message.
fn clip(text: &str) -> String {
    text.chars().take(80).collect()
}

/// Takes the directory as the account store answered a change made through this isolate: the
/// next request here sees the change at once (read-your-writes, as `read::wrote` for documents).
pub async fn refresh(env: &Env, now: u64) -> Result<(), EdgeError> {
    let directory = crate::accounts::directory(env).await?;
    KNOWN.set(Some((now, Rc::new(directory))));
    Ok(())
}

async fn directory(env: &Env, now: u64) -> Result<Rc<Directory>, EdgeError> {
    let known = KNOWN.with_borrow(Clone::clone);
    if let Some((at, directory)) = &known
        && now.saturating_sub(*at) < DIRECTORY_TTL_MS
    {
        return Ok(Rc::clone(directory));
    }
    let read = match from_kv(env).await {
        Ok(directory) => Ok(directory),
        Err(err) => {
            worker::console_warn!("reading the page directory from KV failed ({err}); asking the account store");
            crate::accounts::directory(env).await
        }
    };
    match (read, known) {
        (Ok(directory), _) => {
            let directory = Rc::new(directory);
            KNOWN.set(Some((now, Rc::clone(&directory))));
            Ok(directory)
        }
        // Neither answered: the last directory known, looked for again after another while.
        (Err(err), Some((_, directory))) => {
            worker::console_warn!("reading the page directory failed ({err}); keeping the one read before");
            KNOWN.set(Some((now, Rc::clone(&directory))));
            Ok(directory)
        }
        (Err(err), None) => {
            worker::console_error!("reading the page directory failed ({err}), and this isolate knows none");
            Err(EdgeError::Unavailable)
        }
    }
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
