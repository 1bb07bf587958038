//! The time-space diagram panel: a fold that, opened, shows the diagram of the run around the
//! player's time, its controls, and the selection's causal counts. The picture is the SVG text
//! the diagram state drew; the player's line is drawn over it every frame, on a layer of the
//! same size, so the picture itself is redrawn only when the run has something new.

use crate::app::Msg;
use crate::diagram_msg::DiagramMsg;
use crate::network::num;
use crate::view::pure::View;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// The panel.
#[derive(Clone, PartialEq)]
pub struct DiagramPanel {
    pub open: bool,
    /// The picture and its viewBox.
    pub svg: AttrValue,
    pub size: (f64, f64),
    /// Where the player's line goes (`None`: outside the window).
    pub now_y: Option<f64>,
    pub follow: bool,
    pub compressed: bool,
    /// The lab's message kinds (name, what it is), and those hidden.
    pub kinds: &'static [(&'static str, &'static str)],
    pub hidden: Vec<String>,
    /// The selection's causal counts in words.
    pub words: AttrValue,
    pub send: Callback<Msg>,
}

impl View for DiagramPanel {
    fn view(&self) -> Html {
        let send = &self.send;
        let d = |m: DiagramMsg| Msg::Diagram(m);
        let ontoggle = send.reform(|e: Event| {
            let el = e.target_dyn_into::<web_sys::HtmlDetailsElement>();
            let open = el.as_ref().is_some_and(|el| el.open());
            // The picture is drawn as wide as its box, so its text is not scaled down.
            let width = el.map_or(0.0, |el| f64::from(el.client_width()) - 16.0);
            Msg::Diagram(DiagramMsg::Open(open, width))
        });
        let (w, h) = self.size;
        let onclick = send.reform(move |e: MouseEvent| {
            let target = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok());
            let attr = |sel: &str, name: &str| {
                target
                    .as_ref()
                    .and_then(|t| t.closest(sel).ok().flatten())
                    .and_then(|el| el.get_attribute(name))
                    .and_then(|v| v.parse().ok())
            };
            let wrap = target
                .as_ref()
                .and_then(|t| t.closest(".tsd-wrap").ok().flatten());
            // From the page's pixels to the picture's: the picture is scaled to its box.
            let y = wrap.map_or(0.0, |el| {
                let r = el.get_bounding_client_rect();
                (f64::from(e.client_y()) - r.top()) * w / r.width().max(1.0)
            });
            Msg::Diagram(DiagramMsg::Click {
                y,
                msg: attr("[data-msg]", "data-msg"),
                point: attr("[data-point]", "data-point"),
            })
        });
        let compressed = self.compressed;
        html! {
            <details class="diagram" open={self.open} {ontoggle} data-testid="diagram">
                <summary>{ "Time-space diagram" }<span class="hint">{ " every message of the run as lanes and arrows" }</span></summary>
                if self.open {
                    <div class="tsd-bar" role="toolbar" aria-label="diagram controls">
                        <button onclick={send.reform(move |_| d(DiagramMsg::Pan(-1)))} aria-label="earlier" title="earlier">{ "▲ earlier" }</button>
                        <button onclick={send.reform(move |_| d(DiagramMsg::Pan(1)))} aria-label="later" title="later">{ "▼ later" }</button>
                        <button onclick={send.reform(move |_| d(DiagramMsg::Zoom(2.0)))} aria-label="zoom in" title="zoom in">{ "+" }</button>
                        <button onclick={send.reform(move |_| d(DiagramMsg::Zoom(0.5)))} aria-label="zoom out" title="zoom out">{ "−" }</button>
                        <button class={classes!(self.follow.then_some("on"))} aria-pressed={self.follow.to_string()}
                            onclick={send.reform(move |_| d(DiagramMsg::Follow))} title="keep the player's time in view">{ "follow" }</button>
                        <label><input type="checkbox" checked={compressed}
                            onchange={send.reform(move |_| d(DiagramMsg::Compressed(!compressed)))} />{ " compress quiet time" }</label>
                        { for self.kinds.iter().map(|&(k, what)| {
                            let shown = !self.hidden.iter().any(|h| h == k);
                            html! {
                                <label title={what}><input type="checkbox" checked={shown}
                                    onchange={send.reform(move |_| d(DiagramMsg::Kind(k)))} />{ format!(" {k}") }</label>
                            }
                        }) }
                        <button onclick={send.reform(move |_| d(DiagramMsg::ExportSvg(false)))} title="save this window as an SVG picture">{ "Save SVG" }</button>
                        <button onclick={send.reform(move |_| d(DiagramMsg::ExportSvg(true)))} title="save this window as a PNG picture">{ "Save PNG" }</button>
                        <button onclick={send.reform(move |_| d(DiagramMsg::ExportTrace))} title="save the kept trace as JSON lines, as splitbrain run --trace writes it">{ "Save trace" }</button>
                    </div>
                    <p class="tsd-words" aria-live="polite" data-testid="diagram-words">{
                        if self.words.is_empty() { AttrValue::from("Click an arrow or a mark to see what happened before and after it; click anywhere else to go there.") } else { self.words.clone() }
                    }</p>
                    <div class="tsd-wrap" {onclick}>
                        { Html::from_html_unchecked(self.svg.clone()) }
                        <svg class="tsd-now" viewBox={format!("0 0 {} {}", num(w), num(h))} aria-hidden="true">
                            if let Some(y) = self.now_y {
                                <line x1="0" x2={num(w)} y1={num(y)} y2={num(y)} />
                            }
                        </svg>
                    </div>
                }
            </details>
        }
    }
}
