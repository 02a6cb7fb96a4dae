//! sitrep's embeddable status widget: a Yew app in WebAssembly, inside a Shadow DOM.
//!
//! `widget.js` (see `widget/js/`) loads this module, defines `<sitrep-status>` and exports
//! `mount(element, options)`; both end in [`mount`] here. The decisions (what to show, when to poll,
//! what counts as out of date) live in `sitrep_shared::embed`; this crate fetches, stores and draws.
//!
//! - [`app`]: the component and its polling.
//! - [`view`]: the markup of the badge, banner and full views.
//! - [`fetch`]: conditional GETs with timeout and size limits; the crate's one error enum.
//! - [`read`]: the read API's JSON into shared's types through `JSON.parse`, without serde.
//! - [`storage`]: the last good summary and dismissals in `localStorage`.
//! - [`i18n`], [`intl`]: words per language, dates and relative times per locale and zone.

use std::rc::Rc;

use js_sys::{Array, Reflect};
use sitrep_shared::embed::Options;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{HtmlElement, ShadowRoot, ShadowRootInit, ShadowRootMode};
use yew::AppHandle;

pub mod app;
pub mod fetch;
pub mod i18n;
pub mod intl;
pub mod read;
pub mod storage;
pub mod view;

/// The widget's stylesheet; hosts restyle it through the `--sitrep-*` custom properties only.
pub const CSS: &str = include_str!("style.css");

/// A mounted widget.
#[wasm_bindgen]
pub struct Handle {
    app: Option<AppHandle<app::App>>,
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
        if let Some(app) = &self.app {
            app.send_message(app::Msg::Poll);
        }
    }

    /// Stops polling and removes the widget; calling it twice is harmless.
    pub fn destroy(&mut self) {
        if let Some(app) = self.app.take() {
            app.destroy();
        }
        clear(&self.shadow);
    }
}

fn clear(shadow: &ShadowRoot) {
    while let Some(child) = shadow.first_child() {
        if shadow.remove_child(&child).is_err() {
            break;
        }
    }
}

/// Gives the shadow root the widget's stylesheet: a constructed sheet where the browser has them
/// (no `style-src 'unsafe-inline'` needed), else a `<style>` element.
fn style(shadow: &ShadowRoot) -> Result<(), JsValue> {
    if let Ok(sheet) = web_sys::CssStyleSheet::new() {
        sheet.replace_sync(CSS)?;
        Reflect::set(shadow, &"adoptedStyleSheets".into(), &Array::of1(&sheet))?;
        return Ok(());
    }
    let document = shadow.owner_document().ok_or("no document")?;
    let element = document.create_element("style")?;
    element.set_text_content(Some(CSS));
    shadow.append_child(&element)?;
    Ok(())
}

/// Mounts the widget in `host`'s shadow root. `options` is a plain object of attribute names to
/// strings (`src`, `view`, `components`, `locale`, `time-zone`, `theme`, `poll`, `postmortems`);
/// `default_src` is the edge `widget.js` came from.
#[wasm_bindgen]
pub fn mount(host: HtmlElement, options: JsValue, default_src: &str) -> Result<Handle, JsValue> {
    let get = |name: &str| Reflect::get(&options, &JsValue::from_str(name)).ok().and_then(|v| v.as_string());
    let options = Options::read(get, default_src);
    let shadow = match host.shadow_root() {
        Some(shadow) => shadow,
        None => host.attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open))?,
    };
    clear(&shadow);
    style(&shadow)?;
    let document = shadow.owner_document().ok_or("no document")?;
    let root = document.create_element("div")?.dyn_into::<web_sys::Element>()?;
    shadow.append_child(&root)?;
    let props = app::Props { options: Rc::new(options), host };
    let app = yew::Renderer::<app::App>::with_root_and_props(root, props).render();
    Ok(Handle { app: Some(app), shadow })
}

#[cfg(test)]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);
