//! Raft, following Ongaro & Ousterhout, "In Search of an Understandable Consensus Algorithm
//! (Extended Version)", 2014. Section numbers below refer to that paper.
//!
//! The node is a pure [`splitbrain_sim::Process`]: leader election with randomized timeouts
//! (§5.2), the up-to-date check on votes (§5.4.1), log replication with the consistency check and
//! backtracking (§5.3) plus the optional fast backup (conflict term/index, end of §5.3), the
//! current-term commit rule (§5.4.2), and a key-value state machine. `currentTerm`, `votedFor`
//! and the log are persisted (Fig. 2, "Persistent state on all servers"); the engine throws
//! everything else away on a crash.
//!
//! The Fig. 3 properties live in [`invariants`], one file each. [`Variant`] selects deliberately
//! broken versions for bug hunts.
#![forbid(unsafe_code)]

mod client;
pub mod invariants;
mod node;
mod storage;

pub use node::{
    EMPTY_LOG, Entry, Index, Msg, Node, Role, Term, Timer, chain, digests, newest_term,
};
pub use splitbrain_kv::Cmd;
pub use storage::{Durable, Write};

use serde::{Deserialize, Serialize};
use splitbrain_sim::{Duration, format_time, ms};

/// Lab name in the registry, the CLI and links.
pub const LAB: &str = "raft";

/// Which implementation runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, Hash)]
#[serde(rename_all = "kebab-case")]
pub enum Variant {
    /// The algorithm as the paper gives it.
    #[default]
    Correct,
    /// Bug (§5.4.2, Fig. 8): a leader commits entries of *previous* terms by counting replicas.
    CommitPreviousTerm,
    /// Bug (§5.4.1): votes are granted without checking that the candidate's log is up to date.
    NoLogCheck,
    /// Bug (Fig. 2): `votedFor` is not persisted, so a restarted node can vote twice in a term.
    VolatileVotedFor,
    /// Bug (§8, "Read-only operations"): a leader answers a client's `get` from its own state
    /// at once, without committing an entry of its term or confirming it still leads, so a
    /// leader deposed in a minority partition serves stale reads. Only the clients' history
    /// shows it: every server invariant still holds.
    LocalReads,
}

/// Settings of a Raft run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    /// Shortest election timeout (§5.2; the paper's §9.3 uses 150–300 ms).
    #[serde(with = "splitbrain_sim::serde_duration")]
    pub election_min: Duration,
    /// Longest election timeout.
    #[serde(with = "splitbrain_sim::serde_duration")]
    pub election_max: Duration,
    /// Leader heartbeat interval; must be well below the election timeout (§5.6).
    #[serde(with = "splitbrain_sim::serde_duration")]
    pub heartbeat: Duration,
    /// Use the conflict term/index hint to back up `nextIndex` a term at a time (end of §5.3).
    pub fast_backup: bool,
    /// Most entries in one AppendEntries.
    pub max_batch: u32,
    /// Correct or deliberately buggy.
    pub variant: Variant,
    /// Client processes beside the servers (0–10), each sending operations and recording the
    /// history the linearizability checker reads.
    #[serde(skip_serializing_if = "is_zero")]
    pub clients: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl Default for Params {
    fn default() -> Self {
        Self {
            election_min: ms(150),
            election_max: ms(300),
            heartbeat: ms(75),
            fast_backup: true,
            max_batch: 16,
            variant: Variant::Correct,
            clients: 0,
        }
    }
}

impl Params {
    /// Checks ranges so a bad file or link gives a clear error.
    pub fn validate(&self, nodes: usize) -> Result<(), String> {
        if !(3..=9).contains(&nodes) {
            return Err(format!("raft runs on 3 to 9 nodes, got {nodes}"));
        }
        if self.election_min < ms(1) || self.election_min > self.election_max {
            return Err(format!(
                "election timeout {}..{} must be at least 1ms with min <= max",
                format_time(self.election_min),
                format_time(self.election_max)
            ));
        }
        if self.election_max > splitbrain_sim::limits::MAX_LATENCY {
            return Err("election timeout must be at most 1 hour".into());
        }
        if self.heartbeat < ms(1) || self.heartbeat >= self.election_min {
            return Err(format!(
                "heartbeat {} must be at least 1ms and below the election timeout's minimum {}",
                format_time(self.heartbeat),
                format_time(self.election_min)
            ));
        }
        if !(1..=1024).contains(&self.max_batch) {
            return Err("max_batch must be 1..=1024".into());
        }
        if self.clients > splitbrain_kv::client::MAX_CLIENTS {
            return Err(format!(
                "clients must be 0 to {}, got {}",
                splitbrain_kv::client::MAX_CLIENTS,
                self.clients
            ));
        }
        Ok(())
    }
}
