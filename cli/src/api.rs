//! The HTTP side: one agent, the token, typed requests and answers, and a refusal as its problems.

use anyhow::{Context, Result, bail};
use serde::Serialize;
use serde::de::DeserializeOwned;
use sitrep_shared::Problem;
use sitrep_shared::api::{Method, Operation};
use sitrep_shared::command::ErrorReply;

/// `GET pages`, as far as finding a page's hostname needs.
#[derive(serde::Deserialize)]
struct PageHosts {
    pages: Vec<PageHost>,
}

#[derive(serde::Deserialize)]
struct PageHost {
    id: String,
    hosts: Vec<String>,
}

/// What the tool says it is, so an edge's logs tell its operators' requests apart.
pub const USER_AGENT: &str = concat!("sitrep/", env!("CARGO_PKG_VERSION"));

/// A client of one sitrep edge.
#[derive(Debug)]
pub struct Api {
    agent: ureq::Agent,
    base: String,
    token: Option<String>,
    /// The page `--page` names: sent with every admin call (`Sitrep-Page`; `default` too, so that
    /// it is never the page of `SITREP_URL`'s host instead); public reads go to its own origin
    /// ([`Api::read_base`]).
    page: Option<String>,
    read_base: std::cell::OnceCell<String>,
    /// The resolver's pin of the page's hostname to `SITREP_URL`'s address.
    pin: Pin,
}

/// A refused request: the status and the edge's error, typed.
#[derive(Debug)]
pub struct Refused {
    pub status: u16,
    pub code: String,
    pub message: String,
    pub problems: Vec<Problem>,
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({}): {}", self.status, self.code, self.message)
    }
}

impl std::error::Error for Refused {}

impl Api {
    /// From `SITREP_URL` and `SITREP_TOKEN`, for `page` (`--page`; `None`: the default page).
    pub fn from_env(page: Option<String>) -> Result<Self> {
        // Said as one sentence: "environment variable not found" after it would add nothing.
        let Ok(base) = std::env::var("SITREP_URL") else {
            bail!(
                "set SITREP_URL to the edge's origin, e.g. export SITREP_URL=http://127.0.0.1:8787 (`cargo xtask dev` prints the line to paste)"
            );
        };
        let base = origin(&base)?;
        let token = std::env::var("SITREP_TOKEN").ok().filter(|t| !t.is_empty());
        let asked = std::env::var("SITREP_PROXY").ok().filter(|p| !p.is_empty());
        let page = page.map(|p| p.trim().to_owned()).filter(|p| !p.is_empty());
        let (agent, pin) = agent(asked.as_deref())?;
        Ok(Self { agent, pin, base, token, page, read_base: std::cell::OnceCell::new() })
    }

    /// Where public reads go: the deployment's origin, or for `--page` the page's own (its first
    /// hostname under `SITREP_URL`'s scheme and port), since a page is found by the host it is read
    /// from. Looked up once per invocation with `GET pages`.
    fn read_base(&self) -> Result<&str> {
        let Some(id) = self.page.as_ref().filter(|id| *id != "default") else { return Ok(&self.base) };
        if let Some(base) = self.read_base.get() {
            return Ok(base);
        }
        let list: PageHosts = self.admin_get(&Operation::new(sitrep_shared::api::Endpoint::ListPages), "")?;
        let Some(page) = list.pages.iter().find(|p| &p.id == id) else {
            bail!("there is no page {id:?} (sitrep page list)");
        };
        let Some(host) = page.hosts.first() else { bail!("page {id:?} has no hostname") };
        let authority = self.base.split_once("://").map_or(self.base.as_str(), |(_, rest)| rest);
        if let Ok(mut pin) = self.pin.lock() {
            *pin = Some((host.to_ascii_lowercase(), authority.to_owned()));
        }
        let base = sitrep_shared::host::page_origin(&self.base, host);
        Ok(self.read_base.get_or_init(|| base))
    }

    fn auth(&self) -> Result<String> {
        match &self.token {
            Some(token) => Ok(format!("Bearer {token}")),
            None => bail!("set SITREP_TOKEN to the admin token (edge/.dev.vars locally)"),
        }
    }

