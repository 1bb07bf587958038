//! The Fig. 3 properties, one file each, checked after every event.
//!
//! Each keeps the history it needs (leaders per term, committed and applied entries), which is
//! part of a checkpoint. Checks look at the node the event touched when the engine says which,
//! so they stay cheap.

mod election_safety;
mod leader_append_only;
mod leader_completeness;
mod log_matching;
mod state_machine_safety;

pub use election_safety::ElectionSafety;
pub use leader_append_only::LeaderAppendOnly;
pub use leader_completeness::LeaderCompleteness;
pub use log_matching::LogMatching;
pub use state_machine_safety::StateMachineSafety;

use crate::Node;
use splitbrain_sim::{Invariant, NodeId, World};

/// Every invariant of the Raft lab.
pub fn all() -> Vec<Box<dyn Invariant<Node>>> {
    vec![
        Box::new(ElectionSafety::default()),
        Box::new(LeaderAppendOnly::default()),
        Box::new(LogMatching::default()),
        Box::new(LeaderCompleteness::default()),
        Box::new(StateMachineSafety::default()),
    ]
}

/// The nodes an event may have changed: the touched one, or every node that is up.
pub(crate) fn changed<'a>(world: &World<'a, Node>) -> Vec<(NodeId, &'a Node)> {
    match world.touched {
        Some(id) => world.node(id).map(|n| (id, n)).into_iter().collect(),
        None => world.up().collect(),
    }
}
