//! The side column's controls: run control, the actions on the selected node, the request box
//! and the network's loss, duplication and latency. Each redraws only when its props change;
//! every click goes to the shell as one [`Msg`].

use crate::app::Msg;
use crate::settings::SPEED_RANGE;
use crate::ui::UiMsg;
use crate::view::pure::View;
use splitbrain_sim::{Action, NodeId};
use yew::prelude::*;

/// The value of the input or select an event came from.
pub(crate) fn value_of<E: AsRef<web_sys::Event>>(e: E) -> String {
    use wasm_bindgen::JsCast;
    let target = e.as_ref().target();
    match target
        .as_ref()
        .and_then(|t| t.dyn_ref::<web_sys::HtmlInputElement>())
    {
        Some(input) => input.value(),
        None => target
            .and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok())
            .map(|s| s.value())
            .unwrap_or_default(),
    }
}

/// The page's controls: play, step, reset, the seed and Share; a request, crash or restart,
/// isolate, the partition tool, heal and automatic traffic; a typed request.
#[derive(PartialEq)]
pub struct ControlBar {
    pub playing: bool,
    pub speed: f64,
    /// The seed field as typed.
    pub seed_text: AttrValue,
    /// The selected node (where requests, crashes and isolation go), and whether it is up.
    pub node: NodeId,
    pub up: bool,
    /// Some link is cut: Heal has something to do.
    pub partitioned: bool,
    pub partition_open: bool,
    /// Automatic client traffic, when this page offers the switch.
    pub traffic: Option<bool>,
    /// The name of the lab's timeout, when it has one a learner may fire ("election").
    pub timeout: Option<&'static str>,
    /// Where the request field's command goes: `n2`, or a client process, `c1`.
    pub send_to: AttrValue,
    /// An example request of this lab, and the request field as typed.
    pub placeholder: AttrValue,
    pub request: AttrValue,
    pub send: Callback<Msg>,
}

impl View for ControlBar {
    fn view(&self) -> Html {
        let p = self;
        let send = &p.send;
        html! { <>
            <div class="controls" role="toolbar" aria-label="simulation controls">
                { play_buttons(p.playing, send) }
                <button onclick={send.reform(|_| Msg::Reset)} title="R">{ "Reset" }</button>
                <label class="seed-field" data-control="load">{ "seed " }
                    <input type="text" inputmode="numeric" size="10" value={p.seed_text.clone()} aria-label="seed"
                        oninput={send.reform(|e: InputEvent| Msg::Ui(UiMsg::SeedText(value_of(e))))}
                        onchange={send.reform(|e: Event| Msg::Seed(value_of(e)))} />
                </label>
                <button onclick={send.reform(|_| Msg::NewSeed)} data-control="load">{ "New seed" }</button>
                <button onclick={send.reform(|_| Msg::Share)} title="a link that replays this run to this moment">{ "Share" }</button>
                { speed_slider(p.speed, send) }
            </div>
            <div class="controls">
                <button onclick={send.reform(|_| Msg::Broadcast)} title="B" disabled={!p.up} data-control="request">{ "Client request" }</button>
                <button onclick={send.reform(|_| Msg::CrashRestart)} title="C" data-control="crash">{ if p.up { "Crash node" } else { "Restart node" } }</button>
                if let Some(what) = p.timeout {
                    <button onclick={send.reform(|_| Msg::TimeOut)} title={format!("T: fire n{}'s {what} timeout now", p.node)} disabled={!p.up} data-control="crash">{ "Time out" }</button>
                }
                <button onclick={send.reform(|_| Msg::Isolate)} title="I" data-control="partition">{ "Isolate node" }</button>
                <button onclick={send.reform(|_| Msg::Ui(UiMsg::PartitionTool(true)))} title="P" aria-expanded={p.partition_open.to_string()} data-control="partition">{ "Partition…" }</button>
                <button onclick={send.reform(|_| Msg::Act(Action::Heal))} title="H" disabled={!p.partitioned} data-control="partition">{ "Heal" }</button>
                if let Some(on) = p.traffic {
                    <label class="check"><input type="checkbox" checked={on} onclick={send.reform(|_| Msg::ToggleAuto)} />{ " client traffic (A)" }</label>
                }
            </div>
            <form class="controls" aria-label="client request" data-control="request"
                  onsubmit={send.reform(|e: SubmitEvent| { e.prevent_default(); Msg::SendRequest })}>
                <input type="text" placeholder={p.placeholder.clone()} aria-label="request" value={p.request.clone()}
                       oninput={send.reform(|e: InputEvent| Msg::Ui(UiMsg::RequestText(value_of(e))))} />
                <button type="submit" disabled={!p.up}>{ format!("Send to {}", p.send_to) }</button>
            </form>
        </> }
    }
}

