//! The floor for `cargo xtask bench widget`: the smallest Yew badge that does the widget's job
//! (fetch `summary.json` with gloo-net, `JSON.parse` it, show the status text), built by the same
//! pipeline. What the real widget weighs above this is what its features cost.

use gloo_net::http::Request;
use wasm_bindgen::prelude::*;
use yew::prelude::*;

#[derive(Debug, Properties, PartialEq)]
struct Props {
    url: String,
}

#[function_component]
fn Badge(props: &Props) -> Html {
    let text = use_state(String::new);
    {
        let text = text.clone();
        let url = props.url.clone();
        use_effect_with((), move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                let Ok(response) = Request::get(&url).send().await else { return };
                let Ok(body) = response.text().await else { return };
                let Ok(json) = js_sys::JSON::parse(&body) else { return };
                let status = js_sys::Reflect::get(&json, &"status".into()).unwrap_or(JsValue::UNDEFINED);
                let description = js_sys::Reflect::get(&status, &"description".into()).ok().and_then(|d| d.as_string());
                if let Some(description) = description {
                    text.set(description);
                }
            });
        });
    }
    html! { <span class="badge">{(*text).clone()}</span> }
}

/// Renders the badge into `root`, reading `url`.
#[wasm_bindgen]
pub fn mount(root: web_sys::Element, url: String) {
    yew::Renderer::<Badge>::with_root_and_props(root, Props { url }).render();
}
