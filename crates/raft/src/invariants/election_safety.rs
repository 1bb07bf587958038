//! Election Safety (Fig. 3, §5.2): at most one leader can be elected in a given term.

use super::changed;
use crate::{Node, Role, Term};
use splitbrain_sim::{Invariant, NodeId, World};
use std::collections::BTreeMap;

/// Remembers every (term, leader) ever seen.
#[derive(Debug, Clone, Default)]
pub struct ElectionSafety {
    leaders: BTreeMap<Term, NodeId>,
}

impl Invariant<Node> for ElectionSafety {
    fn name(&self) -> &'static str {
        "ElectionSafety"
    }
    fn source(&self) -> &'static str {
        "Raft §5.2, Fig. 3"
    }
    fn check(&mut self, world: &World<'_, Node>) -> Vec<(Vec<NodeId>, String)> {
        let mut out = Vec::new();
        for (id, n) in changed(world) {
            if n.role() != Role::Leader {
                continue;
            }
            match self.leaders.get(&n.term()) {
                Some(&other) if other != id => out.push((
                    vec![other, id],
                    format!("two leaders in term {}: n{other} and n{id}", n.term()),
                )),
                Some(_) => {}
                None => {
                    self.leaders.insert(n.term(), id);
                }
            }
        }
        out
    }
}
