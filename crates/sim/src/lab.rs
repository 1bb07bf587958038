//! The object-safe facade the UI and the CLI hold as `Box<dyn Lab>`, whatever the algorithm.

use crate::NodeId;
use crate::control::{Action, ControlError};
use crate::invariant::Violation;
use crate::net::LinkConfig;
use crate::process::NodeView;
use crate::time::Time;
use crate::trace::{MsgId, TraceLine};
use crate::watch::{Fact, Watch};
use serde::Serialize;
use std::any::Any;

/// Why `run_until` returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RunOutcome {
    /// Virtual time reached the target.
    Reached,
    /// The per-call event budget ran out first (call again to continue).
    Budget,
    /// The run hit [`crate::limits::MAX_EVENTS`] or another hard limit and will not go further.
    Halted,
    /// An invariant broke and stop-on-violation is on; the clock stays at the breaking event.
    Violation,
}

/// One node as the UI draws it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeState {
    /// Its id.
    pub id: NodeId,
    /// `false` while crashed.
    pub up: bool,
    /// What the process shows (empty while down).
    pub view: NodeView,
    /// Armed timers: readable name and firing time.
    pub timers: Vec<(String, Time)>,
    /// The armed [`crate::Process::countdown`] timer: when it was armed and when it fires.
    pub countdown: Option<(Time, Time)>,
}

/// One message in flight, with what the animation needs to place it on its link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageView {
    /// Its id (the key for the UI list and for "drop this message").
    pub id: MsgId,
    /// Sender.
    pub from: NodeId,
    /// Receiver.
    pub to: NodeId,
    /// When it left.
    pub sent: Time,
    /// When it arrives.
    pub deliver: Time,
    /// Label for the inspector.
    pub label: String,
    /// The few characters drawn beside it.
    pub short: String,
    /// Category for colour.
    pub kind: &'static str,
    /// Set when the network duplicated message `copy_of` and this is the extra copy.
    pub copy_of: Option<MsgId>,
}

/// A message the network or the user dropped recently, so the view can fade it out where it
/// died instead of letting it vanish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DroppedView {
    /// Its id.
    pub id: MsgId,
    /// Sender.
    pub from: NodeId,
    /// Receiver.
    pub to: NodeId,
    /// When it left.
    pub sent: Time,
    /// When it would have arrived (`None`: dropped as it was sent).
    pub deliver: Option<Time>,
    /// When it was dropped.
    pub at: Time,
    /// Short label.
    pub label: String,
    /// Category for colour.
    pub kind: &'static str,
    /// Why, in words ("lost", "partitioned", "node down", ...).
    pub reason: &'static str,
}

/// A blocked directed link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkView {
    /// Sender side.
    pub from: NodeId,
    /// Receiver side.
    pub to: NodeId,
}

/// Everything the shared network view draws, as plain data.
#[derive(Debug, Clone, PartialEq)]
pub struct WorldView {
    /// Lab name.
    pub lab: &'static str,
    /// Current virtual time.
    pub now: Time,
    /// Events processed so far.
    pub events: u64,
    /// Every node.
    pub nodes: Vec<NodeState>,
    /// Messages in flight, by id.
    pub messages: Vec<MessageView>,
    /// The most recent drops, oldest first (empty unless [`Lab::keep_drops`] asked for them).
    pub dropped: Vec<DroppedView>,
    /// Blocked directed links.
    pub blocked: Vec<LinkView>,
    /// Default link settings.
    pub link: LinkConfig,
    /// Number of recorded violations.
    pub violations: usize,
}

/// A saved state of a run, to rewind to.
pub struct Checkpoint {
    pub(crate) lab: &'static str,
    pub(crate) state: Box<dyn Any>,
}

impl Checkpoint {
    /// The lab it belongs to.
    pub fn lab(&self) -> &'static str {
        self.lab
    }
}

impl std::fmt::Debug for Checkpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Checkpoint({})", self.lab)
    }
}

