//! Paxos, following Lamport, "Paxos Made Simple" (2001) for the single-decree protocol (§2) and
//! van Renesse & Altinbuken, "Paxos Made Moderately Complex" (ACM Computing Surveys 2015) for
//! Multi-Paxos (§3 and §4). Section numbers below refer to those papers as "PMS" and "PMMC".
//!
//! Every node is a learner; nodes `0..proposers` are proposers and nodes `0..acceptors` are
//! acceptors, so roles can be co-located or apart. A proposer talks to its own co-located
//! acceptor and learner directly, without a network hop, as a real process would.
//!
//! - **Single-decree** ([`Mode::Single`]): each proposer wants its own value chosen for slot 0
//!   and runs phase 1 (Prepare/Promise) and phase 2 (Accept/Accepted) per attempt (PMS §2.2).
//!   Two proposers with short, fixed retry timeouts can preempt each other forever (PMS §2.4);
//!   randomized backoff or a distinguished proposer ends it.
//! - **Multi-Paxos** ([`Mode::Multi`]): a leader runs phase 1 once for every slot from its first
//!   unlearned one (PMMC §3 "scouts"), then phase 2 per slot for client commands ("commanders"),
//!   re-proposes the highest-ballot value reported for each slot, fills gaps with no-ops
//!   (PMS §3), is deposed by a higher ballot, and sends heartbeats that let lagging learners
//!   catch up. Learned commands drive the same key-value store as the Raft lab.
//!
//! Acceptors persist their promised ballot and every accepted (ballot, value) (PMS §2.3,
//! "an acceptor must remember this information even if it fails and then restarts"); proposers
//! persist the highest round they used, so a restarted proposer never reuses a ballot. The five
//! safety properties live in [`invariants`]; [`Variant`] selects deliberately broken versions.
#![forbid(unsafe_code)]

mod client;
pub mod invariants;
mod node;

pub use node::{Attempt, Durable, Msg, Node, Observed, Outcome, Phase, Slot, Timer};
pub use splitbrain_kv::Cmd;

use serde::{Deserialize, Serialize};
use splitbrain_sim::{Duration, NodeId, format_time, ms};
use std::fmt;
use std::rc::Rc;

/// Lab name in the registry, the CLI and links.
pub const LAB: &str = "paxos";

/// Most slots a Multi-Paxos run decides: a clear limit instead of an ever-growing acceptor state.
pub const MAX_SLOTS: Slot = 2_000;

/// A ballot (PMS's "proposal number"): a round and the proposer that owns it. Ordered by round,
/// then by proposer, so ballots of different proposers never tie (PMS §2.5: "different
/// proposers choose their numbers from disjoint sets").
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
pub struct Ballot {
    /// The round; 0 only in [`Ballot::ZERO`].
    pub round: u64,
    /// The proposer whose ballot this is (a `u32` so hashes agree natively and in wasm).
    pub node: u32,
}

impl Ballot {
    /// Below every real ballot: what an acceptor has promised before its first Prepare.
    pub const ZERO: Ballot = Ballot { round: 0, node: 0 };
    /// Proposer `node`'s ballot in `round`.
    pub fn new(round: u64, node: NodeId) -> Self {
        Self {
            round,
            node: node as u32,
        }
    }
    /// The proposer that owns it.
    pub fn owner(self) -> NodeId {
        self.node as NodeId
    }
}

impl fmt::Display for Ballot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if *self == Ballot::ZERO {
            write!(f, "—")
        } else {
            write!(f, "{}.{}", self.round, self.node)
        }
    }
}

/// A value a proposer can propose.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Value {
    /// Fills a gap in the sequence of slots (PMS §3: "no-op" commands).
    Noop,
    /// A plain single-decree value such as `red`.
    Word(Rc<str>),
    /// A key-value command (Multi-Paxos).
    Op(Cmd),
}

impl Value {
    /// Parses a client command: `propose WORD` (or the bare word, as a value prints), `set k=v`
    /// or `get k`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let words: Vec<&str> = text.split_whitespace().collect();
        match words.as_slice() {
            ["propose", w] | [w] if !matches!(*w, "propose" | "set" | "get") => {
                if w.len() <= 32 && w.chars().all(|c| c.is_alphanumeric() || "_-.".contains(c)) {
                    Ok(Value::Word((*w).into()))
                } else {
                    Err(format!(
                        "a proposed value is 1-32 letters, digits or _-. ({w:?})"
                    ))
                }
            }
            _ => Cmd::parse(text).map(Value::Op).map_err(|e| {
                format!("expected `propose value`, `set key=value` or `get key`: {e}")
            }),
        }
    }
    /// Stable digest, so invariants and learners can compare values without keeping copies.
    pub fn digest(&self) -> u64 {
        splitbrain_sim::stable_hash(self)
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Noop => write!(f, "no-op"),
            Value::Word(w) => write!(f, "{w}"),
            Value::Op(c) => write!(f, "{c}"),
        }
    }
}

/// Single-decree or Multi-Paxos.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, Hash)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    /// One value, slot 0 (PMS §2).
    Single,
    /// A sequence of slots behind a stable leader (PMS §3, PMMC §3).
    #[default]
    Multi,
}

