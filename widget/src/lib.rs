//! sitrep's embeddable status widget: a Yew app in WebAssembly, inside a Shadow DOM.
//!
//! `widget.js` (see `widget/js/`) loads this module, defines `<sitrep-status>` and exports
//! `mount(element, options)`; both end in [`mount`] here. The decisions (what to show, when to poll,
//! what counts as out of date) live in `sitrep_shared::embed`; this crate fetches, stores and draws.
//!
//! - [`app`]: the component and its polling.
//! - the markup of the badge, banner and full views is `sitrep_views::widget`, which the edge also renders.
//! - [`hub`]: one summary poll per `src` for every element on the page, answered to all at once.
//! - [`fetch`]: conditional GETs with timeout and size limits; the crate's one error enum.
//! - [`read`]: the read API's JSON into shared's types through `JSON.parse`, without serde.
//! - [`storage`]: the last good summary and dismissals in `localStorage`.

use std::rc::Rc;

use js_sys::Reflect;
use sitrep_shared::embed::Options;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{HtmlElement, ShadowRoot, ShadowRootInit, ShadowRootMode};
use yew::AppHandle;

pub mod app;
pub mod fetch;
pub mod hub;
pub mod read;
pub mod storage;

// The stylesheet (`sitrep_views::WIDGET_CSS`) is adopted by the loader before anything is painted
// (`shadowOf` in widget.js, which the build fills with it): the wasm carries no copy.

/// A mounted widget.
#[wasm_bindgen]
pub struct Handle {
    app: Option<AppHandle<app::App>>,
    refresh: Rc<app::Refresh>,
    shadow: ShadowRoot,
}

impl std::fmt::Debug for Handle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Handle").field("mounted", &self.app.is_some()).finish_non_exhaustive()
    }
}

#[wasm_bindgen]
impl Handle {
    /// Polls now.
    pub fn refresh(&self) {
        self.refresh.poll();
    }

    /// Stops polling and removes the widget; calling it twice is harmless.
    pub fn destroy(&mut self) {
        if let Some(app) = self.app.take() {
            app.destroy();
        }
        clear(&self.shadow);
        if let Ok(Some(frame)) = self.shadow.query_selector("[data-sitrep-frame]") {
            frame.remove();
        }
    }
}

/// Removes what an earlier mount rendered, keeping the loader's stylesheet and first frame.
fn clear(shadow: &ShadowRoot) {
    let children = shadow.children();
    for index in (0..children.length()).rev() {
        if let Some(child) = children.item(index)
            && !child.has_attribute("data-sitrep-frame")
            && !child.has_attribute("data-sitrep")
        {
            child.remove();
        }
    }
}

/// What can take focus or a click in the widget: the same selector as the loader's `FOCUSABLE`.
const FOCUSABLE: &str = "a, button, summary";

/// Swaps the loader's frame for the app's render, which has the same elements in the same order:
/// the element that had focus in the frame has it in the app, and the clicks the reader made on
/// the frame's buttons (recorded by the loader) are made again on the app's, so nothing a reader
/// did before the wasm arrived is lost.
fn take_over(shadow: &ShadowRoot, frame: &web_sys::Element, root: &web_sys::Element) {
    let position = |list: &web_sys::NodeList, node: &web_sys::Node| {
        (0..list.length()).find(|&i| list.item(i).as_ref() == Some(node))
    };
    let focused = shadow.active_element().and_then(|active| {
        let list = frame.query_selector_all(FOCUSABLE).ok()?;
        position(&list, &active)
    });
    let clicked = frame.get_attribute("data-sitrep-clicked").map(|text| clicks(&text)).unwrap_or_default();
    frame.remove();
    let _ = root.remove_attribute("hidden");
    let Ok(targets) = root.query_selector_all(FOCUSABLE) else { return };
    let element = |i: u32| targets.item(i).and_then(|n| n.dyn_into::<HtmlElement>().ok());
    for (index, was) in clicked {
        // Only onto the same element: the app may render a newer summary than the frame did.
        if let Some(target) = element(index).filter(|t| signature(t) == was) {
            target.click();
        }
    }
    if let Some(target) = focused.and_then(element) {
        let _ = target.focus();
    }
}

