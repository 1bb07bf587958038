//! The hashing panel: the hash circle with each server's virtual nodes as ticks and the drawn
//! keys as dots coloured by owner, keys per server against the mean and the ideal, the keys
//! moved by the last change against the least any placement must move, and the controls.
//!
//! The circle is a canvas: 64 servers × 100 vnodes and 2,000 keys are 8,400 marks, too many
//! for SVG elements, and it is redrawn only when the panel refreshes (at most twice a second).

use super::{PanelHooks, options};
use crate::network::num;
use crate::page::thousands;
use crate::view::meter::meter;
use splitbrain_hashing::{ALGORITHMS, hash};
use splitbrain_sharding::{Node, Router};
use splitbrain_sim::{Action, Lab, Simulator, Time, ms};
use std::collections::BTreeMap;
use std::f64::consts::TAU;
use std::rc::Rc;
use yew::prelude::*;

/// How long after its migration a change's keys stay highlighted (virtual time).
const FLASH: Time = ms(300);

/// What one circle shows.
#[derive(PartialEq)]
pub struct RingData {
    algorithm: &'static str,
    /// (angle in turns, server).
    ticks: Vec<(f64, u32)>,
    /// (angle in turns, radius 0..1, owner, mark): 0 plain, 1 moved by the last change,
    /// 2 moved and still in flight.
    keys: Vec<(f64, f64, u32, u8)>,
    /// Servers that are down (drawn grey).
    down: Vec<u32>,
}

/// Where key `k` sits: its angle is its hash's position on the circle (where the ring looks it
/// up); its radius only spreads the dots so they do not sit on one line.
fn key_spot(k: u32) -> (f64, f64) {
    let h = hash::key(u64::from(k));
    (
        h as f64 / 18_446_744_073_709_551_616.0,
        (h & 0xffff) as f64 / 65_535.0,
    )
}

/// A server's colour: twelve well-separated hues (Tableau 10 plus two), then lighter and
/// darker rounds of them for larger clusters.
fn colour(id: u32) -> String {
    const HUES: [u16; 12] = [210, 30, 125, 355, 275, 175, 320, 50, 90, 245, 15, 0];
    let i = (id.saturating_sub(1)) as usize;
    let light = [48, 34, 62][(i / 12) % 3];
    let sat = if i % 12 == 11 { 0 } else { 65 };
    format!("hsl({} {sat}% {light}%)", HUES[i % 12])
}

/// A share as a percentage with one decimal, without float formatting.
fn pct(share: f64) -> String {
    format!("{}%", num(share * 100.0))
}

fn ring(r: &Router, compare: bool, down: &[u32], now: Time) -> Option<RingData> {
    let placement = if compare { r.compare()? } else { r.placement() };
    let drawn = r.params().drawn();
    let (owners, compare_owners) = r.owners();
    let owners = if compare { compare_owners? } else { owners };
    let mut marks = vec![0u8; drawn as usize];
    if !compare && let Some(last) = r.history().last() {
        let fresh = last.done_at.is_none_or(|d| now < d + FLASH);
        if fresh {
            for &k in last.touched.iter() {
                marks[k as usize] = 1;
            }
            for k in r.in_flight() {
                marks[k as usize] = 2;
            }
        }
    }
    Some(RingData {
        algorithm: placement.name(),
        ticks: placement
            .ticks()
            .into_iter()
            .map(|(p, s)| (p as f64 / 18_446_744_073_709_551_616.0, s))
            .collect(),
        keys: (0..drawn)
            .map(|k| {
                let (a, rad) = key_spot(k);
                (a, rad, owners[k as usize], marks[k as usize])
            })
            .collect(),
        down: down.to_vec(),
    })
}

