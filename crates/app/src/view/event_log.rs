//! The event log: the newest events, filtered by node and kind, and the whole kept trace as a
//! file.

use crate::app::Msg;
use crate::ui::UiMsg;
use crate::view::controls::value_of;
use crate::view::pure::View;
use splitbrain_sim::{NodeId, TraceLine, format_time};
use std::rc::Rc;
use yew::prelude::*;

/// The kinds the filter offers: (event prefix, what the menu says).
const KINDS: [(&str, &str); 8] = [
    ("", "all events"),
    ("sent", "sent"),
    ("delivered", "delivered"),
    ("dropped", "dropped"),
    ("timer", "timers"),
    ("crash", "crashes"),
    ("note", "notes"),
    ("violation", "violations"),
];

/// The event log.
#[derive(Clone)]
pub struct EventLog {
    /// The lines to show, oldest first, as the panels last read them.
    pub lines: Rc<Vec<TraceLine>>,
    /// Nodes in the run, for the node filter.
    pub nodes: usize,
    /// Of them, the servers: the rest are clients, named `c1`….
    pub servers: usize,
    pub node: Option<NodeId>,
    pub kind: AttrValue,
    /// The message picked out (hovered in the diagram, or selected): its lines stand out.
    pub message: Option<splitbrain_sim::MsgId>,
    pub send: Callback<Msg>,
}

impl PartialEq for EventLog {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.lines, &other.lines)
            && self.nodes == other.nodes
            && self.servers == other.servers
            && self.node == other.node
            && self.kind == other.kind
            && self.message == other.message
            && self.send == other.send
    }
}

impl View for EventLog {
    fn view(&self) -> Html {
        let p = self;
        let send = &p.send;
        html! {
            <section class="log" aria-label="event log">
                <h2>{ "Events" }</h2>
                <div class="log-tools">
                    <select aria-label="filter by node" onchange={send.reform(|e: Event| Msg::Ui(UiMsg::LogNode(value_of(e))))}>
                        <option value="" selected={p.node.is_none()}>{ "all nodes" }</option>
                        { for (0..p.nodes).map(|i| html! { <option key={i} value={format!("n{i}")} selected={p.node == Some(i)}>{ splitbrain_sim::words::node_name(i, p.servers) }</option> }) }
                    </select>
                    <select aria-label="filter by event" onchange={send.reform(|e: Event| Msg::Ui(UiMsg::LogKind(value_of(e))))}>
                        { for KINDS.iter().map(|(k, t)| html! {
                            <option key={*k} value={*k} selected={p.kind == *k}>{ *t }</option>
                        }) }
                    </select>
                    <button onclick={send.reform(|_| Msg::DownloadLog)} title="the whole kept trace as a readable transcript">{ "Download" }</button>
                </div>
                // Oldest first in the DOM and shown newest first by CSS, so a new event appends one
                // row instead of shifting every row.
                <ol>
                    { for p.lines.iter().map(|l| html! {
                        <li key={l.i.to_string()} class={classes!(format!("ev ev-{}", l.ev), (p.message.is_some() && l.id == p.message).then_some("ev-msg"))}>
                            <span class="t">{ format_time(l.t - l.t % 1000) }</span>
                            <span class="who">{ crate::page::who(l, p.servers) }</span>
                            <span class="what">{ crate::page::what(l) }</span>
                        </li>
                    }) }
                </ol>
            </section>
        }
    }
}
