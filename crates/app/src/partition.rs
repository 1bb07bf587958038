//! The partition tool: put each node in group A, B or C and apply, to split the network
//! anywhere (a minority leader, a three-way split), not just cut one node off.

use splitbrain_sim::NodeId;
use yew::prelude::*;

/// Groups a learner can choose from.
const LETTERS: [char; 3] = ['A', 'B', 'C'];

/// Props of the partition tool.
#[derive(Properties, PartialEq)]
pub struct PartitionProps {
    /// The group each node is in now (from the network view), the tool's starting point.
    pub current: Vec<usize>,
    /// Servers in the run: the nodes after them are clients, labelled `c1`….
    pub servers: usize,
    /// Apply: the group (letter) of each node.
    pub on_apply: Callback<Vec<usize>>,
    /// Close without changing anything.
    pub on_cancel: Callback<()>,
}

/// The members of each group, in letter order, leaving out empty groups.
pub fn groups_of(assignment: &[usize]) -> Vec<Vec<NodeId>> {
    (0..LETTERS.len())
        .map(|g| {
            (0..assignment.len())
                .filter(|&i| assignment[i] == g)
                .collect::<Vec<_>>()
        })
        .filter(|members| !members.is_empty())
        .collect()
}

/// The group of each node as the learner lettered it (`chosen`), while the network is still
/// split that way; otherwise as `current` numbers them (by lowest node), so the picture never
/// shows letters the learner did not pick once something else changed the partition.
pub fn lettered(current: &[usize], chosen: &[usize]) -> Vec<usize> {
    let same = chosen.len() == current.len()
        && (0..current.len()).all(|i| {
            (0..current.len()).all(|j| (current[i] == current[j]) == (chosen[i] == chosen[j]))
        });
    if same {
        chosen.to_vec()
    } else {
        current.to_vec()
    }
}

/// The partition tool.
#[component]
pub fn PartitionTool(props: &PartitionProps) -> Html {
    let groups = use_state(|| {
        props
            .current
            .iter()
            .map(|&g| g.min(LETTERS.len() - 1))
            .collect::<Vec<_>>()
    });
    let buttons = (0..groups.len()).map(|i| {
        let g = groups[i];
        let name = splitbrain_sim::words::node_name(i, props.servers);
        let cycle = {
            let groups = groups.clone();
            Callback::from(move |_: MouseEvent| {
                let mut next = (*groups).clone();
                next[i] = (next[i] + 1) % LETTERS.len();
                groups.set(next);
            })
        };
        html! {
            <button key={i} class={format!("pgroup pgroup-{g}")} onclick={cycle} data-node={i.to_string()}
                    aria-label={format!("{name} is in group {}; click for the next group", LETTERS[g])}>
                { format!("{name} {}", LETTERS[g]) }
            </button>
        }
    });
    let apply = {
        let groups = groups.clone();
        let on_apply = props.on_apply.clone();
        Callback::from(move |_: MouseEvent| on_apply.emit((*groups).clone()))
    };
    let cancel = props.on_cancel.reform(|_: MouseEvent| ());
    let split = groups_of(&groups).len();
    html! {
        <div class="controls partition-tool" role="group" aria-label="partition tool">
            <span class="hint">{ "Click a node to move it to the next group; nodes in different groups cannot talk." }</span>
            <div class="pgroups">{ for buttons }</div>
            <button class="primary" onclick={apply} data-testid="apply-partition">
                { if split > 1 { format!("Split into {split} groups") } else { "Apply (one group: heal)".to_string() } }
            </button>
            <button onclick={cancel}>{ "Cancel" }</button>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::{groups_of, lettered};

    #[test]
    fn groups_list_members_by_letter_and_skip_empty_ones() {
        assert_eq!(groups_of(&[0, 2, 0, 2, 2]), vec![vec![0, 2], vec![1, 3, 4]]);
        assert_eq!(groups_of(&[1, 1, 1]), vec![vec![0, 1, 2]]);
    }

    #[test]
    fn the_learners_letters_stay_while_the_split_is_theirs() {
        // n0 and n1 put in B: after Apply they stay B, not re-lettered A by lowest node.
        assert_eq!(
            lettered(&[0, 0, 1, 1, 1], &[1, 1, 0, 0, 0]),
            vec![1, 1, 0, 0, 0]
        );
        // Healed, or split differently since (an isolate): the network's own numbering.
        assert_eq!(lettered(&[0, 0, 0, 0, 0], &[1, 1, 0, 0, 0]), vec![0; 5]);
        assert_eq!(
            lettered(&[0, 1, 0, 0, 0], &[1, 1, 0, 0, 0]),
            vec![0, 1, 0, 0, 0]
        );
        assert_eq!(lettered(&[0, 1], &[]), vec![0, 1]);
    }
}
