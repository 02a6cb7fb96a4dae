//! sitrep's operator console: a Yew application served at `/admin/` to signed-in operators.
//!
//! It reads the page as readers do (the read API) and writes through the write API's table
//! (`sitrep_shared::api`), as the CLI does; the edge decides every permission, so a screen that
//! hides a button hides it only as a courtesy. Previews are the widget's own views
//! (`sitrep_views`), fed by `sitrep_shared::preview`: the store's rules applied to the page the
//! console holds.
//!
//! - `model`: the state in one reducer; `api`: the one way to the edge; `words`: six languages.
//! - `app`: the frame (navigation, polling, focus, the page switcher in `switcher`); one module
//!   per screen.
//!
//! It is built twice: the everyday screens (overview, incidents, maintenance, postmortems,
//! components) at `/admin/`, and with the `settings` feature the screens an owner opens now and
//! then (templates, subscriptions, operators, pages, the log) at `/admin/settings/`. The first load
//! carries only the first (the console's size budget, `cargo xtask bench console`); a tab of the
//! other loads its document, and `Route::in_settings` is the one rule both follow.

mod api;
mod app;
mod components;
mod forms;
mod incidents;
mod log;
mod maintenance;
mod model;
mod overview;
mod pages;
mod people;
mod postmortem;
mod preview;
mod settings_words;
mod subscriptions;
mod switcher;
mod templates;
mod words;

use wasm_bindgen::prelude::wasm_bindgen;

/// The allocator: a free list kept in address order with neighbours merged (`lol_alloc`), behind
/// a lock that one thread never waits on. It is about 5 KB smaller than std's dlmalloc in the
/// console's wasm, which must stay under 250 KB; the console allocates little between renders.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: lol_alloc::LockedAllocator<lol_alloc::FreeListAllocator> =
    lol_alloc::LockedAllocator::new(lol_alloc::FreeListAllocator::new());

/// Runs when the module is instantiated: renders the console into `#sitrep-console`.
#[wasm_bindgen(start)]
pub fn start() {
    let Some(root) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id("sitrep-console"))
    else {
        return;
    };
    // A screen of the other module: its document, before anything is read here.
    let route = web_sys::window().and_then(|w| w.location().hash().ok()).unwrap_or_default();
    if app::moved(&model::Route::parse(&route)) {
        return;
    }
    // The edge's "loading" line gives way to the application.
    root.set_inner_html("");
    yew::Renderer::<app::App>::with_root(root).render();
}
