//! "What readers will see": the badge, the banner and the full view as they will be after the
//! write being prepared, drawn by the widget's own components (`sitrep_views::widget::Widget`)
//! from the summary `sitrep_shared::preview` computed. Nothing in it can be pressed by mistake:
//! its links open the public page, its buttons only toggle.

use std::rc::Rc;

use sitrep_shared::embed::{Headline, Options, View};
use sitrep_shared::views::{PostmortemsDocument, Summary};
use sitrep_views::widget::Widget;
use yew::prelude::*;

use crate::app::Ctx;

#[derive(Properties)]
pub struct PreviewProps {
    pub summary: Rc<Summary<'static>>,
    #[prop_or_default]
    pub postmortems: Option<Rc<PostmortemsDocument<'static>>>,
    /// Which views to draw (the badge, banner and full view unless told).
    #[prop_or(vec![View::Badge, View::Banner, View::Full])]
    pub views: Vec<View>,
}

impl PartialEq for PreviewProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.summary, &other.summary)
            && match (&self.postmortems, &other.postmortems) {
                (Some(a), Some(b)) => Rc::ptr_eq(a, b),
                (None, None) => true,
                _ => false,
            }
            && self.views == other.views
    }
}

#[function_component]
pub fn Preview(props: &PreviewProps) -> Html {
    let Some(ctx) = use_context::<Ctx>() else { return html! {} };
    let open = use_state(|| false);
    let on_toggle = {
        let open = open.clone();
        Callback::from(move |_| open.set(!*open))
    };
    // The page's own host when the console works on another's (its links go where readers read it).
    let origin = match ctx.public.as_str() {
        "" => web_sys::window().and_then(|w| w.location().origin().ok()).unwrap_or_default(),
        public => public.to_owned(),
    };
    let view = |view: View, title: &'static str| {
        let mut options = Options::read(|_| None, &origin);
        options.view = view;
        html! {
            <div class="preview-view">
                <h3>{title}</h3>
                <Widget options={Rc::new(options)} text={ctx.text} locale={ctx.locale.clone()}
                    formats={ctx.formats.clone()} now={ctx.now()}
                    headline={Headline::of(Some(props.summary.status.indicator), false, false)}
                    summary={Some(props.summary.clone())} postmortems={props.postmortems.clone()}
                    details_open={*open} on_toggle={on_toggle.clone()} />
            </div>
        }
    };
    let w = ctx.words;
    html! {
        <section class="preview" aria-labelledby="preview-title">
            <h2 id="preview-title">{w.preview}</h2>
            { for props.views.iter().map(|v| match v {
                View::Badge => view(View::Badge, w.badge),
                View::Banner => view(View::Banner, w.banner),
                View::Full => view(View::Full, w.status_page),
            }) }
        </section>
    }
}
