//! State Machine Safety (Fig. 3, §5.4.3): if a server has applied a log entry at a given index
//! to its state machine, no other server will ever apply a different log entry for that index.

use super::changed;
use crate::{Entry, Index, Node};
use splitbrain_sim::{Invariant, NodeId, World};
use std::collections::BTreeMap;

/// The first entry applied at each index, and by whom; per node, how far it was checked.
#[derive(Debug, Clone, Default)]
pub struct StateMachineSafety {
    applied: BTreeMap<Index, (Entry, NodeId)>,
    checked: Vec<Index>,
}

impl Invariant<Node> for StateMachineSafety {
    fn name(&self) -> &'static str {
        "StateMachineSafety"
    }
    fn source(&self) -> &'static str {
        "Raft §5.4.3, Fig. 3"
    }
    fn check(&mut self, world: &World<'_, Node>) -> Vec<(Vec<NodeId>, String)> {
        if self.checked.len() != world.len() {
            self.checked = vec![0; world.len()];
        }
        let mut out = Vec::new();
        for (id, n) in changed(world) {
            // A restarted node applies again from index 1.
            if n.last_applied() < self.checked[id] {
                self.checked[id] = 0;
            }
            for i in (self.checked[id] + 1)..=n.last_applied() {
                let Some(e) = n.log().get(i as usize - 1) else {
                    break;
                };
                match self.applied.get(&i) {
                    Some((first, by)) if first != e => {
                        out.push((
                            vec![*by, id],
                            format!(
                                "index {i}: n{by} applied {} (term {}) but n{id} applied {} (term {})",
                                first.cmd, first.term, e.cmd, e.term
                            ),
                        ));
                        break;
                    }
                    Some(_) => {}
                    None => {
                        self.applied.insert(i, (e.clone(), id));
                    }
                }
            }
            self.checked[id] = n.last_applied();
        }
        out
    }
}
