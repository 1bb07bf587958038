//! The network view every lab shares: nodes where the lab's [`Layout`] puts them, links,
//! partitions, and each message in flight drawn at `(now - sent) / (deliver - sent)` along its
//! link.

use crate::label_spot::{LANE, label_spot};
use crate::layout::Layout;
pub(crate) use crate::layout::SIZE;
use crate::network_canvas::MessageCanvas;
use splitbrain_sim::{LinkView, MsgId, NodeId, Time, WorldView};
use std::rc::Rc;
use yew::prelude::*;
/// Most messages in flight that still get a text label.
const MAX_LABELLED: usize = 40;
/// Above this many messages in flight, a playing run draws them on a canvas: hundreds of SVG
/// elements created, moved and removed every frame cost more than the frame has. Paused, they
/// are SVG again, so each can be clicked, inspected and dropped.
const CANVAS_ABOVE: usize = 80;

/// Props: the frame to draw and the selection.
#[derive(Properties, Clone)]
pub struct NetworkProps {
    /// The state to draw: a new `Rc` only when events happened, so the layers that do not move
    /// (links, groups, nodes) skip re-rendering on the frames in between.
    pub view: Rc<WorldView>,
    /// Where each node sits and which pairs are joined (a circle of peers, or a fan).
    pub layout: Rc<Layout>,
    /// The group letters the learner gave the last partition (empty: none).
    pub letters: Vec<usize>,
    /// The virtual time to place moving messages at (every frame).
    pub now: Time,
    /// The node the inspector shows.
    pub selected: Option<NodeId>,
    /// Clicking a node selects it.
    pub on_select: Callback<NodeId>,
    /// The lab's message kinds, in colour order.
    pub kinds: &'static [(&'static str, &'static str)],
    /// Nodes named by the first invariant violation.
    pub flagged: Vec<NodeId>,
    /// Clicking a message selects it for the inspector.
    pub on_message: Callback<MsgId>,
    /// The message the inspector shows.
    pub selected_message: Option<MsgId>,
    /// The message under the pointer in the time-space diagram.
    pub hovered_message: Option<MsgId>,
    /// Clicking one direction of a link cuts it: (from, to).
    pub on_cut: Callback<(NodeId, NodeId)>,
    /// Virtual time over which a dropped message fades out (about a second of wall time at the
    /// current speed; paused, a drop stays on screen).
    pub fade: Time,
    /// `prefers-reduced-motion`: messages sit still at the middle of their link instead of
    /// gliding, and drops do not fade.
    pub still: bool,
    /// The run is playing (a busy network may then be drawn on a canvas).
    pub playing: bool,
}

/// Callbacks are left out: they only forward to the shell, whose handle never changes.
impl PartialEq for NetworkProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.view, &other.view)
            && self.layout == other.layout
            && self.letters == other.letters
            && self.now == other.now
            && self.selected == other.selected
            && self.flagged == other.flagged
            && self.selected_message == other.selected_message
            && self.hovered_message == other.hovered_message
            && self.fade == other.fade
            && self.still == other.still
            && self.playing == other.playing
    }
}

/// Props of the layers that only change with events.
#[derive(Properties, Clone)]
struct StaticProps {
    net: NetworkProps,
}

impl PartialEq for StaticProps {
    fn eq(&self, other: &Self) -> bool {
        let (a, b) = (&self.net, &other.net);
        Rc::ptr_eq(&a.view, &b.view)
            && a.layout == b.layout
            && a.selected == b.selected
            && a.flagged == b.flagged
    }
}

/// A coordinate with one decimal, formatted with integer arithmetic: the page then carries no
/// float-formatting code (several KB of wasm) for numbers nobody reads.
pub fn num(v: f64) -> String {
    let t = (v * 10.0).round() as i64;
    let sign = if t < 0 { "-" } else { "" };
    let t = t.unsigned_abs();
    format!("{sign}{}.{}", t / 10, t % 10)
}

/// Partition group of each node: nodes that reach each other both ways share a group, numbered
/// in order of their lowest node. Everything is group 0 when nothing is blocked.
pub fn partition_groups(n: usize, blocked: &[LinkView]) -> Vec<usize> {
    let cut: std::collections::BTreeSet<(usize, usize)> =
        blocked.iter().map(|l| (l.from, l.to)).collect();
    let mut group = vec![usize::MAX; n];
    let mut groups = 0;
    for a in 0..n {
        if group[a] != usize::MAX {
            continue;
        }
        group[a] = groups;
        for (b, g) in group.iter_mut().enumerate().skip(a + 1) {
            if *g == usize::MAX && !cut.contains(&(a, b)) && !cut.contains(&(b, a)) {
                *g = groups;
            }
        }
        groups += 1;
    }
    group
}

