//! The embed's one bar: only the controls the embedding page allowed.

use crate::app::Msg;
use crate::view::controls::{play_buttons, speed_slider};
use crate::view::pure::View;
use splitbrain_embed::{Control, Controls};
use splitbrain_sim::{Action, NodeId};
use yew::prelude::*;

/// The controls of an embedded lab.
#[derive(PartialEq)]
pub struct EmbedBar {
    pub controls: Controls,
    pub playing: bool,
    pub speed: f64,
    /// The selected node, and whether it is up.
    pub node: NodeId,
    pub up: bool,
    /// Some link is cut.
    pub partitioned: bool,
    pub send: Callback<Msg>,
}

impl View for EmbedBar {
    fn view(&self) -> Html {
        let p = self;
        let can = |c| p.controls.allows(c);
        let (send, node) = (&p.send, p.node);
        html! {
            <div class="embed-bar" role="toolbar" aria-label="simulation controls">
                if can(Control::Play) {
                    { play_buttons(p.playing, send) }
                }
                if can(Control::Reset) {
                    <button onclick={send.reform(|_| Msg::Reset)} title="R">{ "Reset" }</button>
                }
                if can(Control::Crash) {
                    <button onclick={send.reform(|_| Msg::CrashRestart)} title="C">{ format!("{} n{node}", if p.up { "Crash" } else { "Restart" }) }</button>
                }
                if can(Control::Partition) {
                    <button onclick={send.reform(|_| Msg::Isolate)} title="I">{ format!("Isolate n{node}") }</button>
                    <button onclick={send.reform(|_| Msg::Act(Action::Heal))} title="H" disabled={!p.partitioned}>{ "Heal" }</button>
                }
                if can(Control::Request) {
                    <button onclick={send.reform(|_| Msg::Broadcast)} title="B" disabled={!p.up}>{ "Request" }</button>
                }
                if can(Control::Speed) {
                    { speed_slider(p.speed, send) }
                }
            </div>
        }
    }
}
