//! Safety properties checked after every event.

use crate::NodeId;
use crate::process::Process;
use crate::sim::NodeSlot;
use crate::time::Time;
use serde::Serialize;

/// A read-only view of the whole run, for invariants and summaries. Borrowing, not copying, so
/// checking after every event allocates nothing.
pub struct World<'a, P: Process> {
    /// Current virtual time.
    pub now: Time,
    /// Index of the trace event that caused the state being checked.
    pub event: u64,
    /// The only node the event could change, when there is one (a delivery, a timer, a
    /// command, a start or a crash); `None` after network-wide actions. Invariants about single
    /// nodes can check just this one, so checking after every event stays cheap at 500 nodes.
    pub touched: Option<NodeId>,
    pub(crate) slots: &'a [NodeSlot<P>],
}

impl<'a, P: Process> World<'a, P> {
    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.slots.len()
    }
    /// `true` for a run without nodes.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }
    /// A node's process, `None` while it is down.
    pub fn node(&self, id: NodeId) -> Option<&'a P> {
        self.slots.get(id).and_then(|s| s.proc.as_ref())
    }
    /// A node's stable storage, also while it is down.
    pub fn durable(&self, id: NodeId) -> Option<&'a P::Durable> {
        self.slots.get(id).map(|s| &s.durable)
    }
    /// Every node that is up, in id order.
    pub fn up(&self) -> impl Iterator<Item = (NodeId, &'a P)> + 'a {
        self.slots
            .iter()
            .enumerate()
            .filter_map(|(i, s)| s.proc.as_ref().map(|p| (i, p)))
    }
}

/// A property that must hold in every reachable state, from the algorithm's paper.
///
/// Invariants may keep history (e.g. every value ever committed), which is why `check` takes
/// `&mut self`; that history is part of a checkpoint.
pub trait Invariant<P: Process>: InvariantClone<P> {
    /// Name shown to users, e.g. `ElectionSafety`.
    fn name(&self) -> &'static str;
    /// Where the property comes from, e.g. `Raft §5.2, Fig. 3`.
    fn source(&self) -> &'static str;
    /// Returns one message per broken instance; empty when the property holds.
    fn check(&mut self, world: &World<'_, P>) -> Vec<(Vec<NodeId>, String)>;
}

/// Lets boxed invariants be cloned with the simulator for checkpoints.
pub trait InvariantClone<P: Process> {
    /// Clones into a box.
    fn clone_box(&self) -> Box<dyn Invariant<P>>;
}

impl<P: Process, T: Invariant<P> + Clone + 'static> InvariantClone<P> for T {
    fn clone_box(&self) -> Box<dyn Invariant<P>> {
        Box::new(self.clone())
    }
}

impl<P: Process> Clone for Box<dyn Invariant<P>> {
    fn clone(&self) -> Self {
        self.clone_box()
    }
}

/// A broken invariant, with the event that broke it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Violation {
    /// Name of the invariant.
    pub invariant: &'static str,
    /// Its source in the paper.
    pub source: &'static str,
    /// Nodes involved.
    pub nodes: Vec<NodeId>,
    /// What is wrong, with the index or term.
    pub message: String,
    /// Virtual time of the event.
    pub time: Time,
    /// Index of the trace event after which it was detected.
    pub event: u64,
    /// That event, as a transcript line.
    pub event_text: String,
}
