//! The contract between an algorithm and the simulator.

use crate::NodeId;
use crate::invariant::World;
use crate::rng::SimRng;
use crate::storage::Storage;
use crate::time::{Duration, Time};
use crate::watch::Fact;
use splitbrain_linearizable::{Input, Output};
use std::fmt::{Debug, Display};
use std::hash::Hash;

/// A short, human label for a message or command, for the animation, the log and transcripts.
pub trait Describe {
    /// A few words, e.g. `AppendEntries t=3 [5..7]`.
    fn label(&self) -> String;
    /// A stable category, used for colour and filtering, e.g. `"vote"` or `"append"`.
    fn kind(&self) -> &'static str;
    /// The few characters drawn beside the moving message, e.g. `Append t3 [5..7]`. By default
    /// the first two words of the label.
    fn short(&self) -> String {
        let label = self.label();
        let mut words = label.split_whitespace();
        match (words.next(), words.next()) {
            (Some(a), Some(b)) => format!("{a} {b}"),
            (Some(a), None) => a.to_string(),
            _ => String::new(),
        }
    }
}

/// What the inspector shows for one node: plain data, no references into the process.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NodeView {
    /// Short role shown on the node, e.g. `leader`, `follower`, `acceptor`.
    pub role: String,
    /// One line under the node, e.g. `term 3 · log 7`.
    pub summary: String,
    /// Name/value rows for the inspector.
    pub fields: Vec<(String, String)>,
}

/// An effect a process asks for. Effects are data, so a unit test of an algorithm can assert on
/// them without running a simulator, and the simulator applies them in the order they were made.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect<P: Process> {
    /// Send `msg` to node `to` through the network.
    Send {
        /// Destination node.
        to: NodeId,
        /// The message.
        msg: P::Msg,
    },
    /// Send `msg` to every other node, in id order.
    Broadcast {
        /// The message.
        msg: P::Msg,
    },
    /// Arm `timer` to fire after a duration the simulator draws uniformly from `min..=max`.
    /// Arming a timer that is already armed re-arms it (an election timeout reset).
    SetTimer {
        /// Which timer.
        timer: P::Timer,
        /// Shortest delay.
        min: Duration,
        /// Longest delay.
        max: Duration,
    },
    /// Disarm `timer` if armed.
    CancelTimer {
        /// Which timer.
        timer: P::Timer,
    },
    /// Write the node's stable storage: what survives a crash.
    Persist(<P::Durable as Storage>::Write),
    /// A line for the trace and the event log.
    Note(String),
    /// A client invoked operation `op` (its own numbering) now: the history records it.
    Invoke {
        /// The client's number for it.
        op: u64,
        /// What it asks.
        input: Input,
    },
    /// A client's operation `op` returned now with `output`.
    Return {
        /// The client's number for it.
        op: u64,
        /// The answer.
        output: Output,
    },
}

/// A node's context during one handler call: who it is, what time it is, its own random stream,
/// and the list where its effects are collected.
pub struct Cx<'a, P: Process> {
    id: NodeId,
    nodes: usize,
    now: Time,
    rng: &'a mut SimRng,
    effects: &'a mut Vec<Effect<P>>,
}

impl<'a, P: Process> Cx<'a, P> {
    /// A context; the simulator makes these, and so can unit tests of an algorithm.
    pub fn new(
        id: NodeId,
        nodes: usize,
        now: Time,
        rng: &'a mut SimRng,
        effects: &'a mut Vec<Effect<P>>,
    ) -> Self {
        Self {
            id,
            nodes,
            now,
            rng,
            effects,
        }
    }
    /// This node's id.
    pub fn id(&self) -> NodeId {
        self.id
    }
    /// Number of servers in the run (ids `0..nodes`; clients, if any, come after them).
    pub fn nodes(&self) -> usize {
        self.nodes
    }
    /// Every other node, in id order.
    pub fn peers(&self) -> impl Iterator<Item = NodeId> + use<P> {
        let me = self.id;
        (0..self.nodes).filter(move |&n| n != me)
    }
    /// A uniformly random other node, drawn from this node's stream; `None` when alone.
    pub fn random_peer(&mut self) -> Option<NodeId> {
        let n = self.nodes as u64;
        if n < 2 {
            return None;
        }
        let pick = self.rng.below(n - 1);
        let me = self.id as u64;
        Some((if pick >= me { pick + 1 } else { pick }) as NodeId)
    }
    /// Current virtual time in µs.
    pub fn now(&self) -> Time {
        self.now
    }
    /// This node's own seeded random stream.
    pub fn rng(&mut self) -> &mut SimRng {
        self.rng
    }
    /// Sends `msg` to `to`.
    pub fn send(&mut self, to: NodeId, msg: P::Msg) {
        self.effects.push(Effect::Send { to, msg });
    }
    /// Sends `msg` to every other node.
    pub fn broadcast(&mut self, msg: P::Msg) {
        self.effects.push(Effect::Broadcast { msg });
    }
    /// Arms `timer` for a delay drawn from `min..=max`.
    pub fn set_timer(&mut self, timer: P::Timer, min: Duration, max: Duration) {
        self.effects.push(Effect::SetTimer { timer, min, max });
    }
    /// Disarms `timer`.
    pub fn cancel_timer(&mut self, timer: P::Timer) {
        self.effects.push(Effect::CancelTimer { timer });
    }
    /// Writes stable storage: the whole value for most labs, one log append for Raft.
    pub fn persist(&mut self, write: <P::Durable as Storage>::Write) {
        self.effects.push(Effect::Persist(write));
    }
    /// A client records that it invoked operation `op` (see [`crate::Lab::history`]).
    pub fn invoke(&mut self, op: u64, input: Input) {
        self.effects.push(Effect::Invoke { op, input });
    }
    /// A client records that operation `op` returned `output`.
    pub fn complete(&mut self, op: u64, output: Output) {
        self.effects.push(Effect::Return { op, output });
    }
    /// Adds a line to the trace.
    pub fn note(&mut self, text: impl Into<String>) {
        self.effects.push(Effect::Note(text.into()));
    }
}