/// The shape of a message of colour/shape slot `slot`, centred at the origin (its group is
/// moved into place).
fn shape(slot: usize) -> Html {
    match slot {
        0 => html! { <circle r="7" /> },
        1 => html! { <rect x="-6" y="-6" width="12" height="12" /> },
        2 => html! { <path d="M0 -8 L8 0 L0 8 L-8 0 Z" /> },
        _ => html! { <path d="M0 -8 L7 6 L-7 6 Z" /> },
    }
}

/// Where along `from → to` a message is at `f` (0 = sender, 1 = receiver), offset sideways so
/// the two directions of a link do not overlap.
pub(crate) fn along(layout: &Layout, from: NodeId, to: NodeId, f: f64) -> (f64, f64) {
    let (x1, y1) = layout.pos(from);
    let (x2, y2) = layout.pos(to);
    let (dx, dy) = (x2 - x1, y2 - y1);
    let len = (dx * dx + dy * dy).sqrt().max(1.0);
    (x1 + dx * f - dy / len * LANE, y1 + dy * f + dx / len * LANE)
}

/// Colour/shape slot of a message kind: its position in the lab's list (0 is a circle, 1 a
/// square, 2 a diamond, anything else a triangle), so kinds differ without relying on colour.
pub fn kind_slot(kinds: &[(&str, &str)], kind: &str) -> usize {
    kinds
        .iter()
        .position(|(k, _)| *k == kind)
        .unwrap_or(3)
        .min(3)
}

const SLOT_CLASS: [&str; 4] = ["msg msg-a", "msg msg-b", "msg msg-c", "msg msg-d"];

/// The shared network view: links and partition shading, then messages, then nodes on top.
///
/// Three stacked SVGs with one viewBox, each its own compositing layer: a moving message then
/// repaints only the message layer, not 80 nodes and 6,000 links with it (painting, not script,
/// was most of a busy frame). Only the bottom one is in the flow and sizes the box.
#[component]
pub fn NetworkView(props: &NetworkProps) -> Html {
    let v = &props.view;
    let canvas = props.playing && v.messages.len() > CANVAS_ABOVE;
    let view_box = format!("0 0 {SIZE} {SIZE}");
    html! {
        <div class="network-box" role="img"
             aria-label={format!("{} nodes, {} messages in flight", v.nodes.len(), v.messages.len())}>
            <svg class="network" viewBox={view_box.clone()}>
                <Links layout={props.layout.clone()} letters={props.letters.clone()} blocked={v.blocked.iter().map(|l| (l.from, l.to)).collect::<Vec<_>>()} on_cut={props.on_cut.clone()} />
            </svg>
            <svg class="network network-layer" viewBox={view_box.clone()}>
                <Countdowns ..props.clone() />
                if !canvas {
                    <Messages ..props.clone() />
                }
            </svg>
            if canvas {
                <MessageCanvas ..props.clone() />
            }
            <svg class="network network-layer" viewBox={view_box}>
                <Nodes net={props.clone()} />
            </svg>
        </div>
    }
}

/// What the links layer depends on: the number of nodes and the blocked directions.
#[derive(Properties, Clone)]
struct LinksProps {
    layout: Rc<Layout>,
    letters: Vec<usize>,
    blocked: Vec<(NodeId, NodeId)>,
    on_cut: Callback<(NodeId, NodeId)>,
}

/// The callback only forwards to the shell, whose handle never changes.
impl PartialEq for LinksProps {
    fn eq(&self, other: &Self) -> bool {
        self.layout == other.layout
            && self.blocked == other.blocked
            && self.letters == other.letters
    }
}

