//! The load-balancing panel: each backend's queue and requests in service, live; latency
//! percentiles per second as a chart; a histogram of the last minute's latencies; the client
//! outcomes; and the controls.
//!
//! The chart is uPlot (leeoniya/uPlot, MIT): about 22 KB of JavaScript gzipped, shipped only on
//! this lab's page, drawing on a canvas and built for live time series, with axes, ticks and a
//! legend that follows the cursor. A Rust charting crate would have gone into the wasm (plotters
//! with its canvas backend costs more than uPlot) and hand-made axes are what the issue asks
//! to avoid.

use super::{PanelHooks, options};
use crate::network::num;
use crate::view::meter::meter;
use splitbrain_balance::POLICIES;
use splitbrain_balance::lab::{Node, Point, balancers};
use splitbrain_sim::{Action, Lab, Simulator};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use yew::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// uPlot's chart object (the global the page's `uPlot.iife.min.js` defines).
    #[wasm_bindgen(js_name = uPlot)]
    type UPlot;
    #[wasm_bindgen(catch, constructor, js_class = uPlot)]
    fn new(opts: &JsValue, data: &JsValue, target: &web_sys::Element) -> Result<UPlot, JsValue>;
    #[wasm_bindgen(method, js_name = setData)]
    fn set_data(this: &UPlot, data: &JsValue);
}

/// The chart's options: three series over virtual seconds, a logarithmic latency axis
/// (`WIDTH` is replaced by the column's width).
const CHART: &str = r##"{"width":WIDTH,"height":210,"title":"latency per second (ms)",
 "scales":{"x":{"time":false},"y":{"distr":3}},
 "axes":[{"label":"virtual time (s)"},{"label":"ms"}],
 "series":[{"label":"t"},{"label":"p50","stroke":"#2b6cb0","width":2},
   {"label":"p90","stroke":"#c05621","width":2},{"label":"p99","stroke":"#c53030","width":2}]}"##;

/// The breaker the menu turns on.
const BREAKER: &str = r#"{"failures":5,"open_for":"5s"}"#;

/// Histogram bucket upper bounds (µs) and labels.
const BUCKETS: [(u64, &str); 9] = [
    (10_000, "< 10 ms"),
    (30_000, "< 30 ms"),
    (100_000, "< 100 ms"),
    (300_000, "< 300 ms"),
    (1_000_000, "< 1 s"),
    (3_000_000, "< 3 s"),
    (10_000_000, "< 10 s"),
    (30_000_000, "< 30 s"),
    (u64::MAX, "≥ 30 s"),
];

fn ms(us: f64) -> String {
    if us >= 10_000.0 {
        format!("{} s", num(us / 1e6))
    } else {
        format!("{} ms", num(us / 1e3))
    }
}

/// The series as uPlot's data: `[[t…], [p50…], [p90…], [p99…]]`, ms, `null` for silent seconds.
fn chart_data<'a>(points: impl Iterator<Item = &'a Point>) -> String {
    let mut cols: [Vec<String>; 4] = Default::default();
    for p in points {
        cols[0].push((p.at / 1_000_000).to_string());
        for (i, col) in cols[1..].iter_mut().enumerate() {
            col.push(p.percentiles.map_or("null".into(), |q| {
                // Milliseconds with three decimals, integer-formatted.
                let v = q[i].max(1);
                format!("{}.{:03}", v / 1_000, v % 1_000)
            }));
        }
    }
    let inner: Vec<String> = cols.iter().map(|c| format!("[{}]", c.join(","))).collect();
    format!("[{}]", inner.join(","))
}

/// Emits `make(node)` for `node` and its twin on the other side in compare mode, so a fault
/// hits both compared systems alike.
fn on_both(
    hooks: &PanelHooks,
    nodes: Vec<usize>,
    make: impl Fn(usize) -> Action + 'static,
) -> Callback<MouseEvent> {
    let a = hooks.act.clone();
    Callback::from(move |_: MouseEvent| {
        for &n in &nodes {
            a.emit(make(n));
        }
    })
}