/// An algorithm running on one node, as a pure state machine.
///
/// A process never reads a clock, never draws OS randomness and never does I/O: everything it
/// learns arrives as a handler call and everything it does leaves as an [`Effect`].
///
/// Crash semantics are enforced by the simulator, not trusted to the process: on a crash the
/// instance is thrown away; on restart a copy of the node's *initial* instance gets
/// [`Process::on_start`] with whatever it last persisted. So a variant that forgets to persist a
/// field really loses it.
pub trait Process: Clone + 'static {
    /// Messages between nodes. `Hash` feeds the run's trace hash: keep `Vec<usize>` out of it
    /// (see [`crate::StableHasher`]).
    type Msg: Clone + Debug + Hash + Describe;
    /// Timer names; one armed instance per name per node.
    /// `Display` is what the event log and the inspector show: words, not Rust syntax.
    type Timer: Clone + Debug + Display + Hash + Ord;
    /// Client requests and user input delivered to one node.
    /// `Display` gives the text [`Process::parse_command`] reads back.
    type Command: Clone + Debug + Display + Hash;
    /// Stable storage: what survives a crash, and the writes that change it.
    type Durable: Storage;

    /// Boot, and restart after a crash with what was last persisted (`Default` at first boot).
    fn on_start(&mut self, durable: &Self::Durable, cx: &mut Cx<'_, Self>);
    /// A message from `from` arrived.
    fn on_message(&mut self, from: NodeId, msg: Self::Msg, cx: &mut Cx<'_, Self>);
    /// `timer` fired.
    fn on_timer(&mut self, timer: Self::Timer, cx: &mut Cx<'_, Self>);
    /// A client request or user command for this node.
    fn on_command(&mut self, cmd: Self::Command, cx: &mut Cx<'_, Self>);
    /// Called on the instance that is about to be discarded by a crash. It cannot act; it may say
    /// what was lost (e.g. `"lost commitIndex 7"`), which goes into the trace.
    fn on_crash(&self) -> Option<String> {
        None
    }
    /// Corrects the drawn views with what the whole run knows and no single node does (a Raft
    /// leader whose term a newer one has replaced, still acting on stale belief: §5.1). Called
    /// for each node that is up when the page draws it.
    fn annotate(_world: &World<'_, Self>, _node: NodeId, _view: &mut NodeView) {}
    /// Whether the page draws `timer` as a ring on the node that runs down to its firing: the
    /// timeout that decides who acts next (Raft's election timeout, §5.2; a Paxos proposer's
    /// retry), so a learner sees who will time out first and why votes split.
    fn countdown(_timer: &Self::Timer) -> bool {
        false
    }
    /// Parses a command as typed by a user or written in a scenario file.
    fn parse_command(text: &str) -> Result<Self::Command, String>;
    /// Plain data for the inspector.
    fn view(&self) -> NodeView;
    /// Lab-level summary of a run (leader, chosen values, delivered count...) for the CLI's JSON
    /// output and the embed API.
    fn summarize(world: &World<'_, Self>) -> serde_json::Value {
        let _ = world;
        serde_json::Value::Null
    }
    /// Answers an exercise goal's question about the run (see [`Fact`]); `None` for facts this
    /// lab does not have. Called after every event while an exercise is open, so it should
    /// look at little: the touched node, or a counter the lab keeps.
    fn fact(world: &World<'_, Self>, fact: Fact) -> Option<f64> {
        let _ = (world, fact);
        None
    }
}
