//! The Paxos panel: the protocol's settings, a ballot timeline of the competing proposers, and
//! a table per slot of each acceptor's promise and accepted (ballot, value), with the value
//! learners chose.

use super::{PanelHooks, options, param_select};
use splitbrain_paxos::{Mode, Node, Outcome, Params, Slot, Variant};
use splitbrain_sim::{Lab, Simulator, Time};
use yew::prelude::*;

/// Slots shown at once (the newest).
const SHOWN: u64 = 10;
/// Virtual time the ballot timeline spans, in µs.
const WINDOW: Time = 1_500_000;

pub fn panel(lab: &dyn Lab, hooks: &PanelHooks) -> Option<Html> {
    let sim = lab.as_any().downcast_ref::<Simulator<Node>>()?;
    let world = sim.world();
    let n = lab.nodes();
    let params: Params = (0..n)
        .find_map(|i| sim.process(i).map(|p| p.params().clone()))
        .unwrap_or_default();
    let acceptors = params.acceptor_count(n);
    let proposers = params.proposers as usize;
    let now = lab.now();
    let param = |key: &'static str, json: bool| param_select(hooks, key, json);
    let mode = match params.mode {
        Mode::Single => "single",
        Mode::Multi => "multi",
    };
    let variant = match params.variant {
        Variant::Correct => "correct",
        Variant::IgnorePromisedValues => "ignore-promised-values",
        Variant::ForgetPromise => "forget-promise",
        Variant::SharedBallots => "shared-ballots",
        Variant::NoDedup => "no-dedup",
    };
    let onoff = |on: bool| if on { "true" } else { "false" };

    // Acceptor state: from the process, or stable storage while it is down.
    let accepted = |i: usize| match sim.process(i) {
        Some(p) => (true, p.promised(), p.accepted().clone()),
        None => world
            .durable(i)
            .map_or((false, Default::default(), Default::default()), |d| {
                (false, d.promised, d.accepted.clone())
            }),
    };
    let rows: Vec<_> = (0..acceptors).map(|i| (i, accepted(i))).collect();
    let mut chosen = std::collections::BTreeMap::new();
    for (_, p) in (0..n).filter_map(|i| sim.process(i).map(|p| (i, p))) {
        for (s, v) in p.learned() {
            chosen.entry(*s).or_insert_with(|| v.to_string());
        }
    }
    let top: Slot = rows
        .iter()
        .filter_map(|(_, (_, _, acc))| acc.keys().next_back().copied())
        .chain(chosen.keys().next_back().copied())
        .max()
        .map_or(0, |s| s + 1);
    let slots: Vec<Slot> = (top.saturating_sub(SHOWN)..top.max(1)).collect();

    // Ballot timeline.
    let t0 = now.saturating_sub(WINDOW);
    let w = 560.0;
    let x = |t: Time| 60.0 + (t.max(t0) - t0) as f64 / WINDOW as f64 * (w - 70.0);
    let row_h = 22.0;
    let timeline: Vec<Html> = (0..proposers)
        .flat_map(|i| {
            let attempts = match sim.process(i) {
                Some(p) => p.attempts().to_vec(),
                None => world.durable(i).map_or(Vec::new(), |d| d.attempts.clone()),
            };
            let y = 14.0 + i as f64 * row_h;
            let up = sim.process(i).is_some();
            let mut out = vec![html! {
                <text key={format!("l{i}")} x="4" y={format!("{}", y + 12.0)} class="px-label">
                    { format!("n{i}{}", if up { "" } else { " ✕" }) }
                </text>
            }];
            for a in attempts.iter().filter(|a| a.end.is_none_or(|(t, _)| t >= t0)) {
                let end = a.end.map_or(now, |(t, _)| t);
                let mid = a.promised.unwrap_or(end).min(end);
                let key = format!("{i}-{}", a.ballot);
                let (mark, class) = match a.end.map(|(_, o)| o) {
                    Some(Outcome::Chosen) => ("✓", "chosen"),
                    Some(Outcome::Preempted(_)) => ("✗", "preempted"),
                    Some(Outcome::TimedOut) => ("…", "timed-out"),
                    Some(Outcome::Crashed) => ("✕", "crashed"),
                    None => ("", "running"),
                };
                let title = format!(
                    "ballot {} · phase 1 from {} · {}",
                    a.ballot,
                    splitbrain_sim::format_time(a.start),
                    match a.end {
                        Some((t, Outcome::Preempted(b))) => format!("preempted by {b} at {}", splitbrain_sim::format_time(t)),
                        Some((t, o)) => format!("{o} at {}", splitbrain_sim::format_time(t)),
                        None => "running".into(),
                    }
                );
                out.push(html! {
                    <g key={key} class={classes!("px-attempt", class)}>
                        <title>{ title }</title>
                        <rect class="p1" x={format!("{:.1}", x(a.start))} y={format!("{y}")} width={format!("{:.1}", (x(mid) - x(a.start)).max(1.5))} height="14" />
                        if a.promised.is_some() {
                            <rect class="p2" x={format!("{:.1}", x(mid))} y={format!("{y}")} width={format!("{:.1}", (x(end) - x(mid)).max(1.5))} height="14" />
                        }
                        // The ballot's name where it fits; the tooltip always has it.
                        if x(end) - x(a.start) > 24.0 {
                            <text x={format!("{:.1}", x(a.start) + 2.0)} y={format!("{}", y + 11.0)}>{ a.ballot.to_string() }</text>
                        }
                        <text class="mark" x={format!("{:.1}", x(end) + 2.0)} y={format!("{}", y + 11.0)}>{ mark }</text>
                    </g>
                });
            }
            out
        })
        .collect();
    let height = 20.0 + proposers as f64 * row_h;

    Some(html! {
        <section class="panel paxos" aria-label="Paxos">
            <h2>{ "Paxos" } <span class="hint">{ "ballots as round.proposer · value@ballot = accepted · ✓ = chosen" }</span></h2>
            <div class="px-controls">
                <label data-control="load">{ "protocol " }
                    <select onchange={param("mode", false)} aria-label="protocol">
                        { options(&[("single", "single-decree"), ("multi", "Multi-Paxos")], mode) }
                    </select>
                </label>
                <label data-control="load">{ "backoff " }
                    <select onchange={param("backoff", true)} aria-label="randomized backoff">
                        { options(&[("true", "randomized"), ("false", "fixed retry")], onoff(params.backoff)) }
                    </select>
                </label>
                <label data-control="load">{ "leader " }
                    <select onchange={param("leader", true)} aria-label="distinguished proposer">
                        { options(&[("true", "distinguished proposer"), ("false", "anyone proposes")], onoff(params.leader)) }
                    </select>
                </label>
                <label data-control="load">{ "variant " }
                    <select onchange={param("variant", false)} aria-label="variant">
                        { options(&[
                            ("correct", "correct"),
                            ("ignore-promised-values", "bug: ignore promised values"),
                            ("forget-promise", "bug: forget promise on restart"),
                            ("shared-ballots", "bug: shared ballot numbers"),
                            ("no-dedup", "bug: no duplicate check (clients)"),
                        ], variant) }
                    </select>
                </label>
                if params.mode == Mode::Multi {
                    { super::clients_select(hooks, params.clients) }
                }
            </div>
            <h3>{ "Ballot timeline" } <span class="hint">{ "light = phase 1 · solid = phase 2 / leading · ✓ chosen · ✗ preempted · … retried" }</span></h3>
            <svg class="px-timeline" viewBox={format!("0 0 {w} {height}")} role="img" aria-label="ballot timeline">
                { for timeline }
            </svg>
            <h3>{ "Acceptors by slot" }</h3>
            <table class="px-slots">
                <thead><tr><th>{ "acceptor" }</th><th>{ "promised" }</th>{ for slots.iter().map(|s| html! { <th key={*s}>{ format!("slot {s}") }</th> }) }</tr></thead>
                <tbody>
                { for rows.iter().map(|(i, (up, promised, acc))| html! {
                    <tr key={*i} class={classes!((!up).then_some("down"))} data-row={i.to_string()}>
                        <th>{ format!("n{i}{}", if *up { "" } else { " (down)" }) }</th>
                        <td class="promised">{ promised.to_string() }</td>
                        { for slots.iter().map(|s| match acc.get(s) {
                            Some((b, v)) => {
                                let hit = chosen.get(s).is_some_and(|c| *c == v.to_string());
                                html! { <td key={*s} class={classes!("acc", hit.then_some("hit"))} title={format!("slot {s}: accepted {v} at ballot {b}")}>{ format!("{v}@{b}") }</td> }
                            }
                            None => html! { <td key={*s} class="empty">{ "—" }</td> },
                        }) }
                    </tr>
                }) }
                <tr class="chosen-row">
                    <th>{ "chosen" }</th><td></td>
                    { for slots.iter().map(|s| match chosen.get(s) {
                        Some(v) => html! { <td key={*s} class="chosen" data-slot={s.to_string()}>{ format!("✓ {v}") }</td> },
                        None => html! { <td key={*s} class="empty">{ "?" }</td> },
                    }) }
                </tr>
                </tbody>
            </table>
        </section>
    })
}