/// The load-balancing lab's panel: shared controls, then one column per balancer (two in
/// compare mode, on the very same requests).
pub fn panel(lab: &dyn Lab, hooks: &PanelHooks) -> Option<Html> {
    let sim = lab.as_any().downcast_ref::<Simulator<Node>>()?;
    let n = lab.nodes();
    let Some(first) = (0..n).find_map(|i| sim.process(i).and_then(Node::balancer)) else {
        return Some(html! {
            <section class="panel balance" aria-label="Load balancing" data-testid="balance-panel">
                <h2>{ "Load balancing" }</h2>
                <p class="hint">{ "Every balancer is down: restart one." }</p>
            </section>
        });
    };
    let p = first.params();
    let ids = balancers(p, n);
    let width = n / ids.len();
    let param = |key: &'static str, json: bool| super::param_select(hooks, key, json);
    let rate = {
        let a = hooks.act.clone();
        let ids = ids.clone();
        Callback::from(move |e: Event| {
            let v = e
                .target_unchecked_into::<web_sys::HtmlSelectElement>()
                .value();
            for &node in &ids {
                a.emit(Action::Client {
                    node,
                    command: format!("rate {v}"),
                });
            }
        })
    };
    let policies: Vec<(&str, &str)> = POLICIES.iter().map(|p| (*p, *p)).collect();
    let mut compare_opts = vec![("none", "none")];
    compare_opts.extend(policies.iter().copied());
    let rate_now = super::short_decimal(first.arrival().rate());
    let timeout = p
        .timeout
        .map_or("none".to_string(), splitbrain_sim::format_time);
    Some(html! {
        <section class="panel balance" aria-label="Load balancing" data-testid="balance-panel">
            <h2>{ "Load balancing" }
                <span class="hint">{ format!("{} · service {} · {} per backend at once", first.arrival(), p.service, p.concurrency) }</span></h2>
            <div class="hash-controls">
                <label data-control="load">{ "policy" }<select data-testid="policy" onchange={param("policy", false)}>{ options(&policies, &p.policy) }</select></label>
                <label data-control="load">{ "compare with" }<select data-testid="compare" onchange={param("compare", false)}>{ options(&compare_opts, p.compare.as_deref().unwrap_or("none")) }</select></label>
                <label data-control="request">{ "requests/s" }<select data-testid="rate" onchange={rate}>{ options(&[("2", "2"), ("5", "5"), ("9", "9"), ("12", "12"), ("20", "20"), ("50", "50"), ("100", "100"), ("1000", "1000")], &rate_now) }</select></label>
                <label data-control="load">{ "timeout" }<select data-testid="timeout" onchange={param("timeout", false)}>{ options(&[("none", "none"), ("500ms", "500 ms"), ("2s", "2 s"), ("5s", "5 s")], &timeout) }</select></label>
                <label data-control="load">{ "retries" }<select data-testid="retries" onchange={param("retries", true)}>{ options(&[("0", "0"), ("1", "1"), ("2", "2"), ("3", "3")], &p.retries.to_string()) }</select></label>
                <label data-control="load">{ "queue" }<select data-testid="queue" onchange={param("queue", true)}>{ options(&[("none", "unbounded"), ("5", "5"), ("20", "20"), ("100", "100")], &p.queue.map_or_else(|| "none".to_string(), |q| q.to_string())) }</select></label>
                <label data-control="load">{ "circuit breaker" }<select data-testid="breaker" onchange={param("breaker", true)}>{ options(&[("none", "off"), (BREAKER, "5 failures → 5 s open")], p.breaker.map_or("none", |_| BREAKER)) }</select></label>
            </div>
            <div class={classes!("lb-sides", (ids.len() > 1).then_some("compare"))}>
                { for ids.iter().map(|&id| side(sim, lab, id, width, &ids, hooks)) }
            </div>
        </section>
    })
}

