//! The page switcher: which of the deployment's pages the console works on. Shown when the
//! deployment has more than its default page. A plain form (`GET /admin/?page=ID`): choosing loads
//! the console again on that page, so nothing held of one page is ever shown as another's, and a
//! keyboard or screen reader moves through a select and a button, never a select that navigates.

use serde::Deserialize;
use sitrep_shared::host::{Audience, DEFAULT_PAGE};
use yew::prelude::*;

use crate::words::Words;

/// A page as the switcher and the pages screen need it (`GET pages`; the rest of each entry is
/// not read).
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct PageLink {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub hosts: Vec<String>,
    #[serde(default)]
    pub audience: Audience,
    #[serde(default)]
    pub readers: Vec<String>,
}

/// `GET pages`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct PageList {
    pub pages: Vec<PageLink>,
}

/// The switcher, `current` chosen (nothing when `pages`, the pages besides the default, is empty).
pub fn switcher(w: &Words, pages: &[PageLink], current: &str) -> Html {
    if pages.is_empty() {
        return html! {};
    }
    let option = |id: &str, label: String| {
        html! { <option value={id.to_owned()} selected={id == current}>{label}</option> }
    };
    html! {
        <nav class="switch" aria-label={w.pages_nav}><form method="get" action="/admin/">
            <label for="page-switch">{w.page}</label>{" "}
            <select id="page-switch" name="page">
                { option(DEFAULT_PAGE, w.default_page.to_owned()) }
                { for pages.iter().map(|p| option(&p.id, format!("{} ({})", p.name, p.id))) }
            </select>{" "}
            <button type="submit">{w.open_page}</button>
        </form></nav>
    }
}

/// The origin readers reach page `current` at, if the console's host is not its own: for links
/// to the page ("" keeps them on this host).
pub fn public_base(pages: &[PageLink], current: &str) -> String {
    let Some(host) = pages.iter().find(|p| p.id == current).and_then(|p| p.hosts.first()) else {
        return String::new();
    };
    let origin = web_sys::window().and_then(|w| w.location().origin().ok()).unwrap_or_default();
    sitrep_shared::host::page_origin(&origin, host)
}