/// Play / pause and Step: the page's and the embed's bars share them.
pub fn play_buttons(playing: bool, send: &Callback<Msg>) -> Html {
    html! { <>
        <button class="primary" onclick={send.reform(|_| Msg::TogglePlay)} title="Space">
            { if playing { "❚❚ Pause" } else { "▶ Play" } }
        </button>
        <button onclick={send.reform(|_| Msg::Step)} title="S">{ "Step" }</button>
    </> }
}

/// The speed slider: logarithmic, 0..100 maps onto [`SPEED_RANGE`].
pub fn speed_slider(speed: f64, send: &Callback<Msg>) -> Html {
    let (lo, hi) = SPEED_RANGE;
    let oninput = send.reform(move |e: InputEvent| {
        let t = value_of(e).parse::<f64>().unwrap_or(50.0) / 100.0;
        Msg::Speed(lo * (hi / lo).powf(t))
    });
    let slider = ((speed / lo).ln() / (hi / lo).ln() * 100.0).round();
    html! {
        <label class="speed">
            { crate::page::speed_label(speed) }
            <input type="range" min="0" max="100" value={(slider as i64).to_string()} {oninput} aria-label="speed" />
        </label>
    }
}

/// Every link's loss, duplication and latency.
#[derive(PartialEq)]
pub struct NetworkControls {
    /// Loss %, duplication % and latency as shown.
    pub text: [AttrValue; 3],
    pub send: Callback<Msg>,
}

impl View for NetworkControls {
    fn view(&self) -> Html {
        let p = self;
        let send = &p.send;
        let edit =
            |i: usize| send.reform(move |e: InputEvent| Msg::Ui(UiMsg::NetEdit(i, value_of(e))));
        html! {
            <div class="controls network-controls" aria-label="network" data-control="network">
                <label>{ format!("loss {}%", p.text[0]) }
                    <input type="range" min="0" max="50" value={p.text[0].clone()} aria-label="loss percent"
                           oninput={edit(0)} onchange={send.reform(|e: Event| Msg::LinkPercent(true, value_of(e)))} />
                </label>
                <label>{ format!("duplication {}%", p.text[1]) }
                    <input type="range" min="0" max="30" value={p.text[1].clone()} aria-label="duplication percent"
                           oninput={edit(1)} onchange={send.reform(|e: Event| Msg::LinkPercent(false, value_of(e)))} />
                </label>
                <label>{ "latency " }
                    <input type="text" size="12" value={p.text[2].clone()} aria-label="latency"
                           oninput={edit(2)} onchange={send.reform(|e: Event| Msg::LatencyText(value_of(e)))} />
                </label>
                <span class="picture" role="group" aria-label="save the network view">{ "picture" }
                    <span>
                        <button onclick={send.reform(|_| Msg::SaveNetwork(false))} title="save the network view as an SVG picture, with the run's fingerprint and link">{ "SVG" }</button>
                        <button onclick={send.reform(|_| Msg::SaveNetwork(true))} title="save the network view as a PNG picture">{ "PNG" }</button>
                    </span>
                </span>
            </div>
        }
    }
}