/// The loader's record of clicks on the frame (`[[index, signature], ...]`); nothing if it does not
/// read (a host page may have written the attribute: clicks are dropped, never guessed).
fn clicks(text: &str) -> Vec<(u32, String)> {
    // The host's own JSON parser: no serde_json in the widget's wasm.
    let Ok(parsed) = js_sys::JSON::parse(text) else { return Vec::new() };
    let Ok(list) = parsed.dyn_into::<js_sys::Array>() else { return Vec::new() };
    list.iter()
        .filter_map(|pair| {
            let pair = pair.dyn_into::<js_sys::Array>().ok()?;
            let index = pair.get(0).as_f64().filter(|i| i.fract() == 0.0 && (0.0..1e6).contains(i))? as u32;
            Some((index, pair.get(1).as_string()?))
        })
        .collect()
}

/// What an element is, as the loader's `signature` reads it: its dismissal key, else its label,
/// else its text.
fn signature(element: &HtmlElement) -> String {
    element
        .get_attribute("data-key")
        .or_else(|| element.get_attribute("aria-label"))
        .unwrap_or_else(|| element.text_content().unwrap_or_default().trim().to_owned())
}

/// Mounts the widget in `host`'s shadow root. `options` is a plain object of attribute names to
/// strings (`src`, `view`, `components`, `locale`, `time-zone`, `theme`, `poll`, `postmortems`);
/// `default_src` is the edge `widget.js` came from.
#[wasm_bindgen]
pub fn mount(host: HtmlElement, options: JsValue, default_src: &str) -> Result<Handle, JsValue> {
    let get = |name: &str| Reflect::get(&options, &JsValue::from_str(name)).ok().and_then(|v| v.as_string());
    #[cfg_attr(feature = "full", expect(unused_mut))]
    let (mut options, mut warnings) = Options::read_checked(get, default_src);
    warnings.extend(options.locale.as_deref().and_then(sitrep_views::i18n::locale_warning));
    for warning in warnings {
        web_sys::console::warn_1(&warning.into());
    }
    // The badge module draws badges only; the loader gives every other view the full module.
    #[cfg(not(feature = "full"))]
    if options.view != sitrep_shared::embed::View::Badge {
        web_sys::console::warn_1(&"sitrep: the badge module was given another view; showing the badge.".into());
        options.view = sitrep_shared::embed::View::Badge;
    }
    let shadow = match host.shadow_root() {
        Some(shadow) => shadow,
        None => host.attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open))?,
    };
    clear(&shadow);
    let document = shadow.owner_document().ok_or("no document")?;
    let root = document.create_element("div")?.dyn_into::<web_sys::Element>()?;
    root.set_attribute("data-sitrep-root", "")?;
    // The loader's first frame (server-rendered by the same components) stays on screen until the
    // app has what it needs to render the same thing; then the two swap in one step, so the host
    // page sees neither a flash nor a shift.
    let frame = shadow.query_selector("[data-sitrep-frame]")?;
    let on_ready = match frame {
        Some(frame) => {
            root.set_attribute("hidden", "")?;
            let (root, shadow) = (root.clone(), shadow.clone());
            yew::Callback::from(move |()| take_over(&shadow, &frame, &root))
        }
        None => yew::Callback::noop(),
    };
    shadow.append_child(&root)?;
    let refresh = Rc::new(app::Refresh::default());
    let props = app::Props { options: Rc::new(options), host, on_ready, refresh: Rc::clone(&refresh) };
    let app = yew::Renderer::<app::App>::with_root_and_props(root, props).render();
    Ok(Handle { app: Some(app), refresh, shadow })
}

#[cfg(test)]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);