    /// A public read of `path` (such as `/api/v2/summary.json`).
    pub fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T> {
        let base = self.read_base()?;
        let mut builder = self.agent.get(format!("{base}{path}"));
        // A page's own host may be a private page's: the token is an operator's credential there too
        // (sent over https, or to this machine: `read_base` keeps `SITREP_URL`'s scheme, and a
        // `*.localhost` name resolves to loopback).
        if self.page.is_some()
            && let Some(token) = &self.token
            && token_may_go_to(base)
        {
            builder = builder.header("authorization", format!("Bearer {token}"));
        }
        let response = builder.call().with_context(|| format!("cannot reach {base}"))?;
        answer(response)
    }

    /// An admin read (`query` without its `?`, "" for none), as text. The path and the method are
    /// the write API's table's (`sitrep_shared::api`), never written here.
    pub fn admin_text(&self, op: &Operation, query: &str) -> Result<String> {
        let url = self.url(op, query);
        let mut builder = self.agent.get(url).header("authorization", self.auth()?);
        if let Some(page) = &self.page {
            builder = builder.header(sitrep_shared::api::PAGE_HEADER, page);
        }
        let response = builder.call().with_context(|| self.unreachable())?;
        text(response)
    }

    /// An admin read, typed.
    pub fn admin_get<T: DeserializeOwned>(&self, op: &Operation, query: &str) -> Result<T> {
        parse(&self.admin_text(op, query)?)
    }

    fn url(&self, op: &Operation, query: &str) -> String {
        let query = if query.is_empty() { String::new() } else { format!("?{query}") };
        format!("{}/api/v2/admin/{}{query}", self.base, op.path())
    }

    /// An admin write with a JSON body (`None` sends none); its answer is `T` (`WriteReply` for
    /// the page's writes).
    pub fn send<B: Serialize, T: DeserializeOwned>(
        &self,
        op: &Operation,
        body: Option<&B>,
        idempotency_key: Option<&str>,
    ) -> Result<T> {
        let url = self.url(op, "");
        let builder = match op.method() {
            Method::Get => bail!("{op:?} is a read"),
            Method::Post => self.agent.post(url),
            Method::Put => self.agent.put(url),
            Method::Patch => self.agent.patch(url),
            Method::Delete => self.agent.delete(url).force_send_body(),
        };
        let mut builder = builder.header("authorization", self.auth()?);
        if let Some(page) = &self.page {
            builder = builder.header(sitrep_shared::api::PAGE_HEADER, page);
        }
        if let Some(key) = idempotency_key {
            builder = builder.header("idempotency-key", key);
        }
        let response = match body {
            Some(body) => builder.header("content-type", "application/json").send(serde_json::to_vec(body)?),
            None => builder.send_empty(),
        }
        .with_context(|| self.unreachable())?;
        answer(response)
    }

    /// A POST with an Idempotency-Key, retried once if the connection failed (never if the edge
    /// answered), so a dropped answer neither loses the write nor makes a duplicate.
    pub fn create<B: Serialize, T: DeserializeOwned>(&self, op: &Operation, body: Option<&B>) -> Result<T> {
        let key = idempotency_key();
        match self.send(op, body, Some(&key)) {
            Err(err) if err.downcast_ref::<Refused>().is_none() => self.send(op, body, Some(&key)),
            other => other,
        }
    }

    fn unreachable(&self) -> String {
        format!("cannot reach {}", self.base)
    }
}

/// The origin in `SITREP_URL`, checked: a scheme and a host, nothing after them but slashes.
/// The agent: no proxy but the one `SITREP_PROXY` names (an environment's `HTTPS_PROXY` is not
/// asked whether it may see the admin token), and no redirects (the token goes to one origin).
fn agent(proxy: Option<&str>) -> Result<(ureq::Agent, Pin)> {
    let proxy = match proxy {
        Some(uri) => Some(ureq::Proxy::new(uri).with_context(|| format!("SITREP_PROXY={uri:?} is not a proxy URL"))?),
        None => None,
    };
    let config = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .proxy(proxy)
        .max_redirects(0)
        .user_agent(USER_AGENT)
        .build();
    let resolver = Localhost::default();
    let pin = std::sync::Arc::clone(&resolver.pin);
    Ok((ureq::Agent::with_parts(config, ureq::unversioned::transport::DefaultConnector::new(), resolver), pin))
}