/// A running lab, whatever its algorithm. Object-safe.
pub trait Lab {
    /// Lab name, e.g. `broadcast` or `raft`.
    fn lab(&self) -> &'static str;
    /// Number of nodes: the servers, ids `0..nodes`.
    fn nodes(&self) -> usize;
    /// Number of client processes, ids `nodes..nodes + clients` (0 for labs without them).
    fn clients(&self) -> usize {
        0
    }
    /// Every client operation so far: invocation, and answer when there was one.
    fn history(&self) -> &[splitbrain_linearizable::Op] {
        &[]
    }
    /// Whether `node` is running (not crashed), without building a whole [`WorldView`].
    fn up(&self, node: NodeId) -> bool;
    /// Current virtual time.
    fn now(&self) -> Time;
    /// Events processed so far.
    fn events(&self) -> u64;
    /// Time of the next pending event, if any.
    fn next_event_time(&self) -> Option<Time>;
    /// Processes the next event. Returns `false` when nothing is pending or the run is halted.
    fn step(&mut self) -> bool;
    /// Processes the next live event if it is due at or before `limit` (stale queue entries,
    /// such as cancelled timers, are passed over without counting); `false` when there is none.
    /// A player stepping one event at a time uses it to apply an action due before that event.
    fn step_until(&mut self, limit: Time) -> bool;
    /// Processes every event up to and including time `t` (then sets the clock to `t`), or until
    /// `max_events` were processed in this call.
    fn run_until(&mut self, t: Time, max_events: u64) -> RunOutcome;
    /// Makes `run_until` stop right after the event that breaks an invariant (sweeps, and the
    /// UI's "pause on violation").
    fn set_stop_on_violation(&mut self, on: bool);
    /// Applies a user action now. On error the run is unchanged.
    fn control(&mut self, action: &Action) -> Result<(), ControlError>;
    /// Schedules a user action at virtual time `at >= now`.
    fn schedule(&mut self, at: Time, action: Action) -> Result<(), ControlError>;
    /// The state to draw.
    fn view(&self) -> WorldView;
    /// Keeps the last `n` dropped messages for [`WorldView::dropped`]. Off (0) by default, so
    /// sweeps and benchmarks do not pay for a picture nobody draws; not part of the run's hash.
    fn keep_drops(&mut self, n: usize);
    /// Names of the invariants checked after every event.
    fn invariant_names(&self) -> Vec<&'static str>;
    /// Violations found so far, oldest first.
    fn violations(&self) -> &[Violation];
    /// Why the run halted, if it did.
    fn halted(&self) -> Option<&str>;
    /// Hash of every trace event so far: equal hashes mean identical runs.
    fn trace_hash(&self) -> u64;
    /// Number of trace events ever recorded.
    fn trace_recorded(&self) -> u64;
    /// The last `n` trace events still held, oldest first.
    fn trace_tail(&self, n: usize) -> Vec<TraceLine>;
    /// Every trace event still held, as readable transcript lines.
    fn transcript(&self) -> Vec<String>;
    /// Lab-specific summary for the CLI and the embed API.
    fn summary(&self) -> serde_json::Value;
    /// Follows the run from now on, after every event (exercise goals); `None` stops watching.
    /// The watch sees the current state at once.
    fn set_watch(&mut self, watch: Option<Box<dyn Watch>>);
    /// The watch, to read what it has seen.
    fn watch(&self) -> Option<&dyn Watch>;
    /// Answers one question about the current state, as a watch would get it.
    fn fact(&self, fact: Fact) -> Option<f64>;
    /// Saves the whole run.
    fn checkpoint(&self) -> Checkpoint;
    /// Returns to a saved state of this run.
    fn restore(&mut self, cp: &Checkpoint) -> Result<(), ControlError>;
    /// For lab panels that need their concrete type.
    fn as_any(&self) -> &dyn Any;
    /// For experiments that retune a running lab ([`crate::Simulator::process_mut`]).
    fn as_any_mut(&mut self) -> &mut dyn Any;
}
