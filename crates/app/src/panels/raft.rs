//! The Raft panel: the timing settings (election timeout, heartbeat, §5.6), and every node's log side by side, by index, each entry with its term and
//! command, committed and uncommitted entries told apart by border and mark as well as colour;
//! beside each node what Fig. 2 says it keeps: the leader's nextIndex and matchIndex for it, a
//! candidate's votes, and what a crashed node kept on disk.

use super::{PanelHooks, options};
use splitbrain_raft::{Cmd, Node, Params, Role};
use splitbrain_sim::{Lab, Simulator, format_time, ms, words};
use yew::prelude::*;

/// Election timeouts to try, as (min, max): the paper's 150–300 ms (§9.3), slower ones, and
/// Fig. 16's top line, no randomness at all, where simultaneous candidates split the vote.
const ELECTION: [(u64, u64); 5] = [
    (150, 300),
    (150, 150),
    (150, 155),
    (300, 600),
    (1_000, 2_000),
];
/// Heartbeat intervals, all below the shortest election timeout above.
const HEARTBEAT: [u64; 3] = [25, 75, 140];

/// The settings row and the log table.
pub fn panel(lab: &dyn Lab, hooks: &PanelHooks) -> Option<Html> {
    let sim = lab.as_any().downcast_ref::<Simulator<Node>>()?;
    let p = (0..lab.nodes())
        .find_map(|i| sim.process(i).map(|n| n.params().clone()))
        .unwrap_or_default();
    Some(html! { <>
        { settings(&p, hooks) }
        { log_table(lab)? }
    </> })
}

/// Milliseconds as the run's parameters write them.
fn text_ms(v: u64) -> String {
    format_time(ms(v))
}

/// Borrowed (value, label) pairs for [`options`].
fn pairs(v: &[(String, String)]) -> Vec<(&str, &str)> {
    v.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect()
}

fn settings(p: &Params, hooks: &PanelHooks) -> Html {
    let election = |(lo, hi): (u64, u64)| format!("{}..{}", text_ms(lo), text_ms(hi));
    let current = format!(
        "{}..{}",
        format_time(p.election_min),
        format_time(p.election_max)
    );
    let choices: Vec<(String, String)> = ELECTION
        .iter()
        .map(|&e| {
            let label = match e {
                (150, 300) => "150–300 ms (the paper's)".to_string(),
                (lo, hi) if lo == hi => format!("{lo}–{hi} ms (no randomness)"),
                (lo, hi) => format!("{lo}–{hi} ms"),
            };
            (election(e), label)
        })
        .collect();
    let heartbeat = text_ms(p.heartbeat.div_ceil(1_000));
    let beats: Vec<(String, String)> = HEARTBEAT
        .iter()
        .map(|&h| (text_ms(h), format!("{h} ms")))
        .collect();
    let params = hooks.params.clone();
    let on_election = Callback::from(move |e: Event| {
        let v = e
            .target_unchecked_into::<web_sys::HtmlSelectElement>()
            .value();
        if let Some((lo, hi)) = v.split_once("..") {
            params.emit((
                "election timeout".into(),
                vec![
                    ("election_min".into(), lo.into()),
                    ("election_max".into(), hi.into()),
                ],
            ));
        }
    });
    let variant = serde_json::to_value(p.variant)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    let param = hooks.param.clone();
    let on_heartbeat = Callback::from(move |e: Event| {
        let v = e
            .target_unchecked_into::<web_sys::HtmlSelectElement>()
            .value();
        param.emit(("heartbeat".into(), v.into()));
    });
    html! {
        <div class="raft-settings">
            <label data-control="load">{ "election timeout " }
                <select onchange={on_election} aria-label="election timeout">{ options(&pairs(&choices), &current) }</select>
            </label>
            <label data-control="load">{ "heartbeat " }
                <select onchange={on_heartbeat} aria-label="heartbeat">{ options(&pairs(&beats), &heartbeat) }</select>
            </label>
            <label data-control="load">{ "variant " }
                <select onchange={super::param_select(hooks, "variant", false)} aria-label="variant">
                    { options(&[
                        ("correct", "correct"),
                        ("local-reads", "bug: leader reads locally (clients)"),
                        ("commit-previous-term", "bug: commit previous terms by count"),
                        ("no-log-check", "bug: votes without the log check"),
                        ("volatile-voted-for", "bug: votedFor not persisted"),
                    ], &variant) }
                </select>
            </label>
            { super::clients_select(hooks, p.clients) }
        </div>
    }
}

/// Log positions shown at once (the newest).
const SHOWN: usize = 12;
/// Characters of a command drawn in its cell (the title has all of it).
const CELL_CHARS: usize = 7;

/// One row of the table.
struct Row<'a> {
    id: usize,
    up: bool,
    log: &'a [splitbrain_raft::Entry],
    commit: u64,
    role: Role,
    term: u64,
    /// What the row's last column says, and its longer explanation.
    state: (String, String),
}

/// A command as short as a cell allows: `x=1` for a write, `get x` for a read, `x:1→2` for a
/// compare-and-set, `x++`; a client's command shows only the operation.
fn cell_text(cmd: &Cmd) -> String {
    let text = match cmd.op() {
        Cmd::Set { key, value } => format!("{key}={value}"),
        Cmd::Get { key } => format!("get {key}"),
        Cmd::Cas { key, old, new } => format!("{key}:{old}→{new}"),
        Cmd::Incr { key } => format!("{key}++"),
        Cmd::Session { op, .. } => op.to_string(),
    };
    if text.chars().count() > CELL_CHARS {
        let mut t: String = text.chars().take(CELL_CHARS - 1).collect();
        t.push('…');
        t
    } else {
        text
    }
}