/// Partition shading and links: re-rendered only when the partition changes (at 80 nodes
/// there are 6,320 directed links, far too many to rebuild on every event).
#[component]
fn Links(props: &LinksProps) -> Html {
    let layout = &props.layout;
    let n = layout.len();
    let node_r = layout.radius();
    let blocked: std::collections::BTreeSet<(usize, usize)> =
        props.blocked.iter().copied().collect();
    let blocked_links: Vec<splitbrain_sim::LinkView> = props
        .blocked
        .iter()
        .map(|&(from, to)| splitbrain_sim::LinkView { from, to })
        .collect();

    // Each direction is its own line, offset to its side like the messages on it: a cut
    // direction is dashed, and clicking a direction cuts it.
    // A crowded circle draws only its cut directions: thousands of lines would be repainted
    // under every moving message (cuts there are made with the partition tool).
    let crowded = n > 30;
    let mut links = Vec::new();
    for a in 0..n {
        for b in 0..n {
            if !layout.linked(a, b) || (crowded && !blocked.contains(&(a, b))) {
                continue;
            }
            let (x1, y1) = layout.pos(a);
            let (x2, y2) = layout.pos(b);
            let (dx, dy) = (x2 - x1, y2 - y1);
            let len = (dx * dx + dy * dy).sqrt().max(1.0);
            let (ox, oy) = (-dy / len * 3.0, dx / len * 3.0);
            let cut = blocked.contains(&(a, b));
            let on_cut = props.on_cut.clone();
            let onclick = Callback::from(move |_: MouseEvent| on_cut.emit((a, b)));
            let (p1x, p1y, p2x, p2y) = (x1 + ox, y1 + oy, x2 + ox, y2 + oy);
            links.push(html! {
                <g key={format!("l{a}-{b}")} class={classes!("dir", cut.then_some("cut"))}
                   data-from={a.to_string()} data-to={b.to_string()} onclick={onclick}>
                    <title>{ if cut { format!("n{a} → n{b} is cut (Heal restores it)") } else { format!("cut n{a} → n{b}") } }</title>
                    <line class={if cut { "link link-cut" } else { "link" }} x1={num(p1x)} y1={num(p1y)}
                          x2={num(p2x)} y2={num(p2y)} />
                    <line class="link-hit" x1={num(p1x)} y1={num(p1y)} x2={num(p2x)} y2={num(p2y)} />
                </g>
            });
        }
    }

    // Partition groups: nodes that can reach each other both ways share a shade and a letter.
    let group = crate::partition::lettered(&partition_groups(n, &blocked_links), &props.letters);
    let groups = group
        .iter()
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    let shades = (groups > 1).then(|| {
        (0..n).map(|i| {
            let (x, y) = layout.pos(i);
            let g = group[i];
            html! {
                <g key={format!("g{i}")} class={format!("group-shade group-{}", g % 4)} data-group={g.to_string()} data-node={i.to_string()}>
                    <circle cx={num(x)} cy={num(y)} r={num(node_r + 22.0)} />
                    <text x={num(x + node_r + 10.0)} y={num(y - node_r - 6.0)}>{ ((b'A' + (g % 26) as u8) as char).to_string() }</text>
                </g>
            }
        }).collect::<Html>()
    });

    // In a fan, the clients' requests come in from the left through each hub.
    let clients = layout.hubs().map(|h| {
        let (x, y) = layout.pos(h);
        let start = x - node_r - 78.0;
        html! {
            <g key={format!("c{h}")} class="clients" aria-hidden="true">
                <text x={num(start)} y={num(y - 8.0)}>{ "clients" }</text>
                <line x1={num(start)} y1={num(y)} x2={num(x - node_r - 4.0)} y2={num(y)} />
                <path d={format!("M{} {} l-9 -5 v10 z", num(x - node_r - 4.0), num(y))} />
            </g>
        }
    });

    html! {
        <>
            <g class="groups">{ for shades }</g>
            <g class="links">{ for links }{ for clients }</g>
        </>
    }
}

