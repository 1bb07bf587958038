//! The Raft panel: every node's log side by side, by index, with committed and uncommitted
//! entries told apart by border and mark as well as colour.

use splitbrain_raft::{Node, Role};
use splitbrain_sim::{Lab, Simulator};
use yew::prelude::*;

/// Log positions shown at once (the newest).
const SHOWN: usize = 16;

pub fn log_table(lab: &dyn Lab) -> Option<Html> {
    let sim = lab.as_any().downcast_ref::<Simulator<Node>>()?;
    let world = sim.world();
    let logs: Vec<_> = (0..lab.nodes())
        .map(|i| match sim.process(i) {
            Some(n) => (i, true, n.log(), n.commit_index(), n.role(), n.term()),
            None => {
                // A crashed node: show what it will restart from.
                let (log, term) = world
                    .durable(i)
                    .map_or((&[][..], 0), |d| (&d.log[..], d.current_term));
                (i, false, log, 0, Role::Follower, term)
            }
        })
        .collect();
    let longest = logs.iter().map(|l| l.2.len()).max().unwrap_or(0);
    let first = longest.saturating_sub(SHOWN) + 1;
    let indices: Vec<usize> = (first..=longest.max(first))
        .filter(|&i| i <= longest)
        .collect();
    Some(html! {
        <section class="panel raft-log" aria-label="Raft logs">
            <h2>{ "Logs" } <span class="hint">{ "solid ✓ = committed on that node · dashed = not yet committed · t = term" }</span></h2>
            <table>
                <thead><tr><th>{ "node" }</th>{ for indices.iter().map(|i| html! { <th key={*i}>{ i }</th> }) }</tr></thead>
                <tbody>
                { for logs.iter().map(|(id, up, log, commit, role, term)| {
                    let who = if !up { format!("n{id} (down)") } else if *role == Role::Leader { format!("n{id} ★ t{term}") } else { format!("n{id} t{term}") };
                    html! {
                        <tr key={*id} class={classes!((!up).then_some("down"))}>
                            <th>{ who }</th>
                            { for indices.iter().map(|&i| match log.get(i - 1) {
                                Some(e) => {
                                    let committed = (i as u64) <= *commit;
                                    html! {
                                        <td key={i} class={classes!("entry", if committed { "committed" } else { "pending" }, format!("term-{}", e.term % 6))}
                                            title={format!("index {i}, term {}: {}{}", e.term, e.cmd, if committed { " (committed)" } else { "" })}>
                                            { format!("t{}{}", e.term, if committed { " ✓" } else { "" }) }
                                        </td>
                                    }
                                }
                                None => html! { <td key={i} class="empty"></td> },
                            }) }
                        </tr>
                    }
                }) }
                </tbody>
            </table>
        </section>
    })
}
