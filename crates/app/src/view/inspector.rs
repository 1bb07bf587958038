//! The inspectors: the selected node's state and timers, and the selected message in flight.
//! They read the run as of the last panel refresh, so they redraw a few times a second while
//! playing, not every frame.

use crate::app::{Msg, TIMERS_SHOWN};
use crate::view::pure::View;
use splitbrain_sim::{Action, MsgId, NodeId, WorldView, format_time};
use std::rc::Rc;
use yew::prelude::*;

/// The selected message, if any, and the selected node.
#[derive(Clone)]
pub struct Inspector {
    /// The run as the panels last saw it.
    pub view: Rc<WorldView>,
    /// Servers in the run: the nodes after them are clients, named `c1`….
    pub servers: usize,
    pub selected: Option<NodeId>,
    /// The selected message in flight.
    pub message: Option<MsgId>,
    pub send: Callback<Msg>,
}

impl PartialEq for Inspector {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.view, &other.view)
            && self.servers == other.servers
            && self.selected == other.selected
            && self.message == other.message
            && self.send == other.send
    }
}

impl View for Inspector {
    fn view(&self) -> Html {
        let p = self;
        let node = p.selected.and_then(|s| p.view.nodes.get(s));
        html! { <>
            if let Some(id) = p.message {
                { message(&p.view, p.servers, id, &p.send) }
            }
            <section class="inspector" aria-label="inspector">
                <h2>{ p.selected.map_or("No node selected".into(), |s| {
                    let name = splitbrain_sim::words::node_name(s, p.servers);
                    if s < p.servers { format!("Node {name}") } else { format!("Client {name}") }
                }) }</h2>
                if let Some(node) = node {
                    <dl>
                        <dt>{ "state" }</dt><dd>{ if node.up { node.view.role.clone() } else { "crashed".into() } }</dd>
                        { for node.view.fields.iter().map(|(k, val)| html! { <><dt>{ k }</dt><dd>{ val }</dd></> }) }
                        // The first few: a router with a timeout per request has dozens.
                        { for node.timers.iter().take(TIMERS_SHOWN).map(|(t, at)| html! { <><dt>{ "timer" }</dt><dd>{ format!("{t} at {}", format_time(*at - *at % 1000)) }</dd></> }) }
                        if node.timers.len() > TIMERS_SHOWN {
                            <dt>{ "" }</dt><dd>{ format!("and {} more timers", node.timers.len() - TIMERS_SHOWN) }</dd>
                        }
                    </dl>
                }
            </section>
        </> }
    }
}

/// The selected message: who sent it to whom, what it says, when it arrives; drop it.
fn message(view: &WorldView, servers: usize, id: MsgId, send: &Callback<Msg>) -> Html {
    let name = |n| splitbrain_sim::words::node_name(n, servers);
    html! {
        <section class="inspector message-inspector" aria-label="message inspector">
            <h2>{ format!("Message #{id}") }</h2>
            { match view.messages.iter().find(|m| m.id == id) {
                Some(m) => html! { <>
                    <dl>
                        <dt>{ "from → to" }</dt><dd>{ format!("{} → {}", name(m.from), name(m.to)) }</dd>
                        <dt>{ "kind" }</dt><dd>{ m.kind }</dd>
                        <dt>{ "content" }</dt><dd>{ &m.label }</dd>
                        <dt>{ "sent" }</dt><dd>{ format_time(m.sent) }</dd>
                        <dt>{ "arrives" }</dt><dd>{ format_time(m.deliver) }</dd>
                    </dl>
                    <button onclick={send.reform(move |_| Msg::Act(Action::DropMessage { id }))}>{ "Drop this message" }</button>
                </> },
                None => html! { <p class="gone">{ "No longer in flight: delivered or dropped (see the event log)." }</p> },
            } }
        </section>
    }
}