/// Messages in flight and recent drops: the only layer that changes every frame. Each message
/// is a group moved by one `transform`, so a frame rewrites one attribute per message.
#[component]
fn Messages(props: &NetworkProps) -> Html {
    let v = &props.view;
    let layout = &props.layout;
    // Short labels while they can be read; a busy network shows shapes only.
    let labels = v.messages.len() <= MAX_LABELLED;
    let messages = v.messages.iter().map(|m| {
        let f = progress(m.sent, m.deliver, props.now, props.still);
        let (x, y) = along(layout, m.from, m.to, f);
        let spot = if labels { label_spot(layout, m.from, m.to, f, m.short.chars().count()) } else { None };
        let slot = kind_slot(props.kinds, m.kind);
        let class = classes!(
            SLOT_CLASS[slot],
            m.copy_of.is_some().then_some("msg-dup"),
            (props.selected_message == Some(m.id)).then_some("msg-selected"),
            (props.hovered_message == Some(m.id)).then_some("msg-hover")
        );
        let on_message = props.on_message.clone();
        let id = m.id;
        let onclick = Callback::from(move |e: MouseEvent| {
            e.stop_propagation();
            on_message.emit(id)
        });
        let copy = m.copy_of.map(|of| format!(" (a copy of #{of} the network made)")).unwrap_or_default();
        html! {
            <g key={m.id.to_string()} class={class} data-msg={m.id.to_string()} onclick={onclick}
               transform={format!("translate({} {})", num(x), num(y))} role="button" aria-label={format!("message {} from n{} to n{}: {}{copy}", m.id, m.from, m.to, m.label)}>
                <title>{ format!("#{} n{} → n{}: {}{copy}", m.id, m.from, m.to, m.label) }</title>
                // At least 24 CSS px to tap (style.css widens it where the picture is small).
                <circle class="msg-hit" r="12" />
                { shape(slot) }
                if let Some(spot) = spot {
                    <text class="msg-label" x={num(spot.dx)} y={num(spot.dy)} text-anchor={spot.anchor}>{ &m.short }</text>
                }
                if m.copy_of.is_some() {
                    <text class="dup-mark" x="8" y="-7">{ "×2" }</text>
                }
            </g>
        }
    });

    // Recent drops fade out where they died, marked with a cross.
    let dropped = v.dropped.iter().filter_map(|d| {
        let age = props.now.saturating_sub(d.at);
        if age > props.fade || d.at > props.now {
            return None;
        }
        // Lost or cut off as it was sent: shown just outside the sender, where it died.
        let f = d.deliver.map_or(0.18, |deliver| progress(d.sent, deliver, d.at, false));
        let (x, y) = along(layout, d.from, d.to, f);
        let opacity = if props.still {
            1.0
        } else {
            1.0 - 0.85 * age as f64 / props.fade.max(1) as f64
        };
        let slot = kind_slot(props.kinds, d.kind);
        Some(html! {
            <g key={format!("d{}", d.id)} class={classes!(SLOT_CLASS[slot], "msg-dropped")} data-dropped={d.id.to_string()}
               transform={format!("translate({} {})", num(x), num(y))} opacity={num(opacity)}>
                <title>{ format!("#{} n{} → n{} dropped ({}): {}", d.id, d.from, d.to, d.reason, d.label) }</title>
                { shape(slot) }
                <path class="drop-x" d="M-7 -7 L7 7 M7 -7 L-7 7" />
            </g>
        })
    });

    html! {
        <g class="messages">{ for messages }{ for dropped }</g>
    }
}

/// A ring around each node that runs down to its deciding timeout (Raft's election timeout,
/// a Paxos proposer's retry), as RaftScope draws it: the shortest ring times out first. Redrawn
/// every frame, like the messages; a crowded circle has no room for rings.
#[component]
fn Countdowns(props: &NetworkProps) -> Html {
    let v = &props.view;
    if props.layout.crowded() {
        return Html::default();
    }
    let r = props.layout.radius() + 5.0;
    let around = std::f64::consts::TAU * r;
    let rings = v.nodes.iter().filter(|s| s.up).filter_map(|s| {
        let (armed, fires) = s.countdown?;
        let left = fires.saturating_sub(props.now) as f64 / fires.saturating_sub(armed).max(1) as f64;
        let (x, y) = props.layout.pos(s.id);
        Some(html! {
            <circle key={s.id.to_string()} class="countdown" data-countdown={s.id.to_string()}
                    cx={num(x)} cy={num(y)} r={num(r)}
                    stroke-dasharray={format!("{} {}", num(around * left.clamp(0.0, 1.0)), num(around))}
                    transform={format!("rotate(-90 {} {})", num(x), num(y))} />
        })
    });
    html! { <g class="countdowns" aria-hidden="true">{ for rings }</g> }
}

/// Half the side of a client's square: smaller than a server, it is not part of the cluster.
const CLIENT_HALF: f64 = 17.0;
/// Characters of a client's status under it (the inspector has all of it).
const CLIENT_WORDS: usize = 18;