/// Where [`Localhost`] keeps its pin.
type Pin = std::sync::Arc<std::sync::Mutex<Option<(String, String)>>>;

/// The system's resolver, except that `localhost` and every name under it are this machine
/// (RFC 6761, 6.3, as browsers do): a page added with a `*.localhost` hostname (how `cargo xtask
/// dev` tries several pages) is read from there, and never sent to whatever a resolver with search
/// domains would make of the name. Written here because ureq leaves the policy to its caller.
///
/// It also pins a page's own hostname (`--page`) to `SITREP_URL`'s address: reads of a page go to
/// the deployment this tool was pointed at, under the page's name (TLS and `Host`), never to
/// wherever a typed or dangling hostname resolves, so the token sent there stays with the
/// deployment.
#[derive(Debug, Default)]
struct Localhost {
    system: ureq::unversioned::resolver::DefaultResolver,
    /// (a page's hostname, `SITREP_URL`'s authority): the first resolved as the second.
    pin: Pin,
}

impl ureq::unversioned::resolver::Resolver for Localhost {
    fn resolve(
        &self,
        uri: &ureq::http::Uri,
        config: &ureq::config::Config,
        timeout: ureq::unversioned::transport::NextTimeout,
    ) -> Result<ureq::unversioned::resolver::ResolvedSocketAddrs, ureq::Error> {
        let asked = uri.host().unwrap_or_default().to_ascii_lowercase();
        let pinned = self.pin.lock().ok().and_then(|pin| pin.clone()).filter(|(page, _)| *page == asked);
        let pinned_uri;
        let uri = match pinned {
            Some((_, authority)) => {
                let scheme = uri.scheme_str().unwrap_or("https");
                let host = authority.rsplit_once(':').map_or(authority.as_str(), |(host, _)| host);
                let port = uri.port_u16().map(|p| format!(":{p}")).unwrap_or_default();
                pinned_uri = format!("{scheme}://{host}{port}/")
                    .parse::<ureq::http::Uri>()
                    .map_err(|_| ureq::Error::HostNotFound)?;
                &pinned_uri
            }
            None => uri,
        };
        let host = uri.host().unwrap_or_default().to_ascii_lowercase();
        let host = host.strip_suffix('.').unwrap_or(&host);
        if host == "localhost" || host.ends_with(".localhost") {
            let port = uri.port_u16().unwrap_or(if uri.scheme_str() == Some("https") { 443 } else { 80 });
            let mut addrs = self.empty();
            addrs.push(std::net::SocketAddr::from(([127, 0, 0, 1], port)));
            return Ok(addrs);
        }
        self.system.resolve(uri, config, timeout)
    }
}

/// Whether the token may be sent to `base` (an origin): over https, or to this machine (loopback,
/// or a `*.localhost` name, which [`Localhost`] resolves to loopback).
fn token_may_go_to(base: &str) -> bool {
    match base.split_once("://") {
        Some(("https", _)) => true,
        Some(("http", rest)) => {
            let host = rest.rsplit_once(':').map_or(rest, |(host, _)| host).to_ascii_lowercase();
            is_loopback(rest) || host.ends_with(".localhost")
        }
        _ => false,
    }
}

/// Whether `host` (with its port, as in an origin) is this machine: `localhost`, 127.0.0.0/8 or
/// `[::1]`. Not `*.localhost`: a resolver with search domains may send those elsewhere.
fn is_loopback(host_port: &str) -> bool {
    let host = match host_port.strip_prefix('[') {
        Some(v6) => return v6.split(']').next() == Some("::1"),
        None => host_port.rsplit_once(':').map_or(host_port, |(host, _)| host),
    };
    let host = host.to_ascii_lowercase();
    host == "localhost" || host.parse::<std::net::Ipv4Addr>().is_ok_and(|ip| ip.is_loopback())
}

