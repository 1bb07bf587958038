//! The time-space diagram panel: a fold that, opened, shows the diagram of the run around the
//! player's time, its controls, and the selection's causal counts. The picture is the SVG text
//! the diagram state drew; the player's line is drawn over it every frame, on a layer of the
//! same size, so the picture itself is redrawn only when the run has something new.

use crate::app::Msg;
use crate::diagram_msg::DiagramMsg;
use crate::network::num;
use crate::view::pure::View;
use splitbrain_sim::{MsgId, NodeId};
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// The panel.
#[derive(Clone, PartialEq)]
pub struct DiagramPanel {
    pub open: bool,
    /// The picture and its viewBox.
    pub svg: AttrValue,
    pub size: (f64, f64),
    /// Events of the run the worker's index has read.
    pub events: u64,
    /// Where the player's line goes (`None`: outside the window).
    pub now_y: Option<f64>,
    pub follow: bool,
    pub compressed: bool,
    /// The lab's message kinds (name, what it is), and those hidden.
    pub kinds: &'static [(&'static str, &'static str)],
    pub hidden: Vec<String>,
    /// The run's nodes, and the lanes hidden.
    pub lanes: usize,
    pub hidden_nodes: Vec<NodeId>,
    /// The message under the pointer (the page picks it out on the network view and the log).
    pub hovered: Option<MsgId>,
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
            Msg::Diagram(DiagramMsg::Click {
                y: picture_y(&e, w),
                msg: attr("[data-msg]", "data-msg"),
                point: attr("[data-point]", "data-point"),
            })
        });
        // Ctrl + wheel (and a trackpad's pinch, which the browser sends as one) zooms at the
        // pointer; Shift + wheel moves the window. A plain wheel scrolls the page, as usual.
        let onwheel = {
            let send = send.clone();
            Callback::from(move |e: WheelEvent| {
                let dy = if e.delta_y() != 0.0 {
                    e.delta_y()
                } else {
                    e.delta_x()
                };
                if (e.ctrl_key() || e.meta_key()) && dy != 0.0 {
                    e.prevent_default();
                    // A pinch sends many small steps, a mouse wheel a few large ones: the
                    // zoom follows the amount, at most 1.25 times per step.
                    let f = 1.0 + (dy.abs() / 400.0).min(0.25);
                    let f = if dy < 0.0 { f } else { 1.0 / f };
                    send.emit(Msg::Diagram(DiagramMsg::ZoomAt(f, picture_y(&e, w))));
                } else if e.shift_key() && dy != 0.0 {
                    e.prevent_default();
                    send.emit(Msg::Diagram(DiagramMsg::Pan(
                        dy.clamp(-400.0, 400.0) / 1000.0,
                    )));
                }
            })
        };
        let onkeydown = {
            let send = send.clone();
            Callback::from(move |e: KeyboardEvent| {
                // The browser's own keys (zoom, find) stay the browser's.
                if e.ctrl_key() || e.meta_key() || e.alt_key() {
                    return;
                }
                let m = match e.key().as_str() {
                    "ArrowUp" => DiagramMsg::Pan(-0.125),
                    "ArrowDown" => DiagramMsg::Pan(0.125),
                    "PageUp" => DiagramMsg::Pan(-0.5),
                    "PageDown" => DiagramMsg::Pan(0.5),
                    "+" | "=" => DiagramMsg::Zoom(2.0),
                    "-" | "_" => DiagramMsg::Zoom(0.5),
                    "f" => DiagramMsg::Follow,
                    _ => return,
                };
                e.prevent_default();
                // The page's own keys (arrows step the run) are not also run.
                e.stop_propagation();
                send.emit(Msg::Diagram(m));
            })
        };
        // Over an arrow, the page picks its message out on the network view and in the log.
        let hovered = self.hovered;
        let onmouseover = {
            let send = send.clone();
            Callback::from(move |e: MouseEvent| {
                let id = e
                    .target()
                    .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                    .and_then(|t| t.closest("[data-msg]").ok().flatten())
                    .and_then(|el| el.get_attribute("data-msg"))
                    .and_then(|v| v.parse().ok());
                if id != hovered {
                    send.emit(Msg::Ui(crate::ui::UiMsg::HoverMessage(id)));
                }
            })
        };
        let onmouseleave =
            send.reform(|_: MouseEvent| Msg::Ui(crate::ui::UiMsg::HoverMessage(None)));
        let compressed = self.compressed;
        html! {
            <details class="diagram" open={self.open} {ontoggle} data-testid="diagram">
                <summary>{ "Time-space diagram" }<span class="hint">{ " every message of the run as lanes and arrows" }</span></summary>
                if self.open {
                    <div class="tsd-bar" role="toolbar" aria-label="diagram controls">
                        <button onclick={send.reform(move |_| d(DiagramMsg::Pan(-0.5)))} aria-label="earlier" title="earlier">{ "▲ earlier" }</button>
                        <button onclick={send.reform(move |_| d(DiagramMsg::Pan(0.5)))} aria-label="later" title="later">{ "▼ later" }</button>
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
                        <span class="tsd-lanes" role="group" aria-label="lanes shown">{ "lanes" }
                        { for (0..self.lanes).map(|n| {
                            let node = n as NodeId;
                            let shown = !self.hidden_nodes.contains(&node);
                            // The last lane shown stays.
                            let last = shown && self.hidden_nodes.len() + 1 >= self.lanes;
                            html! {
                                <label title={format!("show n{n}'s lane")}><input type="checkbox" checked={shown} disabled={last}
                                    onchange={send.reform(move |_| d(DiagramMsg::Node(node)))} />{ format!(" n{n}") }</label>
                            }
                        }) }
                        </span>
                        <button onclick={send.reform(move |_| d(DiagramMsg::ExportSvg(false)))} title="save this window as an SVG picture">{ "Save SVG" }</button>
                        <button onclick={send.reform(move |_| d(DiagramMsg::ExportSvg(true)))} title="save this window as a PNG picture">{ "Save PNG" }</button>
                        <button onclick={send.reform(move |_| d(DiagramMsg::ExportTrace))} title="save the kept trace as JSON lines, as splitbrain run --trace writes it">{ "Save trace" }</button>
                    </div>
                    <p class="tsd-words" aria-live="polite" data-testid="diagram-words">{
                        if self.words.is_empty() { AttrValue::from("Click an arrow or a mark to see what happened before and after it; click anywhere else to go there.") } else { self.words.clone() }
                    }</p>
                    <div class="tsd-wrap" data-events={self.events.to_string()} {onclick} {onwheel} {onkeydown} {onmouseover} {onmouseleave} tabindex="0" role="group"
                        aria-label="the diagram: arrows up and down move it, + and − zoom, f follows the player; Ctrl and the wheel zoom at the pointer">
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

/// Where a pointer event falls on the picture, in the picture's own units: it is scaled to its
/// box, whose width is `w` of them.
fn picture_y(e: &MouseEvent, w: f64) -> f64 {
    let wrap = e
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .and_then(|t| t.closest(".tsd-wrap").ok().flatten());
    wrap.map_or(0.0, |el| {
        let r = el.get_bounding_client_rect();
        (f64::from(e.client_y()) - r.top()) * w / r.width().max(1.0)
    })
}
