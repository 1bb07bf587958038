//! Leader Append-Only (Fig. 3, §5.3): a leader never overwrites or deletes entries in its log;
//! it only appends new ones.

use super::changed;
use crate::{Entry, Node, Role, Term};
use splitbrain_sim::{Invariant, NodeId, World};

/// The log each node had when last seen as leader, with that term.
#[derive(Debug, Clone, Default)]
pub struct LeaderAppendOnly {
    /// Per node while it leads: its term, and a copy of its log grown by appending only what
    /// is new (so each event costs O(new entries), not O(log)), with the digest it had.
    seen: Vec<Option<(Term, Vec<Entry>, u64)>>,
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
            let log = n.log();
            match &mut self.seen[id] {
                Some((term, old, digest)) if *term == n.term() => {
                    let kept =
                        old.len() <= log.len() && n.digest(old.len() as u64) == Some(*digest);
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
                        self.seen[id] = Some((
                            n.term(),
                            log.to_vec(),
                            n.digest(log.len() as u64).unwrap_or_default(),
                        ));
                    } else if old.len() < log.len() {
                        old.extend_from_slice(&log[old.len()..]);
                        *digest = n.digest(log.len() as u64).unwrap_or_default();
                    }
                }
                _ => {
                    self.seen[id] = Some((
                        n.term(),
                        log.to_vec(),
                        n.digest(log.len() as u64).unwrap_or_default(),
                    ));
                }
            }
        }
        out
    }
}
