//! Watching a run after every event, for exercise goals.
//!
//! A goal ("a leader in term 3 or more while node 2 is down") is a predicate over what a lab
//! knows. The engine runs a [`Watch`] right after its invariants, after every event and every
//! live action, and answers the watch's [`Fact`] questions from the lab's state. Because the
//! watch sees exactly the events the invariants see, the page and `splitbrain grade` replaying
//! the same run decide a goal the same way, whatever the frame rate.

use crate::NodeId;
use crate::invariant::Violation;
use crate::time::Time;
use std::any::Any;

/// A question about the run a goal may ask after an event. Each lab answers the ones that make
/// sense for it ([`crate::Process::fact`]); `None` means "this lab has no such thing", so an
/// exercise can be refused before anyone tries to solve it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Fact {
    /// 1 while the node is running, 0 while it is crashed. The engine answers it for every lab.
    Up(NodeId),
    /// The term (Raft §5.1) or ballot round (Paxos) of the leader with the highest one among the
    /// nodes that are up; 0 while no node leads.
    LeaderTerm,
    /// The highest term or ballot round any node that is up has reached: dueling proposers
    /// (Paxos Made Simple §2.4) push it up without anything being chosen.
    Term,
    /// 1 when log index (Raft, from 1) or slot (Paxos, from 0) `n` is committed or chosen at a
    /// node that is up, else 0.
    Chosen(u64),
    /// Work done so far as the nodes that are up know it: the highest commit index (Raft), the
    /// most slots one node has learned (Paxos), answered client requests (hashing, load
    /// balancing). It falls when the node that knew most crashes; goals count only new highs.
    Progress,
    /// Membership changes (hashing: add, remove, reweight) whose migration has finished.
    Changes,
    /// Servers in the membership (hashing).
    Servers,
    /// The share of all keys the latest membership change moved, 0 before any (hashing).
    MovedShare,
    /// Reads so far that found their key unavailable: no replica answered (hashing).
    Unavailable,
    /// Request latencies recorded so far (load balancing): when it grows, [`Fact::LastLatency`]
    /// is the new one, so a goal can keep its own window of them.
    Latencies,
    /// The latest request latency in µs, from the first attempt to the answer (load balancing).
    LastLatency,
    /// 1 once the clients' history is shown not linearizable (a stale read, a doubled write),
    /// else 0; the engine answers it for runs with clients.
    NotLinearizable,
}

/// Answers [`Fact`] questions about the state just reached.
pub type Ask<'a> = dyn FnMut(Fact) -> Option<f64> + 'a;

/// Something that follows a run event by event: the classroom's goal checker. It is cloned with
/// the run into checkpoints, so a rewind restores what it had seen.
pub trait Watch: WatchClone {
    /// Called after every event and every live action, after the invariants, with the time, every
    /// violation recorded so far (oldest first) and a way to ask about the state.
    fn after_event(&mut self, now: Time, violations: &[Violation], ask: &mut Ask<'_>);
    /// For the owner to read its own type back.
    fn as_any(&self) -> &dyn Any;
}

/// Lets boxed watches be cloned with the simulator.
pub trait WatchClone {
    /// Clones into a box.
    fn clone_box(&self) -> Box<dyn Watch>;
}

impl<T: Watch + Clone + 'static> WatchClone for T {
    fn clone_box(&self) -> Box<dyn Watch> {
        Box::new(self.clone())
    }
}

impl Clone for Box<dyn Watch> {
    fn clone(&self) -> Self {
        self.clone_box()
    }
}