fn log_table(lab: &dyn Lab) -> Option<Html> {
    let sim = lab.as_any().downcast_ref::<Simulator<Node>>()?;
    let world = sim.world();
    let n = lab.nodes();
    let majority = n / 2 + 1;
    let newest = splitbrain_raft::newest_term(&world);
    // The bookkeeping shown is the real leader's: a stale one's is no longer anyone's truth.
    let leader = (0..n)
        .filter_map(|i| sim.process(i).map(|p| (i, p)))
        .find(|(_, p)| p.role() == Role::Leader && p.term() == newest);
    let rows: Vec<Row> = (0..n)
        .map(|i| match sim.process(i) {
            Some(p) => {
                let state = match p.role() {
                    Role::Leader if p.term() < newest => (
                        "stale leader".into(),
                        format!("leads term {}, but term {newest} has begun: its entries can no longer commit", p.term()),
                    ),
                    Role::Leader => ("leader".into(), format!("leader of term {}", p.term())),
                    Role::Candidate => {
                        let votes: Vec<String> = p.votes().iter().map(|v| format!("n{v}")).collect();
                        (
                            format!("votes {} of {majority}", p.votes().len()),
                            format!("candidate for term {}: votes from {} (needs {majority})", p.term(), votes.join(", ")),
                        )
                    }
                    Role::Follower => match leader.and_then(|(l, lp)| Some((l, lp.progress(i)?))) {
                        Some((l, (next, matched))) => (
                            format!("next {next} · match {matched}"),
                            format!("n{l}'s nextIndex for n{i} is {next} (the next entry it sends) and matchIndex {matched} (the last entry known to be on n{i})"),
                        ),
                        None => (String::new(), String::new()),
                    },
                };
                Row {
                    id: i,
                    up: true,
                    log: p.log(),
                    commit: p.commit_index(),
                    role: p.role(),
                    term: p.term(),
                    state,
                }
            }
            None => {
                // A crashed node: what it will restart from (Fig. 2's persistent state).
                let d = world.durable(i);
                let (log, term) = d.map_or((&[][..], 0), |d| (&d.log[..], d.current_term));
                let vote = d.and_then(|d| d.voted_for).map_or("no vote".into(), |v| format!("voted n{v}"));
                Row {
                    id: i,
                    up: false,
                    log,
                    commit: 0,
                    role: Role::Follower,
                    term,
                    state: (
                        format!("kept t{term} · {vote} · {}", words::count(log.len(), "entry")),
                        "on disk: currentTerm, votedFor and the log survive the crash; commitIndex, the store and a leader's bookkeeping are lost and rebuilt after the restart".into(),
                    ),
                }
            }
        })
        .collect();
    let longest = rows.iter().map(|r| r.log.len()).max().unwrap_or(0);
    let first = longest.saturating_sub(SHOWN) + 1;
    let indices: Vec<usize> = (first..=longest.max(first))
        .filter(|&i| i <= longest)
        .collect();
    Some(html! {
        <section class="panel raft-log" aria-label="Raft logs">
            <h2>{ "Logs" } <span class="hint">{ "solid ✓ = committed on that node · dashed = not yet committed · t = term · next · match = the leader's nextIndex and matchIndex (§5.3)" }</span></h2>
            <div class="table-scroll">
            <table>
                <thead><tr><th>{ "node" }</th>{ for indices.iter().map(|i| html! { <th key={*i}>{ i }</th> }) }<th class="state">{ "" }</th></tr></thead>
                <tbody>
                { for rows.iter().map(|r| {
                    let id = r.id;
                    let stale = r.up && r.role == Role::Leader && r.term < newest;
                    let who = if !r.up { format!("n{id} (down)") } else if r.role == Role::Leader { format!("n{id} ★ t{}", r.term) } else { format!("n{id} t{}", r.term) };
                    html! {
                        <tr key={id} class={classes!((!r.up).then_some("down"), stale.then_some("stale"))} data-row={id.to_string()}>
                            <th>{ who }</th>
                            { for indices.iter().map(|&i| match r.log.get(i - 1) {
                                Some(e) => {
                                    let committed = (i as u64) <= r.commit;
                                    html! {
                                        <td key={i} class={classes!("entry", if committed { "committed" } else { "pending" }, format!("term-{}", e.term % 6))}
                                            title={format!("index {i}, term {}: {}{}", e.term, e.cmd, if committed { " (committed)" } else { "" })}>
                                            <span class="entry-term">{ format!("t{}{}", e.term, if committed { " ✓" } else { "" }) }</span>
                                            <span class="entry-cmd">{ cell_text(&e.cmd) }</span>
                                        </td>
                                    }
                                }
                                None => html! { <td key={i} class="empty"></td> },
                            }) }
                            <td class="state" title={r.state.1.clone()}>{ &r.state.0 }</td>
                        </tr>
                    }
                }) }
                </tbody>
            </table>
            </div>
        </section>
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cell_shows_the_command_short_enough_to_fit() {
        let set = |k: &str, v: &str| Cmd::Set {
            key: k.into(),
            value: v.into(),
        };
        assert_eq!(cell_text(&set("x", "1")), "x=1");
        assert_eq!(cell_text(&Cmd::Get { key: "k2".into() }), "get k2");
        assert_eq!(cell_text(&set("k1", "12345")), "k1=123…");
    }
}