/// Nodes, on top of the messages: re-rendered only when events happened.
#[component]
fn Nodes(props: &StaticProps) -> Html {
    let props = &props.net;
    let v = &props.view;
    let node_r = props.layout.radius();
    let crowded = props.layout.crowded();
    let nodes = v.nodes.iter().map(|node| {
        let (x, y) = props.layout.pos(node.id);
        let selected = props.selected == Some(node.id);
        let class = classes!(
            "node",
            (!node.up).then_some("node-down"),
            selected.then_some("node-selected"),
            props.flagged.contains(&node.id).then_some("node-flagged"),
            (node.up && !node.view.role.is_empty()).then(|| role_class(&node.view.role))
        );
        let on_select = props.on_select.clone();
        let id = node.id;
        let onclick = Callback::from(move |_: MouseEvent| on_select.emit(id));
        let status = if node.up { node.view.summary.clone() } else { "crashed".to_string() };
        // Labs with roles (leader, follower...) show them under the node; "node" says nothing.
        // Crowded pictures keep only the names (the inspector has the rest).
        let out = props.layout.outward(node.id);
        let role = (node.up && node.view.role != "node" && !crowded).then(|| node.view.role.clone());
        if let Some(k) = props.layout.client(node.id) {
            // A client process: a small square, its name inside, what it waits for beside it.
            let half = CLIENT_HALF;
            return html! {
                <g key={format!("n{}", node.id)} class={classes!(class, "client")} data-node={node.id.to_string()}
                   data-client={k.to_string()} onclick={onclick} role="button" tabindex="0"
                   aria-label={format!("client c{} {}", k + 1, status)}>
                    <rect x={num(x - half)} y={num(y - half)} width={num(2.0 * half)} height={num(2.0 * half)} rx="5" />
                    <text class="node-name" x={num(x)} y={num(y + 4.5)}>{ format!("c{}", k + 1) }</text>
                    <text class="node-sub client-sub" x={num(x)} y={num(y + half + 12.0)}>{ splitbrain_sim::words::clip(&status, CLIENT_WORDS) }</text>
                    if !node.up {
                        <path class="node-x" transform={format!("translate({} {})", num(x), num(y))} d="M-10 -10 L10 10 M10 -10 L-10 10" />
                    }
                </g>
            };
        }
        html! {
            <g key={format!("n{}", node.id)} class={class} data-node={node.id.to_string()}
               onclick={onclick} role="button" tabindex="0"
               aria-label={format!("node {} {} {}", node.id, role.clone().unwrap_or_default(), status)}>
                <circle cx={num(x)} cy={num(y)} r={num(node_r)} />
                if crowded {
                    // Outside the circle, along the radius, so neighbours' labels do not collide.
                    <text class="node-name node-tiny" x={num(x + out.0 * 17.0)} y={num(y + out.1 * 17.0 + 3.5)}>{ node.id.to_string() }</text>
                } else {
                    <text class="node-name" x={num(x)} y={num(y + 5.0)}>{ format!("n{}", node.id) }</text>
                    if props.layout.label_right(node.id) {
                        // A fan's backend: its neighbours are above and below, so words go right.
                        <text class="node-role beside" x={num(x + node_r + 7.0)} y={num(y - 2.0)}>{ role.clone().unwrap_or_default() }</text>
                        <text class="node-sub beside" x={num(x + node_r + 7.0)} y={num(y + 13.0)}>{ status }</text>
                    } else {
                        if let Some(role) = role.clone() {
                            <text class="node-role" x={num(x)} y={num(y + node_r + 16.0)}>{ role }</text>
                        }
                        <text class="node-sub" x={num(x)} y={num(y + node_r + if role.is_some() { 31.0 } else { 16.0 })}>{ status }</text>
                    }
                }
                if !node.up && !crowded {
                    <path class="node-x" transform={format!("translate({} {})", num(x), num(y))} d="M-12 -12 L12 12 M12 -12 L-12 12" />
                }
            </g>
        }
    });

    html! {
        <g class="nodes">{ for nodes }</g>
    }
}

/// The class a role gives its node: its first part, as one word (`stale leader` →
/// `role-stale-leader`, `ejected · slow ×5` → `role-ejected`, `slow ×5` → `role-slow-5`).
fn role_class(role: &str) -> String {
    let first = role.split(" · ").next().unwrap_or_default();
    let word: String = first
        .chars()
        .map(|c| if c == ' ' { '-' } else { c })
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    format!("role-{}", word.trim_matches('-').replace("--", "-"))
}

/// Where a message is drawn: the fraction of its way along its link.
pub(crate) fn progress(sent: Time, deliver: Time, now: Time, still: bool) -> f64 {
    if still {
        return 0.5;
    }
    let span = deliver.saturating_sub(sent).max(1) as f64;
    (now.saturating_sub(sent) as f64 / span).clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::role_class;

    #[test]
    fn a_role_becomes_one_css_class() {
        assert_eq!(role_class("leader"), "role-leader");
        assert_eq!(role_class("stale leader"), "role-stale-leader");
        assert_eq!(role_class("ejected · slow ×5"), "role-ejected");
        assert_eq!(role_class("slow ×5"), "role-slow-5");
        assert_eq!(role_class("breaker half-open"), "role-breaker-half-open");
    }
}
