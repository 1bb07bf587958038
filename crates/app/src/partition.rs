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
    /// Apply: the members of each group.
    pub on_apply: Callback<Vec<Vec<NodeId>>>,
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
                    aria-label={format!("n{i} is in group {}; click for the next group", LETTERS[g])}>
                { format!("n{i} {}", LETTERS[g]) }
            </button>
        }
    });
    let apply = {
        let groups = groups.clone();
        let on_apply = props.on_apply.clone();
        Callback::from(move |_: MouseEvent| on_apply.emit(groups_of(&groups)))
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
    use super::groups_of;

    #[test]
    fn groups_list_members_by_letter_and_skip_empty_ones() {
        assert_eq!(groups_of(&[0, 2, 0, 2, 2]), vec![vec![0, 2], vec![1, 3, 4]]);
        assert_eq!(groups_of(&[1, 1, 1]), vec![vec![0, 1, 2]]);
    }
}
