//! The legend under the network: what each message shape and each node look means, and what
//! the ring around a node counts down to. Small pictures drawn with the network's own classes,
//! so the legend cannot disagree with the picture.

use crate::view::pure::View;
use yew::prelude::*;

const SLOTS: [(&str, &str); 4] = [
    ("key key-a", "●"),
    ("key key-b", "■"),
    ("key key-c", "◆"),
    ("key key-d", "▲"),
];

/// The legend's content.
#[derive(PartialEq)]
pub struct Legend {
    /// The lab's message kinds, in colour order.
    pub kinds: &'static [(&'static str, &'static str)],
    /// Node looks: (role class, words).
    pub looks: &'static [(&'static str, &'static str)],
    /// What a node's ring counts down to, if the lab draws rings.
    pub countdown: Option<&'static str>,
    /// Messages in flight and events so far.
    pub counts: (usize, u64),
}

/// A node drawn small, with the classes the network view gives it (but not `node`, which
/// stays the mark of the network's own nodes for anything that looks for them).
fn look(class: &str, ring: bool) -> Html {
    html! {
        <svg class="look" viewBox="0 0 24 24" aria-hidden="true">
            <g class={classes!("look-node", class.to_string())}>
                <circle cx="12" cy="12" r="7" />
                if class == "node-down" {
                    <path class="node-x" d="M7 7 L17 17 M17 7 L7 17" />
                }
            </g>
            if ring {
                <circle class="countdown" cx="12" cy="12" r="10.5" stroke-dasharray="24 66" transform="rotate(-90 12 12)" />
            }
        </svg>
    }
}

impl View for Legend {
    fn view(&self) -> Html {
        html! {
            <div class="legend" data-testid="legend">
                <p>
                    { for self.kinds.iter().zip(SLOTS).map(|((_, text), (class, mark))| html! {
                        <span class={class}>{ format!("{mark} {text}") }</span>
                    }) }
                    <span>{ format!("{} in flight · {} events", self.counts.0, self.counts.1) }</span>
                </p>
                <p class="looks">
                    { for self.looks.iter().map(|(class, text)| html! {
                        <span>{ look(&format!("role-{class}"), false) }{ *text }</span>
                    }) }
                    <span>{ look("node-down", false) }{ "crashed" }</span>
                    <span>{ look("node-selected", false) }{ "selected (the inspector's)" }</span>
                    if let Some(c) = self.countdown {
                        <span>{ look("", true) }{ format!("ring: {c}") }</span>
                    }
                </p>
            </div>
        }
    }
}
