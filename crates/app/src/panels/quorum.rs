//! The quorum panel: the settings that are the lab's lessons (N, R, W, read repair, sloppy or
//! strict), each server's copy of every key with its version (which servers are a key's N, who
//! is stale, who keeps hints for whom), and the newest requests with the replicas each asked
//! and what they answered.

use super::{PanelHooks, options, param_select};
use splitbrain_quorum::{Finished, Node, Params, Repair, Versioned};
use splitbrain_sim::{Lab, NodeId, Simulator, format_time};
use std::collections::BTreeSet;
use std::rc::Rc;
use yew::prelude::*;

/// Requests listed, newest first.
const RECENT: usize = 4;

pub fn panel(lab: &dyn Lab, hooks: &PanelHooks) -> Option<Html> {
    let sim = lab.as_any().downcast_ref::<Simulator<Node>>()?;
    let world = sim.world();
    let n = lab.nodes();
    let servers: Vec<(NodeId, Option<&Node>)> = (0..n).map(|i| (i, sim.process(i))).collect();
    let params: Params = servers
        .iter()
        .find_map(|(_, p)| p.map(|p| p.params().clone()))
        .unwrap_or_default();
    let place = splitbrain_quorum::Placement::new(n, params.replicas);
    // A server's copies: from the process, or its disk while it is down.
    let data = |i: NodeId| match sim.process(i) {
        Some(p) => (p.store().clone(), p.hints().clone()),
        None => world
            .durable(i)
            .map(|d| (d.store.clone(), d.hints.clone()))
            .unwrap_or_default(),
    };
    let copies: Vec<_> = (0..n).map(data).collect();
    // The clients' keys first (x, y), then any other key a server holds.
    let mut keys: Vec<Rc<str>> = vec!["x".into(), "y".into()];
    let more: BTreeSet<Rc<str>> = copies
        .iter()
        .flat_map(|(store, hints)| store.keys().chain(hints.keys().map(|(_, k)| k)).cloned())
        .collect();
    let others: Vec<Rc<str>> = more
        .into_iter()
        .filter(|k| !keys.contains(k))
        .take(2)
        .collect();
    keys.extend(others);
    // The newest version anywhere, hints included: in a sloppy quorum's partition the newest
    // write may sit only on stand-ins, and the replicas missing it are stale all the same.
    let newest = |key: &Rc<str>| {
        copies
            .iter()
            .flat_map(|(store, hints)| {
                let hinted = hints.iter().filter(|((_, k), _)| k == key).map(|(_, v)| v);
                store.get(key).into_iter().chain(hinted)
            })
            .map(|v| v.version)
            .max()
    };
    let latest: Vec<_> = keys.iter().map(newest).collect();

    let cell = |i: NodeId, k: usize, key: &Rc<str>| -> Html {
        let pref = place.preference(key);
        let rank = pref.iter().position(|p| *p == i);
        let (store, hints) = &copies[i];
        let own = store.get(key);
        let hinted: Vec<(NodeId, &Versioned)> = hints
            .iter()
            .filter(|((_, hk), _)| hk == key)
            .map(|((owner, _), v)| (*owner, v))
            .collect();
        let stale = rank.is_some() && own.map(|v| v.version) < latest[k];
        let class = classes!(
            "q-cell",
            rank.map(|_| "replica"),
            stale.then_some("stale"),
            (!hinted.is_empty()).then_some("hinted")
        );
        let mut text = match (rank, own) {
            (Some(_), Some(v)) => v.value.to_string(),
            (Some(_), None) => "—".to_string(),
            (None, _) => String::new(),
        };
        for (owner, v) in &hinted {
            if !text.is_empty() {
                text.push(' ');
            }
            text.push_str(&format!("[{} for n{owner}]", v.value));
        }
        let mut title = match rank {
            Some(r) => format!("n{i} is {key}'s replica {} of {}", r + 1, pref.len()),
            None => format!("n{i} is not one of {key}'s replicas"),
        };
        if let Some(v) = own {
            title.push_str(&format!(": {key}={} written at {}", v.value, v.version));
        }
        if stale {
            title.push_str(" (stale: a newer version exists)");
        }
        for (owner, v) in &hinted {
            title.push_str(&format!(
                "; keeps {key}={} ({}) as a hint for n{owner}",
                v.value, v.version
            ));
        }
        // The version under the value, short: who wrote it and when, to the millisecond.
        let version = own.filter(|_| rank.is_some()).map(|v| {
            let at = v.version.at;
            format!(
                "{} {}.{:03}s",
                v.version.by,
                at / 1_000_000,
                at / 1_000 % 1_000
            )
        });
        html! {
            <td key={key.to_string()} class={class} title={title}>
                { text }
                if let Some(version) = version {
                    <span class="q-ver">{ version }</span>
                }
            </td>
        }
    };

    let mut recent: Vec<&Finished> = servers
        .iter()
        .filter_map(|(_, p)| *p)
        .flat_map(|p| p.recent())
        .collect();
    recent.sort_by_key(|f| std::cmp::Reverse((f.at, f.coordinator)));
    recent.truncate(RECENT);
    let overlap = if params.overlapping() {
        (
            "overlap",
            "R + W > N: every read quorum meets every write quorum",
        )
    } else {
        ("miss", "R + W ≤ N: a read can miss a completed write")
    };
    let number = |key: &'static str, label: &'static str, max: usize, current: usize| {
        let values: Vec<(String, String)> =
            (1..=max).map(|v| (v.to_string(), v.to_string())).collect();
        let pairs: Vec<(&str, &str)> = values
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        html! {
            <label data-control="load">{ format!("{} ", label) }
                <select onchange={set_quorum(hooks, key, &params)} aria-label={key}>
                    { options(&pairs, &current.to_string()) }
                </select>
            </label>
        }
    };
    let biggest = n.min(splitbrain_quorum::MAX_REPLICAS);
    Some(html! {
        <section class="panel quorum" aria-label="Quorum replication">
            <h2>{ "Quorum replication" } <span class="hint">{ "each server's copy of each key, with who wrote it and when · bold: the key's N replicas · red: stale · [v for nK]: a hint" }</span></h2>
            <div class="px-controls">
                { number("replicas", "N (replicas)", biggest, params.replicas) }
                { number("r", "R (read quorum)", params.replicas, params.r) }
                { number("w", "W (write quorum)", params.replicas, params.w) }
                <label data-control="load">{ "read repair " }
                    <select onchange={param_select(hooks, "repair", false)} aria-label="read repair">
                        { options(&[("off", "off"), ("async", "after answering (Dynamo)"), ("blocking", "before answering (ABD)")], params.repair.name()) }
                    </select>
                </label>
                <label data-control="load">{ "quorum " }
                    <select onchange={param_select(hooks, "sloppy", true)} aria-label="quorum">
                        { options(&[("true", "sloppy, hinted handoff"), ("false", "strict")], if params.sloppy { "true" } else { "false" }) }
                    </select>
                </label>
                { super::clients_select(hooks, params.clients) }
            </div>
            <p class={classes!("q-overlap", overlap.0)} data-testid="quorum-overlap">
                { format!("{}: {}", params.quorums(), overlap.1) }
                { match params.repair {
                    Repair::Blocking if params.overlapping() && !params.sloppy => " · with blocking repair: linearizable",
                    _ => "",
                } }
            </p>
            <table class="px-slots q-table" data-testid="quorum-table">
                <thead><tr><th>{ "server" }</th>{ for keys.iter().map(|k| html! { <th key={k.to_string()}>{ k.to_string() }</th> }) }</tr></thead>
                <tbody>
                { for (0..n).map(|i| {
                    let up = servers[i].1.is_some();
                    html! {
                        <tr key={i} class={classes!((!up).then_some("down"))}>
                            <th>{ format!("n{i}{}", if up { "" } else { " (down)" }) }</th>
                            { for keys.iter().enumerate().map(|(k, key)| cell(i, k, key)) }
                        </tr>
                    }
                }) }
                </tbody>
            </table>
            <h3>{ "Latest requests" } <span class="hint">{ "who coordinated, whom it asked, what each said in time" }</span></h3>
            <ul class="q-requests" data-testid="quorum-requests">
                if recent.is_empty() {
                    <li class="hint">{ "none yet" }</li>
                }
                { for recent.iter().map(|f| html! {
                    <li key={format!("{}-{}", f.coordinator, f.op)} class={classes!((!f.ok).then_some("failed"))}>
                        <b>{ if f.ok { f.result.clone() } else { format!("{}: {}", f.text, f.result) } }</b>
                        { format!(" · n{} coordinated, {}–{}", f.coordinator, format_time(f.started), format_time(f.at)) }
                        <span class="q-asked">{ for f.asked.iter().map(|(node, hint, said)| html! {
                            <span key={*node} class={classes!("q-ask", said.is_none().then_some("silent"))}>
                                { format!("n{node}{}: {}", hint.map(|h| format!(" for n{h}")).unwrap_or_default(), said.as_deref().unwrap_or("no answer")) }
                            </span>
                        }) }</span>
                    </li>
                }) }
            </ul>
        </section>
    })
}

/// Sets N, R or W, keeping the other two within the new N (a link with R > N is refused, so
/// lowering N lowers them with it).
fn set_quorum(hooks: &PanelHooks, key: &'static str, params: &Params) -> Callback<Event> {
    let set = hooks.params.clone();
    let (n, r, w) = (params.replicas, params.r, params.w);
    Callback::from(move |e: Event| {
        let v: usize = e
            .target_unchecked_into::<web_sys::HtmlSelectElement>()
            .value()
            .parse()
            .unwrap_or(1);
        let (n, r, w) = match key {
            "replicas" => (v, r.min(v), w.min(v)),
            "r" => (n, v, w),
            _ => (n, r, v),
        };
        set.emit((
            key.to_string(),
            vec![
                ("replicas".to_string(), n.into()),
                ("r".to_string(), r.into()),
                ("w".to_string(), w.into()),
            ],
        ))
    })
}