/// The hashing lab's panel.
pub fn panel(lab: &dyn Lab, hooks: &PanelHooks) -> Option<Html> {
    let sim = lab.as_any().downcast_ref::<Simulator<Node>>()?;
    let Some(r) = sim.process(0).and_then(Node::router) else {
        return Some(html! {
            <section class="panel hashing" aria-label="Consistent hashing" data-testid="hashing-panel">
                <h2>{ "Consistent hashing" }</h2>
                <p class="hint">{ "The router (n0) is down: restart it to see and change the placement." }</p>
            </section>
        });
    };
    let p = r.params();
    let now = lab.now();
    let down: Vec<u32> = (1..lab.nodes())
        .filter(|&i| sim.process(i).is_none())
        .map(|i| i as u32)
        .collect();
    let main = ring(r, false, &down, now).map(Rc::new);
    let other = ring(r, true, &down, now).map(Rc::new);
    let members = &r.config().members;
    let total_weight: u64 = members.iter().map(|m| u64::from(m.1)).sum();
    let keys = u64::from(p.keys);
    let per = r.loads();
    let mean = keys as f64 / members.len().max(1) as f64;
    // Algorithms without weights give every server the mean.
    let weighted = r.placement().weighted();
    let ideal = |w: u32| {
        if weighted {
            keys as f64 * f64::from(w) / total_weight.max(1) as f64
        } else {
            mean
        }
    };
    let top = members
        .iter()
        .map(|m| (per.get(&m.0).copied().unwrap_or(0) as f64).max(ideal(m.1)))
        .fold(mean, f64::max)
        * 1.1;
    let st = r.stats();
    let act = |command: String| {
        let a = hooks.act.clone();
        Callback::from(move |_: MouseEvent| {
            a.emit(Action::Client {
                node: 0,
                command: command.clone(),
            })
        })
    };
    let crash = |node: usize, up: bool| {
        let a = hooks.act.clone();
        Callback::from(move |_: MouseEvent| {
            a.emit(if up {
                Action::Crash { node }
            } else {
                Action::Restart { node }
            })
        })
    };
    let select = |key: &'static str, number: bool| super::param_select(hooks, key, number);
    let algos: Vec<(&str, &str)> = ALGORITHMS.iter().map(|a| (*a, *a)).collect();
    let mut compare_opts = vec![("none", "none")];
    compare_opts.extend(algos.iter().copied());
    let change_line = match r.history().last() {
        Some(c) => {
            let status = if c.done_at.is_some() {
                "migrated".to_string()
            } else {
                format!("migrating: {} flows left", r.config().flows.len())
            };
            html! {
                <p class="moved" data-testid="moved">
                    <strong>{ format!("{}: ", c.change) }</strong>
                    { format!("{} of {} keys moved ({}) · ideal {} · {} · {} drawn copies sent",
                        thousands(c.moved), thousands(keys), pct(c.share), pct(c.ideal), status, thousands(u64::from(c.copies))) }
                    if let Some((m, share)) = c.compare {
                        <br/>
                        <span class="compare-line">{ format!("{} on the same change: {} keys moved ({})",
                            p.compare.as_deref().unwrap_or(""), thousands(m), pct(share)) }</span>
                    }
                </p>
            }
        }
        None => html! {
            <p class="moved" data-testid="moved">{ "No change yet: add, remove or reweight a server to see which keys move." }</p>
        },
    };
    Some(html! {
        <section class="panel hashing" aria-label="Consistent hashing" data-testid="hashing-panel">
            <h2>{ "Consistent hashing" }
                <span class="hint">{ format!("bars: {} keys by owner · nodes: {} drawn keys held · R = {}", thousands(keys), thousands(u64::from(p.drawn())), p.replicas) }</span></h2>
            <div class="hash-controls">
                <label data-control="load">{ "algorithm" }<select data-testid="algorithm" onchange={select("algorithm", false)}>{ options(&algos, &p.algorithm) }</select></label>
                <label data-control="load">{ "compare with" }<select data-testid="compare" onchange={select("compare", false)}>{ options(&compare_opts, p.compare.as_deref().unwrap_or("none")) }</select></label>
                <label data-control="load">{ "vnodes" }<select data-testid="vnodes" onchange={select("vnodes", true)}>{ options(&[("1", "1"), ("10", "10"), ("100", "100"), ("1000", "1000")], &p.vnodes.to_string()) }</select></label>
                <label data-control="load">{ "replicas R" }<select data-testid="replicas" onchange={select("replicas", true)}>{ options(&[("1", "1"), ("2", "2"), ("3", "3"), ("4", "4"), ("5", "5")], &p.replicas.to_string()) }</select></label>
                <label data-control="load">{ "keys" }<select data-testid="keys" onchange={select("keys", true)}>{ options(&[("1000", "1,000"), ("10000", "10,000"), ("100000", "100,000"), ("1000000", "1,000,000")], &p.keys.to_string()) }</select></label>
                <label data-control="load">{ "requests" }<select data-testid="distribution" onchange={select("distribution", false)}>{ options(&[("uniform", "uniform"), ("zipf", "Zipf (hot keys)")], if p.distribution == splitbrain_sharding::Distribution::Zipf { "zipf" } else { "uniform" }) }</select></label>
                <button data-control="request" data-testid="add-server" onclick={act("add".into())}>{ "+ server" }</button>
                <button data-control="request" onclick={act("add w=2".into())} title="a server with twice the capacity">{ "+ server ×2" }</button>
            </div>
            { change_line }
            if r.queued() > 0 {
                <p class="hint">{ format!("{} more change(s) wait for this migration", r.queued()) }</p>
            }
            <div class="rings">
                if let Some(d) = main { <HashRing data={d} /> }
                if let Some(d) = other { <HashRing data={d} /> }
            </div>
            <ul class="loads" data-testid="loads" aria-label="keys per server">
                { for members.iter().map(|&(id, w)| {
                    let n = per.get(&id).copied().unwrap_or(0);
                    let up = !down.contains(&id);
                    let served = st.served.get(&id).copied().unwrap_or(0);
                    html! {
                        <li key={id} class={classes!((!up).then_some("down"))} data-server={id.to_string()}>
                            <span class="who"><svg class="swatch" viewBox="0 0 10 10" aria-hidden="true"><circle cx="5" cy="5" r="5" fill={colour(id)} /></svg>{ if w == 1 { format!("n{id}") } else { format!("n{id} ×{w}") } }</span>
                            <span class="bar" title={format!("{} keys; ideal {}; mean {}", thousands(n), num(ideal(w)), num(mean))}>
                                { meter(n as f64 / top, Some(colour(id)), &[("ideal", ideal(w) / top), ("mean", mean / top)]) }
                            </span>
                            <span class="count">{ format!("{} keys · {} req{}", thousands(n), thousands(served), if up { "" } else { " · down" }) }</span>
                            <span class="row-actions">
                                <button data-control="request" onclick={act(format!("weight {id}={}", w + 1))} disabled={w >= 1_000} title="weight +1">{ "w+" }</button>
                                <button data-control="request" onclick={act(format!("weight {id}={}", w.saturating_sub(1).max(1)))} disabled={w == 1} title="weight −1">{ "w−" }</button>
                                <button data-control="request" onclick={act(format!("remove {id}"))} disabled={members.len() == 1} title="take this server out; its keys move first">{ "remove" }</button>
                                <button data-control="crash" onclick={crash(id as usize, up)} data-testid={format!("crash-{id}")}>{ if up { "crash" } else { "restart" } }</button>
                            </span>
                        </li>
                    }
                }) }
            </ul>
            <p class="hint"><span class="mark-ideal">{ "┃ ideal for its weight" }</span>{ " · " }<span class="mark-mean">{ "┆ mean" }</span></p>
            <p class="availability" data-testid="availability">
                { format!("gets: {} ok ({} from a later replica, {} stale) · {} unavailable · puts: {} ok, {} failed",
                    thousands(st.gets_ok), thousands(st.from_replica), thousands(st.stale), thousands(st.gets_failed), thousands(st.puts_ok), thousands(st.puts_failed)) }
            </p>
        </section>
    })
}

