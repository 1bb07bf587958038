//! Leader Completeness (Fig. 3, §5.4): if a log entry is committed in a given term, that entry
//! will be present in the logs of the leaders for all higher-numbered terms.

use super::changed;
use crate::{Entry, Index, Node, Role, Term};
use splitbrain_sim::{Invariant, NodeId, World};
use std::collections::BTreeMap;

/// Every entry any node ever treated as committed, by index, with the node that first did and
/// that node's term at the time. That term is the term the entry was committed in, or later
/// (the committing leader usually is the first to know), so the check never over-reaches.
#[derive(Debug, Clone, Default)]
pub struct LeaderCompleteness {
    committed: BTreeMap<Index, (Entry, NodeId, Term)>,
    /// Per node, the last successful check while it led: (its term, the highest committed index
    /// then, the length `m` of its log prefix that covered it, the digest through `m`). While
    /// that prefix is unchanged only entries committed since need checking, so a long log
    /// costs nothing per event. Committed indices are only ever added above the highest one.
    verified: Vec<Option<(Term, Index, Index, u64)>>,
}

impl Invariant<Node> for LeaderCompleteness {
    fn name(&self) -> &'static str {
        "LeaderCompleteness"
    }
    fn source(&self) -> &'static str {
        "Raft §5.4, Fig. 3"
    }
    fn check(&mut self, world: &World<'_, Node>) -> Vec<(Vec<NodeId>, String)> {
        let mut out = Vec::new();
        for (id, n) in changed(world) {
            let known = self.committed.len() as Index;
            for i in (known + 1)..=n.commit_index() {
                if let Some(e) = n.log().get(i as usize - 1) {
                    self.committed
                        .entry(i)
                        .or_insert_with(|| (e.clone(), id, n.term()));
                }
            }
            if n.role() != Role::Leader {
                continue;
            }
            if self.verified.len() != world.len() {
                self.verified = vec![None; world.len()];
            }
            let from = match self.verified[id] {
                Some((term, k, m, digest)) if term == n.term() && n.digest(m) == Some(digest) => {
                    k + 1
                }
                _ => 1,
            };
            let before = out.len();
            for (&i, (e, by, in_term)) in self.committed.range(from..) {
                // Only leaders of terms after the one it was committed in must hold it.
                if *in_term >= n.term() {
                    continue;
                }
                if n.log().get(i as usize - 1) != Some(e) {
                    out.push((
                        vec![id, *by],
                        format!(
                            "leader n{id} of term {} lacks index {i} (term {}, {}) committed by n{by} in term {in_term}",
                            n.term(),
                            e.term,
                            e.cmd
                        ),
                    ));
                    break;
                }
            }
            let highest = self.committed.keys().next_back().copied().unwrap_or(0);
            self.verified[id] = (out.len() == before).then(|| {
                let m = highest.min(n.log().len() as Index);
                (n.term(), highest, m, n.digest(m).unwrap_or_default())
            });
        }
        out
    }
}
