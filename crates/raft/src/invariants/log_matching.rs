//! Log Matching (Fig. 3, §5.3): if two logs contain an entry with the same index and term, the
//! logs are identical in all entries up through that index.

use super::changed;
use crate::{Entry, Node};
use splitbrain_sim::{Invariant, NodeId, World};

/// Compares the changed node's log with every other node's log through digests (see
/// [`crate::chain`]): O(1) per pair when logs agree, an entry-by-entry search only to name a
/// violation. A crashed node's stable log cannot change while it is down, so its digests are
/// computed once and kept until it restarts.
#[derive(Debug, Clone, Default)]
pub struct LogMatching {
    down: Vec<Option<Vec<u64>>>,
}

impl Invariant<Node> for LogMatching {
    fn name(&self) -> &'static str {
        "LogMatching"
    }
    fn source(&self) -> &'static str {
        "Raft §5.3, Fig. 3"
    }
    fn check(&mut self, world: &World<'_, Node>) -> Vec<(Vec<NodeId>, String)> {
        if self.down.len() != world.len() {
            self.down = vec![None; world.len()];
        }
        for b in 0..world.len() {
            if world.node(b).is_some() {
                self.down[b] = None;
            } else if self.down[b].is_none() {
                self.down[b] = world.durable(b).map(|d| crate::digests(&d.log));
            }
        }
        let mut out = Vec::new();
        for (a, na) in changed(world) {
            let la = na.log();
            for b in (0..world.len()).filter(|&b| b != a) {
                let (lb, db): (&[Entry], &dyn Fn(usize) -> u64) =
                    match (world.node(b), world.durable(b), &self.down[b]) {
                        (Some(n), _, _) => {
                            (n.log(), &|i| n.digest(i as u64 + 1).unwrap_or_default())
                        }
                        (None, Some(d), Some(dig)) => (&d.log[..], &|i| dig[i]),
                        _ => continue,
                    };
                // The highest index where both logs hold an entry of the same term...
                let common = la.len().min(lb.len());
                let Some(j) = (0..common).rev().find(|&i| la[i].term == lb[i].term) else {
                    continue;
                };
                // ...must be preceded by identical entries.
                if na.digest(j as u64 + 1) == Some(db(j)) {
                    continue;
                }
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