/// One balancer and its backends.
fn side(
    sim: &Simulator<Node>,
    lab: &dyn Lab,
    id: usize,
    width: usize,
    ids: &[usize],
    hooks: &PanelHooks,
) -> Html {
    let now = lab.now().max(1);
    let Some(b) = sim.process(id).and_then(Node::balancer) else {
        return html! {
            <div class="lb-side" key={id}>
                <h3>{ format!("n{id}: balancer down") }</h3>
                <button data-control="crash" onclick={on_both(hooks, vec![id], |node| Action::Restart { node })}>{ "restart" }</button>
            </div>
        };
    };
    let p = b.params();
    let c = b.counts();
    // A backend's twins: the same position on every side.
    let twins = |i: usize| -> Vec<usize> { ids.iter().map(|&s| s + (i - id)).collect() };
    let outstanding = b.outstanding();
    // Rotation is the balancers' business: tell each one about its own copy of backend `i`.
    let admit_or_eject = |verb: &'static str, i: usize| {
        let a = hooks.act.clone();
        let pos = i - id;
        let ids = ids.to_vec();
        Callback::from(move |_: MouseEvent| {
            for &s in &ids {
                a.emit(Action::Client {
                    node: s,
                    command: format!("{verb} {}", s + pos),
                });
            }
        })
    };
    let rows: Vec<_> = (id + 1..id + width)
        .map(|i| (i, sim.process(i).and_then(Node::backend)))
        .collect();
    let deepest = rows
        .iter()
        .filter_map(|(_, s)| s.map(|s| s.queue_len()))
        .max()
        .unwrap_or(0)
        .max(10);
    let mut buckets = [0u64; BUCKETS.len()];
    let mut in_window = 0;
    for (_, v) in b.latency().window() {
        let k = BUCKETS.iter().position(|(top, _)| v < *top).unwrap_or(0);
        buckets[k] += 1;
        in_window += 1;
    }
    let tallest = buckets.iter().copied().max().unwrap_or(0).max(1);
    let data = Rc::new(chart_data(b.series()));
    html! {
        <div class="lb-side" key={id} data-testid={format!("side-{}", b.policy())}>
            <h3>{ format!("n{id} · {}", b.policy()) }</h3>
            <p class="moved" data-testid="lb-summary">
                { format!("{} requests · {} answered ({}/s) · {} failed · {} drops · {} timeouts · {} retries (+{}% load)",
                    c.requests, c.completed, num(c.completed as f64 / (now as f64 / 1e6)), c.failed, c.drops, c.timeouts, c.retries,
                    num(100.0 * c.retries as f64 / c.requests.max(1) as f64)) }
                <br/>
                { match b.latency().windowed() {
                    Some([mean, p50, p90, p99, p999]) => format!("last {}: mean {} · p50 {} · p90 {} · p99 {} · p99.9 {}",
                        splitbrain_sim::format_time(p.window), ms(mean), ms(p50), ms(p90), ms(p99), ms(p999)),
                    None => "no request answered yet".into(),
                } }
            </p>
            <LatencyChart data={data} width={if ids.len() > 1 { 230 } else { 520 }} />
            <ul class="loads lb-backends" data-testid="backends" aria-label="backends">
                { for rows.iter().map(|&(i, s)| {
                    let out = outstanding.get(i - id - 1).copied().unwrap_or(0);
                    match s {
                        Some(s) => {
                            let q = s.queue_len();
                            let util = s.busy(now) as f64 / (now as f64 * f64::from(s.concurrency()));
                            let slow = s.slowdown() > 1.0;
                            let state = if !b.available(i - id - 1) {
                                match b.breaker(i - id - 1) {
                                    _ if b.ejected(i - id - 1) => "ejected",
                                    "closed" => "failed health check",
                                    other => other,
                                }
                            } else { "" };
                            html! {
                                <li key={i} data-backend={i.to_string()} class={classes!(slow.then_some("slow"))}>
                                    <span class="who">{ format!("n{i}") }</span>
                                    <span class="bar queue" title={format!("{q} waiting")}>
                                        { meter(q as f64 / deepest as f64, None, &[]) }
                                    </span>
                                    <span class="count" data-testid={format!("queue-{i}")}>{ format!("{q} queued · {} serving · {out} sent · {}% busy{}{}",
                                        s.in_service(), num(util * 100.0), if slow { format!(" · {}× slow", num(s.slowdown())) } else { String::new() },
                                        if state.is_empty() { String::new() } else { format!(" · {state}") }) }</span>
                                    <span class="row-actions">
                                        if slow {
                                            <button data-control="request" onclick={on_both(hooks, twins(i), |node| Action::Client { node, command: "slow 1".into() })}>{ "normal" }</button>
                                        } else {
                                            <button data-control="request" onclick={on_both(hooks, twins(i), |node| Action::Client { node, command: "slow 5".into() })}
                                                    data-testid={format!("slow-{i}")} title="serve five times slower (a gray failure; on both sides in compare mode)">{ "slow ×5" }</button>
                                        }
                                        if b.ejected(i - id - 1) {
                                            <button data-control="request" onclick={admit_or_eject("admit", i)} title="put it back into rotation">{ "admit" }</button>
                                        } else {
                                            <button data-control="request" onclick={admit_or_eject("eject", i)} title="take it out of rotation (remove it from the pool)">{ "eject" }</button>
                                        }
                                        <button data-control="crash" onclick={on_both(hooks, twins(i), |node| Action::Crash { node })}>{ "crash" }</button>
                                    </span>
                                </li>
                            }
                        }
                        None => html! {
                            <li key={i} class="down" data-backend={i.to_string()}>
                                <span class="who">{ format!("n{i}") }</span>
                                <span class="bar"></span>
                                <span class="count">{ format!("down · {out} sent, unanswered") }</span>
                                <span class="row-actions"><button data-control="crash" onclick={on_both(hooks, twins(i), |node| Action::Restart { node })}>{ "restart" }</button></span>
                            </li>
                        },
                    }
                }) }
            </ul>
            <div class="histogram" data-testid="histogram" aria-label="latency histogram, last minute">
                <h4>{ format!("latency histogram, last {} ({} requests)", splitbrain_sim::format_time(p.window), in_window) }</h4>
                { for BUCKETS.iter().zip(buckets).map(|((_, label), n)| html! {
                    <div class="hist-row" key={*label}>
                        <span class="hist-label">{ *label }</span>
                        <span class="hist-bar">{ meter(n as f64 / tallest as f64, None, &[]) }</span>
                        <span class="hist-n">{ n }</span>
                    </div>
                }) }
            </div>
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct ChartProps {
    data: Rc<String>,
    width: u32,
}

/// The uPlot chart, created once and fed new data on each panel refresh.
#[component]
fn LatencyChart(props: &ChartProps) -> Html {
    let node = use_node_ref();
    let chart = use_mut_ref(|| None::<UPlot>);
    {
        let node = node.clone();
        let width = props.width;
        use_effect_with(props.data.clone(), move |data| {
            let Ok(data) = js_sys::JSON::parse(data) else {
                return;
            };
            let mut c = chart.borrow_mut();
            match &*c {
                Some(u) => u.set_data(&data),
                None => {
                    // As wide as asked, or as its box on a narrow screen (a phone's column).
                    let room = node
                        .cast::<web_sys::Element>()
                        .map_or(0, |el| el.client_width());
                    let width = if room > 0 {
                        width.min(room as u32)
                    } else {
                        width
                    };
                    let opts = CHART.replace("WIDTH", &width.to_string());
                    if let (Some(el), Ok(opts)) =
                        (node.cast::<web_sys::Element>(), js_sys::JSON::parse(&opts))
                        && let Ok(u) = UPlot::new(&opts, &data, &el)
                    {
                        *c = Some(u);
                    }
                }
            }
        });
    }
    html! { <div class="latency-chart" ref={node} data-testid="latency-chart"></div> }
}