fn origin(value: &str) -> Result<String> {
    let trimmed = value.trim().trim_end_matches('/');
    let Some((scheme, rest)) = trimmed.split_once("://") else {
        bail!("SITREP_URL={value:?} has no scheme: write http://{trimmed} or https://{trimmed}");
    };
    if !matches!(scheme, "http" | "https") {
        bail!("SITREP_URL={value:?}: only http:// and https:// are spoken");
    }
    if rest.is_empty() || rest.contains(['/', '?', '#', ' ', '@']) {
        bail!("SITREP_URL={value:?} must be an origin only, such as https://status.example.com");
    }
    if scheme == "http" && !is_loopback(rest) {
        bail!("SITREP_URL={value:?}: the token goes over https only, except to this machine (http://127.0.0.1:8787)");
    }
    Ok(trimmed.to_owned())
}

/// An Idempotency-Key for one invocation, so the retry after a connection error is safe.
fn idempotency_key() -> String {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    format!("cli-{}-{nanos:x}", std::process::id())
}

fn text(mut response: ureq::http::Response<ureq::Body>) -> Result<String> {
    let status = response.status().as_u16();
    let text = response.body_mut().read_to_string().context("cannot read the answer")?;
    if (200..300).contains(&status) {
        return Ok(text);
    }
    Err(match serde_json::from_str::<ErrorReply>(&text) {
        Ok(reply) => {
            Refused { status, code: reply.error.code, message: reply.error.message, problems: reply.error.problems }
        }
        Err(_) => {
            Refused { status, code: "unknown".into(), message: text.chars().take(300).collect(), problems: vec![] }
        }
    }
    .into())
}

fn parse<T: DeserializeOwned>(text: &str) -> Result<T> {
    serde_json::from_str(text).context("the edge answered with JSON this tool does not understand")
}

fn answer<T: DeserializeOwned>(response: ureq::http::Response<ureq::Body>) -> Result<T> {
    parse(&text(response)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sitrep_url_must_be_an_origin() {
        assert_eq!(origin("http://127.0.0.1:8787/").unwrap(), "http://127.0.0.1:8787");
        let bare = origin("127.0.0.1:8787").unwrap_err().to_string();
        assert_eq!(
            bare,
            "SITREP_URL=\"127.0.0.1:8787\" has no scheme: write http://127.0.0.1:8787 or https://127.0.0.1:8787"
        );
        assert!(origin("ftp://x").is_err());
        assert!(origin("https://x/api/v2").is_err());
    }

    /// Issue 28: a page's own host gets the token only over https or on this machine.
    #[test]
    fn a_pages_host_gets_the_token_only_safely() {
        for ok in ["https://status.acme.example", "http://acme.localhost:8787", "http://127.0.0.1:8787"] {
            assert!(token_may_go_to(ok), "{ok}");
        }
        for not in ["http://status.acme.test:8787", "http://acme.localhost.evil.test", "ftp://acme.localhost"] {
            assert!(!token_may_go_to(not), "{not}");
        }
    }

    /// Review 2, finding 15: the bearer token went over plain http to any host.
    #[test]
    fn plain_http_is_for_this_machine_only() {
        for local in ["http://127.0.0.1:8787", "http://localhost:8787", "http://[::1]:8787", "http://127.1.2.3"] {
            assert!(origin(local).is_ok(), "{local}");
        }
        for remote in [
            "http://status.example.com",
            "http://10.0.0.1:8787",
            "http://127.0.0.1.example.com",
            "http://acme.localhost",
        ] {
            let err = origin(remote).unwrap_err().to_string();
            assert!(err.contains("https only"), "{remote}: {err}");
        }
        assert!(origin("https://status.example.com").is_ok());
        assert!(origin("https://user@status.example.com").is_err());
    }

    /// Review 2, finding 15: the agent took `HTTPS_PROXY` from the environment and followed redirects.
    #[test]
    fn the_agent_uses_no_proxy_it_was_not_given_and_follows_no_redirect() {
        let quiet = agent(None).unwrap().0;
        assert!(quiet.config().proxy().is_none());
        assert_eq!(quiet.config().max_redirects(), 0);
        let asked = agent(Some("http://127.0.0.1:3128")).unwrap().0;
        assert!(asked.config().proxy().is_some());
    }
}