/// Which implementation runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, Hash)]
#[serde(rename_all = "kebab-case")]
pub enum Variant {
    /// The protocol as the papers give it.
    #[default]
    Correct,
    /// Bug (PMS §2.2, P2c): after phase 1 the proposer proposes its own value even when a
    /// promise reported a value accepted in an earlier ballot.
    IgnorePromisedValues,
    /// Bug (PMS §2.5): the acceptor's promised ballot is not in stable storage, so after a
    /// restart it promises and accepts ballots it had already refused.
    ForgetPromise,
    /// Bug (PMS §2.5): every proposer numbers its ballots as proposer 0 does, so two proposers
    /// can run phase 2 with the same ballot and different values.
    SharedBallots,
    /// Bug (PMMC §3, the replica's check that a command was already performed): the store
    /// applies every slot's copy of a client command. A leader preempted mid-proposal hands its
    /// commands to the next leader while one may still be chosen in its old slot, so a
    /// retried `incr` counts twice. Only the clients' history shows it.
    NoDedup,
}

/// Settings of a Paxos run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    /// Single-decree or Multi-Paxos.
    pub mode: Mode,
    /// Nodes `0..proposers` are proposers.
    pub proposers: u32,
    /// Nodes `0..acceptors` are acceptors; 0 means every node.
    pub acceptors: u32,
    /// How long a proposer waits for a ballot to succeed before it tries a higher one.
    #[serde(with = "splitbrain_sim::serde_duration")]
    pub retry: Duration,
    /// Randomized exponential backoff: the n-th failed attempt in a row waits a random time in
    /// `retry ..= retry · 2^n` (capped at 2^5), which breaks the symmetry of dueling proposers.
    pub backoff: bool,
    /// Distinguished proposer (PMS §2.4; PMMC §3 "leader"): a proposer does not start a new
    /// ballot while it has heard, within `leader_timeout`, from a proposer with a higher one.
    pub leader: bool,
    /// Multi-Paxos leader heartbeat, also when unacknowledged Accepts are resent.
    #[serde(with = "splitbrain_sim::serde_duration")]
    pub heartbeat: Duration,
    /// Silence after which a higher-ballot proposer is presumed dead.
    #[serde(with = "splitbrain_sim::serde_duration")]
    pub leader_timeout: Duration,
    /// Single-decree: every proposer proposes its own value (`red`, `blue`, ...) when it boots.
    pub auto: bool,
    /// Correct or deliberately buggy.
    pub variant: Variant,
    /// Client processes beside the servers (0–10, Multi-Paxos only), each sending operations
    /// and recording the history the linearizability checker reads.
    #[serde(skip_serializing_if = "is_zero")]
    pub clients: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl Default for Params {
    fn default() -> Self {
        Self {
            mode: Mode::Multi,
            proposers: 3,
            acceptors: 0,
            retry: ms(150),
            backoff: true,
            leader: true,
            heartbeat: ms(50),
            leader_timeout: ms(200),
            auto: true,
            variant: Variant::Correct,
            clients: 0,
        }
    }
}

impl Params {
    /// Checks ranges so a bad file or link gives a clear error.
    pub fn validate(&self, nodes: usize) -> Result<(), String> {
        if !(3..=9).contains(&nodes) {
            return Err(format!("paxos runs on 3 to 9 nodes, got {nodes}"));
        }
        if self.proposers < 1 || self.proposers as usize > nodes {
            return Err(format!(
                "proposers must be 1..={nodes} (the first nodes propose), got {}",
                self.proposers
            ));
        }
        if self.acceptors != 0 && !(1..=nodes).contains(&(self.acceptors as usize)) {
            return Err(format!(
                "acceptors must be 0 (every node) or 1..={nodes}, got {}",
                self.acceptors
            ));
        }
        for (name, d) in [
            ("retry", self.retry),
            ("heartbeat", self.heartbeat),
            ("leader_timeout", self.leader_timeout),
        ] {
            if d < ms(1) || d > splitbrain_sim::limits::MAX_LATENCY {
                return Err(format!(
                    "{name} {} must be between 1ms and 1 hour",
                    format_time(d)
                ));
            }
        }
        if self.clients > splitbrain_kv::client::MAX_CLIENTS {
            return Err(format!(
                "clients must be 0 to {}, got {}",
                splitbrain_kv::client::MAX_CLIENTS,
                self.clients
            ));
        }
        if self.clients > 0 && self.mode != Mode::Multi {
            return Err("clients need mode = \"multi\": single-decree Paxos chooses one value, not a store's operations".into());
        }
        if self.heartbeat >= self.leader_timeout {
            return Err(format!(
                "heartbeat {} must be below leader_timeout {}",
                format_time(self.heartbeat),
                format_time(self.leader_timeout)
            ));
        }
        Ok(())
    }
    /// Number of acceptors in a run of `nodes` nodes.
    pub fn acceptor_count(&self, nodes: usize) -> usize {
        if self.acceptors == 0 {
            nodes
        } else {
            self.acceptors as usize
        }
    }
    /// A majority of the acceptors (PMS §2.2).
    pub fn majority(&self, nodes: usize) -> usize {
        self.acceptor_count(nodes) / 2 + 1
    }
}

/// The value proposer `id` proposes by itself in single-decree runs.
pub fn own_value(id: NodeId) -> Value {
    const NAMES: [&str; 9] = [
        "red", "blue", "green", "amber", "violet", "teal", "pink", "gray", "cyan",
    ];
    Value::Word(NAMES[id % NAMES.len()].into())
}
