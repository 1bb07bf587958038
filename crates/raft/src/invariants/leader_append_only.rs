//! Leader Append-Only (Fig. 3, §5.3): a leader never overwrites or deletes entries in its log;
//! it only appends new ones.

use super::changed;
use crate::{Entry, Node, Role, Term};
use splitbrain_sim::{Invariant, NodeId, World};

/// The log each node had when last seen as leader, with that term.
#[derive(Debug, Clone, Default)]
pub struct LeaderAppendOnly {
    seen: Vec<Option<(Term, Vec<Entry>)>>,
}

impl Invariant<Node> for LeaderAppendOnly {
    fn name(&self) -> &'static str {
        "LeaderAppendOnly"
    }
    fn source(&self) -> &'static str {
        "Raft §5.3, Fig. 3"
    }
    fn check(&mut self, world: &World<'_, Node>) -> Vec<(Vec<NodeId>, String)> {
        if self.seen.len() != world.len() {
            self.seen = vec![None; world.len()];
        }
        let mut out = Vec::new();
        for id in 0..world.len() {
            if world.node(id).is_none_or(|n| n.role() != Role::Leader) {
                self.seen[id] = None;
            }
        }
        for (id, n) in changed(world) {
            if n.role() != Role::Leader {
                continue;
            }
            if let Some((term, old)) = &self.seen[id]
                && *term == n.term()
            {
                let log = n.log();
                let kept = old.len() <= log.len() && log[..old.len()] == old[..];
                if !kept {
                    let i = old
                        .iter()
                        .zip(log)
                        .position(|(a, b)| a != b)
                        .unwrap_or(log.len());
                    out.push((
                        vec![id],
                        format!(
                            "leader n{id} of term {term} changed or removed its entry at index {}",
                            i + 1
                        ),
                    ));
                }
            }
            if self.seen[id]
                .as_ref()
                .is_none_or(|(t, l)| *t != n.term() || l.len() != n.log().len())
            {
                self.seen[id] = Some((n.term(), n.log().to_vec()));
            }
        }
        out
    }
}
