//! Log Matching (Fig. 3, §5.3): if two logs contain an entry with the same index and term, the
//! logs are identical in all entries up through that index.

use super::changed;
use crate::Node;
use splitbrain_sim::{Invariant, NodeId, World};

/// Stateless: compares the changed node's log with every other node's stable log.
#[derive(Debug, Clone, Copy, Default)]
pub struct LogMatching;

impl Invariant<Node> for LogMatching {
    fn name(&self) -> &'static str {
        "LogMatching"
    }
    fn source(&self) -> &'static str {
        "Raft §5.3, Fig. 3"
    }
    fn check(&mut self, world: &World<'_, Node>) -> Vec<(Vec<NodeId>, String)> {
        let mut out = Vec::new();
        for (a, na) in changed(world) {
            let la = na.log();
            for b in (0..world.len()).filter(|&b| b != a) {
                let lb = match (world.node(b), world.durable(b)) {
                    (Some(n), _) => n.log(),
                    (None, Some(d)) => &d.log[..],
                    (None, None) => continue,
                };
                // The highest index where both logs hold an entry of the same term...
                let common = la.len().min(lb.len());
                let Some(j) = (0..common).rev().find(|&i| la[i].term == lb[i].term) else {
                    continue;
                };
                // ...must be preceded by identical entries.
                if let Some(k) = (0..=j).find(|&i| la[i] != lb[i]) {
                    out.push((
                        vec![a, b],
                        format!(
                            "n{a} and n{b} both hold index {} in term {} but differ at index {}",
                            j + 1,
                            la[j].term,
                            k + 1
                        ),
                    ));
                }
            }
        }
        out
    }
}