#[derive(Properties, PartialEq)]
struct RingProps {
    data: Rc<RingData>,
}

/// One hash circle on a canvas, redrawn when its data changes.
#[component]
fn HashRing(props: &RingProps) -> Html {
    let canvas = use_node_ref();
    {
        let canvas = canvas.clone();
        use_effect_with(props.data.clone(), move |d| draw(&canvas, d));
    }
    let d = &props.data;
    html! {
        <figure class="ring">
            <canvas ref={canvas} width="520" height="520" data-testid={format!("ring-{}", d.algorithm)}
                    role="img" aria-label={format!("{}: {} virtual nodes and {} keys on the hash circle", d.algorithm, d.ticks.len(), d.keys.len())}></canvas>
            <figcaption>{ format!("{}{}", d.algorithm, if d.ticks.is_empty() { " · no circle: keys sit at their hash" } else { "" }) }</figcaption>
        </figure>
    }
}

fn draw(canvas: &NodeRef, d: &RingData) {
    let Some((el, ctx)) = crate::network_canvas::context_2d(canvas) else {
        return;
    };
    let size = f64::from(el.width());
    let c = size / 2.0;
    let outer = size * 0.46;
    ctx.clear_rect(0.0, 0.0, size, size);
    let xy = |turns: f64, r: f64| {
        let a = turns * TAU - TAU / 4.0;
        (c + r * a.cos(), c + r * a.sin())
    };
    ctx.set_stroke_style_str("#8a94a3");
    ctx.set_line_width(1.0);
    ctx.begin_path();
    let _ = ctx.arc(c, c, outer, 0.0, TAU);
    ctx.stroke();
    let paint = |id: u32| {
        if d.down.contains(&id) {
            "#a0aec0".to_string()
        } else {
            colour(id)
        }
    };
    // Ticks, one path per server.
    let mut by_server: BTreeMap<u32, Vec<f64>> = BTreeMap::new();
    for &(t, s) in &d.ticks {
        by_server.entry(s).or_default().push(t);
    }
    ctx.set_line_width(2.0);
    for (s, ticks) in &by_server {
        ctx.begin_path();
        for &t in ticks {
            let (x1, y1) = xy(t, outer - 8.0);
            let (x2, y2) = xy(t, outer + 8.0);
            ctx.move_to(x1, y1);
            ctx.line_to(x2, y2);
        }
        ctx.set_stroke_style_str(&paint(*s));
        ctx.stroke();
    }
    // Keys, one path per owner; moved keys larger and outlined, keys in flight hollow.
    let mut by_owner: BTreeMap<(u32, u8), Vec<(f64, f64)>> = BTreeMap::new();
    for &(t, r, o, m) in &d.keys {
        by_owner.entry((o, m)).or_default().push((t, r));
    }
    for (&(o, mark), keys) in &by_owner {
        let radius = if mark == 0 { 2.2 } else { 4.5 };
        ctx.begin_path();
        for &(t, r) in keys {
            let (x, y) = xy(t, outer * (0.42 + 0.46 * r));
            ctx.move_to(x + radius, y);
            let _ = ctx.arc(x, y, radius, 0.0, TAU);
        }
        let col = paint(o);
        if mark == 2 {
            ctx.set_line_width(1.5);
            ctx.set_stroke_style_str(&col);
            ctx.stroke();
        } else {
            ctx.set_fill_style_str(&col);
            ctx.fill();
            if mark == 1 {
                ctx.set_line_width(1.0);
                ctx.set_stroke_style_str("#1a202c");
                ctx.stroke();
            }
        }
    }
}
